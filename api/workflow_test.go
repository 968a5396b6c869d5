package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"assure/api"
	"assure/domain"
)

type submissionBody struct {
	Version  int             `json:"version"`
	Seal     string          `json:"seal_sha256"`
	Verified bool            `json:"verified"`
	Late     bool            `json:"late"`
	Content  json.RawMessage `json:"content"`
}

// TestSupervisoryStory runs the whole workflow over HTTP: register, campaign,
// filing with evidence, submission, review, changes, resubmission, four-eyes
// approval, findings, and the checks an auditor makes afterwards.
func TestSupervisoryStory(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	supA := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	supB := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	auditor := s.reader()

	// The supervisor registers two providers.
	var bank, mmo api.Provider
	supA.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Banco de Crédito S.A.", "short_name": "BdC",
		"licence_number": "BNK-001", "kind": "bank", "tier": 1, "channels": []string{"app", "ussd", "cards"},
		"contacts": []map[string]string{{"name": "Lucía Pérez", "position": "CISO", "email": "ciso@bdc.test"}}},
		http.StatusCreated, &bank)
	supA.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Société Générale Mobile", "short_name": "SG Mobile",
		"licence_number": "MMO-002", "kind": "mobile_money_operator", "tier": 2, "channels": []string{"ussd", "agents"}},
		http.StatusCreated, &mmo)
	wantProblem(t, supA.do(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Copy", "short_name": "Copy",
		"licence_number": "bnk-001", "kind": "bank", "tier": 1}), http.StatusConflict)

	// Users for the bank.
	editorUser := s.user(domain.RoleProviderEditor, bank.ID)
	adminUser := s.user(domain.RoleProviderAdmin, bank.ID)
	editor, admin := s.as(s.login(editorUser.Email, testPassword)), s.as(s.login(adminUser.Email, testPassword))

	// A campaign over both, opened.
	var campaign api.Campaign
	supA.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "2027 H1 self-assessment", "framework": "x1150",
		"provider_ids": []string{bank.ID, mmo.ID}, "opens_at": future(-1), "due_at": future(30),
		"instructions": "Answer every control; attach policies."}, http.StatusCreated, &campaign)
	if campaign.Status != "draft" || campaign.FrameworkVersion != "1.1" {
		t.Fatalf("campaign = %+v", campaign)
	}
	campaign = supA.openCampaign(campaign.ID)
	if campaign.Status != "open" || campaign.Assessments != 2 {
		t.Fatalf("opened campaign = %+v", campaign)
	}

	// The bank's editor sees only the bank's assessment.
	var mine list[api.Assessment]
	editor.getJSON("/api/v1/assessments", &mine)
	if len(mine.Items) != 1 || mine.Items[0].ProviderID != bank.ID || mine.Items[0].Status != "draft" {
		t.Fatalf("editor's assessments = %+v", mine.Items)
	}
	as := mine.Items[0]
	if as.Applicable == 0 || as.Applicable > 119 {
		t.Fatalf("applicable controls = %d", as.Applicable)
	}

	// Evidence, then every response; the provider_admin submits.
	var uploaded []api.Evidence
	editor.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/evidence",
		multipartBody{textFile("access-policy.txt", "Access control policy v3\n"), textFile("users.csv", "user,role\nana,admin\n")},
		http.StatusCreated, &uploaded)
	if len(uploaded) != 2 || uploaded[1].MediaType != "text/csv" || len(uploaded[0].SHA256) != 64 {
		t.Fatalf("uploaded = %+v", uploaded)
	}
	responses := readAll[api.Response](editor, "/api/v1/assessments/"+as.ID+"/responses")
	var bulk []map[string]any
	for i, r := range responses {
		item := map[string]any{"control_id": r.ControlID, "version": r.Version, "status": "implemented",
			"narrative": "Implemented per group policy.", "maturity": 3}
		if i == 0 {
			item["evidence_ids"] = []string{uploaded[0].ID, uploaded[1].ID}
		}
		if i == 1 {
			item = map[string]any{"control_id": r.ControlID, "version": r.Version, "status": "partial",
				"remediation_date": future(90), "narrative": "Rolling out."}
		}
		bulk = append(bulk, item)
	}
	editor.json(http.MethodPut, "/api/v1/assessments/"+as.ID+"/responses", map[string]any{"responses": bulk}, http.StatusOK, nil)
	wantProblem(t, editor.do(http.MethodPost, "/api/v1/assessments/"+as.ID+"/submit", map[string]any{"attestation": attestation}),
		http.StatusForbidden) // only a provider_admin submits
	var sub1 submissionBody
	admin.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/submit", map[string]any{"attestation": attestation}, http.StatusOK, &sub1)
	if sub1.Version != 1 || len(sub1.Seal) != 64 || !sub1.Verified || sub1.Late {
		t.Fatalf("submission 1 = %+v", sub1)
	}
	// Sealed: the provider can no longer edit.
	first := responses[0]
	r := editor.do(http.MethodPut, "/api/v1/assessments/"+as.ID+"/responses/"+first.ControlID,
		map[string]any{"status": "not_implemented", "remediation_date": future(10)}, "If-Match", `"2"`)
	if p := wantProblem(t, r, http.StatusConflict); len(p.Allowed) != 0 && p.Allowed[0] == "edit" {
		t.Errorf("allowed after submit = %v", p.Allowed)
	}

	// Supervisor A reviews: verdicts, one needs information; changes requested.
	supA.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/start-review", nil, http.StatusOK, nil)
	var verdicts []map[string]any
	for i, r := range responses {
		v := map[string]any{"control_id": r.ControlID, "verdict": "accepted"}
		if i == 1 {
			v = map[string]any{"control_id": r.ControlID, "verdict": "needs_info", "comment": "Give the rollout plan."}
		}
		verdicts = append(verdicts, v)
	}
	supA.json(http.MethodPut, "/api/v1/assessments/"+as.ID+"/verdicts", map[string]any{"verdicts": verdicts}, http.StatusOK, nil)
	p := wantProblem(t, supB.do(http.MethodPost, "/api/v1/assessments/"+as.ID+"/approve", map[string]any{}), http.StatusConflict)
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "needs information") {
		t.Errorf("approve with needs_info = %+v", p)
	}
	wantProblem(t, supA.do(http.MethodPost, "/api/v1/assessments/"+as.ID+"/request-changes", map[string]any{"reason": " "}),
		http.StatusUnprocessableEntity)
	supA.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/request-changes",
		map[string]any{"reason": "Control " + responses[1].ControlID + " needs the rollout plan."}, http.StatusOK, nil)

	// The provider fixes the control and resubmits.
	var second api.Response
	editor.getJSON("/api/v1/assessments/"+as.ID+"/responses/"+responses[1].ControlID, &second)
	if second.Verdict != "needs_info" {
		t.Errorf("verdict before the fix = %q", second.Verdict)
	}
	r = editor.do(http.MethodPut, "/api/v1/assessments/"+as.ID+"/responses/"+second.ControlID,
		map[string]any{"status": "implemented", "narrative": "Rolled out to all branches in March.",
			"evidence_ids": []string{uploaded[0].ID}}, "If-Match", second.ETag)
	if r.status != http.StatusOK {
		t.Fatalf("fix = %d %s", r.status, r.body)
	}
	second = api.Response{}
	json.Unmarshal(r.body, &second)
	if second.Verdict != "" || second.Status != "implemented" {
		t.Error("a changed answer kept its old verdict")
	}
	var sub2 submissionBody
	admin.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/submit", map[string]any{"attestation": attestation}, http.StatusOK, &sub2)
	if sub2.Version != 2 || sub2.Seal == sub1.Seal {
		t.Fatalf("submission 2 = %+v", sub2)
	}

	// What changed between the filings: exactly the fixed control, from
	// partial to implemented with evidence added.
	var diff struct{ Items []api.ResponseChange }
	supA.getJSON("/api/v1/assessments/"+as.ID+"/submissions/2/diff", &diff)
	if len(diff.Items) != 1 || diff.Items[0].ControlID != second.ControlID || diff.Items[0].Before == nil ||
		diff.Items[0].Before.Status != domain.Partial || diff.Items[0].After.Status != domain.Implemented ||
		!slices.Contains(diff.Items[0].Fields, "status") {
		t.Errorf("diff of submissions 1 and 2 = %+v", diff.Items)
	}

	// Supervisor A records the remaining verdict and cannot approve; B can.
	supA.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/start-review", nil, http.StatusOK, nil)
	supA.json(http.MethodPut, "/api/v1/assessments/"+as.ID+"/responses/"+second.ControlID+"/verdict",
		map[string]any{"verdict": "accepted"}, http.StatusOK, nil)
	p = wantProblem(t, supA.do(http.MethodPost, "/api/v1/assessments/"+as.ID+"/approve", map[string]any{}), http.StatusForbidden)
	if !strings.Contains(p.Detail, "four-eyes") {
		t.Errorf("four-eyes detail = %q", p.Detail)
	}
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/assessments/"+as.ID+"/approve", map[string]any{}), http.StatusForbidden)
	var approved api.Assessment
	supB.json(http.MethodPost, "/api/v1/assessments/"+as.ID+"/approve", map[string]any{"comment": "Well evidenced."}, http.StatusOK, &approved)
	if approved.Status != "approved" || len(approved.Allowed) != 0 {
		t.Fatalf("approved = %+v", approved)
	}
	p = wantProblem(t, supB.do(http.MethodPost, "/api/v1/assessments/"+as.ID+"/reject", map[string]any{"reason": "x"}), http.StatusConflict)
	if !strings.Contains(p.Detail, "final") {
		t.Errorf("after approval: %q", p.Detail)
	}
	var history list[api.Transition]
	auditor.getJSON("/api/v1/assessments/"+as.ID+"/transitions", &history)
	var path []string
	for _, h := range history.Items {
		path = append(path, h.To)
	}
	if strings.Join(path, ">") != "submitted>in_review>changes_requested>submitted>in_review>approved" {
		t.Errorf("history = %v", path)
	}

	// A finding against a control: raised, answered, resolved, verified.
	var f api.Finding
	supA.json(http.MethodPost, "/api/v1/findings", map[string]any{"assessment_id": as.ID, "control_id": first.ControlID,
		"title": "Session timeout too long", "severity": "high", "description": "Idle sessions last 8 hours.",
		"due_at": future(45)}, http.StatusCreated, &f)
	editor.json(http.MethodPost, "/api/v1/findings/"+f.ID+"/respond", map[string]any{
		"remediation_plan": "Reduce to 15 minutes in the next release.", "action": "start"}, http.StatusOK, &f)
	wantProblem(t, editor.do(http.MethodPost, "/api/v1/findings/"+f.ID+"/verify", map[string]any{}), http.StatusForbidden)
	editor.json(http.MethodPost, "/api/v1/findings/"+f.ID+"/respond", map[string]any{"note": "Released.", "action": "resolve"},
		http.StatusOK, &f)
	supB.json(http.MethodPost, "/api/v1/findings/"+f.ID+"/verify", map[string]any{"note": "Checked in production."}, http.StatusOK, &f)
	auditor.getJSON("/api/v1/findings/"+f.ID, &f)
	if f.Status != "verified" || len(f.History) != 3 || f.RemediationPlan == "" {
		t.Errorf("finding = %+v", f)
	}

	// The audit chain verifies, and both sealed submissions re-verify.
	var v verification
	auditor.getJSON("/api/v1/audit/verify", &v)
	if !v.OK {
		t.Errorf("audit chain = %+v", v)
	}
	for _, want := range []submissionBody{sub1, sub2} {
		var got submissionBody
		auditor.getJSON("/api/v1/assessments/"+as.ID+"/submissions/"+strconv.Itoa(want.Version), &got)
		if !got.Verified || got.Seal != want.Seal || sealOf(t, got.Content) != want.Seal {
			t.Errorf("submission %d does not re-verify: %+v", want.Version, got.Seal)
		}
	}
	// The first submission still holds what was filed then.
	var sealed1 domain.Snapshot
	var got1 submissionBody
	auditor.getJSON("/api/v1/assessments/"+as.ID+"/submissions/1", &got1)
	json.Unmarshal(got1.Content, &sealed1)
	hashes := map[string]bool{}
	for _, e := range sealed1.Responses[0].Evidence {
		hashes[e.SHA256] = true
	}
	if sealed1.Responses[1].Status != domain.Partial || len(hashes) != 2 || !hashes[uploaded[0].SHA256] || !hashes[uploaded[1].SHA256] {
		t.Errorf("submission 1 content = %+v", sealed1.Responses[:2])
	}
	// The evidence downloads intact, with its hash as ETag.
	res := auditor.get("/api/v1/evidence/" + uploaded[0].ID + "/content")
	if res.status != http.StatusOK || string(res.body) != "Access control policy v3\n" ||
		res.header.Get("ETag") != `"`+uploaded[0].SHA256+`"` || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download = %d %q %v", res.status, res.body, res.header)
	}
}

func sealOf(t *testing.T, content []byte) string {
	seal, err := domain.SealOf(content)
	if err != nil {
		t.Fatal(err)
	}
	return seal
}
