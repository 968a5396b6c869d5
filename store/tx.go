package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// txn is a write transaction that collects audit events and appends them
// just before it commits, so the audit row lock is held as briefly as
// possible and always taken last (no lock-order deadlocks), and so the change
// and its events commit or vanish together.
type txn struct {
	pgx.Tx
	events []domain.Event
}

// audit queues an event for the transaction.
func (t *txn) audit(e domain.Event) { t.events = append(t.events, e) }

// record builds and queues an event.
func (t *txn) record(actor domain.Actor, action, objectType, objectID, providerID string, summary any) error {
	e, err := domain.NewEvent(actor, action, objectType, objectID, providerID, summary)
	if err != nil {
		return err
	}
	t.audit(e)
	return nil
}

// write runs fn in a transaction and commits it with its audit events. Any
// error rolls everything back.
func (db *DB) write(ctx context.Context, what string, fn func(t *txn) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return translate(err, "%s", what)
	}
	defer tx.Rollback(ctx)
	t := &txn{Tx: tx}
	if err := fn(t); err != nil {
		return translate(err, "%s", what)
	}
	if err := appendEvents(ctx, t.Tx, t.events); err != nil {
		return translate(err, "%s: audit", what)
	}
	return translate(tx.Commit(ctx), "%s", what)
}
