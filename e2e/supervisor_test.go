package e2e

import (
	"context"
	"strings"
	"testing"

	"assure/domain"
	"assure/store"
)

// testProviderOpensSupervisorURLs has a provider administrator type the
// addresses of the supervisor's pages: those about deciding and the register
// answer "not found" or "not allowed"; the two sector lists a provider may
// read (its own risk pairs, its own overdue findings) show only its own; none
// shows another provider's data.
func testProviderOpensSupervisorURLs(t *testing.T, env *suite) {
	s := newSite(t, env)
	own := s.assessment(t, "Imara MFB")
	other := s.assessment(t, "Banco de Crédito")
	p := s.newPage(t, "provider")
	p.signIn(imaraAdmin)
	for _, path := range []string{
		"/campaigns/new",
		"/review-queue",
		"/providers/new",
		"/providers/import",
		"/providers/" + other.ProviderID,
		"/providers/" + other.ProviderID + "/edit",
		"/assessments/" + other.ID,
		"/assessments/" + other.ID + "/review",
		"/assessments/" + own.ID + "/review",
	} {
		p.navigate(path)
		p.waitVisible("#main")
		h1 := p.text("h1")
		if h1 != "Not found" && h1 != "Not allowed" {
			t.Errorf("%s as a provider user shows %q, want Not found or Not allowed", path, h1)
		}
		if body := p.text("#main"); strings.Contains(body, "Banco de Crédito") || strings.Contains(body, other.ID) {
			t.Errorf("%s as a provider user shows another provider's data", path)
		}
	}
	for _, path := range []string{"/campaigns/" + other.CampaignID + "/risk-cell?l=3&i=3", "/overdue-findings"} {
		p.navigate(path)
		p.waitVisible("#main")
		body := p.text("#main")
		for _, name := range []string{"Banco de Crédito", "SG Mobile Money", "Kopa", "Nyota", "Atlas Bank"} {
			if strings.Contains(body, name) {
				t.Errorf("%s as Imara's administrator shows %s", path, name)
			}
		}
	}
	axe(t, p)
}

// testVerifyFinding: a finding the provider resolved is verified by a
// supervisor on its page, and its history says who did what.
func testVerifyFinding(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	a := s.assessment(t, "Imara MFB")
	sup := s.actorOf(t, supervisor)
	f, err := s.db.CreateFinding(ctx, sup, store.NewFinding{AssessmentID: a.ID, ControlID: "C1",
		Title: "Dormant accounts not reviewed", Severity: domain.SeverityMedium,
		Description: "No review of dormant accounts in the last year.", DueAt: domain.Today().AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	plan := "Quarterly review by the operations lead."
	if _, err := s.db.RespondToFinding(ctx, s.actorOf(t, imaraAdmin), f.ID, store.FindingResponse{RemediationPlan: &plan,
		Note: "Reviewed all dormant accounts; report attached to C1.", Action: domain.FindingResolve}); err != nil {
		t.Fatal(err)
	}
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)
	p.navigate("/findings/" + f.ID)
	p.waitText("h1", "Dormant accounts not reviewed")
	axe(t, p)
	p.typeInto("#verify-note", "Checked the report on site.")
	p.clickAndLoad(`form[action$="/verify"] button[type=submit]`)
	p.waitText("#main", "Verified")
	body := p.text("#main")
	for _, want := range []string{"Checked the report on site.", "Grace Wanjiru"} {
		if !strings.Contains(body, want) {
			t.Errorf("after verifying, the finding's page lacks %q", want)
		}
	}
	got, err := s.db.Finding(ctx, sup, f.ID)
	if err != nil || got.Status != domain.FindingVerified {
		t.Errorf("stored finding = %s, %v; want verified", got.Status, err)
	}
}

// testSupervisorInFrench: the dashboard and the review screen in French.
func testSupervisorInFrench(t *testing.T, env *suite) {
	s := newSite(t, env)
	fr := frenchCatalog(t)
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)
	p.clickAndLoad(`form[action="/language"] button[value=fr]`)
	checkFrench(t, p, fr, "Dashboard")
	axe(t, p)
	mmo := s.assessment(t, "SG Mobile Money")
	p.navigate("/assessments/" + mmo.ID + "/review")
	p.waitVisible("#main")
	if lang := eval[string](p, `document.documentElement.lang`); lang != "fr" {
		t.Errorf("review screen: lang = %q", lang)
	}
	if h1 := p.text("h1"); !strings.HasPrefix(h1, fr["Review"]) {
		t.Errorf("review heading = %q, want it to start with %q", h1, fr["Review"])
	}
	axe(t, p)
}
