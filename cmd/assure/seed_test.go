package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/store/storetest"
)

// fingerprint digests what seed scale made — ids, states, answers, seals,
// findings, scores and the seeded part of the trail — so two databases can
// be compared.
func fingerprint(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var sum string
	err = conn.QueryRow(ctx, `select md5(concat_ws('|',
		(select string_agg(concat_ws(',', id, legal_name, kind, tier, channels), ';' order by id) from providers),
		(select string_agg(concat_ws(',', id, provider_id, status, submissions), ';' order by id) from assessments),
		(select string_agg(concat_ws(',', assessment_id, control_id, status, maturity, verdict), ';'
			order by assessment_id, control_id) from responses),
		(select string_agg(seal_sha256, ';' order by seal_sha256) from submissions),
		(select string_agg(concat_ws(',', id, severity, status, due_at), ';' order by id) from findings),
		(select string_agg(concat_ws(',', assessment_id, basis, sum_score), ';' order by assessment_id, basis) from assessment_risk),
		(select string_agg(concat_ws(',', at, action, object_id, summary::text), ';' order by seq) from audit_events
			where actor_email like '%@scale.assure.local' or actor_email = 'seed-scale')))`).Scan(&sum)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestSeedScale makes a small scale sector twice from one seed: both pass
// scores check and audit verify and hold the same data; another seed makes
// other data, and a database already holding a sector is refused.
func TestSeedScale(t *testing.T) {
	t.Parallel()
	args := []string{"seed", "scale", "--providers", "30", "--campaigns", "3", "--audit-events", "6000",
		"--as-of", "2027-03-15"}
	seeded := func(extra ...string) string {
		url := storetest.Bare(t)
		code, out, errOut := assure(t, append(append(args, "--database-url", url), extra...)...)
		if code != 0 || !strings.Contains(out, "Seeded 30 providers, 64 users, 3 campaigns, 90 assessments") {
			t.Fatalf("seed scale = %d %q %q", code, out, errOut)
		}
		if code, out, errOut := assure(t, "scores", "check", "--database-url", url); code != 0 ||
			!strings.Contains(out, "scores ok: 90 assessments") {
			t.Errorf("scores check = %d %q %q", code, out, errOut)
		}
		if code, out, errOut := assure(t, "audit", "verify", "--database-url", url); code != 0 || !strings.Contains(out, "audit chain ok") {
			t.Errorf("audit verify = %d %q %q", code, out, errOut)
		}
		return url
	}
	one, two := seeded(), seeded()
	if a, b := fingerprint(t, one), fingerprint(t, two); a != b {
		t.Errorf("one seed made different data: %s and %s", a, b)
	}
	if a, b := fingerprint(t, one), fingerprint(t, seeded("--seed", "2")); a == b {
		t.Error("seeds 1 and 2 made the same data")
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var events, overdue, filed, states int
	if err := conn.QueryRow(ctx, `select (select count(*) from audit_events),
		(select count(*) from findings where status in ('open', 'in_progress') and due_at < '2027-03-15'),
		(select count(*) from assessment_risk where basis = 'filed'),
		(select count(distinct status) from assessments)`).Scan(&events, &overdue, &filed, &states); err != nil {
		t.Fatal(err)
	}
	if events < 6000 || overdue == 0 || filed == 0 || states != 6 {
		t.Errorf("seeded %d events, %d overdue findings, %d filed scores, %d states; want ≥ 6000, some, some, 6",
			events, overdue, filed, states)
	}

	code, _, errOut := assure(t, append(args, "--database-url", one)...)
	if code == 0 || !strings.Contains(errOut, "already has providers") {
		t.Errorf("seeding a sector twice = %d %q", code, errOut)
	}
	if a, b := fingerprint(t, one), fingerprint(t, two); a != b {
		t.Error("the refused second seeding changed the database")
	}
}
