package app

import (
	"context"
	"errors"
	"time"

	"assure/domain"
	"assure/store"
)

// SessionCookie is the name of the HttpOnly cookie that carries a browser's
// session token; the API and the web pages read the same cookie.
const SessionCookie = "assure_session"

// Authenticate returns the actor a session or API token stands for.
// EUnauthorized when the token is unknown, revoked or expired.
func (a *App) Authenticate(ctx context.Context, token string) (domain.Actor, error) {
	return a.db.Authenticate(ctx, token)
}

// Login checks credentials and opens a session. A failed attempt is answered
// only after the delay the throttle asks for, so guessing stays slow whatever
// the face; a lock holds for one account from one address, never for the
// account from everywhere (see domain.AccountAddressThrottle).
func (a *App) Login(ctx context.Context, actor domain.Actor, c store.Credentials) (store.Session, error) {
	s, err := a.db.Login(ctx, actor, c)
	return s, slowed(ctx, err)
}

// Slowed wraps the failure of an attempt that was answered late because
// earlier attempts failed too, so a face can say that answers are slowed.
type Slowed struct{ Err error }

func (s *Slowed) Error() string { return s.Err.Error() }
func (s *Slowed) Unwrap() error { return s.Err }

// slowed answers a failed secret check (password, one-time code) only after
// the delay the throttle asks for, so guessing stays slow whatever the face.
func slowed(ctx context.Context, err error) error {
	var failure *store.LoginFailure
	if errors.As(err, &failure) {
		if failure.Delay <= 0 {
			return failure.Err
		}
		select {
		case <-time.After(failure.Delay):
		case <-ctx.Done():
		}
		return &Slowed{Err: failure.Err}
	}
	return err
}

// Logout revokes the session or token the actor signed in with.
func (a *App) Logout(ctx context.Context, actor domain.Actor) error {
	if err := a.permit(ctx, actor, "session", "delete"); err != nil {
		return err
	}
	return a.db.Logout(ctx, actor)
}

// Me returns the signed-in user.
func (a *App) Me(ctx context.Context, actor domain.Actor) (domain.User, error) {
	if err := a.permit(ctx, actor, "me", "read"); err != nil {
		return domain.User{}, err
	}
	return a.db.User(ctx, actor, actor.UserID)
}

// ChangePassword changes the actor's own password and revokes every session
// and token of the account. Wrong current passwords are throttled on their
// own counter, apart from sign-in's.
func (a *App) ChangePassword(ctx context.Context, actor domain.Actor, current, next string) error {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return err
	}
	return slowed(ctx, a.db.ChangePassword(ctx, actor, current, next))
}

// StartTOTP begins enrolment of a second factor: the secret and its otpauth URL.
func (a *App) StartTOTP(ctx context.Context, actor domain.Actor) (secret, url string, err error) {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return "", "", err
	}
	return a.db.StartTOTP(ctx, actor)
}

// ConfirmTOTP turns the enrolled second factor on with a current code. Wrong
// codes are throttled on the second factor's own counter, apart from sign-in's.
func (a *App) ConfirmTOTP(ctx context.Context, actor domain.Actor, code string) error {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return err
	}
	return slowed(ctx, a.db.ConfirmTOTP(ctx, actor, code))
}

// RemoveTOTP removes the actor's second factor after checking a current code.
func (a *App) RemoveTOTP(ctx context.Context, actor domain.Actor, code string) error {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return err
	}
	return slowed(ctx, a.db.RemoveTOTP(ctx, actor, code))
}

// CreateAPIToken issues a personal API token for the actor; the secret is
// returned once.
func (a *App) CreateAPIToken(ctx context.Context, actor domain.Actor, name string, expiresAt time.Time) (string, store.APIToken, error) {
	if err := a.permit(ctx, actor, "token", "manage"); err != nil {
		return "", store.APIToken{}, err
	}
	return a.db.CreateAPIToken(ctx, actor, name, expiresAt)
}

// APITokens lists the actor's own API tokens, newest first.
func (a *App) APITokens(ctx context.Context, actor domain.Actor, page store.Page) ([]store.APIToken, string, error) {
	if err := a.permit(ctx, actor, "token", "manage"); err != nil {
		return nil, "", err
	}
	return a.db.APITokens(ctx, actor, page)
}

// RevokeAPIToken revokes one of the actor's own API tokens.
func (a *App) RevokeAPIToken(ctx context.Context, actor domain.Actor, id string) error {
	if err := a.permit(ctx, actor, "token", "manage"); err != nil {
		return err
	}
	return a.db.RevokeAPIToken(ctx, actor, id)
}

// SetLanguage records the actor's language for the web pages ("" follows the browser).
func (a *App) SetLanguage(ctx context.Context, actor domain.Actor, language string) error {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return err
	}
	return a.db.SetLanguage(ctx, actor, language)
}

// MyProvider returns the provider a provider user belongs to: part of one's
// own account, so readable even while a password must first be changed.
// ENotFound for users of no provider.
func (a *App) MyProvider(ctx context.Context, actor domain.Actor) (domain.Provider, error) {
	if err := a.permit(ctx, actor, "me", "read"); err != nil {
		return domain.Provider{}, err
	}
	if actor.ProviderID == "" {
		return domain.Provider{}, domain.Errorf(domain.ENotFound, "you belong to no provider")
	}
	return a.db.Provider(ctx, actor, actor.ProviderID)
}
