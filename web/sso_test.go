package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"

	"assure/api"
	"assure/app"
	"assure/demo"
	"assure/policies"
	"assure/store/storetest"
	"assure/web"
)

// idp is a mock identity provider in the test process, with what it was
// asked: the authorization requests' parameters and the code verifiers sent
// to its token endpoint. A test may make it put another nonce in the next
// ID token.
type idp struct {
	*mockoidc.MockOIDC
	mu        sync.Mutex
	authorize []url.Values
	verifiers []string
	nonce     string // when set, replaces the nonce of the next authorization request
}

func startIDP(t *testing.T) *idp {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{MockOIDC: m}
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.mu.Lock()
			switch r.URL.Path {
			case mockoidc.AuthorizationEndpoint:
				q := r.URL.Query()
				p.authorize = append(p.authorize, q)
				if p.nonce != "" {
					q.Set("nonce", p.nonce)
					r.URL.RawQuery, p.nonce = q.Encode(), ""
				}
			case mockoidc.TokenEndpoint:
				if err := r.ParseForm(); err == nil {
					p.verifiers = append(p.verifiers, r.PostForm.Get("code_verifier"))
				}
			}
			p.mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return p
}

// signsIn makes the provider sign in, on its next authorization, a person
// with this e-mail.
func (p *idp) signsIn(email string, verified bool) {
	p.QueueUser(&mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: verified})
}

// newSSOSite is the whole server with single sign-on through issuer; its
// callback URL is known before it starts, as the provider needs it.
func newSSOSite(t *testing.T, issuer, clientID, clientSecret string) *site {
	t.Helper()
	db, _ := storetest.New(t)
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	application := app.New(db, authz, log, app.Options{SSO: app.SSOConfig{Issuer: issuer, ClientID: clientID,
		ClientSecret: clientSecret, RedirectURL: base + "/signin/sso/callback", Name: "Central Bank sign-in"}})
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	ts.Config.Handler = a.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &site{t: t, url: ts.URL, db: db, app: application}
}

// stopAtCallback makes the browser stop before the provider's redirect back
// to Assure and returns where that redirect leads.
func (b *browser) stopAtCallback() *url.URL {
	b.t.Helper()
	var callback *url.URL
	b.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/signin/sso/callback" {
			callback = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}
	b.get("/signin/sso")
	b.c.CheckRedirect = nil
	if callback == nil {
		b.t.Fatal("the provider did not send the browser back to the callback")
	}
	return callback
}

func (s *site) signedInAs(t *testing.T, b *browser, email string) {
	t.Helper()
	home := b.get("/account")
	home.want(t, http.StatusOK, "/account", email)
}

func (s *site) notSignedIn(t *testing.T, b *browser) {
	t.Helper()
	b.get("/account").want(t, http.StatusOK, "/signin?next=%2Faccount")
}

// TestSingleSignOn runs the authorization-code flow over HTTP between the
// real server and a mock identity provider, in the test process: a person
// the provider vouches for lands signed in to the account of their e-mail;
// every other answer is a clear page that leads back to the sign-in page,
// audited, never a session.
func TestSingleSignOn(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	s := newSSOSite(t, p.Issuer(), p.ClientID, p.ClientSecret)
	editor := "p07-editor" + demoDomain
	audited := func(t *testing.T, action, reason string) int {
		t.Helper()
		return countWhere(t, s, `select count(*) from audit_events where action = $1 and summary->>'method' = 'sso'
			and coalesce(summary->>'reason', '') = $2`, action, reason)
	}

	t.Run("success with PKCE, state and nonce", func(t *testing.T) {
		b := s.browser(t)
		b.get("/signin").want(t, http.StatusOK, "/signin", "Sign in with Central Bank sign-in", `href="/signin/sso"`)
		// The provider gives the e-mail in other letter cases than Assure keeps it.
		p.signsIn(strings.ToUpper(editor), true)
		b.get("/signin/sso?next=/account").want(t, http.StatusOK, "/account", editor)
		s.signedInAs(t, b, editor)

		p.mu.Lock()
		asked, verifiers := p.authorize[len(p.authorize)-1], p.verifiers
		p.mu.Unlock()
		if asked.Get("code_challenge_method") != "S256" || asked.Get("code_challenge") == "" {
			t.Errorf("the authorization request has no S256 PKCE challenge: %v", asked)
		}
		// The client may try its credentials in a header before the form:
		// every exchange it sends carries the verifier of the challenge.
		if len(verifiers) == 0 {
			t.Error("no code exchange reached the provider")
		}
		for _, v := range verifiers {
			if oauth2.S256ChallengeFromVerifier(v) != asked.Get("code_challenge") {
				t.Errorf("the code exchange sent the verifier %q, which does not match the challenge %q", v, asked.Get("code_challenge"))
			}
		}
		if asked.Get("state") == "" || asked.Get("nonce") == "" || asked.Get("state") == asked.Get("nonce") {
			t.Errorf("the authorization request has state %q and nonce %q", asked.Get("state"), asked.Get("nonce"))
		}
		if n := countWhere(t, s, `select count(*) from audit_events a join users u on u.id = a.actor_id
			where a.action = 'session.login' and a.summary->>'method' = 'sso' and u.email = $1
			and a.summary->>'subject' = $2`, editor, "sub-"+strings.ToUpper(editor)); n != 1 {
			t.Errorf("%d sign-in events by single sign-on for %s, want 1", n, editor)
		}
		// Signing out ends the session as for any other sign-in.
		b.get("/")
		b.post("/signout", nil).want(t, http.StatusOK, "/signin")
		s.notSignedIn(t, b)
	})

	t.Run("unknown e-mail", func(t *testing.T) {
		b := s.browser(t)
		p.signsIn("stranger@example.org", true)
		a := b.get("/signin/sso")
		a.want(t, http.StatusUnauthorized, "",
			"Single sign-on did not work", "stranger@example.org", "no Assure account has that e-mail address",
			`href="/signin"`)
		s.notSignedIn(t, b)
		if audited(t, "session.login_failed", app.SSOUnknownAccount) != 1 {
			t.Error("the unknown e-mail is not audited")
		}
	})

	t.Run("unverified e-mail", func(t *testing.T) {
		b := s.browser(t)
		p.signsIn(editor, false)
		a := b.get("/signin/sso")
		if a.status != http.StatusUnauthorized || !strings.Contains(a.body, "did not confirm that your e-mail address is verified") {
			t.Fatalf("an unverified e-mail ends with %d:\n%s", a.status, a.body)
		}
		s.notSignedIn(t, b)
		if audited(t, "session.login_failed", app.SSOUnverifiedEmail) != 1 {
			t.Error("the unverified e-mail is not audited")
		}
	})

	t.Run("disabled user", func(t *testing.T) {
		const disabled = "p08-editor" + demoDomain
		if _, err := s.db.Pool().Exec(context.Background(), `update users set status = 'disabled' where email = $1`, disabled); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		p.signsIn(disabled, true)
		a := b.get("/signin/sso")
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "Your Assure account is disabled.") {
			t.Fatalf("a disabled user ends with %d:\n%s", a.status, a.body)
		}
		s.notSignedIn(t, b)
		if audited(t, "session.login_failed", app.SSODisabled) != 1 {
			t.Error("the disabled account's attempt is not audited")
		}
	})

	t.Run("bad and replayed state", func(t *testing.T) {
		b := s.browser(t)
		p.signsIn(editor, true)
		callback := b.stopAtCallback()
		forged := *callback
		q := forged.Query()
		q.Set("state", "not-the-state")
		forged.RawQuery = q.Encode()
		a := b.get(forged.RequestURI())
		if a.status != http.StatusUnauthorized || !strings.Contains(a.body, "This sign-in answer is not valid here") {
			t.Fatalf("a forged state ends with %d:\n%s", a.status, a.body)
		}
		s.notSignedIn(t, b)

		// Another browser, holding no attempt, cannot use a genuine answer.
		b = s.browser(t)
		p.signsIn(editor, true)
		callback = b.stopAtCallback()
		other := s.browser(t)
		other.get(callback.RequestURI()).want(t, http.StatusUnauthorized, "")
		s.notSignedIn(t, other)
		// Its own browser can, once.
		b.get(callback.RequestURI()).want(t, http.StatusOK, "/")
		s.signedInAs(t, b, editor)
		// A second use of the same answer, by the same browser, is refused
		// by Assure itself, before the provider is asked about its code.
		b.get(callback.RequestURI()).want(t, http.StatusUnauthorized, "", "This sign-in answer is not valid here")
		if audited(t, "session.login_failed", app.SSOBadState) != 3 {
			t.Errorf("%d mismatched states audited, want 3", audited(t, "session.login_failed", app.SSOBadState))
		}
	})

	t.Run("wrong nonce", func(t *testing.T) {
		b := s.browser(t)
		p.signsIn(editor, true)
		p.mu.Lock()
		p.nonce = "a-nonce-of-another-attempt"
		p.mu.Unlock()
		a := b.get("/signin/sso")
		if a.status != http.StatusUnauthorized || !strings.Contains(a.body, "This sign-in answer is not valid here") {
			t.Fatalf("a wrong nonce ends with %d:\n%s", a.status, a.body)
		}
		s.notSignedIn(t, b)
		if audited(t, "session.login_failed", app.SSOBadToken) != 1 {
			t.Error("the wrong nonce is not audited")
		}
	})

	t.Run("error from the provider", func(t *testing.T) {
		b := s.browser(t)
		p.signsIn(editor, true)
		callback := b.stopAtCallback()
		q := callback.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		callback.RawQuery = q.Encode()
		a := b.get(callback.RequestURI())
		if a.status != http.StatusBadGateway || !strings.Contains(a.body, "Central Bank sign-in did not sign you in.") {
			t.Fatalf("an error from the provider ends with %d:\n%s", a.status, a.body)
		}
		s.notSignedIn(t, b)
	})

	t.Run("French", func(t *testing.T) {
		b := s.browser(t)
		b.get("/signin")
		b.post("/language", url.Values{"language": {"fr"}})
		b.get("/signin").want(t, http.StatusOK, "/signin", "Se connecter avec Central Bank sign-in")
		p.signsIn("stranger@example.org", true)
		b.get("/signin/sso").want(t, http.StatusUnauthorized, "", "aucun compte Assure", "Retour à la connexion")
	})
}

// TestSingleSignOnWhileTheProviderIsDown: Assure starts without reaching the
// identity provider, shows the button, and says the provider cannot be
// reached, with the way back, when someone uses it.
func TestSingleSignOnWhileTheProviderIsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/oidc"
	ln.Close()
	s := newSSOSite(t, down, "assure", "secret")
	b := s.browser(t)
	b.get("/signin").want(t, http.StatusOK, "/signin", "Sign in with Central Bank sign-in")
	b.get("/signin/sso").want(t, http.StatusServiceUnavailable, "/signin/sso",
		"Central Bank sign-in cannot be reached right now", `href="/signin"`)
	// The password still works.
	b.signIn("p07-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
}

// TestNoSingleSignOnUnlessConfigured: without an issuer the sign-in page has
// no button and the routes are not there.
func TestNoSingleSignOnUnlessConfigured(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.get("/signin").lacks(t, "/signin/sso", "Sign in with")
	b.get("/signin/sso").want(t, http.StatusNotFound, "")
	b.get("/signin/sso/callback?state=x&code=y").want(t, http.StatusNotFound, "")
}
