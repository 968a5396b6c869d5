package api

import (
	"context"

	"github.com/danielgtaylor/huma/v2"
)

// The shapes most operations share, written once: a list answers with one
// page of what the application lists, an operation on one object answers
// with the object as it then stands, and a change names the version it was
// made against in If-Match.

// registerList adds a list operation: page reads one page of what the
// application lists for the input, and item renders each for the caller.
func registerList[I, S, T any](a *API, op huma.Operation, page func(ctx context.Context, in *I) ([]S, string, error),
	item func(ctx context.Context, s S) T) {
	register(a, op, func(ctx context.Context, in *I) (*ListOutput[T], error) {
		items, next, err := page(ctx, in)
		if err != nil {
			return nil, err
		}
		return listOf(items, next, func(s S) T { return item(ctx, s) }), nil
	})
}

// registerOne adds an operation that answers with one object: do reads or
// changes it for the input, and out renders it for the caller.
func registerOne[I, S, O any](a *API, op huma.Operation, do func(ctx context.Context, in *I) (S, error),
	out func(ctx context.Context, s S) *O) {
	register(a, op, func(ctx context.Context, in *I) (*O, error) {
		s, err := do(ctx, in)
		if err != nil {
			return nil, err
		}
		return out(ctx, s), nil
	})
}

// versioned makes a change against the version an If-Match header names
// (0 when it is absent: any), or returns the header's problem when it
// holds none of our ETags.
func versioned[S any](header string, change func(version int) (S, error)) (S, error) {
	version, err := ifMatch(header)
	if err != nil {
		var none S
		return none, err
	}
	return change(version)
}
