package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"assure/domain"
)

// fuzzOperation is a JSON operation FuzzJSONBodies sends bodies to, as the
// user who may call it; a versioned one is sent with If-Match of the object
// as read just before, so that bodies reach the rules behind the version check.
type fuzzOperation struct {
	method, path string
	token        string
	versioned    bool
}

// FuzzJSONBodies sends arbitrary bodies to JSON operations of the real API
// over one database made for the whole run: creating users, providers,
// campaigns, findings and tokens, and saving a response. The operation is
// chosen by the first value; in the body, {assessment} and {provider} stand
// for the ids of an assessment open for answers and its provider, so that the
// committed seeds (testdata/fuzz/FuzzJSONBodies) reach the rules behind the
// decoding. No answer is a 5xx; every refusal is a problem+json body with
// its status; a body that is not JSON is refused with a 4xx.
func FuzzJSONBodies(f *testing.F) {
	s := newServer(f)
	admin := s.tokenFor(s.user(domain.RoleAdmin, ""))
	supervisor := s.tokenFor(s.user(domain.RoleSupervisor, ""))
	fl := newFiling(s, "bank")
	ops := []fuzzOperation{
		{http.MethodPost, "/api/v1/users", admin, false},
		{http.MethodPost, "/api/v1/providers", supervisor, false},
		{http.MethodPost, "/api/v1/campaigns", supervisor, false},
		{http.MethodPost, "/api/v1/findings", supervisor, false},
		{http.MethodPut, fl.path("/responses/C1"), fl.editor.token, true},
		{http.MethodPost, "/api/v1/tokens", fl.editor.token, false},
	}
	ids := strings.NewReplacer("{assessment}", fl.assessment.ID, "{provider}", fl.provider)
	f.Add(uint8(0), []byte(`{"email":"new@example.test","name":"New","role":"auditor"}`))
	f.Add(uint8(0), []byte(`{"email":"new@example.test","name":"New","role":"supervisor","password":"a long enough password"}`))
	f.Add(uint8(4), []byte(`{"status":"partial","narrative":"Half done.","remediation_date":"2999-01-01"}`))
	f.Add(uint8(5), []byte(`{"name":"x","expires_at":"tomorrow"}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		op := ops[int(which)%len(ops)]
		body = []byte(ids.Replace(string(body)))
		req, err := http.NewRequest(op.method, s.url+op.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+op.token)
		if op.versioned {
			req.Header.Set("If-Match", fuzzETag(t, s.url+op.path, op.token))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q = %d: %s", op.method, op.path, body, res.StatusCode, answer)
		}
		if !json.Valid(body) && res.StatusCode < 400 {
			t.Fatalf("%s %s took a body that is not JSON, %q: %d", op.method, op.path, body, res.StatusCode)
		}
		if res.StatusCode < 400 {
			return
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Fatalf("%s %s %q = %d as %q, not problem+json: %s", op.method, op.path, body, res.StatusCode, ct, answer)
		}
		var p problem
		if err := json.Unmarshal(answer, &p); err != nil || p.Status != res.StatusCode || p.Title == "" {
			t.Fatalf("%s %s %q = %d with problem %s (%v)", op.method, op.path, body, res.StatusCode, answer, err)
		}
	})
}

// fuzzETag reads the ETag of the object at url.
func fuzzETag(t *testing.T, url, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == "" {
		t.Fatalf("GET %s = %d with ETag %q", url, res.StatusCode, res.Header.Get("ETag"))
	}
	return res.Header.Get("ETag")
}
