package app

import (
	"context"
	"io"

	"assure/domain"
	"assure/store"
)

// The app register: providers (and supervisors) register apps and their
// releases; supervisors record what a testing lab found in a release and
// decide whether it may go live; every role reads what it may of it.

// RegisterApp adds an app to a provider's register.
func (a *App) RegisterApp(ctx context.Context, actor domain.Actor, na store.NewApp) (domain.ProviderApp, error) {
	if err := a.permit(ctx, actor, "app", "manage"); err != nil {
		return domain.ProviderApp{}, err
	}
	if err := a.permitOn(ctx, actor, na.ProviderID, "app", "manage", "provider"); err != nil {
		return domain.ProviderApp{}, err
	}
	return a.db.RegisterApp(ctx, actor, na)
}

// Apps lists the apps the actor may read, by name.
func (a *App) Apps(ctx context.Context, actor domain.Actor, f store.AppFilter, page store.Page) ([]domain.ProviderApp, string, error) {
	if err := a.permit(ctx, actor, "app", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Apps(ctx, actor, f, page)
}

// ProviderApp returns one app with its newest releases.
func (a *App) ProviderApp(ctx context.Context, actor domain.Actor, id string) (store.AppDetail, error) {
	if err := a.permit(ctx, actor, "app", "read"); err != nil {
		return store.AppDetail{}, err
	}
	d, err := a.db.App(ctx, actor, id)
	if err != nil {
		return d, err
	}
	return d, a.permitOn(ctx, actor, d.ProviderID, "app", "read", "app")
}

// AddRelease registers a new build of an app.
func (a *App) AddRelease(ctx context.Context, actor domain.Actor, appID, version, buildHash string) (domain.AppRelease, error) {
	d, err := a.ProviderApp(ctx, actor, appID)
	if err != nil {
		return domain.AppRelease{}, err
	}
	if err := a.permitOn(ctx, actor, d.ProviderID, "app", "manage", "app"); err != nil {
		return domain.AppRelease{}, err
	}
	return a.db.AddRelease(ctx, actor, appID, version, buildHash)
}

// Release returns one release with its lab results and verdicts.
func (a *App) Release(ctx context.Context, actor domain.Actor, id string) (store.ReleaseDetail, error) {
	return a.release(ctx, actor, id, "read")
}

func (a *App) release(ctx context.Context, actor domain.Actor, id, act string) (store.ReleaseDetail, error) {
	if err := a.permit(ctx, actor, "app", act); err != nil {
		return store.ReleaseDetail{}, err
	}
	d, err := a.db.Release(ctx, actor, id)
	if err != nil {
		return d, err
	}
	return d, a.permitOn(ctx, actor, d.App.ProviderID, "app", act, "release")
}

// LabSubmission is a lab result as a face received it.
type LabSubmission struct {
	Framework store.FrameworkRef
	Lab       string
	TestedOn  domain.Date
	Items     []domain.LabItem
	Report    Upload
}

// RecordLabResult records what a lab found in a release, with its report,
// all or nothing. The report is checked like evidence.
func (a *App) RecordLabResult(ctx context.Context, actor domain.Actor, releaseID string, s LabSubmission) (domain.LabResult, error) {
	if _, err := a.release(ctx, actor, releaseID, "test"); err != nil {
		return domain.LabResult{}, err
	}
	if s.Framework.ID == "" {
		s.Framework.ID = AppBaseline
	}
	files, err := a.prepareUploads([]Upload{s.Report})
	if err != nil {
		return domain.LabResult{}, err
	}
	return a.db.RecordLabResult(ctx, actor, store.NewLabResult{ReleaseID: releaseID, Framework: s.Framework, Lab: s.Lab,
		TestedOn: s.TestedOn, Items: s.Items, Report: files[0]})
}

// AppBaseline is the framework lab results are recorded against unless
// another is named: the DFS mobile-app minimum security baseline.
const AppBaseline = "dfs-app-baseline"

// LabResult returns one lab result with its items.
func (a *App) LabResult(ctx context.Context, actor domain.Actor, id string) (domain.LabResult, error) {
	if err := a.permit(ctx, actor, "app", "read"); err != nil {
		return domain.LabResult{}, err
	}
	r, err := a.db.LabResult(ctx, actor, id)
	if err != nil {
		return r, err
	}
	return r, a.permitOn(ctx, actor, r.ProviderID, "app", "read", "lab result")
}

// LabReport returns a lab result's report and a function that streams it.
func (a *App) LabReport(ctx context.Context, actor domain.Actor, id string) (domain.LabReport, func(w io.Writer) error, error) {
	r, err := a.LabResult(ctx, actor, id)
	if err != nil {
		return domain.LabReport{}, nil, err
	}
	return r.Report, func(w io.Writer) error { return a.db.WriteEvidence(ctx, r.ProviderID, r.Report.SHA256, w) }, nil
}

// DecideRelease records the supervisor's verdict on a release, on one of
// its lab results (its latest when resultID is empty).
func (a *App) DecideRelease(ctx context.Context, actor domain.Actor, releaseID, resultID string, v domain.ReleaseVerdictKind, conditions string) (domain.ReleaseVerdict, error) {
	if _, err := a.release(ctx, actor, releaseID, "decide"); err != nil {
		return domain.ReleaseVerdict{}, err
	}
	return a.db.DecideRelease(ctx, actor, releaseID, resultID, v, conditions)
}

// labContradictions lists what the lab contradicts of an assessment's
// answers, when the actor may read the provider's apps; nothing otherwise.
func (a *App) labContradictions(ctx context.Context, actor domain.Actor, as domain.Assessment) ([]domain.LabContradiction, error) {
	if !a.may(actor, as.ProviderID, "app", "read") {
		return nil, nil
	}
	return a.db.LabContradictions(ctx, actor, as.ID)
}

// byControl groups contradictions by the control they contradict.
func byControl(list []domain.LabContradiction) map[string][]domain.LabContradiction {
	out := map[string][]domain.LabContradiction{}
	for _, c := range list {
		out[c.ControlID] = append(out[c.ControlID], c)
	}
	return out
}

// LabContradictions lists the controls of an assessment that its provider
// attests as implemented while the lab's latest test of one of its apps
// failed a baseline item mapped to them.
func (a *App) LabContradictions(ctx context.Context, actor domain.Actor, assessmentID string) ([]domain.LabContradiction, error) {
	as, err := a.assessment(ctx, actor, assessmentID, "assessment", "read")
	if err != nil {
		return nil, err
	}
	if err := a.permitOn(ctx, actor, as.ProviderID, "app", "read", "assessment"); err != nil {
		return nil, err
	}
	return a.db.LabContradictions(ctx, actor, as.ID)
}
