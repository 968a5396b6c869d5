package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"assure/domain"
	"assure/store"
)

// Reasons a supervisor reads on an opening that failed.
const (
	openingFailedMessage   = "the opening could not be finished, so nothing was created; try again, and if it keeps failing tell your administrator"
	openingRequesterGone   = "the user who asked for the opening can no longer open campaigns, so nothing was created"
	openingInterruptedNote = "the opening was interrupted too many times, so nothing was created; try again"
	openingStoppedNote     = "the opening stopped without finishing and no worker will take it up again, so nothing was created; try again"
)

// openingQuietFor is how long an unfinished opening must have been left
// untouched before housekeeping fails it for want of a live job. A running
// opening writes its progress several times a second, and River gives a lost
// job up only after its rescue delay, so the bound costs a stopped opening
// nothing and keeps away from one being queued by hand.
const openingQuietFor = 5 * time.Minute

// FailStoppedOpenings marks failed the campaign openings that no job will
// finish: River gave their job up (its last attempt died with its worker, or
// it was cancelled or deleted) while the opening still said queued or
// running. Each then shows its reason and can be asked for again. It returns
// how many it marked.
func (a *App) FailStoppedOpenings(ctx context.Context) (int, error) {
	ids, err := a.db.FailStoppedOpenings(ctx, openingStoppedNote, openingQuietFor)
	if len(ids) > 0 {
		a.log.WarnContext(ctx, "campaign openings whose job stopped marked failed", "campaigns", ids)
	}
	return len(ids), err
}

// openingWorker runs queued campaign openings.
type openingWorker struct {
	river.WorkerDefaults[store.OpenCampaignJobArgs]
	app *App
	log *slog.Logger
}

// Work opens the campaign. Safe to run again: a run after a crash starts
// over, and the transaction that opens the campaign is all there is to
// undo. When it fails for good, the opening says why.
func (w *openingWorker) Work(ctx context.Context, job *river.Job[store.OpenCampaignJobArgs]) error {
	err := w.app.RunCampaignOpening(ctx, job.Args.CampaignID)
	if err == nil {
		return nil
	}
	// An opening already marked failed stays as it is.
	if job.Attempt >= job.MaxAttempts {
		w.log.ErrorContext(ctx, "campaign opening failed on its last attempt", "campaign", job.Args.CampaignID, "err", err)
		bg, stop := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer stop()
		if ferr := w.app.db.FailOpening(bg, job.Args.CampaignID, openingInterruptedNote); ferr != nil {
			w.log.ErrorContext(ctx, "record a failed campaign opening", "campaign", job.Args.CampaignID, "err", ferr)
		}
	}
	return err
}

// RunCampaignOpening does the work of a queued opening here and now, as
// its job does: it opens the campaign with the view and rights of the user
// who asked, writing progress as it goes. An opening already finished is
// left alone. A lost database comes back as an error to try again later;
// any other failure marks the opening failed with its reason, and comes
// back as a river.JobCancel error.
func (a *App) RunCampaignOpening(ctx context.Context, campaignID string) error {
	o, started, err := a.db.StartOpening(ctx, campaignID)
	if err != nil || !started {
		return err
	}
	actor, err := a.openingActor(ctx, o)
	if err != nil {
		return err
	}
	if actor == nil {
		return a.failOpening(ctx, campaignID, openingRequesterGone, nil)
	}
	actor.RequestID = "job:open:" + campaignID
	_, err = a.db.OpenCampaignTracked(ctx, *actor, campaignID, nil)
	switch {
	case err == nil:
		return nil
	case domain.ErrorCodeOf(store.Unavailable(err)) == domain.EUnavailable, ctx.Err() != nil:
		return err // River runs it again, from the start
	case domain.ErrorCodeOf(err) == domain.EConflict || domain.ErrorCodeOf(err) == domain.ENotFound:
		if now, gerr := a.db.Opening(ctx, domain.System("campaign-opening"), campaignID); gerr == nil && now.Status == store.OpeningDone {
			return nil // another run of the same job finished it
		}
		e, _ := domain.AsError(err)
		return a.failOpening(ctx, campaignID, "nothing was created: "+e.Message, err)
	default:
		return a.failOpening(ctx, campaignID, openingFailedMessage, err)
	}
}

// openingActor is who an opening runs as: the user who asked for it, with
// their view and rights as they stand now, or nil when they may no longer
// open campaigns. An opening nobody asked for was asked for by Assure itself
// (a campaign series on its campaign's day) and runs as the system.
func (a *App) openingActor(ctx context.Context, o store.Opening) (*domain.Actor, error) {
	if o.RequestedBy == "" {
		actor := domain.System(seriesActorLabel)
		return &actor, nil
	}
	u, err := a.db.User(ctx, domain.System("campaign-opening"), o.RequestedBy)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	actor := domain.ActorFor(u)
	if a.permit(ctx, actor, "campaign", "manage") != nil {
		return nil, nil
	}
	return &actor, nil
}

func (a *App) failOpening(ctx context.Context, id, reason string, cause error) error {
	a.log.ErrorContext(ctx, "campaign opening failed", "campaign", id, "reason", reason, "err", cause)
	if err := a.db.FailOpening(ctx, id, reason); err != nil {
		return err
	}
	if cause == nil {
		cause = domain.Errorf(domain.EForbidden, "%s", reason)
	}
	return river.JobCancel(cause)
}
