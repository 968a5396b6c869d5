package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

// TestDatabaseDown checks that while the database does not answer the API
// says 503 with Retry-After and a request id, never 500, and readiness says
// so too.
func TestDatabaseDown(t *testing.T) {
	t.Parallel()
	_, dbURL := storetest.New(t)
	o := storetest.WithOutage(t, dbURL)
	s := serveWith(t, o.DB, dbURL, app.Options{}, api.Options{})
	token := s.tokenFor(s.user(domain.RoleSupervisor, ""))
	sup := s.as(token)
	if r := sup.get("/api/v1/providers"); r.status != http.StatusOK {
		t.Fatalf("before the outage: %d %s", r.status, r.body)
	}
	o.Cut()

	// Twice: first the pooled connections find the server gone, then new
	// connections are refused.
	for i, path := range []string{"/api/v1/providers", "/api/v1/providers", "/api/v1/campaigns", "/readyz", "/readyz"} {
		var r response
		if path == "/readyz" {
			r = s.get(path)
		} else {
			r = sup.get(path)
		}
		if r.status != http.StatusServiceUnavailable {
			t.Errorf("%d %s: status %d %s, want 503", i, path, r.status, r.body)
			continue
		}
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if ra := r.header.Get("Retry-After"); ra != "5" {
			t.Errorf("%s: Retry-After %q, want 5", path, ra)
		}
		var p struct {
			Status    int    `json:"status"`
			Detail    string `json:"detail"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("%s: %v %s", path, err, r.body)
		}
		if p.Status != http.StatusServiceUnavailable || p.Detail == "" || p.RequestID == "" ||
			p.RequestID != r.header.Get("X-Request-ID") {
			t.Errorf("%s: problem %+v, X-Request-ID %q", path, p, r.header.Get("X-Request-ID"))
		}
	}
	if r := s.get("/healthz"); r.status != http.StatusOK {
		t.Errorf("healthz during the outage = %d", r.status)
	}
}
