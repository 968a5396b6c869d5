package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestAuditWindowPagesBothWays walks a filtered trail to its oldest page
// and back, checking each page holds the right events in order, and the
// distinct values a filter offers.
func TestAuditWindowPagesBothWays(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	sys := domain.System("test")
	for i := range 7 {
		for _, action := range []string{"thing.made", "thing.seen"} {
			if err := db.RecordEvent(ctx, sys, action, "thing", fmt.Sprint(i), "", map[string]any{"i": i}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f := store.AuditFilter{Action: "thing.made"}
	seqs := func(w store.AuditWindow) []string {
		var out []string
		for _, e := range w.Events {
			if e.Action != "thing.made" {
				t.Errorf("event %d of action %s is in a window of thing.made", e.Seq, e.Action)
			}
			out = append(out, e.ObjectID)
		}
		return out
	}
	first, err := db.AuditWindow(ctx, sys, f, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(first); !slices.Equal(got, []string{"6", "5", "4"}) || first.Newer != "" || first.Older == "" {
		t.Fatalf("newest page = %v (newer %q, older %q), want 6 5 4 with only an older page", got, first.Newer, first.Older)
	}
	second, err := db.AuditWindow(ctx, sys, f, first.Older, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(second); !slices.Equal(got, []string{"3", "2", "1"}) || second.Newer == "" || second.Older == "" {
		t.Fatalf("second page = %v, want 3 2 1 with pages either side", got)
	}
	last, err := db.AuditWindow(ctx, sys, f, second.Older, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(last); !slices.Equal(got, []string{"0"}) || last.Older != "" || last.Newer == "" {
		t.Fatalf("oldest page = %v (older %q), want 0 with only a newer page", got, last.Older)
	}
	back, err := db.AuditWindow(ctx, sys, f, last.Newer, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(back); !slices.Equal(got, []string{"3", "2", "1"}) || back.Newer == "" || back.Older == "" {
		t.Fatalf("back to newer = %v, want 3 2 1 with pages either side", got)
	}
	top, err := db.AuditWindow(ctx, sys, f, back.Newer, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(top); !slices.Equal(got, []string{"6", "5", "4"}) || top.Newer != "" {
		t.Fatalf("back to the newest = %v (newer %q), want 6 5 4 and no newer page", got, top.Newer)
	}
	if _, err := db.AuditWindow(ctx, sys, f, "not-a-cursor", 3); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a bad cursor = %v, want invalid", err)
	}

	one, err := db.AuditEvent(ctx, sys, first.Events[0].Seq)
	if err != nil || one.Hash != first.Events[0].Hash {
		t.Fatalf("event %d = %+v, %v", first.Events[0].Seq, one, err)
	}
	if _, err := db.AuditEvent(ctx, sys, 1<<40); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("a missing event = %v, want not found", err)
	}

	actions, err := db.AuditChoices(ctx, sys, "action")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(actions, []string{"thing.made", "thing.seen"}) {
		t.Errorf("actions = %v, want thing.made and thing.seen", actions)
	}
	if _, err := db.AuditChoices(ctx, sys, "summary"); err == nil {
		t.Error("choices of any column are offered")
	}

	v, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, err := db.AuditEvent(ctx, sys, 14)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || v.HeadSeq != 14 || v.HeadHash != head.Hash {
		t.Fatalf("verification = %+v; want ok with head 14 of hash %s", v, head.Hash)
	}
	var through []int64
	err = db.EachAuditEvent(ctx, sys, store.AuditFilter{Through: 5}, func(e domain.Event) error {
		through = append(through, e.Seq)
		return nil
	})
	if err != nil || !slices.Equal(through, []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("events through 5 = %v, %v", through, err)
	}
}
