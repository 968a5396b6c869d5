package app

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"assure/domain"
	"assure/store"
)

// Campaign series: supervisors keep them (auditors read them), and a daily
// job makes each series' next campaign and, on its day, opens it through
// the same opening as a supervisor's.

// seriesActorLabel names Assure in the audit trail when it makes and opens
// a series' campaign.
const seriesActorLabel = "campaign-series"

// CreateCampaignSeries records a campaign series; its first campaign is
// made by the daily job, LeadDays before it opens.
func (a *App) CreateCampaignSeries(ctx context.Context, actor domain.Actor, s domain.CampaignSeries) (store.Series, error) {
	if err := a.permit(ctx, actor, "campaign_series", "manage"); err != nil {
		return store.Series{}, err
	}
	return a.db.CreateCampaignSeries(ctx, actor, s, a.today())
}

// CampaignSeriesList lists series, newest first, optionally by state.
func (a *App) CampaignSeriesList(ctx context.Context, actor domain.Actor, status domain.SeriesStatus, page store.Page) ([]store.Series, string, error) {
	if err := a.permit(ctx, actor, "campaign_series", "read"); err != nil {
		return nil, "", err
	}
	return a.db.CampaignSeriesList(ctx, actor, status, page)
}

// CampaignSeries returns one series.
func (a *App) CampaignSeries(ctx context.Context, actor domain.Actor, id string) (store.Series, error) {
	if err := a.permit(ctx, actor, "campaign_series", "read"); err != nil {
		return store.Series{}, err
	}
	return a.db.CampaignSeries(ctx, actor, id)
}

// SeriesCampaigns lists the campaigns a series made, the latest first.
func (a *App) SeriesCampaigns(ctx context.Context, actor domain.Actor, id string, page store.Page) ([]domain.Campaign, string, error) {
	if err := a.permit(ctx, actor, "campaign_series", "read"); err != nil {
		return nil, "", err
	}
	return a.db.SeriesCampaigns(ctx, actor, id, page)
}

// UpdateCampaignSeries changes a series as its supervisors may, checked as
// of today; ifVersion, when not zero, must be the series' version. The
// campaigns the series made stay as they are, a draft not yet opened
// included: the change applies to the campaigns made from its next
// occurrence on.
func (a *App) UpdateCampaignSeries(ctx context.Context, actor domain.Actor, id string, c domain.SeriesChange, ifVersion int) (store.Series, error) {
	if err := a.permit(ctx, actor, "campaign_series", "manage"); err != nil {
		return store.Series{}, err
	}
	return a.db.UpdateCampaignSeries(ctx, actor, id, c, ifVersion, a.today())
}

// PauseCampaignSeries stops a series making campaigns; those it made stay
// as they are, and a draft it made is not opened on its day.
func (a *App) PauseCampaignSeries(ctx context.Context, actor domain.Actor, id string) (store.Series, error) {
	if err := a.permit(ctx, actor, "campaign_series", "manage"); err != nil {
		return store.Series{}, err
	}
	return a.db.SetCampaignSeriesStatus(ctx, actor, id, domain.SeriesPaused)
}

// ResumeCampaignSeries lets a paused series make campaigns again, from its
// next occurrence still before its due date.
func (a *App) ResumeCampaignSeries(ctx context.Context, actor domain.Actor, id string) (store.Series, error) {
	if err := a.permit(ctx, actor, "campaign_series", "manage"); err != nil {
		return store.Series{}, err
	}
	return a.db.SetCampaignSeriesStatus(ctx, actor, id, domain.SeriesActive)
}

// SeriesActions lists what this actor may do to the series now.
func (a *App) SeriesActions(actor domain.Actor, s store.Series) []string {
	if !a.may(actor, "", "campaign_series", "manage") {
		return nil
	}
	return domain.SeriesActions(s.Status)
}

// SeriesRun is what one run of the series job did.
type SeriesRun struct {
	Made   []string // campaigns made
	Opened []string // campaigns whose opening was queued
	Failed int      // series whose campaign could not be made or opened
}

// RunCampaignSeries does the series' work of day today: each active series
// makes the campaign of its occurrence whose lead time has begun, once
// (store.MakeSeriesCampaign), and each such draft whose opening day has come
// is queued to open as a supervisor's would be (store.QueueOpening), once.
// Running it again the same day does nothing more. A series whose campaign
// cannot be made or opened keeps the reason for its supervisors, and the
// others go on; a lost database ends the run, to be tried again.
func (a *App) RunCampaignSeries(ctx context.Context, today domain.Date) (SeriesRun, error) {
	var run SeriesRun
	actor := domain.System(seriesActorLabel)
	ids, err := a.db.ActiveCampaignSeries(ctx)
	if err != nil {
		return run, err
	}
	for _, id := range ids {
		c, made, err := a.db.MakeSeriesCampaign(ctx, actor, id, today)
		if err != nil {
			if err := a.seriesFailed(ctx, id, "the series' next campaign could not be made", err); err != nil {
				return run, err
			}
			run.Failed++
			continue
		}
		if made {
			run.Made = append(run.Made, c.ID)
		}
	}
	due, err := a.db.SeriesCampaignsToOpen(ctx, today)
	if err != nil {
		return run, err
	}
	for _, o := range due {
		if _, err := a.db.QueueOpening(ctx, actor, o.CampaignID); err != nil {
			if err := a.seriesFailed(ctx, o.SeriesID, "the series' campaign could not be opened", err); err != nil {
				return run, err
			}
			run.Failed++
			continue
		}
		run.Opened = append(run.Opened, o.CampaignID)
	}
	return run, nil
}

// seriesFailed keeps why a series' step failed, in the words of the error
// when it has some for people (a scope nobody is in, a framework no longer
// published); a lost database is returned instead.
func (a *App) seriesFailed(ctx context.Context, seriesID, what string, cause error) error {
	if domain.ErrorCodeOf(store.Unavailable(cause)) == domain.EUnavailable || ctx.Err() != nil {
		return cause
	}
	reason := what
	switch e, ok := domain.AsError(cause); {
	case ok && e.Code != domain.EInternal:
		reason += ": " + e.Message
		for _, p := range e.Problems {
			reason += "; " + p.Message
		}
	default:
		a.log.ErrorContext(ctx, "campaign series", "series", seriesID, "err", cause)
	}
	return a.db.RecordSeriesFailure(ctx, seriesID, reason)
}

// seriesArgs asks for a run of the campaign series.
type seriesArgs struct{}

func (seriesArgs) Kind() string { return "campaign_series" }

type seriesWorker struct {
	river.WorkerDefaults[seriesArgs]
	app *App
	log *slog.Logger
}

// Work runs the series for today by the application's clock.
func (w *seriesWorker) Work(ctx context.Context, _ *river.Job[seriesArgs]) error {
	run, err := w.app.RunCampaignSeries(ctx, w.app.today())
	if len(run.Made) > 0 || len(run.Opened) > 0 || run.Failed > 0 {
		w.log.InfoContext(ctx, "campaign series", "made", len(run.Made), "opened", len(run.Opened), "failed", run.Failed)
	}
	return err
}
