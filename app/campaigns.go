package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// CreateCampaign prepares a draft campaign.
func (a *App) CreateCampaign(ctx context.Context, actor domain.Actor, c domain.Campaign) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return domain.Campaign{}, err
	}
	return a.db.CreateCampaign(ctx, actor, c)
}

// Campaigns lists campaigns, newest first; provider users see those they
// take part in.
func (a *App) Campaigns(ctx context.Context, actor domain.Actor, status domain.CampaignStatus, page store.Page) ([]domain.Campaign, string, error) {
	if err := a.permit(ctx, actor, "campaign", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Campaigns(ctx, actor, status, page)
}

// Campaign returns one campaign the actor may read.
func (a *App) Campaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "campaign", "read"); err != nil {
		return domain.Campaign{}, err
	}
	return a.db.Campaign(ctx, actor, id)
}

// CampaignActions lists what this actor may do to the campaign now.
func (a *App) CampaignActions(actor domain.Actor, c domain.Campaign) []string {
	if !a.may(actor, "", "campaign", "manage") {
		return nil
	}
	return domain.CampaignActions(c.Status)
}

// OpenCampaign creates the campaign's assessments in one transaction.
func (a *App) OpenCampaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return domain.Campaign{}, err
	}
	return a.db.OpenCampaign(ctx, actor, id)
}

// ExtendCampaign moves an open campaign's due date later, with a reason.
func (a *App) ExtendCampaign(ctx context.Context, actor domain.Actor, id string, due domain.Date, reason string) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return domain.Campaign{}, err
	}
	return a.db.ExtendCampaign(ctx, actor, id, due, reason)
}

// CloseCampaign ends filing in a campaign.
func (a *App) CloseCampaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return domain.Campaign{}, err
	}
	return a.db.CloseCampaign(ctx, actor, id)
}
