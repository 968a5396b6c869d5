// Package store keeps Assure's state in PostgreSQL. Exported methods own their
// transaction: they begin it, apply the domain's rules, write the change and
// its audit event, and commit — or leave nothing behind.
package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"assure/domain"
)

// DB is Assure's handle on PostgreSQL.
type DB struct {
	pool     *pgxpool.Pool
	sessions SessionPolicy

	// frameworks caches published framework versions by key: they never change.
	frameworksMu sync.RWMutex
	frameworks   map[int64]*cachedFramework
	calibrations map[int64]*domain.Calibration // published calibrations by key, under frameworksMu

	// totpKey seals second-factor secrets at rest; nil refuses enrolment.
	totpKey *domain.TOTPKey

	// today, when set, is the day date-dependent state is computed for
	// instead of the database's current_date (tests pass days without
	// waiting for them).
	today func() domain.Date
	// now, when set, is the instant incident clocks are read and written
	// at instead of the database's now() (tests let hours pass without
	// waiting for them).
	now func() time.Time

	jobsOnce  sync.Once
	jobClient *river.Client[pgx.Tx]
	jobsErr   error
}

// SetNow makes the store file and read incident reports at the instant now
// returns rather than at the database's clock (nil: the database's), so
// tests can let hours pass and the demo can file its incidents' reports on
// the days they were made; it returns the clock it replaces. Nothing else
// sets it, and nothing sets it while the store serves.
func (db *DB) SetNow(now func() time.Time) (previous func() time.Time) {
	previous, db.now = db.now, now
	return previous
}

// nowArg is the instant incident clocks are computed for: the injected one,
// or nil for the database's now().
func (db *DB) nowArg() any {
	if db.now == nil {
		return nil
	}
	return db.now().UTC()
}

// Now returns the instant incident clocks are read at: the injected one, or
// the time now.
func (db *DB) Now() time.Time {
	if db.now == nil {
		return time.Now().UTC()
	}
	return db.now().UTC()
}

// Pool returns the connection pool, for the job queue's workers.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	return openPool(ctx, cfg)
}

// ServeConns is the largest number of connections assure serve keeps unless
// its database URL says otherwise (pool_max_conns): as many as the clients a
// regulator's staff and the providers' filing systems keep busy at once, so
// that concurrent requests reach the database instead of queueing for one of
// pgx's default max(4, cores) connections while it has work to share.
const ServeConns = 16

// OpenServing is Open for a server: it keeps up to maxConns connections
// unless url sets pool_max_conns itself.
func OpenServing(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	if maxConns > 0 && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = maxConns
	}
	return openPool(ctx, cfg)
}

// openPool connects with a parsed configuration and checks that the
// database answers.
func openPool(ctx context.Context, cfg *pgxpool.Config) (*DB, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	return &DB{pool: pool, sessions: DefaultSessionPolicy, frameworks: map[int64]*cachedFramework{},
		calibrations: map[int64]*domain.Calibration{}}, nil
}

// Close releases every connection.
func (db *DB) Close() { db.pool.Close() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }
