package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"assure/demo"
	"assure/domain"
)

// TestProviderHomeShowsIncidentClocks: Nyota's home page lists its
// incidents whose next report is due, the overdue one first, each with its
// phase, its clock in words and its deadline, in English and in French; it
// shows none of Imara's, and Imara's shows none of Nyota's. A closed
// incident leaves the list; past five the list stops and says so.
func TestProviderHomeShowsIncidentClocks(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	now := time.Date(2027, 3, 2, 14, 0, 0, 0, time.UTC)
	s.db.SetNow(func() time.Time { return now })
	nyota, imara := s.actor("p04-editor"+demoDomain), s.actor("p05-admin"+demoDomain)
	report := func(a domain.Actor, title string) domain.Incident {
		t.Helper()
		i, err := s.app.ReportIncident(ctx, a, domain.NewIncident{ProviderID: a.ProviderID, Title: title,
			DetectedAt: now.Add(-2 * time.Hour), ClassifiedAt: now.Add(-time.Hour),
			Facts: domain.IncidentFacts{Description: "An outage.", CustomersAffected: 10, Channels: []string{"ussd"}}})
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	// The intermediate reports fall due 72 hours after classification: the
	// older one's on 5 March at 13:00, the newer one's on 6 March at 11:00.
	older := report(nyota, "Agent float shortfall")
	now = time.Date(2027, 3, 3, 12, 0, 0, 0, time.UTC)
	newer := report(nyota, "USSD gateway outage")
	rival := report(imara, "Imara card switch down")
	closed := report(nyota, "Phishing page taken down")
	sup := s.actor("supervisor" + demoDomain)
	if _, err := s.app.CloseIncident(ctx, sup, closed.ID, "A false alarm.", closed.Version); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2027, 3, 5, 15, 0, 0, 0, time.UTC)

	prov := s.browser(t)
	prov.signIn("p04-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	home := prov.get("/")
	home.want(t, http.StatusOK, "/", `id="incidents-due"`, "Incident reports due",
		`<a href="/incidents/`+older.ID+`">Agent float shortfall</a>`, `<a href="/incidents/`+newer.ID+`">USSD gateway outage</a>`,
		"Intermediate report", "Overdue by 2 h", "5 March 2027 13:00 UTC", "Due in 20 h", "6 March 2027 11:00 UTC",
		`<span class="tag overdue">Overdue</span>`, `<span class="tag">Running</span>`, `href="/incidents">All your incidents`)
	home.lacks(t, "Imara card switch down", rival.ID, "Phishing page taken down", "Only the 5 incidents", "Nothing is waiting for you.")
	if o, n := strings.Index(home.body, older.ID), strings.Index(home.body, newer.ID); o < 0 || n < o {
		t.Errorf("the overdue incident is not listed first (at %d, the running one at %d)", o, n)
	}

	prov.post("/language", url.Values{"language": {"fr"}, "next": {"/"}})
	prov.get("/").want(t, http.StatusOK, "/", "Rapports d&#39;incident attendus", "Rapport intermédiaire", "En retard de 2 h",
		"5 mars 2027 13:00 UTC", "Échéance dans 20 h", "En cours", "Tous vos incidents")

	other := s.browser(t)
	other.signIn("p05-admin"+demoDomain, demo.Password)
	theirs := other.get("/")
	theirs.want(t, http.StatusOK, "/", "Imara card switch down", "Due in 20 h")
	theirs.lacks(t, "Agent float shortfall", "USSD gateway outage", older.ID, newer.ID)

	// Four more: the first five whose reports fall due first, and a word that there are more.
	for _, title := range []string{"Fifth", "Sixth", "Seventh", "Eighth"} {
		report(nyota, title+" incident")
	}
	prov.post("/language", url.Values{"language": {"en"}, "next": {"/"}})
	many := prov.get("/")
	if n := strings.Count(many.body, `id="due-incident-`); n != 5 {
		t.Errorf("the home page lists %d incidents, want 5", n)
	}
	many.want(t, http.StatusOK, "/", "Only the 5 incidents whose reports fall due first are shown.", older.ID, newer.ID)
}
