package api_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

type meBody struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	TOTPEnabled   bool   `json:"totp_enabled"`
	MustEnrolTOTP bool   `json:"must_enrol_totp"`
}

func TestLoginSessionAndLogout(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleSupervisor, "")

	r := s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": strings.ToUpper(u.Email), "password": testPassword})
	if r.status != http.StatusOK {
		t.Fatalf("login = %d %s", r.status, r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	for _, want := range []string{"assure_session=assure_s_", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	token := s.login(u.Email, testPassword)
	var me meBody
	s.as(token).getJSON("/api/v1/me", &me)
	if me.Email != u.Email || me.Role != "supervisor" {
		t.Errorf("me = %+v", me)
	}
	// The cookie alone authenticates too (the web UI's way).
	sessionCookie := strings.Split(cookie, ";")[0]
	if r := s.do(http.MethodGet, "/api/v1/me", nil, "Cookie", sessionCookie); r.status != http.StatusOK {
		t.Errorf("cookie authentication = %d", r.status)
	}

	// Without credentials: 401 with a challenge, as problem+json.
	r = s.get("/api/v1/me")
	wantProblem(t, r, http.StatusUnauthorized)
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no WWW-Authenticate challenge: %v", r.header)
	}
	wantProblem(t, s.as("assure_s_forged").get("/api/v1/me"), http.StatusUnauthorized)
	wantProblem(t, s.do(http.MethodGet, "/api/v1/me", nil, "Authorization", "Basic Zm9vOmJhcg=="), http.StatusUnauthorized)

	s.as(token).json(http.MethodDelete, "/api/v1/session", nil, http.StatusNoContent, nil)
	wantProblem(t, s.as(token).get("/api/v1/me"), http.StatusUnauthorized)
	if n := s.events("session.logout", u.ID); n != 1 {
		t.Errorf("%d logout events", n)
	}
}

// events counts audit events with action about object id.
func (s *server) events(action, objectID string) int {
	s.t.Helper()
	var n int
	if err := s.queryRow(`select count(*) from audit_events where action = $1 and ($2 = '' or object_id = $2)`,
		[]any{action, objectID}, &n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func TestTokenExpiryAndRevocation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleAuditor, "")

	idle := s.login(u.Email, testPassword)
	s.exec(`update tokens set last_used_at = now() - interval '13 hours' where token_hash = $1`, domain.HashToken(idle))
	wantProblem(t, s.as(idle).get("/api/v1/me"), http.StatusUnauthorized)

	old := s.login(u.Email, testPassword)
	s.exec(`update tokens set expires_at = now() - interval '1 second' where token_hash = $1`, domain.HashToken(old))
	wantProblem(t, s.as(old).get("/api/v1/me"), http.StatusUnauthorized)

	// A personal API token has no idle limit, only its own expiry.
	var created struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	session := s.login(u.Email, testPassword)
	s.as(session).json(http.MethodPost, "/api/v1/tokens",
		map[string]any{"name": "filing system", "expires_at": time.Now().Add(48 * time.Hour)}, http.StatusCreated, &created)
	if !strings.HasPrefix(created.Token, domain.APITokenPrefix) {
		t.Fatalf("token = %q", created.Token)
	}
	s.exec(`update tokens set last_used_at = now() - interval '30 days' where id = $1`, created.ID)
	if r := s.as(created.Token).get("/api/v1/me"); r.status != http.StatusOK {
		t.Errorf("API token after 30 idle days = %d", r.status)
	}
	var tokens list[struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}]
	s.as(session).getJSON("/api/v1/tokens", &tokens)
	if len(tokens.Items) != 1 || tokens.Items[0].Name != "filing system" || strings.Contains(string(s.as(session).get("/api/v1/tokens").body), created.Token) {
		t.Errorf("tokens = %+v", tokens)
	}
	var stored int
	s.queryRow(`select count(*) from tokens where token_hash = $1`, []any{domain.HashToken(created.Token)}, &stored)
	if stored != 1 {
		t.Error("the token is not stored as its hash")
	}
	// Another user cannot revoke it.
	other := s.tokenFor(s.user(domain.RoleAuditor, ""))
	wantProblem(t, s.as(other).do(http.MethodDelete, "/api/v1/tokens/"+created.ID, nil), http.StatusNotFound)
	s.as(session).json(http.MethodDelete, "/api/v1/tokens/"+created.ID, nil, http.StatusNoContent, nil)
	wantProblem(t, s.as(created.Token).get("/api/v1/me"), http.StatusUnauthorized)

	// A password change revokes every session and token of the account.
	a, b := s.login(u.Email, testPassword), s.tokenFor(u)
	s.as(a).json(http.MethodPut, "/api/v1/me/password",
		map[string]string{"current_password": testPassword, "new_password": "an entirely new passphrase"}, http.StatusNoContent, nil)
	for _, tok := range []string{a, b, session} {
		wantProblem(t, s.as(tok).get("/api/v1/me"), http.StatusUnauthorized)
	}
	wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword}),
		http.StatusUnauthorized)
	c := s.login(u.Email, "an entirely new passphrase")

	// Disabling the user revokes the rest.
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	admin.json(http.MethodPost, "/api/v1/users/"+u.ID+"/disable", nil, http.StatusOK, nil)
	wantProblem(t, s.as(c).get("/api/v1/me"), http.StatusUnauthorized)
	wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session",
		map[string]string{"email": u.Email, "password": "an entirely new passphrase"}), http.StatusUnauthorized)
}

func TestLockoutDoesNotRevealAccounts(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleSupervisor, "")
	anon := s.as("")
	attempt := func(email, password string) response {
		return anon.do(http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password})
	}
	// The answers for a wrong password and for an unknown account are the same.
	known, unknown := attempt(u.Email, "wrong password!!"), attempt("nobody@example.test", "wrong password!!")
	pk, pu := wantProblem(t, known, http.StatusUnauthorized), wantProblem(t, unknown, http.StatusUnauthorized)
	if pk.Detail != pu.Detail || pk.Title != pu.Title {
		t.Errorf("answers differ: %q vs %q", pk.Detail, pu.Detail)
	}
	// Five failures lock the account, and the right password does not open it.
	start := time.Now()
	for range 4 {
		wantProblem(t, attempt(u.Email, "wrong password!!"), http.StatusUnauthorized)
	}
	if time.Since(start) < 2*time.Second {
		t.Errorf("failures past the third are not slowed (%v for four)", time.Since(start))
	}
	locked := wantProblem(t, attempt(u.Email, testPassword), http.StatusTooManyRequests)
	// An unknown account locks the same way.
	for range 4 {
		attempt("nobody@example.test", "wrong password!!")
	}
	lockedUnknown := wantProblem(t, attempt("nobody@example.test", "anything at all"), http.StatusTooManyRequests)
	if locked.Detail != lockedUnknown.Detail {
		t.Errorf("locked answers differ: %q vs %q", locked.Detail, lockedUnknown.Detail)
	}
	if s.events("session.login_locked", "") < 2 || s.events("session.login_failed", "") < 6 {
		t.Error("failed and locked sign-ins are not audited")
	}
	// When the lock has passed, the right password works again.
	s.exec(`update login_throttle set locked_until = now() - interval '1 second' where account = $1`, u.Email)
	s.login(u.Email, testPassword)
}

func TestAddressLockout(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleAuditor, "")
	// Many accounts tried from one address lock the address.
	s.exec(`insert into login_throttle (key, failures, window_start, locked_until) values ('address:127.0.0.1', 0, now(), now() + interval '10 minutes')`)
	wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword}),
		http.StatusTooManyRequests)
}

func TestTOTPEnrolmentAndLogin(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleProviderAdmin, s.provider("Banco de Crédito"))
	token := s.login(u.Email, testPassword)
	c := s.as(token)

	var enrol struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	c.json(http.MethodPost, "/api/v1/me/totp", nil, http.StatusOK, &enrol)
	if enrol.Secret == "" || !strings.HasPrefix(enrol.URL, "otpauth://totp/") {
		t.Fatalf("enrolment = %+v", enrol)
	}
	wantProblem(t, c.do(http.MethodPost, "/api/v1/me/totp/confirm", map[string]string{"code": "000000"}), http.StatusUnprocessableEntity)
	code, _ := domain.TOTPCode(enrol.Secret, time.Now())
	c.json(http.MethodPost, "/api/v1/me/totp/confirm", map[string]string{"code": code}, http.StatusNoContent, nil)

	// Now sign-in needs the code: without it, with a wrong one, or a replayed one, it fails.
	anon := s.as("")
	p := wantProblem(t, anon.do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword}),
		http.StatusUnauthorized)
	if !strings.Contains(p.Detail, "one-time code is required") {
		t.Errorf("missing code answer: %q", p.Detail)
	}
	// Asking for the code after a right password is a step, not a failure:
	// forms that learn of the second factor this way never lock anyone out.
	var failures int
	s.queryRow(`select coalesce(sum(failures), 0) from login_throttle`, nil, &failures)
	if failures != 0 {
		t.Errorf("the code step counted %d failed sign-ins", failures)
	}
	wantProblem(t, anon.do(http.MethodPost, "/api/v1/session",
		map[string]string{"email": u.Email, "password": testPassword, "otp": "123456"}), http.StatusUnauthorized)
	next := time.Now().Add(30 * time.Second)
	code, _ = domain.TOTPCode(enrol.Secret, next)
	var out struct {
		Token string `json:"token"`
		User  struct {
			TOTPEnabled bool `json:"totp_enabled"`
		} `json:"user"`
	}
	anon.json(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword, "otp": code},
		http.StatusOK, &out)
	if !out.User.TOTPEnabled {
		t.Error("user does not show the second factor")
	}
	wantProblem(t, anon.do(http.MethodPost, "/api/v1/session",
		map[string]string{"email": u.Email, "password": testPassword, "otp": code}), http.StatusUnauthorized)
	if s.events("totp.enabled", u.ID) != 1 {
		t.Error("enrolment is not audited")
	}

	// An admin resets it for a lost device; the user's sessions end.
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	admin.json(http.MethodDelete, "/api/v1/users/"+u.ID+"/totp", nil, http.StatusNoContent, nil)
	wantProblem(t, s.as(out.Token).get("/api/v1/me"), http.StatusUnauthorized)
	s.login(u.Email, testPassword)
}

func TestRoleRequiresTOTP(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	sup := s.user(domain.RoleSupervisor, "")
	var settings struct {
		TOTPRequiredRoles []string `json:"totp_required_roles"`
		FourEyes          bool     `json:"four_eyes"`
	}
	r := admin.get("/api/v1/settings")
	etag := r.header.Get("ETag")
	admin.json(http.MethodPut, "/api/v1/settings", map[string]any{"totp_required_roles": []string{"supervisor"}, "four_eyes": true},
		http.StatusOK, &settings)
	// A stale ETag is refused.
	r = admin.do(http.MethodPut, "/api/v1/settings", map[string]any{"totp_required_roles": []string{}, "four_eyes": true}, "If-Match", etag)
	wantProblem(t, r, http.StatusPreconditionFailed)

	token := s.login(sup.Email, testPassword)
	c := s.as(token)
	var me meBody
	c.getJSON("/api/v1/me", &me)
	if !me.MustEnrolTOTP {
		t.Fatal("me does not ask for enrolment")
	}
	p := wantProblem(t, c.get("/api/v1/frameworks"), http.StatusForbidden)
	if !strings.Contains(p.Detail, "second factor") {
		t.Errorf("detail = %q", p.Detail)
	}
	var enrol struct {
		Secret string `json:"secret"`
	}
	c.json(http.MethodPost, "/api/v1/me/totp", nil, http.StatusOK, &enrol)
	code, _ := domain.TOTPCode(enrol.Secret, time.Now())
	c.json(http.MethodPost, "/api/v1/me/totp/confirm", map[string]string{"code": code}, http.StatusNoContent, nil)
	if r := c.get("/api/v1/frameworks"); r.status != http.StatusOK {
		t.Errorf("after enrolment = %d", r.status)
	}
	// The role's requirement keeps the user from removing the factor.
	code, _ = domain.TOTPCode(enrol.Secret, time.Now().Add(30*time.Second))
	wantProblem(t, c.do(http.MethodPost, "/api/v1/me/totp/disable", map[string]string{"code": code}), http.StatusConflict)
}

func TestUserAdministration(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	adminUser := s.user(domain.RoleAdmin, "")
	admin := s.as(s.tokenFor(adminUser))
	p1, p2 := s.provider("Société Générale Mobile"), s.provider("Banco Dos")

	var created api.User
	admin.json(http.MethodPost, "/api/v1/users", map[string]any{"email": "Lead@Uno.test", "name": "Lead",
		"role": "provider_admin", "provider_id": p1, "password": testPassword}, http.StatusCreated, &created)
	if created.Email != "lead@uno.test" || created.ProviderID != p1 || created.Version != 1 {
		t.Errorf("created = %+v", created)
	}
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "lead@uno.test", "name": "Again",
		"role": "auditor"}), http.StatusConflict)
	p := wantProblem(t, admin.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "not-an-email", "name": "",
		"role": "provider_editor", "password": "short"}), http.StatusUnprocessableEntity)
	if len(p.Errors) < 4 {
		t.Errorf("problems = %+v, want one per bad field", p.Errors)
	}

	// A password an admin chose must be changed before anything else.
	first := s.as(s.login("lead@uno.test", testPassword))
	var me api.Me
	first.getJSON("/api/v1/me", &me)
	if !me.MustChangePassword {
		t.Errorf("a user created by an admin need not change the password: %+v", me)
	}
	wantProblem(t, first.do(http.MethodGet, "/api/v1/users", nil), http.StatusForbidden)
	first.json(http.MethodPut, "/api/v1/me/password", map[string]any{"current_password": testPassword,
		"new_password": testPassword + " renewed"}, http.StatusNoContent, nil)

	// The provider_admin manages its own editors, and nobody else.
	lead := s.as(s.login("lead@uno.test", testPassword+" renewed"))
	var editor api.User
	lead.json(http.MethodPost, "/api/v1/users", map[string]any{"email": "ed@uno.test", "name": "Ed",
		"role": "provider_editor", "provider_id": p1, "password": testPassword}, http.StatusCreated, &editor)
	wantProblem(t, lead.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "ed@dos.test", "name": "Ed",
		"role": "provider_editor", "provider_id": p2, "password": testPassword}), http.StatusNotFound)
	wantProblem(t, lead.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "boss@uno.test", "name": "Boss",
		"role": "provider_admin", "provider_id": p1, "password": testPassword}), http.StatusForbidden)
	otherEditor := s.user(domain.RoleProviderEditor, p2)
	wantProblem(t, lead.do(http.MethodPost, "/api/v1/users/"+otherEditor.ID+"/disable", nil), http.StatusNotFound)
	wantProblem(t, lead.get("/api/v1/users/"+otherEditor.ID), http.StatusNotFound)
	var users list[api.User]
	lead.getJSON("/api/v1/users", &users)
	for _, u := range users.Items {
		if u.ProviderID != p1 {
			t.Errorf("provider_admin lists %s of another provider", u.Email)
		}
	}
	lead.json(http.MethodPost, "/api/v1/users/"+editor.ID+"/disable", nil, http.StatusOK, nil)
	wantProblem(t, lead.do(http.MethodPatch, "/api/v1/users/"+editor.ID, map[string]any{"name": "X"}), http.StatusForbidden)

	// Admin edits with ETags; a stale one is refused.
	r := admin.get("/api/v1/users/" + created.ID)
	etag := r.header.Get("ETag")
	admin.json(http.MethodPatch, "/api/v1/users/"+created.ID, map[string]any{"name": "Lead Person"}, http.StatusOK, nil)
	wantProblem(t, admin.do(http.MethodPatch, "/api/v1/users/"+created.ID, map[string]any{"name": "Stale"}, "If-Match", etag),
		http.StatusPreconditionFailed)
	// Role change to a provider-less role needs the provider dropped: done for them.
	// The last admin stays, even as a request.
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/users/"+adminUser.ID+"/disable", nil), http.StatusConflict)
	wantProblem(t, admin.do(http.MethodPatch, "/api/v1/users/"+adminUser.ID, map[string]any{"role": "supervisor"}), http.StatusConflict)
	// Into the auditor role it waits for a second admin.
	second := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	var req api.IdentityRequest
	admin.json(http.MethodPatch, "/api/v1/users/"+created.ID, map[string]any{"role": "auditor"}, http.StatusAccepted, &req)
	var approved struct {
		User              api.User `json:"user"`
		TemporaryPassword string   `json:"temporary_password"`
	}
	second.json(http.MethodPost, "/api/v1/identity-requests/"+req.ID+"/approve", nil, http.StatusOK, &approved)
	changed := approved.User
	if changed.Role != "auditor" || changed.ProviderID != "" || approved.TemporaryPassword != "" {
		t.Errorf("changed = %+v", changed)
	}
	if s.events("user.role_change", created.ID) != 1 {
		t.Error("role change is not audited")
	}

	// Password reset by the admin: an editor's at once; an auditor's waits,
	// and only the approver learns the temporary password.
	admin.json(http.MethodPut, "/api/v1/users/"+editor.ID+"/password", map[string]any{"password": "reset by the admin 1"},
		http.StatusNoContent, nil)
	wantProblem(t, admin.do(http.MethodPut, "/api/v1/users/"+changed.ID+"/password", map[string]any{"password": "reset by the admin 1"}),
		http.StatusUnprocessableEntity)
	admin.json(http.MethodPut, "/api/v1/users/"+changed.ID+"/password", map[string]any{}, http.StatusAccepted, &req)
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/identity-requests/"+req.ID+"/approve", nil), http.StatusForbidden)
	second.json(http.MethodPost, "/api/v1/identity-requests/"+req.ID+"/approve", nil, http.StatusOK, &approved)
	if approved.TemporaryPassword == "" {
		t.Fatal("the approver received no temporary password")
	}
	s.login(changed.Email, approved.TemporaryPassword)
}

// TestTwoServersAgree starts two API servers on one database: a role change
// or a logout made through one holds on the other at once.
func TestTwoServersAgree(t *testing.T) {
	t.Parallel()
	a := newServer(t)
	b := serve(t, a.db, a.dbURL)
	admin := a.as(a.tokenFor(a.user(domain.RoleAdmin, "")))
	second := a.as(a.tokenFor(a.user(domain.RoleAdmin, "")))
	u := a.user(domain.RoleAuditor, "")
	token := a.login(u.Email, testPassword)

	if r := b.as(token).get("/api/v1/audit"); r.status != http.StatusOK {
		t.Fatalf("auditor on b = %d", r.status)
	}
	// A privileged role change waits for a second admin, who may approve it on b.
	var req api.IdentityRequest
	admin.json(http.MethodPatch, "/api/v1/users/"+u.ID, map[string]any{"role": "supervisor"}, http.StatusAccepted, &req)
	b.as(second.token).json(http.MethodPost, "/api/v1/identity-requests/"+req.ID+"/approve", nil, http.StatusOK, nil)
	if r := b.as(token).get("/api/v1/audit/verify"); r.status != http.StatusOK {
		t.Errorf("supervisor verifies on b = %d", r.status)
	}
	admin.json(http.MethodPatch, "/api/v1/users/"+u.ID, map[string]any{"role": "admin"}, http.StatusAccepted, &req)
	b.as(second.token).json(http.MethodPost, "/api/v1/identity-requests/"+req.ID+"/approve", nil, http.StatusOK, nil)
	wantProblem(t, b.as(token).get("/api/v1/audit"), http.StatusForbidden)

	a.as(token).json(http.MethodDelete, "/api/v1/session", nil, http.StatusNoContent, nil)
	wantProblem(t, b.as(token).get("/api/v1/me"), http.StatusUnauthorized)
}

// exec runs SQL on the server's database behind Assure's back.
func (s *server) exec(sql string, args ...any) {
	s.t.Helper()
	if err := s.queryRow(sql, args); err != nil {
		s.t.Fatal(err)
	}
}

func (s *server) queryRow(sql string, args []any, dst ...any) error {
	conn, err := pgx.Connect(context.Background(), s.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if len(dst) == 0 {
		_, err = conn.Exec(context.Background(), sql, args...)
		return err
	}
	return conn.QueryRow(context.Background(), sql, args...).Scan(dst...)
}

func TestCallerAddressBehindProxies(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	behind := serveWith(t, db, url, app.Options{}, api.Options{TrustedProxies: []*net.IPNet{loopback}})
	direct := serve(t, db, url)
	fail := func(s *server, xff string) {
		r := s.do(http.MethodPost, "/api/v1/session", strings.NewReader(`{"email":"x@example.test","password":"wrong password"}`),
			"Content-Type", "application/json", "X-Forwarded-For", xff)
		wantProblem(t, r, http.StatusUnauthorized)
	}
	fail(behind, "198.51.100.7, 203.0.113.5")
	fail(direct, "203.0.113.9")
	addrs, _ := pgxRows(t, url, `select address from audit_events where action = 'session.login_failed' order by seq`)
	if len(addrs) != 2 || addrs[0] != "203.0.113.5" || addrs[1] != "127.0.0.1" {
		t.Errorf("addresses = %v: behind a trusted proxy the caller is the last untrusted hop; directly, X-Forwarded-For is ignored", addrs)
	}
}

// pgxRows reads one text column behind Assure's back.
func pgxRows(t *testing.T, url, sql string) ([]string, error) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// TestParallelGuessesAreCounted fires many wrong passwords at one account at
// once: the lock must hold after the fifth, whatever their order.
func TestParallelGuessesAreCounted(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleSupervisor, "")
	const guesses = 30
	statuses := make(chan int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email,
				"password": fmt.Sprintf("wrong guess number %d", i)})
			statuses <- r.status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	limit := domain.AccountAddressThrottle.LockAfter
	if count[http.StatusUnauthorized] != limit || count[http.StatusTooManyRequests] != guesses-limit {
		t.Errorf("answers = %v, want %d refusals before the lock and the rest locked", count, limit)
	}
	wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword}),
		http.StatusTooManyRequests)
}

// TestSecretChecksAreThrottled: guessing the current password with a stolen
// session locks the password change, audited (TestAccountSecretsHaveTheirOwnCounters
// shows sign-in stays open).
func TestSecretChecksAreThrottled(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleAuditor, "")
	c := s.as(s.tokenFor(u))
	for range domain.SecretThrottle.LockAfter {
		wantProblem(t, c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": "not it at all",
			"new_password": "a brand new passphrase"}), http.StatusUnprocessableEntity)
	}
	wantProblem(t, c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": testPassword,
		"new_password": "a brand new passphrase"}), http.StatusTooManyRequests)
	if s.events("user.password_change_locked", "") < 1 || s.events("user.password_change_failed", "") != domain.SecretThrottle.LockAfter-1 {
		t.Error("password guesses are not audited")
	}
}

// TestReenablingKeepsOldCredentialsRevoked disables a user, by either route,
// and enables them again: the sessions and API tokens they held before stay
// dead, and only a new sign-in works.
func TestReenablingKeepsOldCredentialsRevoked(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	second := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	u := s.user(domain.RoleSupervisor, "")
	disable := map[string]func(){
		"POST disable": func() { admin.json(http.MethodPost, "/api/v1/users/"+u.ID+"/disable", nil, http.StatusOK, nil) },
		"PATCH status": func() {
			admin.json(http.MethodPatch, "/api/v1/users/"+u.ID, map[string]any{"status": "disabled"}, http.StatusOK, nil)
		},
	}
	for _, route := range []string{"POST disable", "PATCH status"} {
		session := s.login(u.Email, testPassword)
		var created struct {
			Token string `json:"token"`
		}
		s.as(session).json(http.MethodPost, "/api/v1/tokens",
			map[string]any{"name": "filing system", "expires_at": time.Now().Add(24 * time.Hour)}, http.StatusCreated, &created)
		old := map[string]string{"session": session, "API token": created.Token}
		for what, tok := range old {
			if r := s.as(tok).get("/api/v1/me"); r.status != http.StatusOK {
				t.Fatalf("%s: %s before disabling = %d", route, what, r.status)
			}
		}

		disable[route]()
		for what, tok := range old {
			if r := s.as(tok).get("/api/v1/me"); r.status != http.StatusUnauthorized {
				t.Errorf("%s: the %s works while disabled: %d", route, what, r.status)
			}
		}
		wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session",
			map[string]string{"email": u.Email, "password": testPassword}), http.StatusUnauthorized)

		// Re-enabling a supervisor waits for a second admin.
		var req api.IdentityRequest
		admin.json(http.MethodPatch, "/api/v1/users/"+u.ID, map[string]any{"status": "active"}, http.StatusAccepted, &req)
		wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session",
			map[string]string{"email": u.Email, "password": testPassword}), http.StatusUnauthorized)
		var approved struct {
			User api.User `json:"user"`
		}
		second.json(http.MethodPost, "/api/v1/identity-requests/"+req.ID+"/approve", nil, http.StatusOK, &approved)
		enabled := approved.User
		if enabled.Status != "active" {
			t.Fatalf("%s: re-enabled user is %s", route, enabled.Status)
		}
		for what, tok := range old {
			if r := s.as(tok).get("/api/v1/me"); r.status != http.StatusUnauthorized {
				t.Errorf("%s: the %s from before disabling works again after re-enabling: %d", route, what, r.status)
			}
		}
		fresh := s.login(u.Email, testPassword)
		if r := s.as(fresh).get("/api/v1/me"); r.status != http.StatusOK {
			t.Errorf("%s: a new sign-in after re-enabling = %d", route, r.status)
		}
	}
	var live int
	s.must(s.queryRow(`select count(*) from tokens where user_id = $1 and revoked_at is null`, []any{u.ID}, &live))
	if live != 1 {
		t.Errorf("%d live tokens, want 1: the session signed in after the last re-enabling", live)
	}
}
