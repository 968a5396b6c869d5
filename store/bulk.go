package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Bulk loads generated data in one transaction: rows copied into tables,
// audit events appended to the chain as they are made, stored scores
// computed for what was copied. It is for seeding large test databases
// (assure seed scale), where going through the one-change-at-a-time store
// methods would take hours; whoever generates the rows keeps the
// invariants those methods keep, and `assure scores check` and `assure
// audit verify` prove it afterwards. Nothing is visible until Commit.
type Bulk struct {
	db *DB
	t  *txn
}

// BeginBulk starts a bulk load.
func (db *DB) BeginBulk(ctx context.Context) (*Bulk, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, translate(err, "begin bulk load")
	}
	return &Bulk{db: db, t: &txn{Tx: tx}}, nil
}

// Copy copies rows into table.
func (b *Bulk) Copy(ctx context.Context, table string, columns []string, rows pgx.CopyFromSource) (int64, error) {
	n, err := b.t.CopyFrom(ctx, pgx.Identifier{table}, columns, rows)
	if err != nil {
		return n, fmt.Errorf("copy into %s: %w", table, err)
	}
	return n, nil
}

// Query runs a read inside the load, to find what it has copied so far.
func (b *Bulk) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return b.t.Query(ctx, sql, args...)
}

// Framework returns the newest published version of the framework ref
// names, its key and the ordinal of each of its controls.
func (b *Bulk) Framework(ctx context.Context, ref FrameworkRef) (int64, *domain.Framework, map[string]int, error) {
	key, err := b.db.frameworkKey(ctx, ref)
	if err != nil {
		return 0, nil, nil, err
	}
	f, err := b.db.framework(ctx, b.t, key)
	if err != nil {
		return 0, nil, nil, err
	}
	return key, f.Framework, f.ordinals, nil
}

// AppendEvents extends the audit chain with the events next yields until
// it reports false, hashing each onto the one before as the rows stream
// to the server. An event keeps the time it carries (a seeded history has
// past times); one without a time gets the transaction's, or the head's
// when that is later. When an event's time steps back from the one before,
// the head's monotone_from moves past it, so that time windows still find
// every event (AuditFilter.where).
func (b *Bulk) AppendEvents(ctx context.Context, next func() (domain.Event, bool, error)) (int64, error) {
	var seq, monotoneFrom int64
	var prev string
	var now time.Time
	var last *time.Time // the head event's time; nil for an empty chain
	if err := b.t.QueryRow(ctx, `select seq, hash, greatest(now(), at), at, monotone_from from audit_head for update`).
		Scan(&seq, &prev, &now, &last, &monotoneFrom); err != nil {
		return 0, fmt.Errorf("lock audit head: %w", err)
	}
	var failed error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		e, ok, err := next()
		if err != nil || !ok {
			return nil, err
		}
		seq++
		e.Seq, e.PrevHash = seq, prev
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		if last != nil && e.At.Before(*last) {
			monotoneFrom = seq + 1
		}
		at := e.At
		last = &at
		if e.Summary, err = domain.CanonicalJSON(e.Summary); err != nil {
			failed = err
			return nil, err
		}
		if e.Hash, err = e.ComputeHash(); err != nil {
			failed = err
			return nil, err
		}
		prev = e.Hash
		return []any{e.Seq, e.At, nullable(e.ActorID), e.ActorEmail, e.ActorRole, e.Action, e.ObjectType,
			e.ObjectID, nullable(e.ProviderID), e.RequestID, e.Address, string(e.Summary), e.PrevHash, e.Hash}, nil
	})
	n, err := b.t.CopyFrom(ctx, pgx.Identifier{"audit_events"},
		[]string{"seq", "at", "actor_id", "actor_email", "actor_role", "action", "object_type", "object_id",
			"provider_id", "request_id", "address", "summary", "prev_hash", "hash"}, src)
	if err != nil {
		if failed != nil {
			err = failed
		}
		return n, fmt.Errorf("append audit events: %w", err)
	}
	if _, err := b.t.Exec(ctx, `update audit_head set seq = $1, hash = $2, at = $3, monotone_from = $4`,
		seq, prev, last, monotoneFrom); err != nil {
		return n, err
	}
	return n, nil
}

// RefreshScores computes and stores the scores of the given assessments,
// as every write that changes them does.
func (b *Bulk) RefreshScores(ctx context.Context, ids []string) error {
	return b.db.refreshScores(ctx, b.t, ids...)
}

// Commit makes the load visible.
func (b *Bulk) Commit(ctx context.Context) error {
	// Findings are copied after the scores that refreshed the ranking; the
	// ranking counts them, so it is refreshed once more over everything.
	if err := b.db.refreshPrioritiesWhere(ctx, b.t, `select id::text from assessments`); err != nil {
		return translate(err, "bulk load: refresh priorities")
	}
	if err := b.t.Commit(ctx); err != nil {
		return translate(err, "commit bulk load")
	}
	return nil
}

// Rollback abandons the load; after Commit it does nothing.
func (b *Bulk) Rollback(ctx context.Context) { _ = b.t.Rollback(ctx) }
