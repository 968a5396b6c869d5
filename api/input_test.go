package api_test

import (
	"net/http"
	"strings"
	"testing"

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
	valid := `{"email":"x@example.test","name":"X","role":"auditor","password":"a long enough password"}`
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
	if r := send(http.MethodPost, "/api/v1/users", valid); r.status != http.StatusCreated {
		t.Errorf("valid request = %d %s", r.status, r.body)
	}
	// Bad query values on a list an auditor may read.
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	for _, q := range []string{"?from=yesterday", "?provider=nope", "?limit=-1", "?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"} {
		wantProblem(t, auditor.get("/api/v1/audit"+q), http.StatusUnprocessableEntity)
	}
}
