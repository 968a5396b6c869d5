package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// MaxProgressCampaigns bounds the campaigns one progress call counts.
const MaxProgressCampaigns = 20

// NotStarted is the progress count of drafts with no answer yet, told apart
// from drafts under way; it is not a state of the workflow.
const NotStarted = "not_started"

// CampaignProgress is where the filings of one campaign stand: how many are
// in each state, how much of the campaign's controls is answered, and how
// many filings are still owed after the due date. Provider users count only
// their own provider's filing.
type CampaignProgress struct {
	CampaignID       string
	CampaignName     string
	Status           domain.CampaignStatus
	DueAt            domain.Date
	Assessments      int
	NotStarted       int // drafts with no answer yet
	Draft            int // drafts with at least one answer
	Submitted        int
	InReview         int
	ChangesRequested int
	Approved         int
	Rejected         int
	Applicable       int // controls to answer, across the campaign's filings
	Answered         int
	Overdue          int // filings still owed after the due date
}

// StateCount is the number of filings in one state of a progress.
type StateCount struct {
	State string // NotStarted or an assessment state
	Count int
}

// Counts lists the progress's counts in the order of the workflow, not
// started first.
func (p CampaignProgress) Counts() []StateCount {
	return []StateCount{{NotStarted, p.NotStarted}, {string(domain.StatusDraft), p.Draft},
		{string(domain.StatusSubmitted), p.Submitted}, {string(domain.StatusInReview), p.InReview},
		{string(domain.StatusChangesRequested), p.ChangesRequested}, {string(domain.StatusApproved), p.Approved},
		{string(domain.StatusRejected), p.Rejected}}
}

// CampaignProgress counts the filings of the given campaigns in one query,
// newest campaign first. Campaigns the actor may not see, and ids that name
// no campaign, are left out; more than MaxProgressCampaigns ids is EInvalid.
func (db *DB) CampaignProgress(ctx context.Context, actor domain.Actor, campaignIDs []string) ([]CampaignProgress, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, err
	}
	if len(campaignIDs) > MaxProgressCampaigns {
		return nil, domain.Invalid("too many campaigns", []domain.Problem{{Location: "campaigns",
			Message: fmt.Sprintf("at most %d campaigns at a time", MaxProgressCampaigns)}})
	}
	ids := []string{}
	for _, id := range campaignIDs {
		if isUUID(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// Responses are counted once per filing, then summed per campaign: one
	// pass over the campaigns' responses, whatever the number of filings.
	rows, err := db.pool.Query(ctx, `with r as (
			select r.assessment_id, count(*) as applicable, count(r.status) as answered
			from responses r join assessments a on a.id = r.assessment_id
			where a.campaign_id = any(@ids::uuid[]) and (@scope = '*' or a.provider_id = nullif(@scope, '*')::uuid)
			group by r.assessment_id)
		select c.id::text, c.name, c.status, c.due_at, count(a.id),
			count(a.id) filter (where a.status = 'draft' and coalesce(r.answered, 0) = 0),
			count(a.id) filter (where a.status = 'draft' and r.answered > 0),
			count(a.id) filter (where a.status = 'submitted'),
			count(a.id) filter (where a.status = 'in_review'),
			count(a.id) filter (where a.status = 'changes_requested'),
			count(a.id) filter (where a.status = 'approved'),
			count(a.id) filter (where a.status = 'rejected'),
			coalesce(sum(r.applicable), 0)::bigint, coalesce(sum(r.answered), 0)::bigint,
			count(a.id) filter (where a.status in ('draft', 'changes_requested') and c.due_at < current_date)
		from campaigns c
		left join assessments a on a.campaign_id = c.id and (@scope = '*' or a.provider_id = nullif(@scope, '*')::uuid)
		left join r on r.assessment_id = a.id
		where c.id = any(@ids::uuid[])`+strings.ReplaceAll(campaignVisible, "$SCOPE", "@scope")+`
		group by c.id, c.name, c.status, c.due_at, c.created_at
		order by c.created_at desc, c.id desc`, pgx.NamedArgs{"ids": ids, "scope": scope})
	if err != nil {
		return nil, translate(err, "campaign progress")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CampaignProgress, error) {
		var p CampaignProgress
		var due time.Time
		err := r.Scan(&p.CampaignID, &p.CampaignName, &p.Status, &due, &p.Assessments, &p.NotStarted, &p.Draft,
			&p.Submitted, &p.InReview, &p.ChangesRequested, &p.Approved, &p.Rejected, &p.Applicable, &p.Answered,
			&p.Overdue)
		p.DueAt = domain.DateOf(due)
		return p, err
	})
	return list, translate(err, "campaign progress")
}
