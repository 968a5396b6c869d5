package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"assure/api"
	"assure/app"
	"assure/policies"
	"assure/store/storetest"
	"assure/web"
)

// TestDatabaseDownPage checks that a page that needs the database while it
// does not answer says so with 503 and Retry-After, not as a fault of ours.
func TestDatabaseDownPage(t *testing.T) {
	t.Parallel()
	_, dbURL := storetest.New(t)
	o := storetest.WithOutage(t, dbURL)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	application := app.New(o.DB, authz, log, app.Options{})
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(ts.Close)
	s := &site{t: t, url: ts.URL, db: o.DB, app: application}

	for _, lang := range []struct{ code, text string }{
		{"en", "Assure cannot reach its database just now"},
		{"fr", "Assure ne peut pas joindre sa base de données pour le moment"},
	} {
		b := s.browser(t)
		base, err := url.Parse(ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		b.c.Jar.SetCookies(base, []*http.Cookie{{Name: "assure_lang", Value: lang.code, Path: "/"}})
		if r := b.get("/signin"); r.status != http.StatusOK {
			t.Fatalf("GET /signin: %d", r.status)
		}
		if lang.code == "en" {
			o.Cut()
		}
		r := b.post("/signin", map[string][]string{"email": {"someone@example.org"}, "password": {"not this one"}})
		r.want(t, http.StatusServiceUnavailable, "/signin", lang.text)
		if ra := r.header.Get("Retry-After"); ra != "5" {
			t.Errorf("%s: Retry-After %q, want 5", lang.code, ra)
		}
	}
}
