package api_test

import (
	"net/http"
	"strings"
	"testing"

	"assure/api"
	"assure/domain"
)

// TestBadInput sends malformed, unknown, oversize and mistyped bodies: each
// gets a 4xx problem, and nothing is written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	token := s.tokenFor(s.user(domain.RoleAdmin, ""))
	count := func() (users, events int) {
		s.queryRow(`select (select count(*) from users), (select count(*) from audit_events)`, nil, &users, &events)
		return
	}
	users, events := count()
	send := func(method, path, body string) response {
		return s.do(method, path, strings.NewReader(body), "Authorization", "Bearer "+token, "Content-Type", "application/json")
	}
	// An auditor is requested, not created: no password, answered 202.
	valid := `{"email":"x@example.test","name":"X","role":"auditor"}`
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"malformed json", http.MethodPost, "/api/v1/users", `{"email": "x@example.test", `, http.StatusBadRequest},
		{"not an object", http.MethodPost, "/api/v1/users", `[1, 2, 3]`, http.StatusUnprocessableEntity},
		{"unknown field", http.MethodPost, "/api/v1/users", strings.Replace(valid, `{`, `{"is_root":true,`, 1), http.StatusUnprocessableEntity},
		{"wrong type", http.MethodPost, "/api/v1/users", strings.Replace(valid, `"name":"X"`, `"name":42`, 1), http.StatusUnprocessableEntity},
		{"bad enum", http.MethodPost, "/api/v1/users", strings.Replace(valid, `"auditor"`, `"root"`, 1), http.StatusUnprocessableEntity},
		{"missing field", http.MethodPost, "/api/v1/users", `{"email":"x@example.test"}`, http.StatusUnprocessableEntity},
		{"oversize", http.MethodPost, "/api/v1/users", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
		{"null body", http.MethodPost, "/api/v1/users", `null`, http.StatusUnprocessableEntity},
		{"bad settings", http.MethodPut, "/api/v1/settings", `{"totp_required_roles":["wizard"],"four_eyes":true}`, http.StatusUnprocessableEntity},
		{"bad if-match", http.MethodPatch, "/api/v1/users/00000000-0000-0000-0000-000000000000", `{"name":"Y"}`, http.StatusNotFound},
		{"bad token expiry", http.MethodPost, "/api/v1/tokens", `{"name":"x","expires_at":"tomorrow"}`, http.StatusUnprocessableEntity},
		{"token too long", http.MethodPost, "/api/v1/tokens", `{"name":"x","expires_at":"2999-01-01T00:00:00Z"}`, http.StatusUnprocessableEntity},
		{"bad uuid", http.MethodGet, "/api/v1/users/not-a-uuid", ``, http.StatusNotFound},
	}
	for _, c := range cases {
		r := send(c.method, c.path, c.body)
		if r.status >= 500 {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
			continue
		}
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %.300s", c.name, r.status, c.status, r.body)
			continue
		}
		wantProblem(t, r, c.status)
	}
	if u, e := count(); u != users || e != events {
		t.Errorf("bad input wrote something: users %d→%d, events %d→%d", users, u, events, e)
	}
	// The well-formed request still works, so the cases above failed for their flaw.
	if r := send(http.MethodPost, "/api/v1/users", valid); r.status != http.StatusAccepted {
		t.Errorf("valid request = %d %s", r.status, r.body)
	}
	// Bad query values on a list an auditor may read.
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	for _, q := range []string{"?from=yesterday", "?provider=nope", "?limit=-1", "?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"} {
		wantProblem(t, auditor.get("/api/v1/audit"+q), http.StatusUnprocessableEntity)
	}
}

// TestHostileText sends NUL characters and bytes that are not UTF-8 in
// bodies, paths, queries and cursors: each is a 4xx problem, never a 500.
func TestHostileText(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	f := newFiling(s, "bank")
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/api/v1/session", map[string]string{"email": "a\x00@b.test", "password": "x"}},
		{http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Bad\x00Bank", "short_name": "B",
			"licence_number": "NUL-1", "kind": "bank", "tier": 1}},
		{http.MethodPut, f.path("/responses/C1"), map[string]any{"status": "implemented", "narrative": "a\x00b"}},
		{http.MethodGet, "/api/v1/providers?q=%ff", nil},
		{http.MethodGet, "/api/v1/providers?q=%00", nil},
		{http.MethodGet, "/api/v1/frameworks/%ff", nil},
		{http.MethodGet, f.path("/responses/%ff"), nil},
		{http.MethodGet, "/api/v1/frameworks/x1150/controls?cursor=WyJcdTAwMDAiXQ", nil},
		{http.MethodGet, "/api/v1/priorities?campaign=" + f.assessment.CampaignID + "&cursor=Wy0xXQ", nil},
		{http.MethodGet, f.path("/submissions/3000000000"), nil},
	} {
		header := []string{}
		if c.method == http.MethodPut {
			header = append(header, "If-Match", `"1"`)
		}
		r := sup.do(c.method, c.path, c.body, header...)
		if r.status < 400 || r.status >= 500 {
			t.Errorf("%s %s = %d %.200s", c.method, c.path, r.status, r.body)
		}
	}
	// A cursor past every row is an empty page, not a failure.
	var page list[api.Response]
	sup.getJSON(f.path("/responses?cursor=Wzk5OTk5OTk5OTk5XQ"), &page)
	if len(page.Items) != 0 {
		t.Errorf("a cursor past the end gives %d items", len(page.Items))
	}
}
