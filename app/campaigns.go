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

// OpenCampaign opens a campaign through its job, here and now: it queues
// the opening and does its work before returning, as a worker would. The
// pages and the API queue it (StartOpeningCampaign) and follow it instead.
func (a *App) OpenCampaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return domain.Campaign{}, err
	}
	if _, err := a.StartOpeningCampaign(ctx, actor, id); err != nil {
		return domain.Campaign{}, err
	}
	ran := a.RunCampaignOpening(ctx, id)
	o, err := a.CampaignOpeningState(ctx, actor, id)
	if err != nil {
		return domain.Campaign{}, err
	}
	if ran != nil && !o.Failed() {
		return o.Campaign, ran
	}
	if o.Opening.Status != store.OpeningDone {
		return o.Campaign, domain.Errorf(domain.EConflict, "the campaign was not opened: %s", o.Opening.Error)
	}
	return o.Campaign, nil
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
