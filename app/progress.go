package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// CampaignProgress counts the filings of the given campaigns by state, with
// the share of controls answered and the filings overdue, in one query.
// Provider users count only their own provider's filings; campaigns the
// actor may not see are left out.
func (a *App) CampaignProgress(ctx context.Context, actor domain.Actor, campaignIDs []string) ([]store.CampaignProgress, error) {
	if err := a.permit(ctx, actor, "campaign", "read"); err != nil {
		return nil, err
	}
	return a.db.CampaignProgress(ctx, actor, campaignIDs)
}
