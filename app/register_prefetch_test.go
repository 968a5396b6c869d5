package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"assure/reports"
	"assure/store"
)

// rowsOf is a register read of n rows named by their number, that stops
// when its context does.
func rowsOf(n int, read *int) func(context.Context, func(store.RegisterRow) error) error {
	return func(ctx context.Context, fn func(store.RegisterRow) error) error {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			m := i
			*read = i + 1
			if err := fn(store.RegisterRow{Provider: fmt.Sprint(i), Maturity: &m}); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestRegisterPrefetch: the rows arrive whole and in order; the reader
// runs at most two batches ahead of a writer that has not started; a
// writer that fails, or never reads, stops the reader and gets its own
// error back.
func TestRegisterPrefetch(t *testing.T) {
	ctx := context.Background()
	const n = 5*registerBatch + 7
	var read int
	r := prefetch(ctx, rowsOf(n, &read))
	got := 0
	err := r.source(func(row reports.ResponseRow) error {
		if row.Provider != fmt.Sprint(got) || row.Maturity == nil || *row.Maturity != got {
			return fmt.Errorf("row %d is %+v", got, row)
		}
		got++
		return nil
	})
	r.stop()
	if err != nil || got != n {
		t.Fatalf("read %d of %d rows: %v", got, n, err)
	}

	read = 0
	stopped := prefetch(ctx, rowsOf(n, &read))
	time.Sleep(50 * time.Millisecond) // time to run ahead as far as it may
	stopped.stop()
	if read > 3*registerBatch+1 {
		t.Errorf("the reader ran %d rows ahead of a writer that never read", read)
	}

	failed := errors.New("disk full")
	read = 0
	r = prefetch(ctx, rowsOf(n, &read))
	got = 0
	err = r.source(func(reports.ResponseRow) error {
		if got++; got == registerBatch+3 {
			return failed
		}
		return nil
	})
	if !errors.Is(err, failed) {
		t.Errorf("a failing writer got %v", err)
	}
	if read >= n {
		t.Errorf("the reader went on to the end after the writer failed")
	}
	r.stop()
}
