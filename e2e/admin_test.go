package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"assure/domain"
	"assure/store"
)

// setSelect chooses an option of a select as a person would, so its change
// handlers run.
func (p *page) setSelect(id, value string) {
	p.t.Helper()
	if !eval[bool](p, `(() => { const s = document.getElementById(`+jsString(id)+`); if (!s) return false;
		s.value = `+jsString(value)+`; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value === `+jsString(value)+`; })()`) {
		p.t.Fatalf("%s: #%s has no option %q", p.name, id, value)
	}
}

// testAdministratorJourney walks an administrator through their screens by
// links: the start page; a user created by choosing role and provider, whose
// first password is shown once; a password reset, shown once; a personal
// API token made, shown once, listed and revoked; a setting changed; a
// framework file with an error and then a valid one, published; a threat's
// controls browsed and a control searched. axe checks every page.
func testAdministratorJourney(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	const adminEmail = "ada.admin@regulator.example"
	if _, err := s.db.CreateUser(ctx, domain.System("e2e"), store.NewUser{Email: adminEmail, Name: "Ada Admin",
		Role: domain.RoleAdmin, Password: demoPassword}); err != nil {
		t.Fatal(err)
	}
	providers, _, err := s.db.Providers(ctx, domain.System("e2e"), store.ProviderFilter{Query: "Nyota"}, store.Page{Limit: 5})
	if err != nil || len(providers) != 1 {
		t.Fatalf("the demo's Nyota: %v, %d found", err, len(providers))
	}
	nyota := providers[0]

	p := s.newPage(t, "admin")
	p.signIn(adminEmail)
	p.waitText("#admin-tasks", "Catalogs")
	axe(t, p)

	// A user, by role and provider; the first password is made by Assure.
	p.followLink("Users")
	p.waitText("h1", "Users")
	axe(t, p)
	p.typeInto("#email", "amani.editor@nyota.example")
	p.typeInto("#name", "Amani Editor")
	p.setSelect("role", "supervisor")
	if !eval[bool](p, `document.getElementById("provider-field").hidden`) {
		t.Error("the provider select shows for a supervisor")
	}
	p.setSelect("role", "provider_editor")
	if eval[bool](p, `document.getElementById("provider-field").hidden`) {
		t.Error("the provider select is hidden for a provider editor")
	}
	p.setSelect("provider", nyota.ID)
	p.clickAndLoad(`#add-user button[type=submit]`)
	p.waitText("#secret", "Their first password")
	first := p.text("#secret-value")
	p.waitText("#user-facts", "Nyota")
	p.waitText("#user-facts", "Provider editor")
	axe(t, p)
	u, err := s.db.UserByEmail(ctx, "amani.editor@nyota.example")
	if err != nil || u.ProviderID != nyota.ID || u.Role != domain.RoleProviderEditor {
		t.Fatalf("the new user: %+v, %v", u, err)
	}
	p.navigate("/users/" + u.ID)
	p.waitText("h1", "Amani Editor")
	if eval[bool](p, `document.getElementById("secret") !== null`) || strings.Contains(p.text("#main"), first) {
		t.Error("the first password shows again on reload")
	}

	// A password reset, after confirming, shown once.
	p.followLink("Reset the password")
	p.waitText("h1", "Reset the password of Amani Editor?")
	axe(t, p)
	p.clickAndLoad(`#confirm button[type=submit]`)
	p.waitText("#secret", "The password is reset")
	temporary := p.text("#secret-value")
	if temporary == "" || temporary == first {
		t.Errorf("the temporary password %q is empty or the first one", temporary)
	}
	axe(t, p)
	p.navigate("/users/" + u.ID)
	if strings.Contains(p.text("#main"), temporary) {
		t.Error("the temporary password shows again")
	}

	// A personal API token: made, shown once, listed, revoked.
	p.followLink("My account")
	p.followLink("API tokens for machines")
	p.waitText("h1", "API tokens")
	axe(t, p)
	p.typeInto("#name", "filing robot")
	p.clickAndLoad(`#new-token button[type=submit]`)
	p.waitText("#secret", "Your new token filing robot")
	secret := p.text("#secret-value")
	if !strings.HasPrefix(secret, domain.APITokenPrefix) {
		t.Errorf("the token shown is %q", secret)
	}
	axe(t, p)
	p.navigate("/account/tokens")
	p.waitText("#tokens-list", "filing robot")
	p.waitText("#tokens-list", "Active")
	if strings.Contains(p.text("#main"), secret) {
		t.Error("the token shows again on reload")
	}
	p.followLink("Revoke filing robot")
	p.waitText("h1", "Revoke the token filing robot?")
	axe(t, p)
	p.clickAndLoad(`#confirm button[type=submit]`)
	p.waitText("#tokens-list", "Revoked")

	// A setting.
	p.followLink("Settings")
	p.waitText("h1", "Settings")
	p.waitText("#session-lifetimes", "12 hours")
	axe(t, p)
	if !eval[bool](p, `document.getElementById("four_eyes").checked`) {
		t.Fatal("the demo's four-eyes rule is off")
	}
	p.click("#four_eyes")
	p.clickAndLoad(`#settings button[type=submit]`)
	p.waitText(".flash", "The settings are saved.")
	if eval[bool](p, `document.getElementById("four_eyes").checked`) {
		t.Error("four-eyes approval is still on after saving it off")
	}
	if st, _, err := s.db.Settings(ctx); err != nil || st.FourEyes {
		t.Errorf("stored settings %+v, %v", st, err)
	}

	// A framework file with an error, then a valid one, published.
	p.followLink("Catalogs")
	p.waitText("#frameworks-list", "x1150")
	axe(t, p)
	p.followLink("Upload a framework file")
	p.waitText("h1", "Upload a framework")
	axe(t, p)
	broken, err := filepath.Abs("../frameworks/testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p.do("choose the broken file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{broken}))
	p.clickAndLoad(`#framework-upload button[type=submit]`)
	p.waitText("#file-problems", "threats[0].stages[1]")
	rows := eval[[]string](p, `[...document.querySelectorAll("#file-problems tbody tr")].map(r => [...r.cells].map(c => c.textContent.trim()).join("|"))`)
	found := false
	for _, r := range rows {
		found = found || strings.HasPrefix(r, `28|24|threats[0].stages[1]|stage "moon" is not defined`)
	}
	if !found || len(rows) != 11 {
		t.Errorf("the problems shown are %q; want 11 with the stage moon at line 28, column 24", rows)
	}
	axe(t, p)

	x1150, err := os.ReadFile("../frameworks/x1150.yaml")
	if err != nil {
		t.Fatal(err)
	}
	valid := filepath.Join(t.TempDir(), "x1150-2.0.yaml")
	if err := os.WriteFile(valid, bytes.Replace(x1150, []byte(`version: "1.0"`), []byte(`version: "2.0"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("choose the valid file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{valid}))
	p.clickAndLoad(`#framework-upload button[type=submit]`)
	p.waitText("#checked", "x1150-2.0.yaml is valid")
	axe(t, p)
	p.clickAndLoad(`#framework-publish button[type=submit]`)
	p.waitText(".flash", "The framework version is published.")
	p.waitText("#framework-facts", "2.0")
	axe(t, p)

	// A threat's controls, and a search among them.
	p.followLink("Account and session hijacking")
	p.waitText("#threat-controls", "C1")
	axe(t, p)
	p.followLink("Search among these controls")
	p.waitText("h1", "Controls")
	p.typeInto("#f-q", "lockout")
	p.clickAndLoad(`#controls-filter button[type=submit]`)
	p.waitText("#controls-found", "Session timeout, password policy and lockout")
	if n := eval[int](p, `document.querySelectorAll("#controls-found .control").length`); n < 1 || n > 5 {
		t.Errorf("searching lockout among T1's controls shows %d controls", n)
	}
	axe(t, p)
}
