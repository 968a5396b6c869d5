package app

import (
	"context"

	"assure/domain"
	"assure/policies"
)

// Objects whose use is open to an actor still enrolling a required second
// factor: their own account and their session.
var enrolmentObjects = map[string]bool{"me": true, "session": true}

// permit checks that the actor's role may perform act on obj in some domain:
// the check made before the object is known, and the only one for objects of
// no provider. A refusal is EForbidden and is audited. The system itself (the
// command line of an operator, background work) may do everything.
func (a *App) permit(ctx context.Context, actor domain.Actor, obj, act string) error {
	if actor.IsSystem() {
		return nil
	}
	if err := enrolled(actor, obj); err != nil {
		return err
	}
	if a.authz.Can(actor, obj, act) {
		return nil
	}
	a.denied(ctx, actor, obj, act)
	return domain.Errorf(domain.EForbidden, "role %s may not %s %s", roleName(actor), act, obj)
}

// permitOn checks the actor's right to perform act on obj belonging to
// providerID ("" for none). An object of another provider that the actor may
// not touch is reported as not found ("no such <what>"), never as forbidden,
// so its existence does not leak.
func (a *App) permitOn(ctx context.Context, actor domain.Actor, providerID, obj, act, what string) error {
	if actor.IsSystem() {
		return nil
	}
	if err := enrolled(actor, obj); err != nil {
		return err
	}
	if a.authz.CanOn(actor, providerID, obj, act) {
		return nil
	}
	a.denied(ctx, actor, obj, act)
	if policies.DomainOf(actor, providerID) == policies.Other && !actor.Scope().All() {
		return domain.Errorf(domain.ENotFound, "no such %s", what)
	}
	return domain.Errorf(domain.EForbidden, "role %s may not %s this %s", roleName(actor), act, obj)
}

// may reports, without auditing, whether the actor could perform act on obj
// of providerID now: what the faces use to offer an action.
func (a *App) may(actor domain.Actor, providerID, obj, act string) bool {
	if actor.IsSystem() {
		return true
	}
	return enrolled(actor, obj) == nil && a.authz.CanOn(actor, providerID, obj, act)
}

// enrolled refuses everything but looking after one's own account to an
// actor whose role requires a second factor not yet enrolled, or whose
// password was chosen by someone else and not yet changed.
func enrolled(actor domain.Actor, obj string) error {
	switch {
	case enrolmentObjects[obj]:
		return nil
	case actor.MustChangePassword:
		return domain.Errorf(domain.EForbidden, "your password was set by an administrator: change it before anything else")
	case actor.MustEnrolTOTP:
		return domain.Errorf(domain.EForbidden, "your role requires a second factor: enrol one before anything else")
	}
	return nil
}

func roleName(actor domain.Actor) string {
	if actor.Role == "" {
		return "(none)"
	}
	return string(actor.Role)
}

// denied records a refused request in the audit trail. A failure to record
// is logged: the refusal stands either way.
func (a *App) denied(ctx context.Context, actor domain.Actor, obj, act string) {
	err := a.db.RecordEvent(ctx, actor, "permission.denied", obj, "", "", map[string]any{"action": act})
	if err != nil {
		a.log.ErrorContext(ctx, "audit permission denied", "request_id", actor.RequestID, "err", err)
	}
}

// Offers reports, without auditing, whether the actor's role may perform act
// on obj at all: what a face asks before offering a page or a button.
func (a *App) Offers(actor domain.Actor, obj, act string) bool {
	if actor.IsSystem() {
		return true
	}
	return enrolled(actor, obj) == nil && a.authz.Can(actor, obj, act)
}
