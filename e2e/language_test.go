package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// testFrench switches the pages to French with the header's button, before
// signing in and after: the pages say lang="fr", offer English back, and
// show the French of their headings as far as the catalogs have it. A
// signed-in user's choice is kept for their next session.
func testFrench(t *testing.T, env *suite) {
	s := newSite(t, env)
	fr := frenchCatalog(t)
	p := s.newPage(t, "visitor")

	p.navigate("/signin")
	p.clickAndLoad(`form[action="/language"] button[value=fr]`)
	checkFrench(t, p, fr, "Sign in")

	// The choice made before signing in stays for the session; made while
	// signed in, it is saved for the account.
	p.signIn("p04-admin@demo.assure.local")
	checkFrench(t, p, fr, "Home")
	axe(t, p)
	p.clickAndLoad(`form[action="/language"] button[value=en]`)
	p.clickAndLoad(`form[action="/language"] button[value=fr]`)
	checkFrench(t, p, fr, "Home")

	// The choice is the user's now: a new session of theirs is in French too.
	q := s.newPage(t, "again")
	q.signIn("p04-admin@demo.assure.local")
	checkFrench(t, q, fr, "Home")

	q.clickAndLoad(`form[action="/language"] button[value=en]`)
	if lang := eval[string](q, `document.documentElement.lang`); lang != "en" {
		t.Errorf("after choosing English, lang = %q", lang)
	}
}

// checkFrench checks that the page is marked French, offers English, and
// has the French heading of key when the catalogs translate it.
func checkFrench(t *testing.T, p *page, fr map[string]string, key string) {
	t.Helper()
	if lang := eval[string](p, `document.documentElement.lang`); lang != "fr" {
		t.Errorf("%s: lang = %q, want fr", p.title(), lang)
	}
	if !eval[bool](p, `document.querySelector('form[action="/language"] button[value=en]') !== null`) {
		t.Errorf("%s: the French page offers no way back to English", p.title())
	}
	want := key
	if v, ok := fr[key]; ok {
		want = v
	}
	if h1 := p.text("h1"); h1 != want {
		t.Errorf("heading = %q, want %q (the catalog's French for %q)", h1, want, key)
	}
}

// frenchCatalog reads every French message the pages have now. The catalogs
// are being filled in, so the test asks for what they hold.
func frenchCatalog(t *testing.T) map[string]string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "web", "i18n", "fr", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no French catalogs in web/i18n/fr: %v", err)
	}
	all := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			all[k] = v
		}
	}
	return all
}
