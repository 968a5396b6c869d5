package app

import (
	"context"
	"crypto/rand"
	"strings"

	"assure/domain"
	"assure/store"
)

// user loads a user the actor may see and checks act on them.
func (a *App) user(ctx context.Context, actor domain.Actor, id, act string) (domain.User, error) {
	if err := a.permit(ctx, actor, "user", act); err != nil {
		return domain.User{}, err
	}
	u, err := a.db.User(ctx, actor, id)
	if err != nil {
		return u, err
	}
	return u, a.permitOn(ctx, actor, u.ProviderID, "user", act, "user")
}

// CreateUser creates a user: admins any, a provider_admin editors of its own
// provider.
func (a *App) CreateUser(ctx context.Context, actor domain.Actor, nu store.NewUser) (domain.User, error) {
	if err := a.permit(ctx, actor, "user", "create"); err != nil {
		return domain.User{}, err
	}
	if err := a.permitOn(ctx, actor, nu.ProviderID, "user", "create", "provider"); err != nil {
		return domain.User{}, err
	}
	return a.db.CreateUser(ctx, actor, nu)
}

// Users lists users by email; a provider_admin sees its own provider's only.
func (a *App) Users(ctx context.Context, actor domain.Actor, f store.UserFilter, page store.Page) ([]domain.User, string, error) {
	if err := a.permit(ctx, actor, "user", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Users(ctx, actor, f, page)
}

// User returns one user the actor may read.
func (a *App) User(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	return a.user(ctx, actor, id, "read")
}

// UpdateUser changes a user's name, role, provider or status at ifVersion.
func (a *App) UpdateUser(ctx context.Context, actor domain.Actor, id string, ch store.UserChange, ifVersion int) (domain.User, error) {
	if _, err := a.user(ctx, actor, id, "update"); err != nil {
		return domain.User{}, err
	}
	return a.db.UpdateUser(ctx, actor, id, ch, ifVersion)
}

// DisableUser stops a user signing in and revokes every session and token.
func (a *App) DisableUser(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	u, err := a.user(ctx, actor, id, "disable")
	if err != nil {
		return domain.User{}, err
	}
	if u.ID == actor.UserID {
		return u, domain.Errorf(domain.EConflict, "you cannot disable your own account; ask another administrator")
	}
	return a.db.DisableUser(ctx, actor, id)
}

// ResetPassword sets a user's password and revokes their sessions and tokens.
func (a *App) ResetPassword(ctx context.Context, actor domain.Actor, id, password string) error {
	if _, err := a.user(ctx, actor, id, "reset_password"); err != nil {
		return err
	}
	return a.db.ResetPassword(ctx, actor, id, password)
}

// ResetTOTP removes a user's second factor and revokes their sessions and tokens.
func (a *App) ResetTOTP(ctx context.Context, actor domain.Actor, id string) error {
	if _, err := a.user(ctx, actor, id, "reset_totp"); err != nil {
		return err
	}
	return a.db.ResetTOTP(ctx, actor, id)
}

// UnlockUser clears the sign-in throttle of a user's account, from every
// address, and the counters of its password change and second factor: for
// an owner who cannot wait out a lock. EForbidden for roles that may not,
// ENotFound for a user the actor may not see.
func (a *App) UnlockUser(ctx context.Context, actor domain.Actor, id string) error {
	if _, err := a.user(ctx, actor, id, "unlock"); err != nil {
		return err
	}
	return a.db.UnlockSignIn(ctx, actor, id)
}

// EnableUser lets a disabled user sign in again; whoever may disable a user
// may undo it. Their old sessions and tokens stay revoked.
func (a *App) EnableUser(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	if _, err := a.user(ctx, actor, id, "enable"); err != nil {
		return domain.User{}, err
	}
	return a.db.EnableUser(ctx, actor, id)
}

// ResetPasswordGenerated gives a user a new temporary password, made here
// so that nobody has to invent one, and returns it to be shown once. The
// user must change it at their next sign-in; their sessions and tokens are
// revoked.
func (a *App) ResetPasswordGenerated(ctx context.Context, actor domain.Actor, id string) (string, error) {
	password := TemporaryPassword()
	if err := a.ResetPassword(ctx, actor, id, password); err != nil {
		return "", err
	}
	return password, nil
}

// temporaryWords is the alphabet of temporary passwords: lower-case letters
// and digits without the ones easily confused (l, 1, o, 0), so a password
// read out over the telephone survives.
const temporaryWords = "abcdefghijkmnpqrstuvwxyz23456789"

// TemporaryPassword returns a random password of five groups of four
// characters (about 100 bits), for a first sign-in or a reset.
func TemporaryPassword() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("app: no randomness: " + err.Error())
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(temporaryWords[int(c)%len(temporaryWords)])
	}
	return s.String()
}

// UserCounts returns how many users the actor may read, active and disabled.
func (a *App) UserCounts(ctx context.Context, actor domain.Actor) (active, disabled int, err error) {
	if err := a.permit(ctx, actor, "user", "read"); err != nil {
		return 0, 0, err
	}
	return a.db.UserCounts(ctx, actor)
}

// UserActions says what actor may do to user u, as the policy, the role
// limits and u's state allow; the pages offer exactly these.
type UserActions struct {
	Change, Disable, Enable, ResetPassword, ResetTOTP, Unlock bool
}

// UserActionsOn returns what actor may do to u.
func (a *App) UserActionsOn(actor domain.Actor, u domain.User) UserActions {
	if domain.CheckUserManagement(actor, u.Role, u.ProviderID) != nil {
		return UserActions{}
	}
	return UserActions{
		Change:        a.OffersEveryProvider(actor, "user", "update"),
		Disable:       u.Status == domain.UserActive && u.ID != actor.UserID && a.Offers(actor, "user", "disable"),
		Enable:        u.Status == domain.UserDisabled && a.Offers(actor, "user", "enable"),
		ResetPassword: a.Offers(actor, "user", "reset_password"),
		ResetTOTP:     (u.TOTPEnabled || u.Passkeys > 0) && a.Offers(actor, "user", "reset_totp"),
		Unlock:        a.Offers(actor, "user", "unlock"),
	}
}
