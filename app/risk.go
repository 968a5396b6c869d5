package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// riskOf checks that the actor may read the risk of a provider it can see.
func (a *App) riskOf(ctx context.Context, actor domain.Actor, providerID string) error {
	if err := a.permit(ctx, actor, "risk", "read"); err != nil {
		return err
	}
	if _, err := a.db.Provider(ctx, actor, providerID); err != nil {
		return err
	}
	return a.permitOn(ctx, actor, providerID, "risk", "read", "provider")
}

// ProviderRisk returns a provider's risk register for a campaign (its latest
// when campaignID is empty) on basis current or filed.
func (a *App) ProviderRisk(ctx context.Context, actor domain.Actor, providerID, campaignID, basis string) (store.RiskRegister, error) {
	if err := a.riskOf(ctx, actor, providerID); err != nil {
		return store.RiskRegister{}, err
	}
	reg, err := a.db.ProviderRisk(ctx, actor, providerID, campaignID, basis)
	if err != nil {
		return reg, err
	}
	reg.Contradictions, err = a.labContradictions(ctx, actor, reg.Assessment)
	return reg, err
}

// Overrides lists a provider's overrides of inherent risk.
func (a *App) Overrides(ctx context.Context, actor domain.Actor, providerID string) ([]store.OverrideEntry, error) {
	if err := a.riskOf(ctx, actor, providerID); err != nil {
		return nil, err
	}
	return a.db.Overrides(ctx, actor, providerID)
}

// SetOverride sets (or, with both values nil, removes) a supervisor's
// override of a threat's inherent likelihood and impact for a provider.
func (a *App) SetOverride(ctx context.Context, actor domain.Actor, providerID string, ref store.FrameworkRef, threatID string,
	likelihood, impact *int, reason string) error {
	if err := a.permit(ctx, actor, "risk", "override"); err != nil {
		return err
	}
	if _, err := a.db.Provider(ctx, actor, providerID); err != nil {
		return err
	}
	if err := a.permitOn(ctx, actor, providerID, "risk", "override", "provider"); err != nil {
		return err
	}
	return a.db.SetOverride(ctx, actor, providerID, ref, threatID, likelihood, impact, reason)
}

// Trend returns a provider's compliance and residual risk across campaigns,
// as stored, or with current set, every point under the current method.
func (a *App) Trend(ctx context.Context, actor domain.Actor, providerID string, current bool) ([]store.TrendPoint, error) {
	if err := a.riskOf(ctx, actor, providerID); err != nil {
		return nil, err
	}
	points, err := a.db.Trend(ctx, actor, providerID)
	if err != nil || !current {
		return points, err
	}
	return points, a.db.RecomputeTrend(ctx, points)
}

// Priorities ranks a campaign's providers for supervisory attention.
func (a *App) Priorities(ctx context.Context, actor domain.Actor, campaignID string, page store.Page) ([]store.Priority, string, error) {
	if err := a.permit(ctx, actor, "risk", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Priorities(ctx, actor, campaignID, page)
}

// SectorRiskMatrix counts a campaign's provider–threat pairs per likelihood
// and impact, residual or inherent.
func (a *App) SectorRiskMatrix(ctx context.Context, actor domain.Actor, campaignID string, f store.SectorFilter, inherent bool) (store.RiskMatrix, error) {
	if err := a.permit(ctx, actor, "risk", "read"); err != nil {
		return store.RiskMatrix{}, err
	}
	return a.db.SectorRiskMatrix(ctx, actor, campaignID, f, inherent)
}

// SectorHeatmap pages a campaign's providers with their compliance by
// dimension and worst level by stage.
func (a *App) SectorHeatmap(ctx context.Context, actor domain.Actor, campaignID string, f store.SectorFilter, order store.HeatmapSort,
	worstBy string, page store.Page) ([]store.HeatmapRow, string, error) {
	if err := a.permit(ctx, actor, "risk", "read"); err != nil {
		return nil, "", err
	}
	return a.db.SectorHeatmap(ctx, actor, campaignID, f, order, worstBy, page)
}
