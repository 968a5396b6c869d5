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
	// last holds statements that go to the database with the audit head's
	// lock, in one round trip, once the work has run: writes whose results
	// the work does not need, and reads of what they leave.
	last *pgx.Batch
	// mail says the work queued e-mails (notify): the transaction then also
	// queues the job that sends them, so they leave as soon as it commits.
	mail bool
}

// atEnd queues a statement to run with the audit head's lock, after every
// statement the work ran itself; its result is read through the returned
// query's callbacks, which have run when write commits.
func (t *txn) atEnd(sql string, args ...any) *pgx.QueuedQuery {
	return t.lastBatch().Queue(sql, args...)
}

// lastBatch is the batch atEnd queues on, for code that queues many.
func (t *txn) lastBatch() *pgx.Batch {
	if t.last == nil {
		t.last = &pgx.Batch{}
	}
	return t.last
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
	if t.mail {
		client, err := db.jobs()
		if err != nil {
			return translate(err, "%s: queue e-mail", what)
		}
		if _, err := client.InsertTx(ctx, t.Tx, MailJobArgs{}, nil); err != nil {
			return translate(err, "%s: queue e-mail", what)
		}
	}
	var head auditHead
	if len(t.events) > 0 {
		t.atEnd(lockAuditHead).QueryRow(func(r pgx.Row) error { return r.Scan(&head.seq, &head.hash, &head.at) })
	}
	if t.last != nil {
		if err := t.SendBatch(ctx, t.last).Close(); err != nil {
			return translate(err, "%s", what)
		}
	}
	if len(t.events) > 0 {
		if err := appendEvents(ctx, t.Tx, head, t.events); err != nil {
			return translate(err, "%s: audit", what)
		}
	}
	return translate(tx.Commit(ctx), "%s", what)
}
