package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestOpeningShowsProgressAndKeepsNothingWhenStopped runs an opening the
// way its job does: queued, started, then opened while another connection
// watches its row. The progress is readable there while the opening's rows
// are not; an opening stopped midway (its worker killed) leaves a draft
// with nothing in it; run again, it opens the campaign once, with scores
// equal to a fresh computation, including a provider with risk overrides.
func TestOpeningShowsProgressAndKeepsNothingWhenStopped(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	ctx := context.Background()
	sup := actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	a := newSide(t, db, url, "Alpha Bank", "alpha")
	b := newSide(t, db, url, "Beta Bank", "beta")
	c3 := newProvider(t, url, "Gamma Bank")
	likelihood := 5
	if err := db.SetOverride(ctx, sup, b.id, store.FrameworkRef{ID: "x1150"}, "T1", &likelihood, nil, "known incidents"); err != nil {
		t.Fatal(err)
	}
	c := draftCampaign(t, db, sup, "Watched", a.id, b.id, c3)

	_, err := db.QueueOpening(ctx, a.admin, c.ID)
	wantCode(t, "a provider user queueing an opening", err, domain.ENotFound)
	o, err := db.QueueOpening(ctx, sup, c.ID)
	if err != nil || o.Status != store.OpeningQueued {
		t.Fatalf("queue = %+v, %v", o, err)
	}
	if again, err := db.QueueOpening(ctx, sup, c.ID); err != nil || again.Status != store.OpeningQueued {
		t.Fatalf("queued twice = %+v, %v", again, err)
	}
	var jobs int
	query(t, url, `select count(*) from river_job where kind = 'campaign_open' and args->>'campaign_id' = $1`, []any{c.ID}, &jobs)
	if jobs != 1 {
		t.Errorf("%d jobs queued for one opening asked twice", jobs)
	}
	_, err = db.Opening(ctx, a.admin, c.ID)
	wantCode(t, "a provider user reading an opening", err, domain.ENotFound)

	watcher, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close(ctx)
	watch := func() (phase string, done, total, assessments int) {
		t.Helper()
		if err := watcher.QueryRow(ctx, `select phase, done, total, (select count(*) from assessments where campaign_id = $1)
			from campaign_openings where campaign_id = $1`, c.ID).Scan(&phase, &done, &total, &assessments); err != nil {
			t.Fatal(err)
		}
		return
	}

	// First run: watched until the scores, then killed.
	if _, started, err := db.StartOpening(ctx, c.ID); err != nil || !started {
		t.Fatalf("start = %v, %v", started, err)
	}
	run, kill := context.WithCancel(ctx)
	seen := false
	_, err = db.OpenCampaignTracked(run, sup, c.ID, func(p store.OpeningProgress) {
		if p.Phase != store.PhaseScores {
			return
		}
		deadline := time.Now().Add(10 * time.Second)
		for !seen && time.Now().Before(deadline) {
			phase, done, total, made := watch()
			seen = phase == store.PhaseScores && done == total && total > 3 && made == 0
			time.Sleep(20 * time.Millisecond)
		}
		kill()
	})
	if err == nil {
		t.Fatal("an opening killed midway succeeded")
	}
	if !seen {
		t.Error("another connection never saw the opening's progress while it ran")
	}
	var assessments, responses, scores, events int
	query(t, url, `select (select count(*) from assessments where campaign_id = $1),
		(select count(*) from responses r join assessments x on x.id = r.assessment_id where x.campaign_id = $1),
		(select count(*) from assessment_risk r join assessments x on x.id = r.assessment_id where x.campaign_id = $1),
		(select count(*) from audit_events where action = 'assessment.create' and summary->>'campaign_id' = $1::text)`,
		[]any{c.ID}, &assessments, &responses, &scores, &events)
	if assessments+responses+scores+events != 0 {
		t.Fatalf("a killed opening left %d assessments, %d responses, %d scores, %d events", assessments, responses, scores, events)
	}
	if now, err := db.Campaign(ctx, sup, c.ID); err != nil || now.Status != domain.CampaignDraft {
		t.Fatalf("after a killed opening the campaign is %v (%v)", now.Status, err)
	}

	// River runs the job again: it starts clean and opens the campaign once.
	o, started, err := db.StartOpening(ctx, c.ID)
	if err != nil || !started || o.Attempt != 2 || o.Done != 0 {
		t.Fatalf("second start = %+v %v %v", o, started, err)
	}
	opened, err := db.OpenCampaignTracked(ctx, sup, c.ID, nil)
	if err != nil || opened.Status != domain.CampaignOpen || opened.Assessments != 3 {
		t.Fatalf("second run = %+v, %v", opened, err)
	}
	o, err = db.Opening(ctx, sup, c.ID)
	if err != nil || o.Status != store.OpeningDone || o.Done != o.Total || o.Percent() != 100 || o.FinishedAt == nil {
		t.Fatalf("finished opening = %+v, %v", o, err)
	}
	query(t, url, `select (select count(*) from assessments where campaign_id = $1),
		(select count(*) from audit_events where action = 'assessment.create' and summary->>'campaign_id' = $1::text)`,
		[]any{c.ID}, &assessments, &events)
	if assessments != 3 || events != 3 {
		t.Errorf("opened with %d assessments and %d events, want 3 and 3", assessments, events)
	}
	list, _, err := db.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if err := db.CheckScores(ctx, x.ID); err != nil {
			t.Errorf("scores of %s's assessment: %v", x.ProviderID, err)
		}
	}

	// A third delivery of the job finds nothing to do; failing it changes nothing.
	if _, started, err := db.StartOpening(ctx, c.ID); err != nil || started {
		t.Errorf("a finished opening started again: %v %v", started, err)
	}
	if err := db.FailOpening(ctx, c.ID, "late"); err != nil {
		t.Fatal(err)
	}
	if o, _ := db.Opening(ctx, sup, c.ID); o.Status != store.OpeningDone {
		t.Errorf("a finished opening became %s", o.Status)
	}
	_, err = db.QueueOpening(ctx, sup, c.ID)
	wantCode(t, "queueing an open campaign", err, domain.EConflict)
}

func query(t *testing.T, url, sql string, args []any, dst ...any) {
	t.Helper()
	if err := queryRow(url, sql, args, dst...); err != nil {
		t.Fatal(err)
	}
}
