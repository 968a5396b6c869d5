package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"assure/demo"
	"assure/domain"
)

var incidentPath = regexp.MustCompile(`^/incidents/([0-9a-f-]{36})\?done=reported$`)

// TestIncidentPages: Nyota's editor reports an incident through the form
// (each refused field shown beside its problem), 73 hours pass on the
// store's clock and the intermediate report is overdue on the provider's
// pages, the supervisor's queue and page and in the API; Imara's users see
// nothing of it. The late update is filed through the form and shows as
// late; the supervisor asks for more, the final report answers, and the
// supervisor closes it. A post without the page's token changes nothing.
func TestIncidentPages(t *testing.T) {
	s := newSite(t)
	now := time.Date(2027, 3, 3, 12, 0, 0, 0, time.UTC)
	s.db.SetNow(func() time.Time { return now })

	prov := s.browser(t)
	prov.signIn("p04-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	prov.get("/incidents").want(t, http.StatusOK, "/incidents", `href="/incidents"`, `href="/incidents/new"`, "No incident matches.")
	prov.get("/incidents/new").want(t, http.StatusOK, "/incidents/new", `for="title"`, `for="detected_at"`, `for="classified_at"`,
		`for="customers_affected"`, `for="threat-T10"`, `for="channel-ussd"`, `for="service-cash_in_out"`,
		"Initial report: within 4 hours of classification and at most 24 hours of detection",
		"Final report: within 720 hours of classification")

	form := url.Values{"title": {"SIM-swap fraud wave"}, "detected_at": {"2027-03-03T10:00"}, "classified_at": {"2027-03-03T11:00"},
		"description": {"Fraudulent SIM swaps drain wallets."}, "customers_affected": {"1200"}, "duration_hours": {"2.5"},
		"channels": {"ussd", "app"}, "services": {"p2p_transfers"}, "threats": {"T10"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("title", " ")
	bad.Set("classified_at", "2027-03-03T09:00")
	bad.Set("customers_affected", "many")
	prov.post("/incidents", bad).want(t, http.StatusUnprocessableEntity, "/incidents", `id="customers_affected-error"`,
		`href="#customers_affected"`, "Fraudulent SIM swaps drain wallets.</textarea>", `value="ussd" checked`)
	bad.Set("customers_affected", "1200")
	prov.post("/incidents", bad).want(t, http.StatusUnprocessableEntity, "/incidents", `id="title-error"`, `id="classified_at-error"`,
		"the classification comes before the detection")

	done := prov.post("/incidents", form)
	m := incidentPath.FindStringSubmatch(done.path)
	if done.status != http.StatusOK || m == nil {
		t.Fatalf("reporting ended on %s with %d:\n%s", done.path, done.status, done.body)
	}
	id, page := m[1], "/incidents/"+m[1]
	// Major by its two channels; the intermediate report due 6 March 11:00, 71 hours on.
	done.want(t, http.StatusOK, "", "The incident is reported", "SIM-swap fraud wave", "Major, by: Channels affected",
		"Filed on time", "Due in 2 d 23 h", "6 March 2027 11:00 UTC", "T10 · SIM attacks", `href="`+page+`/report?phase=intermediate"`)

	// 73 hours on: overdue by 2 hours for both sides.
	now = now.Add(73 * time.Hour)
	prov.get(page).want(t, http.StatusOK, page, "Overdue by 2 h", `<tr id="clock-intermediate" class="clock-overdue">`)
	prov.get("/incidents").want(t, http.StatusOK, "/incidents", `class="overdue-row"`, "Intermediate report: Overdue by 2 h")
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password)
	queue := sup.get("/incidents")
	queue.want(t, http.StatusOK, "/incidents", `id="incident-`+id+`" class="overdue-row"`, "Nyota", "Overdue by 2 h",
		`id="f-open" name="open" value="1" checked`, `href="/incidents/statistics"`)
	queue.lacks(t, `href="/incidents/new"`)
	sup.get(page).want(t, http.StatusOK, page, "Overdue by 2 h", `action="`+page+`/request-information"`, `action="`+page+`/close"`)
	var api struct {
		Overdue bool `json:"overdue"`
		Clocks  []struct {
			Phase, State string
		} `json:"clocks"`
	}
	for _, b := range []*browser{prov, sup} {
		a := b.get("/api/v1/incidents/" + id)
		if err := json.Unmarshal([]byte(a.body), &api); err != nil || a.status != http.StatusOK || !api.Overdue || api.Clocks[1].State != "overdue" {
			t.Errorf("the API answers %d: %s", a.status, a.body)
		}
	}

	// Another provider sees nothing of it.
	rival := s.browser(t)
	rival.signIn("p05-admin"+demoDomain, demo.Password)
	rival.get(page).want(t, http.StatusNotFound, page)
	rival.get(page+"/report").want(t, http.StatusNotFound, page+"/report")
	rival.get("/incidents").lacks(t, "SIM-swap fraud wave", id)
	rival.get("/api/v1/incidents/"+id).want(t, http.StatusNotFound, "/api/v1/incidents/"+id)
	rival.post(page+"/reports", url.Values{"phase": {"intermediate"}, "description": {"Not ours."}}).want(t, http.StatusNotFound, page+"/reports")

	// The late update, through the form filled with the latest facts.
	upd := prov.get(page + "/report?phase=intermediate")
	upd.want(t, http.StatusOK, page+"/report?phase=intermediate", `id="phase-intermediate" name="phase" value="intermediate" checked`,
		"Fraudulent SIM swaps drain wallets.</textarea>", `value="1200"`, `value="2.5"`, `value="T10" checked`)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(upd.body)
	if version == nil {
		t.Fatal("the report form carries no version")
	}
	update := url.Values{"phase": {"intermediate"}, "version": {version[1]}, "description": {"Swaps through three agents in the north."},
		"customers_affected": {"1450"}, "duration_hours": {"2.5"}, "channels": {"ussd", "app"}, "threats": {"T10"}}
	prov.post(page+"/reports", update).want(t, http.StatusOK, page+"?done=updated", "The update is filed.", "Filed 2 h late",
		"Swaps through three agents in the north.")
	// The same form again, now stale.
	prov.post(page+"/reports", update).want(t, http.StatusConflict, page+"/reports", "The incident has moved on")
	sup.get(page).lacks(t, "Overdue by")

	// A request for information, answered by the final report.
	sup.get(page)
	sup.post(page+"/request-information", url.Values{"comment": {" "}}).want(t, http.StatusUnprocessableEntity, page+"/request-information",
		`id="comment-error"`)
	sup.get(page)
	sup.post(page+"/request-information", url.Values{"comment": {"Which agents were involved?"}}).want(t, http.StatusOK,
		page+"?done=requested", "The request is sent")
	prov.get(page).want(t, http.StatusOK, page, "Information requested by the supervisor", "Which agents were involved?")
	final := url.Values{"phase": {"final"}, "description": {"Swaps through agents A12, A40 and A41."}, "customers_affected": {"1450"},
		"channels": {"ussd"}, "threats": {"T10", "T8"}}
	prov.get(page + "/report?phase=final")
	prov.post(page+"/reports", final).want(t, http.StatusUnprocessableEntity, page+"/reports", `id="root_cause-error"`, `id="recovery-error"`)
	final.Set("root_cause", "Agents replaced SIMs without checking identity.")
	final.Set("recovery", "Swaps frozen, wallets restored.")
	final.Set("losses", "2500000")
	prov.post(page+"/reports", final).want(t, http.StatusOK, page+"?done=final", "The final report is filed", "Final report filed",
		"Agents replaced SIMs without checking identity.", "2,500,000")

	// A forged post is refused; the supervisor closes the incident.
	sup.post(page+"/close", url.Values{"csrf": {"0000"}}).want(t, http.StatusForbidden, "")
	sup.get(page)
	sup.post(page+"/close", url.Values{}).want(t, http.StatusOK, page+"?done=closed", "The incident is closed.", "Closed by the supervisor")
	closed, err := s.app.Incident(context.Background(), s.actor("supervisor"+demoDomain), id)
	if err != nil || closed.Status != domain.IncidentClosed || len(closed.Reports) != 3 || len(closed.Requests) != 1 {
		t.Errorf("closed: %+v, %v", closed, err)
	}
	prov.get(page).lacks(t, `href="`+page+`/report?phase=intermediate"`)
}

// TestIncidentStatisticsPage: the sector view counts the incidents filed,
// in tables and a chart, with each threat's frequency beside its default
// likelihood; provider users may not open it.
func TestIncidentStatisticsPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	// Years after every demo incident (dated back from when the demo
	// loads), so the window holds only what this test files.
	now := time.Date(2040, 6, 15, 12, 0, 0, 0, time.UTC)
	s.db.SetNow(func() time.Time { return now })
	report := func(email string, detected time.Time, threats, channels []string, customers int64) {
		t.Helper()
		actor := s.actor(email)
		if _, err := s.app.ReportIncident(ctx, actor, domain.NewIncident{Title: "Incident", DetectedAt: detected, ClassifiedAt: detected,
			Facts: domain.IncidentFacts{Description: "Something happened.", Threats: threats, Channels: channels,
				CustomersAffected: customers}}); err != nil {
			t.Fatal(err)
		}
	}
	report("p02-admin"+demoDomain, time.Date(2040, 4, 2, 0, 0, 0, 0, time.UTC), []string{"T10"}, []string{"ussd"}, 40000)
	report("p11-admin"+demoDomain, time.Date(2040, 5, 9, 0, 0, 0, 0, time.UTC), []string{"T10"}, []string{"ussd", "agents"}, 10)
	report("p04-admin"+demoDomain, time.Date(2040, 5, 20, 0, 0, 0, 0, time.UTC), []string{"T2"}, []string{"app"}, 10)

	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password)
	page := sup.get("/incidents/statistics?from=2040-04-01&to=2040-06-15")
	cell := func(id, label string, n ...string) string {
		out := `<tr id="` + id + `"><th scope="row">` + label + `</th>`
		for _, v := range n {
			out += `<td class="num">` + v + `</td>`
		}
		return out
	}
	// Twelve demo providers; T10 twice in the window: 2 / 12 = 0.17 a provider a year, likelihood 2 beside its default 4.
	page.want(t, http.StatusOK, "/incidents/statistics?from=2040-04-01&to=2040-06-15",
		"Incidents detected from 1 April 2040 to 15 June 2040, both included: 3 in all, 2 major.",
		cell("threat-count-T10", "T10 · SIM attacks", "2", "2"), cell("threat-count-T2", "T2 · Attacks against credentials", "1", "0"),
		cell("channel-count-ussd", "USSD", "2", "2"), cell("channel-count-agents", "Agents", "1", "1"),
		cell("kind-count-mobile_money_operator", "Mobile money operator", "2", "2", "2"), cell("kind-count-emi", "E-money issuer", "1", "0", "2"),
		cell("month-count-2040-05", "May 2040", "2", "1"),
		cell("frequency-T10", "T10 · SIM attacks", "2", "0.17", "2", "4"), "Observed lower than the default",
		`<svg class="trend-chart incident-chart"`, "05/2040: 2 in all, major 1", "over the 12 providers supervised")
	sup.get("/incidents/statistics?from=2040-06-01&to=2040-05-01").want(t, http.StatusUnprocessableEntity, "", `id="stat-to-error"`)

	prov := s.browser(t)
	prov.signIn("p04-admin"+demoDomain, demo.Password)
	prov.get("/incidents/statistics").want(t, http.StatusForbidden, "/incidents/statistics")
	prov.get("/incidents").lacks(t, `href="/incidents/statistics"`)
}

// TestIncidentSettings: an administrator changes the deadlines and
// thresholds on the settings page; a deadline out of order is refused
// beside its field.
func TestIncidentSettings(t *testing.T) {
	s := newSite(t)
	admin := s.newAdmin(t, "incidents-admin@regulator.test")
	page := admin.get("/settings")
	page.want(t, http.StatusOK, "/settings", `id="deadline-initial-classification" name="deadline-initial-classification" type="number" min="1" max="8760" value="4"`,
		`id="deadline-initial-detection" name="deadline-initial-detection" type="number" min="1" max="8760" value="24"`,
		`id="deadline-final-classification" name="deadline-final-classification" type="number" min="1" max="8760" value="720"`,
		`id="threshold-customers_affected" name="threshold-customers_affected" type="number" min="0" step="1" value="10000"`,
		`id="threshold-data_breach" name="threshold-data_breach" checked`)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.body)[1]
	form := url.Values{"version": {version}, "four_eyes": {"on"}, "deadline-initial-classification": {"2"},
		"deadline-initial-detection": {""}, "deadline-intermediate-classification": {"1"}, "deadline-intermediate-detection": {""},
		"deadline-final-classification": {"240"}, "deadline-final-detection": {""}, "threshold-customers_affected": {"5000"},
		"threshold-duration_hours": {"2"}, "threshold-transaction_value": {"0"}, "threshold-channels_affected": {"3"},
		"threshold-services_affected": {"0"}, "threshold-cross_border": {"on"}}
	admin.post("/settings", form).want(t, http.StatusUnprocessableEntity, "/settings", `id="deadline-intermediate-classification-error"`,
		"falls due before the initial report", `href="#deadline-intermediate-classification"`)
	form.Set("deadline-intermediate-classification", "48")
	admin.post("/settings", form).want(t, http.StatusOK, "/settings?done=settings_saved", `value="48"`, `value="5000"`)
	st, _, err := s.db.Settings(context.Background())
	if err != nil || st.Deadlines().Intermediate.AfterClassificationHours != 48 || st.Deadlines().Initial.AfterDetectionHours != 0 ||
		st.Thresholds().CustomersAffected != 5000 || st.Thresholds().DataBreach || !st.Thresholds().CrossBorder {
		t.Errorf("saved %+v / %+v, %v", st.Deadlines(), st.Thresholds(), err)
	}
	prov := s.browser(t)
	prov.signIn("p04-editor"+demoDomain, demo.Password)
	prov.get("/incidents/new").want(t, http.StatusOK, "/incidents/new", "Intermediate report: within 48 hours of classification",
		"Initial report: within 2 hours of classification")
}
