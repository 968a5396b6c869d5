package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"assure/domain"
)

// ReportJobArgs is the queued work of a background report: the job's id.
type ReportJobArgs struct {
	JobID string `json:"job_id"`
}

// Kind names the work for the job queue.
func (ReportJobArgs) Kind() string { return "report" }

// ReportJobAttempts is how many times a report is tried before it is given
// up: a worker killed mid-run is replaced, a report that keeps failing is not
// tried for days.
const ReportJobAttempts = 3

// InsertOpts bound the attempts of every queued report.
func (ReportJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: ReportJobAttempts}
}

// ReportParams say which report a job makes.
type ReportParams struct {
	CampaignID string `json:"campaign_id"`
	Basis      string `json:"basis,omitempty"`
	// Language of the report (en, fr); empty is English.
	Language domain.Language `json:"language,omitempty"`
}

// ReportJob is a report made in the background.
type ReportJob struct {
	ID          string
	Kind        string
	Format      string
	Params      ReportParams
	RequestedBy string
	Status      string // queued, running, done, failed, expired
	Done, Total int
	Error       string
	Filename    string
	MediaType   string
	Size        int64
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	ExpiresAt   *time.Time
}

// jobs returns the client that puts work on the queue. It only inserts; the
// workers run in assure serve.
func (db *DB) jobs() (*river.Client[pgx.Tx], error) {
	db.jobsOnce.Do(func() {
		db.jobClient, db.jobsErr = river.NewClient(riverpgxv5.New(db.pool), &river.Config{})
	})
	return db.jobClient, db.jobsErr
}

const reportJobColumns = `id::text, kind, format, params, coalesce(requested_by::text, ''), status, done, total, error,
	filename, media_type, size, created_at, started_at, finished_at, expires_at`

func scanReportJob(row pgx.CollectableRow) (ReportJob, error) {
	var j ReportJob
	var params []byte
	err := row.Scan(&j.ID, &j.Kind, &j.Format, &params, &j.RequestedBy, &j.Status, &j.Done, &j.Total, &j.Error,
		&j.Filename, &j.MediaType, &j.Size, &j.CreatedAt, &j.StartedAt, &j.FinishedAt, &j.ExpiresAt)
	if err == nil {
		err = json.Unmarshal(params, &j.Params)
	}
	return j, err
}

// CreateReportJob queues a sector report of a campaign the actor may see;
// the job row and the queued work are written in one transaction.
func (db *DB) CreateReportJob(ctx context.Context, actor domain.Actor, format string, params ReportParams) (ReportJob, error) {
	if format != "pdf" && format != "xlsx" {
		return ReportJob{}, domain.Invalid("unknown format", []domain.Problem{{Location: "body.format", Message: "must be pdf or xlsx"}})
	}
	client, err := db.jobs()
	if err != nil {
		return ReportJob{}, err
	}
	var job ReportJob
	err = db.write(ctx, "queue report", func(t *txn) error {
		if _, err := getCampaign(ctx, t, actor, params.CampaignID, false); err != nil {
			return err
		}
		b, _ := json.Marshal(params)
		rows, err := t.Query(ctx, `insert into report_jobs (kind, format, params, requested_by) values ('sector', $1, $2, $3)
			returning `+reportJobColumns, format, b, nullable(actor.UserID))
		if err != nil {
			return err
		}
		if job, err = pgx.CollectExactlyOneRow(rows, scanReportJob); err != nil {
			return err
		}
		if _, err := client.InsertTx(ctx, t.Tx, ReportJobArgs{JobID: job.ID}, nil); err != nil {
			return fmt.Errorf("queue report: %w", err)
		}
		return t.record(actor, "report.requested", "report", job.ID, "", map[string]any{"kind": "sector",
			"format": format, "campaign_id": params.CampaignID, "basis": params.Basis, "language": params.Language})
	})
	return job, err
}

// ReportJob returns a report job; only the user who asked for it sees it.
func (db *DB) ReportJob(ctx context.Context, actor domain.Actor, id string) (ReportJob, error) {
	if !isUUID(id) {
		return ReportJob{}, domain.Errorf(domain.ENotFound, "no such report job")
	}
	rows, err := db.pool.Query(ctx, `select `+reportJobColumns+` from report_jobs
		where id = $1 and ($2 = '' or requested_by = nullif($2, '')::uuid)`, id, actor.UserID)
	if err != nil {
		return ReportJob{}, translate(err, "get report job")
	}
	j, err := pgx.CollectExactlyOneRow(rows, scanReportJob)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, domain.Errorf(domain.ENotFound, "no such report job")
	}
	return j, translate(err, "get report job")
}

// StartReportJob marks a job running with the amount of work it has. A job
// run again after a crash starts over: no progress, no error. It reports
// false when the job is already finished (done, failed or expired), so there
// is nothing to make.
func (db *DB) StartReportJob(ctx context.Context, id string, total int) (bool, error) {
	tag, err := db.pool.Exec(ctx, `update report_jobs set status = 'running', started_at = now(), total = $2, done = 0,
		error = '', finished_at = null where id = $1 and status in ('queued', 'running')`, id, total)
	if err != nil {
		return false, translate(err, "start report job")
	}
	return tag.RowsAffected() == 1, nil
}

// ReportProgress records how much of a job is done.
func (db *DB) ReportProgress(ctx context.Context, id string, done int) error {
	_, err := db.pool.Exec(ctx, `update report_jobs set done = least($2, total) where id = $1`, id, done)
	return translate(err, "report progress")
}

// FinishReportJob stores a job's result, kept for keep, and marks it done.
// Only a running job is finished, once: a second run of the same job that
// ends later (a worker thought lost that was only slow) leaves the first
// result alone, and a job already given up stays failed.
func (db *DB) FinishReportJob(ctx context.Context, id, filename, mediaType string, content io.Reader, size int64, keep time.Duration) error {
	return db.write(ctx, "finish report job", func(t *txn) error {
		var status string
		if err := t.QueryRow(ctx, `select status from report_jobs where id = $1 for update`, id).Scan(&status); err != nil {
			return err
		}
		if status != "running" {
			return nil
		}
		if _, err := t.Exec(ctx, `delete from report_files where job_id = $1`, id); err != nil {
			return err
		}
		if _, err := copyChunks(ctx, t, reportFile(id), content); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `update report_jobs set status = 'done', done = total, filename = $2, media_type = $3,
			size = $4, finished_at = now(), expires_at = now() + $5 * interval '1 second' where id = $1`,
			id, filename, mediaType, size, seconds(keep)); err != nil {
			return err
		}
		return t.record(domain.System("reports"), "report.completed", "report", id, "",
			map[string]any{"filename": filename, "size": size})
	})
}

// FailReportJob marks a job failed with a message safe to show and drops any
// part of its file. A job already finished is left as it is.
func (db *DB) FailReportJob(ctx context.Context, id, message string) error {
	return db.write(ctx, "fail report job", func(t *txn) error {
		tag, err := t.Exec(ctx, `update report_jobs set status = 'failed', error = $2, finished_at = now()
			where id = $1 and status in ('queued', 'running')`, id, message)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		if _, err := t.Exec(ctx, `delete from report_files where job_id = $1`, id); err != nil {
			return err
		}
		return t.record(domain.System("reports"), "report.failed", "report", id, "", map[string]any{"error": message})
	})
}

// FailAbandonedReportJobs marks failed, with message, the report jobs not
// finished whose queued work River has given up on (discarded after its last
// attempt, cancelled, or gone): a worker killed on the last attempt never
// says so itself. It returns how many were marked.
func (db *DB) FailAbandonedReportJobs(ctx context.Context, message string) (int, error) {
	var n int
	err := db.write(ctx, "fail abandoned report jobs", func(t *txn) error {
		// Unfinished jobs are few; each looks its work up by the args index.
		rows, err := t.Query(ctx, `update report_jobs r set status = 'failed', error = $1, finished_at = now()
			where r.status in ('queued', 'running') and not exists (
				select 1 from river_job j where j.kind = 'report' and j.args @> jsonb_build_object('job_id', r.id::text)
				and j.state not in ('completed', 'cancelled', 'discarded'))
			returning r.id::text`, message)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		if _, err := t.Exec(ctx, `delete from report_files where job_id = any($1::uuid[])`, ids); err != nil {
			return err
		}
		for _, id := range ids {
			if err := t.record(domain.System("reports"), "report.failed", "report", id, "",
				map[string]any{"error": message}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// WriteReportFile streams a finished job's file to w.
func (db *DB) WriteReportFile(ctx context.Context, id string, w io.Writer) error {
	return db.writeChunks(ctx, reportFile(id), w)
}

// PurgeExpiredReports removes the files of finished jobs past their expiry.
func (db *DB) PurgeExpiredReports(ctx context.Context) (int, error) {
	var n int
	err := db.write(ctx, "purge reports", func(t *txn) error {
		rows, err := t.Query(ctx, `update report_jobs set status = 'expired' where status = 'done' and expires_at < now()
			returning id::text`)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		if _, err := t.Exec(ctx, `delete from report_files where job_id = any($1::uuid[])`, ids); err != nil {
			return err
		}
		return t.record(domain.System("reports"), "report.purged", "report", "", "", map[string]any{"jobs": ids})
	})
	return n, err
}

// MaxRecentReportJobs bounds the jobs RecentReportJobs returns.
const MaxRecentReportJobs = 20

// RecentReportJobs returns the report jobs the actor asked for about a
// campaign, newest first, at most limit (and MaxRecentReportJobs). An actor
// who is not a user has asked for none.
func (db *DB) RecentReportJobs(ctx context.Context, actor domain.Actor, campaignID string, limit int) ([]ReportJob, error) {
	if actor.UserID == "" || !isUUID(campaignID) {
		return nil, nil
	}
	if limit <= 0 || limit > MaxRecentReportJobs {
		limit = MaxRecentReportJobs
	}
	// The requester index orders the actor's jobs; few are about other campaigns.
	rows, err := db.pool.Query(ctx, `select `+reportJobColumns+` from report_jobs
		where requested_by = $1 and params->>'campaign_id' = $2 order by created_at desc limit $3`,
		actor.UserID, campaignID, limit)
	if err != nil {
		return nil, translate(err, "list report jobs")
	}
	list, err := pgx.CollectRows(rows, scanReportJob)
	return list, translate(err, "list report jobs")
}
