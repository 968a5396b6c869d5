package store_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// recordN appends n test events.
func recordN(t *testing.T, db *store.DB, n int, tag string) {
	t.Helper()
	for i := range n {
		if err := db.RecordEvent(context.Background(), domain.System("test"), "test.event", "thing", "", "",
			map[string]any{"i": i, "tag": tag}); err != nil {
			t.Fatal(err)
		}
	}
}

// allEvents returns the whole trail, oldest first.
func allEvents(t *testing.T, db *store.DB) []domain.Event {
	t.Helper()
	var out []domain.Event
	page := store.Page{Limit: store.MaxLimit}
	for {
		list, next, err := db.AuditEvents(context.Background(), domain.System("test"), store.AuditFilter{}, page)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list...)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// rewrite replaces the whole trail with events, re-linking and re-hashing
// them and moving the head, as a superuser with the triggers off could: the
// result verifies on its own.
func rewrite(t *testing.T, url string, events []domain.Event) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `set local session_replication_role = replica; delete from audit_events`); err != nil {
		t.Fatal(err)
	}
	prev := domain.GenesisHash
	for i, e := range events {
		e.Seq, e.PrevHash = int64(i+1), prev
		if e.Hash, err = e.ComputeHash(); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		_, err := tx.Exec(ctx, `insert into audit_events (seq, at, actor_email, actor_role, action, object_type,
			object_id, request_id, address, summary, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.Seq, e.At, e.ActorEmail, e.ActorRole, e.Action, e.ObjectType, e.ObjectID, e.RequestID, e.Address,
			string(e.Summary), e.PrevHash, e.Hash)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(ctx, `update audit_head set seq = $1, hash = $2`, len(events), prev); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointsCatchRewrittenHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, db *store.DB, url string)
		want   string // in the checkpoint's problem
	}{
		{"tail deleted and head rewritten", func(t *testing.T, db *store.DB, url string) {
			exec(t, url, `set session_replication_role = replica; delete from audit_events where seq > 4;
				update audit_head set seq = 4, hash = (select hash from audit_events where seq = 4)`)
		}, "truncated"},
		{"re-chained from an old event", func(t *testing.T, db *store.DB, url string) {
			events := allEvents(t, db)[:2]
			for i := range 6 {
				e := events[1]
				e.Summary = []byte(`{"forged": ` + string(rune('0'+i)) + `}`)
				events = append(events, e)
			}
			rewrite(t, url, events)
		}, "rewritten"},
		{"event before the checkpoint altered, chain recomputed", func(t *testing.T, db *store.DB, url string) {
			events := allEvents(t, db)
			events[2].Summary = []byte(`{"i": 99}`)
			rewrite(t, url, events)
		}, "rewritten"},
		{"events before the checkpoint re-ordered, chain recomputed", func(t *testing.T, db *store.DB, url string) {
			events := allEvents(t, db)
			events[1], events[2] = events[2], events[1]
			rewrite(t, url, events)
		}, "rewritten"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, url := storetest.Empty(t)
			key, _, err := domain.NewAuditKey()
			if err != nil {
				t.Fatal(err)
			}
			pub := key.Public().(ed25519.PublicKey)
			recordN(t, db, 6, "before")
			cp, err := db.SignAuditHead(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if cp.Seq != 6 {
				t.Fatalf("checkpoint at seq %d, want 6", cp.Seq)
			}
			if v, checks, err := db.VerifyAuditCheckpoints(ctx, pub, []domain.Checkpoint{cp}); err != nil || !v.OK || !checks[0].OK {
				t.Fatalf("untouched chain: %+v %+v %v", v, checks, err)
			}
			tc.tamper(t, db, url)
			// The tampered chain holds together on its own: only the
			// checkpoint can tell.
			if v, err := db.VerifyAudit(ctx); err != nil || !v.OK {
				t.Fatalf("the tampering should leave a chain that verifies alone: %+v %v", v, err)
			}
			v, checks, err := db.VerifyAuditCheckpoints(ctx, pub, []domain.Checkpoint{cp})
			if err != nil {
				t.Fatal(err)
			}
			if v.OK || checks[0].OK || !strings.Contains(checks[0].Problem, tc.want) {
				t.Errorf("against the checkpoint: %+v %+v, want a problem saying %q", v, checks, tc.want)
			}
		})
	}
}

func TestCheckpointsHoldOnAGrowingChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := storetest.Empty(t)
	key, _, _ := domain.NewAuditKey()
	pub := key.Public().(ed25519.PublicKey)
	genesis, err := db.SignAuditHead(ctx, key)
	if err != nil || genesis.Seq != 0 {
		t.Fatalf("checkpoint of an empty chain: %+v %v", genesis, err)
	}
	recordN(t, db, 3, "a")
	first, _ := db.SignAuditHead(ctx, key)
	recordN(t, db, 4, "b")
	second, _ := db.SignAuditHead(ctx, key)
	recordN(t, db, 2, "c")
	v, checks, err := db.VerifyAuditCheckpoints(ctx, pub, []domain.Checkpoint{genesis, first, second})
	if err != nil || !v.OK || v.Checked != 9 {
		t.Fatalf("grown chain: %+v %v", v, err)
	}
	for _, c := range checks {
		if !c.OK {
			t.Errorf("checkpoint of seq %d: %s", c.Checkpoint.Seq, c.Problem)
		}
	}

	// A forged signature, or a checkpoint made with another key, is refused
	// even when its seq and hash are true.
	other, _, _ := domain.NewAuditKey()
	foreign, _ := db.SignAuditHead(ctx, other)
	forged := first
	forged.Hash = second.Hash
	forged.Seq = second.Seq
	v, checks, err = db.VerifyAuditCheckpoints(ctx, pub, []domain.Checkpoint{first, foreign, forged})
	if err != nil {
		t.Fatal(err)
	}
	if v.OK || !checks[0].OK || checks[1].OK || checks[2].OK {
		t.Errorf("foreign and forged checkpoints: %+v %+v", v, checks)
	}
	if !strings.Contains(checks[1].Problem, "signed by key") || !strings.Contains(checks[2].Problem, "signature") {
		t.Errorf("problems: %q, %q", checks[1].Problem, checks[2].Problem)
	}
}

func TestBrokenChainIsNotSigned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	key, _, _ := domain.NewAuditKey()
	recordN(t, db, 3, "a")
	exec(t, url, `set session_replication_role = replica; delete from audit_events where seq = 2`)
	if _, err := db.SignAuditHead(ctx, key); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("signing a broken chain = %v, want conflict", err)
	}
}
