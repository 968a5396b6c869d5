package storetest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// templateLock serialises template building across test processes. Older
// versions of this package use the same key, so they queue with this one.
const templateLock = 0x61737375726502

const (
	// markPrefix starts the comment on every template this package builds.
	markPrefix = "assure storetest template"
	// abandonedAfter is how long a template of another checkout must go
	// unused before it is dropped: long enough that no test run still
	// needs it, short enough that deleted checkouts do not pile up.
	abandonedAfter = 7 * 24 * time.Hour
	// touchAfter is how old a template's last-used time may get before a
	// test run writes a new one. Writing on every run would queue behind
	// clones in progress for nothing.
	touchAfter = time.Hour
)

// templateSet names the two templates one checkout needs for its current
// code and the owner tag they carry.
type templateSet struct {
	owner  string    // tag of the checkout that builds and may drop them
	source string    // checkout directory, recorded for people reading \l+
	names  [2]string // [without catalogs, with catalogs]
}

func currentTemplates() (templateSet, error) {
	c, err := findCheckout()
	if err != nil {
		return templateSet{}, fmt.Errorf("find the source tree: %w", err)
	}
	digest, err := c.digest()
	if err != nil {
		return templateSet{}, fmt.Errorf("digest the template sources: %w", err)
	}
	owner := c.owner()
	base := "assure_tpl_" + owner[:8] + "_" + digest
	return templateSet{owner: owner, source: c.root, names: [2]string{base + "_schema", base + "_catalog"}}, nil
}

// mark is what the comment on a template records: who built it and when a
// test run last used it.
type mark struct {
	owner string
	used  time.Time
}

func (m mark) comment(source string) string {
	return fmt.Sprintf("%s owner=%s used=%s source=%s",
		markPrefix, m.owner, m.used.UTC().Format(time.RFC3339), source)
}

// parseMark reads a comment written by mark.comment. It reports false for
// any other comment, including none.
func parseMark(comment string) (mark, bool) {
	rest, ok := strings.CutPrefix(comment, markPrefix+" ")
	if !ok {
		return mark{}, false
	}
	var m mark
	for _, field := range strings.Fields(rest) {
		key, value, _ := strings.Cut(field, "=")
		switch key {
		case "owner":
			m.owner = value
		case "used":
			t, err := time.Parse(time.RFC3339, value)
			if err != nil {
				return mark{}, false
			}
			m.used = t
		}
	}
	return m, m.owner != "" && !m.used.IsZero()
}

// droppable reports whether a template that is not one of owner's current
// ones may be dropped: it is owner's own leftover from older code, or it
// belongs to another checkout and has not been used for abandonedAfter. A
// database without a mark is never dropped.
func droppable(comment, owner string, now time.Time) bool {
	m, ok := parseMark(comment)
	if !ok {
		return false
	}
	return m.owner == owner || now.Sub(m.used) > abandonedAfter
}

// ensureTemplates makes sure both templates of set exist, building the
// missing ones. Before building, it drops the templates droppable says may
// go. All of it happens under templateLock.
func ensureTemplates(ctx context.Context, admin *pgx.Conn, set templateSet, now time.Time) error {
	if _, err := admin.Exec(ctx, "select pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	defer admin.Exec(ctx, "select pg_advisory_unlock($1)", templateLock)

	rows, err := admin.Query(ctx, `
		select datname, coalesce(shobj_description(oid, 'pg_database'), '')
		from pg_database where datname like 'assure\_tpl\_%'`)
	if err != nil {
		return err
	}
	comments := map[string]string{}
	var name, comment string
	_, err = pgx.ForEachRow(rows, []any{&name, &comment}, func() error {
		comments[name] = comment
		return nil
	})
	if err != nil {
		return err
	}

	missing := false
	for _, name := range set.names {
		comment, ok := comments[name]
		if !ok {
			missing = true
			continue
		}
		if m, ok := parseMark(comment); ok && m.owner == set.owner && now.Sub(m.used) > touchAfter {
			if err := setMark(ctx, admin, name, mark{owner: set.owner, used: now}, set.source); err != nil {
				return fmt.Errorf("mark template %s as used: %w", name, err)
			}
		}
	}
	if !missing {
		return nil
	}

	for name, comment := range comments {
		if name == set.names[0] || name == set.names[1] || !droppable(comment, set.owner, now) {
			continue
		}
		// Best effort: a leftover that will not go away only costs disk.
		admin.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)")
	}
	for i, name := range set.names {
		if _, ok := comments[name]; ok {
			continue
		}
		if err := buildTemplate(ctx, admin, name, i == 1, mark{owner: set.owner, used: now}, set.source); err != nil {
			return fmt.Errorf("build template %s: %w", name, err)
		}
	}
	return nil
}

// buildTemplate prepares the template under a temporary name and renames it
// when complete, so a half-built template is never cloned. The mark goes on
// first, so a build that dies half-way leaves a database its owner cleans up.
func buildTemplate(ctx context.Context, admin *pgx.Conn, name string, catalogs bool, m mark, source string) error {
	building := name + "_wip"
	admin.Exec(ctx, "drop database if exists "+pgx.Identifier{building}.Sanitize()+" with (force)")
	if _, err := admin.Exec(ctx, "create database "+pgx.Identifier{building}.Sanitize()); err != nil {
		return err
	}
	if err := setMark(ctx, admin, building, m, source); err != nil {
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
		var mappings []*domain.Mapping
		if err == nil {
			mappings, err = frameworks.EmbeddedMappings()
		}
		for _, m := range mappings {
			if err == nil {
				_, err = db.PublishMapping(ctx, domain.System("test"), m)
			}
		}
		var calibrations []*domain.Calibration
		if err == nil {
			calibrations, err = frameworks.EmbeddedCalibrations()
		}
		for _, c := range calibrations {
			if err == nil {
				_, err = db.PublishCalibration(ctx, domain.System("test"), c)
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

// setMark writes m as the comment on database name.
func setMark(ctx context.Context, admin *pgx.Conn, name string, m mark, source string) error {
	return setComment(ctx, admin, name, m.comment(source))
}

// setComment sets the comment on database name. COMMENT takes no
// parameters, so the server quotes the name and text itself.
func setComment(ctx context.Context, admin *pgx.Conn, name, text string) error {
	var stmt string
	err := admin.QueryRow(ctx, "select format('comment on database %I is %L', $1::text, $2::text)",
		name, text).Scan(&stmt)
	if err != nil {
		return err
	}
	_, err = admin.Exec(ctx, stmt)
	return err
}
