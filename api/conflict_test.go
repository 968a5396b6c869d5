package api_test

import (
	"net/http"
	"strings"
	"testing"

	"assure/api"
	"assure/domain"
)

// TestDuplicatesAreConflicts takes what a unique index of the schema keeps
// one of (a user's email, a provider's licence number, both compared without
// case) a second time, by creating and by changing: each is a 409 problem
// that does not quote the database, and nothing is written.
func TestDuplicatesAreConflicts(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))

	var first, second api.Provider
	sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Amana Bank plc", "short_name": "Amana",
		"licence_number": "BK-017", "kind": "bank", "tier": 1}, http.StatusCreated, &first)
	sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Tigo Pesa Ltd", "short_name": "Tigo",
		"licence_number": "MMO-004", "kind": "mobile_money_operator", "tier": 1}, http.StatusCreated, &second)
	admin.json(http.MethodPost, "/api/v1/users", map[string]any{"email": "kofi@amana.test", "name": "Kofi",
		"role": "provider_admin", "provider_id": first.ID, "password": testPassword}, http.StatusCreated, nil)
	etag := sup.get("/api/v1/providers/" + second.ID).header.Get("ETag")

	counts := func() (users, providers, events int) {
		s.must(s.queryRow(`select (select count(*) from users), (select count(*) from providers),
			(select count(*) from audit_events)`, nil, &users, &providers, &events))
		return
	}
	users, providers, events := counts()
	for _, c := range []struct {
		name   string
		client *client
		method string
		path   string
		body   map[string]any
		header []string
	}{
		{"user with a taken email", admin, http.MethodPost, "/api/v1/users", map[string]any{"email": "Kofi@Amana.TEST",
			"name": "Another Kofi", "role": "auditor"}, nil},
		{"provider with a taken licence number", sup, http.MethodPost, "/api/v1/providers", map[string]any{
			"legal_name": "Amana Microfinance", "short_name": "Amana MF", "licence_number": "bk-017", "kind": "mfi", "tier": 3}, nil},
		// Changing goes through the unique index itself, not a check before it.
		{"provider changed to a taken licence number", sup, http.MethodPatch, "/api/v1/providers/" + second.ID,
			map[string]any{"licence_number": "Bk-017"}, []string{"If-Match", etag}},
	} {
		r := c.client.do(c.method, c.path, c.body, c.header...)
		if r.status != http.StatusConflict {
			t.Errorf("%s: %d, want 409: %s", c.name, r.status, r.body)
			continue
		}
		p := wantProblem(t, r, http.StatusConflict)
		if strings.Contains(p.Detail, "duplicate key") || strings.Contains(p.Detail, "constraint") {
			t.Errorf("%s: the problem quotes the database: %q", c.name, p.Detail)
		}
	}
	if u, p, e := counts(); u != users || p != providers || e != events {
		t.Errorf("duplicates wrote something: users %d→%d, providers %d→%d, events %d→%d", users, u, providers, p, events, e)
	}
	var after api.Provider
	sup.getJSON("/api/v1/providers/"+second.ID, &after)
	if after.LicenceNumber != "MMO-004" || after.Version != second.Version {
		t.Errorf("the refused change left %s v%d", after.LicenceNumber, after.Version)
	}
}
