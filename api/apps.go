package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// ProviderApp is one app of a provider's register.
type ProviderApp struct {
	ID           string       `json:"id" format:"uuid"`
	ProviderID   string       `json:"provider_id" format:"uuid"`
	ProviderName string       `json:"provider_name"`
	Name         string       `json:"name"`
	Platform     string       `json:"platform" enum:"android,ios,ussd,stk"`
	PackageID    string       `json:"package_id" doc:"Package name, bundle id, USSD code or STK applet id."`
	CreatedAt    time.Time    `json:"created_at"`
	Latest       *AppRelease  `json:"latest_release,omitempty" doc:"The newest release, with its latest lab result and standing verdict."`
	Releases     []AppRelease `json:"releases,omitempty" doc:"The newest releases first (single app only)."`
}

// AppRelease is one build of an app.
type AppRelease struct {
	ID        string          `json:"id" format:"uuid"`
	AppID     string          `json:"app_id" format:"uuid"`
	Version   string          `json:"version"`
	BuildHash string          `json:"build_hash" doc:"SHA-256 of the build, lower-case hex."`
	CreatedAt time.Time       `json:"created_at"`
	Result    *LabSummary     `json:"latest_lab_result,omitempty"`
	Verdict   *ReleaseVerdict `json:"verdict,omitempty" doc:"The verdict that stands: the latest."`
}

// LabSummary is a lab result without its items.
type LabSummary struct {
	ID               string    `json:"id" format:"uuid"`
	ReleaseID        string    `json:"release_id" format:"uuid"`
	ProviderID       string    `json:"provider_id" format:"uuid"`
	Framework        string    `json:"framework"`
	FrameworkVersion string    `json:"framework_version"`
	Lab              string    `json:"lab"`
	TestedOn         string    `json:"tested_on" format:"date"`
	ReportFilename   string    `json:"report_filename"`
	ReportMediaType  string    `json:"report_media_type"`
	ReportSize       int64     `json:"report_size"`
	ReportSHA256     string    `json:"report_sha256"`
	RecordedBy       string    `json:"recorded_by,omitempty"`
	RecordedAt       time.Time `json:"recorded_at"`
	Passed           int       `json:"passed"`
	Failed           int       `json:"failed"`
	NotApplicable    int       `json:"not_applicable"`
}

// LabResult is a lab result with its items in catalog order.
type LabResult struct {
	LabSummary
	Items []LabItem `json:"items"`
}

// LabItem is the lab's finding on one baseline item.
type LabItem struct {
	ControlID string `json:"control_id" maxLength:"100"`
	Outcome   string `json:"outcome" enum:"pass,fail,not_applicable"`
	MASVSRef  string `json:"masvs_ref,omitempty" maxLength:"40" doc:"The MASVS control the test followed, e.g. MASVS-STORAGE-1."`
	Note      string `json:"note,omitempty" maxLength:"2000"`
}

// ReleaseVerdict is a supervisor's decision on a release.
type ReleaseVerdict struct {
	ID          string    `json:"id" format:"uuid"`
	ReleaseID   string    `json:"release_id" format:"uuid"`
	LabResultID string    `json:"lab_result_id" format:"uuid"`
	Verdict     string    `json:"verdict" enum:"approved,conditions,refused"`
	Conditions  string    `json:"conditions,omitempty"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	DecidedAt   time.Time `json:"decided_at"`
}

// LabContradiction is an attested control the lab contradicts.
type LabContradiction struct {
	ControlID    string `json:"control_id" doc:"The control the provider attests as implemented."`
	AppID        string `json:"app_id" format:"uuid"`
	AppName      string `json:"app_name"`
	Platform     string `json:"platform"`
	ReleaseID    string `json:"release_id" format:"uuid"`
	Version      string `json:"version"`
	LabResultID  string `json:"lab_result_id" format:"uuid"`
	Lab          string `json:"lab"`
	TestedOn     string `json:"tested_on" format:"date"`
	ItemID       string `json:"item_id" doc:"The baseline item the lab failed."`
	ItemTitle    string `json:"item_title"`
	MASVSRef     string `json:"masvs_ref,omitempty"`
	Relationship string `json:"relationship" doc:"How the item relates to the control, read item to control."`
	Strength     int    `json:"strength"`
}

func contradictionOf(c domain.LabContradiction) LabContradiction {
	return LabContradiction{ControlID: c.ControlID, AppID: c.AppID, AppName: c.AppName, Platform: string(c.Platform),
		ReleaseID: c.ReleaseID, Version: c.Version, LabResultID: c.ResultID, Lab: c.Lab, TestedOn: c.TestedOn.String(),
		ItemID: c.ItemID, ItemTitle: c.ItemTitle, MASVSRef: c.MASVSRef, Relationship: string(c.Relationship), Strength: c.Strength}
}

type contradictionsOutput struct {
	Body []LabContradiction
}

// ReleaseDetail is a release with its app, lab results and verdicts.
type ReleaseDetail struct {
	AppRelease
	App      ProviderApp      `json:"app"`
	Results  []LabSummary     `json:"lab_results"`
	Verdicts []ReleaseVerdict `json:"verdicts"`
}

func appOf(a domain.ProviderApp) ProviderApp {
	out := ProviderApp{ID: a.ID, ProviderID: a.ProviderID, ProviderName: a.ProviderName, Name: a.Name,
		Platform: string(a.Platform), PackageID: a.PackageID, CreatedAt: a.CreatedAt.UTC()}
	if a.Latest != nil {
		r := releaseOf(*a.Latest)
		out.Latest = &r
	}
	return out
}

func releaseOf(r domain.AppRelease) AppRelease {
	out := AppRelease{ID: r.ID, AppID: r.AppID, Version: r.Version, BuildHash: r.BuildHash, CreatedAt: r.CreatedAt.UTC()}
	if r.Result != nil {
		s := labSummaryOf(*r.Result)
		out.Result = &s
	}
	if r.Verdict != nil {
		v := verdictOf(*r.Verdict)
		out.Verdict = &v
	}
	return out
}

func labSummaryOf(l domain.LabSummary) LabSummary {
	return LabSummary{ID: l.ID, ReleaseID: l.ReleaseID, ProviderID: l.ProviderID, Framework: l.FrameworkID, FrameworkVersion: l.FrameworkVersion,
		Lab: l.Lab, TestedOn: l.TestedOn.String(), ReportFilename: l.Report.Filename, ReportMediaType: l.Report.MediaType,
		ReportSize: l.Report.Size, ReportSHA256: l.Report.SHA256, RecordedBy: l.RecordedBy, RecordedAt: l.RecordedAt.UTC(),
		Passed: l.Passed, Failed: l.Failed, NotApplicable: l.NotApplicable}
}

func verdictOf(v domain.ReleaseVerdict) ReleaseVerdict {
	return ReleaseVerdict{ID: v.ID, ReleaseID: v.ReleaseID, LabResultID: v.LabResultID, Verdict: string(v.Verdict),
		Conditions: v.Conditions, DecidedBy: v.DecidedBy, DecidedAt: v.DecidedAt.UTC()}
}

func labResultOf(r domain.LabResult) LabResult {
	out := LabResult{LabSummary: labSummaryOf(r.LabSummary), Items: make([]LabItem, len(r.Items))}
	for i, it := range r.Items {
		out.Items[i] = LabItem{ControlID: it.ControlID, Outcome: string(it.Outcome), MASVSRef: it.MASVSRef, Note: it.Note}
	}
	return out
}

type appOutput struct {
	Body ProviderApp
}

type releaseOutput struct {
	Body AppRelease
}

type releaseDetailOutput struct {
	Body ReleaseDetail
}

type labResultOutput struct {
	Body LabResult
}

type verdictOutput struct {
	Body ReleaseVerdict
}

type registerAppInput struct {
	Body struct {
		ProviderID string `json:"provider_id" maxLength:"36"`
		Name       string `json:"name" maxLength:"200"`
		Platform   string `json:"platform" enum:"android,ios,ussd,stk"`
		PackageID  string `json:"package_id" maxLength:"255" doc:"Package name, bundle id, USSD code or STK applet id."`
	}
}

type listAppsInput struct {
	ListParams
	Provider string `query:"provider" maxLength:"36"`
}

type addReleaseInput struct {
	IDParam
	Body struct {
		Version   string `json:"version" maxLength:"64"`
		BuildHash string `json:"build_hash" maxLength:"64" doc:"SHA-256 of the build, hexadecimal."`
	}
}

type recordLabResultInput struct {
	IDParam
	RawBody huma.MultipartFormFiles[struct {
		Report           huma.FormFile `form:"report" contentType:"application/octet-stream" required:"true" doc:"The lab's report, kept as evidence."`
		Lab              string        `form:"lab" required:"true" doc:"The lab that ran the test."`
		TestedOn         string        `form:"tested_on" required:"true" doc:"The date of the test, YYYY-MM-DD."`
		Framework        string        `form:"framework" required:"false" doc:"The baseline tested against; dfs-app-baseline when absent."`
		FrameworkVersion string        `form:"framework_version" required:"false" doc:"Its version; the latest when absent."`
		Items            string        `form:"items" required:"true" doc:"A JSON array of {control_id, outcome (pass, fail, not_applicable), masvs_ref, note}, one per item of the baseline."`
	}]
}

type decideReleaseInput struct {
	IDParam
	Body struct {
		LabResultID string `json:"lab_result_id,omitempty" maxLength:"36" doc:"The lab result of this release the verdict rests on; the latest when absent."`
		Verdict     string `json:"verdict" enum:"approved,conditions,refused"`
		Conditions  string `json:"conditions,omitempty" maxLength:"4000" doc:"Required with conditions."`
	}
}

func (a *API) registerApps() {
	tags := []string{"Apps"}
	register(a, huma.Operation{
		OperationID: "register-app", Method: http.MethodPost, Path: "/api/v1/apps", Tags: tags,
		Summary: "Register an app", Description: "Adds a provider's customer-facing app (Android, iOS, USSD or STK) to the register.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *registerAppInput) (*appOutput, error) {
		b := in.Body
		ap, err := a.app.RegisterApp(ctx, actorFrom(ctx), store.NewApp{ProviderID: b.ProviderID, Name: b.Name,
			Platform: domain.AppPlatform(b.Platform), PackageID: b.PackageID})
		if err != nil {
			return nil, err
		}
		return &appOutput{Body: appOf(ap)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-apps", Method: http.MethodGet, Path: "/api/v1/apps", Tags: tags,
		Summary: "List apps", Description: "By name, each with its newest release. Provider users see their own provider's only.",
	}, func(ctx context.Context, in *listAppsInput) (*ListOutput[ProviderApp], error) {
		list, next, err := a.app.Apps(ctx, actorFrom(ctx), store.AppFilter{ProviderID: in.Provider}, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, appOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-app", Method: http.MethodGet, Path: "/api/v1/apps/{id}", Tags: tags,
		Summary: "Get an app", Description: "One app with its newest releases, each with its latest lab result and standing verdict.",
	}, func(ctx context.Context, in *IDParam) (*appOutput, error) {
		d, err := a.app.ProviderApp(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := appOf(d.ProviderApp)
		out.Releases = make([]AppRelease, len(d.Releases))
		for i, r := range d.Releases {
			out.Releases[i] = releaseOf(r)
		}
		return &appOutput{Body: out}, nil
	})

	register(a, huma.Operation{
		OperationID: "add-release", Method: http.MethodPost, Path: "/api/v1/apps/{id}/releases", Tags: tags,
		Summary: "Register a release", Description: "A new build of the app: its version and the SHA-256 of the build. " +
			"A version is registered once; a new build needs a new version, and a new lab test before a verdict.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *addReleaseInput) (*releaseOutput, error) {
		r, err := a.app.AddRelease(ctx, actorFrom(ctx), in.ID, in.Body.Version, in.Body.BuildHash)
		if err != nil {
			return nil, err
		}
		return &releaseOutput{Body: releaseOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-release", Method: http.MethodGet, Path: "/api/v1/app-releases/{id}", Tags: tags,
		Summary: "Get a release", Description: "One release with its app, every lab result on it (newest test first) and its verdicts (the standing one first).",
	}, func(ctx context.Context, in *IDParam) (*releaseDetailOutput, error) {
		d, err := a.app.Release(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := ReleaseDetail{AppRelease: releaseOf(d.Release), App: appOf(d.App), Results: make([]LabSummary, len(d.Results)),
			Verdicts: make([]ReleaseVerdict, len(d.Verdicts))}
		for i, r := range d.Results {
			out.Results[i] = labSummaryOf(r)
		}
		for i, v := range d.Verdicts {
			out.Verdicts[i] = verdictOf(v)
		}
		return &releaseDetailOutput{Body: out}, nil
	})

	register(a, huma.Operation{
		OperationID: "record-lab-result", Method: http.MethodPost, Path: "/api/v1/app-releases/{id}/lab-results", Tags: tags,
		Summary: "Record a lab result",
		Description: fmt.Sprintf("Multipart: what a testing lab found in this release, item by item against the app baseline, "+
			"with its report (field \"report\", at most %d MB, checked like evidence). Every item of the baseline has one "+
			"outcome. The result and its report are stored together or not at all; a result never changes.",
			a.app.MaxEvidenceBytes()>>20),
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  a.app.MaxEvidenceBytes() + 1<<20,
		Errors:        []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType},
	}, func(ctx context.Context, in *recordLabResultInput) (*labResultOutput, error) {
		form := in.RawBody.Data()
		if form.Report.File != nil {
			defer form.Report.File.Close()
		}
		var problems []domain.Problem
		on, err := domain.ParseDate(form.TestedOn)
		if err != nil {
			problems = append(problems, domain.Problem{Location: "body.tested_on", Message: err.Error()})
		}
		var items []LabItem
		if err := json.Unmarshal([]byte(form.Items), &items); err != nil {
			problems = append(problems, domain.Problem{Location: "body.items", Message: "items is not a JSON array of {control_id, outcome, masvs_ref, note}"})
		}
		if form.Report.File == nil {
			problems = append(problems, domain.Problem{Location: "body.report", Message: "send the lab's report"})
		}
		if len(problems) > 0 {
			return nil, domain.Invalid("the lab result cannot be recorded", problems)
		}
		sub := app.LabSubmission{Framework: store.FrameworkRef{ID: form.Framework, Version: form.FrameworkVersion}, Lab: form.Lab,
			TestedOn: on, Items: make([]domain.LabItem, len(items)),
			Report: app.Upload{Filename: form.Report.Filename, Size: form.Report.Size, Content: form.Report.File}}
		for i, it := range items {
			sub.Items[i] = domain.LabItem{ControlID: it.ControlID, Outcome: domain.LabOutcome(it.Outcome), MASVSRef: it.MASVSRef, Note: it.Note}
		}
		r, err := a.app.RecordLabResult(ctx, actorFrom(ctx), in.ID, sub)
		if err != nil {
			return nil, err
		}
		return &labResultOutput{Body: labResultOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-lab-result", Method: http.MethodGet, Path: "/api/v1/lab-results/{id}", Tags: tags,
		Summary: "Get a lab result", Description: "One lab result with the outcome of every baseline item, in catalog order.",
	}, func(ctx context.Context, in *IDParam) (*labResultOutput, error) {
		r, err := a.app.LabResult(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &labResultOutput{Body: labResultOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-lab-report", Method: http.MethodGet, Path: "/api/v1/lab-results/{id}/report", Tags: tags,
		Summary: "Download a lab report", Description: "Streams the lab's report as an attachment; the ETag is its SHA-256.",
		Responses: map[string]*huma.Response{"200": {Description: "The report.", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
	}, func(ctx context.Context, in *IDParam) (*huma.StreamResponse, error) {
		rep, write, err := a.app.LabReport(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return a.streamStored(ctx, rep.Filename, rep.MediaType, rep.Size, rep.SHA256, write), nil
	})

	register(a, huma.Operation{
		OperationID: "decide-release", Method: http.MethodPost, Path: "/api/v1/app-releases/{id}/verdicts", Tags: tags,
		Summary: "Decide on a release",
		Description: "The supervisor approves the release, approves it with conditions, or refuses it, on one of its own lab " +
			"results: a release without one cannot be decided, and one whose lab failed an item is not approved outright. " +
			"The latest verdict stands; earlier ones stay on record.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *decideReleaseInput) (*verdictOutput, error) {
		v, err := a.app.DecideRelease(ctx, actorFrom(ctx), in.ID, in.Body.LabResultID, domain.ReleaseVerdictKind(in.Body.Verdict), in.Body.Conditions)
		if err != nil {
			return nil, err
		}
		return &verdictOutput{Body: verdictOf(v)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-lab-contradictions", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/lab-contradictions", Tags: tags,
		Summary: "List what app-lab results contradict",
		Description: "The controls of the assessment its provider attests as implemented while the lab's latest test of one " +
			"of the provider's apps failed a baseline item that a published mapping relates to the control.",
	}, func(ctx context.Context, in *IDParam) (*contradictionsOutput, error) {
		list, err := a.app.LabContradictions(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &contradictionsOutput{Body: make([]LabContradiction, len(list))}
		for i, c := range list {
			out.Body[i] = contradictionOf(c)
		}
		return out, nil
	})
}
