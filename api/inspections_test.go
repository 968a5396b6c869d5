package api_test

import (
	"net/http"
	"testing"

	"assure/api"
	"assure/domain"
)

// TestInspections: a supervisor records an on-site inspection of the
// provider ranked first, which takes its 15 for never having been inspected
// away at once and puts it second; the provider's own users read its
// inspections but record none and see no other provider's; a refused
// record names every problem.
func TestInspections(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	// Two tier-2 banks with nothing filed are level; the name puts Able first.
	able, baker := s.provider("Able Bank"), s.provider("Baker Bank")
	c, _ := s.openCampaign(s.supervisorActor(), able, baker)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	ableEditor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, able)))
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))

	ranking := func() map[string]api.PriorityEntry {
		t.Helper()
		var l list[api.PriorityEntry]
		sup.getJSON("/api/v1/priorities?campaign="+c.ID, &l)
		out := map[string]api.PriorityEntry{}
		for _, p := range l.Items {
			out[p.ProviderID] = p
		}
		return out
	}
	before := ranking()
	if before[able].Rank != 1 || before[able].Priority != before[baker].Priority {
		t.Fatalf("before: %+v", before)
	}

	var in api.Inspection
	sup.json(http.MethodPost, "/api/v1/providers/"+able+"/inspections", map[string]any{"held_on": domain.Today().String(),
		"kind": "on_site", "lead_inspector": "A. Mensah", "summary": "Data centre visit."}, http.StatusCreated, &in)
	if in.ProviderID != able || !in.Counts || in.Kind != "on_site" || in.RecordedBy == "" {
		t.Errorf("recorded %+v", in)
	}
	after := ranking()
	// Inspected today: 0 full years, so the inspection term goes from 15 to 0.
	if after[able].Rank != 2 || after[baker].Rank != 1 || after[able].Priority != before[able].Priority-15 {
		t.Errorf("after: Able %+v, Baker %+v", after[able], after[baker])
	}

	var l list[api.Inspection]
	ableEditor.getJSON("/api/v1/providers/"+able+"/inspections", &l)
	if len(l.Items) != 1 || l.Items[0].ID != in.ID {
		t.Errorf("the provider's own inspections = %+v", l.Items)
	}
	auditor.getJSON("/api/v1/providers/"+able+"/inspections", &l)
	if len(l.Items) != 1 {
		t.Errorf("the auditor's view = %+v", l.Items)
	}
	wantProblem(t, ableEditor.get("/api/v1/providers/"+baker+"/inspections"), http.StatusNotFound)
	wantProblem(t, ableEditor.do(http.MethodPost, "/api/v1/providers/"+able+"/inspections", map[string]any{
		"held_on": domain.Today().String(), "kind": "on_site", "lead_inspector": "Me", "summary": "Self."}), http.StatusForbidden)
	wantProblem(t, auditor.do(http.MethodPost, "/api/v1/providers/"+able+"/inspections", map[string]any{
		"held_on": domain.Today().String(), "kind": "on_site", "lead_inspector": "Me", "summary": "Self."}), http.StatusForbidden)

	p := wantProblem(t, sup.do(http.MethodPost, "/api/v1/providers/"+able+"/inspections", map[string]any{
		"held_on": future(1), "kind": "off_site", "lead_inspector": " ", "summary": " ", "replaces": baker}),
		http.StatusUnprocessableEntity)
	got := map[string]bool{}
	for _, e := range p.Errors {
		got[e.Location] = true
	}
	for _, loc := range []string{"body.held_on", "body.lead_inspector", "body.summary", "body.replaces"} {
		if !got[loc] {
			t.Errorf("no problem at %s: %+v", loc, p.Errors)
		}
	}
}
