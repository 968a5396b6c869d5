package api_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

// Two callers' addresses, as a trusted proxy on the loopback names them.
const (
	strangerAddress = "203.0.113.66"
	ownerAddress    = "198.51.100.20"
)

// behindProxy starts a server that takes the caller's address from
// X-Forwarded-For, so that one test can sign in from several addresses.
func behindProxy(t *testing.T) *server {
	t.Helper()
	db, url := storetest.New(t)
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	return serveWith(t, db, url, app.Options{}, api.Options{TrustedProxies: []*net.IPNet{loopback}})
}

// signInFrom tries a password for email from address.
func (s *server) signInFrom(address, email, password string) response {
	s.t.Helper()
	return s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password},
		"X-Forwarded-For", address)
}

// strangerGuesses fails the pair's limit of sign-ins at u from the stranger's address.
func (s *server) strangerGuesses(t *testing.T, u domain.User) {
	t.Helper()
	for range domain.AccountAddressThrottle.LockAfter {
		wantProblem(t, s.signInFrom(strangerAddress, u.Email, "a stranger's guess"), http.StatusUnauthorized)
	}
}

// TestStrangerCannotLockOwnerOut: wrong passwords from one address lock that
// address out of the account, not the owner signing in from elsewhere.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	t.Parallel()
	s := behindProxy(t)
	u, neighbour := s.user(domain.RoleSupervisor, ""), s.user(domain.RoleAuditor, "")
	s.strangerGuesses(t, u)

	start := time.Now()
	if r := s.signInFrom(ownerAddress, u.Email, testPassword); r.status != http.StatusOK {
		t.Fatalf("the owner from a clean address = %d %s, want 200", r.status, r.body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the owner's right password from a clean address took %v", d)
	}
	// The stranger's address is locked out of this account, right password or not.
	wantProblem(t, s.signInFrom(strangerAddress, u.Email, testPassword), http.StatusTooManyRequests)
	wantProblem(t, s.signInFrom(strangerAddress, u.Email, "another guess"), http.StatusTooManyRequests)
	// …and only of this one: other accounts from that address stay open up to the address's own limit.
	if r := s.signInFrom(strangerAddress, neighbour.Email, testPassword); r.status != http.StatusOK {
		t.Errorf("another account from the stranger's address = %d, want 200", r.status)
	}
	if s.events("session.login_locked", "") < 1 {
		t.Error("the lock of the pair is not audited")
	}

	// An unknown account is throttled the same way, so the answers tell nothing.
	for range domain.AccountAddressThrottle.LockAfter {
		wantProblem(t, s.signInFrom(strangerAddress, "nobody@example.test", "a guess"), http.StatusUnauthorized)
	}
	wantProblem(t, s.signInFrom(strangerAddress, "nobody@example.test", "a guess"), http.StatusTooManyRequests)
}

// TestAccountWideFailuresSlowButNeverLock: failures from many addresses slow
// the account's wrong answers down, and the right password still opens it.
func TestAccountWideFailuresSlowButNeverLock(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := s.user(domain.RoleAuditor, "")
	// Failures from addresses all over, as a spread-out guesser leaves them.
	s.exec(`insert into login_throttle (key, failures, window_start) values ($1, $2, now())`,
		"account:"+u.Email, domain.AccountThrottle.SlowAfter+2)
	start := time.Now()
	wantProblem(t, s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": "wrong, again"}),
		http.StatusUnauthorized)
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("a wrong password after %d failures on the account was answered in %v", domain.AccountThrottle.SlowAfter+2, d)
	}
	start = time.Now()
	s.login(u.Email, testPassword)
	if d := time.Since(start); d > time.Second {
		t.Errorf("the right password took %v", d)
	}
}

// TestAccountSecretsHaveTheirOwnCounters: a wrong current password or a wrong
// enrolment code is throttled on its own counter and leaves sign-in alone.
func TestAccountSecretsHaveTheirOwnCounters(t *testing.T) {
	t.Parallel()
	s := newServer(t)

	t.Run("password change", func(t *testing.T) {
		t.Parallel()
		u := s.user(domain.RoleAuditor, "")
		c := s.as(s.tokenFor(u))
		for range domain.SecretThrottle.LockAfter {
			wantProblem(t, c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": "not it at all",
				"new_password": "a brand new passphrase"}), http.StatusUnprocessableEntity)
		}
		wantProblem(t, c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": testPassword,
			"new_password": "a brand new passphrase"}), http.StatusTooManyRequests)
		s.signInCountsFromZero(t, u)
	})

	t.Run("second factor enrolment", func(t *testing.T) {
		t.Parallel()
		u := s.user(domain.RoleSupervisor, "")
		c := s.as(s.tokenFor(u))
		var enrol struct {
			Secret string `json:"secret"`
		}
		c.json(http.MethodPost, "/api/v1/me/totp", nil, http.StatusOK, &enrol)
		for range domain.SecretThrottle.LockAfter {
			wantProblem(t, c.do(http.MethodPost, "/api/v1/me/totp/confirm", map[string]string{"code": "000000"}),
				http.StatusUnprocessableEntity)
		}
		code, _ := domain.TOTPCode(enrol.Secret, time.Now())
		wantProblem(t, c.do(http.MethodPost, "/api/v1/me/totp/confirm", map[string]string{"code": code}),
			http.StatusTooManyRequests)
		s.signInCountsFromZero(t, u)
	})
}

// signInCountsFromZero checks that no failure stands against u's sign-in:
// the right password opens the account, and the pair's limit of wrong ones
// is needed, all of it, before it locks.
func (s *server) signInCountsFromZero(t *testing.T, u domain.User) {
	t.Helper()
	attempt := func(password string) response {
		return s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": password})
	}
	if r := attempt(testPassword); r.status != http.StatusOK {
		t.Fatalf("sign-in with the right password = %d %s, want 200", r.status, r.body)
	}
	for i := range domain.AccountAddressThrottle.LockAfter {
		if r := attempt("wrong sign-in"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong sign-in %d = %d, want 401: earlier failures counted against sign-in", i+1, r.status)
		}
	}
	wantProblem(t, attempt(testPassword), http.StatusTooManyRequests)
}

// TestAdminUnlocksAccount: an admin clears every lock on an account, audited;
// nobody else may.
func TestAdminUnlocksAccount(t *testing.T) {
	t.Parallel()
	s := behindProxy(t)
	u := s.user(domain.RoleProviderEditor, s.provider("Banque Locale"))
	s.strangerGuesses(t, u)
	wantProblem(t, s.signInFrom(strangerAddress, u.Email, testPassword), http.StatusTooManyRequests)
	c := s.as(s.tokenFor(u))
	for range domain.SecretThrottle.LockAfter {
		c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": "not it at all",
			"new_password": "a brand new passphrase"})
	}

	own := s.user(domain.RoleProviderAdmin, u.ProviderID)
	for who, role := range map[string]domain.User{"supervisor": s.user(domain.RoleSupervisor, ""), "provider admin": own} {
		wantProblem(t, s.as(s.tokenFor(role)).do(http.MethodPost, "/api/v1/users/"+u.ID+"/unlock", nil), http.StatusForbidden)
		if r := s.signInFrom(strangerAddress, u.Email, testPassword); r.status != http.StatusTooManyRequests {
			t.Errorf("after a %s's refused unlock, sign-in = %d", who, r.status)
		}
	}
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/users/00000000-0000-0000-0000-000000000000/unlock", nil), http.StatusNotFound)
	admin.json(http.MethodPost, "/api/v1/users/"+u.ID+"/unlock", nil, http.StatusNoContent, nil)
	if n := s.events("user.unlock", u.ID); n != 1 {
		t.Errorf("%d unlock events, want 1", n)
	}
	// The pair's lock, the account's count and the password change's lock.
	var cleared int
	s.must(s.queryRow(`select (summary->>'counters_cleared')::int from audit_events where action = 'user.unlock'`, nil, &cleared))
	if cleared != 3 {
		t.Errorf("the unlock says it cleared %d counters, want 3", cleared)
	}

	if r := s.signInFrom(strangerAddress, u.Email, testPassword); r.status != http.StatusOK {
		t.Errorf("sign-in from the locked address after the unlock = %d %s", r.status, r.body)
	}
	c.json(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": testPassword,
		"new_password": "a brand new passphrase"}, http.StatusNoContent, nil)
}
