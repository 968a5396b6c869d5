package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/demo"
	"assure/store"
)

var (
	scaleMu    sync.Mutex
	scaleBuilt = map[string]error{}
)

// Scale returns a store on a fresh copy of the sector demo.LoadScale makes
// from spec, and the copy's URL. The sector is built once for each spec and
// version of the code, as a template whose name carries both (it takes
// minutes at national size), and is dropped with the other templates when
// the code changes. spec.AsOf is the day the template was built.
func Scale(t testing.TB, spec demo.ScaleSpec) (*store.DB, string) {
	t.Helper()
	templatesOnce.Do(func() { templatesErr = buildTemplates() })
	if templatesErr != nil {
		t.Fatalf("storetest: %v", templatesErr)
	}
	// The basic templates' names carry the code's digest; the scale one is
	// named after theirs and the spec.
	h := sha256.Sum256(fmt.Appendf(nil, "%s %d %d %d %d", templates[1], spec.Providers, spec.Campaigns,
		spec.AuditEvents, spec.Seed))
	name := templates[1][:len("assure_tpl_")+8] + "_" + hex.EncodeToString(h[:])[:16] + "_scale"

	scaleMu.Lock()
	err, done := scaleBuilt[name]
	if !done {
		err = ensureScale(name, spec, t.Logf)
		scaleBuilt[name] = err
	}
	scaleMu.Unlock()
	if err != nil {
		t.Fatalf("storetest: scale sector: %v", err)
	}
	return cloneOf(t, name)
}

// ensureScale builds the scale template name unless it exists, under the
// template lock, so that parallel test processes build it once.
func ensureScale(name string, spec demo.ScaleSpec, logf func(string, ...any)) error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "select pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	defer admin.Exec(ctx, "select pg_advisory_unlock($1)", templateLock)
	var exists bool
	if err := admin.QueryRow(ctx, `select exists (select 1 from pg_database where datname = $1)`, name).Scan(&exists); err != nil || exists {
		return err
	}
	set, err := currentTemplates()
	if err != nil {
		return err
	}
	building := name + "_wip"
	admin.Exec(ctx, "drop database if exists "+pgx.Identifier{building}.Sanitize()+" with (force)")
	if _, err := admin.Exec(ctx, fmt.Sprintf("create database %s template %s",
		pgx.Identifier{building}.Sanitize(), pgx.Identifier{templates[1]}.Sanitize())); err != nil {
		return err
	}
	if err := setMark(ctx, admin, building, mark{owner: set.owner, used: time.Now()}, set.source); err != nil {
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
	start := time.Now()
	_, err = demo.LoadScale(ctx, db, spec, func(step string) { logf("seed scale %s: %s", time.Since(start).Round(time.Second), step) })
	db.Close()
	if err != nil {
		return err
	}
	// Copies start with the planner's statistics and visibility maps.
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "vacuum analyze")
	conn.Close(ctx)
	if err != nil {
		return err
	}
	_, err = admin.Exec(ctx, fmt.Sprintf("alter database %s rename to %s",
		pgx.Identifier{building}.Sanitize(), pgx.Identifier{name}.Sanitize()))
	return err
}
