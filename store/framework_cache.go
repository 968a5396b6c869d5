package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// cachedFramework is a published framework version read back into its
// domain form, with each control's catalog position.
type cachedFramework struct {
	*domain.Framework
	ordinals map[string]int
}

// framework returns the framework version with key, from the cache when it
// has been read before. Published versions never change, so the cache never
// goes stale, on this instance or any other.
func (db *DB) framework(ctx context.Context, q querier, key int64) (*cachedFramework, error) {
	db.frameworksMu.RLock()
	f, ok := db.frameworks[key]
	db.frameworksMu.RUnlock()
	if ok {
		return f, nil
	}
	f, err := readFramework(ctx, q, key)
	if err != nil {
		return nil, err
	}
	db.frameworksMu.Lock()
	db.frameworks[key] = f
	db.frameworksMu.Unlock()
	return f, nil
}

func readFramework(ctx context.Context, q querier, key int64) (*cachedFramework, error) {
	f := &domain.Framework{}
	rows, err := q.Query(ctx, `select id, version, title, source, notes, licence from frameworks where pk = $1`, key)
	if err != nil {
		return nil, err
	}
	if _, err := pgx.ForEachRow(rows, []any{&f.ID, &f.Version, &f.Title, &f.Source, &f.Notes, &f.Licence}, func() error { return nil }); err != nil {
		return nil, err
	}
	entries := func(table string) ([]entryRow, error) {
		rows, err := q.Query(ctx, `select ordinal, id, name, description from `+table+` where framework = $1 order by ordinal`, key)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (entryRow, error) {
			var e entryRow
			return e, r.Scan(&e.ordinal, &e.id, &e.name, &e.description)
		})
	}
	for _, t := range []struct {
		table string
		add   func(entryRow)
	}{
		{"dimensions", func(e entryRow) {
			f.Dimensions = append(f.Dimensions, domain.Dimension{ID: e.id, Name: e.name, Description: e.description})
		}},
		{"stages", func(e entryRow) {
			f.Stages = append(f.Stages, domain.Stage{ID: e.id, Name: e.name, Description: e.description})
		}},
		{"implementers", func(e entryRow) {
			f.Implementers = append(f.Implementers, domain.Implementer{ID: e.id, Name: e.name, Description: e.description})
		}},
		{"audit_groups", func(e entryRow) {
			f.AuditGroups = append(f.AuditGroups, domain.AuditGroup{ID: e.id, Name: e.name, Description: e.description})
		}},
		{"levels", func(e entryRow) {
			f.Levels = append(f.Levels, domain.Level{ID: e.id, Name: e.name, Description: e.description})
		}},
	} {
		list, err := entries(t.table)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			t.add(e)
		}
	}
	rows, err = q.Query(ctx, `select `+threatColumns+` from threats t where t.framework = $1 order by t.ordinal`, key)
	if err != nil {
		return nil, err
	}
	threats, err := pgx.CollectRows(rows, scanThreat)
	if err != nil {
		return nil, err
	}
	for _, t := range threats {
		f.Threats = append(f.Threats, t.Threat)
	}
	rows, err = q.Query(ctx, `select `+controlColumns+` from controls c where c.framework = $1 order by c.ordinal`, key)
	if err != nil {
		return nil, err
	}
	controls, err := pgx.CollectRows(rows, scanControl)
	if err != nil {
		return nil, err
	}
	ordinals := map[string]int{}
	for _, c := range controls {
		f.Controls = append(f.Controls, c.Control)
		ordinals[c.ID] = c.ordinal
	}
	return &cachedFramework{Framework: f, ordinals: ordinals}, nil
}
