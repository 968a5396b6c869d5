package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/api"
	"assure/app"
	"assure/demo"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
	"assure/web"
)

// demoPassword is every demo login's password.
const demoPassword = demo.Password

// Demo logins the tests use: Imara MFB (p05) has a draft in the current
// campaign, Nyota (p04) one sent back for changes.
const (
	imaraAdmin  = "p05-admin@demo.assure.local"
	imaraEditor = "p05-editor@demo.assure.local"
	nyotaAdmin  = "p04-admin@demo.assure.local"
)

// site is the whole Assure server, wired as assure serve wires it, over a
// fresh database holding the demo sector.
type site struct {
	url   string
	db    *store.DB
	suite *suite
	app   *app.App
	log   *slog.Logger
}

// newSite starts a server of its own for one test, on its own copy of the
// demo database, so tests that change answers can run in parallel without
// seeing each other.
func newSite(t *testing.T, env *suite) *site {
	t.Helper()
	s := newSiteWithoutJobs(t, env)
	s.startJobs(t)
	return s
}

// newSiteWithoutJobs is newSite whose background workers wait for the test
// to start them (startJobs), so it can see a job before it runs.
func newSiteWithoutJobs(t *testing.T, env *suite) *site {
	t.Helper()
	db := cloneDatabase(t, env.template)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	// Warnings and errors of the server go to the test's output, where a
	// failing test shows them.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	application := app.New(db, authz, log, app.Options{})
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &site{url: srv.URL, db: db, suite: env, app: application, log: log}
}

// startJobs runs the background workers as assure serve does, so that a
// test can watch a report job finish. They stop, letting a running job end,
// when the test does (before its server and database go).
func (s *site) startJobs(t *testing.T) {
	t.Helper()
	jobs, err := s.app.NewJobs(s.log, app.JobOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := jobs.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		if err := jobs.Stop(stop); err != nil {
			t.Logf("stop the background jobs: %v", err)
		}
		cancel()
	})
}

// assessment finds the current campaign's assessment of a provider, by its
// short name, straight from the store.
func (s *site) assessment(t *testing.T, provider string) domain.Assessment {
	t.Helper()
	list, _, err := s.db.Assessments(context.Background(), domain.System("e2e"), store.AssessmentFilter{},
		store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var found domain.Assessment
	for _, a := range list {
		if a.ProviderName == provider && (found.ID == "" || a.DueAt.After(found.DueAt)) {
			found = a
		}
	}
	if found.ID == "" {
		t.Fatalf("the demo data has no assessment of %s", provider)
	}
	return found
}

// response reads one control's stored answer.
func (s *site) response(t *testing.T, assessmentID, control string) domain.Response {
	t.Helper()
	r, err := s.db.Response(context.Background(), domain.System("e2e"), assessmentID, control)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// demoTemplate makes a database holding the demo sector, to be cloned by
// each test, and returns its name. It lives as long as t.
func demoTemplate(t *testing.T) string {
	t.Helper()
	db, dbURL := storetest.New(t)
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatalf("load the demo data: %v", err)
	}
	// PostgreSQL clones only a database nobody is connected to.
	db.Close()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Database
}

// cloneDatabase copies the template database for one test and drops the
// copy when the test ends.
func cloneDatabase(t *testing.T, template string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := make([]byte, 6)
	rand.Read(b)
	name := "assure_test_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, storetest.AdminURL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	_, err = admin.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()+" template "+
		pgx.Identifier{template}.Sanitize())
	admin.Close(ctx)
	if err != nil {
		t.Fatalf("clone the demo database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, storetest.AdminURL())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	db, err := store.Open(ctx, withDatabase(storetest.AdminURL(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.SetTOTPKey(storetest.TOTPKey())
	return db
}

// withDatabase returns a connection string like base for database name;
// base is a postgres:// URL or keyword/value pairs.
func withDatabase(base, name string) string {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		if u, err := url.Parse(base); err == nil {
			u.Path, u.RawPath = "/"+name, ""
			return u.String()
		}
	}
	return base + " dbname=" + name
}

// actor is a demo user as the store knows them, to set up a test's data
// through the store as that user would.
func (s *site) actor(t *testing.T, email string) domain.Actor {
	t.Helper()
	u, err := s.db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return domain.ActorFor(u)
}
