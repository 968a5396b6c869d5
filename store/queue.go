package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// ReviewWait says which filings a review queue holds.
type ReviewWait string

// The review queues.
const (
	// WaitReview holds the filings waiting to be taken into review or under
	// review, less those of WaitSecondApprover.
	WaitReview ReviewWait = "review"
	// WaitSecondApprover holds the filings under review that could be
	// approved — every response has a verdict, none asks for more
	// information — and on which the reviewer recorded verdicts: under the
	// four-eyes rule, another supervisor must approve them.
	WaitSecondApprover ReviewWait = "second"
)

// QueueEntry is one filing in a review queue, with how far its review is.
type QueueEntry struct {
	domain.Assessment
	Since     time.Time // when it was last submitted
	Verdicts  int       // responses with a verdict
	NeedsInfo int       // verdicts asking for more information
}

// ReviewQueue pages through the filings waiting for review across every
// campaign, the longest waiting first. reviewerID is the supervisor whose
// verdicts decide what waits for a second approver; "" puts every filing
// under review in WaitReview and none in WaitSecondApprover.
func (db *DB) ReviewQueue(ctx context.Context, actor domain.Actor, reviewerID string, wait ReviewWait, page Page) ([]QueueEntry, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	if wait != WaitReview && wait != WaitSecondApprover {
		return nil, "", domain.Invalid("no such queue", []domain.Problem{{Location: "query.wait",
			Message: "must be review or second"}})
	}
	after := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	afterID := ""
	if _, err := decodeCursor(page.Cursor, &after, &afterID); err != nil {
		return nil, "", err
	}
	if afterID, err = cursorID(page.Cursor, afterID, lowestID); err != nil {
		return nil, "", err
	}
	var reviewer *string
	if isUUID(reviewerID) {
		reviewer = &reviewerID
	}
	// The filings waiting, with their verdicts counted in one pass over
	// their responses; only the page's rows are then read in full.
	reviewed := `cand.status = 'in_review' and coalesce(v.complete and v.mine, false)`
	which := `not (` + reviewed + `)`
	if wait == WaitSecondApprover {
		which = reviewed
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `with cand as (
			select a.id, a.status, coalesce(a.submitted_at, a.updated_at) as since from assessments a
			where a.status in ('submitted', 'in_review') and (@scope = '*' or a.provider_id = nullif(@scope, '*')::uuid)
			and (coalesce(a.submitted_at, a.updated_at), a.id) > (@after, @afterID::uuid)),
		v as (
			select x.assessment_id, count(x.verdict) as verdicts, count(*) filter (where x.verdict = 'needs_info') as needs_info,
				bool_and(x.verdict is not null and x.verdict <> 'needs_info') as complete, coalesce(bool_or(x.verdict_by = @reviewer::uuid), false) as mine
			from responses x join assessments a on a.id = x.assessment_id
			where a.status in ('submitted', 'in_review') and (@scope = '*' or a.provider_id = nullif(@scope, '*')::uuid)
			group by x.assessment_id),
		page as (
			select cand.id, cand.since, coalesce(v.verdicts, 0) as verdicts, coalesce(v.needs_info, 0) as needs_info
			from cand left join v on v.assessment_id = cand.id where `+which+`
			order by cand.since, cand.id limit @limit)
		select page.since, page.verdicts, page.needs_info, `+assessmentColumns+assessmentFrom+`
		join page on page.id = a.id order by page.since, a.id`,
		pgx.NamedArgs{"reviewer": reviewer, "scope": scope, "after": after, "afterID": afterID, "limit": limit + 1})
	if err != nil {
		return nil, "", translate(err, "review queue")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (QueueEntry, error) {
		var e QueueEntry
		var err error
		e.Assessment, err = scanAssessment(prefixedRow{r, []any{&e.Since, &e.Verdicts, &e.NeedsInfo}})
		return e, err
	})
	if err != nil {
		return nil, "", translate(err, "review queue")
	}
	list, next := pageOf(list, limit, func(e QueueEntry) []any { return []any{e.Since, e.ID} })
	return list, next, nil
}

// prefixedRow reads the columns a query puts before those of a shared
// scanner into prefix, and hands the rest to the scanner.
type prefixedRow struct {
	pgx.CollectableRow
	prefix []any
}

func (r prefixedRow) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append(append([]any{}, r.prefix...), dest...)...)
}
