package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// baselineItems are the outcomes of every item of the app baseline, all
// passing but those named.
func baselineItems(t *testing.T, failed ...string) string {
	t.Helper()
	fw, err := frameworks.Builtin("dfs-app-baseline", "")
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]string
	for _, c := range fw.Controls {
		it := map[string]string{"control_id": c.ID, "outcome": "pass"}
		if slices.Contains(failed, c.ID) {
			it["outcome"], it["masvs_ref"] = "fail", "MASVS-RESILIENCE-1"
		}
		items = append(items, it)
	}
	b, _ := json.Marshal(items)
	return string(b)
}

// TestAppsLabResultsAndVerdicts: a provider registers its app and a release;
// a supervisor records the lab's result with its report and decides on it.
// Every rule is kept: one registration per app and version, every baseline
// item has an outcome, no verdict without a lab result of that very release,
// no outright approval of a release that failed an item. Another provider
// sees none of it.
func TestAppsLabResultsAndVerdicts(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	own, other := s.provider("Wallet Bank"), s.provider("Other Bank")
	prov := s.as(s.tokenFor(s.user(domain.RoleProviderAdmin, own)))
	stranger := s.as(s.tokenFor(s.user(domain.RoleProviderAdmin, other)))
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))

	var app map[string]any
	prov.json(http.MethodPost, "/api/v1/apps", map[string]any{"provider_id": own, "name": "Wallet", "platform": "android",
		"package_id": "com.walletbank.app"}, http.StatusCreated, &app)
	appID := app["id"].(string)
	wantProblem(t, prov.do(http.MethodPost, "/api/v1/apps", map[string]any{"provider_id": own, "name": "Wallet again",
		"platform": "android", "package_id": "com.walletbank.app"}), http.StatusConflict)
	p := wantProblem(t, prov.do(http.MethodPost, "/api/v1/apps", map[string]any{"provider_id": own, "name": " ",
		"platform": "android", "package_id": "has space"}), http.StatusUnprocessableEntity)
	if len(p.Errors) != 2 {
		t.Errorf("problems = %+v, want the name and the package id", p.Errors)
	}
	wantProblem(t, stranger.do(http.MethodGet, "/api/v1/apps/"+appID, nil), http.StatusNotFound)

	hash := sha256hex([]byte("wallet 1.0 build"))
	wantProblem(t, prov.do(http.MethodPost, "/api/v1/apps/"+appID+"/releases", map[string]any{"version": "1.0",
		"build_hash": "abc"}), http.StatusUnprocessableEntity)
	var rel map[string]any
	prov.json(http.MethodPost, "/api/v1/apps/"+appID+"/releases", map[string]any{"version": "1.0", "build_hash": strings.ToUpper(hash)},
		http.StatusCreated, &rel)
	relID := rel["id"].(string)
	if rel["build_hash"] != hash {
		t.Errorf("build hash = %v, want it in lower case", rel["build_hash"])
	}
	wantProblem(t, prov.do(http.MethodPost, "/api/v1/apps/"+appID+"/releases", map[string]any{"version": "1.0",
		"build_hash": hash}), http.StatusConflict)

	// No verdict before the release is tested.
	p = wantProblem(t, sup.do(http.MethodPost, "/api/v1/app-releases/"+relID+"/verdicts", map[string]any{"verdict": "approved"}),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.lab_result_id" {
		t.Errorf("problems = %+v, want the missing lab result", p.Errors)
	}

	report := []byte("%PDF-1.4\nthe lab's findings\n%%EOF\n")
	form := func(items string) formBody {
		return formBody{fields: map[string]string{"lab": "National DFS Lab", "tested_on": domain.Today().String(), "items": items},
			files: map[string]upload{"report": {name: "lab-report.pdf", content: report}}}
	}
	// A provider does not record lab results; a result missing an item is refused whole.
	wantProblem(t, prov.do(http.MethodPost, "/api/v1/app-releases/"+relID+"/lab-results", form(baselineItems(t))), http.StatusForbidden)
	var partial []map[string]string
	json.Unmarshal([]byte(baselineItems(t)), &partial)
	short, _ := json.Marshal(partial[1:])
	p = wantProblem(t, sup.do(http.MethodPost, "/api/v1/app-releases/"+relID+"/lab-results", form(string(short))), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.items.APP-INT-1" {
		t.Errorf("problems = %+v, want the missing APP-INT-1", p.Errors)
	}
	var res struct {
		ID           string `json:"id"`
		Failed       int    `json:"failed"`
		Passed       int    `json:"passed"`
		ReportSHA256 string `json:"report_sha256"`
		Items        []struct {
			ControlID string `json:"control_id"`
			Outcome   string `json:"outcome"`
			MASVSRef  string `json:"masvs_ref"`
		} `json:"items"`
	}
	sup.json(http.MethodPost, "/api/v1/app-releases/"+relID+"/lab-results", form(baselineItems(t, "APP-INT-1")), http.StatusCreated, &res)
	if res.Failed != 1 || res.Passed != 23 || len(res.Items) != 24 || res.Items[0].ControlID != "APP-INT-1" ||
		res.Items[0].Outcome != "fail" || res.Items[0].MASVSRef != "MASVS-RESILIENCE-1" || res.ReportSHA256 != sha256hex(report) {
		t.Errorf("lab result = %+v", res)
	}
	got := prov.get("/api/v1/lab-results/" + res.ID + "/report")
	if got.status != http.StatusOK || string(got.body) != string(report) || got.header.Get("ETag") != `"`+sha256hex(report)+`"` {
		t.Errorf("report = %d %q %v", got.status, got.body, got.header)
	}
	wantProblem(t, stranger.do(http.MethodGet, "/api/v1/lab-results/"+res.ID, nil), http.StatusNotFound)
	wantProblem(t, stranger.do(http.MethodGet, "/api/v1/lab-results/"+res.ID+"/report", nil), http.StatusNotFound)

	// A failed item rules out an outright approval; conditions are stated.
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/app-releases/"+relID+"/verdicts", map[string]any{"verdict": "approved"}),
		http.StatusUnprocessableEntity)
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/app-releases/"+relID+"/verdicts", map[string]any{"verdict": "conditions"}),
		http.StatusUnprocessableEntity)
	wantProblem(t, prov.do(http.MethodPost, "/api/v1/app-releases/"+relID+"/verdicts", map[string]any{"verdict": "refused"}),
		http.StatusForbidden)
	sup.json(http.MethodPost, "/api/v1/app-releases/"+relID+"/verdicts", map[string]any{"verdict": "conditions",
		"conditions": "Add root detection within 60 days."}, http.StatusCreated, nil)
	var detail struct {
		Verdict *struct {
			Verdict     string `json:"verdict"`
			LabResultID string `json:"lab_result_id"`
		} `json:"verdict"`
		Results []struct{ ID string } `json:"lab_results"`
	}
	prov.getJSON("/api/v1/app-releases/"+relID, &detail)
	if detail.Verdict == nil || detail.Verdict.Verdict != "conditions" || detail.Verdict.LabResultID != res.ID || len(detail.Results) != 1 {
		t.Errorf("release = %+v", detail)
	}
	var list struct {
		Items []struct {
			ID     string `json:"id"`
			Latest *struct {
				Version string `json:"version"`
				Verdict *struct {
					Verdict string `json:"verdict"`
				} `json:"verdict"`
			} `json:"latest_release"`
		} `json:"items"`
	}
	prov.getJSON("/api/v1/apps", &list)
	if len(list.Items) != 1 || list.Items[0].Latest == nil || list.Items[0].Latest.Version != "1.0" ||
		list.Items[0].Latest.Verdict == nil || list.Items[0].Latest.Verdict.Verdict != "conditions" {
		t.Errorf("apps = %+v", list)
	}
	stranger.getJSON("/api/v1/apps", &list)
	if len(list.Items) != 0 {
		t.Errorf("another provider lists %+v", list.Items)
	}
	// A new build is a new release, untested until the lab reports on it.
	var rel2 map[string]any
	prov.json(http.MethodPost, "/api/v1/apps/"+appID+"/releases", map[string]any{"version": "1.1", "build_hash": sha256hex([]byte("1.1"))},
		http.StatusCreated, &rel2)
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/app-releases/"+rel2["id"].(string)+"/verdicts", map[string]any{"verdict": "refused",
		"lab_result_id": res.ID}), http.StatusUnprocessableEntity)
}

// TestLabResultContradictsAttestedControl: when the lab's latest test of a
// provider's app fails a baseline item, an X.1150 control the built-in
// mapping relates it to and the provider attests as implemented is listed as
// contradicted, for the assessment and in the risk register; a control
// answered otherwise is not, and a later passing test of the app clears it.
func TestLabResultContradictsAttestedControl(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	own := s.provider("Wallet Bank")
	conn, err := pgx.Connect(ctx0, s.dbURL)
	s.must(err)
	_, err = conn.Exec(ctx0, `update providers set channels = '{app}' where id = $1`, own) // the app's controls apply
	conn.Close(ctx0)
	s.must(err)
	admin := actorOf(s.user(domain.RoleProviderAdmin, own))
	supActor := s.supervisorActor()
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	_, assessments := s.openCampaign(supActor, own)
	a := assessments[own]
	s.answerAll(admin, a.ID)

	// The mapped controls of APP-INT-1, as the built-in mapping gives them.
	links, err := s.db.ControlLinks(ctx0, store.FrameworkRef{ID: "dfs-app-baseline", Version: "1.0"}, "APP-INT-1")
	s.must(err)
	var mapped []string
	for _, l := range links {
		if l.Mapping.ID == "dfs-app-baseline-x1150" && l.Source == "APP-INT-1" && l.Relationship != domain.RelNotRelated {
			mapped = append(mapped, l.Target)
		}
	}
	if !slices.Contains(mapped, "C106") || len(mapped) < 2 {
		t.Fatalf("APP-INT-1 maps to %v; the test needs root detection C106 and one more control among them", mapped)
	}
	// C106 stays attested; the other mapped control is answered as not implemented.
	notAttested := mapped[0]
	if notAttested == "C106" {
		notAttested = mapped[1]
	}
	list, _, err := s.db.Responses(ctx0, admin, a.ID, store.ResponseFilter{}, store.Page{Limit: 500})
	s.must(err)
	answered := false
	for _, r := range list {
		if r.ControlID == notAttested {
			_, err = s.db.SaveResponses(ctx0, admin, a.ID, []store.ResponseUpdate{{ControlID: notAttested, Version: r.Version,
				Input: domain.ResponseInput{Status: domain.NotImplemented, Narrative: "Planned.", RemediationDate: future(30)}}},
				"body.responses")
			s.must(err)
			answered = true
		}
	}
	if !answered {
		t.Fatalf("%s is not part of the assessment", notAttested)
	}

	contradictions := func() map[string][]string {
		var list []struct {
			ControlID string `json:"control_id"`
			ItemID    string `json:"item_id"`
			Version   string `json:"version"`
		}
		sup.getJSON("/api/v1/assessments/"+a.ID+"/lab-contradictions", &list)
		out := map[string][]string{}
		for _, c := range list {
			out[c.ControlID] = append(out[c.ControlID], c.ItemID+"@"+c.Version)
		}
		return out
	}
	if got := contradictions(); len(got) != 0 {
		t.Fatalf("contradictions before any lab result = %v", got)
	}
	_, rel := s.registerApp(supActor, own, "Wallet", "1.0")
	s.labResult(supActor, rel.ID, "APP-INT-1")
	got := contradictions()
	if !slices.Equal(got["C106"], []string{"APP-INT-1@1.0"}) {
		t.Errorf("C106 contradictions = %v, want APP-INT-1 of release 1.0", got)
	}
	if got[notAttested] != nil {
		t.Errorf("%s is not attested, yet contradicted: %v", notAttested, got[notAttested])
	}
	for c := range got {
		if !slices.Contains(mapped, c) {
			t.Errorf("%s is not mapped from a failed item, yet contradicted", c)
		}
	}
	var risk struct {
		Contradictions []struct {
			ControlID string `json:"control_id"`
		} `json:"lab_contradictions"`
	}
	sup.getJSON("/api/v1/providers/"+own+"/risk", &risk)
	if !slices.ContainsFunc(risk.Contradictions, func(c struct {
		ControlID string `json:"control_id"`
	}) bool {
		return c.ControlID == "C106"
	}) {
		t.Errorf("risk register contradictions = %+v, want C106", risk.Contradictions)
	}
	// The next release passes: the lab's latest word on the app contradicts nothing.
	rel2, err := s.db.AddRelease(ctx0, supActor, rel.AppID, "1.1", sha256hex([]byte("1.1")))
	s.must(err)
	s.labResult(supActor, rel2.ID)
	if got := contradictions(); len(got) != 0 {
		t.Errorf("contradictions after a passing test = %v", got)
	}
}
