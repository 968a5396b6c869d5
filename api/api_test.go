package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"assure/api"
	"assure/store"
	"assure/store/storetest"
)

// server runs the real API in-process over a fresh database.
type server struct {
	t   *testing.T
	url string
	db  *store.DB
}

func newServer(t *testing.T) *server {
	t.Helper()
	db, _ := storetest.New(t)
	a := api.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(ts.Close)
	return &server{t: t, url: ts.URL, db: db}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *server) do(method, path string, body io.Reader, header ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (s *server) get(path string) response { return s.do(http.MethodGet, path, nil) }

// getJSON fetches path, expects 200 and decodes the body into v.
func (s *server) getJSON(path string, v any) {
	s.t.Helper()
	r := s.get(path)
	if r.status != http.StatusOK {
		s.t.Fatalf("GET %s = %d %s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
}

// problem is the problem+json body, as a client reads it.
type problem struct {
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
	Allowed []string `json:"allowed"`
}

// wantProblem checks that r is a problem+json answer with the given status.
func wantProblem(t *testing.T, r response, status int) problem {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type = %q, want problem+json: %s", ct, r.body)
	}
	var p problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body: %v: %s", err, r.body)
	}
	if p.Status != status || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem = %+v", p)
	}
	return p
}
