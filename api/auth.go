package api

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"assure/app"
	"assure/domain"
)

// SessionCookie carries the session token of a browser.
const SessionCookie = app.SessionCookie

type actorKey struct{}

// actorFrom returns who is calling. Every operation has one: public
// operations get an anonymous actor carrying the request id and address.
func actorFrom(ctx context.Context) domain.Actor {
	a, _ := ctx.Value(actorKey{}).(domain.Actor)
	return a
}

// authenticate is the huma middleware in front of every operation: it
// resolves the caller's credentials into an actor for the handler. Whether
// the actor may do what the operation does is decided by the application
// layer the handler calls.
func (a *API) authenticate(ctx huma.Context, next func(huma.Context)) {
	r, w := humago.Unwrap(ctx)
	req := app.RequestFrom(ctx.Context())
	base := domain.Actor{RequestID: req.ID, Address: req.Address}
	if IsPublic(ctx.Operation()) {
		next(huma.WithValue(ctx, actorKey{}, base))
		return
	}
	token := bearerToken(r)
	if token == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="assure"`)
		writeProblem(w, problemFor(ctx.Context(), a.log,
			domain.Errorf(domain.EUnauthorized, "sign in first: send a bearer token or the session cookie")))
		return
	}
	actor, err := a.app.Authenticate(ctx.Context(), token)
	if err != nil {
		p := problemFor(ctx.Context(), a.log, err)
		if p.Status == http.StatusUnauthorized {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="assure", error="invalid_token"`)
		}
		writeProblem(w, p)
		return
	}
	actor.RequestID, actor.Address = base.RequestID, base.Address
	next(huma.WithValue(ctx, actorKey{}, actor))
}

func bearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
		return ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// clientAddress is the caller's IP address, without the port. Behind
// trusted proxies (Options.TrustedProxies) it is the right-most address of
// X-Forwarded-For that is not a trusted proxy, so sign-in throttling counts
// callers rather than the load balancer.
func (a *API) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !a.trusted(host) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if net.ParseIP(hop) == nil {
			break
		}
		if !a.trusted(hop) {
			return hop
		}
		host = hop
	}
	return host
}

// trusted reports whether ip belongs to a trusted proxy.
func (a *API) trusted(ip string) bool {
	parsed := net.ParseIP(ip)
	for _, n := range a.proxies {
		if parsed != nil && n.Contains(parsed) {
			return true
		}
	}
	return false
}
