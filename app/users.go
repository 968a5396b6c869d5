package app

import (
	"context"

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
	if _, err := a.user(ctx, actor, id, "disable"); err != nil {
		return domain.User{}, err
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
