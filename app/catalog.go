package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"assure/domain"
	"assure/frameworks"
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

// FrameworkChanges is the changelog of a framework version against an
// earlier one.
type FrameworkChanges struct {
	From, To string // the versions compared
	Changes  []domain.CatalogChange
}

// Changes compares a framework version with an earlier one: from, or the
// version published before it when from is empty (then none for the first).
func (a *App) Changes(ctx context.Context, actor domain.Actor, ref store.FrameworkRef, from string) (FrameworkChanges, error) {
	to, err := a.FrameworkOf(ctx, actor, ref)
	if err != nil {
		return FrameworkChanges{}, err
	}
	out := FrameworkChanges{From: from, To: to.Version}
	if out.From == "" {
		if out.From, err = a.db.PreviousVersion(ctx, store.FrameworkRef{ID: to.ID, Version: to.Version}); err != nil || out.From == "" {
			return out, err
		}
	}
	old, err := a.FrameworkOf(ctx, actor, store.FrameworkRef{ID: to.ID, Version: out.From})
	if err != nil {
		return out, err
	}
	out.Changes = domain.CatalogChanges(old, to)
	return out, nil
}

// FrameworkOSCAL returns a published framework version as an OSCAL catalog
// in JSON, with the file name to give it.
func (a *App) FrameworkOSCAL(ctx context.Context, actor domain.Actor, ref store.FrameworkRef) ([]byte, string, error) {
	f, err := a.FrameworkOf(ctx, actor, ref)
	if err != nil {
		return nil, "", err
	}
	b, err := frameworks.OSCALCatalog(f)
	if err != nil {
		return nil, "", err
	}
	return b, FrameworkDownloadName(f, ".oscal.json"), nil
}

// FrameworkDownloadName is the file name of a framework version's download:
// its id and version, safe in any file system, with ext.
func FrameworkDownloadName(f *domain.Framework, ext string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			return c
		}
		return '_'
	}, f.ID+"-"+f.Version) + ext
}

// PublishFramework publishes a framework version; a published one never changes.
func (a *App) PublishFramework(ctx context.Context, actor domain.Actor, f *domain.Framework) (store.PublishOutcome, error) {
	if err := a.permit(ctx, actor, "catalog", "publish"); err != nil {
		return "", err
	}
	outcome, err := a.db.PublishFramework(ctx, actor, f)
	if err == nil && outcome == store.Published {
		// A built-in mapping may have waited for this framework.
		_, err = a.PublishEmbeddedMappings(ctx, actor)
	}
	return outcome, err
}

// MaxFrameworkBytes bounds a framework file sent to be checked or published;
// the X.1150 catalog is about a tenth of it.
const MaxFrameworkBytes = 2 << 20

// FrameworkFilename is the name of an uploaded framework file as Assure
// shows it and locates problems in it: cleaned by domain.CleanFilename.
func FrameworkFilename(name string) string {
	return domain.CleanFilename(name, "framework")
}

// CheckFramework reads a framework file sent by someone who may publish, in
// any format frameworks.Read knows (Assure's YAML, OWASP MASVS), with the
// strict rules the command line uses; version names a file that states
// none (MASVS). It returns the framework
// when the file is valid; otherwise an EInvalid error whose problems are
// located as "file:line:column path" (see FrameworkProblems), the file being
// named by FrameworkFilename, or ETooLarge.
func (a *App) CheckFramework(ctx context.Context, actor domain.Actor, filename string, content []byte, version string) (*domain.Framework, error) {
	if err := a.permit(ctx, actor, "catalog", "publish"); err != nil {
		return nil, err
	}
	if len(content) > MaxFrameworkBytes {
		return nil, domain.Errorf(domain.ETooLarge, "a framework file may be at most %d MB", MaxFrameworkBytes>>20)
	}
	filename = FrameworkFilename(filename)
	if len(content) == 0 {
		return nil, domain.Invalid("the file is empty",
			[]domain.Problem{{Location: filename, Message: "the file holds no framework"}})
	}
	return frameworks.Read(filename, content, strings.TrimSpace(version))
}

// FrameworkProblem is one problem of a framework file, where it is.
type FrameworkProblem struct {
	Line, Column int    // 0 when the parser could not tell
	Path         string // the place in the framework, such as controls[4].threat; may be ""
	Message      string
}

// FrameworkProblems lists the problems of an error from CheckFramework with
// their line and column, in the order of the file; nil for other errors.
func FrameworkProblems(err error) []FrameworkProblem {
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		return nil
	}
	out := make([]FrameworkProblem, 0, len(e.Problems))
	for _, p := range e.Problems {
		fp := FrameworkProblem{Message: p.Message}
		place, rest, _ := strings.Cut(p.Location, " ")
		fp.Path = rest
		parts := strings.Split(place, ":")
		if len(parts) > 1 {
			fp.Line, _ = strconv.Atoi(parts[1])
		}
		if len(parts) > 2 {
			fp.Column, _ = strconv.Atoi(parts[2])
		}
		out = append(out, fp)
	}
	slices.SortStableFunc(out, func(x, y FrameworkProblem) int {
		if x.Line != y.Line {
			return x.Line - y.Line
		}
		return x.Column - y.Column
	})
	return out
}
