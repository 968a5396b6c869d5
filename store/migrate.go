package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"assure/domain"
	"assure/migrations"
)

const versionTable = "public.schema_version"

// Migrate applies every pending migration under tern's advisory lock, so
// several instances starting together apply each migration once. It refuses to
// touch a schema newer than this binary knows.
func (db *DB) Migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return fmt.Errorf("store: load migrations: %w", err)
	}
	current, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if known := int32(len(m.Migrations)); current > known {
		return domain.Errorf(domain.EConflict,
			"the database schema is at version %d but this assure knows only up to %d; run a newer assure", current, known)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	// The background job queue keeps its own tables, migrated by River.
	rm, err := rivermigrate.New(riverpgxv5.New(db.pool), nil)
	if err != nil {
		return fmt.Errorf("store: job queue migrations: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: migrate job queue: %w", err)
	}
	return nil
}

// SchemaStatus returns the schema version of the database and the latest
// version this binary knows. A database without the version table is at 0.
func (db *DB) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	latest, err = LatestSchemaVersion()
	if err != nil {
		return 0, 0, err
	}
	current, err = schemaVersion(ctx, db.pool)
	return current, latest, err
}

func schemaVersion(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `select to_regclass('public.schema_version') is not null`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := pool.QueryRow(ctx, `select version from public.schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// LatestSchemaVersion is the number of migrations built into the binary.
func LatestSchemaVersion() (int, error) {
	names, err := migrate.FindMigrations(migrations.FS)
	if err != nil {
		return 0, fmt.Errorf("store: find migrations: %w", err)
	}
	return len(names), nil
}
