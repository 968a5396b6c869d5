package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"assure/api"
	"assure/domain"
	"assure/standards"
	"assure/store"
)

// oscalExportSchema is the published OSCAL 1.2.2 schema (see package
// standards); a missing one fails the test.
func oscalExportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := standards.OSCAL()
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestOSCALExportOverHTTP(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sch := oscalExportSchema(t)
	f := newFiling(s, "bank")
	editor := actorOf(s.user(domain.RoleProviderEditor, f.provider))

	// The provider answers every control, backs the first with evidence,
	// and files; the supervisor raises a finding on the second control.
	content := []byte("Access policy, approved by the board.\n")
	ev := s.uploadEvidence(editor, f.assessment.ID, textFile("access-policy.txt", string(content)))
	list, _, err := s.db.Responses(ctx0, editor, f.assessment.ID, store.ResponseFilter{}, store.Page{Limit: 500})
	s.must(err)
	updates := make([]store.ResponseUpdate, len(list))
	for i, r := range list {
		in := domain.ResponseInput{Status: domain.Implemented, Narrative: "In place and tested."}
		if i == 0 {
			in.EvidenceIDs = []string{ev[0].ID}
		}
		updates[i] = store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version, Input: in}
	}
	_, err = s.db.SaveResponses(ctx0, editor, f.assessment.ID, updates, "body.responses")
	s.must(err)
	f.admin.json(http.MethodPost, f.path("/submit"), map[string]any{"attestation": attestation}, http.StatusOK, nil)

	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	base := "/api/v1/reports/assessments/" + f.assessment.ID
	// No findings yet: no plan.
	wantProblem(t, sup.get(base+".poam.json"), http.StatusConflict)

	var finding api.Finding
	sup.json(http.MethodPost, "/api/v1/findings", map[string]any{"assessment_id": f.assessment.ID,
		"control_id": list[1].ControlID, "title": "Logs are not reviewed", "severity": "high",
		"description": "Nobody reads the access logs.", "due_at": future(45)}, http.StatusCreated, &finding)

	get := func(c *client, path string) map[string]any {
		t.Helper()
		r := c.get(path)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") ||
			!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s = %d %v %.300s", path, r.status, r.header, r.body)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Fatalf("%s breaks the OSCAL schema: %v", path, err)
		}
		var doc map[string]any
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}

	ar := get(sup, base+".assessment-results.json")["assessment-results"].(map[string]any)
	result := ar["results"].([]any)[0].(map[string]any)
	if n := len(result["observations"].([]any)); n != len(list) {
		t.Errorf("%d observations for %d responses", n, len(list))
	}
	resources, _ := json.Marshal(ar["back-matter"])
	if !strings.Contains(string(resources), sha256hex(content)) || !strings.Contains(string(resources), "access-policy.txt") {
		t.Errorf("the back matter lacks the evidence file and its hash: %s", resources)
	}

	// The provider's own users get its documents too.
	poam := get(f.editor, base+".poam.json")["plan-of-action-and-milestones"].(map[string]any)
	items := poam["poam-items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["title"] != "Logs are not reviewed" {
		t.Fatalf("poam items = %v", items)
	}
	props, _ := json.Marshal(items[0].(map[string]any)["props"])
	if !strings.Contains(string(props), `"value":"`+future(45)+`"`) {
		t.Errorf("the item lacks its due date: %s", props)
	}

	// Another provider's users do not see the assessment at all.
	other := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, s.provider("Other Bank"))))
	wantProblem(t, other.get(base+".assessment-results.json"), http.StatusNotFound)
	wantProblem(t, other.get(base+".poam.json"), http.StatusNotFound)
	wantProblem(t, sup.get(base+".oscal.json"), http.StatusNotFound)

	// Each export is audited with its format; the refused ones are not.
	if n := s.events("report.export", f.assessment.ID); n != 2 {
		t.Errorf("%d report.export events, want 2", n)
	}
	var formats []string
	for _, format := range []string{"oscal-ar", "oscal-poam"} {
		var n int
		s.must(s.queryRow(`select count(*) from audit_events where action = 'report.export' and object_id = $1
			and summary->>'format' = $2`, []any{f.assessment.ID, format}, &n))
		if n == 1 {
			formats = append(formats, format)
		}
	}
	if len(formats) != 2 {
		t.Errorf("audited formats = %v", formats)
	}
}
