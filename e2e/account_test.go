package e2e

import (
	"strings"
	"testing"
)

// testFindingsUsersAccount walks Nyota's administrator through the pages
// beyond the filing screen by their links: the findings, one open finding,
// answered with a plan and a note as work starts, which the finding's
// history then shows; the provider's users; the account with its password
// and second-factor pages; the notification centre and its preferences;
// the forgotten-password page and a link that does not work. axe checks
// every page.
func testFindingsUsersAccount(t *testing.T, env *suite) {
	s := newSite(t, env)
	p := s.newPage(t, "admin")
	p.signIn(nyotaAdmin)

	p.followLink("Findings")
	p.waitText("h1", "Findings")
	const title = "Privileged access not reviewed quarterly"
	p.waitText("main", title)
	axe(t, p)

	p.followLink(title)
	p.waitText("h1", title)
	p.waitText("dl.facts", "Open")
	axe(t, p)
	const plan = "Quarterly access review by the CISO, first one by the end of the month."
	const note = "Review template agreed with internal audit."
	p.typeInto("#remediation_plan", plan)
	p.typeInto("#note", note)
	p.clickAndLoad(`form[action$="/respond"] button[value=start]`)
	p.waitText("main", "Work on the finding has started.")
	p.waitText("dl.facts", "In progress")
	p.waitText("main", plan)
	history := eval[[]string](p, `[...document.querySelectorAll("ol.history li")].map(li => li.textContent.replace(/\s+/g, " ").trim())`)
	found := false
	for _, h := range history {
		found = found || (strings.Contains(h, nyotaAdmin) && strings.Contains(h, "Open to In progress") && strings.Contains(h, note))
	}
	if !found {
		t.Errorf("the finding's history %q has no step by %s from Open to In progress with the note", history, nyotaAdmin)
	}
	if got := eval[string](p, `document.getElementById("remediation_plan").value`); got != plan {
		t.Errorf("after the answer the plan's field holds %q, want %q", got, plan)
	}
	axe(t, p)

	p.followLink("Users")
	p.waitText("h1", "Users")
	for _, email := range []string{nyotaAdmin, "p04-editor@demo.assure.local"} {
		p.waitText("table.list", email)
	}
	if strings.Contains(p.text("table.list"), "p05-") {
		t.Error("Nyota's users page lists another provider's users")
	}
	axe(t, p)

	p.followLink("My account")
	p.waitText("h1", "My account")
	p.waitText("dl.facts", nyotaAdmin)
	axe(t, p)

	p.followLink("Change your password")
	p.waitText("h1", "Change your password")
	p.waitVisible("#current_password")
	axe(t, p)

	p.navigate("/account")
	p.followLink("Set up a second factor")
	p.waitText("h1", "Second factor")
	p.waitVisible(`form[action="/account/totp/start"] button[type=submit]`)
	axe(t, p)

	// The notification centre, from the navigation, whose badge counts
	// what is not read yet, and what one is told.
	p.waitVisible(`nav a[href="/notifications"] .badge`)
	p.clickAndLoad(`nav a[href="/notifications"]`)
	p.waitText("h1", "Notifications")
	p.waitText("#notifications-list", "is open for")
	axe(t, p)
	p.clickAndLoad(`#mark-all-read button`)
	p.waitText("#notifications-summary", "Everything is read.")
	p.navigate("/account")
	p.followLink("Notification preferences")
	p.waitText("h1", "Notification preferences")
	p.waitVisible(`#preferences input[name=email]`)
	axe(t, p)

	// The pages of the links e-mails carry, and the request for one.
	p.navigate("/password/forgot")
	p.waitText("h1", "Forgot your password?")
	axe(t, p)
	p.navigate("/invitation?token=assure_l_looks-like-one")
	p.waitText("h1", "Welcome to Assure")
	p.waitVisible("#repeat_password")
	axe(t, p)
	p.navigate("/password/reset?token=broken")
	p.waitText("#dead-link", "This link does not work")
	axe(t, p)
}
