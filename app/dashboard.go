package app

import (
	"context"
	"slices"

	"assure/domain"
	"assure/store"
)

// Bounds of the dashboard: every list on it is a first page.
const (
	DashboardCampaigns  = 50 // campaigns offered to choose from
	DashboardProgress   = 5  // campaigns whose progress is counted
	DashboardRows       = 20 // rows of each queue, of overdue findings and of each heatmap
	DashboardPriorities = 15 // rows of the priority ranking
)

// Dashboard is what a supervisor or an auditor sees first: where the
// campaigns stand, what waits for the actor's review, overdue findings, and
// the sector's risk in the current campaign. Each part is there only when
// the actor's role may read it over the whole sector.
type Dashboard struct {
	Campaigns []domain.Campaign // to choose from, newest first
	Current   *domain.Campaign  // nil when there is no campaign yet
	// Progress counts the current campaign first, then other open and
	// recent ones.
	Progress []store.CampaignProgress

	Reviews  bool        // the actor reviews filings; the queues are theirs
	Review   ReviewQueue // submitted or under review
	Approval ReviewQueue // reviewed by the actor, waiting for another supervisor's approval

	Findings    bool // the actor reads findings
	Overdue     []domain.Finding
	MoreOverdue bool

	Risk           bool // the risk views of the current campaign are there
	Framework      *domain.Framework
	Matrix         store.RiskMatrix
	Dimensions     []store.HeatmapRow // worst compliance first
	MoreDimensions bool
	Stages         []store.HeatmapRow // worst residual score first
	MoreStages     bool
	Priorities     []store.Priority
	MorePriorities bool
}

// ReviewQueue is a page of a review queue.
type ReviewQueue struct {
	Items []QueueItem
	Next  string // the cursor of the next page, or ""
}

// QueueItem is one filing of a review queue with what the actor may do to it.
type QueueItem struct {
	store.QueueEntry
	Actions []string
	// ReadyToApprove says every response has a verdict, none asks for more
	// information, and the actor may approve it.
	ReadyToApprove bool
}

// OffersSector reports, without auditing, whether the actor's role may
// perform act on obj over the whole sector rather than one provider's own:
// what a face asks before offering a sector-wide view.
func (a *App) OffersSector(actor domain.Actor, obj, act string) bool {
	return a.may(actor, "", obj, act)
}

// Dashboard gathers the dashboard for campaignID, or when it is "" for the
// most recent open campaign (else the most recent one). Its queries are a
// fixed few whatever the size of the sector. An unknown campaign is
// ENotFound.
func (a *App) Dashboard(ctx context.Context, actor domain.Actor, campaignID string) (Dashboard, error) {
	var d Dashboard
	campaigns, _, err := a.Campaigns(ctx, actor, "", store.Page{Limit: DashboardCampaigns})
	if err != nil {
		return d, err
	}
	d.Campaigns = campaigns
	if d.Current, err = a.currentCampaign(ctx, actor, campaigns, campaignID); err != nil {
		return d, err
	}
	if d.Progress, err = a.CampaignProgress(ctx, actor, progressOf(d.Current, campaigns)); err != nil {
		return d, err
	}
	if d.Current != nil {
		// The current campaign comes first; the rest keep their order, newest first.
		slices.SortStableFunc(d.Progress, func(x, y store.CampaignProgress) int {
			return boolRank(y.CampaignID == d.Current.ID) - boolRank(x.CampaignID == d.Current.ID)
		})
	}
	if a.OffersSector(actor, "assessment", "review") {
		d.Reviews = true
		if d.Review, d.Approval, err = a.reviewQueues(ctx, actor, DashboardRows); err != nil {
			return d, err
		}
	}
	if a.OffersSector(actor, "finding", "read") {
		d.Findings = true
		var next string
		d.Overdue, next, err = a.Findings(ctx, actor, store.FindingFilter{Overdue: true}, store.Page{Limit: DashboardRows})
		if err != nil {
			return d, err
		}
		d.MoreOverdue = next != ""
	}
	if d.Current == nil || d.Current.Status == domain.CampaignDraft || !a.OffersSector(actor, "risk", "read") {
		return d, nil
	}
	return d, a.sectorRisk(ctx, actor, &d)
}

// sectorRisk adds the risk views of the current campaign.
func (a *App) sectorRisk(ctx context.Context, actor domain.Actor, d *Dashboard) error {
	c := d.Current
	var err error
	d.Risk = true
	if d.Framework, err = a.FrameworkOf(ctx, actor, store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion}); err != nil {
		return err
	}
	if d.Matrix, err = a.SectorRiskMatrix(ctx, actor, c.ID, store.SectorFilter{}, false); err != nil {
		return err
	}
	first := store.Page{Limit: DashboardRows}
	var next string
	d.Dimensions, next, err = a.SectorHeatmap(ctx, actor, c.ID, store.SectorFilter{}, store.SortWorst, "compliance", first)
	if err != nil {
		return err
	}
	d.MoreDimensions = next != ""
	d.Stages, next, err = a.SectorHeatmap(ctx, actor, c.ID, store.SectorFilter{}, store.SortWorst, "score", first)
	if err != nil {
		return err
	}
	d.MoreStages = next != ""
	d.Priorities, next, err = a.Priorities(ctx, actor, c.ID, store.Page{Limit: DashboardPriorities})
	d.MorePriorities = next != ""
	return err
}

// currentCampaign picks the campaign the dashboard shows: the one asked
// for, else the most recent open one, else the most recent one.
func (a *App) currentCampaign(ctx context.Context, actor domain.Actor, campaigns []domain.Campaign, id string) (*domain.Campaign, error) {
	if id != "" {
		for i := range campaigns {
			if campaigns[i].ID == id {
				return &campaigns[i], nil
			}
		}
		c, err := a.Campaign(ctx, actor, id) // older than the list shows
		if err != nil {
			return nil, err
		}
		return &c, nil
	}
	for i := range campaigns {
		if campaigns[i].Status == domain.CampaignOpen {
			return &campaigns[i], nil
		}
	}
	if len(campaigns) > 0 {
		return &campaigns[0], nil
	}
	return nil, nil
}

// progressOf lists the campaigns whose progress the dashboard counts: the
// current one, then the other open ones, then the most recent closed ones,
// DashboardProgress at most. Drafts have no filings to count.
func progressOf(current *domain.Campaign, campaigns []domain.Campaign) []string {
	var ids []string
	if current != nil {
		ids = append(ids, current.ID)
	}
	for _, status := range []domain.CampaignStatus{domain.CampaignOpen, domain.CampaignClosed} {
		for _, c := range campaigns {
			if len(ids) < DashboardProgress && c.Status == status && !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ReviewQueue pages through one of the actor's review queues across every
// campaign, the longest waiting first: WaitReview, the filings to take into
// review or under review; WaitSecondApprover, those the actor reviewed in
// full but may not approve alone under the four-eyes rule.
func (a *App) ReviewQueue(ctx context.Context, actor domain.Actor, wait store.ReviewWait, page store.Page) (ReviewQueue, error) {
	if err := a.permit(ctx, actor, "assessment", "review"); err != nil {
		return ReviewQueue{}, err
	}
	reviewer, err := a.fourEyesReviewer(ctx, actor)
	if err != nil {
		return ReviewQueue{}, err
	}
	if wait == store.WaitSecondApprover && reviewer == "" {
		return ReviewQueue{}, nil // without the four-eyes rule nothing waits for a second approver
	}
	entries, next, err := a.db.ReviewQueue(ctx, actor, reviewer, wait, page)
	if err != nil {
		return ReviewQueue{}, err
	}
	items, err := a.queueItems(ctx, actor, entries)
	if err != nil {
		return ReviewQueue{}, err
	}
	if wait == store.WaitSecondApprover {
		items = a.awaitingOthers(actor, items)
	}
	return ReviewQueue{Items: items, Next: next}, nil
}

// reviewQueues returns the first page of both of the actor's queues,
// reading the settings and the actor's verdicts once for both.
func (a *App) reviewQueues(ctx context.Context, actor domain.Actor, limit int) (ReviewQueue, ReviewQueue, error) {
	var review, approval ReviewQueue
	reviewer, err := a.fourEyesReviewer(ctx, actor)
	if err != nil {
		return review, approval, err
	}
	page := store.Page{Limit: limit}
	mine, next, err := a.db.ReviewQueue(ctx, actor, reviewer, store.WaitReview, page)
	if err != nil {
		return review, approval, err
	}
	review.Next = next
	var theirs []store.QueueEntry
	if reviewer != "" {
		if theirs, approval.Next, err = a.db.ReviewQueue(ctx, actor, reviewer, store.WaitSecondApprover, page); err != nil {
			return review, approval, err
		}
	}
	items, err := a.queueItems(ctx, actor, append(mine, theirs...))
	if err != nil {
		return review, approval, err
	}
	review.Items, approval.Items = slices.Clip(items[:len(mine)]), a.awaitingOthers(actor, items[len(mine):])
	return review, approval, nil
}

// fourEyesReviewer returns the actor's user id when the four-eyes rule
// would keep a reviewer from approving their own review, else "".
func (a *App) fourEyesReviewer(ctx context.Context, actor domain.Actor) (string, error) {
	settings, _, err := a.db.Settings(ctx)
	if err != nil || !domain.FourEyesBars(settings, true) {
		return "", err
	}
	return actor.UserID, nil
}

// queueItems adds to each entry what the actor may do to it now.
func (a *App) queueItems(ctx context.Context, actor domain.Actor, entries []store.QueueEntry) ([]QueueItem, error) {
	list := make([]domain.Assessment, len(entries))
	for i, e := range entries {
		list[i] = e.Assessment
	}
	allowed, err := a.AllowedActions(ctx, actor, list...)
	if err != nil {
		return nil, err
	}
	items := make([]QueueItem, len(entries))
	for i, e := range entries {
		items[i] = QueueItem{QueueEntry: e, Actions: allowed[i],
			ReadyToApprove: e.Verdicts == e.Applicable && e.NeedsInfo == 0 && slices.Contains(allowed[i], domain.ActionApprove)}
	}
	return items, nil
}

// awaitingOthers keeps the filings that others could approve but the actor
// may not: the actor's role decides filings, yet approval is not among the
// actor's allowed actions.
func (a *App) awaitingOthers(actor domain.Actor, items []QueueItem) []QueueItem {
	return slices.DeleteFunc(items, func(it QueueItem) bool {
		return slices.Contains(it.Actions, domain.ActionApprove) || !a.may(actor, it.ProviderID, "assessment", "decide")
	})
}
