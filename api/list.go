package api

import "assure/store"

// ListParams are the paging parameters every list takes.
type ListParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"100" doc:"Items per page (1–500)."`
	Cursor string `query:"cursor" maxLength:"1024" doc:"The next value of the previous page; absent for the first page."`
}

func (p ListParams) page() store.Page { return store.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListBody is the body of every list.
type ListBody[T any] struct {
	Items []T    `json:"items" doc:"This page of items."`
	Next  string `json:"next,omitempty" doc:"Pass as ?cursor= to read the next page; absent on the last page."`
}

// ListOutput is the response of every list.
type ListOutput[T any] struct {
	Body ListBody[T]
}

// listOf builds a list response, mapping each item; items is never null.
func listOf[S, T any](items []S, next string, f func(S) T) *ListOutput[T] {
	out := &ListOutput[T]{Body: ListBody[T]{Items: make([]T, len(items)), Next: next}}
	for i, s := range items {
		out.Body.Items[i] = f(s)
	}
	return out
}
