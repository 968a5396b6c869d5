package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// The catalog is read by every role; its reads check the policy like any other.

// Frameworks lists published framework versions.
func (a *App) Frameworks(ctx context.Context, actor domain.Actor, page store.Page) ([]store.FrameworkVersion, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Frameworks(ctx, page)
}

// Framework returns one published framework version.
func (a *App) Framework(ctx context.Context, actor domain.Actor, ref store.FrameworkRef) (store.FrameworkVersion, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return store.FrameworkVersion{}, err
	}
	return a.db.Framework(ctx, ref)
}

// FrameworkOf returns a whole published framework version.
func (a *App) FrameworkOf(ctx context.Context, actor domain.Actor, ref store.FrameworkRef) (*domain.Framework, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, err
	}
	return a.db.FrameworkOf(ctx, ref)
}

// Dimensions lists a framework's security dimensions.
func (a *App) Dimensions(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, page store.Page) ([]domain.Dimension, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Dimensions(ctx, ref, page)
}

// Stages lists a framework's value-chain stages.
func (a *App) Stages(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, page store.Page) ([]domain.Stage, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Stages(ctx, ref, page)
}

// Threats lists a framework's threats.
func (a *App) Threats(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, page store.Page) ([]domain.Threat, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Threats(ctx, ref, page)
}

// Threat returns one threat with the controls that mitigate it.
func (a *App) Threat(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, id string) (store.ThreatDetail, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return store.ThreatDetail{}, err
	}
	return a.db.Threat(ctx, ref, id)
}

// Controls lists a framework's controls matching filter.
func (a *App) Controls(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, f store.ControlFilter, page store.Page) ([]store.ControlDetail, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Controls(ctx, ref, f, page)
}

// Control returns one control.
func (a *App) Control(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, id string) (store.ControlDetail, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return store.ControlDetail{}, err
	}
	return a.db.Control(ctx, ref, id)
}

// PublishFramework publishes a framework version; a published one never changes.
func (a *App) PublishFramework(ctx context.Context, actor domain.Actor, f *domain.Framework) (store.PublishOutcome, error) {
	if err := a.permit(ctx, actor, "catalog", "publish"); err != nil {
		return "", err
	}
	return a.db.PublishFramework(ctx, actor, f)
}
