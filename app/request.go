package app

import "context"

// Request is what the HTTP layer knows of the request an action serves: its
// id in the logs and the caller's address (behind trusted proxies, the one
// they name). Both faces read it from the context.
type Request struct {
	ID      string
	Address string
}

type requestKey struct{}

// WithRequest returns ctx carrying r.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request ctx carries, or the zero Request.
func RequestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}
