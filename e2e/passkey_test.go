package e2e

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/web"
)

// newPasskeySite is newSite reached as http://localhost:PORT, the relying
// party its passkeys are bound to: browsers refuse an IP address as one.
func newPasskeySite(t *testing.T, env *suite) *site {
	t.Helper()
	db := cloneDatabase(t, env.template)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	base := "http://localhost:" + port
	rp, err := app.RelyingPartyFor(base)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	application := app.New(db, authz, log, app.Options{Passkeys: rp})
	if !application.PasskeysOn() {
		t.Fatal("passkeys are off with the relying party", rp)
	}
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{url: base, db: db, suite: env, app: application, log: log}
}

// addAuthenticator gives the tab a virtual platform authenticator, as a
// laptop's fingerprint reader: CTAP2, internal, holding discoverable
// passkeys, verifying its user and present at once.
func addAuthenticator(p *page) webauthn.AuthenticatorID {
	p.t.Helper()
	return run(p, "add a virtual authenticator", chromedp.Action[webauthn.AuthenticatorID](
		func(ctx context.Context, t *chromedp.Target) (webauthn.AuthenticatorID, error) {
			if _, err := cdp.Call(ctx, t, webauthn.Enable, webauthn.EnableParams{}); err != nil {
				return "", err
			}
			r, err := cdp.Call(ctx, t, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
				Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
					Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
					IsUserVerified: true, AutomaticPresenceSimulation: true}})
			return r.AuthenticatorID, err
		}))
}

// setUserVerified makes the virtual authenticator verify its user, or fail
// to, as when a fingerprint is not recognised.
func setUserVerified(p *page, id webauthn.AuthenticatorID, verified bool) {
	p.t.Helper()
	p.do("set user verification", chromedp.Action[chromedp.Void](
		func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, webauthn.SetUserVerified, webauthn.SetUserVerifiedParams{AuthenticatorID: id, IsUserVerified: verified})
			return chromedp.Void{}, err
		}))
}

// credentialsOf lists what the virtual authenticator holds.
func credentialsOf(p *page, id webauthn.AuthenticatorID) []*webauthn.Credential {
	p.t.Helper()
	return run(p, "read the authenticator", chromedp.Action[[]*webauthn.Credential](
		func(ctx context.Context, t *chromedp.Target) ([]*webauthn.Credential, error) {
			r, err := cdp.Call(ctx, t, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
			return r.Credentials, err
		}))
}

// lastLogin is the newest sign-in of a user in the audit trail, with its summary.
func lastLogin(t *testing.T, s *site, userID string) map[string]any {
	t.Helper()
	list, _, err := s.db.AuditEvents(context.Background(), domain.System("e2e"),
		store.AuditFilter{Action: "session.login", ObjectID: userID}, store.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatalf("no sign-in of %s is audited", userID)
	}
	var summary map[string]any
	if err := json.Unmarshal(list[0].Summary, &summary); err != nil {
		t.Fatal(err)
	}
	return summary
}

// testPasskey registers a passkey on the account's passkeys page with
// Chromium's virtual authenticator, a real WebAuthn ceremony; signs out and
// in again with the passkey alone; then with the password, after which the
// passkey is the second factor; and removes it. axe checks each new state.
func testPasskey(t *testing.T, env *suite) {
	s := newPasskeySite(t, env)
	p := s.newPage(t, "passkey")
	auth := addAuthenticator(p)
	user := s.actor(t, imaraAdmin)
	p.signIn(imaraAdmin)

	p.followLink("My account")
	p.followLink("Passkeys")
	p.waitText("h1", "Passkeys")
	p.waitText("main", "You have no passkey.")
	p.waitVisible("#passkey-add")
	axe(t, p)

	// A passkey needs a name before the browser is asked for anything.
	p.click(`#passkey-add button[type=submit]`)
	p.waitText("#passkey-name-error", "Passkey name: give the passkey a name")
	if got := eval[string](p, `document.getElementById("passkey-name").getAttribute("aria-invalid") ?? ""`); got != "true" {
		t.Errorf("the empty name's field has aria-invalid %q", got)
	}
	if n := len(credentialsOf(p, auth)); n != 0 {
		t.Fatalf("a nameless passkey was made on the authenticator (%d)", n)
	}
	axe(t, p)

	// A device that cannot verify its user makes no passkey, and the page
	// says so.
	setUserVerified(p, auth, false)
	p.typeInto("#passkey-name", "Work laptop")
	p.click(`#passkey-add button[type=submit]`)
	p.waitText("#passkey-status", "The passkey was not made")
	axe(t, p)
	setUserVerified(p, auth, true)
	p.click(`#passkey-add button[type=submit]`)
	p.waitText("main", "The passkey is added.")
	p.waitText("#passkeys-list", "Work laptop")
	axe(t, p)
	held := credentialsOf(p, auth)
	stored, err := s.db.PasskeysOfUser(context.Background(), user.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 1 || len(stored) != 1 || !held[0].IsResidentCredential ||
		string(held[0].CredentialID) != string(stored[0].CredentialID) || !stored[0].UserVerified ||
		stored[0].Name != "Work laptop" {
		t.Fatalf("the authenticator holds %d passkeys, the account %d (%+v)", len(held), len(stored), stored)
	}

	// Signed out, the passkey alone signs in: no email, no password.
	p.clickAndLoad(`form[action="/signout"] button[type=submit]`)
	p.waitVisible("#passkey-signin button")
	axe(t, p)
	setUserVerified(p, auth, false)
	p.click("#passkey-signin button")
	p.waitText("#passkey-signin-error", "The passkey was not used")
	axe(t, p)
	setUserVerified(p, auth, true)
	p.click("#passkey-signin button")
	p.waitFor("the home page after the passkey", `document.querySelector('form[action="/signout"]') !== null`)
	if got := lastLogin(t, s, user.UserID); got["method"] != "passkey" {
		t.Errorf("the passkey sign-in is audited as %v", got)
	}

	// With the password, the passkey is the second factor.
	p.clickAndLoad(`form[action="/signout"] button[type=submit]`)
	p.typeInto("#email", imaraAdmin)
	p.typeInto("#password", demoPassword)
	p.clickAndLoad(`form[action="/signin"] button[type=submit]`)
	p.waitText("#problems", "Your password is right. Now confirm with your passkey.")
	if eval[bool](p, `document.querySelector('form[action="/signout"]') !== null`) {
		t.Fatal("the right password alone signed in an account with a passkey")
	}
	if eval[bool](p, `document.getElementById("otp") !== null`) {
		t.Error("an account with a passkey and no one-time code is asked for a code")
	}
	p.waitText("#passkey-signin button", "Use your passkey")
	axe(t, p)
	p.click("#passkey-signin button")
	p.waitFor("the home page after the second factor", `document.querySelector('form[action="/signout"]') !== null`)
	if got := lastLogin(t, s, user.UserID); got["method"] != "password and passkey" {
		t.Errorf("the sign-in with the password and the passkey is audited as %v", got)
	}
	after, err := s.db.PasskeysOfUser(context.Background(), user.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if after[0].LastUsedAt == nil || (after[0].SignCount != 0 && after[0].SignCount <= stored[0].SignCount) {
		t.Errorf("after two sign-ins the passkey was last used %v with count %d (was %d)",
			after[0].LastUsedAt, after[0].SignCount, stored[0].SignCount)
	}

	// Removing it asks first.
	p.navigate("/account/passkeys")
	p.followLink("Remove Work laptop")
	p.waitText("h1", "Remove the passkey Work laptop?")
	axe(t, p)
	p.clickAndLoad(`form#confirm button[type=submit]`)
	p.waitText("main", "The passkey is removed.")
	if strings.Contains(p.text("main"), "Work laptop") {
		t.Error("the removed passkey is still listed")
	}
	if left, _ := s.db.PasskeysOfUser(context.Background(), user.UserID); len(left) != 0 {
		t.Errorf("%d passkeys are left after the removal", len(left))
	}
}
