package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// adminPassword is the password of the administrator the tests add to the
// demo sector, which has none.
const adminPassword = "the administrator's long passphrase"

// newAdmin adds an administrator who chose their own password and returns a
// browser signed in as them.
func (s *site) newAdmin(t *testing.T, email string) *browser {
	t.Helper()
	if _, err := s.db.CreateUser(context.Background(), domain.System("test"), store.NewUser{Email: email,
		Name: "Ada Admin", Role: domain.RoleAdmin, Password: adminPassword}); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.signIn(email, adminPassword).want(t, http.StatusOK, "/", "You administer Assure")
	return b
}

// postUpload sends a multipart form with one file, with the CSRF token of the
// last page shown.
func (b *browser) postUpload(path, field, filename string, content []byte, fields url.Values) answer {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile(field, filename)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

var secretValue = regexp.MustCompile(`id="secret-value">([^<]+)<`)

func secretOf(t *testing.T, a answer) string {
	t.Helper()
	m := secretValue.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("the page at %s shows no secret:\n%s", a.path, a.body)
	}
	if cc := a.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the page with the secret has Cache-Control %q", cc)
	}
	return html.UnescapeString(m[1])
}

func TestAdministratorPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	providers, _, err := s.db.Providers(ctx, domain.System("test"), store.ProviderFilter{}, store.Page{Limit: 50})
	if err != nil || len(providers) < 2 {
		t.Fatalf("demo providers: %v", err)
	}
	nyota := providers[0]
	for _, p := range providers {
		if p.ShortName == "Nyota" {
			nyota = p
		}
	}

	t.Run("an admin adds users by role and provider; bad input is shown next to its field", func(t *testing.T) {
		admin := s.newAdmin(t, "ada@regulator.test")
		page := admin.get("/users")
		page.want(t, http.StatusOK, "/users", `id="role"`, `<option value="`+nyota.ID+`"`, "Add a user")

		bad := admin.post("/users", url.Values{"email": {"nope"}, "name": {"Zed"}, "role": {"provider_editor"}})
		bad.want(t, http.StatusUnprocessableEntity, "/users", `id="email-error"`, `id="provider-error"`, `href="#provider"`,
			"Choose the provider for a provider role")
		admin.post("/users", url.Values{"email": {"zed@regulator.test"}, "name": {"Zed"}, "role": {"supervisor"},
			"provider": {nyota.ID}}).want(t, http.StatusUnprocessableEntity, "/users", `id="provider-error"`)
		if _, err := s.db.UserByEmail(ctx, "zed@regulator.test"); domain.ErrorCodeOf(err) != domain.ENotFound {
			t.Errorf("a refused user exists: %v", err)
		}

		// A supervisor is only requested: it waits for another admin, who
		// alone sees its first password.
		made := admin.post("/users", url.Values{"email": {"zed@regulator.test"}, "name": {"Zed Supervisor"}, "role": {"supervisor"}})
		made.want(t, http.StatusOK, "/users/requests?done=sent_for_approval", "Sent for approval by another administrator",
			"Create the account of Zed Supervisor (zed@regulator.test) as Supervisor")
		made.lacks(t, "/approve")
		if _, err := s.db.UserByEmail(ctx, "zed@regulator.test"); domain.ErrorCodeOf(err) != domain.ENotFound {
			t.Fatalf("the requested supervisor exists before approval: %v", err)
		}
		admin.post("/users", url.Values{"email": {"zoe@regulator.test"}, "name": {"Zoe"}, "role": {"auditor"},
			"password": {"a chosen first password"}}).want(t, http.StatusUnprocessableEntity, "/users", `id="password-error"`,
			"Leave it empty for this role")
		pending, _, err := s.db.IdentityRequests(ctx, domain.System("test"), store.IdentityRequestFilter{State: domain.RequestPending}, store.Page{})
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending requests = %+v, %v", pending, err)
		}
		approve := "/users/requests/" + pending[0].ID + "/approve"
		admin.get(approve).want(t, http.StatusForbidden, "")
		second := s.newAdmin(t, "abe@regulator.test")
		second.get("/").want(t, http.StatusOK, "/", "Requests waiting for a second administrator: 1")
		second.get("/users/requests").want(t, http.StatusOK, "", `href="`+approve+`"`, "ada@regulator.test")
		second.get(approve).want(t, http.StatusOK, "", "Approve this change?", "Create the account of Zed Supervisor")
		approved := second.post(approve, nil)
		approved.want(t, http.StatusOK, approve, "Zed Supervisor", "The user is added. Their first password:")
		first := secretOf(t, approved)
		zed, err := s.db.UserByEmail(ctx, "zed@regulator.test")
		if err != nil || zed.Role != domain.RoleSupervisor || !zed.MustChangePassword {
			t.Fatalf("the new user: %+v, %v", zed, err)
		}
		admin.get("/users/"+zed.ID).lacks(t, first)
		decided := admin.get("/users/requests?state=approved")
		decided.want(t, http.StatusOK, "", "abe@regulator.test")
		decided.lacks(t, first)
		second.get("/users").lacks(t, first)
		newcomer := s.browser(t)
		newcomer.signIn(zed.Email, first).want(t, http.StatusOK, "/account/password")

		admin.post("/users", url.Values{"email": {"ed@nyota.example"}, "name": {"Ed Nyota"}, "role": {"provider_editor"},
			"provider": {nyota.ID}, "password": {"a chosen first password"}}).
			want(t, http.StatusOK, "", "Ed Nyota", "Nyota", "The user is added.")

		list := admin.get("/users?role=provider_editor&provider=" + nyota.ID)
		list.want(t, http.StatusOK, "", "ed@nyota.example", "p04-editor@demo.assure.local")
		list.lacks(t, "p01-editor@demo.assure.local", "zed@regulator.test")
		found := admin.get("/users?q=ZED")
		found.want(t, http.StatusOK, "", "zed@regulator.test")
		found.lacks(t, "p04-editor@demo.assure.local")
	})

	t.Run("an admin changes a role at the version shown; a stale version is a conflict", func(t *testing.T) {
		admin := s.newAdmin(t, "bea@regulator.test")
		u, err := s.db.UserByEmail(ctx, "p05-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		path := "/users/" + u.ID
		admin.get(path).want(t, http.StatusOK, path, `name="version" value="`+fmt.Sprint(u.Version)+`"`, "Role and provider")
		admin.post(path, url.Values{"role": {"provider_admin"}, "provider": {u.ProviderID}, "version": {fmt.Sprint(u.Version + 7)}}).
			want(t, http.StatusConflict, path, "Someone changed this user since you opened the page")
		admin.post(path, url.Values{"role": {"provider_admin"}, "provider": {""}, "version": {fmt.Sprint(u.Version)}}).
			want(t, http.StatusUnprocessableEntity, path, `id="provider-error"`)
		admin.post(path, url.Values{"role": {"provider_admin"}, "provider": {u.ProviderID}, "version": {fmt.Sprint(u.Version)}}).
			want(t, http.StatusOK, path+"?done=user_changed", "Provider administrator", "The role and provider are saved.")
		admin.post(path, url.Values{"role": {"provider_editor"}, "provider": {u.ProviderID}, "version": {fmt.Sprint(u.Version)}}).
			want(t, http.StatusConflict, path, "Someone changed this user")
		if after, _ := s.db.User(ctx, domain.System("test"), u.ID); after.Role != domain.RoleProviderAdmin {
			t.Errorf("a stale change went through: %s", after.Role)
		}
	})

	t.Run("an admin resets a password, seen once; disables and enables a user after confirming", func(t *testing.T) {
		admin := s.newAdmin(t, "cy@regulator.test")
		u, err := s.db.UserByEmail(ctx, "p06-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		path := "/users/" + u.ID
		old := s.browser(t)
		old.signIn(u.Email, demo.Password).want(t, http.StatusOK, "/")

		admin.get(path+"/reset-password").want(t, http.StatusOK, "", "Reset the password of "+u.Name+"?",
			`action="`+path+`/reset-password"`)
		reset := admin.post(path+"/reset-password", nil)
		reset.want(t, http.StatusOK, path+"/reset-password", "The password is reset.")
		temporary := secretOf(t, reset)
		if strings.Contains(reset.path, temporary) {
			t.Error("the temporary password is in the address")
		}
		admin.get(path).lacks(t, temporary)
		if a := old.get("/findings"); !strings.HasPrefix(a.path, "/signin") {
			t.Errorf("a session from before the reset still opens %s", a.path)
		}
		s.browser(t).signIn(u.Email, demo.Password).want(t, http.StatusUnauthorized, "/signin")
		s.browser(t).signIn(u.Email, temporary).want(t, http.StatusOK, "/account/password")

		admin.get(path+"/disable").want(t, http.StatusOK, "", "Disable "+u.Name+"?")
		admin.post(path+"/disable", nil).want(t, http.StatusOK, path+"?done=disabled", "Disabled", `href="`+path+`/enable"`)
		s.browser(t).signIn(u.Email, temporary).want(t, http.StatusUnauthorized, "/signin")
		admin.get("/users?status=disabled").want(t, http.StatusOK, "", u.Email)
		admin.get(path+"/enable").want(t, http.StatusOK, "", "Enable "+u.Name+" again?")
		admin.post(path+"/enable", nil).want(t, http.StatusOK, path+"?done=enabled", "The user is enabled")
		s.browser(t).signIn(u.Email, temporary).want(t, http.StatusOK, "/account/password")
	})

	t.Run("a supervisor's password reset waits; the user's page says so; another admin rejects it", func(t *testing.T) {
		admin := s.newAdmin(t, "dot@regulator.test")
		u, err := s.db.UserByEmail(ctx, "supervisor2"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		path := "/users/" + u.ID
		admin.get(path).want(t, http.StatusOK, path, "needs approval")
		admin.get(path+"/reset-password").want(t, http.StatusOK, "", "This waits for another administrator", "Ask for approval")
		sent := admin.post(path+"/reset-password", nil)
		sent.want(t, http.StatusOK, path+"?done=sent_for_approval", "Sent for approval by another administrator",
			`id="pending-requests"`, "Reset the password of "+u.Email)
		sent.lacks(t, `id="secret"`)
		s.browser(t).signIn(u.Email, demo.Password).want(t, http.StatusOK, "/")
		pending, _, err := s.db.IdentityRequests(ctx, domain.System("test"), store.IdentityRequestFilter{State: domain.RequestPending,
			TargetID: u.ID}, store.Page{})
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending requests = %+v, %v", pending, err)
		}
		reject := "/users/requests/" + pending[0].ID + "/reject"
		second := s.newAdmin(t, "eli@regulator.test")
		second.get(reject).want(t, http.StatusOK, "", "Reject this change?", `id="reason"`)
		second.post(reject, url.Values{"reason": {"Ask the supervisor first."}}).
			want(t, http.StatusOK, "/users/requests?done=request_rejected", "The request is rejected")
		second.get("/users/requests?state=rejected").want(t, http.StatusOK, "", "Ask the supervisor first.", "Rejected")
		second.post("/users/requests/"+pending[0].ID+"/approve", nil).want(t, http.StatusConflict, "", "cannot be decided as it stands")
		admin.get(path).lacks(t, `id="pending-requests"`)
		s.browser(t).signIn(u.Email, demo.Password).want(t, http.StatusOK, "/")
	})

	t.Run("an admin removes a user's second factor after confirming", func(t *testing.T) {
		admin := s.newAdmin(t, "fay@regulator.test")
		u, err := s.db.UserByEmail(ctx, "p07-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		actor := domain.ActorFor(u)
		secret, _, err := s.app.StartTOTP(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		code, err := domain.TOTPCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.app.ConfirmTOTP(ctx, actor, code); err != nil {
			t.Fatal(err)
		}
		path := "/users/" + u.ID
		admin.get(path).want(t, http.StatusOK, path, `href="`+path+`/reset-totp"`)
		admin.get(path+"/reset-totp").want(t, http.StatusOK, "", "Remove the second factor of "+u.Name+"?")
		admin.post(path+"/reset-totp", nil).want(t, http.StatusOK, path+"?done=totp_reset", "The second factor is removed.")
		if after, _ := s.db.User(ctx, domain.System("test"), u.ID); after.TOTPEnabled {
			t.Error("the second factor is still on")
		}
		admin.get(path).lacks(t, `href="`+path+`/reset-totp"`)
	})

	t.Run("an admin unlocks a user locked out from an address", func(t *testing.T) {
		admin := s.newAdmin(t, "hal@regulator.test")
		u, err := s.db.UserByEmail(ctx, "p08-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		for range domain.AccountAddressThrottle.LockAfter {
			s.browser(t).signIn(u.Email, "a wrong guess at it").want(t, http.StatusUnauthorized, "/signin")
		}
		s.browser(t).signIn(u.Email, demo.Password).want(t, http.StatusUnauthorized, "/signin", "Too many failed attempts")

		// The provider's administrator may not unlock; the page offers nothing.
		pa := s.browser(t)
		pa.signIn("p08-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		path := "/users/" + u.ID
		pa.get(path).lacks(t, `id="unlock-user"`)
		pa.post(path+"/unlock", nil).want(t, http.StatusForbidden, "")

		admin.get(path).want(t, http.StatusOK, path, `<form method="post" action="`+path+`/unlock" id="unlock-user"`, "Unlock sign-in")
		admin.post(path+"/unlock", nil).want(t, http.StatusOK, path+"?done=unlocked", "Sign-in is unlocked")
		s.browser(t).signIn(u.Email, demo.Password).want(t, http.StatusOK, "/")
	})

	t.Run("wrong current passwords lock the password change, not sign-in, until an admin unlocks", func(t *testing.T) {
		admin := s.newAdmin(t, "ike@regulator.test")
		u, err := s.db.UserByEmail(ctx, "p09-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		owner := s.browser(t)
		owner.signIn(u.Email, demo.Password).want(t, http.StatusOK, "/")
		change := func(current string) answer {
			return owner.post("/account/password", url.Values{"current_password": {current},
				"new_password": {"the owner's new passphrase"}, "repeat_password": {"the owner's new passphrase"}})
		}
		for range domain.SecretThrottle.LockAfter {
			change("not the current one").want(t, http.StatusUnprocessableEntity, "/account/password", `id="current_password-error"`)
		}
		locked := change(demo.Password)
		locked.want(t, http.StatusUnprocessableEntity, "/account/password", "Too many wrong entries here")
		locked.lacks(t, "Sign-in is locked")
		s.browser(t).signIn(u.Email, demo.Password).want(t, http.StatusOK, "/")

		admin.post("/users/"+u.ID+"/unlock", nil).want(t, http.StatusOK, "/users/"+u.ID+"?done=unlocked")
		change(demo.Password).want(t, http.StatusOK, "/?done=password", "Your password is changed.")
	})

	t.Run("the administrator's pages speak French", func(t *testing.T) {
		admin := s.newAdmin(t, "gil@regulator.test")
		admin.post("/language", url.Values{"language": {"fr"}, "next": {"/settings"}})
		admin.get("/").want(t, http.StatusOK, "/", "Vous administrez Assure")
		admin.get("/settings").want(t, http.StatusOK, "/settings", "Approbation à quatre yeux", "12 heures", "7 jours")
		admin.get("/account/tokens").want(t, http.StatusOK, "/account/tokens", "Créer un jeton")
		admin.get("/catalogs/upload").want(t, http.StatusOK, "/catalogs/upload", "Fichier de référentiel")
		admin.get("/users").want(t, http.StatusOK, "/users", "Ajouter un utilisateur", "Aucun prestataire")
	})

	t.Run("a provider admin sees only their provider's users and no admin page", func(t *testing.T) {
		pa := s.browser(t)
		pa.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		other := providers[0]
		if other.ID == nyota.ID {
			other = providers[1]
		}
		list := pa.get("/users?provider=" + other.ID)
		list.want(t, http.StatusOK, "", "p04-editor@demo.assure.local", "Add an editor")
		list.lacks(t, "p01-", "p02-", "supervisor@", `id="role"`)
		stranger, err := s.db.UserByEmail(ctx, "p01-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		pa.get("/users/"+stranger.ID).want(t, http.StatusNotFound, "")
		pa.get("/users/"+stranger.ID+"/disable").want(t, http.StatusNotFound, "")
		own, err := s.db.UserByEmail(ctx, "p04-editor"+demoDomain)
		if err != nil {
			t.Fatal(err)
		}
		ownPage := pa.get("/users/" + own.ID)
		ownPage.want(t, http.StatusOK, "", `href="/users/`+own.ID+`/disable"`)
		ownPage.lacks(t, `action="/users/`+own.ID+`"`, "reset-password")
		pa.post("/users/"+own.ID, url.Values{"role": {"provider_admin"}, "provider": {nyota.ID}, "version": {fmt.Sprint(own.Version)}}).
			want(t, http.StatusForbidden, "")
		pa.get("/settings").want(t, http.StatusForbidden, "/settings")
		pa.get("/catalogs/upload").want(t, http.StatusForbidden, "/catalogs/upload")
	})

	t.Run("a supervisor may not open the settings or publish a framework", func(t *testing.T) {
		sup := s.browser(t)
		sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		sup.get("/settings").want(t, http.StatusForbidden, "/settings")
		sup.get("/catalogs").want(t, http.StatusOK, "/catalogs", "x1150")
		sup.post("/settings", url.Values{"version": {"1"}}).want(t, http.StatusForbidden, "/settings")
		x1150, err := os.ReadFile("../frameworks/x1150.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sup.get("/catalogs")
		sup.postUpload("/catalogs/upload", "file", "x.yaml", bytes.Replace(x1150, []byte(`version: "1.0"`), []byte(`version: "9.9"`), 1),
			url.Values{"action": {"publish"}}).want(t, http.StatusForbidden, "/catalogs/upload")
		if _, err := s.db.Framework(ctx, store.FrameworkRef{ID: "x1150", Version: "9.9"}); domain.ErrorCodeOf(err) != domain.ENotFound {
			t.Errorf("a supervisor published a framework: %v", err)
		}
	})

	t.Run("an admin changes the settings at the version shown", func(t *testing.T) {
		admin := s.newAdmin(t, "dee@regulator.test")
		before, version, err := s.db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		page := admin.get("/settings")
		page.want(t, http.StatusOK, "/settings", `id="four_eyes" name="four_eyes" checked`, "12 hours", "7 days",
			`name="version" value="`+fmt.Sprint(version)+`"`)
		admin.post("/settings", url.Values{"totp_roles": {"supervisor", "wizard"}, "four_eyes": {"on"}, "version": {fmt.Sprint(version)}}).
			want(t, http.StatusUnprocessableEntity, "/settings", "Choose only roles from the list.")
		admin.post("/settings", url.Values{"totp_roles": {"auditor"}, "version": {fmt.Sprint(version)}}).
			want(t, http.StatusOK, "/settings?done=settings_saved", "The settings are saved.", `id="totp-auditor" name="totp_roles" value="auditor" checked`)
		after, _, err := s.db.Settings(ctx)
		if err != nil || after.FourEyes || !after.RequiresTOTP(domain.RoleAuditor) {
			t.Errorf("saved settings %+v (before %+v): %v", after, before, err)
		}
		admin.post("/settings", url.Values{"four_eyes": {"on"}, "version": {fmt.Sprint(version)}}).
			want(t, http.StatusConflict, "/settings", "Someone changed the settings")
		events, _, err := s.db.AuditEvents(ctx, domain.System("test"), store.AuditFilter{Action: "settings.update"}, store.Page{})
		if err != nil || len(events) != 1 {
			t.Errorf("settings.update events: %d, %v", len(events), err)
		}
		// Put the settings back for the other cases.
		if _, err := s.db.UpdateSettings(ctx, domain.System("test"), before, 0); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a personal API token is shown once, listed, works and is revoked", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("p03-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		b.get("/account").want(t, http.StatusOK, "/account", `href="/account/tokens"`)
		b.get("/account/tokens").want(t, http.StatusOK, "/account/tokens", "Authorization: Bearer", "You have no API token.")
		tooLate := time.Now().UTC().AddDate(2, 0, 0).Format(time.DateOnly)
		b.post("/account/tokens", url.Values{"name": {" "}, "expires_at": {tooLate}}).
			want(t, http.StatusUnprocessableEntity, "/account/tokens", `id="name-error"`, `id="expires_at-error"`)
		b.post("/account/tokens", url.Values{"name": {"filing robot"}, "expires_at": {"soon"}}).
			want(t, http.StatusUnprocessableEntity, "/account/tokens", `id="expires_at-error"`)
		expires := time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly)
		made := b.post("/account/tokens", url.Values{"name": {"filing robot"}, "expires_at": {expires}})
		made.want(t, http.StatusCreated, "/account/tokens", "Your new token filing robot")
		secret := secretOf(t, made)
		if !strings.HasPrefix(secret, domain.APITokenPrefix) {
			t.Fatalf("the token %q has not the API token prefix", secret)
		}
		later := b.get("/account/tokens")
		later.want(t, http.StatusOK, "/account/tokens", "filing robot", "Active", "Not yet")
		later.lacks(t, secret)

		api := func() int {
			req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var me struct{ Email string }
			json.NewDecoder(res.Body).Decode(&me)
			if res.StatusCode == http.StatusOK && me.Email != "p03-admin"+demoDomain {
				t.Errorf("the token acts as %q", me.Email)
			}
			return res.StatusCode
		}
		if code := api(); code != http.StatusOK {
			t.Fatalf("the new token gets %d from the API", code)
		}
		m := regexp.MustCompile(`href="(/account/tokens/[0-9a-f-]+/revoke)"`).FindStringSubmatch(later.body)
		if m == nil {
			t.Fatal("no revoke link")
		}
		b.get(m[1]).want(t, http.StatusOK, m[1], "Revoke the token filing robot?")
		b.post(m[1], nil).want(t, http.StatusOK, "/account/tokens?done=token_revoked", "Revoked")
		if code := api(); code != http.StatusUnauthorized {
			t.Errorf("a revoked token gets %d from the API", code)
		}
		other := s.browser(t)
		other.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		other.get(m[1]).want(t, http.StatusNotFound, m[1])
	})

	t.Run("a framework file with errors shows each with its line and column; a valid one is published once", func(t *testing.T) {
		admin := s.newAdmin(t, "eve@regulator.test")
		admin.get("/catalogs").want(t, http.StatusOK, "/catalogs", "x1150", `href="/catalogs/upload"`)
		admin.get("/catalogs/upload").want(t, http.StatusOK, "/catalogs/upload", `type="file"`)
		broken, err := os.ReadFile("../frameworks/testdata/broken.yaml")
		if err != nil {
			t.Fatal(err)
		}
		checked := admin.postUpload("/catalogs/upload", "file", "broken.yaml", broken, url.Values{"action": {"check"}})
		checked.want(t, http.StatusUnprocessableEntity, "/catalogs/upload", `id="file-error"`, "The file has 11 problems",
			"<td class=\"at\">28</td>\n    <td class=\"at\">24</td>\n    <td><code>threats[0].stages[1]</code></td>\n    <td>stage &#34;moon&#34; is not defined</td>",
			"<td class=\"at\">66</td>")
		if n := strings.Count(checked.body, `<td class="at">`); n != 22 {
			t.Errorf("the problem table has %d line and column cells, want 22", n)
		}
		checked.lacks(t, `id="framework-publish"`)
		admin.postUpload("/catalogs/upload", "file", "", nil, nil).
			want(t, http.StatusUnprocessableEntity, "/catalogs/upload", `id="file-error"`)
		admin.get("/catalogs")
		admin.postUpload("/catalogs/upload", "file", "big.yaml", bytes.Repeat([]byte("#"), 2<<20+1), nil).
			want(t, http.StatusRequestEntityTooLarge, "/catalogs/upload", "The file is larger than 2 MB.")

		x1150, err := os.ReadFile("../frameworks/x1150.yaml")
		if err != nil {
			t.Fatal(err)
		}
		next := bytes.Replace(x1150, []byte(`version: "1.0"`), []byte(`version: "9.1"`), 1)
		valid := admin.postUpload("/catalogs/upload", "file", "x1150-9.1.yaml", next, url.Values{"action": {"check"}})
		valid.want(t, http.StatusOK, "/catalogs/upload", "x1150-9.1.yaml is valid", `id="framework-publish"`, "Publish version 9.1")
		content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(valid.body)
		if content == nil {
			t.Fatal("the publish form does not carry the file")
		}
		publish := url.Values{"action": {"publish"}, "filename": {"x1150-9.1.yaml"}, "content": {html.UnescapeString(content[1])}}
		admin.postUpload("/catalogs/upload", "", "", nil, publish).
			want(t, http.StatusOK, "/catalogs/x1150/9.1?done=published", "The framework version is published.", "Account and session hijacking")
		admin.get("/catalogs")
		admin.postUpload("/catalogs/upload", "", "", nil, publish).
			want(t, http.StatusOK, "/catalogs/x1150/9.1?done=already_published", "already published with exactly this content")
		changed := bytes.Replace(next, []byte("Account and session hijacking"), []byte("Account takeover"), 1)
		admin.get("/catalogs")
		admin.postUpload("/catalogs/upload", "file", "x1150-9.1.yaml", changed, url.Values{"action": {"publish"}}).
			want(t, http.StatusConflict, "/catalogs/upload", "Version 9.1 of x1150 is already published with different content")
		tampered := url.Values{"action": {"publish"}, "filename": {"x.yaml"}, "content": {"bm90IHlhbWw6IFs="}}
		admin.get("/catalogs")
		admin.postUpload("/catalogs/upload", "", "", nil, tampered).want(t, http.StatusUnprocessableEntity, "/catalogs/upload", "file-problems")
	})

	t.Run("an OWASP MASVS file is read as MASVS, given the version it does not state", func(t *testing.T) {
		admin := s.newAdmin(t, "mas@regulator.test")
		admin.get("/catalogs/upload").want(t, http.StatusOK, "/catalogs/upload", `id="version"`)
		masvs := []byte("metadata:\n  title: Mobile app standard\n  version: vx.x.x\ngroups:\n" +
			"- id: MASVS-STORAGE\n  index: 1\n  title: Storage\n  description: Where data rests.\n  controls:\n" +
			"  - id: MASVS-STORAGE-1\n    statement: The app stores sensitive data safely.\n    description: Data at rest is protected.\n")
		admin.postUpload("/catalogs/upload", "file", "masvs.yaml", masvs, url.Values{"action": {"check"}}).
			want(t, http.StatusUnprocessableEntity, "/catalogs/upload", "metadata.version")
		admin.get("/catalogs/upload")
		valid := admin.postUpload("/catalogs/upload", "file", "masvs.yaml", masvs, url.Values{"action": {"check"}, "version": {"2.1.0"}})
		valid.want(t, http.StatusOK, "/catalogs/upload", "masvs.yaml is valid", "Publish version 2.1.0", `name="version" value="2.1.0"`)
		content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(valid.body)
		if content == nil {
			t.Fatal("the publish form does not carry the file")
		}
		admin.postUpload("/catalogs/upload", "", "", nil, url.Values{"action": {"publish"}, "filename": {"masvs.yaml"},
			"content": {html.UnescapeString(content[1])}, "version": {"2.1.0"}}).
			want(t, http.StatusOK, "/catalogs/owasp-masvs/2.1.0?done=published", "CC BY-SA 4.0", "Storage", "L1")
	})

	t.Run("the catalog is browsed by threat and searched", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("p02-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		b.get("/catalogs").want(t, http.StatusOK, "/catalogs", `href="/catalogs/x1150/1.0"`)
		b.get("/catalogs/x1150/1.0").want(t, http.StatusOK, "", `href="/catalogs/x1150/1.0/threats/T1"`, "Account and session hijacking")
		b.get("/catalogs/x1150/1.0/threats/T1").want(t, http.StatusOK, "", `id="control-C1"`, "Session timeout, password policy and lockout")
		found := b.get("/catalogs/x1150/1.0/controls?q=lockout")
		found.want(t, http.StatusOK, "", `id="control-C1"`)
		if n := strings.Count(found.body, `class="control"`); n == 0 || n > 10 {
			t.Errorf("searching lockout finds %d controls", n)
		}
		b.get("/catalogs/x1150/1.0/controls?threat=T1").want(t, http.StatusOK, "", `id="control-C1"`)
		b.get("/catalogs/x1150/1.0/controls?threat=T999").want(t, http.StatusUnprocessableEntity, "", "Choose the filters from the lists.")
		all := b.get("/catalogs/x1150/1.0/controls")
		m := regexp.MustCompile(`href="(/catalogs/x1150/1.0/controls\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(all.body)
		if m == nil {
			t.Fatal("the controls are not paged")
		}
		b.get(strings.ReplaceAll(m[1], "&amp;", "&")).want(t, http.StatusOK, "", `id="control-C51"`)
		dl := b.get("/catalogs/x1150/1.0/framework.json")
		dl.want(t, http.StatusOK, "", `"id": "C119"`)
		if cd := dl.header.Get("Content-Disposition"); cd != `attachment; filename="x1150-1.0.json"` {
			t.Errorf("the download is sent as %q", cd)
		}
		b.get("/catalogs/x1150/7.7").want(t, http.StatusNotFound, "")
		b.get("/catalogs/upload").want(t, http.StatusForbidden, "")
	})
}
