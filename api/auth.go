package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"assure/domain"
	"assure/policies"
)

// SessionCookie carries the session token for the web UI.
const SessionCookie = "assure_session"

type actorKey struct{}

// actorFrom returns who is calling. Every operation has one: public
// operations get an anonymous actor carrying the request id and address.
func actorFrom(ctx context.Context) domain.Actor {
	a, _ := ctx.Value(actorKey{}).(domain.Actor)
	return a
}

// authenticate is the huma middleware in front of every operation: it finds
// the operation's declared access, resolves the caller's credentials and asks
// the Authorizer whether the caller's role may perform the operation's action
// in some domain. The check against the object's own provider follows in the
// handler, once the object is known.
func (a *API) authenticate(ctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(ctx)
	base := domain.Actor{RequestID: RequestIDFrom(ctx.Context()), Address: a.clientAddress(r)}
	access, ok := OperationAccess(ctx.Operation())
	if !ok {
		// Fail closed: an operation registered without a policy serves nobody.
		a.log.Error("operation without access policy", "operation", ctx.Operation().OperationID)
		huma.WriteErr(a.huma, ctx, http.StatusForbidden, "this operation has no access policy")
		return
	}
	if access.Public {
		next(huma.WithValue(ctx, actorKey{}, base))
		return
	}
	token := bearerToken(r)
	if token == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="assure"`)
		huma.WriteErr(a.huma, ctx, http.StatusUnauthorized, "sign in first: send a bearer token or the session cookie")
		return
	}
	actor, err := a.db.Authenticate(ctx.Context(), token)
	if err != nil {
		p := problemFor(ctx.Context(), a.log, err)
		if p.Status == http.StatusUnauthorized {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="assure", error="invalid_token"`)
		}
		writeHumaProblem(a, ctx, p)
		return
	}
	actor.RequestID, actor.Address = base.RequestID, base.Address
	if actor.MustEnrolTOTP && access.Object != "me" && access.Object != "session" {
		huma.WriteErr(a.huma, ctx, http.StatusForbidden,
			"your role requires a second factor: enrol one at POST /api/v1/me/totp before anything else")
		return
	}
	if !a.authz.Can(actor, access.Object, access.Action) {
		a.denied(ctx.Context(), actor, access, ctx.Operation().OperationID)
		huma.WriteErr(a.huma, ctx, http.StatusForbidden,
			"role "+string(actor.Role)+" may not "+access.Action+" "+access.Object)
		return
	}
	next(huma.WithValue(ctx, actorKey{}, actor))
}

// denied records a refused request in the audit trail.
func (a *API) denied(ctx context.Context, actor domain.Actor, access Access, operation string) {
	err := a.db.RecordEvent(ctx, actor, "permission.denied", access.Object, "", "",
		map[string]any{"action": access.Action, "operation": operation})
	if err != nil {
		a.log.ErrorContext(ctx, "audit permission denied", "request_id", actor.RequestID, "err", err)
	}
}

// allowOn checks actor's right to act on an object of providerID ("" for
// none). An object of another provider the actor may not touch is reported
// as not found, never as forbidden, so its existence does not leak.
func (a *API) allowOn(ctx context.Context, actor domain.Actor, providerID, obj, act, what string) error {
	if a.authz.CanOn(actor, providerID, obj, act) {
		return nil
	}
	if policies.DomainOf(actor, providerID) == policies.Other && actor.Role.ForProvider() {
		a.denied(ctx, actor, Access{Object: obj, Action: act}, "")
		return domain.Errorf(domain.ENotFound, "no such %s", what)
	}
	a.denied(ctx, actor, Access{Object: obj, Action: act}, "")
	return domain.Errorf(domain.EForbidden, "role %s may not %s this %s", actor.Role, act, obj)
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

// writeHumaProblem writes a problem from inside huma middleware.
func writeHumaProblem(a *API, ctx huma.Context, p *Problem) {
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(p.Status)
	b, _ := json.Marshal(p)
	ctx.BodyWriter().Write(b)
}
