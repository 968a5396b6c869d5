package app_test

import (
	"context"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// benchSector seeds one open campaign over n providers with filings in
// every state, verdicts, a share of them reviewed in full by the returned
// supervisor, and overdue findings. Providers, answers and states are
// written in bulk by SQL (they are the setting, not the subject); the
// campaign is opened and the scores rebuilt through the store, as in
// production.
func benchSector(b *testing.B, n int) (*store.DB, domain.Actor) {
	b.Helper()
	ctx := context.Background()
	db, _ := storetest.New(b)
	exec := func(sql string, args ...any) {
		b.Helper()
		if _, err := db.Pool().Exec(ctx, sql, args...); err != nil {
			b.Fatal(err)
		}
	}
	exec(`insert into providers (legal_name, short_name, licence_number, kind, tier, channels)
		select 'Provider ' || g, 'P' || lpad(g::text, 5, '0'), 'LIC-' || g,
			(array['bank','mobile_money_operator','psp','emi','mfi','fintech','agent_network','payment_switch'])[1 + g % 8],
			1 + g % 3,
			case g % 4 when 0 then array['app','cards'] when 1 then array['ussd','agents']
				when 2 then array['open_api','qr'] else array['app','ussd','sms'] end
		from generate_series(1, $1) g`, n)
	u, err := db.CreateUser(ctx, domain.System("bench"), store.NewUser{Email: "sup@regulator.test", Name: "Supervisor",
		Role: domain.RoleSupervisor, Password: "a long enough password"})
	if err != nil {
		b.Fatal(err)
	}
	sup := domain.ActorFor(u)
	c, err := db.CreateCampaign(ctx, sup, domain.Campaign{Name: "Bench", FrameworkID: "x1150",
		OpensAt: domain.Today().AddDays(-1), DueAt: domain.Today().AddDays(30)})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := db.OpenCampaign(ctx, sup, c.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("opened a campaign over %d providers in %v", n, time.Since(start).Round(time.Millisecond))
	// Tenths of the sector by state: 0 not started, 1 draft, 2–3 submitted,
	// 4–5 in review (4 reviewed in full by sup), 6 changes requested (with no
	// sealed filing, so not on the filed basis), 7–8 approved, 9 rejected.
	exec(`create table bench_state as
		select id, (row_number() over (order by id)) % 10 as k from assessments where campaign_id = $1`, c.ID)
	exec(`update responses r set
		status = (array['implemented','implemented','partial','not_implemented','not_applicable'])[1 + abs(hashtext(r.assessment_id::text || r.control_id)) % 5],
		narrative = 'Answered.', justification = 'Not ours.', remediation_date = current_date + 90,
		verdict = case when s.k = 4 then 'accepted' when s.k >= 5 then
			(array[null, 'accepted', 'accepted', 'rejected'])[1 + abs(hashtext(r.control_id || r.assessment_id::text)) % 4] end,
		verdict_by = case when s.k >= 4 then $1::uuid end
		from bench_state s where s.id = r.assessment_id and s.k <> 0`, sup.UserID)
	exec(`update responses set verdict_by = null where verdict is null`)
	exec(`update assessments a set
		status = (array['draft','draft','submitted','submitted','in_review','in_review','changes_requested','approved',
			'approved','rejected'])[1 + s.k],
		submissions = case when s.k >= 2 then 1 else 0 end,
		submitted_at = case when s.k >= 2 then now() - (abs(hashtext(a.id::text)) % 20) * interval '1 day' end
		from bench_state s where s.id = a.id`)
	exec(`insert into findings (assessment_id, provider_id, title, severity, description, due_at, created_by)
		select a.id, a.provider_id, 'Late remediation', 'high', 'Found in review.', current_date - 10, $2
		from assessments a join bench_state s on s.id = a.id where a.campaign_id = $1 and s.k >= 7`, c.ID, sup.UserID)
	start = time.Now()
	if _, err := db.RebuildScores(ctx, sup, c.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("rebuilt the scores in %v", time.Since(start).Round(time.Millisecond))
	exec(`analyze`) // as autovacuum would after such a load
	return db, sup
}

// BenchmarkDashboard reports the server time of the supervisor's dashboard
// in a sector of 2,000 providers — gathering its data through the
// application layer — next to the sum of the very same SQL queries, recorded
// as the dashboard ran them and replayed bare on the pool, interleaved so
// both see the same machine. The ratio is the figure to watch; the queries
// per dashboard stay the same whatever the size of the sector.
func BenchmarkDashboard(b *testing.B) {
	db, sup := benchSector(b, 2000)
	ctx := context.Background()
	traced, log := tracedApp(b, db)
	d, err := traced.Dashboard(ctx, sup, "") // warms the catalog cache
	if err != nil {
		b.Fatal(err)
	}
	if d.Progress[0].Assessments != 2000 || len(d.Review.Items) != 20 || len(d.Approval.Items) != 20 ||
		len(d.Overdue) != 20 || d.Matrix.Providers != 1400 || len(d.Priorities) != 15 {
		b.Fatalf("dashboard: %d filings, %d + %d queued, %d overdue findings, %d providers in the matrix, %d priorities",
			d.Progress[0].Assessments, len(d.Review.Items), len(d.Approval.Items), len(d.Overdue), d.Matrix.Providers,
			len(d.Priorities))
	}
	log.take()
	var gather, bare time.Duration
	queries := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := traced.Dashboard(ctx, sup, ""); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		ran := log.take()
		for _, q := range ran {
			rows, err := db.Pool().Query(ctx, q.sql, q.args...)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				_ = rows.RawValues()
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				b.Fatalf("replay %.80s: %v", q.sql, err)
			}
		}
		t2 := time.Now()
		gather, bare, queries = gather+t1.Sub(t0), bare+t2.Sub(t1), queries+len(ran)
	}
	n := float64(b.N)
	b.ReportMetric(float64(gather.Microseconds())/n/1000, "dashboard-ms/op")
	b.ReportMetric(float64(bare.Microseconds())/n/1000, "queries-ms/op")
	b.ReportMetric(float64(queries)/n, "queries/op")
	b.ReportMetric(float64(gather)/float64(bare), "dashboard/queries")
}
