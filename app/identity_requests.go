package app

import (
	"context"
	"time"

	"assure/domain"
	"assure/store"
)

// IdentityRequests lists identity requests, newest first, for admins.
func (a *App) IdentityRequests(ctx context.Context, actor domain.Actor, f store.IdentityRequestFilter, page store.Page) ([]domain.IdentityRequest, string, error) {
	if err := a.permit(ctx, actor, "identity_request", "read"); err != nil {
		return nil, "", err
	}
	return a.db.IdentityRequests(ctx, actor, f, page)
}

// IdentityRequest returns one identity request.
func (a *App) IdentityRequest(ctx context.Context, actor domain.Actor, id string) (domain.IdentityRequest, error) {
	if err := a.permit(ctx, actor, "identity_request", "read"); err != nil {
		return domain.IdentityRequest{}, err
	}
	return a.db.IdentityRequest(ctx, actor, id)
}

// PendingIdentityRequestCount returns how many identity requests wait for a
// decision; zero for who may not read them.
func (a *App) PendingIdentityRequestCount(ctx context.Context, actor domain.Actor) (int, error) {
	if !a.Offers(actor, "identity_request", "read") {
		return 0, nil
	}
	return a.db.CountPendingIdentityRequests(ctx, actor)
}

// ApproveIdentityRequest applies a pending request on behalf of a second
// administrator, neither its requester nor its target (EForbidden). A
// creation or password reset gets a temporary password made only now and
// returned to the approver alone, to be shown once; the user must change it
// at first sign-in. On a server that sends e-mail the user is e-mailed a
// link to choose their own instead, and the password comes back empty. EConflict when the request is no longer pending or no
// longer applies (the last admin, a changed user, a taken email).
func (a *App) ApproveIdentityRequest(ctx context.Context, actor domain.Actor, id string) (domain.IdentityRequest, domain.User, string, error) {
	if err := a.permit(ctx, actor, "identity_request", "approve"); err != nil {
		return domain.IdentityRequest{}, domain.User{}, "", err
	}
	// On a server that sends e-mail the new or reset user is e-mailed a
	// link instead, and nobody learns a password.
	password := ""
	if !a.MailOn() {
		password = TemporaryPassword()
	}
	r, u, used, err := a.db.ApproveIdentityRequest(ctx, actor, id, password)
	if err != nil || !used {
		password = ""
	}
	return r, u, password, err
}

// RejectIdentityRequest refuses a pending request, with an optional reason,
// on behalf of an administrator who is neither its requester nor its target.
func (a *App) RejectIdentityRequest(ctx context.Context, actor domain.Actor, id, reason string) (domain.IdentityRequest, error) {
	if err := a.permit(ctx, actor, "identity_request", "reject"); err != nil {
		return domain.IdentityRequest{}, err
	}
	return a.db.RejectIdentityRequest(ctx, actor, id, reason)
}

// CancelIdentityRequest withdraws a pending request; only its requester may.
func (a *App) CancelIdentityRequest(ctx context.Context, actor domain.Actor, id string) (domain.IdentityRequest, error) {
	if err := a.permit(ctx, actor, "identity_request", "cancel"); err != nil {
		return domain.IdentityRequest{}, err
	}
	return a.db.CancelIdentityRequest(ctx, actor, id)
}

// RequestActions says what actor may do with an identity request now.
type RequestActions struct {
	Approve, Reject, Cancel bool
}

// RequestActionsOn returns what actor may do with r at now; the pages offer
// exactly these.
func (a *App) RequestActionsOn(actor domain.Actor, r domain.IdentityRequest, now time.Time) RequestActions {
	if r.StateAt(now) != domain.RequestPending {
		return RequestActions{}
	}
	decider := domain.CheckDecider(actor, r) == nil
	return RequestActions{
		Approve: decider && a.Offers(actor, "identity_request", "approve"),
		Reject:  decider && a.Offers(actor, "identity_request", "reject"),
		Cancel:  domain.CheckCanceller(actor, r) == nil && a.Offers(actor, "identity_request", "cancel"),
	}
}
