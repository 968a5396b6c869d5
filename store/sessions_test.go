package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

const password = "a fine long password" // what newUser gives every user

// visitor is the caller of a sign-in: nobody yet, only a request from an
// address. Nothing is read on its behalf but the account it names.
func visitor() domain.Actor { return domain.Actor{RequestID: "req-test", Address: "192.0.2.7"} }

// signIn opens a session for email with the right password.
func signIn(t *testing.T, db *store.DB, email string) store.Session {
	t.Helper()
	s, err := db.Login(context.Background(), visitor(), store.Credentials{Email: email, Password: password, Address: "192.0.2.7"})
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	return s
}

// authenticates reports whether a token still signs its user in.
func authenticates(t *testing.T, db *store.DB, token string) bool {
	t.Helper()
	_, err := db.Authenticate(context.Background(), token)
	switch domain.ErrorCodeOf(err) {
	case domain.EUnauthorized:
		return false
	case domain.EInternal:
		if err != nil {
			t.Fatal(err)
		}
	}
	return err == nil
}

// people is a database with one provider editor and an admin.
type people struct {
	db     *store.DB
	url    string
	user   domain.User
	admin  domain.Actor
	other  domain.Actor // a user of another provider
	audit  *trail
	issuer string // the provider of user
}

func newPeople(t *testing.T) *people {
	t.Helper()
	db, url := storetest.Empty(t)
	p := &people{db: db, url: url}
	p.issuer = newProvider(t, url, "Zeta Payments")
	p.user = newUser(t, db, "editor@zeta.test", domain.RoleProviderEditor, p.issuer)
	p.admin = actorOf(newUser(t, db, "admin@regulator.test", domain.RoleAdmin, ""))
	p.other = actorOf(newUser(t, db, "editor@eta.test", domain.RoleProviderEditor, newProvider(t, url, "Eta Bank")))
	p.audit = newTrail(t, url)
	return p
}

// TestLoginAndAuthenticate: the right password opens a session whose token
// resolves to the user as stored; every failure gets the same answer, and
// every attempt is audited.
func TestLoginAndAuthenticate(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()

	s, err := p.db.Login(ctx, visitor(), store.Credentials{Email: "  Editor@Zeta.TEST ", Password: password, Address: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Token, domain.SessionTokenPrefix) || s.User.ID != p.user.ID || s.ExpiresAt.Before(time.Now().Add(6*24*time.Hour)) {
		t.Errorf("session %+v", s)
	}
	e := p.audit.one(t, ev{"session.login", "user", p.user.ID})
	if e.ActorID != p.user.ID || e.ProviderID != p.issuer {
		t.Errorf("login event by %q about provider %q", e.ActorID, e.ProviderID)
	}
	var stored string
	if err := queryRow(p.url, `select encode(token_hash, 'hex') from tokens where id = $1`, []any{s.ID}, &stored); err != nil ||
		strings.Contains(stored, s.Token) {
		t.Errorf("the token is not stored as a hash only (%v)", err)
	}

	a, err := p.db.Authenticate(ctx, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	if want := actorOf(p.user); a.UserID != want.UserID || a.Role != want.Role || a.ProviderID != want.ProviderID ||
		a.Email != want.Email || a.TokenID != s.ID {
		t.Errorf("authenticated as %+v, want %+v with token %s", a, want, s.ID)
	}
	for _, bad := range []string{"", "hello", domain.SessionTokenPrefix + "made-up", s.Token + "x"} {
		_, err := p.db.Authenticate(ctx, bad)
		wantCode(t, "authenticating "+bad, err, domain.EUnauthorized)
	}
	p.audit.expect(t)

	for _, c := range []struct {
		creds   store.Credentials
		subject string
	}{
		{store.Credentials{Email: "editor@zeta.test", Password: "not the password", Address: "192.0.2.7"}, p.user.ID},
		{store.Credentials{Email: "nobody@zeta.test", Password: password, Address: "192.0.2.7"}, ""},
	} {
		_, err := p.db.Login(ctx, visitor(), c.creds)
		var failure *store.LoginFailure
		if !errors.As(err, &failure) || !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("login as %s = %v, want the one bad-credentials answer", c.creds.Email, err)
		}
		p.audit.one(t, ev{"session.login_failed", "user", c.subject})
	}
	if n := count(t, p.url, `select count(*) from tokens`); n != 1 {
		t.Errorf("%d tokens after one good sign-in", n)
	}
}

// TestLogoutRevokes: logging out ends the session used, and only that one.
func TestLogoutRevokes(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	laptop, phone := signIn(t, p.db, p.user.Email), signIn(t, p.db, p.user.Email)
	p.audit = newTrail(t, p.url)

	a, err := p.db.Authenticate(ctx, laptop.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.db.Logout(ctx, a); err != nil {
		t.Fatal(err)
	}
	e := p.audit.one(t, ev{"session.logout", "user", p.user.ID})
	if summaryString(e, "token_id") != laptop.ID || e.ActorID != p.user.ID {
		t.Errorf("logout event %+v", e)
	}
	var revokedAt time.Time
	var why string
	if err := queryRow(p.url, `select revoked_at, revoked_why from tokens where id = $1`, []any{laptop.ID}, &revokedAt, &why); err != nil {
		t.Fatal(err)
	}
	sameInstant(t, "the revocation", revokedAt, e)
	if why != "logout" {
		t.Errorf("revoked because %q", why)
	}
	if authenticates(t, p.db, laptop.Token) {
		t.Error("the session still works after logging out")
	}
	if !authenticates(t, p.db, phone.Token) {
		t.Error("logging out of one session ended another")
	}
}

// TestSessionExpiry: a session ends when unused longer than the idle limit
// or older than the absolute one, whatever limits are in force when it is
// used; API tokens keep their own expiry instead.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	p.db.SetSessionPolicy(store.SessionPolicy{Idle: time.Hour, Absolute: 24 * time.Hour})
	s := signIn(t, p.db, p.user.Email)
	p.audit.one(t, ev{"session.login", "user", p.user.ID})
	if !authenticates(t, p.db, s.Token) {
		t.Fatal("a fresh session does not work")
	}

	exec(t, p.url, `update tokens set last_used_at = now() - interval '2 hours' where id = $1`, s.ID)
	if authenticates(t, p.db, s.Token) {
		t.Error("a session unused for 2 hours works under a 1-hour idle limit")
	}
	p.db.SetSessionPolicy(store.SessionPolicy{Idle: 3 * time.Hour, Absolute: 24 * time.Hour})
	if !authenticates(t, p.db, s.Token) {
		t.Error("a session unused for 2 hours fails under a 3-hour idle limit")
	}
	var touched bool
	if err := queryRow(p.url, `select last_used_at > now() - interval '1 minute' from tokens where id = $1`,
		[]any{s.ID}, &touched); err != nil {
		t.Fatal(err)
	}
	if !touched {
		t.Error("using the session did not record its use")
	}
	p.audit.expect(t) // using a session is not a change to audit

	exec(t, p.url, `update tokens set created_at = now() - interval '25 hours' where id = $1`, s.ID)
	if authenticates(t, p.db, s.Token) {
		t.Error("a session signed in 25 hours ago works under a 24-hour absolute limit, though just used")
	}
	p.db.SetSessionPolicy(store.SessionPolicy{Idle: 3 * time.Hour, Absolute: 48 * time.Hour})
	if !authenticates(t, p.db, s.Token) {
		t.Error("a session signed in 25 hours ago fails under a 48-hour absolute limit")
	}

	// API tokens are for machines: no idle or sign-in limit, only their expiry.
	u := actorOf(p.user)
	token, tok, err := p.db.CreateAPIToken(ctx, u, "nightly export", time.Now().Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p.audit.one(t, ev{"token.create", "token", tok.ID})
	exec(t, p.url, `update tokens set created_at = now() - interval '20 days', last_used_at = now() - interval '10 days'
		where id = $1`, tok.ID)
	if !authenticates(t, p.db, token) {
		t.Error("an API token unused for 10 days stopped working")
	}
	exec(t, p.url, `update tokens set expires_at = now() - interval '1 second' where id = $1`, tok.ID)
	if authenticates(t, p.db, token) {
		t.Error("an expired API token works")
	}
}

// TestAPITokens: a user's personal tokens are created (shown once), listed,
// used and revoked by that user alone.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	u := actorOf(p.user)

	_, _, err := p.db.CreateAPIToken(ctx, u, " ", time.Now().Add(-time.Hour))
	if e := wantCode(t, "a nameless, expired token", err, domain.EInvalid); len(e.Problems) != 2 {
		t.Errorf("problems %v, want name and expiry", e.Problems)
	}
	_, _, err = p.db.CreateAPIToken(ctx, u, "forever", time.Now().Add(store.MaxAPITokenLife+time.Hour))
	wantCode(t, "a token for longer than allowed", err, domain.EInvalid)
	p.audit.expect(t)

	first, firstTok, err := p.db.CreateAPIToken(ctx, u, "  reporting ", time.Now().Add(90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e := p.audit.one(t, ev{"token.create", "token", firstTok.ID})
	if !strings.HasPrefix(first, domain.APITokenPrefix) || firstTok.Name != "reporting" || e.ProviderID != p.issuer {
		t.Errorf("created %+v (%s…), event about %q", firstTok, first[:len(domain.APITokenPrefix)], e.ProviderID)
	}
	sameInstant(t, "the token's creation", firstTok.CreatedAt, e)
	second, secondTok, err := p.db.CreateAPIToken(ctx, u, "backup", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p.audit.one(t, ev{"token.create", "token", secondTok.ID})

	a, err := p.db.Authenticate(ctx, first)
	if err != nil || a.UserID != p.user.ID || a.TokenID != firstTok.ID || a.ProviderID != p.issuer {
		t.Errorf("the token authenticates as %+v, %v", a, err)
	}
	list, _, err := p.db.APITokens(ctx, u, store.Page{})
	if err != nil || len(list) != 2 || list[0].ID != secondTok.ID || list[1].ID != firstTok.ID {
		t.Errorf("own tokens %+v, %v; want both, newest first", list, err)
	}
	if theirs, _, err := p.db.APITokens(ctx, p.other, store.Page{}); err != nil || len(theirs) != 0 {
		t.Errorf("another user lists %+v, %v", theirs, err)
	}

	err = p.db.RevokeAPIToken(ctx, p.other, firstTok.ID)
	wantCode(t, "revoking another user's token", err, domain.ENotFound)
	err = p.db.RevokeAPIToken(ctx, u, "not-an-id")
	wantCode(t, "revoking a malformed id", err, domain.ENotFound)
	p.audit.expect(t)
	if !authenticates(t, p.db, first) {
		t.Fatal("another user's revocation ended the token")
	}

	if err := p.db.RevokeAPIToken(ctx, u, firstTok.ID); err != nil {
		t.Fatal(err)
	}
	p.audit.one(t, ev{"token.revoke", "token", firstTok.ID})
	if authenticates(t, p.db, first) {
		t.Error("a revoked token works")
	}
	if !authenticates(t, p.db, second) {
		t.Error("revoking one token ended another")
	}
	list, _, _ = p.db.APITokens(ctx, u, store.Page{})
	if len(list) != 2 || list[1].RevokedAt == nil || list[0].RevokedAt != nil {
		t.Errorf("after revoking: %+v", list)
	}

	// Revoking it again is no change, and no event: the trail must not
	// claim a revocation at a time the token does not record.
	if err := p.db.RevokeAPIToken(ctx, u, firstTok.ID); err != nil {
		t.Errorf("revoking a revoked token: %v", err)
	}
	p.audit.expect(t)
	again, _, _ := p.db.APITokens(ctx, u, store.Page{})
	if len(again) != 2 || again[1].RevokedAt == nil || !again[1].RevokedAt.Equal(*list[1].RevokedAt) {
		t.Errorf("revoking again moved the revocation time: %+v", again)
	}
}

// TestDisabledUserCredentialsStayDead: disabling a user ends every session
// and token at once, and re-enabling the user revives none of them; only a
// new sign-in works.
func TestDisabledUserCredentialsStayDead(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	s1, s2 := signIn(t, p.db, p.user.Email), signIn(t, p.db, p.user.Email)
	api, _, err := p.db.CreateAPIToken(ctx, actorOf(p.user), "integration", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	old := []string{s1.Token, s2.Token, api}
	p.audit = newTrail(t, p.url)

	disabled, err := p.db.DisableUser(ctx, p.admin, p.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.audit.one(t, ev{"user.disable", "user", p.user.ID})
	if disabled.Status != domain.UserDisabled {
		t.Errorf("status %s", disabled.Status)
	}
	for i, tok := range old {
		if authenticates(t, p.db, tok) {
			t.Errorf("credential %d of a disabled user works", i)
		}
	}
	if n := count(t, p.url, `select count(*) from tokens where user_id = $1 and revoked_why = 'user disabled'`, p.user.ID); n != 3 {
		t.Errorf("%d of 3 credentials revoked on disabling", n)
	}
	_, err = p.db.Login(ctx, visitor(), store.Credentials{Email: p.user.Email, Password: password, Address: "192.0.2.7"})
	if !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("a disabled user's sign-in = %v, want the one bad-credentials answer", err)
	}
	if e := p.audit.one(t, ev{"session.login_failed", "user", p.user.ID}); summaryString(e, "reason") != "account disabled" {
		t.Errorf("failed sign-in recorded as %v", e.Summary)
	}

	active := domain.UserActive
	if _, err := p.db.UpdateUser(ctx, p.admin, p.user.ID, store.UserChange{Status: &active}, 0); err != nil {
		t.Fatal(err)
	}
	p.audit.one(t, ev{"user.enable", "user", p.user.ID})
	for i, tok := range old {
		if authenticates(t, p.db, tok) {
			t.Errorf("credential %d came back to life when the user was re-enabled", i)
		}
	}
	fresh := signIn(t, p.db, p.user.Email)
	p.audit.one(t, ev{"session.login", "user", p.user.ID})
	if !authenticates(t, p.db, fresh.Token) {
		t.Error("a new sign-in of the re-enabled user does not work")
	}
}
