package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"assure/domain"
	"assure/store"
)

// testProviderSearch: in a sector larger than a provider select holds, an
// administrator on a phone-sized screen finds a provider past the first
// page by its licence number and makes a user for it. axe checks the page
// with the search showing.
func testProviderSearch(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	const adminEmail = "ada.search@regulator.example"
	if _, err := s.db.CreateUser(ctx, domain.System("e2e"), store.NewUser{Email: adminEmail, Name: "Ada Search",
		Role: domain.RoleAdmin, Password: demoPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Pool().Exec(ctx, `insert into providers (legal_name, short_name, licence_number, kind, tier)
		select 'Zulu Payments ' || n, 'Zulu ' || lpad(n::text, 4, '0'), 'ZP-' || n, 'psp', 3
		from generate_series(1, 600) n`); err != nil {
		t.Fatal(err)
	}
	var last string
	if err := s.db.Pool().QueryRow(ctx, `select id::text from providers where licence_number = 'ZP-600'`).Scan(&last); err != nil {
		t.Fatal(err)
	}

	p := s.newPage(t, "admin")
	p.do("a phone-sized screen", chromedp.EmulateViewport(360, 780))
	p.signIn(adminEmail)
	p.navigate("/users")
	p.waitText("#find-provider", "Find a provider by name or licence number")
	axe(t, p)
	p.typeInto("#pq", "ZP-600")
	p.clickAndLoad(`#find-provider button[type=submit]`)
	p.waitText("#provider", "Zulu 0600")
	axe(t, p)
	p.typeInto("#email", "ed@zulu.example")
	p.typeInto("#name", "Ed Zulu")
	p.setSelect("role", "provider_editor")
	p.setSelect("provider", last)
	p.clickAndLoad(`#add-user button[type=submit]`)
	p.waitText("#user-facts", "Zulu 0600")
}
