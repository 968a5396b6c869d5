package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// The app register's pages: the list of apps, one app with its releases,
// one release with its lab results and verdicts (where supervisors record a
// lab result and decide), and one lab result item by item.

// appsPage is how many apps one page of the register shows.
const appsPage = 50

// appsData is the app register with the form that adds an app.
type appsData struct {
	Apps      []domain.ProviderApp
	Next      string
	Provider  bool // the visitor is a provider user: no provider column, no provider to pick
	CanAdd    bool
	Providers []domain.Provider
	Form      appForm
	Platforms []domain.AppPlatform
}

// appForm is the register form as sent.
type appForm struct {
	ProviderID, Name, Platform, PackageID string
}

func (ui *UI) apps(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showApps(w, r, v, appForm{Platform: string(domain.PlatformAndroid)}, nil, http.StatusOK)
}

func (ui *UI) showApps(w http.ResponseWriter, r *http.Request, v *visit, form appForm, problems []problem, status int) {
	ctx := r.Context()
	list, next, err := ui.app.Apps(ctx, v.actor, store.AppFilter{}, store.Page{Limit: appsPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := appsData{Apps: list, Provider: !ui.app.OffersEveryProvider(v.actor, "app", "read"),
		CanAdd: ui.app.Offers(v.actor, "app", "manage"), Form: form, Platforms: domain.AppPlatforms}
	if next != "" {
		d.Next = "/apps?" + url.Values{"cursor": {next}}.Encode()
	}
	if d.CanAdd && !d.Provider {
		choice, err := ui.providerChoices(ctx, v, "", form.ProviderID)
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		d.Providers = choice.Providers
	}
	p := ui.newPage(r, v, "Apps", d)
	p.Problems = problems
	ui.render(w, r, status, "apps.html", p)
}

// registerApp adds an app; a provider user's goes to their own provider.
func (ui *UI) registerApp(w http.ResponseWriter, r *http.Request, v *visit) {
	form := appForm{ProviderID: r.PostFormValue("provider_id"), Name: r.PostFormValue("name"),
		Platform: r.PostFormValue("platform"), PackageID: r.PostFormValue("package_id")}
	if v.actor.ProviderID != "" {
		form.ProviderID = v.actor.ProviderID
	}
	ap, err := ui.app.RegisterApp(r.Context(), v.actor, store.NewApp{ProviderID: form.ProviderID, Name: form.Name,
		Platform: domain.AppPlatform(form.Platform), PackageID: form.PackageID})
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		ui.showApps(w, r, v, form, problemsOf(err, v.printer), http.StatusUnprocessableEntity)
	case domain.EConflict:
		ui.showApps(w, r, v, form, []problem{{Field: "package_id", Message: v.T("The provider has already registered this app.")}}, http.StatusConflict)
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/apps/"+url.PathEscape(ap.ID)+"?done=registered", http.StatusSeeOther)
	}
}

// appData is one app with its releases and the form that adds one.
type appData struct {
	store.AppDetail
	CanAdd             bool
	Version, BuildHash string
}

func (ui *UI) providerApp(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showApp(w, r, v, r.PathValue("id"), appData{}, nil, http.StatusOK)
}

func (ui *UI) showApp(w http.ResponseWriter, r *http.Request, v *visit, id string, sent appData, problems []problem, status int) {
	d, err := ui.app.ProviderApp(r.Context(), v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	data := appData{AppDetail: d, CanAdd: ui.app.Offers(v.actor, "app", "manage"), Version: sent.Version, BuildHash: sent.BuildHash}
	p := ui.newPage(r, v, "App", data)
	p.Problems = problems
	p.Flash = appFlashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "app.html", p)
}

var appFlashes = map[string]string{
	"registered": "The app is registered. Add its releases as they are built.",
	"recorded":   "The lab result is recorded.",
	"decided":    "The verdict is recorded.",
}

// addRelease registers a new build of an app.
func (ui *UI) addRelease(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := appData{Version: r.PostFormValue("version"), BuildHash: r.PostFormValue("build_hash")}
	rel, err := ui.app.AddRelease(r.Context(), v.actor, id, sent.Version, sent.BuildHash)
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		ui.showApp(w, r, v, id, sent, problemsOf(err, v.printer), http.StatusUnprocessableEntity)
	case domain.EConflict:
		ui.showApp(w, r, v, id, sent, []problem{{Field: "version", Message: v.T("This version is already registered: a new build needs a new version.")}}, http.StatusConflict)
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/releases/"+url.PathEscape(rel.ID), http.StatusSeeOther)
	}
}

// releaseData is one release with its lab results, verdicts and the forms
// a supervisor uses on it.
type releaseData struct {
	store.ReleaseDetail
	CanTest, CanDecide bool
	Items              []labItemRow // the baseline's items, for the lab result form
	Lab, TestedOn      string
	Verdict            string
	Conditions         string
	ResultID           string
	VerdictKinds       []domain.ReleaseVerdictKind
	Outcomes           []domain.LabOutcome
}

// labItemRow is one item of the lab result form, as sent.
type labItemRow struct {
	ID, Title, Outcome, MASVSRef, Note string
	Problem                            string
}

func (ui *UI) release(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showRelease(w, r, v, r.PathValue("id"), nil, nil, http.StatusOK)
}

func (ui *UI) showRelease(w http.ResponseWriter, r *http.Request, v *visit, id string, sent *releaseData, problems []problem, status int) {
	ctx := r.Context()
	d, err := ui.app.Release(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	data := releaseData{ReleaseDetail: d, CanTest: ui.app.Offers(v.actor, "app", "test"),
		CanDecide: ui.app.Offers(v.actor, "app", "decide") && len(d.Results) > 0, TestedOn: domain.Today().String(),
		VerdictKinds: domain.ReleaseVerdicts, Outcomes: domain.LabOutcomes}
	if sent != nil {
		data.Lab, data.TestedOn, data.Verdict, data.Conditions, data.ResultID = sent.Lab, sent.TestedOn, sent.Verdict, sent.Conditions, sent.ResultID
	}
	if data.CanTest {
		controls, _, err := ui.app.Controls(ctx, v.actor, store.FrameworkRef{ID: app.AppBaseline}, store.ControlFilter{}, store.Page{Limit: store.MaxLimit})
		if err != nil && domain.ErrorCodeOf(err) != domain.ENotFound {
			ui.fail(w, r, v, err)
			return
		}
		byID := map[string]labItemRow{}
		if sent != nil {
			for _, it := range sent.Items {
				byID[it.ID] = it
			}
		}
		for _, c := range controls {
			row := labItemRow{ID: c.ID, Title: c.Title, Outcome: string(domain.LabPass)}
			if s, ok := byID[c.ID]; ok {
				row.Outcome, row.MASVSRef, row.Note, row.Problem = s.Outcome, s.MASVSRef, s.Note, s.Problem
			}
			data.Items = append(data.Items, row)
		}
	}
	p := ui.newPage(r, v, "Release", data)
	p.Problems = problems
	p.Flash = appFlashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "release.html", p)
}

// recordLabResult records what a lab found in a release, with its report.
func (ui *UI) recordLabResult(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	sent := &releaseData{Lab: r.PostFormValue("lab"), TestedOn: r.PostFormValue("tested_on")}
	sub := app.LabSubmission{Lab: sent.Lab}
	var problems []problem
	on, err := domain.ParseDate(sent.TestedOn)
	if err != nil {
		problems = append(problems, problem{Field: "tested_on", Message: v.T("Give the date of the test.")})
	}
	sub.TestedOn = on
	for _, cid := range r.PostForm["item"] {
		row := labItemRow{ID: cid, Outcome: r.PostFormValue("outcome-" + cid), MASVSRef: r.PostFormValue("masvs-" + cid),
			Note: r.PostFormValue("note-" + cid)}
		sent.Items = append(sent.Items, row)
		sub.Items = append(sub.Items, domain.LabItem{ControlID: cid, Outcome: domain.LabOutcome(row.Outcome), MASVSRef: row.MASVSRef, Note: row.Note})
	}
	if files := multipartFiles(r, "report"); len(files) == 1 {
		f, ferr := files[0].Open()
		if ferr != nil {
			ui.fail(w, r, v, ferr)
			return
		}
		defer f.Close()
		sub.Report = app.Upload{Filename: files[0].Filename, Size: files[0].Size, Content: f}
	} else {
		problems = append(problems, problem{Field: "report", Message: v.T("Attach the lab's report.")})
	}
	if len(problems) > 0 {
		ui.showRelease(w, r, v, id, sent, problems, http.StatusUnprocessableEntity)
		return
	}
	res, err := ui.app.RecordLabResult(r.Context(), v.actor, id, sub)
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid, domain.ETooLarge, domain.EUnsupported:
		ui.showRelease(w, r, v, id, sent, labProblems(err, sent, v.printer), http.StatusUnprocessableEntity)
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/lab-results/"+url.PathEscape(res.ID)+"?done=recorded", http.StatusSeeOther)
	}
}

// labProblems places a refused lab result's problems: those of an item
// (by its place in the form, or by its id when it has no outcome) beside the
// item, the report's beside the file field, the rest at the top under the
// refusal itself.
func labProblems(err error, sent *releaseData, p printer) []problem {
	e, ok := domain.AsError(err)
	if !ok {
		return nil
	}
	out := []problem{{Message: p.Say(e.Message)}}
	row := func(loc string) *labItemRow {
		var i int
		if n, _ := fmt.Sscanf(loc, "body.items[%d]", &i); n == 1 && i >= 0 && i < len(sent.Items) {
			return &sent.Items[i]
		}
		id, ok := strings.CutPrefix(loc, "body.items.")
		if !ok {
			return nil
		}
		for i := range sent.Items {
			if sent.Items[i].ID == id {
				return &sent.Items[i]
			}
		}
		sent.Items = append(sent.Items, labItemRow{ID: id, Outcome: string(domain.LabPass)}) // an item the form did not send
		return &sent.Items[len(sent.Items)-1]
	}
	for _, pr := range e.Problems {
		if r := row(pr.Location); r != nil {
			r.Problem = p.Say(pr.Message)
			continue
		}
		field := strings.TrimPrefix(pr.Location, "body.")
		if strings.HasPrefix(field, "file") {
			field = "report"
		}
		out = append(out, problem{Field: field, Message: p.Say(pr.Message)})
	}
	return out
}

// decideRelease records the supervisor's verdict on a release.
func (ui *UI) decideRelease(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &releaseData{Verdict: r.PostFormValue("verdict"), Conditions: r.PostFormValue("conditions"), ResultID: r.PostFormValue("lab_result_id")}
	_, err := ui.app.DecideRelease(r.Context(), v.actor, id, sent.ResultID, domain.ReleaseVerdictKind(sent.Verdict), sent.Conditions)
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		ui.showRelease(w, r, v, id, sent, problemsOf(err, v.printer), http.StatusUnprocessableEntity)
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/releases/"+url.PathEscape(id)+"?done=decided#verdicts", http.StatusSeeOther)
	}
}

// labResultData is one lab result item by item, with the baseline's titles.
type labResultData struct {
	domain.LabResult
	Titles     map[string]string
	ReleaseApp store.ReleaseDetail
}

func (ui *UI) labResult(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	res, err := ui.app.LabResult(ctx, v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	rel, err := ui.app.Release(ctx, v.actor, res.ReleaseID)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := labResultData{LabResult: res, Titles: map[string]string{}, ReleaseApp: rel}
	controls, _, err := ui.app.Controls(ctx, v.actor, store.FrameworkRef{ID: res.FrameworkID, Version: res.FrameworkVersion},
		store.ControlFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	for _, c := range controls {
		d.Titles[c.ID] = c.Title
	}
	p := ui.newPage(r, v, "Lab result", d)
	p.Flash = appFlashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "lab_result.html", p)
}

// downloadLabReport streams a lab result's report.
func (ui *UI) downloadLabReport(w http.ResponseWriter, r *http.Request, v *visit) {
	rep, write, err := ui.app.LabReport(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.sendStored(w, r, rep.Filename, rep.MediaType, rep.Size, write)
}
