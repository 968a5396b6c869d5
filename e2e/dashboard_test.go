package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"assure/domain"
	"assure/store"
)

// testDashboard signs in as the demo supervisor, who starts from the
// dashboard of the current campaign; switches to the previous campaign and
// back with the campaign choice; then follows a cell of the risk matrix to
// the list of the providers and threats behind it. axe checks the dashboard
// and the cell's page.
func testDashboard(t *testing.T, env *suite) {
	s := newSite(t, env)
	campaigns, _, err := s.db.Campaigns(context.Background(), domain.System("e2e"), "", store.Page{})
	if err != nil || len(campaigns) != 2 {
		t.Fatalf("demo campaigns: %v %v", campaigns, err)
	}
	current, previous := campaigns[0], campaigns[1]
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)

	p.waitText("h1", "Dashboard")
	p.waitText("#current-campaign", current.Name)
	if got := p.text("#progress-total"); !strings.Contains(got, "12") {
		t.Errorf("filings of the current campaign: %q, want 12", got)
	}
	axe(t, p)

	p.do("choose the previous campaign", chromedp.SetValue(chromedp.CSS("#campaign"), previous.ID))
	p.clickAndLoad("#choose-campaign button[type=submit]")
	p.waitText("#current-campaign", previous.Name)
	if got := p.text("#progress-total"); !strings.Contains(got, "4") {
		t.Errorf("filings of the previous campaign: %q, want 4", got)
	}
	if got := p.text("#state-not_started"); !strings.Contains(got, "1") {
		t.Errorf("not started in the previous campaign: %q, want 1", got)
	}
	p.do("choose the current campaign", chromedp.SetValue(chromedp.CSS("#campaign"), current.ID))
	p.clickAndLoad("#choose-campaign button[type=submit]")
	p.waitText("#current-campaign", current.Name)

	link := eval[string](p, `document.querySelector("#risk-matrix a").id`)
	count := p.text("#" + link + " .desk-count")
	p.clickAndLoad("#" + link)
	p.waitText("h1", "Likelihood")
	rows := eval[int](p, `document.querySelectorAll("#risk-pairs tbody tr").length`)
	if want := strings.TrimSpace(count); want == "" || rows == 0 || (len(want) < 3 && want != strconv.Itoa(rows)) {
		t.Errorf("the cell counts %q pairs; its page lists %d", count, rows)
	}
	if !eval[bool](p, `[...document.querySelectorAll("#risk-pairs tbody th a")].every(a => a.getAttribute("href").startsWith("/providers/"))`) {
		t.Error("a pair of the cell does not link to its provider")
	}
	axe(t, p)
}
