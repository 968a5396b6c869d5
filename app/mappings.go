package app

import (
	"context"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// Mappings between frameworks are part of the catalog: every role reads
// them, those who publish frameworks publish them.

// Mappings lists the published mapping versions.
func (a *App) Mappings(ctx context.Context, actor domain.Actor, page store.Page) ([]store.MappingVersion, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Mappings(ctx, page)
}

// Mapping returns one published mapping version.
func (a *App) Mapping(ctx context.Context, actor domain.Actor, ref store.MappingRef) (store.MappingVersion, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return store.MappingVersion{}, err
	}
	return a.db.Mapping(ctx, ref)
}

// MappingLinks lists a mapping version's links, narrowed by f.
func (a *App) MappingLinks(ctx context.Context, actor domain.Actor, ref store.MappingRef, f store.LinkFilter, page store.Page) ([]store.MappingLink, string, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, "", err
	}
	return a.db.MappingLinks(ctx, ref, f, page)
}

// ControlLinks lists what published mappings say of one control.
func (a *App) ControlLinks(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, controlID string) ([]store.MappingLink, error) {
	if err := a.permit(ctx, actor, "catalog", "read"); err != nil {
		return nil, err
	}
	return a.db.ControlLinks(ctx, ref, controlID)
}

// PublishMapping publishes a mapping version; a published one never changes.
func (a *App) PublishMapping(ctx context.Context, actor domain.Actor, m *domain.Mapping) (store.PublishOutcome, error) {
	if err := a.permit(ctx, actor, "catalog", "publish"); err != nil {
		return "", err
	}
	return a.db.PublishMapping(ctx, actor, m)
}

// Unfit is the outcome of a built-in mapping whose framework versions are
// published but lack controls it names: someone published other content
// under a version the mapping expects (an edited OWASP MASVS, say). Nothing
// is written, and the framework stays published.
const Unfit store.PublishOutcome = "unfit"

// PublishEmbeddedMappings publishes the mappings built into the binary and
// reports, by mapping, the outcome: one whose frameworks are not all
// published (OWASP MASVS is imported, not built in) is store.Waiting until a
// later call finds them, and one they do not fit is Unfit. Publishing a
// framework calls it.
func (a *App) PublishEmbeddedMappings(ctx context.Context, actor domain.Actor) (map[string]store.PublishOutcome, error) {
	list, err := frameworks.EmbeddedMappings()
	if err != nil {
		return nil, err
	}
	out := map[string]store.PublishOutcome{}
	for _, m := range list {
		outcome, err := a.db.PublishMapping(ctx, actor, m)
		switch {
		case domain.ErrorCodeOf(err) == domain.EInvalid:
			outcome = Unfit
		case err != nil:
			return out, err
		}
		out[m.ID+"@"+m.Version] = outcome
	}
	return out, nil
}
