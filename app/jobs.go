package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"assure/domain"
	"assure/store"
)

// Jobs runs Assure's background work on River, which keeps its queue in the
// same PostgreSQL: large reports and the purge of expired ones, campaign
// openings, and each day the campaign series. Any number
// of instances may run it; River hands each job to one worker.
type Jobs struct {
	client *river.Client[pgx.Tx]
}

// JobOptions configure the background work.
type JobOptions struct {
	Workers   int           // reports made at once on this instance
	KeepFor   time.Duration // how long finished reports are kept
	PurgeEach time.Duration // how often expired reports and stale throttle counters are removed
	// Timeout is the longest a report may take; its work is then cancelled.
	Timeout time.Duration
	// RescueAfter is how long a job may say it runs before River takes it
	// for abandoned (its worker was killed) and runs it again, or gives it
	// up after its last attempt. At least Timeout.
	RescueAfter time.Duration
	// SweepEach is how often report jobs River gave up on are marked failed.
	SweepEach time.Duration
	// CheckpointKey, when set with the app's checkpoint directory, signs a
	// checkpoint of the audit head every CheckpointEvery (default
	// DefaultCheckpointEvery) into that directory.
	CheckpointKey   ed25519.PrivateKey
	CheckpointEvery time.Duration
	// MailEvery is how often the e-mail outbox is looked at without being
	// asked, for retries and for claims whose worker died; DefaultMailEvery
	// when zero. Every change that writes e-mails also asks at once.
	MailEvery time.Duration
	// KeepNotices is how long read notifications and finished e-mails are
	// kept; DefaultKeepNotices when zero.
	KeepNotices time.Duration
}

// DefaultKeepNotices is how long read notifications and the outbox's
// finished e-mails are kept before housekeeping removes them.
const DefaultKeepNotices = 90 * 24 * time.Hour

// Defaults of JobOptions. A report of a large sector takes a minute or two,
// so a job still running after ten has been lost; it is rescued two minutes
// later, not River's default of an hour past the timeout.
const (
	DefaultReportTimeout     = 10 * time.Minute
	DefaultReportRescueAfter = 12 * time.Minute
	DefaultReportSweepEach   = time.Minute
)

// NewJobs prepares the workers; Start runs them.
func (a *App) NewJobs(log *slog.Logger, opts JobOptions) (*Jobs, error) {
	db := a.db
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.KeepFor <= 0 {
		opts.KeepFor = 24 * time.Hour
	}
	if opts.PurgeEach <= 0 {
		opts.PurgeEach = time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultReportTimeout
	}
	if opts.RescueAfter <= 0 {
		opts.RescueAfter = DefaultReportRescueAfter
	}
	if opts.RescueAfter < opts.Timeout {
		return nil, fmt.Errorf("app: job queue: a job must be rescued no sooner than its timeout (%s < %s)", opts.RescueAfter, opts.Timeout)
	}
	if opts.SweepEach <= 0 {
		opts.SweepEach = DefaultReportSweepEach
	}
	if opts.MailEvery <= 0 {
		opts.MailEvery = DefaultMailEvery
	}
	if opts.KeepNotices <= 0 {
		opts.KeepNotices = DefaultKeepNotices
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &reportWorker{app: a, log: log, keep: opts.KeepFor}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &openingWorker{app: a, log: log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &verificationWorker{app: a, log: log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &mailWorker{app: a, log: log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &noticeWorker[reminderArgs]{what: "reminders", sweep: a.SendReminders, log: log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &noticeWorker[incidentClockArgs]{what: "incident clock warnings",
		sweep: a.SendIncidentClockWarnings, log: log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &purgeWorker{app: a, keepNotices: opts.KeepNotices}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &sweepWorker{db: db, log: log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &seriesWorker{app: a, log: log}); err != nil {
		return nil, err
	}
	checkpoints := opts.CheckpointKey != nil && a.checkpointDir != ""
	if checkpoints {
		if err := river.AddWorkerSafely(workers, &checkpointWorker{app: a, log: log, key: opts.CheckpointKey}); err != nil {
			return nil, err
		}
	}
	client, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers},
			store.NoticeQueue: {MaxWorkers: 2}},
		Workers:              workers,
		JobTimeout:           opts.Timeout,
		RescueStuckJobsAfter: opts.RescueAfter,
		Logger:               slog.New(warnings{log.Handler()}), // the queue's routine chatter stays out of the log
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opts.PurgeEach),
				func() (river.JobArgs, *river.InsertOpts) { return purgeArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(opts.SweepEach),
				func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			// Campaign series: each day just after midnight UTC, and at start
			// so a day the server was down is caught up.
			river.NewPeriodicJob(dailyAt{hour: 0, minute: 10},
				func() (river.JobArgs, *river.InsertOpts) { return seriesArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(opts.MailEvery),
				func() (river.JobArgs, *river.InsertOpts) { return store.MailJobArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			reminderJob(),
			incidentClockJob(),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("app: job queue: %w", err)
	}
	if checkpoints {
		client.PeriodicJobs().Add(checkpointJob(opts.CheckpointEvery))
	}
	return &Jobs{client: client}, nil
}

// Start runs the workers until Stop.
func (j *Jobs) Start(ctx context.Context) error { return j.client.Start(ctx) }

// Stop lets running jobs finish (until ctx ends) and stops the workers.
func (j *Jobs) Stop(ctx context.Context) error { return j.client.Stop(ctx) }

// reportWorker makes a queued report.
type reportWorker struct {
	river.WorkerDefaults[store.ReportJobArgs]
	app  *App
	log  *slog.Logger
	keep time.Duration
}

// Messages a requester reads on a report that failed for want of a worker.
const (
	reportFailedMessage    = "the report could not be made"
	reportAbandonedMessage = "the report was interrupted and could not be finished; ask for it again"
)

// Work makes the report. It is safe to run again: River runs a job anew
// when its worker was lost mid-run, and each run starts over (no progress,
// a fresh file that replaces any part left) and finishes the job at most
// once. When the last attempt fails, the job says so.
func (w *reportWorker) Work(ctx context.Context, job *river.Job[store.ReportJobArgs]) error {
	err := w.make(ctx, job.Args.JobID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.log.ErrorContext(ctx, "report job failed on its last attempt", "job", job.Args.JobID, "err", err)
		// Recorded even when the work's time is up and its context ended.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if ferr := w.app.db.FailReportJob(bg, job.Args.JobID, reportFailedMessage); ferr != nil {
			w.log.ErrorContext(ctx, "record a failed report job", "job", job.Args.JobID, "err", ferr)
		}
	}
	return err
}

func (w *reportWorker) make(ctx context.Context, id string) error {
	rj, err := w.app.db.ReportJob(ctx, domain.System("reports"), id)
	if err != nil {
		return err
	}
	if rj.Status != "queued" && rj.Status != "running" {
		return nil // finished by an earlier run, or given up: nothing to make
	}
	// The report is made with the requester's view, never more.
	u, err := w.app.db.User(ctx, domain.System("reports"), rj.RequestedBy)
	if err != nil {
		return w.fail(ctx, id, "the user who asked for the report no longer exists", err)
	}
	actor := domain.ActorFor(u)
	actor.RequestID = "job:" + id
	c, err := w.app.db.Campaign(ctx, actor, rj.Params.CampaignID)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		return w.fail(ctx, id, "the campaign of the report is no longer there", err)
	}
	if err != nil {
		return err
	}
	// The units of work the writer tells progress in: response rows of the
	// workbook's register, providers of the PDF.
	total := c.Assessments
	if rj.Format != "pdf" {
		if total, err = w.app.db.CountResponses(ctx, rj.Params.CampaignID); err != nil {
			return err
		}
	}
	started, err := w.app.db.StartReportJob(ctx, id, total)
	if err != nil || !started {
		return err
	}
	tmp, err := os.CreateTemp("", "assure-job-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	progress := func(done int) {
		if err := w.app.db.ReportProgress(ctx, id, done); err != nil {
			w.log.WarnContext(ctx, "report progress", "job", id, "err", err)
		}
	}
	if err := w.app.writeSector(ctx, actor, rj.Format, rj.Params, tmp, progress); err != nil {
		if domain.ErrorCodeOf(store.Unavailable(err)) == domain.EUnavailable {
			return err // the database went away: River tries again later
		}
		return w.fail(ctx, id, reportFailedMessage, err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	name := fmt.Sprintf("sector-%s.%s", slug(c.Name), rj.Format)
	return w.app.db.FinishReportJob(ctx, id, name, mediaTypes[rj.Format], tmp, size, w.keep)
}

// fail records a failure the requester can read, logs the cause, and tells
// River not to retry: a report that failed once fails again.
func (w *reportWorker) fail(ctx context.Context, id, message string, cause error) error {
	w.log.ErrorContext(ctx, "report job failed", "job", id, "err", cause)
	if err := w.app.db.FailReportJob(ctx, id, message); err != nil {
		return err
	}
	return river.JobCancel(cause)
}

// sweepArgs asks for the report jobs River gave up on to be marked failed.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "report_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	db  *store.DB
	log *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	n, err := w.db.FailAbandonedReportJobs(ctx, reportAbandonedMessage)
	if n > 0 {
		w.log.WarnContext(ctx, "report jobs abandoned by their workers marked failed", "jobs", n)
	}
	return err
}

// purgeArgs asks for housekeeping: expired reports, stale sign-in
// throttle counters, old read notifications and finished e-mails are removed, campaign openings whose job stopped for good
// are marked failed, and priority ranking rows a passing day has made stale
// are recomputed.
type purgeArgs struct{}

func (purgeArgs) Kind() string { return "housekeeping" }

type purgeWorker struct {
	river.WorkerDefaults[purgeArgs]
	app         *App
	keepNotices time.Duration
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[purgeArgs]) error {
	db := w.app.db
	if _, err := db.PurgeExpiredReports(ctx); err != nil {
		return err
	}
	if _, err := w.app.FailStoppedOpenings(ctx); err != nil {
		return err
	}
	if _, err := db.RefreshStalePriorities(ctx); err != nil {
		return err
	}
	if _, err := db.PurgeNotifications(ctx, w.keepNotices); err != nil {
		return err
	}
	_, err := db.PurgeThrottle(ctx)
	return err
}

// dailyAt is a schedule of once a day at a time of day, UTC.
type dailyAt struct{ hour, minute int }

// Next is the first such time after current.
func (d dailyAt) Next(current time.Time) time.Time {
	c := current.UTC()
	next := time.Date(c.Year(), c.Month(), c.Day(), d.hour, d.minute, 0, 0, time.UTC)
	if !next.After(c) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// warnings passes on only warnings and errors.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnings{w.Handler.WithAttrs(attrs)}
}
func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }
