package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// RiskCell pages through the provider–threat pairs behind one cell of a
// campaign's risk matrix, residual or inherent.
func (a *App) RiskCell(ctx context.Context, actor domain.Actor, campaignID string, f store.SectorFilter, inherent bool,
	likelihood, impact int, page store.Page) ([]store.RiskPair, string, error) {
	if err := a.permit(ctx, actor, "risk", "read"); err != nil {
		return nil, "", err
	}
	return a.db.RiskCell(ctx, actor, campaignID, f, inherent, likelihood, impact, page)
}
