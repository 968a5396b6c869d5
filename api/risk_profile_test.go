package api_test

import (
	"net/http"
	"strings"
	"testing"

	"assure/api"
	"assure/domain"
)

// TestRiskProfilesMoveInherentRisk gives two banks the same answers and
// different profiles: their inherent and residual risk differ, and the
// register says which figure moved what.
func TestRiskProfilesMoveInherentRisk(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	ids := [2]string{}
	for i, name := range []string{"Small Bank", "Large Bank"} {
		var p api.Provider
		sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": name, "short_name": name,
			"licence_number": "PR-" + name[:1], "kind": "bank", "tier": 2, "channels": []string{"app", "ussd", "agents"}},
			http.StatusCreated, &p)
		ids[i] = p.ID
	}
	var c api.Campaign
	sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "2027 profiles", "framework": "x1150",
		"provider_ids": ids[:], "opens_at": future(-1), "due_at": future(30)}, http.StatusCreated, &c)
	sup.openCampaign(c.ID)
	var list listOfAssessments
	sup.getJSON("/api/v1/assessments?campaign="+c.ID, &list)
	assessment := map[string]string{}
	for _, a := range list.Items {
		assessment[a.ProviderID] = a.ID
	}
	editors := [2]*client{}
	for i, id := range ids {
		editors[i] = s.as(s.tokenFor(s.user(domain.RoleProviderEditor, id)))
		var bulk []map[string]any
		for j, r := range readAll[api.Response](editors[i], "/api/v1/assessments/"+assessment[id]+"/responses") {
			status := "implemented"
			if j%3 == 2 {
				status = "not_implemented"
			}
			bulk = append(bulk, map[string]any{"control_id": r.ControlID, "version": r.Version, "status": status,
				"narrative": "In place.", "remediation_date": future(60)})
		}
		editors[i].json(http.MethodPut, "/api/v1/assessments/"+assessment[id]+"/responses", map[string]any{"responses": bulk}, http.StatusOK, nil)
	}
	// The small bank states few customers and agents, the large one many.
	path := func(i int) string { return "/api/v1/assessments/" + assessment[ids[i]] + "/risk-profile" }
	var prof api.RiskProfileBody
	editors[0].json(http.MethodPut, path(0), map[string]any{"customers": 20000, "agents": 50, "third_parties": 2,
		"interconnections": 2, "transactions": 1000000, "transaction_value": 50, "market_share": 0.5}, http.StatusOK, &prof)
	if prof.Stated == nil || *prof.Stated.Customers != 20000 || prof.Confirmed != nil || prof.Stated.Version != 1 {
		t.Fatalf("stated profile = %+v", prof)
	}
	editors[1].json(http.MethodPut, path(1), map[string]any{"customers": 3000000, "agents": 25000, "third_parties": 30,
		"interconnections": 25, "transactions": 200000000, "transaction_value": 20000, "market_share": 35}, http.StatusOK, nil)

	var small, large api.ProviderRisk
	sup.getJSON("/api/v1/providers/"+ids[0]+"/risk?campaign="+c.ID+"&basis=current", &small)
	sup.getJSON("/api/v1/providers/"+ids[1]+"/risk?campaign="+c.ID+"&basis=current", &large)
	if small.Profile != "stated" || large.Profile != "stated" {
		t.Errorf("profiles %q %q", small.Profile, large.Profile)
	}
	higherInherent, higherResidual := 0, 0
	for i := range small.Threats {
		a, b := small.Threats[i], large.Threats[i]
		if a.Coverage != b.Coverage {
			t.Errorf("%s: the same answers give coverage %v and %v", a.ThreatID, a.Coverage, b.Coverage)
		}
		if b.Inherent.Likelihood*b.Inherent.Impact > a.Inherent.Likelihood*a.Inherent.Impact {
			higherInherent++
		}
		if b.Residual.Score > a.Residual.Score {
			higherResidual++
		}
		if b.Inherent.Likelihood*b.Inherent.Impact < a.Inherent.Likelihood*a.Inherent.Impact {
			t.Errorf("%s: the larger bank has the lower inherent risk", a.ThreatID)
		}
	}
	if higherInherent < 10 || higherResidual < 5 {
		t.Errorf("the large bank is riskier on %d threats inherently, %d residually", higherInherent, higherResidual)
	}
	// T1's impact: customers 20 000 is in the band under 100 000 (−1); 3 000 000 in the top band (+1).
	t1s, t1l := small.Threats[0], large.Threats[0]
	if t1s.Inherent.Impact != t1s.Inherent.DefaultImpact-1 || t1l.Inherent.Impact != min(t1l.Inherent.DefaultImpact+1, 5) {
		t.Errorf("T1 impact: small %+v, large %+v", t1s.Inherent, t1l.Inherent)
	}
	var moved bool
	for _, d := range t1l.Inherent.Drivers {
		if d.Measure == "customers" && d.Stated && *d.Value == 3000000 && d.Delta == 1 && d.BandTo == nil {
			moved = true
		}
	}
	if !moved {
		t.Errorf("T1's drivers do not show the customers band: %+v", t1l.Inherent.Drivers)
	}

	// The supervisor corrects the small bank's figures: the correction is what the method reads.
	sup.json(http.MethodPut, path(0)+"/confirmation", map[string]any{"customers": 3000000, "note": "The annual return says 3 million."},
		http.StatusOK, &prof)
	var corrected api.ProviderRisk
	sup.getJSON("/api/v1/providers/"+ids[0]+"/risk?campaign="+c.ID+"&basis=current", &corrected)
	if prof.Confirmed == nil || corrected.Profile != "confirmed" || corrected.Threats[0].Inherent.Impact != t1l.Inherent.Impact {
		t.Errorf("confirmed: %+v, T1 %+v", prof.Confirmed, corrected.Threats[0].Inherent)
	}
	// A stale version is refused; a bad figure is a 422 at its field; another provider's profile is not there.
	wantProblem(t, editors[0].do(http.MethodPut, path(0), map[string]any{"customers": 1}, "If-Match", `"7"`), http.StatusPreconditionFailed)
	wantProblem(t, editors[0].do(http.MethodPut, path(0), map[string]any{"customers": 1}), http.StatusPreconditionFailed)
	p := wantProblem(t, editors[0].do(http.MethodPut, path(0), map[string]any{"market_share": 120}, "If-Match", `"1"`),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Location, "market_share") {
		t.Errorf("problem = %+v", p)
	}
	wantProblem(t, editors[0].get(path(1)), http.StatusNotFound)
	wantProblem(t, editors[0].do(http.MethodPut, path(1), map[string]any{"customers": 1}), http.StatusNotFound)
	wantProblem(t, editors[0].do(http.MethodPut, path(0)+"/confirmation", map[string]any{"customers": 1}), http.StatusForbidden)
}

// TestVerdictGradesTheAnswer: a supervisor grades an accepted answer, and
// the grade sets the credit the register gives it; only an accepted answer
// is graded.
func TestVerdictGradesTheAnswer(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	x.sup.json(http.MethodPost, "/api/v1/assessments/"+x.bankA+"/start-review", nil, http.StatusOK, nil)
	var implemented api.Response
	for _, r := range readAll[api.Response](x.sup, "/api/v1/assessments/"+x.bankA+"/responses") {
		if r.Status == "implemented" {
			implemented = r
			break
		}
	}
	path := "/api/v1/assessments/" + x.bankA + "/responses/" + implemented.ControlID + "/verdict"
	effect := func() float64 {
		var r api.ProviderRisk
		x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk?campaign="+x.campaign+"&basis=current", &r)
		for _, th := range r.Threats {
			for _, c := range th.Controls {
				if c.ControlID == implemented.ControlID {
					return c.Effectiveness
				}
			}
		}
		t.Fatalf("%s mitigates no threat", implemented.ControlID)
		return 0
	}
	// Unreviewed, no evidence: self-attested 50 % × 60 %.
	if e := effect(); e != 0.3 {
		t.Errorf("unreviewed credit = %v, want 0.3", e)
	}
	var got api.Response
	x.sup.json(http.MethodPut, path, map[string]any{"verdict": "accepted", "grade": "verified"}, http.StatusOK, &got)
	if got.Grade != "verified" || effect() != 1 {
		t.Errorf("verified: grade %q, credit %v", got.Grade, effect())
	}
	x.sup.json(http.MethodPut, path, map[string]any{"verdict": "accepted"}, http.StatusOK, &got)
	if got.Grade != "" || effect() != 0.5 {
		t.Errorf("accepted without a grade: grade %q, credit %v (want self-attested 0.5)", got.Grade, effect())
	}
	p := wantProblem(t, x.sup.do(http.MethodPut, path, map[string]any{"verdict": "needs_info", "comment": "Why?", "grade": "tested"}),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || !strings.HasSuffix(p.Errors[0].Location, ".grade") {
		t.Errorf("problem = %+v", p)
	}
	wantProblem(t, x.sup.do(http.MethodPut, path, map[string]any{"verdict": "accepted", "grade": "excellent"}), http.StatusUnprocessableEntity)
}
