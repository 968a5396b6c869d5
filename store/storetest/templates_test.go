package storetest

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMarkRoundTrip(t *testing.T) {
	used := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	m := mark{owner: "0123456789abcdef", used: used}
	got, ok := parseMark(m.comment("/src/with space/assure"))
	if !ok || got.owner != m.owner || !got.used.Equal(used) {
		t.Fatalf("parseMark(comment) = %+v, %v; want %+v", got, ok, m)
	}
	for _, c := range []string{"", "a template someone made by hand", markPrefix + " owner=abc", markPrefix + " used=2026-01-01T00:00:00Z"} {
		if _, ok := parseMark(c); ok {
			t.Errorf("parseMark(%q) accepted a comment without owner and time", c)
		}
	}
}

func TestDroppable(t *testing.T) {
	now := time.Now()
	mine, theirs := "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"
	cases := []struct {
		name    string
		comment string
		want    bool
	}{
		{"own leftover", mark{mine, now}.comment("/a"), true},
		{"other checkout, in use", mark{theirs, now.Add(-time.Hour)}.comment("/b"), false},
		{"other checkout, used six days ago", mark{theirs, now.Add(-6 * 24 * time.Hour)}.comment("/b"), false},
		{"other checkout, unused for weeks", mark{theirs, now.Add(-30 * 24 * time.Hour)}.comment("/b"), true},
		{"no mark", "", false},
		{"someone else's comment", "keep me", false},
	}
	for _, c := range cases {
		if got := droppable(c.comment, mine, now); got != c.want {
			t.Errorf("%s: droppable = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDigestCoversTemplateCode(t *testing.T) {
	c, err := findCheckout()
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := c.packageDirs()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"store/storetest", "store", "domain", "frameworks", "migrations"} {
		if !slices.Contains(dirs, filepath.Join(c.root, filepath.FromSlash(pkg))) {
			t.Errorf("digest leaves out %s; it covers %v", pkg, dirs)
		}
	}
	a, err := c.digest()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := c.digest(); a != b || len(a) != 16 {
		t.Errorf("digest = %q then %q; want the same 16 hex digits", a, b)
	}
}

// TestEnsureTemplatesKeepsOtherCheckouts builds templates the way a test run
// does, beside databases that look like templates, and checks that only the
// ones this owner may drop are gone.
func TestEnsureTemplatesKeepsOtherCheckouts(t *testing.T) {
	ctx := context.Background()
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)

	// A made-up owner, so the build drops nothing of this checkout's real
	// templates that other test processes may be cloning.
	tag := randomSuffix()
	now := time.Now()
	set := templateSet{owner: "selftest" + tag, source: "storetest self-test"}
	set.names = [2]string{"assure_tpl_" + tag + "_new_schema", "assure_tpl_" + tag + "_new_catalog"}
	other := "cccccccc" + tag
	dbs := []struct {
		name    string
		comment string
		keep    bool
	}{
		{"assure_tpl_" + tag + "_other", mark{other, now.Add(-time.Minute)}.comment("/elsewhere"), true},
		{"assure_tpl_" + tag + "_untagged", "", true},
		{"assure_tpl_" + tag + "_foreign_note", "made by hand, keep", true},
		{"assure_tpl_" + tag + "_own_stale", mark{set.owner, now.Add(-time.Minute)}.comment(set.source), false},
		{"assure_tpl_" + tag + "_abandoned", mark{other, now.Add(-30 * 24 * time.Hour)}.comment("/gone"), false},
	}
	t.Cleanup(func() {
		for _, db := range dbs {
			drop(db.name)
		}
		drop(set.names[0])
		drop(set.names[1])
	})

	// Hold the build lock from before the look-alikes exist until they are
	// checked, so no other test process cleans up between the two.
	if _, err := admin.Exec(ctx, "select pg_advisory_lock($1)", templateLock); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "select pg_advisory_unlock($1)", templateLock)
	for _, db := range dbs {
		if _, err := admin.Exec(ctx, "create database "+pgx.Identifier{db.name}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		if db.comment == "" {
			continue
		}
		if err := setComment(ctx, admin, db.name, db.comment); err != nil {
			t.Fatal(err)
		}
	}

	if err := ensureTemplates(ctx, admin, set, now); err != nil {
		t.Fatal(err)
	}

	for _, db := range dbs {
		if got := exists(t, admin, db.name); got != db.keep {
			t.Errorf("%s exists = %v after building templates, want %v", db.name, got, db.keep)
		}
	}
	checkUsed := func(want time.Time) {
		t.Helper()
		for _, name := range set.names {
			var comment string
			err := admin.QueryRow(ctx, "select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = $1",
				name).Scan(&comment)
			if err != nil {
				t.Fatalf("template %s: %v", name, err)
			}
			if m, ok := parseMark(comment); !ok || m.owner != set.owner || !m.used.Equal(want.Truncate(time.Second)) {
				t.Errorf("template %s has comment %q, want owner %s used %s", name, comment, set.owner, want.UTC().Format(time.RFC3339))
			}
		}
	}
	checkUsed(now)

	// Later runs find the templates and only refresh when they were last
	// used more than touchAfter ago.
	if err := ensureTemplates(ctx, admin, set, now.Add(touchAfter/2)); err != nil {
		t.Fatal(err)
	}
	checkUsed(now)
	later := now.Add(2 * touchAfter)
	if err := ensureTemplates(ctx, admin, set, later); err != nil {
		t.Fatal(err)
	}
	checkUsed(later)
}

func exists(t *testing.T, admin *pgx.Conn, name string) bool {
	t.Helper()
	var ok bool
	err := admin.QueryRow(context.Background(), "select exists (select from pg_database where datname = $1)", name).Scan(&ok)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
