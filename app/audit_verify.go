package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"assure/domain"
	"assure/store"
)

// VerificationProgressEvery is how many events a background verification
// checks between two writes of its progress: a few writes a second at the
// walk's pace, so a page polling it sees the bar move.
const VerificationProgressEvery = 50000

// StartAuditVerification queues a verification of the whole chain and
// returns it, queued; AuditVerification then tells its progress and result.
// Only those who may verify the chain may ask (EForbidden otherwise).
func (a *App) StartAuditVerification(ctx context.Context, actor domain.Actor) (store.AuditVerification, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return store.AuditVerification{}, err
	}
	return a.db.CreateAuditVerification(ctx, actor)
}

// AuditVerification returns a background verification: its progress or its
// result. ENotFound when there is no such verification.
func (a *App) AuditVerification(ctx context.Context, actor domain.Actor, id string) (store.AuditVerification, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return store.AuditVerification{}, err
	}
	return a.db.AuditVerification(ctx, id)
}

// LatestAuditVerifications returns the newest verification in progress and
// the newest one done, either nil when there is none.
func (a *App) LatestAuditVerifications(ctx context.Context, actor domain.Actor) (pending, done *store.AuditVerification, err error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return nil, nil, err
	}
	return a.db.LatestAuditVerifications(ctx)
}

// verificationWorker runs a queued verification of the audit chain.
type verificationWorker struct {
	river.WorkerDefaults[store.AuditVerificationArgs]
	app *App
	log *slog.Logger
}

// verificationFailedMessage is what a requester reads on a verification
// that could not run to the end.
const verificationFailedMessage = "the verification could not be finished; ask for it again"

// Work runs the verification; after the last attempt the verification says
// it failed.
func (w *verificationWorker) Work(ctx context.Context, job *river.Job[store.AuditVerificationArgs]) error {
	id := job.Args.VerificationID
	err := w.app.RunAuditVerification(ctx, id)
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.log.ErrorContext(ctx, "audit verification failed on its last attempt", "verification", id, "err", err)
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if ferr := w.app.db.FailAuditVerification(bg, id, verificationFailedMessage); ferr != nil {
			w.log.ErrorContext(ctx, "record a failed audit verification", "verification", id, "err", ferr)
		}
	}
	return err
}

// RunAuditVerification does the work of a queued verification here and
// now, as its job does: it walks the chain and, when the server keeps signed
// checkpoints, checks that the chain still extends the newest. A newest file
// that is not a checkpoint is logged and the chain checked on its own; the
// page says so beside the result. A verification already finished is left
// alone; a run after a crash starts over.
func (a *App) RunAuditVerification(ctx context.Context, id string) error {
	var cps []domain.Checkpoint
	if _, c, err := a.newestCheckpoint(); err != nil {
		a.log.WarnContext(ctx, "audit verification: read the latest checkpoint", "err", err)
	} else if c != nil {
		cps = []domain.Checkpoint{*c}
	}
	_, err := a.db.RunAuditVerification(ctx, id, VerificationProgressEvery, a.checkpointKey, cps)
	return err
}

// SyncVerifyLimit is the longest chain verified within one request: about
// a second of walking on a small machine (a million events take five). A
// longer chain is verified in the background.
const SyncVerifyLimit = 250_000

// QueueLongVerification queues a background verification when the chain
// holds more than SyncVerifyLimit events and returns it; for a shorter
// chain it returns nil, and the caller may walk it within the request.
func (a *App) QueueLongVerification(ctx context.Context, actor domain.Actor) (*store.AuditVerification, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return nil, err
	}
	head, _, err := a.db.AuditHead(ctx)
	if err != nil || head <= SyncVerifyLimit {
		return nil, err
	}
	q, err := a.db.CreateAuditVerification(ctx, actor)
	return &q, err
}

// VerifyAuditWithin verifies the chain at once when it holds at most
// SyncVerifyLimit events. A longer one is queued as a background
// verification instead, returned as queued with an empty Verification, so
// that no request is held for minutes.
func (a *App) VerifyAuditWithin(ctx context.Context, actor domain.Actor) (store.Verification, *store.AuditVerification, error) {
	q, err := a.QueueLongVerification(ctx, actor)
	if err != nil || q != nil {
		return store.Verification{}, q, err
	}
	v, err := a.db.VerifyAudit(ctx)
	return v, nil, err
}
