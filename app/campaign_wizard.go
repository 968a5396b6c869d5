package app

import (
	"context"
	"slices"
	"strings"
	"time"

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
		n := len(domain.ProfileOf(p).ApplicableControls(fw))
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

// openingWait bounds how long a request to open a large campaign waits for
// the opening to start before its page takes over.
const openingWait = 5 * time.Second

// CampaignOpening is where the opening of a campaign stands.
type CampaignOpening struct {
	Campaign domain.Campaign
	// Opening says the campaign is being opened in the background now. A
	// draft that is not being opened was never opened, or its opening
	// stopped: opening is one transaction, so nothing of it was kept.
	Opening bool
	// Assessments is the number of assessments the opening creates.
	Assessments int
}

// StartOpeningCampaign opens a draft campaign. One over few providers is
// opened before it returns; one over more than the background threshold is
// opened in the background, and StartOpeningCampaign returns as soon as the
// opening holds the campaign, with Opening set: CampaignOpeningState then
// tells how it goes. The opening is the same single transaction either way,
// so it is done entirely or not at all; an opening that fails in the
// background is logged and leaves the campaign a draft.
func (a *App) StartOpeningCampaign(ctx context.Context, actor domain.Actor, id string) (CampaignOpening, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return CampaignOpening{}, err
	}
	c, err := a.db.Campaign(ctx, actor, id)
	if err != nil {
		return CampaignOpening{}, err
	}
	out := CampaignOpening{Campaign: c}
	if c.Status == domain.CampaignDraft {
		scope, err := a.db.CampaignScope(ctx, actor, c)
		if err != nil {
			return out, err
		}
		out.Assessments = len(scope)
	}
	if c.Status != domain.CampaignDraft || out.Assessments <= a.openInBackground {
		// Conflicts (not a draft, nobody in scope) come back from the store.
		out.Campaign, err = a.db.OpenCampaign(ctx, actor, id)
		return out, err
	}
	if busy, err := a.db.CampaignOpening(ctx, id); err != nil || busy {
		// Opened already by another request: follow that one.
		out.Opening = busy
		return out, err
	}
	locked := make(chan struct{})
	done := make(chan error, 1)
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Hour)
	go func() {
		defer cancel()
		_, err := a.db.OpenCampaignNotifying(bg, actor, id, func() { close(locked) })
		if err != nil {
			a.log.ErrorContext(bg, "open campaign in the background", "campaign", id, "request_id", actor.RequestID, "err", err)
		}
		done <- err
	}()
	select {
	case <-locked:
		out.Opening = true
		return out, nil
	case err := <-done:
		if err != nil {
			return out, err
		}
		out.Campaign, err = a.db.Campaign(ctx, actor, id)
		return out, err
	case <-time.After(openingWait):
		// Still waiting for the campaign's row, which another opening
		// holds: the page follows whichever opening holds it.
		out.Opening = true
		return out, nil
	case <-ctx.Done():
		// The opening goes on without the request that asked for it.
		out.Opening = true
		return out, nil
	}
}

// CampaignOpeningState reports whether a campaign is open, or being opened
// now by any instance.
func (a *App) CampaignOpeningState(ctx context.Context, actor domain.Actor, id string) (CampaignOpening, error) {
	if err := a.permit(ctx, actor, "campaign", "manage"); err != nil {
		return CampaignOpening{}, err
	}
	c, err := a.db.Campaign(ctx, actor, id)
	if err != nil {
		return CampaignOpening{}, err
	}
	out := CampaignOpening{Campaign: c, Assessments: c.Assessments}
	if c.Status == domain.CampaignDraft {
		if out.Opening, err = a.db.CampaignOpening(ctx, id); err != nil || !out.Opening {
			return out, err
		}
		scope, err := a.db.CampaignScope(ctx, actor, c)
		if err != nil {
			return out, err
		}
		out.Assessments = len(scope)
	}
	return out, nil
}
