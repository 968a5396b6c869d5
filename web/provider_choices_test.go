package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// A sector larger than a provider select holds: the administrator finds the
// provider past the first page by searching, makes a user for it, and the
// users list names that provider and filters by it.
func TestProviderChoicesReachTheWholeSector(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	// 600 providers named so that they sort after the demo's, the last one
	// far past any one page.
	if _, err := s.db.Pool().Exec(ctx, `insert into providers (legal_name, short_name, licence_number, kind, tier)
		select 'Zulu Payments ' || n, 'Zulu ' || lpad(n::text, 4, '0'), 'ZP-' || n, 'psp', 3
		from generate_series(1, 600) n`); err != nil {
		t.Fatal(err)
	}
	var last string
	if err := s.db.Pool().QueryRow(ctx, `select id::text from providers where short_name = 'Zulu 0600'`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	admin := s.newAdmin(t, "ada@regulator.test")
	page := admin.get("/users")
	page.want(t, http.StatusOK, "/users", `id="find-provider"`, `id="pq-hint"`)
	page.lacks(t, `<option value="`+last+`"`)

	found := admin.get("/users?pq=" + url.QueryEscape("Zulu 0600"))
	found.want(t, http.StatusOK, "/users?pq=Zulu+0600", `<option value="`+last+`"`, `value="Zulu 0600"`)
	found.lacks(t, `id="pq-hint"`) // one match: nothing more to find

	made := admin.post("/users", url.Values{"email": {"ed@zulu.test"}, "name": {"Ed Zulu"}, "role": {"provider_editor"},
		"provider": {last}})
	made.want(t, http.StatusCreated, "/users", "Ed Zulu")
	var user string
	if err := s.db.Pool().QueryRow(ctx, `select id::text from users where email = 'ed@zulu.test' and provider_id = $1`, last).
		Scan(&user); err != nil {
		t.Fatalf("the user was not made for the provider past the first page: %v", err)
	}
	// The user's page offers that provider, chosen, among the first page.
	admin.get("/users/"+user).want(t, http.StatusOK, "/users/"+user, `<option value="`+last+`" selected`, `id="find-provider"`)

	list := admin.get("/users?provider=" + last)
	list.want(t, http.StatusOK, "/users?provider="+last, "ed@zulu.test", "Zulu 0600", `<option value="`+last+`" selected`)

}
