package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// Inspections: supervisors (and admins) record the on-site inspections and
// off-site reviews they make of a provider; auditors read them, provider
// users their own provider's. Recording one recomputes the provider's place
// in the supervisory ranking.

// RecordInspection records an inspection of a provider. A record never
// changes: a mistake is put right by a new record naming the one it replaces.
func (a *App) RecordInspection(ctx context.Context, actor domain.Actor, n domain.NewInspection) (domain.Inspection, error) {
	if err := a.permit(ctx, actor, "inspection", "record"); err != nil {
		return domain.Inspection{}, err
	}
	if err := a.permitOn(ctx, actor, n.ProviderID, "inspection", "record", "provider"); err != nil {
		return domain.Inspection{}, err
	}
	return a.db.RecordInspection(ctx, actor, n)
}

// Inspections lists a provider's inspections, the latest held first.
func (a *App) Inspections(ctx context.Context, actor domain.Actor, providerID string, page store.Page) ([]domain.Inspection, string, error) {
	if err := a.permit(ctx, actor, "inspection", "read"); err != nil {
		return nil, "", err
	}
	if err := a.permitOn(ctx, actor, providerID, "inspection", "read", "provider"); err != nil {
		return nil, "", err
	}
	return a.db.Inspections(ctx, actor, providerID, page)
}
