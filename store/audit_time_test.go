package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestAuditTimesFollowTheSequence: an event is never stamped earlier than
// the event before it, even when the head carries a later time than the
// writing transaction's clock.
func TestAuditTimesFollowTheSequence(t *testing.T) {
	t.Parallel()
	db, url := storetest.Empty(t)
	ctx := context.Background()
	sys := domain.System("test")
	if err := db.RecordEvent(ctx, sys, "thing.made", "thing", "1", "", nil); err != nil {
		t.Fatal(err)
	}
	// A head an hour ahead stands for a writer whose transaction began later
	// but committed first.
	exec(t, url, `update audit_head set at = now() + interval '1 hour'`)
	var ahead time.Time
	if err := queryRow(url, `select at from audit_head`, nil, &ahead); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := db.RecordEvent(ctx, sys, "thing.seen", "thing", fmt.Sprint(i), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := db.AuditWindow(ctx, sys, store.AuditFilter{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Events) != 4 {
		t.Fatalf("%d events, want 4", len(w.Events))
	}
	for i, e := range w.Events[:3] {
		if e.At.Before(ahead) {
			t.Errorf("event %d at %s is before the head's %s", e.Seq, e.At, ahead)
		}
		if older := w.Events[i+1]; e.At.Before(older.At) {
			t.Errorf("event %d at %s is before event %d at %s", e.Seq, e.At, older.Seq, older.At)
		}
	}
	var headAt time.Time
	if err := queryRow(url, `select at from audit_head`, nil, &headAt); err != nil {
		t.Fatal(err)
	}
	if !headAt.Equal(w.Events[0].At) {
		t.Errorf("head at %s, want the last event's %s", headAt, w.Events[0].At)
	}
	if v, err := db.VerifyAudit(ctx); err != nil || !v.OK {
		t.Errorf("verify = %+v, %v", v, err)
	}
}

// TestAuditTimeWindow: a time window holds exactly the events whose times
// are in it, on a trail whose first events step back in time (a seeded
// history loaded out of order) and whose later ones do not.
func TestAuditTimeWindow(t *testing.T) {
	t.Parallel()
	db, url := storetest.Empty(t)
	ctx := context.Background()
	sys := domain.System("test")
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// Hours after base, in sequence order: the prefix goes back and forth,
	// the rest only forward (with ties).
	hours := []int{50, 10, 30, 20, 40, 5, 60, 60, 61, 70, 70, 80, 90, 95, 100}
	lastBack := 6 // the sequence number of the last event that steps back
	b, err := db.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback(ctx)
	i := 0
	_, err = b.AppendEvents(ctx, func() (domain.Event, bool, error) {
		if i == len(hours) {
			return domain.Event{}, false, nil
		}
		e, err := domain.NewEvent(sys, "thing.made", "thing", fmt.Sprint(i), "", nil)
		e.At = base.Add(time.Duration(hours[i]) * time.Hour)
		i++
		return e, true, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var monotoneFrom int64
	if err := queryRow(url, `select monotone_from from audit_head`, nil, &monotoneFrom); err != nil {
		t.Fatal(err)
	}
	if monotoneFrom != int64(lastBack+1) {
		t.Errorf("monotone_from = %d, want %d", monotoneFrom, lastBack+1)
	}
	// Events recorded now come after the seeded history in time and sequence.
	for range 3 {
		if err := db.RecordEvent(ctx, sys, "thing.seen", "thing", "now", "", nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := store.All(func(p store.Page) ([]domain.Event, string, error) {
		return db.AuditEvents(ctx, sys, store.AuditFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(hours)+3 {
		t.Fatalf("%d events, want %d", len(all), len(hours)+3)
	}
	want := func(from, to time.Time) []int64 {
		var seqs []int64
		for _, e := range all {
			if (from.IsZero() || !e.At.Before(from)) && (to.IsZero() || e.At.Before(to)) {
				seqs = append(seqs, e.Seq)
			}
		}
		return seqs
	}
	// Every window with ends on the hours the events have, a little either
	// side, and open at either end.
	var ends []time.Time
	for _, h := range append(hours, 0, 200) {
		at := base.Add(time.Duration(h) * time.Hour)
		ends = append(ends, at, at.Add(-time.Minute), at.Add(time.Minute))
	}
	ends = append(ends, time.Time{}, time.Now().Add(time.Hour))
	for _, from := range ends {
		for _, to := range ends {
			if !from.IsZero() && !to.IsZero() && !from.Before(to) {
				continue
			}
			f := store.AuditFilter{From: from, To: to}
			var got []int64
			cursor := ""
			for {
				w, err := db.AuditWindow(ctx, sys, f, cursor, 2)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range w.Events {
					got = append(got, e.Seq)
				}
				if w.Older == "" {
					break
				}
				cursor = w.Older
			}
			if w := want(from, to); !slices.Equal(got, w) {
				t.Errorf("window [%s, %s) = %v, want %v", from, to, got, w)
			}
		}
	}
	// Back from the oldest page of a window to its newest, through newer cursors.
	f := store.AuditFilter{From: base.Add(10 * time.Hour), To: base.Add(95 * time.Hour)}
	var pages []store.AuditWindow
	for cursor := ""; ; {
		w, err := db.AuditWindow(ctx, sys, f, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, w)
		if w.Older == "" {
			break
		}
		cursor = w.Older
	}
	var back []int64
	for w := pages[len(pages)-1]; ; {
		back = append(back, seqsOf(w)...)
		if w.Newer == "" {
			break
		}
		if w, err = db.AuditWindow(ctx, sys, f, w.Newer, 3); err != nil {
			t.Fatal(err)
		}
	}
	if want := want(f.From, f.To); len(back) != len(want) {
		t.Errorf("back through newer pages: %v, want the %d events of %v", back, len(want), want)
	}
	// The time filter with another, through the other list.
	from, to := base.Add(20*time.Hour), base.Add(90*time.Hour)
	list, _, err := db.AuditEvents(ctx, sys, store.AuditFilter{From: from, To: to, ObjectID: "3"}, store.Page{})
	if err != nil || len(list) != 1 || list[0].Seq != 4 {
		t.Errorf("object 3 in [20h, 90h) = %v, %v; want event 4", list, err)
	}
}

func seqsOf(w store.AuditWindow) []int64 {
	var out []int64
	for _, e := range w.Events {
		out = append(out, e.Seq)
	}
	return out
}
