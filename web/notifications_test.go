package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"assure/app"
	"assure/notices/smtptest"
)

const demoPassword = "assure-demo-2027"

// TestNotificationCentre signs a provider's editor in: the navigation
// counts the unread notifications the demo's campaigns left, the centre
// lists them, marking all read empties the badge, and the preferences page
// saves what the editor turns off.
func TestNotificationCentre(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.signIn("p01-editor"+demoDomain, demoPassword)
	home := b.get("/")
	home.want(t, http.StatusOK, "/", `href="/notifications"`, `class="badge"`)
	b.get("/notifications").want(t, http.StatusOK, "/notifications", "Campaign ", "is open for ", "Mark all as read")
	b.post("/notifications/read", nil).want(t, http.StatusOK, "/notifications", "Everything is read.")
	b.get("/").lacks(t, `class="badge"`)

	b.get("/account/notifications").want(t, http.StatusOK, "/account/notifications", "A campaign opens for my provider",
		`name="email" value="campaign.opened" checked`)
	b.post("/account/notifications", url.Values{"in_app": {"campaign.opened"}}).want(t, http.StatusOK,
		"/account/notifications?done=preferences_saved", "Your notification preferences are saved.")
	page := b.get("/account/notifications")
	page.want(t, http.StatusOK, "", `name="in_app" value="campaign.opened" checked`)
	page.lacks(t, `name="email" value="campaign.opened" checked`, "always sent")

	fr := s.browser(t)
	fr.signIn("p02-admin"+demoDomain, demoPassword)
	fr.post("/language", url.Values{"language": {"fr"}, "next": {"/notifications"}}).want(t, http.StatusOK, "/notifications",
		"La campagne ", "Tout marquer comme lu")
	fr.get("/account/notifications").want(t, http.StatusOK, "", "toujours envoyé")
}

var pageLink = regexp.MustCompile(`https://assure\.test(/[a-z/]+\?token=assure_l_[A-Za-z0-9_-]+)`)

// TestInvitationAndResetPages invites an editor from the users page: the
// e-mail's link opens a page that sets the password, signs the invitee in
// and leads to the second factor; the link then no longer works. A
// forgotten password is reset from the sign-in page's link, and the page
// answers alike for an address nobody has.
func TestInvitationAndResetPages(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	cfg := srv.SMTP()
	s := newSiteWith(t, app.Options{SMTP: &cfg, PublicURL: "https://assure.test"})
	deliver := func() {
		t.Helper()
		if _, err := s.app.DeliverMail(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	admin := s.browser(t)
	admin.signIn("p03-admin"+demoDomain, demoPassword)
	admin.get("/users").want(t, http.StatusOK, "/users", "Invite the editor", "Language of the invitation")
	added := admin.post("/users", url.Values{"email": {"efua@p03.test"}, "name": {"Efua Owusu"}, "language": {"fr"}})
	added.want(t, http.StatusOK, "", "The invitation is e-mailed.", "Invited or reset; waits for the e-mailed link",
		"Send the invitation again")
	deliver()
	msgs := srv.To("efua@p03.test")
	if len(msgs) != 1 || msgs[0].Subject != "Votre compte Assure" {
		t.Fatalf("invitation e-mails: %+v", msgs)
	}
	link := pageLink.FindStringSubmatch(msgs[0].Body)[1]

	invitee := s.browser(t)
	invitee.get(link).want(t, http.StatusOK, "", "Welcome to Assure", `name="token"`)
	invitee.post("/invitation", url.Values{"token": {link[len("/invitation?token="):]}, "password": {"kente and cocoa beans"},
		"repeat_password": {"kente and cocoa bean"}}).want(t, http.StatusUnprocessableEntity, "", "The two new passwords are not the same.")
	joined := invitee.post("/invitation", url.Values{"token": {link[len("/invitation?token="):]},
		"password": {"kente and cocoa beans"}, "repeat_password": {"kente and cocoa beans"}})
	joined.want(t, http.StatusOK, "/account/totp?done=joined", "Efua Owusu")
	again := s.browser(t)
	again.get(link)
	again.post("/invitation", url.Values{"token": {link[len("/invitation?token="):]}, "password": {"kente and cocoa beans"},
		"repeat_password": {"kente and cocoa beans"}}).want(t, http.StatusUnprocessableEntity, "", "This link does not work")

	visitor := s.browser(t)
	visitor.get("/signin").want(t, http.StatusOK, "", `href="/password/forgot"`)
	visitor.get("/password/forgot")
	unknown := visitor.post("/password/forgot", url.Values{"email": {"nobody@p03.test"}})
	unknown.want(t, http.StatusOK, "", "a link to choose a new password is on its way")
	visitor.get("/password/forgot")
	known := visitor.post("/password/forgot", url.Values{"email": {"p03-editor" + demoDomain}})
	known.want(t, http.StatusOK, "", "a link to choose a new password is on its way")
	before := len(srv.To("p03-editor" + demoDomain)) // the demo's own notices went with the invitation
	deliver()
	msgs = srv.To("p03-editor" + demoDomain)[before:]
	if len(msgs) != 1 || len(srv.To("nobody@p03.test")) != 0 {
		t.Fatalf("reset e-mails: %d to the editor, %d to nobody", len(msgs), len(srv.To("nobody@p03.test")))
	}
	reset := pageLink.FindStringSubmatch(msgs[0].Body)[1]
	visitor.get(reset).want(t, http.StatusOK, "", "Choose a new password")
	visitor.post("/password/reset", url.Values{"token": {reset[len("/password/reset?token="):]},
		"password": {"a brand new passphrase"}, "repeat_password": {"a brand new passphrase"}}).want(t, http.StatusOK,
		"/?done=password_set", "Your password is set.")
	s.browser(t).signIn("p03-editor"+demoDomain, demoPassword).want(t, http.StatusUnauthorized, "", "")
}
