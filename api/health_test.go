package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if r := s.get("/healthz"); r.status != http.StatusOK || !strings.Contains(string(r.body), `"ok"`) {
		t.Errorf("healthz = %d %s", r.status, r.body)
	}
	var ready struct {
		Status        string `json:"status"`
		SchemaVersion int    `json:"schema_version"`
	}
	s.as("").getJSON("/readyz", &ready)
	if ready.Status != "ready" || ready.SchemaVersion < 1 {
		t.Errorf("readyz = %+v", ready)
	}
}

func TestOpenAPIAndDocs(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	s.as("").getJSON("/openapi.json", &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	for _, p := range []string{"/api/v1/frameworks", "/api/v1/frameworks/{fw}", "/api/v1/frameworks/{fw}/dimensions",
		"/api/v1/frameworks/{fw}/stages", "/api/v1/frameworks/{fw}/threats", "/api/v1/frameworks/{fw}/threats/{id}",
		"/api/v1/frameworks/{fw}/controls", "/api/v1/frameworks/{fw}/controls/{id}"} {
		if _, ok := doc.Paths[p]["get"]; !ok {
			t.Errorf("OpenAPI lacks GET %s", p)
		}
	}

	r := s.get("/docs")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs = %d %s", r.status, r.header.Get("Content-Type"))
	}
	page := string(r.body)
	if !strings.Contains(page, "/api/v1/frameworks/{fw}/controls") || !strings.Contains(page, "list-controls") {
		t.Error("docs page does not describe the operations")
	}
	// Nothing on the page is fetched from elsewhere.
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`)
	if m := external.FindString(page); m != "" {
		t.Errorf("docs page loads from the internet: %s", m)
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("docs page carries a script")
	}
	css := s.get("/docs/docs.css")
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("docs.css = %d", css.status)
	}
	var v any
	if json.Unmarshal(s.get("/openapi.json").body, &v) != nil {
		t.Error("openapi.json is not JSON")
	}
}
