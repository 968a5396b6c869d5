// Package storetest gives each test its own PostgreSQL database, cloned from a
// template that already holds the migrated schema (and, for New, the built-in
// catalogs). Tests run in parallel and every database is dropped at cleanup.
//
// The server is found through TEST_DATABASE_URL, by default
// postgres://postgres@127.0.0.1:5432/postgres.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/frameworks"
	"assure/migrations"
	"assure/store"
)

// DefaultURL is the server tests use when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"

// templateLock serialises template building across test processes.
const templateLock = 0x61737375726502

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
	return db, dbURL
}

// buildTemplates makes sure both templates for the current schema and catalogs
// exist. Their names carry a digest of the migrations and catalog files, so a
// changed migration gets new templates and stale ones are dropped.
func buildTemplates() error {
	ctx := context.Background()
	digest, err := sourceDigest()
	if err != nil {
		return err
	}
	base := "assure_tpl_" + digest
	templates = [2]string{base + "_schema", base + "_catalog"}

	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("connect to %s: %w (is PostgreSQL running?)", redact(AdminURL()), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "select pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	defer admin.Exec(ctx, "select pg_advisory_unlock($1)", templateLock)

	rows, err := admin.Query(ctx, `select datname from pg_database where datname like 'assure\_tpl\_%'`)
	if err != nil {
		return err
	}
	existing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, name := range existing {
		if name != templates[0] && name != templates[1] {
			admin.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)")
			continue
		}
		have[name] = true
	}
	for i, name := range templates {
		if have[name] {
			continue
		}
		if err := buildTemplate(ctx, admin, name, i == 1); err != nil {
			return fmt.Errorf("build template %s: %w", name, err)
		}
	}
	return nil
}

// buildTemplate prepares the template under a temporary name and renames it
// when complete, so a half-built template is never cloned.
func buildTemplate(ctx context.Context, admin *pgx.Conn, name string, catalogs bool) error {
	building := name + "_wip"
	admin.Exec(ctx, "drop database if exists "+pgx.Identifier{building}.Sanitize()+" with (force)")
	if _, err := admin.Exec(ctx, "create database "+pgx.Identifier{building}.Sanitize()); err != nil {
		return err
	}
	u, err := databaseURL(AdminURL(), building)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	if err == nil && catalogs {
		var list []*domain.Framework
		list, err = frameworks.Embedded()
		for _, f := range list {
			if err == nil {
				_, err = db.PublishFramework(ctx, domain.System("test"), f)
			}
		}
	}
	db.Close()
	if err != nil {
		return err
	}
	_, err = admin.Exec(ctx, fmt.Sprintf("alter database %s rename to %s",
		pgx.Identifier{building}.Sanitize(), pgx.Identifier{name}.Sanitize()))
	return err
}

func sourceDigest() (string, error) {
	h := sha256.New()
	for _, fsys := range []fs.FS{migrations.FS, frameworks.Files} {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
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
