package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

func countEvents(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	n := 0
	page := store.Page{Limit: store.MaxLimit}
	for {
		list, next, err := db.AuditEvents(context.Background(), domain.System("test"), store.AuditFilter{Action: action}, page)
		if err != nil {
			t.Fatal(err)
		}
		n += len(list)
		if next == "" {
			return n
		}
		page.Cursor = next
	}
}

func TestConcurrentWritersKeepOneChain(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", fmt.Sprintf("%d-%d", w, i), "",
					map[string]any{"writer": w, "i": i})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || v.Checked != writers*each {
		t.Fatalf("verification = %+v, want ok over %d events", v, writers*each)
	}
	// The chain is one line: every event links to the one before it.
	list, _, err := db.AuditEvents(ctx, domain.System("test"), store.AuditFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(list); i++ {
		if list[i].Seq != list[i+1].Seq+1 || list[i].PrevHash != list[i+1].Hash {
			t.Fatalf("events %d and %d are not linked", list[i+1].Seq, list[i].Seq)
		}
	}
}

func TestVerifyCatchesTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		sql   string
		first int64
	}{
		{"altered summary", `update audit_events set summary = '{"i": 99}' where seq = 4`, 4},
		{"altered actor", `update audit_events set actor_email = 'someone@else.test' where seq = 2`, 2},
		{"deleted event", `delete from audit_events where seq = 3`, 3},
		{"deleted tail", `delete from audit_events where seq = 6`, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, url := storetest.Empty(t)
			for i := range 6 {
				if err := db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"i": i}); err != nil {
					t.Fatal(err)
				}
			}
			if v, _ := db.VerifyAudit(ctx); !v.OK || v.Checked != 6 {
				t.Fatalf("before tampering: %+v", v)
			}
			// The application cannot change audit rows: the database refuses.
			if err := execErr(url, `update audit_events set action = 'x' where seq = 1`); err == nil {
				t.Fatal("an audit row could be updated")
			}
			if err := execErr(url, `delete from audit_events where seq = 1`); err == nil {
				t.Fatal("an audit row could be deleted")
			}
			// Someone with the power to switch triggers off goes behind its back.
			exec(t, url, `set session_replication_role = replica; `+tc.sql)
			v, err := db.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK || v.FirstBad == nil || *v.FirstBad != tc.first {
				t.Errorf("verification = %+v, want first bad %d", v, tc.first)
			}
		})
	}
}

func TestFailedChangeLeavesNoEvent(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	admin := domain.System("test")
	nu := store.NewUser{Email: "dup@example.test", Name: "Dup", Role: domain.RoleAuditor, Password: "a fine long password"}
	if _, err := db.CreateUser(ctx, admin, nu); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, admin, nu); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Fatalf("duplicate = %v", err)
	}
	nu.Email, nu.Password = "weak@example.test", "short"
	if _, err := db.CreateUser(ctx, admin, nu); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Fatalf("weak password = %v", err)
	}
	if n := countEvents(t, db, "user.create"); n != 1 {
		t.Errorf("%d user.create events, want 1", n)
	}
	if v, _ := db.VerifyAudit(ctx); !v.OK {
		t.Errorf("chain: %+v", v)
	}
}

// TestVerifyWhileWriting: events written during a verification are not
// taken for tampering.
func TestVerifyWhileWriting(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", fmt.Sprint(w, i), "", nil)
			}
		}()
	}
	for range 40 {
		v, err := db.VerifyAudit(ctx)
		if err != nil || !v.OK {
			t.Errorf("verification during writes = %+v, %v", v, err)
			break
		}
	}
	close(stop)
	wg.Wait()
}

func TestPurgeThrottle(t *testing.T) {
	t.Parallel()
	db, url := storetest.Empty(t)
	exec(t, url, `insert into login_throttle (key, failures, window_start, locked_until) values
		('account:old@x.test', 2, now() - interval '2 hours', null),
		('account:locked@x.test', 0, now() - interval '2 hours', now() + interval '5 minutes'),
		('account:recent@x.test', 1, now(), null)`)
	n, err := db.PurgeThrottle(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want only the stale unlocked counter", n, err)
	}
}
