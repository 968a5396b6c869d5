package app_test

import (
	"context"
	"testing"
	"time"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// TestHousekeepingFailsOpeningsWhoseJobStopped runs River for real, as
// assure serve does, over four openings a worker had started an hour ago.
// River gave up the job of one (discarded after its last attempt) and has
// deleted the job of another; the other two still have a live job, one
// waiting for its retry and one running on another instance. The first
// housekeeping pass marks the two without a live job failed, with a reason,
// once each in the audit trail, and leaves the live two as they were; a
// failed one can be asked for again.
func TestHousekeepingFailsOpeningsWhoseJobStopped(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	pool := s.db.Pool()
	today := domain.Today()
	started := func(name string) string {
		t.Helper()
		c, err := s.app.CreateCampaign(ctx, s.sup, domain.Campaign{Name: name, FrameworkID: "x1150",
			ProviderIDs: []string{s.a.ProviderID}, OpensAt: today, DueAt: today.AddDays(30)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.StartOpeningCampaign(ctx, s.sup, c.ID); err != nil {
			t.Fatal(err)
		}
		// What a worker leaves when it starts: the row running, attempted once.
		if _, ok, err := s.db.StartOpening(ctx, c.ID); err != nil || !ok {
			t.Fatalf("start %s: %v %v", name, ok, err)
		}
		if _, err := pool.Exec(ctx, `update campaign_openings set phase = 'responses', done = 3, total = 9,
			updated_at = now() - interval '1 hour' where campaign_id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	job := func(id, set string) {
		t.Helper()
		tag, err := pool.Exec(ctx, `update river_job set `+set+`
			where kind = 'campaign_open' and args->>'campaign_id' = $1`, id)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("job of %s: %v %v", id, tag, err)
		}
	}
	discarded, deleted, retrying, running := started("Discarded"), started("Deleted"), started("Retrying"), started("Running")
	job(discarded, `state = 'discarded', attempt = max_attempts, attempted_at = now() - interval '20 minutes',
		finalized_at = now() - interval '5 minutes'`)
	if _, err := pool.Exec(ctx, `delete from river_job where kind = 'campaign_open' and args->>'campaign_id' = $1`, deleted); err != nil {
		t.Fatal(err)
	}
	job(retrying, `state = 'retryable', attempt = 1, attempted_at = now() - interval '1 hour',
		scheduled_at = now() + interval '1 hour'`)
	job(running, `state = 'running', attempt = 1, attempted_at = now(), attempted_by = array['another-instance']`)

	runJobs(t, s.app, app.JobOptions{
		PurgeEach: time.Hour, SweepEach: time.Hour, Timeout: time.Minute, RescueAfter: time.Hour})

	// Housekeeping runs once when the client starts leading.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var passes, finished int
		if err := pool.QueryRow(ctx, `select count(*), count(*) filter (where state = 'completed')
			from river_job where kind = 'housekeeping'`).Scan(&passes, &finished); err != nil {
			t.Fatal(err)
		}
		if passes > 1 {
			t.Fatalf("%d housekeeping passes, want one", passes)
		}
		if finished == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no housekeeping pass finished within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}

	opening := func(id string) store.Opening {
		t.Helper()
		o, err := s.app.CampaignOpeningState(ctx, s.sup, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Campaign.Status != domain.CampaignDraft || o.Campaign.Assessments != 0 {
			t.Errorf("campaign %s is %s with %d assessments", o.Campaign.Name, o.Campaign.Status, o.Campaign.Assessments)
		}
		return o.Opening
	}
	events := func(id string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `select count(*) from audit_events where action = 'campaign.open_failed'
			and object_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for name, id := range map[string]string{"discarded": discarded, "deleted": deleted} {
		o := opening(id)
		if o.Status != store.OpeningFailed || o.Active() || o.FinishedAt == nil ||
			o.Error != "the opening stopped without finishing and no worker will take it up again, so nothing was created; try again" {
			t.Errorf("opening whose job was %s = %+v", name, o)
		}
		if n := events(id); n != 1 {
			t.Errorf("opening whose job was %s: %d campaign.open_failed events, want 1", name, n)
		}
	}
	for name, id := range map[string]string{"waiting for its retry": retrying, "running elsewhere": running} {
		o := opening(id)
		if o.Status != store.OpeningRunning || o.Error != "" || o.FinishedAt != nil || o.Done != 3 || o.Total != 9 {
			t.Errorf("opening whose job is %s = %+v", name, o)
		}
		if n := events(id); n != 0 {
			t.Errorf("opening whose job is %s: %d campaign.open_failed events", name, n)
		}
	}

	// The failed opening's retry queues it again, with a live job.
	again, err := s.app.StartOpeningCampaign(ctx, s.sup, discarded)
	if err != nil || again.Opening.Status != store.OpeningQueued || again.Opening.Error != "" {
		t.Fatalf("opening asked for again = %+v, %v", again.Opening, err)
	}
}
