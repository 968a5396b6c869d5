package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"assure/app"
	"assure/store"
)

// TestLostReportJobs runs River for real over jobs whose worker was killed
// mid-run (River's row says running since long ago): a job with attempts
// left is rescued within the short window and made again from the start,
// once; a job killed on its last attempt ends failed with a reason the
// requester can read.
func TestLostReportJobs(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	pool := s.db.Pool()
	params := store.ReportParams{CampaignID: s.a.CampaignID}
	crashed, err := s.app.CreateReportJob(ctx, s.auditor, "pdf", params)
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.app.CreateReportJob(ctx, s.auditor, "xlsx", params)
	if err != nil {
		t.Fatal(err)
	}
	// What a killed worker leaves: our row half-way with part of a file,
	// River's row running, attempted an hour ago.
	for _, id := range []string{crashed.ID, last.ID} {
		if _, err := s.db.StartReportJob(ctx, id, 2); err != nil {
			t.Fatal(err)
		}
		if err := s.db.ReportProgress(ctx, id, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `insert into report_files (job_id, seq, data) values ($1, 1, 'half a report')`, id); err != nil {
			t.Fatal(err)
		}
	}
	mark := func(id, attempt string) {
		t.Helper()
		tag, err := pool.Exec(ctx, `update river_job set state = 'running', attempt = `+attempt+`,
			attempted_at = now() - interval '1 hour', attempted_by = array['killed-worker']
			where args->>'job_id' = $1`, id)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("mark %s running: %v %v", id, tag, err)
		}
	}
	mark(crashed.ID, "1")
	mark(last.ID, "max_attempts")

	runJobs(t, s.app, app.JobOptions{
		KeepFor: time.Hour, Timeout: time.Second, RescueAfter: 2 * time.Second, SweepEach: time.Second})

	// River's rescuer looks every 30 seconds, first when this client leads.
	deadline := time.Now().Add(75 * time.Second)
	var a, b store.ReportJob
	for {
		if a, err = s.app.ReportJob(ctx, s.auditor, crashed.ID); err != nil {
			t.Fatal(err)
		}
		if b, err = s.app.ReportJob(ctx, s.auditor, last.ID); err != nil {
			t.Fatal(err)
		}
		if (a.Status == "done" || a.Status == "failed") && b.Status != "running" && b.Status != "queued" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the rescue window: crashed job %s (%d/%d), last-attempt job %s", a.Status, a.Done, a.Total, b.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The rescued job was made again from the start: the whole file, no
	// leftover of the partial one, completed once.
	if a.Status != "done" || a.Done != a.Total || a.Error != "" {
		t.Errorf("rescued job = %+v", a)
	}
	var file bytes.Buffer
	if err := s.db.WriteReportFile(ctx, crashed.ID, &file); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file.Bytes(), []byte("%PDF-")) || int64(file.Len()) != a.Size || bytes.Contains(file.Bytes(), []byte("half a report")) {
		t.Errorf("rescued job's file: %d bytes (%d said), starts %q", file.Len(), a.Size, file.Bytes()[:min(8, file.Len())])
	}
	var completed int
	if err := pool.QueryRow(ctx, `select count(*) from audit_events where action = 'report.completed' and object_id = $1`,
		crashed.ID).Scan(&completed); err != nil || completed != 1 {
		t.Errorf("report.completed events = %d (%v), want 1", completed, err)
	}

	// The job lost on its last attempt says so, and keeps no partial file.
	if b.Status != "failed" || b.Error == "" || b.FinishedAt == nil {
		t.Errorf("job lost on its last attempt = %+v", b)
	}
	var chunks int
	if err := pool.QueryRow(ctx, `select count(*) from report_files where job_id = $1`, last.ID).Scan(&chunks); err != nil || chunks != 0 {
		t.Errorf("failed job keeps %d chunks (%v)", chunks, err)
	}
	var failedEvents int
	if err := pool.QueryRow(ctx, `select count(*) from audit_events where action = 'report.failed' and object_id = $1`,
		last.ID).Scan(&failedEvents); err != nil || failedEvents != 1 {
		t.Errorf("report.failed events = %d (%v), want 1", failedEvents, err)
	}
}

// TestReportJobFailingItsLastAttempt runs River for real with a timeout no
// report can meet: the work's own error on the last attempt leaves the job
// failed with a reason, not running.
func TestReportJobFailingItsLastAttempt(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	job, err := s.app.CreateReportJob(ctx, s.auditor, "xlsx", store.ReportParams{CampaignID: s.a.CampaignID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Pool().Exec(ctx, `update river_job set max_attempts = 1 where args->>'job_id' = $1`, job.ID); err != nil {
		t.Fatal(err)
	}
	runJobs(t, s.app, app.JobOptions{
		KeepFor: time.Hour, Timeout: time.Nanosecond, RescueAfter: time.Hour, SweepEach: time.Hour})
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := s.app.ReportJob(ctx, s.auditor, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == "failed" {
			if j.Error != "the report could not be made" || j.FinishedAt == nil {
				t.Errorf("failed job = %+v", j)
			}
			break
		}
		if j.Status == "done" || time.Now().After(deadline) {
			t.Fatalf("job out of time = %s (%d/%d)", j.Status, j.Done, j.Total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runJobs starts the application's job client with opts, its log thrown
// away, and stops it when the test ends.
func runJobs(t *testing.T, a *app.App, opts app.JobOptions) {
	t.Helper()
	jobs, err := a.NewJobs(slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	if err := jobs.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		jobs.Stop(stop)
		cancel()
	})
}
