package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// TestSeriesEditForm: on the demo series' page a supervisor changes the
// series through its form of changes (refused fields shown beside their
// problems), and a form sent from a version someone else has since changed
// saves nothing and says so; provider users may not send it.
func TestSeriesEditForm(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	list, _, err := s.app.CampaignSeriesList(ctx, s.actor("supervisor"+demoDomain), "", store.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo series = %v, %v", list, err)
	}
	series := list[0]
	page := "/campaign-series/" + series.ID

	b := s.browser(t)
	b.signIn("supervisor"+demoDomain, demo.Password)
	b.get(page).want(t, http.StatusOK, page, `id="series-edit-form"`, `action="`+page+`/edit"`, `name="version" value="1"`,
		`for="first_opens_on"`, `for="due_after_days"`, `value="`+series.Name+`"`, `value="45"`, `id="kind-bank"`)

	form := func(version string, change func(url.Values)) url.Values {
		f := url.Values{"name": {"Yearly DFS security review"}, "every_months": {"12"},
			"first_opens_on": {series.FirstOpensOn.String()}, "due_after_days": {"50"}, "lead_days": {"14"},
			"instructions": {series.Instructions}, "kind": {"bank", "mobile_money_operator"}, "version": {version}}
		if change != nil {
			change(f)
		}
		return f
	}
	b.post(page+"/edit", form("1", func(f url.Values) { f.Set("due_after_days", "many") })).
		want(t, http.StatusUnprocessableEntity, "", `id="due_after_days-error"`, `href="#due_after_days"`, `<details id="series-edit" open>`)
	b.post(page+"/edit", form("1", func(f url.Values) { f.Set("first_opens_on", domain.Today().AddDays(-1).String()) })).
		want(t, http.StatusUnprocessableEntity, "", `id="first_opens_on-error"`, "the next campaign would open before today")
	b.post(page+"/edit", form("1", func(f url.Values) { f.Set("every_months", "1"); f.Set("lead_days", "40") })).
		want(t, http.StatusUnprocessableEntity, "", `id="lead_days-error"`)

	b.post(page+"/edit", form("1", nil)).want(t, http.StatusOK, page+"?done=series_changed", "The series is saved.",
		"<h1>Yearly DFS security review</h1>", "50 days after each opening", `name="version" value="2"`,
		`id="kind-bank" name="kind" value="bank" checked`)
	after, err := s.app.CampaignSeries(ctx, s.actor("supervisor"+demoDomain), series.ID)
	if err != nil || after.Name != "Yearly DFS security review" || after.DueAfterDays != 50 || len(after.Kinds) != 2 || after.Version != 2 {
		t.Fatalf("after the form: %+v, %v", after, err)
	}

	// A second supervisor's form, opened at version 1, saves nothing.
	other := s.browser(t)
	other.signIn("supervisor2"+demoDomain, demo.Password)
	other.get(page)
	other.post(page+"/edit", form("1", func(f url.Values) { f.Set("name", "Stale rename") })).
		want(t, http.StatusConflict, "", "Someone else changed the series", "Stale rename", `name="version" value="2"`)
	if now, _ := s.app.CampaignSeries(ctx, s.actor("supervisor"+demoDomain), series.ID); now.Name != after.Name || now.Version != 2 {
		t.Errorf("a stale form changed the series: %+v", now)
	}
	b.post(page+"/edit", form("2", func(f url.Values) { f.Set("csrf", "0000") })).want(t, http.StatusForbidden, "")

	prov := s.browser(t)
	prov.signIn("p01-admin"+demoDomain, demo.Password)
	prov.post(page+"/edit", form("2", nil)).want(t, http.StatusForbidden, "")
	prov.get(page).lacks(t, `id="series-edit-form"`)
}
