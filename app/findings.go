package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// findingPolicy maps each action on a finding to the policy action it needs.
var findingPolicy = map[string]string{
	domain.FindingRespond: "respond",
	domain.FindingStart:   "respond",
	domain.FindingResolve: "respond",
	domain.FindingVerify:  "verify",
	domain.FindingReopen:  "verify",
}

// finding loads a finding the actor may see and checks act on it.
func (a *App) finding(ctx context.Context, actor domain.Actor, id, act string) (domain.Finding, error) {
	if err := a.permit(ctx, actor, "finding", act); err != nil {
		return domain.Finding{}, err
	}
	f, err := a.db.Finding(ctx, actor, id)
	if err != nil {
		return f, err
	}
	return f, a.permitOn(ctx, actor, f.ProviderID, "finding", act, "finding")
}

// CreateFinding raises a finding against an assessment or one of its controls.
func (a *App) CreateFinding(ctx context.Context, actor domain.Actor, nf store.NewFinding) (domain.Finding, error) {
	if err := a.permit(ctx, actor, "finding", "create"); err != nil {
		return domain.Finding{}, err
	}
	if as, err := a.db.Assessment(ctx, actor, nf.AssessmentID); err == nil {
		if err := a.permitOn(ctx, actor, as.ProviderID, "finding", "create", "assessment"); err != nil {
			return domain.Finding{}, err
		}
	}
	return a.db.CreateFinding(ctx, actor, nf)
}

// Findings lists the findings the actor may read, the earliest due first.
func (a *App) Findings(ctx context.Context, actor domain.Actor, f store.FindingFilter, page store.Page) ([]domain.Finding, string, error) {
	if err := a.permit(ctx, actor, "finding", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Findings(ctx, actor, f, page)
}

// Finding returns one finding with its history.
func (a *App) Finding(ctx context.Context, actor domain.Actor, id string) (domain.Finding, error) {
	return a.finding(ctx, actor, id, "read")
}

// FindingActions lists what this actor may do to the finding now.
func (a *App) FindingActions(actor domain.Actor, f domain.Finding) []string {
	var out []string
	for _, action := range domain.FindingActions(f.Status) {
		if a.may(actor, f.ProviderID, "finding", findingPolicy[action]) {
			out = append(out, action)
		}
	}
	return out
}

// RespondToFinding records the provider's plan, note or move.
func (a *App) RespondToFinding(ctx context.Context, actor domain.Actor, id string, r store.FindingResponse) (domain.Finding, error) {
	if _, err := a.finding(ctx, actor, id, "respond"); err != nil {
		return domain.Finding{}, err
	}
	return a.db.RespondToFinding(ctx, actor, id, r)
}

// VerifyFinding confirms a resolved finding is remediated.
func (a *App) VerifyFinding(ctx context.Context, actor domain.Actor, id, note string) (domain.Finding, error) {
	if _, err := a.finding(ctx, actor, id, "verify"); err != nil {
		return domain.Finding{}, err
	}
	return a.db.VerifyFinding(ctx, actor, id, note)
}

// ReopenFinding sends a resolved or verified finding back to open.
func (a *App) ReopenFinding(ctx context.Context, actor domain.Actor, id, reason string) (domain.Finding, error) {
	if _, err := a.finding(ctx, actor, id, "verify"); err != nil {
		return domain.Finding{}, err
	}
	return a.db.ReopenFinding(ctx, actor, id, reason)
}
