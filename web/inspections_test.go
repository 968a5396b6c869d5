package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// TestInspectionPages: on a provider's page a supervisor records an on-site
// inspection, each refused field shown beside its problem and the form kept
// as sent, and then puts it right with a record that replaces it; the form
// takes no post without the page's CSRF token; the provider's own users read
// the inspections but are offered no form.
func TestInspectionPages(t *testing.T) {
	s := newSite(t)
	providerID := s.actor("p04-admin" + demoDomain).ProviderID
	page := "/providers/" + providerID
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	sup.get(page).want(t, http.StatusOK, page, `id="inspections"`, `href="#inspections"`, "Record an inspection",
		`id="inspection-held_on"`, `for="inspection-lead_inspector"`, `for="inspection-summary"`)

	bad := sup.post(page+"/inspections", url.Values{"held_on": {domain.Today().AddDays(1).String()}, "kind": {"on_site"},
		"lead_inspector": {" "}, "summary": {"Visited the data centre."}})
	bad.want(t, http.StatusUnprocessableEntity, page+"/inspections", `id="inspection-held_on-error"`,
		`id="inspection-lead_inspector-error"`, `href="#inspection-held_on"`, "the inspection date is in the future",
		"Visited the data centre.</textarea>")

	done := sup.post(page+"/inspections", url.Values{"held_on": {domain.Today().String()}, "kind": {"on_site"},
		"lead_inspector": {"A. Mensah"}, "summary": {"Visited the data centre."}})
	done.want(t, http.StatusOK, page+"?done=recorded", "The inspection is recorded", "A. Mensah", "Visited the data centre.",
		"Counts")
	first := regexp.MustCompile(`<tr id="inspection-([0-9a-f-]{36})">`).FindStringSubmatch(done.body)
	if first == nil {
		t.Fatal("the recorded inspection is not listed")
	}
	fixed := sup.post(page+"/inspections", url.Values{"held_on": {domain.Today().AddDays(-400).String()}, "kind": {"on_site"},
		"lead_inspector": {"A. Mensah"}, "summary": {"Visited the data centre."}, "replaces": {first[1]}})
	fixed.want(t, http.StatusOK, page+"?done=recorded", "Replaced", "Puts an earlier record right")

	// A post without the page's token is refused and records nothing.
	sup.post(page+"/inspections", url.Values{"csrf": {"0000"}, "held_on": {domain.Today().String()}, "kind": {"off_site"},
		"lead_inspector": {"Forged"}, "summary": {"Forged."}}).want(t, http.StatusForbidden, "")
	sup.get(page).lacks(t, "Forged")

	prov := s.browser(t)
	prov.signIn("p04-admin"+demoDomain, demo.Password)
	own := prov.get(page)
	own.want(t, http.StatusOK, page, `id="inspections"`, "A. Mensah")
	own.lacks(t, "Record an inspection", `action="`+page+`/inspections"`)
	prov.post(page+"/inspections", url.Values{"held_on": {domain.Today().String()}, "kind": {"on_site"},
		"lead_inspector": {"Self"}, "summary": {"Self."}}).want(t, http.StatusForbidden, "")
}

// TestDashboardShowsPriorityDrivers: the supervisor's ranking shows each
// term of a priority and the formula in words. The provider ranked first is
// given an on-site inspection more than three years old, which keeps its
// gap at 15 and its rank, so its row shows the inspection's date beside it.
func TestDashboardShowsPriorityDrivers(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup := s.actor("supervisor" + demoDomain)
	campaigns, _, err := s.db.Campaigns(ctx, sup, "", store.Page{})
	if err != nil || len(campaigns) == 0 {
		t.Fatalf("campaigns: %v, %v", campaigns, err)
	}
	ranking, _, err := s.app.Priorities(ctx, sup, campaigns[0].ID, store.Page{Limit: 1})
	if err != nil || len(ranking) != 1 {
		t.Fatalf("ranking: %v, %v", ranking, err)
	}
	held := domain.Today().AddDays(-3*366 - 10)
	if _, err := s.app.RecordInspection(ctx, sup, domain.NewInspection{ProviderID: ranking[0].ProviderID, HeldOn: held,
		Kind: domain.InspectionOnSite, LeadInspector: "A. Mensah", Summary: "Data centre."}); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	page := b.signIn("supervisor"+demoDomain, demo.Password)
	page.want(t, http.StatusOK, "/", "Risk index × tier weight", "Last on-site inspection",
		"The inspection gap is 5 for each full year since the last on-site inspection",
		held.Time().Format("2 January 2006")+" · full years: 3 · +15")
}
