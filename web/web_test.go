package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHomeAndStatic(t *testing.T) {
	ui, err := New()
	if err != nil {
		t.Fatal(err)
	}
	h := ui.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "X.1150") {
		t.Fatalf("home = %d", rec.Code)
	}
	css := ui.urls["assure.css"]
	if !strings.Contains(rec.Body.String(), css) {
		t.Errorf("home does not link %s", css)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, css, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("static = %d %v", rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/assure.css", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("unhashed static = %d, want 404", rec.Code)
	}
}
