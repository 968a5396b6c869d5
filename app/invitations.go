package app

import (
	"context"
	"time"

	"assure/domain"
	"assure/store"
)

// errNoMail refuses what needs e-mail on a server without an SMTP server.
var errNoMail = domain.Errorf(domain.EConflict,
	"this server sends no e-mail (no SMTP server is configured): create the user with a temporary password instead")

// errChosenPassword refuses a password chosen for someone else on a server
// that e-mails links instead.
var errChosenPassword = domain.Invalid("nobody chooses another's password here", []domain.Problem{{Location: "body.password",
	Message: "must be absent: this server e-mails the user a link to choose their own"}})

// Invite creates a user who chooses their own password through a
// single-use link e-mailed to them, valid a week: admins invite anyone, a
// provider_admin editors of its own provider, as CreateUser allows. A
// supervisor, admin or auditor is requested instead (the request comes
// back, the user is zero), and the approval by a second administrator sends
// the invitation. EConflict when this server sends no e-mail; EInvalid when
// a password comes along.
func (a *App) Invite(ctx context.Context, actor domain.Actor, nu store.NewUser) (domain.User, *domain.IdentityRequest, error) {
	if err := a.permit(ctx, actor, "user", "create"); err != nil {
		return domain.User{}, nil, err
	}
	if err := a.permitOn(ctx, actor, nu.ProviderID, "user", "create", "provider"); err != nil {
		return domain.User{}, nil, err
	}
	if !a.MailOn() {
		return domain.User{}, nil, errNoMail
	}
	if nu.Password != "" {
		return domain.User{}, nil, errChosenPassword
	}
	if a.CreationNeedsApproval(nu) {
		r, err := a.db.FileIdentityRequest(ctx, actor, store.NewIdentityRequest{Kind: domain.RequestUserCreate,
			Change: domain.IdentityChange{Email: nu.Email, Name: &nu.Name, Role: &nu.Role, ProviderID: &nu.ProviderID,
				Language: nu.Language}})
		if err != nil {
			return domain.User{}, nil, err
		}
		return domain.User{}, &r, nil
	}
	u, err := a.db.InviteUser(ctx, actor, nu)
	return u, nil, err
}

// Reinvite e-mails a user who has not chosen a password yet a new
// invitation; the earlier link stops working. Whoever may create such a
// user may. EConflict when the user has a password or this server sends no
// e-mail.
func (a *App) Reinvite(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	if _, err := a.user(ctx, actor, id, "create"); err != nil {
		return domain.User{}, err
	}
	if !a.MailOn() {
		return domain.User{}, errNoMail
	}
	return a.db.Reinvite(ctx, actor, id)
}

// AcceptInvitation sets the first password of an invited user through the
// link of their invitation, which then stops working. Anyone holding the
// link may: no sign-in is asked. A link that does not work is
// store.ErrBadLink, counted against the caller's address and slowed, then
// locked (store.ErrLinksLocked); a password that breaks the rules is EInvalid
// and leaves the link usable. It returns the user, who may now sign in.
func (a *App) AcceptInvitation(ctx context.Context, actor domain.Actor, token, password string) (domain.User, error) {
	u, err := a.db.UseLink(ctx, actor, domain.LinkInvitation, token, password)
	return u, slowed(ctx, err)
}

// RequestPasswordReset e-mails the active account with email, if any, a
// link to choose a new password, valid an hour. The answer is the same
// whether the account exists or not; an address that asks too often is
// store.ErrTooManyResets, and an email asked for too often gets no more
// e-mail for a while (the answer still the same).
//
// It answers no sooner than ResetAnswerTime after it was asked: an account
// that exists costs more work (its link, its e-mail) than one that does
// not, and the time taken must not tell which.
func (a *App) RequestPasswordReset(ctx context.Context, actor domain.Actor, email string) error {
	start := time.Now()
	err := a.db.RequestPasswordReset(ctx, actor, email)
	if wait := ResetAnswerTime - time.Since(start); wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	return err
}

// ResetAnswerTime is the least time a request to reset a password takes,
// well above what the work for an existing account takes.
const ResetAnswerTime = 300 * time.Millisecond

// ResetPasswordWithLink sets a new password through the link of a password
// reset, as AcceptInvitation does for invitations. The second factor stays:
// signing in still asks for it.
func (a *App) ResetPasswordWithLink(ctx context.Context, actor domain.Actor, token, password string) (domain.User, error) {
	u, err := a.db.UseLink(ctx, actor, domain.LinkPasswordReset, token, password)
	return u, slowed(ctx, err)
}
