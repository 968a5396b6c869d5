package app

import (
	"context"
	"slices"
	"strings"

	"assure/domain"
	"assure/store"
)

// PreviewLimit is how many providers a campaign preview lists by name; the
// counts cover them all.
const PreviewLimit = 100

// CampaignPreview is what opening a campaign would create if it were opened
// now: one assessment per provider in scope, each with the controls that
// apply to that provider.
type CampaignPreview struct {
	Framework   store.FrameworkVersion
	Providers   int          // providers in scope
	Controls    int          // responses to be answered, over every provider
	LeftOut     int          // chosen providers that are not active and so not in scope
	Rows        []PreviewRow // the first PreviewLimit providers by short name
	Unavailable bool         // no published framework was chosen: nothing to count against
}

// PreviewRow is one provider of a preview.
type PreviewRow struct {
	Provider domain.Provider
	Controls int
}

// More is the number of providers in scope that the preview does not list.
func (p CampaignPreview) More() int { return p.Providers - len(p.Rows) }

// CampaignPreview works out, for a campaign being drafted or a draft that is
// stored, the providers in its scope and how many controls each must answer:
// the same selection and the same applicability rule that opening the
// campaign applies (store.OpenCampaign), so the preview's counts are what
// opening creates unless the register changes in between. Only those who run
// campaigns may ask. A framework that is not published leaves the preview
// Unavailable rather than failing, so a form half filled in still shows
// something.
func (a *App) CampaignPreview(ctx context.Context, actor domain.Actor, c domain.Campaign) (CampaignPreview, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return CampaignPreview{}, err
	}
	var out CampaignPreview
	if c.FrameworkID == "" {
		out.Unavailable = true
		return out, nil
	}
	ref := store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion}
	fw, err := a.db.FrameworkOf(ctx, ref)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		out.Unavailable = true
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if out.Framework, err = a.db.Framework(ctx, ref); err != nil {
		return out, err
	}
	providers, err := a.db.CampaignScope(ctx, actor, c)
	if err != nil {
		return out, err
	}
	out.Providers = len(providers)
	rows := make([]PreviewRow, len(providers))
	for i, p := range providers {
		n := len(domain.ProfileOf(p).ApplicableControls(fw, c.Level))
		rows[i] = PreviewRow{Provider: p, Controls: n}
		out.Controls += n
	}
	if len(c.ProviderIDs) > 0 {
		chosen := slices.Clone(c.ProviderIDs)
		slices.Sort(chosen)
		out.LeftOut = len(slices.Compact(chosen)) - len(providers)
	}
	slices.SortFunc(rows, func(x, y PreviewRow) int {
		if c := strings.Compare(strings.ToLower(x.Provider.ShortName), strings.ToLower(y.Provider.ShortName)); c != 0 {
			return c
		}
		return strings.Compare(x.Provider.ID, y.Provider.ID)
	})
	out.Rows = rows[:min(len(rows), PreviewLimit)]
	return out, nil
}

// CampaignOpening is a campaign with where its opening stands.
type CampaignOpening struct {
	Campaign domain.Campaign
	// Opening is the campaign's opening; its Status is "" when the
	// campaign was never asked to open (or was opened without a job).
	Opening store.Opening
}

// Active says the opening is queued or running.
func (o CampaignOpening) Active() bool { return o.Opening.Active() }

// Failed says the last opening stopped: nothing of it was kept.
func (o CampaignOpening) Failed() bool {
	return o.Opening.Status == store.OpeningFailed && o.Campaign.Status == domain.CampaignDraft
}

// StartOpeningCampaign asks for a draft campaign to be opened by a
// background job, whatever its size, and returns at once with the opening
// queued; CampaignOpeningState then tells how it goes. The opening is one
// transaction, so it is done entirely or not at all, and a job interrupted
// is run again from the start. Asking again while an opening is queued or
// running follows it. EConflict when the campaign is not a draft or nobody
// is in its scope.
func (a *App) StartOpeningCampaign(ctx context.Context, actor domain.Actor, id string) (CampaignOpening, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return CampaignOpening{}, err
	}
	o, err := a.db.QueueOpening(ctx, actor, id)
	if err != nil {
		return CampaignOpening{}, err
	}
	c, err := a.db.Campaign(ctx, actor, id)
	return CampaignOpening{Campaign: c, Opening: o}, err
}

// CampaignOpeningState returns a campaign with where its opening stands,
// on whichever instance it runs. Only those who run campaigns may ask.
func (a *App) CampaignOpeningState(ctx context.Context, actor domain.Actor, id string) (CampaignOpening, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return CampaignOpening{}, err
	}
	// The opening first: one read done was committed with the campaign
	// open, so the campaign read after it is open too.
	o, err := a.db.Opening(ctx, actor, id)
	if err != nil && domain.ErrorCodeOf(err) != domain.ENotFound {
		return CampaignOpening{}, err
	}
	c, err := a.db.Campaign(ctx, actor, id)
	if err != nil {
		return CampaignOpening{}, err
	}
	if o.Status == "" && c.Status != domain.CampaignDraft {
		// Opened before openings were jobs, or by the command line.
		o = store.Opening{CampaignID: c.ID, Status: store.OpeningDone, Phase: store.OpeningDone, CreatedAt: c.CreatedAt,
			FinishedAt: c.OpenedAt}
	}
	return CampaignOpening{Campaign: c, Opening: o}, nil
}
