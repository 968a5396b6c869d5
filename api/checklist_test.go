package api_test

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"

	"assure/api"
	"assure/domain"
	"assure/frameworks"
	"assure/standards"
)

// publishChecklist publishes the test checklist framework on s.
func publishChecklist(t testing.TB, s *server) {
	t.Helper()
	data, err := os.ReadFile("../frameworks/testdata/checklist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frameworks.Parse("checklist.yaml", data)
	s.must(err)
	_, err = s.db.PublishFramework(ctx0, domain.System("test"), f)
	s.must(err)
}

// publishTestMapping publishes the test checklist and its mapping to X.1150
// 1.0 on s.
func publishTestMapping(t testing.TB, s *server) {
	t.Helper()
	publishChecklist(t, s)
	data, err := os.ReadFile("../frameworks/testdata/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := frameworks.ParseMapping("mapping.yaml", data)
	s.must(err)
	_, err = s.db.PublishMapping(ctx0, domain.System("test"), m)
	s.must(err)
}

// TestChecklistFrameworkCampaign runs a campaign over a framework without
// threats from opening to approval, and reads what a supervisor and an
// auditor read of it: the catalog with its levels, compliance, the risk
// views (empty, not failing), the ranking and both reports.
func TestChecklistFrameworkCampaign(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	data, err := os.ReadFile("../frameworks/testdata/checklist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frameworks.Parse("checklist.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if f.HasThreats() {
		t.Fatal("the checklist has threats")
	}
	_, err = s.db.PublishFramework(ctx0, domain.System("test"), f)
	s.must(err)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	sup2 := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	auditor := s.reader()

	var fw api.Framework
	auditor.getJSON("/api/v1/frameworks/test-checklist", &fw)
	if fw.Counts.Controls != 3 || fw.Counts.Threats != 0 || len(fw.Levels) != 2 || fw.Levels[0].ID != "L1" {
		t.Fatalf("framework = %+v", fw)
	}
	controls := readAll[api.Control](auditor, "/api/v1/frameworks/test-checklist/controls")
	if len(controls) != 3 || len(controls[2].Levels) != 1 || controls[2].Levels[0] != "L2" || len(controls[0].Threats) != 0 {
		t.Fatalf("controls = %+v", controls)
	}

	var bank api.Provider
	sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "App Bank", "short_name": "AppB",
		"licence_number": "APP-1", "kind": "bank", "tier": 2, "channels": []string{"app"}}, http.StatusCreated, &bank)
	var campaign api.Campaign
	sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "App baseline 2027", "framework": "test-checklist",
		"provider_ids": []string{bank.ID}, "opens_at": future(-1), "due_at": future(30)}, http.StatusCreated, &campaign)
	campaign = sup.openCampaign(campaign.ID)
	if campaign.Status != "open" || campaign.Assessments != 1 {
		t.Fatalf("campaign = %+v", campaign)
	}
	editorUser, adminUser := s.user(domain.RoleProviderEditor, bank.ID), s.user(domain.RoleProviderAdmin, bank.ID)
	editor, admin := s.as(s.tokenFor(editorUser)), s.as(s.tokenFor(adminUser))
	var mine list[api.Assessment]
	editor.getJSON("/api/v1/assessments", &mine)
	if len(mine.Items) != 1 || mine.Items[0].Applicable != 3 {
		t.Fatalf("assessments = %+v", mine.Items)
	}
	as := mine.Items[0]
	responses := readAll[api.Response](editor, "/api/v1/assessments/"+as.ID+"/responses")
	var bulk []map[string]any
	for i, r := range responses {
		status := "implemented"
		item := map[string]any{"control_id": r.ControlID, "version": r.Version, "status": status, "narrative": "Tested by the lab."}
		if i == 2 {
			item["status"], item["remediation_date"] = "not_implemented", future(60)
		}
		bulk = append(bulk, item)
	}
	editor.json(http.MethodPut, "/api/v1/assessments/"+as.ID+"/responses", map[string]any{"responses": bulk}, http.StatusOK, nil)
	admin.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/submit", map[string]any{"attestation": attestation}, http.StatusOK, nil)
	sup.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/start-review", nil, http.StatusOK, nil)
	var verdicts []map[string]any
	for _, r := range responses {
		verdicts = append(verdicts, map[string]any{"control_id": r.ControlID, "verdict": "accepted"})
	}
	sup.json(http.MethodPut, "/api/v1/assessments/"+as.ID+"/verdicts", map[string]any{"verdicts": verdicts}, http.StatusOK, nil)
	var approved api.Assessment
	sup2.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/approve", map[string]any{}, http.StatusOK, &approved)
	if approved.Status != "approved" {
		t.Fatalf("approved = %+v", approved)
	}

	// Every view of the campaign answers: the risk views have no threat to
	// show, the ranking and reports still list the provider.
	for _, path := range []string{
		"/api/v1/assessments/" + as.ID + "/questionnaire.xlsx",
		"/api/v1/heatmaps/risk?campaign=" + campaign.ID,
		"/api/v1/heatmaps/dimensions?campaign=" + campaign.ID,
		"/api/v1/heatmaps/stages?campaign=" + campaign.ID,
		"/api/v1/heatmaps/risk.svg?campaign=" + campaign.ID,
		"/api/v1/priorities?campaign=" + campaign.ID,
		"/api/v1/providers/" + bank.ID + "/risk",
		"/api/v1/providers/" + bank.ID + "/trend",
		"/api/v1/reports/sector.xlsx?campaign=" + campaign.ID,
		"/api/v1/reports/sector.pdf?campaign=" + campaign.ID,
		"/api/v1/reports/assessments/" + as.ID + ".pdf",
		"/api/v1/reports/assessments/" + as.ID + ".xlsx",
	} {
		if r := sup.get(path); r.status != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, r.status, r.body)
		}
	}
	r := sup.get("/api/v1/reports/assessments/" + as.ID + ".pdf")
	if !bytes.HasPrefix(r.body, []byte("%PDF")) {
		t.Errorf("assessment report is not a PDF: %.40q", r.body)
	}
	var v verification
	auditor.getJSON("/api/v1/audit/verify", &v)
	if !v.OK {
		t.Errorf("audit chain = %+v", v)
	}
}

// TestCampaignAtALevel: a campaign asking one level of a framework creates
// only that level's questions; a level the framework lacks is a 422 located
// at the field.
func TestCampaignAtALevel(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	data, err := os.ReadFile("../frameworks/testdata/checklist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frameworks.Parse("checklist.yaml", data)
	s.must(err)
	_, err = s.db.PublishFramework(ctx0, domain.System("test"), f)
	s.must(err)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	var bank api.Provider
	sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Level Bank", "short_name": "LvB",
		"licence_number": "LVL-1", "kind": "bank", "tier": 2, "channels": []string{"app", "web"}}, http.StatusCreated, &bank)
	body := func(level string) map[string]any {
		return map[string]any{"name": "Baseline " + level, "framework": "test-checklist", "level": level,
			"provider_ids": []string{bank.ID}, "opens_at": future(-1), "due_at": future(30)}
	}
	p := wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns", body("L9")), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.level" {
		t.Errorf("unknown level = %+v", p)
	}
	p = wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "X", "framework": "x1150",
		"level": "L1", "provider_ids": []string{bank.ID}, "opens_at": future(-1), "due_at": future(30)}), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.level" {
		t.Errorf("level of a framework without levels = %+v", p)
	}
	for level, want := range map[string][]string{"L1": {"APP-1", "APP-2"}, "L2": {"APP-1", "APP-2", "APP-3"}} {
		var c api.Campaign
		sup.json(http.MethodPost, "/api/v1/campaigns", body(level), http.StatusCreated, &c)
		if c.Level != level {
			t.Errorf("campaign level = %q", c.Level)
		}
		c = sup.openCampaign(c.ID)
		var list list[api.Assessment]
		sup.getJSON("/api/v1/assessments?campaign="+c.ID, &list)
		if len(list.Items) != 1 {
			t.Fatalf("assessments = %+v", list.Items)
		}
		var got []string
		for _, r := range readAll[api.Response](sup, "/api/v1/assessments/"+list.Items[0].ID+"/responses") {
			got = append(got, r.ControlID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("level %s asks %v, want %v", level, got, want)
		}
	}
}

// TestFrameworkOSCALExport: the API gives every published framework as an
// OSCAL catalog that reads back as the same framework; an unknown one is 404.
func TestFrameworkOSCALExport(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	auditor := s.reader()
	var fws list[api.Framework]
	auditor.getJSON("/api/v1/frameworks?limit=100", &fws)
	if len(fws.Items) == 0 {
		t.Fatal("no framework is published")
	}
	for _, fw := range fws.Items {
		r := auditor.get("/api/v1/frameworks/" + fw.ID + "/oscal?version=" + fw.Version)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" ||
			!strings.Contains(r.header.Get("Content-Disposition"), ".oscal.json") {
			t.Fatalf("%s %s: %d %v %.200s", fw.ID, fw.Version, r.status, r.header, r.body)
		}
		back, err := frameworks.Read("back.json", r.body, "")
		if err != nil {
			t.Fatalf("%s %s does not read back: %v", fw.ID, fw.Version, err)
		}
		if back.Digest() != fw.SHA256 {
			t.Errorf("%s %s reads back as another framework", fw.ID, fw.Version)
		}
	}
	wantProblem(t, auditor.get("/api/v1/frameworks/nothing/oscal"), http.StatusNotFound)
}

// TestApplyMapping: a provider pre-fills its X.1150 draft from its approved
// app-baseline assessment; only an accepted, implemented control that a
// covering link names carries over, marked as derived; the filing cannot be
// submitted until the provider confirms it, and saving it confirms it.
func TestApplyMapping(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	publishTestMapping(t, s)
	sup, sup2 := s.as(s.tokenFor(s.user(domain.RoleSupervisor, ""))), s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	var bank api.Provider
	sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Carry Bank", "short_name": "CaB",
		"licence_number": "CAR-1", "kind": "bank", "tier": 2, "channels": []string{"app"}}, http.StatusCreated, &bank)
	editor, admin := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, bank.ID))), s.as(s.tokenFor(s.user(domain.RoleProviderAdmin, bank.ID)))
	open := func(framework, version string) string {
		var c api.Campaign
		sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": framework + " " + version, "framework": framework,
			"framework_version": version, "provider_ids": []string{bank.ID}, "opens_at": future(-1), "due_at": future(30)},
			http.StatusCreated, &c)
		sup.openCampaign(c.ID)
		var l list[api.Assessment]
		sup.getJSON("/api/v1/assessments?campaign="+c.ID, &l)
		return l.Items[0].ID
	}
	baseline := open("test-checklist", "1.0")
	answers := map[string]map[string]any{
		"APP-1": {"status": "implemented", "narrative": "Keys live in the keystore."},
		"APP-2": {"status": "implemented", "narrative": "Logs are scrubbed."},
		"APP-3": {"status": "partial", "narrative": "Second factor for large payments only.", "remediation_date": future(90)},
	}
	var bulk, verdicts []map[string]any
	for _, r := range readAll[api.Response](editor, "/api/v1/assessments/"+baseline+"/responses") {
		item := map[string]any{"control_id": r.ControlID, "version": r.Version}
		for k, v := range answers[r.ControlID] {
			item[k] = v
		}
		bulk = append(bulk, item)
		verdicts = append(verdicts, map[string]any{"control_id": r.ControlID, "verdict": "accepted"})
	}
	editor.json(http.MethodPut, "/api/v1/assessments/"+baseline+"/responses", map[string]any{"responses": bulk}, http.StatusOK, nil)

	x := open("x1150", "1.0")
	body := map[string]any{"mapping": "test-checklist-x1150", "from_assessment": baseline}
	p := wantProblem(t, editor.do(http.MethodPost, "/api/v1/assessments/"+x+"/apply-mapping", body), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.from_assessment" {
		t.Errorf("from a draft: %+v", p)
	}
	admin.json(http.MethodPost, "/api/v1/assessments/"+baseline+"/submit", map[string]any{"attestation": attestation}, http.StatusOK, nil)
	sup.json(http.MethodPost, "/api/v1/assessments/"+baseline+"/start-review", nil, http.StatusOK, nil)
	sup.json(http.MethodPut, "/api/v1/assessments/"+baseline+"/verdicts", map[string]any{"verdicts": verdicts}, http.StatusOK, nil)
	sup2.json(http.MethodPost, "/api/v1/assessments/"+baseline+"/approve", map[string]any{}, http.StatusOK, nil)

	var applied struct {
		Mapping api.Mapping
		Derived []api.Response
	}
	editor.json(http.MethodPost, "/api/v1/assessments/"+x+"/apply-mapping", body, http.StatusOK, &applied)
	if applied.Mapping.ID != "test-checklist-x1150" || len(applied.Derived) != 1 {
		t.Fatalf("applied = %+v", applied)
	}
	c1 := applied.Derived[0]
	if c1.ControlID != "C1" || c1.Status != "implemented" || c1.Derived == nil || c1.Derived.FromControl != "APP-1" ||
		c1.Derived.Relationship != domain.RelSupersetOf || c1.Derived.FromAssessment != baseline || !strings.Contains(c1.Narrative, "Keys live") {
		t.Fatalf("C1 = %+v %+v", c1, c1.Derived)
	}
	// Applying again fills nothing more: C1 is answered now.
	editor.json(http.MethodPost, "/api/v1/assessments/"+x+"/apply-mapping", body, http.StatusOK, &applied)
	if len(applied.Derived) != 0 {
		t.Errorf("a second application derived %d answers", len(applied.Derived))
	}
	p = wantProblem(t, admin.do(http.MethodPost, "/api/v1/assessments/"+x+"/submit", map[string]any{"attestation": attestation}),
		http.StatusUnprocessableEntity)
	derived := false
	for _, e := range p.Errors {
		if strings.HasPrefix(e.Location, "responses.C1") && strings.Contains(e.Message, "confirm") {
			derived = true
		}
	}
	if !derived {
		t.Errorf("submitting with a derived answer: %+v", p.Errors[:min(3, len(p.Errors))])
	}
	var confirmed api.Response
	r := editor.do(http.MethodPut, "/api/v1/assessments/"+x+"/responses/C1", map[string]any{"status": "implemented",
		"narrative": c1.Narrative}, "If-Match", c1.ETag)
	if r.status != http.StatusOK {
		t.Fatalf("confirm = %d %s", r.status, r.body)
	}
	jsonInto(t, r, &confirmed)
	if confirmed.Derived != nil {
		t.Errorf("a confirmed answer is still derived: %+v", confirmed.Derived)
	}
	other := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, s.provider("Other Wallet"))))
	wantProblem(t, other.do(http.MethodPost, "/api/v1/assessments/"+x+"/apply-mapping", body), http.StatusNotFound)
}

// TestPublishFrameworkFiles: an administrator publishes OWASP MASVS from its
// own YAML with the version it lacks (8 groups, 24 controls with their ids
// and its licence), and a catalog from an OSCAL export; a dry run publishes
// nothing; a supervisor may not publish.
func TestPublishFrameworkFiles(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	data, err := standards.File("masvs/OWASP_MASVS.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/frameworks", multipartBody{upload{name: "OWASP_MASVS.yaml", content: data}}),
		http.StatusUnprocessableEntity) // no version
	var got struct {
		Outcome   string
		Framework api.Framework
	}
	admin.json(http.MethodPost, "/api/v1/frameworks?dry_run=true&version=2.1.0", multipartBody{upload{name: "OWASP_MASVS.yaml", content: data}},
		http.StatusOK, &got)
	if got.Outcome != "checked" || got.Framework.Counts.Controls != 24 {
		t.Fatalf("dry run = %+v", got)
	}
	wantProblem(t, admin.get("/api/v1/frameworks/owasp-masvs"), http.StatusNotFound)
	admin.json(http.MethodPost, "/api/v1/frameworks?version=2.1.0", multipartBody{upload{name: "OWASP_MASVS.yaml", content: data}},
		http.StatusCreated, &got)
	if got.Outcome != "published" || got.Framework.ID != "owasp-masvs" || got.Framework.Version != "2.1.0" ||
		len(got.Framework.AuditGroups) != 8 || got.Framework.Counts.Controls != 24 || !strings.Contains(got.Framework.Licence, "CC BY-SA 4.0") ||
		len(got.Framework.Levels) != 4 {
		t.Fatalf("MASVS = %+v", got)
	}
	controls := readAll[api.Control](admin, "/api/v1/frameworks/owasp-masvs/controls")
	if len(controls) != 24 || controls[0].ID != "MASVS-STORAGE-1" || controls[23].ID != "MASVS-PRIVACY-4" {
		t.Errorf("MASVS controls = %d, first %+v", len(controls), controls[0])
	}
	admin.json(http.MethodPost, "/api/v1/frameworks?version=2.1.0", multipartBody{upload{name: "OWASP_MASVS.yaml", content: data}},
		http.StatusOK, &got)
	if got.Outcome != "already_published" {
		t.Errorf("again = %q", got.Outcome)
	}

	// An OSCAL catalog: X.1150 exported, renamed, published back.
	oscal := admin.get("/api/v1/frameworks/x1150/oscal?version=1.0").body
	circular := bytes.Replace(oscal, []byte(`"version": "1.0"`), []byte(`"version": "2026-circular-7"`), 1)
	admin.json(http.MethodPost, "/api/v1/frameworks", multipartBody{upload{name: "circular.json", content: circular}},
		http.StatusCreated, &got)
	if got.Framework.ID != "x1150" || got.Framework.Version != "2026-circular-7" || got.Framework.Counts.Controls != 119 ||
		got.Framework.Counts.Threats != 17 {
		t.Errorf("OSCAL = %+v", got.Framework)
	}
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/frameworks?version=2.1.0", multipartBody{upload{name: "m.yaml", content: data}}),
		http.StatusForbidden)
}
