package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// RiskProfiles returns an assessment's inherent-risk profile as the
// provider stated it and as a supervisor confirmed it (nil when absent).
func (a *App) RiskProfiles(ctx context.Context, actor domain.Actor, assessmentID string) (stated, confirmed *store.RiskProfileEntry, err error) {
	if err := a.permit(ctx, actor, "risk", "read"); err != nil {
		return nil, nil, err
	}
	as, err := a.db.Assessment(ctx, actor, assessmentID)
	if err != nil {
		return nil, nil, err
	}
	if err := a.permitOn(ctx, actor, as.ProviderID, "risk", "read", "assessment"); err != nil {
		return nil, nil, err
	}
	return a.db.RiskProfiles(ctx, actor, assessmentID)
}

// SetRiskProfile writes one side of an assessment's profile: the provider's
// statement (source store.ProfileStated) or a supervisor's confirmation or
// correction (store.ProfileConfirmed). version is the side's version as last
// read, 0 when it has none.
func (a *App) SetRiskProfile(ctx context.Context, actor domain.Actor, assessmentID, source string, p domain.RiskProfile,
	note string, version int) (store.RiskProfileEntry, error) {
	act := "state_profile"
	if source == store.ProfileConfirmed {
		act = "confirm_profile"
	}
	if err := a.permit(ctx, actor, "risk", act); err != nil {
		return store.RiskProfileEntry{}, err
	}
	as, err := a.db.Assessment(ctx, actor, assessmentID)
	if err != nil {
		return store.RiskProfileEntry{}, err
	}
	if err := a.permitOn(ctx, actor, as.ProviderID, "risk", act, "assessment"); err != nil {
		return store.RiskProfileEntry{}, err
	}
	return a.db.SetRiskProfile(ctx, actor, assessmentID, source, p, note, version)
}

// MayStateProfile and MayConfirmProfile say whether the faces should offer
// the profile's forms for a provider.
func (a *App) MayStateProfile(actor domain.Actor, providerID string) bool {
	return a.may(actor, providerID, "risk", "state_profile")
}

// MayConfirmProfile: see MayStateProfile.
func (a *App) MayConfirmProfile(actor domain.Actor, providerID string) bool {
	return a.may(actor, providerID, "risk", "confirm_profile")
}

// Calibration returns the risk calibration in force for a framework
// version (the default when none is published), with the framework.
func (a *App) Calibration(ctx context.Context, actor domain.Actor, ref store.FrameworkRef) (*domain.Calibration, *domain.Framework, error) {
	f, err := a.FrameworkOf(ctx, actor, ref)
	if err != nil {
		return nil, nil, err
	}
	c, err := a.db.Calibration(ctx, ref)
	return c, f, err
}
