package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"assure/api"
	"assure/domain"
)

func TestProviderRegister(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	p := wantProblem(t, sup.do(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "", "short_name": "X",
		"licence_number": "L1", "kind": "bank", "tier": 2, "channels": []string{"app", "app"},
		"contacts": []map[string]string{{"name": "", "email": "not-an-email"}}}), http.StatusUnprocessableEntity)
	if len(p.Errors) != 4 {
		t.Errorf("problems = %+v", p.Errors)
	}
	var prov api.Provider
	sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Kopa Fintech Ltd", "short_name": "Kopa",
		"licence_number": "FT-9", "kind": "fintech", "tier": 3, "channels": []string{"qr", "app"}}, http.StatusCreated, &prov)
	if prov.Status != "active" || prov.Channels[0] != "app" || prov.Version != 1 {
		t.Errorf("provider = %+v", prov)
	}
	r := sup.get("/api/v1/providers/" + prov.ID)
	etag := r.header.Get("ETag")
	sup.json(http.MethodPatch, "/api/v1/providers/"+prov.ID, map[string]any{"tier": 1, "status": "suspended"}, http.StatusOK, &prov)
	wantProblem(t, sup.do(http.MethodPatch, "/api/v1/providers/"+prov.ID, map[string]any{"tier": 2}, "If-Match", etag),
		http.StatusPreconditionFailed)
	// The change is audited with what changed.
	var events list[api.AuditEvent]
	s.reader().getJSON("/api/v1/audit?action=provider.update&object_id="+prov.ID, &events)
	var summary struct {
		Changes map[string]struct{ From, To any } `json:"changes"`
	}
	json.Unmarshal(events.Items[0].Summary, &summary)
	if len(summary.Changes) != 2 || summary.Changes["tier"].To != float64(1) || summary.Changes["status"].From != "active" {
		t.Errorf("audit summary = %s", events.Items[0].Summary)
	}
	// Only active providers enter a campaign; exited ones keep their history.
	active := s.provider("Active Bank")
	sup.json(http.MethodPatch, "/api/v1/providers/"+prov.ID, map[string]any{"status": "exited"}, http.StatusOK, nil)
	var c api.Campaign
	sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "All", "framework": "x1150",
		"provider_ids": []string{prov.ID, active}, "opens_at": future(0), "due_at": future(10)}, http.StatusCreated, &c)
	c = sup.openCampaign(c.ID)
	if c.Assessments != 1 {
		t.Errorf("assessments = %d, want only the active provider's", c.Assessments)
	}
	var kept api.Provider
	sup.getJSON("/api/v1/providers/"+prov.ID, &kept)
	if kept.Status != "exited" {
		t.Errorf("exited provider = %+v", kept)
	}
	// Filters.
	var banks list[api.Provider]
	sup.getJSON("/api/v1/providers?kind=bank&status=active", &banks)
	for _, b := range banks.Items {
		if b.Kind != "bank" || b.Status != "active" {
			t.Errorf("filter let %+v through", b)
		}
	}
}

func TestCampaignScopeExtendAndClose(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	mk := func(name, kind string, tier int, channels ...string) api.Provider {
		var p api.Provider
		sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": name, "short_name": name,
			"licence_number": name, "kind": kind, "tier": tier, "channels": channels}, http.StatusCreated, &p)
		return p
	}
	mmo := mk("MoMo", "mobile_money_operator", 1, "ussd", "app", "agents")
	mk("Village MFI", "mfi", 3)
	mk("Big Bank", "bank", 1, "app", "cards")
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "Bad", "framework": "nope",
		"opens_at": future(5), "due_at": future(1)}), http.StatusUnprocessableEntity)
	var c api.Campaign
	sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "Tier 1", "framework": "x1150",
		"scope": map[string]any{"tiers": []int{1}}, "opens_at": future(0), "due_at": future(20)}, http.StatusCreated, &c)
	c = sup.openCampaign(c.ID)
	if c.Assessments != 2 || c.Scope == nil || c.Scope.Tiers[0] != 1 {
		t.Fatalf("tier-1 campaign = %+v", c)
	}
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/open", nil), http.StatusConflict)

	// The MMO answers MNO controls the bank does not.
	var as list[api.Assessment]
	sup.getJSON("/api/v1/assessments?campaign="+c.ID, &as)
	counts := map[string]int{}
	for _, a := range as.Items {
		counts[a.ProviderID] = a.Applicable
	}
	if counts[mmo.ID] <= 0 || len(counts) != 2 {
		t.Fatalf("applicable = %v", counts)
	}
	var mmoAssessment api.Assessment
	for _, a := range as.Items {
		if a.ProviderID == mmo.ID {
			mmoAssessment = a
		}
	}
	var c52 api.Response
	sup.getJSON("/api/v1/assessments/"+mmoAssessment.ID+"/responses/C52", &c52) // SIM-swap identity check, MNO's
	for _, a := range as.Items {
		if a.ProviderID != mmo.ID {
			wantProblem(t, sup.get("/api/v1/assessments/"+a.ID+"/responses/C52"), http.StatusNotFound)
		}
	}

	p := wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/extend", map[string]any{"due_at": future(5),
		"reason": ""}), http.StatusUnprocessableEntity)
	if len(p.Errors) != 2 {
		t.Errorf("extend problems = %+v", p.Errors)
	}
	sup.json(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/extend", map[string]any{"due_at": future(40),
		"reason": "National holiday"}, http.StatusOK, &c)
	if c.DueAt != future(40) {
		t.Errorf("due = %s", c.DueAt)
	}
	sup.json(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/close", nil, http.StatusOK, &c)
	p = wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/close", nil), http.StatusConflict)
	if len(p.Allowed) != 0 {
		t.Errorf("allowed after close = %v", p.Allowed)
	}
	// Nothing more can be filed in a closed campaign.
	ed := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, mmo.ID)))
	var c1 api.Response
	ed.getJSON("/api/v1/assessments/"+mmoAssessment.ID+"/responses/C1", &c1)
	wantProblem(t, ed.do(http.MethodPut, "/api/v1/assessments/"+mmoAssessment.ID+"/responses/C1",
		map[string]any{"status": "implemented", "narrative": "x"}, "If-Match", c1.ETag), http.StatusConflict)
	// The provider sees its campaign, without the other providers in it.
	var mine list[api.Campaign]
	ed.getJSON("/api/v1/campaigns", &mine)
	if len(mine.Items) != 1 || mine.Items[0].Assessments != 1 {
		t.Errorf("provider's campaigns = %+v", mine.Items)
	}
}

func TestOverdue(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	late, onTime := newFiling(s, "late"), newFiling(s, "fine")
	s.exec(`update campaigns set opens_at = current_date - 20, due_at = current_date - 1
		where id = (select campaign_id from assessments where id = $1)`, late.assessment.ID)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	var overdue list[api.Assessment]
	sup.getJSON("/api/v1/assessments?overdue=true", &overdue)
	if len(overdue.Items) != 1 || overdue.Items[0].ID != late.assessment.ID || !overdue.Items[0].Overdue {
		t.Errorf("overdue assessments = %+v", overdue.Items)
	}
	for _, f := range []*filing{late, onTime} {
		var found api.Finding
		sup.json(http.MethodPost, "/api/v1/findings", map[string]any{"assessment_id": f.assessment.ID, "title": "Gap",
			"severity": "medium", "description": "A gap.", "due_at": future(10)}, http.StatusCreated, &found)
		if f == late {
			s.exec(`update findings set due_at = current_date - 3 where id = $1`, found.ID)
		}
	}
	var findings list[api.Finding]
	sup.getJSON("/api/v1/findings?overdue=true", &findings)
	if len(findings.Items) != 1 || findings.Items[0].AssessmentID != late.assessment.ID || !findings.Items[0].Overdue {
		t.Errorf("overdue findings = %+v", findings.Items)
	}
	late.editor.getJSON("/api/v1/findings?overdue=true&severity=medium", &findings)
	if len(findings.Items) != 1 {
		t.Errorf("the provider's overdue findings = %d", len(findings.Items))
	}
	onTime.editor.getJSON("/api/v1/findings?overdue=true", &findings)
	if len(findings.Items) != 0 {
		t.Errorf("another provider sees %d overdue findings", len(findings.Items))
	}
}
