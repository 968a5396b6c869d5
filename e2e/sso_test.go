package e2e

import (
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
	"assure/policies"
	"assure/web"
)

// testSignInWithSSO clicks the single sign-on button of the sign-in page, as
// a person would, and lands signed in: Chromium follows the whole
// authorization-code flow to a mock identity provider in the test process
// and back, and the provider saw a PKCE S256 challenge that the code
// exchange answered with its verifier (the mock refuses an exchange whose
// verifier does not match a challenge it was given).
func testSignInWithSSO(t *testing.T, env *suite) {
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var challenges, verifiers []string
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			switch r.URL.Path {
			case mockoidc.AuthorizationEndpoint:
				if q := r.URL.Query(); q.Get("code_challenge_method") == "S256" {
					challenges = append(challenges, q.Get("code_challenge"))
				}
			case mockoidc.TokenEndpoint:
				if r.ParseForm() == nil && r.PostForm.Get("code_verifier") != "" {
					verifiers = append(verifiers, r.PostForm.Get("code_verifier"))
				}
			}
			mu.Unlock()
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
	const email = imaraEditor
	m.QueueUser(&mockoidc.MockUser{Subject: "imara-editor-at-the-idp", Email: email, EmailVerified: true})

	s := newSSOSite(t, env, app.SSOConfig{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		Name: "Central Bank sign-in"})
	p := s.newPage(t, "visitor")
	p.navigate("/signin")
	p.waitText("#sso", "Sign in with Central Bank sign-in")
	axe(t, p)
	p.clickAndLoad("#sso")
	p.waitFor("the signed-in page", `document.querySelector('form[action="/signout"]') !== null`)
	p.navigate("/account")
	if got := p.text("main"); !strings.Contains(got, email) {
		t.Errorf("the account page after single sign-on does not show %s:\n%s", email, got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(challenges) != 1 || len(verifiers) == 0 || oauth2.S256ChallengeFromVerifier(verifiers[0]) != challenges[0] {
		t.Errorf("PKCE: the provider saw S256 challenges %q and verifiers %q", challenges, verifiers)
	}
}

// newSSOSite is newSiteWithoutJobs with single sign-on: the server's address
// is taken before it starts, for the callback URL the provider needs.
func newSSOSite(t *testing.T, env *suite, cfg app.SSOConfig) *site {
	t.Helper()
	db := cloneDatabase(t, env.template)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewUnstartedServer(nil)
	cfg.RedirectURL = (&url.URL{Scheme: "http", Host: srv.Listener.Addr().String(), Path: "/signin/sso/callback"}).String()
	application := app.New(db, authz, log, app.Options{SSO: cfg})
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{url: srv.URL, db: db, suite: env, app: application, log: log}
}
