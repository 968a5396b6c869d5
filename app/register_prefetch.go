package app

import (
	"context"
	"sync"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// registerBatch is how many register rows the early reader hands over at a
// time: enough that handing over costs nothing per row, few enough that the
// rows waiting in memory stay a few hundred kilobytes.
const registerBatch = 512

// registerPrefetch reads a campaign's response register from the moment a
// sector workbook starts, so the database sorts it while the rest of the
// report is gathered and written. It runs ahead of the writer by at most two
// batches, so memory stays flat however long the register is.
type registerPrefetch struct {
	batches chan []reports.ResponseRow
	done    chan error
	cancel  context.CancelFunc
	once    sync.Once
	err     error
}

// prefetchRegister starts reading the register on a connection of its own.
// The caller must call stop once the report is written or has failed,
// whether or not it read the source.
func (a *App) prefetchRegister(ctx context.Context, actor domain.Actor, campaignID string) *registerPrefetch {
	return prefetch(ctx, func(ctx context.Context, fn func(store.RegisterRow) error) error {
		return a.db.EachResponse(ctx, actor, campaignID, fn)
	})
}

// prefetch starts each, a register read, in the background.
func prefetch(ctx context.Context, each func(context.Context, func(store.RegisterRow) error) error) *registerPrefetch {
	ctx, cancel := context.WithCancel(ctx)
	r := &registerPrefetch{batches: make(chan []reports.ResponseRow, 1), done: make(chan error, 1), cancel: cancel}
	go func() {
		hand := func(batch []reports.ResponseRow) error {
			select {
			case r.batches <- batch:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch := make([]reports.ResponseRow, 0, registerBatch)
		err := each(ctx, func(row store.RegisterRow) error {
			batch = append(batch, registerRow(row))
			if len(batch) < registerBatch {
				return nil
			}
			err := hand(batch)
			batch = make([]reports.ResponseRow, 0, registerBatch)
			return err
		})
		if err == nil && len(batch) > 0 {
			err = hand(batch)
		}
		close(r.batches)
		r.done <- err
	}()
	return r
}

// source streams the register to a report writer, in order.
func (r *registerPrefetch) source(emit func(reports.ResponseRow) error) error {
	for batch := range r.batches {
		for _, row := range batch {
			if err := emit(row); err != nil {
				r.stop()
				return err
			}
		}
	}
	return r.finish()
}

// stop ends the reading, if it is still going, and waits for it.
func (r *registerPrefetch) stop() {
	r.cancel()
	r.finish()
}

// finish waits for the reader to end and returns its error.
func (r *registerPrefetch) finish() error {
	r.once.Do(func() {
		for range r.batches {
		}
		r.err = <-r.done
	})
	return r.err
}

// registerRow is a register row as the report writers take it.
func registerRow(row store.RegisterRow) reports.ResponseRow {
	out := reports.ResponseRow{Provider: row.Provider, Licence: row.Licence, ControlID: row.ControlID,
		Section: row.Section, Status: row.Status, Verdict: row.Verdict, Evidence: row.Evidence, UpdatedAt: row.UpdatedAt}
	// The row's pointers may be the scanner's own, reused for the next row;
	// a batch keeps copies.
	if row.Maturity != nil {
		m := *row.Maturity
		out.Maturity = &m
	}
	if row.RemediationDate != nil {
		date := domain.DateOf(*row.RemediationDate)
		out.RemediationDate = &date
	}
	return out
}
