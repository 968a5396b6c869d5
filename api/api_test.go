package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/app"
	"assure/domain"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"assure/api"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
)

// server runs the real API in-process over a fresh database.
type server struct {
	t     testing.TB
	url   string
	db    *store.DB
	dbURL string
	api   *api.API
	app   *app.App
	authz *policies.Authorizer
}

func newServer(t testing.TB) *server {
	t.Helper()
	db, dbURL := storetest.New(t)
	return serve(t, db, dbURL)
}

// serve starts another API server over an existing database.
func serve(t testing.TB, db *store.DB, dbURL string) *server {
	t.Helper()
	return serveWith(t, db, dbURL, app.Options{}, api.Options{})
}

// serveWith starts an API server with options over an existing database.
func serveWith(t testing.TB, db *store.DB, dbURL string, opts app.Options, apiOpts api.Options) *server {
	t.Helper()
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	application := app.New(db, authz, log, opts)
	a := api.New(application, log, apiOpts)
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(ts.Close)
	return &server{t: t, url: ts.URL, db: db, dbURL: dbURL, api: a, app: application, authz: authz}
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

// client makes requests as one signed-in user.
type client struct {
	s     *server
	token string
}

func (s *server) as(token string) *client { return &client{s: s, token: token} }

func (c *client) do(method, path string, body any, header ...string) response {
	c.s.t.Helper()
	var r io.Reader
	if m, ok := body.(interface{ encode() (io.Reader, string) }); ok {
		var ct string
		r, ct = m.encode()
		header = append(header, "Content-Type", ct)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
		header = append(header, "Content-Type", "application/json")
	}
	if c.token != "" {
		header = append(header, "Authorization", "Bearer "+c.token)
	}
	return c.s.do(method, path, r, header...)
}

func (c *client) get(path string) response { return c.do(http.MethodGet, path, nil) }

// getJSON fetches path, expects 200 and decodes the body into v.
func (c *client) getJSON(path string, v any) {
	c.s.t.Helper()
	c.json(http.MethodGet, path, nil, http.StatusOK, v)
}

// reader returns a client signed in as a new auditor, who may read everything.
func (s *server) reader() *client {
	s.t.Helper()
	return s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
}

// json sends a request, expects status and decodes the answer into v.
func (c *client) json(method, path string, body any, status int, v any) {
	c.s.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.s.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.status, status, r.body)
	}
	if v != nil {
		// Decode into a zero value, so fields absent from this answer are not
		// left over from an earlier one.
		rv := reflect.ValueOf(v).Elem()
		rv.Set(reflect.Zero(rv.Type()))
		if err := json.Unmarshal(r.body, v); err != nil {
			c.s.t.Fatalf("%s %s: %v: %s", method, path, err, r.body)
		}
	}
}

// provider inserts a provider for tests and returns its id.
func (s *server) provider(name string) string {
	s.t.Helper()
	var id string
	conn, err := pgx.Connect(context.Background(), s.dbURL)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	err = conn.QueryRow(context.Background(), `insert into providers (legal_name, short_name, licence_number, kind, tier)
		values ($1, $1, $1 || '-lic', 'bank', 2) returning id::text`, name).Scan(&id)
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

var userSeq atomic.Int64

// user creates a user with testPassword and returns it.
func (s *server) user(role domain.Role, providerID string) domain.User {
	s.t.Helper()
	n := userSeq.Add(1)
	u, err := s.db.CreateUser(context.Background(), domain.System("test"), store.NewUser{
		Email: fmt.Sprintf("%s%d@example.test", role, n), Name: fmt.Sprintf("%s %d", role, n),
		Role: role, ProviderID: providerID, Password: testPassword})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// tokenFor issues a fresh API token for u without going through sign-in.
func (s *server) tokenFor(u domain.User) string {
	s.t.Helper()
	actor := domain.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, ProviderID: u.ProviderID}
	token, _, err := s.db.CreateAPIToken(context.Background(), actor, "test", time.Now().Add(time.Hour))
	if err != nil {
		s.t.Fatal(err)
	}
	return token
}

// login signs in through the API and returns the session token.
func (s *server) login(email, password string) string {
	s.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.as("").json(http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password}, http.StatusOK, &out)
	return out.Token
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
