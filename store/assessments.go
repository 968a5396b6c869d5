package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const assessmentColumns = `a.id::text, a.campaign_id::text, c.name, a.provider_id::text, p.short_name, a.status,
	c.due_at, a.submissions,
	coalesce(k.asked, 0), coalesce(k.answered, 0),
	a.created_at, a.updated_at, a.submitted_at, a.decided_at,
	coalesce((select u.email from users u where u.id = a.decided_by), ''),
	coalesce((select s.late from submissions s where s.assessment_id = a.id and s.version = 1), false), a.version,
	c.status,
	case when a.status = 'changes_requested' then coalesce((select t.reason from assessment_transitions t
		where t.assessment_id = a.id and t.to_status = 'changes_requested' order by t.id desc limit 1), '') else '' end`

// The progress counts are kept with the current scores (store/scores.go).
const assessmentFrom = ` from assessments a join campaigns c on c.id = a.campaign_id join providers p on p.id = a.provider_id
	left join assessment_risk k on k.assessment_id = a.id and k.basis = 'current' `

func scanAssessment(row pgx.CollectableRow) (domain.Assessment, error) {
	return scanAssessmentWith(row)
}

// scanAssessmentWith scans an assessment row followed by more columns.
func scanAssessmentWith(row pgx.CollectableRow, more ...any) (domain.Assessment, error) {
	var a domain.Assessment
	var due time.Time
	dest := append([]any{&a.ID, &a.CampaignID, &a.CampaignName, &a.ProviderID, &a.ProviderName, &a.Status, &due,
		&a.Submissions, &a.Applicable, &a.Answered, &a.CreatedAt, &a.UpdatedAt, &a.SubmittedAt, &a.DecidedAt,
		&a.DecidedBy, &a.FiledLate, &a.Version, &a.CampaignStatus, &a.ChangesReason}, more...)
	err := row.Scan(dest...)
	a.DueAt = domain.DateOf(due)
	return a, err
}

// AssessmentFilter narrows a list of assessments. Every field is optional.
type AssessmentFilter struct {
	CampaignID string
	ProviderID string
	Status     domain.AssessmentStatus
	Overdue    bool // still unfiled after the campaign's due date
}

// Assessments lists assessments by provider name. Provider users see only
// their own provider's.
func (db *DB) Assessments(ctx context.Context, actor domain.Actor, f AssessmentFilter, page Page) ([]domain.Assessment, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	afterName, afterID := "", ""
	if _, err := decodeCursor(page.Cursor, &afterName, &afterID); err != nil {
		return nil, "", err
	}
	if afterID, err = cursorID(page.Cursor, afterID, lowestID); err != nil {
		return nil, "", err
	}
	var problems []domain.Problem
	if f.CampaignID != "" && !isUUID(f.CampaignID) {
		problems = append(problems, domain.Problem{Location: "query.campaign", Message: "must be a campaign id"})
	}
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		problems = append(problems, domain.Problem{Location: "query.provider", Message: "must be a provider id"})
	}
	if len(problems) > 0 {
		return nil, "", domain.Invalid("bad assessment filter", problems)
	}
	limit := page.limit()
	var c conditions
	if page.Cursor != "" {
		c.add("(lower(p.short_name), a.id) > (lower($?), $?::uuid)", afterName, afterID)
	}
	if scope != allProviders {
		c.add("a.provider_id = $?::uuid", scope)
	}
	if f.CampaignID != "" {
		c.add("a.campaign_id = $?::uuid", f.CampaignID)
	}
	if f.ProviderID != "" {
		c.add("a.provider_id = $?::uuid", f.ProviderID)
	}
	if f.Status != "" {
		c.add("a.status = $?", string(f.Status))
	}
	if f.Overdue {
		c.add("a.status in ('draft', 'changes_requested') and c.due_at < current_date")
	}
	rows, err := db.pool.Query(ctx, `select `+assessmentColumns+assessmentFrom+` where `+c.where()+`
		order by lower(p.short_name), a.id limit `+pageLimit(limit), c.args...)
	if err != nil {
		return nil, "", translate(err, "list assessments")
	}
	list, err := pgx.CollectRows(rows, scanAssessment)
	if err != nil {
		return nil, "", translate(err, "list assessments")
	}
	list, next := pageOf(list, limit, func(a domain.Assessment) []any { return []any{a.ProviderName, a.ID} })
	return list, next, nil
}

// Assessment returns one assessment the actor may see.
func (db *DB) Assessment(ctx context.Context, actor domain.Actor, id string) (domain.Assessment, error) {
	a, err := getAssessment(ctx, db.pool, actor, id, "")
	return a, translate(err, "get assessment")
}

// getAssessment reads an assessment within the actor's scope, optionally
// locking its row ("update" or "share").
func getAssessment(ctx context.Context, q querier, actor domain.Actor, id, lock string) (domain.Assessment, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.Assessment{}, err
	}
	if !isUUID(id) {
		return domain.Assessment{}, domain.Errorf(domain.ENotFound, "no such assessment")
	}
	sql := `select ` + assessmentColumns + assessmentFrom + ` where a.id = $1 and ($2 = '*' or a.provider_id = nullif($2, '*')::uuid)`
	if lock != "" {
		sql += ` for ` + lock + ` of a`
	}
	rows, err := q.Query(ctx, sql, id, scope)
	if err != nil {
		return domain.Assessment{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAssessment)
	if err == pgx.ErrNoRows {
		return a, domain.Errorf(domain.ENotFound, "no such assessment")
	}
	return a, err
}

// campaignState returns the state and dates of an assessment's campaign,
// holding it so that it cannot close while the caller writes.
func campaignState(ctx context.Context, q querier, assessmentID string) (domain.CampaignStatus, domain.Date, domain.Date, error) {
	rows, err := q.Query(ctx, `select c.status, c.opens_at, c.due_at from campaigns c
		join assessments a on a.campaign_id = c.id where a.id = $1 for share of c`, assessmentID)
	if err != nil {
		return "", domain.Date{}, domain.Date{}, err
	}
	var status domain.CampaignStatus
	var opens, due time.Time
	_, err = pgx.ForEachRow(rows, []any{&status, &opens, &due}, func() error { return nil })
	return status, domain.DateOf(opens), domain.DateOf(due), err
}

// editable checks that the provider may still change the assessment's
// responses and evidence.
func editable(ctx context.Context, t *txn, a domain.Assessment) error {
	status, _, _, err := campaignState(ctx, t, a.ID)
	if err != nil {
		return err
	}
	return editableIn(a.Status, status)
}

// editableIn checks that an assessment in status, in a campaign in
// campaign, may still change.
func editableIn(status domain.AssessmentStatus, campaign domain.CampaignStatus) error {
	if _, err := domain.Transition(status, domain.ActionEdit); err != nil {
		return err
	}
	if campaign != domain.CampaignOpen {
		return domain.Errorf(domain.EConflict, "the campaign is %s; nothing more can be filed in it", campaign)
	}
	return nil
}

// transition moves an assessment to a new state and records who did it,
// when and why, in the same transaction.
func transition(ctx context.Context, t *txn, actor domain.Actor, a domain.Assessment, action, reason string, extra map[string]any) (domain.AssessmentStatus, error) {
	to, err := domain.Transition(a.Status, action)
	if err != nil {
		return "", err
	}
	decided := to.Final()
	_, err = t.Exec(ctx, `update assessments set status = $2, updated_at = now(), version = version + 1,
		decided_at = case when $3 then now() else decided_at end,
		decided_by = case when $3 then $4::uuid else decided_by end where id = $1`,
		a.ID, to, decided, nullable(actor.UserID))
	if err != nil {
		return "", err
	}
	if _, err := t.Exec(ctx, `insert into assessment_transitions (assessment_id, from_status, to_status, actor_id, reason)
		values ($1, $2, $3, $4, $5)`, a.ID, a.Status, to, nullable(actor.UserID), reason); err != nil {
		return "", err
	}
	summary := map[string]any{"from": a.Status, "to": to}
	if reason != "" {
		summary["reason"] = reason
	}
	for k, v := range extra {
		summary[k] = v
	}
	if kind, ok := decisionNotices[action]; ok {
		if err := t.notify(ctx, assessmentNotice(kind, a, "")); err != nil {
			return "", err
		}
	}
	return to, t.record(actor, "assessment."+action, "assessment", a.ID, a.ProviderID, summary)
}

// Transition is one recorded change of an assessment's state.
type Transition struct {
	From, To   domain.AssessmentStatus
	ActorID    string
	ActorName  string // "" for the system
	ActorEmail string
	At         time.Time
	Reason     string
}

// Transitions returns an assessment's history of states, oldest first.
func (db *DB) Transitions(ctx context.Context, actor domain.Actor, id string) ([]Transition, error) {
	if _, err := db.Assessment(ctx, actor, id); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `select t.from_status, t.to_status, coalesce(t.actor_id::text, ''),
		coalesce(u.name, ''), coalesce(u.email, ''), t.at, t.reason
		from assessment_transitions t left join users u on u.id = t.actor_id
		where t.assessment_id = $1 order by t.id`, id)
	if err != nil {
		return nil, translate(err, "list transitions")
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Transition])
	return list, translate(err, "list transitions")
}

// The transitions below take ifVersion: when not zero it must be the
// assessment's version, checked under its row lock (EPrecondition otherwise).

// StartReview takes a submitted assessment into review.
func (db *DB) StartReview(ctx context.Context, actor domain.Actor, id string, ifVersion int) (domain.Assessment, error) {
	return db.simpleTransition(ctx, actor, id, domain.ActionStartReview, "", false, ifVersion)
}

// RequestChanges returns an assessment under review to the provider, with
// the reasons.
func (db *DB) RequestChanges(ctx context.Context, actor domain.Actor, id, reason string, ifVersion int) (domain.Assessment, error) {
	return db.simpleTransition(ctx, actor, id, domain.ActionRequestChanges, reason, true, ifVersion)
}

// Reject ends an assessment under review as rejected, with the reasons.
func (db *DB) Reject(ctx context.Context, actor domain.Actor, id, reason string, ifVersion int) (domain.Assessment, error) {
	return db.simpleTransition(ctx, actor, id, domain.ActionReject, reason, true, ifVersion)
}

// lockForTransition locks an assessment and checks the caller's version.
func lockForTransition(ctx context.Context, t *txn, actor domain.Actor, id string, ifVersion int) (domain.Assessment, error) {
	a, err := getAssessment(ctx, t, actor, id, "update")
	if err == nil && ifVersion != 0 && ifVersion != a.Version {
		err = domain.Errorf(domain.EPrecondition, "the assessment has changed since version %d (now %d); reload and retry",
			ifVersion, a.Version)
	}
	return a, err
}

func (db *DB) simpleTransition(ctx context.Context, actor domain.Actor, id, action, reason string, needReason bool,
	ifVersion int) (domain.Assessment, error) {
	reason = strings.TrimSpace(reason)
	var out domain.Assessment
	err := db.write(ctx, action+" assessment", func(t *txn) error {
		a, err := lockForTransition(ctx, t, actor, id, ifVersion)
		if err != nil {
			return err
		}
		if _, err := domain.Transition(a.Status, action); err != nil {
			return err
		}
		if needReason && (reason == "" || len(reason) > 20000) {
			return domain.Invalid("a reason is required", []domain.Problem{{Location: "body.reason",
				Message: "say why (at most 20000 characters)"}})
		}
		if _, err := transition(ctx, t, actor, a, action, reason, nil); err != nil {
			return err
		}
		if err := db.refreshScores(ctx, t, id); err != nil {
			return err
		}
		out, err = getAssessment(ctx, t, actor, id, "")
		return err
	})
	return out, err
}

// Approve ends an assessment under review as approved. Every response must
// carry a verdict and none may still need information. Under the four-eyes
// rule (on by default), a supervisor who recorded any of its verdicts cannot
// approve it (EForbidden).
func (db *DB) Approve(ctx context.Context, actor domain.Actor, id, comment string, ifVersion int) (domain.Assessment, error) {
	settings, _, err := db.Settings(ctx)
	if err != nil {
		return domain.Assessment{}, err
	}
	var out domain.Assessment
	err = db.write(ctx, "approve assessment", func(t *txn) error {
		a, err := lockForTransition(ctx, t, actor, id, ifVersion)
		if err != nil {
			return err
		}
		if _, err := domain.Transition(a.Status, domain.ActionApprove); err != nil {
			return err
		}
		var unreviewed, needInfo []string
		var reviewedBySelf bool
		err = t.QueryRow(ctx, `select
			coalesce(array_agg(control_id order by ordinal) filter (where verdict is null), '{}'),
			coalesce(array_agg(control_id order by ordinal) filter (where verdict = 'needs_info'), '{}'),
			coalesce(bool_or(verdict_by = $2::uuid), false)
			from responses where assessment_id = $1`, id, nullable(actor.UserID)).Scan(&unreviewed, &needInfo, &reviewedBySelf)
		if err != nil {
			return err
		}
		if len(unreviewed) > 0 || len(needInfo) > 0 {
			var problems []domain.Problem
			for _, c := range unreviewed {
				problems = append(problems, domain.Problem{Location: "responses." + c, Message: "has no verdict"})
			}
			for _, c := range needInfo {
				problems = append(problems, domain.Problem{Location: "responses." + c, Message: "still needs information"})
			}
			return &domain.Error{Code: domain.EConflict, Problems: problems, Allowed: []string{domain.ActionVerdict,
				domain.ActionRequestChanges, domain.ActionReject},
				Message: "every response needs a verdict, and none may still need information, before approval"}
		}
		if domain.FourEyesBars(settings, reviewedBySelf) {
			return domain.Errorf(domain.EForbidden,
				"four-eyes rule: you recorded verdicts on this assessment, so another supervisor must approve it")
		}
		if _, err := transition(ctx, t, actor, a, domain.ActionApprove, strings.TrimSpace(comment), nil); err != nil {
			return err
		}
		if err := db.refreshScores(ctx, t, id); err != nil {
			return err
		}
		out, err = getAssessment(ctx, t, actor, id, "")
		return err
	})
	return out, err
}

// VerdictsRecordedBy reports which of the assessments the user recorded any
// verdict on.
func (db *DB) VerdictsRecordedBy(ctx context.Context, userID string, assessmentIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if !isUUID(userID) {
		return out, nil
	}
	var ids []string
	for _, id := range assessmentIDs {
		if isUUID(id) {
			ids = append(ids, id)
		}
	}
	rows, err := db.pool.Query(ctx, `select distinct assessment_id::text from responses
		where verdict_by = $1 and assessment_id = any($2::uuid[])`, userID, ids)
	if err != nil {
		return nil, translate(err, "read verdicts")
	}
	recorded, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, translate(err, "read verdicts")
	}
	for _, id := range recorded {
		out[id] = true
	}
	return out, nil
}
