package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// Settings returns the regulator's configuration and its version.
func (a *App) Settings(ctx context.Context, actor domain.Actor) (domain.Settings, int, error) {
	if err := a.permit(ctx, actor, "settings", "read"); err != nil {
		return domain.Settings{}, 0, err
	}
	return a.db.Settings(ctx)
}

// UpdateSettings replaces the configuration at ifVersion and returns the new version.
func (a *App) UpdateSettings(ctx context.Context, actor domain.Actor, s domain.Settings, ifVersion int) (int, error) {
	if err := a.permit(ctx, actor, "settings", "update"); err != nil {
		return 0, err
	}
	return a.db.UpdateSettings(ctx, actor, s, ifVersion)
}

// SessionLifetimes returns how long browser sessions live, idle and at
// most, to whoever may read the settings. They are options of the server,
// shown beside the settings but not changed with them.
func (a *App) SessionLifetimes(ctx context.Context, actor domain.Actor) (store.SessionPolicy, error) {
	if err := a.permit(ctx, actor, "settings", "read"); err != nil {
		return store.SessionPolicy{}, err
	}
	return a.db.SessionLifetimes(), nil
}
