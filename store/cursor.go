package store

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"assure/domain"
)

// Page asks for one page of a list: up to Limit items after Cursor.
type Page struct {
	Cursor string
	Limit  int
}

// Page sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// limit returns the page size to use, within bounds.
func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// encodeCursor makes an opaque cursor from the sort key of the last item returned.
func encodeCursor(key ...any) string {
	b, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor into dst. An empty cursor
// leaves dst unchanged and reports false.
func decodeCursor(cursor string, dst ...any) (bool, error) {
	if cursor == "" {
		return false, nil
	}
	bad := domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", cursor)
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return false, bad
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(dst) {
		return false, bad
	}
	for i := range dst {
		if err := json.Unmarshal(raw[i], dst[i]); err != nil {
			return false, bad
		}
	}
	return true, nil
}

// pageOf trims rows fetched with limit+1 to the page and computes the next
// cursor from the last row kept.
func pageOf[T any](rows []T, limit int, key func(T) []any) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, encodeCursor(key(rows[limit-1])...)
}

// The lowest and highest uuids: the id an empty cursor stands at in a list
// ordered by (key, id) upwards or downwards, so that keyset conditions
// compare id as a uuid, as the indexes hold it.
const (
	lowestID  = "00000000-0000-0000-0000-000000000000"
	highestID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
)

// cursorID checks the id a decoded cursor carries: empty stands for
// before (or after) every id; anything else but a uuid is EInvalid.
func cursorID(cursor, id, empty string) (string, error) {
	if id == "" {
		return empty, nil
	}
	if !isUUID(id) {
		return "", domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", cursor)
	}
	return id, nil
}

// decodeNewestCursor reads a (time, id) cursor of a newest-first list; with no
// cursor the list starts after the end of time, at the highest id.
func decodeNewestCursor(cursor string) (time.Time, string, error) {
	at, id := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), ""
	if _, err := decodeCursor(cursor, &at, &id); err != nil {
		return at, id, err
	}
	id, err := cursorID(cursor, id, highestID)
	return at, id, err
}

// All pages through a list until its end and returns every item. It is for
// lists known to be bounded (one assessment's responses, a campaign's
// providers); unbounded ones are streamed instead.
func All[T any](list func(Page) ([]T, string, error)) ([]T, error) {
	var all []T
	page := Page{Limit: MaxLimit}
	for {
		items, next, err := list(page)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		page.Cursor = next
	}
}
