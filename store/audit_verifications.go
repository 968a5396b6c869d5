package store

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"assure/domain"
)

// AuditVerificationArgs is the queued work of a background verification of
// the audit chain: the verification's id.
type AuditVerificationArgs struct {
	VerificationID string `json:"verification_id"`
}

// Kind names the work for the job queue.
func (AuditVerificationArgs) Kind() string { return "audit_verification" }

// InsertOpts bound the attempts: a walk killed mid-run starts over, one that
// keeps failing is not tried for days.
func (AuditVerificationArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3}
}

// AuditVerification is one verification of the audit chain run in the
// background: how far it got and, once done, what it found.
type AuditVerification struct {
	ID          string
	RequestedBy string
	Status      string // queued, running, done, failed
	// HeadSeq and HeadHash are the head the walk started from; Checked is
	// how many events it has checked of HeadSeq.
	HeadSeq     int64
	HeadHash    string
	Checked     int64
	OK          *bool  // set when done
	FirstBad    *int64 // the first event that does not hold, when done and not OK
	Checkpoints []CheckpointCheck
	Error       string // why it failed, safe to show
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

const auditVerificationColumns = `id::text, coalesce(requested_by::text, ''), status, head_seq, head_hash, checked, ok,
	first_bad, checkpoints, error, created_at, started_at, finished_at`

func scanAuditVerification(row pgx.CollectableRow) (AuditVerification, error) {
	var v AuditVerification
	var checks []byte
	err := row.Scan(&v.ID, &v.RequestedBy, &v.Status, &v.HeadSeq, &v.HeadHash, &v.Checked, &v.OK, &v.FirstBad,
		&checks, &v.Error, &v.CreatedAt, &v.StartedAt, &v.FinishedAt)
	if err == nil {
		var stored []storedCheckpointCheck
		if err = json.Unmarshal(checks, &stored); err == nil {
			for _, c := range stored {
				v.Checkpoints = append(v.Checkpoints, CheckpointCheck(c))
			}
		}
	}
	return v, err
}

// storedCheckpointCheck is a CheckpointCheck as the table keeps it.
type storedCheckpointCheck struct {
	Checkpoint domain.Checkpoint `json:"checkpoint"`
	OK         bool              `json:"ok"`
	Problem    string            `json:"problem,omitempty"`
}

// CreateAuditVerification queues a verification of the whole chain asked
// for by actor; the row, the queued work and the audit event are written in
// one transaction. The caller has checked that actor may verify.
func (db *DB) CreateAuditVerification(ctx context.Context, actor domain.Actor) (AuditVerification, error) {
	client, err := db.jobs()
	if err != nil {
		return AuditVerification{}, err
	}
	var v AuditVerification
	err = db.write(ctx, "queue audit verification", func(t *txn) error {
		rows, err := t.Query(ctx, `insert into audit_verifications (requested_by, head_seq, head_hash)
			select $1, seq, hash from audit_head returning `+auditVerificationColumns, nullable(actor.UserID))
		if err != nil {
			return err
		}
		if v, err = pgx.CollectExactlyOneRow(rows, scanAuditVerification); err != nil {
			return err
		}
		if _, err := client.InsertTx(ctx, t.Tx, AuditVerificationArgs{VerificationID: v.ID}, nil); err != nil {
			return err
		}
		return t.record(actor, "audit.verification_requested", "audit_verification", v.ID, "",
			map[string]any{"head_seq": v.HeadSeq})
	})
	return v, err
}

// AuditVerification returns one verification; ENotFound when there is none
// with that id.
func (db *DB) AuditVerification(ctx context.Context, id string) (AuditVerification, error) {
	if !isUUID(id) {
		return AuditVerification{}, domain.Errorf(domain.ENotFound, "no such audit verification")
	}
	rows, err := db.pool.Query(ctx, `select `+auditVerificationColumns+` from audit_verifications where id = $1::uuid`, id)
	if err != nil {
		return AuditVerification{}, translate(err, "get audit verification")
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanAuditVerification)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, domain.Errorf(domain.ENotFound, "no such audit verification")
	}
	return v, translate(err, "get audit verification")
}

// LatestAuditVerifications returns the newest verification still queued or
// running, if any, and the newest one done, if any.
func (db *DB) LatestAuditVerifications(ctx context.Context) (pending, done *AuditVerification, err error) {
	one := func(query string) (*AuditVerification, error) {
		rows, err := db.pool.Query(ctx, query)
		if err != nil {
			return nil, translate(err, "latest audit verification")
		}
		v, err := pgx.CollectExactlyOneRow(rows, scanAuditVerification)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		return &v, translate(err, "latest audit verification")
	}
	if done, err = one(`select ` + auditVerificationColumns + ` from audit_verifications
		where status = 'done' order by finished_at desc limit 1`); err != nil {
		return nil, nil, err
	}
	// Only the last day's: a queued row left by a queue that lost its work
	// does not stand for ever as "in progress".
	pending, err = one(`select ` + auditVerificationColumns + ` from audit_verifications
		where status in ('queued', 'running') and created_at > now() - interval '1 day' order by created_at desc limit 1`)
	return pending, done, err
}

// RunAuditVerification runs a queued verification: it marks it running,
// walks the chain recording progress every `every` events, and stores the
// result with its audit event in one transaction. With pub and checkpoints,
// the chain is also checked against them. A verification already finished
// is left alone (false). A run after a crash starts over.
func (db *DB) RunAuditVerification(ctx context.Context, id string, every int64, pub ed25519.PublicKey, cps []domain.Checkpoint) (bool, error) {
	tag, err := db.pool.Exec(ctx, `update audit_verifications set status = 'running', started_at = now(), checked = 0,
		error = '' where id = $1::uuid and status in ('queued', 'running')`, id)
	if err != nil {
		return false, translate(err, "start audit verification")
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	progress := &chainProgress{every: max(every, 1), report: func(checked, head int64) {
		// A lost progress write only makes the bar lag; the walk goes on.
		_, _ = db.pool.Exec(ctx, `update audit_verifications set checked = $2, head_seq = $3
			where id = $1::uuid and status = 'running'`, id, checked, head)
	}}
	v, checks, err := db.verifyCheckpoints(ctx, pub, cps, progress)
	if err != nil {
		return false, err
	}
	stored := make([]storedCheckpointCheck, len(checks))
	for i, c := range checks {
		stored[i] = storedCheckpointCheck(c)
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return false, err
	}
	err = db.write(ctx, "finish audit verification", func(t *txn) error {
		tag, err := t.Exec(ctx, `update audit_verifications set status = 'done', ok = $2, first_bad = $3, checked = $4,
			head_seq = $5, head_hash = $6, checkpoints = $7, finished_at = now()
			where id = $1::uuid and status = 'running'`, id, v.OK, v.FirstBad, v.Checked, v.HeadSeq, v.HeadHash, b)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return t.record(domain.System("audit"), "audit.verification_completed", "audit_verification", id, "",
			map[string]any{"ok": v.OK, "checked": v.Checked, "head_seq": v.HeadSeq, "head_hash": v.HeadHash,
				"first_bad": v.FirstBad, "checkpoints": len(checks)})
	})
	return err == nil, err
}

// FailAuditVerification marks a verification failed with a message safe to
// show. One already finished is left as it is.
func (db *DB) FailAuditVerification(ctx context.Context, id, message string) error {
	return db.write(ctx, "fail audit verification", func(t *txn) error {
		tag, err := t.Exec(ctx, `update audit_verifications set status = 'failed', error = $2, finished_at = now()
			where id = $1::uuid and status in ('queued', 'running')`, id, message)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return t.record(domain.System("audit"), "audit.verification_failed", "audit_verification", id, "",
			map[string]any{"error": message})
	})
}
