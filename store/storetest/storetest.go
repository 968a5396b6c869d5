// Package storetest gives each test its own PostgreSQL database, cloned from a
// template that already holds the migrated schema (and, for New, the built-in
// catalogs). Tests run in parallel and every database is dropped at cleanup.
//
// Several checkouts may test against one server: each marks the templates it
// builds with a tag of its source directory and drops only its own stale ones
// (and other checkouts' templates left unused for a week).
//
// The server is found through TEST_DATABASE_URL, by default
// postgres://postgres@127.0.0.1:5432/postgres.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
)

// DefaultURL is the server tests use when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"

// AdminURL returns the URL of the maintenance database tests connect to.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a store on a fresh database with the schema migrated and the
// built-in catalogs published, and that database's URL.
func New(t testing.TB) (*store.DB, string) {
	return clone(t, true)
}

// Empty returns a store on a fresh database with the schema migrated and
// nothing else, and that database's URL.
func Empty(t testing.TB) (*store.DB, string) {
	return clone(t, false)
}

// Bare returns the URL of a fresh database with nothing in it at all.
func Bare(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := "assure_test_" + randomSuffix()
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() { drop(name) })
	return withDatabase(t, AdminURL(), name)
}

var (
	templatesOnce sync.Once
	templates     [2]string // [without catalogs, with catalogs]
	templatesErr  error
)

func clone(t testing.TB, catalogs bool) (*store.DB, string) {
	t.Helper()
	templatesOnce.Do(func() { templatesErr = buildTemplates() })
	if templatesErr != nil {
		t.Fatalf("storetest: %v", templatesErr)
	}
	tpl := templates[0]
	if catalogs {
		tpl = templates[1]
	}
	return cloneOf(t, tpl)
}

// cloneOf returns a store on a fresh copy of template tpl, dropped when the
// test ends, and the copy's URL.
func cloneOf(t testing.TB, tpl string) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	name := "assure_test_" + randomSuffix()
	admin := connect(t, AdminURL())
	_, err := admin.Exec(ctx, fmt.Sprintf("create database %s template %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tpl}.Sanitize()))
	admin.Close(ctx)
	if err != nil {
		t.Fatalf("storetest: clone %s: %v", tpl, err)
	}
	dbURL := withDatabase(t, AdminURL(), name)
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		drop(name)
		t.Fatalf("storetest: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		db.Close()
		drop(name)
	})
	db.SetTOTPKey(TOTPKey())
	return db, dbURL
}

// totpKey is the key that seals second-factor secrets in every test
// database, as serve's --totp-key-file does: one per test binary.
var totpKey = sync.OnceValue(func() *domain.TOTPKey {
	text, err := domain.NewTOTPKeyText()
	if err == nil {
		var k *domain.TOTPKey
		if k, err = domain.ParseTOTPKey(text); err == nil {
			return k
		}
	}
	panic(fmt.Sprintf("storetest: totp key: %v", err))
})

// TOTPKey returns the TOTP key the test databases of this binary are given.
func TOTPKey() *domain.TOTPKey { return totpKey() }

// buildTemplates makes sure both templates for the current code exist. Their
// names carry a digest of everything that goes into them, so a change gets
// new templates; see ensureTemplates for which old ones are dropped.
func buildTemplates() error {
	set, err := currentTemplates()
	if err != nil {
		return err
	}
	templates = set.names
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("connect to %s: %w (is PostgreSQL running?)", redact(AdminURL()), err)
	}
	defer admin.Close(ctx)
	return ensureTemplates(ctx, admin, set, time.Now())
}

func drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return
	}
	defer admin.Close(ctx)
	admin.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)")
}

func connect(t testing.TB, u string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatalf("storetest: connect to %s: %v (is PostgreSQL running?)", redact(u), err)
	}
	return conn
}

func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return u
}

// databaseURL returns base with its database replaced by name. base is a
// postgres:// URL or a keyword/value connection string.
func databaseURL(base, name string) (string, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " dbname=" + name, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", redact(base), err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the test database"
	}
	return p.Redacted()
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
