package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// provider loads a provider the actor may see and checks act on it.
func (a *App) provider(ctx context.Context, actor domain.Actor, id, act string) (domain.Provider, error) {
	if err := a.permit(ctx, actor, "provider", act); err != nil {
		return domain.Provider{}, err
	}
	p, err := a.db.Provider(ctx, actor, id)
	if err != nil {
		return p, err
	}
	return p, a.permitOn(ctx, actor, p.ID, "provider", act, "provider")
}

// CreateProvider adds a provider to the register.
func (a *App) CreateProvider(ctx context.Context, actor domain.Actor, p domain.Provider) (domain.Provider, error) {
	if err := a.permit(ctx, actor, "provider", "create"); err != nil {
		return domain.Provider{}, err
	}
	return a.db.CreateProvider(ctx, actor, p)
}

// Providers lists the register; provider users see their own provider only.
func (a *App) Providers(ctx context.Context, actor domain.Actor, f store.ProviderFilter, page store.Page) ([]domain.Provider, string, error) {
	if err := a.permit(ctx, actor, "provider", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Providers(ctx, actor, f, page)
}

// Provider returns one provider the actor may read.
func (a *App) Provider(ctx context.Context, actor domain.Actor, id string) (domain.Provider, error) {
	return a.provider(ctx, actor, id, "read")
}

// UpdateProvider changes the given fields of a provider at ifVersion.
func (a *App) UpdateProvider(ctx context.Context, actor domain.Actor, id string, ch store.ProviderChange, ifVersion int) (domain.Provider, error) {
	if _, err := a.provider(ctx, actor, id, "update"); err != nil {
		return domain.Provider{}, err
	}
	return a.db.UpdateProvider(ctx, actor, id, ch, ifVersion)
}
