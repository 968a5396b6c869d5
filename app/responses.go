package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// Responses lists an assessment's responses in catalog order.
func (a *App) Responses(ctx context.Context, actor domain.Actor, assessmentID string, f store.ResponseFilter, page store.Page) ([]domain.Response, string, error) {
	if _, err := a.Assessment(ctx, actor, assessmentID); err != nil {
		return nil, "", err
	}
	return a.db.Responses(ctx, actor, assessmentID, f, page)
}

// Response returns one control's response.
func (a *App) Response(ctx context.Context, actor domain.Actor, assessmentID, controlID string) (domain.Response, error) {
	if _, err := a.Assessment(ctx, actor, assessmentID); err != nil {
		return domain.Response{}, err
	}
	return a.db.Response(ctx, actor, assessmentID, controlID)
}

// SaveResponse saves the provider's answer for one control. ifVersion is the
// version last read; 0 is EPreconditionRequired and a stale one EPrecondition.
func (a *App) SaveResponse(ctx context.Context, actor domain.Actor, assessmentID, controlID string, in domain.ResponseInput, ifVersion int) (domain.Response, error) {
	if _, err := a.assessment(ctx, actor, assessmentID, "assessment", "respond"); err != nil {
		return domain.Response{}, err
	}
	return a.db.SaveResponse(ctx, actor, assessmentID, controlID, in, ifVersion)
}

// SaveResponses saves many answers at once, all or nothing; problems are
// located under prefix.
func (a *App) SaveResponses(ctx context.Context, actor domain.Actor, assessmentID string, updates []store.ResponseUpdate, prefix string) ([]domain.Response, error) {
	if _, err := a.assessment(ctx, actor, assessmentID, "assessment", "respond"); err != nil {
		return nil, err
	}
	return a.db.SaveResponses(ctx, actor, assessmentID, updates, prefix)
}

// SetVerdicts records a supervisor's verdicts on controls of an assessment
// under review, all or none.
func (a *App) SetVerdicts(ctx context.Context, actor domain.Actor, assessmentID string, verdicts []store.VerdictInput, prefix string) ([]domain.Response, error) {
	if _, err := a.assessment(ctx, actor, assessmentID, "assessment", "review"); err != nil {
		return nil, err
	}
	return a.db.SetVerdicts(ctx, actor, assessmentID, verdicts, prefix)
}

// ControlsOf returns the controls of an assessment's framework by id, for
// showing responses with their control's text.
func (a *App) ControlsOf(ctx context.Context, actor domain.Actor, assessmentID string) (map[string]domain.Control, error) {
	as, err := a.Assessment(ctx, actor, assessmentID)
	if err != nil {
		return nil, err
	}
	c, err := a.db.Campaign(ctx, actor, as.CampaignID)
	if err != nil {
		return nil, err
	}
	f, err := a.db.FrameworkOf(ctx, store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion})
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Control, len(f.Controls))
	for _, ctl := range f.Controls {
		out[ctl.ID] = ctl
	}
	return out, nil
}
