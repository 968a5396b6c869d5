package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// Filing is everything a filing screen shows of one assessment: the
// assessment with what the actor may do to it, its campaign and framework,
// its responses, its evidence, and every problem that would keep it from
// being submitted today.
type Filing struct {
	Assessment domain.Assessment
	Allowed    []string
	Campaign   domain.Campaign
	Framework  *domain.Framework
	Responses  []domain.Response
	Evidence   []domain.Evidence
	Problems   []domain.Problem
}

// Filing gathers an assessment the actor may read, for its filing screen.
func (a *App) Filing(ctx context.Context, actor domain.Actor, id string) (Filing, error) {
	as, err := a.Assessment(ctx, actor, id)
	if err != nil {
		return Filing{}, err
	}
	f, err := a.filingOf(ctx, actor, as)
	if err != nil {
		return f, err
	}
	today := domain.Today()
	for _, r := range f.Responses {
		f.Problems = append(f.Problems, r.CheckComplete(today)...)
	}
	return f, nil
}

// filingOf gathers what every screen of an assessment shows: what the actor
// may do to it, its campaign and framework, its responses, and its evidence
// when the actor may read it.
func (a *App) filingOf(ctx context.Context, actor domain.Actor, as domain.Assessment) (Filing, error) {
	f := Filing{Assessment: as}
	allowed, err := a.AllowedActions(ctx, actor, as)
	if err != nil {
		return f, err
	}
	f.Allowed = allowed[0]
	if f.Campaign, err = a.db.Campaign(ctx, actor, as.CampaignID); err != nil {
		return f, err
	}
	if f.Framework, err = a.db.FrameworkOf(ctx, store.FrameworkRef{ID: f.Campaign.FrameworkID,
		Version: f.Campaign.FrameworkVersion}); err != nil {
		return f, err
	}
	if f.Responses, err = store.All(func(p store.Page) ([]domain.Response, string, error) {
		return a.db.Responses(ctx, actor, as.ID, store.ResponseFilter{}, p)
	}); err != nil {
		return f, err
	}
	if a.may(actor, as.ProviderID, "evidence", "read") {
		if f.Evidence, err = store.All(func(p store.Page) ([]domain.Evidence, string, error) {
			return a.db.EvidenceOf(ctx, actor, as.ID, p)
		}); err != nil {
			return f, err
		}
	}
	return f, nil
}
