package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// referenceVerify is the simplest walk that gives the answer: every row
// read as text, in order, each hash recomputed with fmt and CanonicalJSON.
// The streaming verifier must agree with it on every chain.
func referenceVerify(t *testing.T, url string) store.Verification {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v store.Verification
	if err := conn.QueryRow(ctx, `select seq, hash from audit_head`).Scan(&v.HeadSeq, &v.HeadHash); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `select seq, at, coalesce(actor_id::text, ''), actor_email, actor_role, action,
		object_type, object_id, coalesce(provider_id::text, ''), request_id, address, summary::text, prev_hash, hash
		from audit_events order by seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	prev, after := domain.GenesisHash, int64(0)
	fail := func(seq int64) store.Verification { v.FirstBad = &seq; return v }
	for rows.Next() {
		var seq int64
		var at time.Time
		var f [12]string
		if err := rows.Scan(&seq, &at, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11]); err != nil {
			t.Fatal(err)
		}
		if seq != after+1 {
			return fail(after + 1)
		}
		summary, err := domain.CanonicalJSON([]byte(f[9]))
		if err != nil || f[10] != prev {
			return fail(seq)
		}
		h := sha256.New()
		for _, s := range []string{prev, strconv.FormatInt(seq, 10), at.UTC().Format("2006-01-02T15:04:05.000000Z"),
			f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], string(summary)} {
			fmt.Fprintf(h, "%d:%s;", len(s), s)
		}
		if hex.EncodeToString(h.Sum(nil)) != f[11] {
			return fail(seq)
		}
		v.Checked++
		prev, after = f[11], seq
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if after != v.HeadSeq || prev != v.HeadHash {
		return fail(after + 1)
	}
	v.OK = true
	return v
}

// varedChain writes n events whose fields and summaries vary the way real
// ones do: with and without actor and provider ids, nested summaries, text
// that JSON escapes, numbers as written.
func variedChain(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	summaries := []any{
		map[string]any{"name": "Banque du Sud", "score": 3.25, "tags": []string{"a", "b"}},
		map[string]any{"note": "a <b> & \"quoted\"\nline", "zz": nil, "aa": true},
		map[string]any{"nested": map[string]any{"y": []any{1, map[string]any{"k": "é日本"}}, "x": 0}},
		nil,
		map[string]any{"\u2028": "separator", "tab\t": "ctl\u0001"},
	}
	for i := range n {
		actor := domain.System("test")
		provider := ""
		if i%3 == 0 {
			actor = domain.Actor{UserID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Email: "u@x.test",
				Role: domain.Role("auditor"), RequestID: "req-" + strconv.Itoa(i), Address: "192.0.2.1"}
			provider = fmt.Sprintf("aaaaaaaa-bbbb-4ccc-8ddd-%012x", i)
		}
		if err := db.RecordEvent(ctx, actor, "test.event", "thing", strconv.Itoa(i), provider, summaries[i%len(summaries)]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFastVerifierMatchesReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 12
	for _, tc := range []struct {
		name, sql string
		first     int64
	}{
		{"untouched", ``, 0},
		{"first altered", `update audit_events set summary = '{"i": 99}' where seq = 1`, 1},
		{"middle altered time", `update audit_events set at = at + interval '1 microsecond' where seq = 6`, 6},
		{"middle altered provider", `update audit_events set provider_id = null where seq = 7`, 7},
		{"middle altered actor id", `update audit_events set actor_id = gen_random_uuid() where seq = 4`, 4},
		{"last altered", `update audit_events set address = '198.51.100.9' where seq = 12`, 12},
		{"deleted row", `delete from audit_events where seq = 5`, 5},
		{"deleted first", `delete from audit_events where seq = 1`, 1},
		{"deleted last", `delete from audit_events where seq = 12`, 12},
		{"reordered hashes", `update audit_events e set hash = o.hash from audit_events o
			where (e.seq, o.seq) in ((8, 9), (9, 8))`, 8},
		{"rewritten head", `update audit_head set hash = repeat('f', 64)`, 13},
		{"re-keyed summary", `update audit_events set summary = '{"tab\t": "ctl\u0001", "\u2028": "separator"}' where seq = 5`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, url := storetest.Empty(t)
			variedChain(t, db, n)
			if tc.sql != "" {
				exec(t, url, `set session_replication_role = replica; `+tc.sql)
			}
			got, err := db.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceVerify(t, url)
			first := func(v store.Verification) int64 {
				if v.FirstBad == nil {
					return 0
				}
				return *v.FirstBad
			}
			if got.OK != want.OK || first(got) != first(want) || got.Checked != want.Checked ||
				got.HeadSeq != want.HeadSeq || got.HeadHash != want.HeadHash {
				t.Fatalf("fast verifier %+v (first bad %d), reference %+v (first bad %d)", got, first(got), want, first(want))
			}
			if first(got) != tc.first || got.OK != (tc.first == 0) {
				t.Fatalf("first bad event %d, want %d", first(got), tc.first)
			}
		})
	}
}

func TestVerifyAuditProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := storetest.Empty(t)
	variedChain(t, db, 7)
	var seen [][2]int64
	v, err := db.VerifyAuditProgress(ctx, 3, func(checked, head int64) { seen = append(seen, [2]int64{checked, head}) })
	if err != nil || !v.OK {
		t.Fatalf("verification %+v, %v", v, err)
	}
	want := [][2]int64{{3, 7}, {6, 7}, {7, 7}}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("progress %v, want %v", seen, want)
	}
}

// TestRunAuditVerificationProgress watches, from a trigger, every progress
// write a verification makes: they advance by the step asked for, and the
// result is kept.
func TestRunAuditVerificationProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	variedChain(t, db, 6)
	exec(t, url, `create table progress_seen (n serial, checked bigint, head bigint, status text);
		create function note_progress() returns trigger language plpgsql as $$
		begin insert into progress_seen (checked, head, status) values (new.checked, new.head_seq, new.status); return new; end $$;
		create trigger note_progress after update on audit_verifications for each row execute function note_progress()`)
	queued, err := db.CreateAuditVerification(ctx, domain.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	if ran, err := db.RunAuditVerification(ctx, queued.ID, 2, nil, nil); err != nil || !ran {
		t.Fatalf("run: %v %v", ran, err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `select checked, head, status from progress_seen order by n`)
	if err != nil {
		t.Fatal(err)
	}
	seen, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var checked, head int64
		var status string
		err := r.Scan(&checked, &head, &status)
		return fmt.Sprintf("%s %d/%d", status, checked, head), err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Six events and the request's own: 7 at the start.
	want := "[running 0/6 running 2/7 running 4/7 running 6/7 running 7/7 done 7/7]"
	if fmt.Sprint(seen) != want {
		t.Fatalf("progress %v, want %s", seen, want)
	}
	v, err := db.AuditVerification(ctx, queued.ID)
	if err != nil || v.OK == nil || !*v.OK || v.Checked != 7 || v.HeadSeq != 7 || v.FinishedAt == nil {
		t.Fatalf("result %+v, %v", v, err)
	}
	if ran, err := db.RunAuditVerification(ctx, queued.ID, 2, nil, nil); err != nil || ran {
		t.Fatalf("a finished verification ran again: %v %v", ran, err)
	}
}
