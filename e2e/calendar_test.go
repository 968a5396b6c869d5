package e2e

import (
	"testing"
	"time"
)

// testCalendarAndSeries walks a supervisor to the calendar by the
// navigation, then to the campaign series and the form that starts one,
// which they fill in and send; and a provider's administrator to their
// calendar and the account page, where they make a feed address. axe checks
// every page.
func testCalendarAndSeries(t *testing.T, env *suite) {
	s := newSite(t, env)
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)
	p.followLink("Calendar")
	p.waitText("h1", "Calendar")
	p.waitVisible("#calendar-counts")
	axe(t, p)
	p.followLink("Next month")
	p.waitVisible("#calendar-counts")
	axe(t, p)

	p.followLink("Campaigns")
	p.followLink("Campaign series")
	p.waitText("h1", "Campaign series")
	axe(t, p)
	p.followLink("New campaign series")
	p.waitVisible("#series-form")
	axe(t, p)
	p.typeInto("#name", "Annual banks self-assessment")
	opens := time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)
	eval[string](p, `document.getElementById("first_opens_on").value = "`+opens+`"`)
	p.click("#kind-bank")
	p.clickAndLoad(`#series-form button[type=submit]`)
	p.waitText("main", "The campaign series is saved.")
	p.waitVisible("#series-ahead")
	axe(t, p)

	a := s.newPage(t, "provider")
	a.signIn(nyotaAdmin)
	a.followLink("Calendar")
	a.waitText("h1", "Calendar")
	axe(t, a)
	a.followLink("Subscribe in your calendar application")
	a.waitVisible("#calendar-feed")
	axe(t, a)
	a.clickAndLoad(`#calendar-feed form button[type=submit]`)
	a.waitVisible("#feed-url")
	axe(t, a)
}
