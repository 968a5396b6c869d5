package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const findingColumns = `f.id::text, f.assessment_id::text, a.campaign_id::text, f.provider_id::text, p.short_name,
	coalesce(f.control_id, ''), f.title, f.severity, f.description, f.due_at, f.status, f.remediation_plan,
	coalesce(f.created_by::text, ''), f.created_at, f.updated_at, f.version`

const findingFrom = ` from findings f join assessments a on a.id = f.assessment_id join providers p on p.id = f.provider_id `

func scanFinding(row pgx.CollectableRow) (domain.Finding, error) {
	var f domain.Finding
	var due time.Time
	err := row.Scan(&f.ID, &f.AssessmentID, &f.CampaignID, &f.ProviderID, &f.ProviderName, &f.ControlID, &f.Title,
		&f.Severity, &f.Description, &due, &f.Status, &f.RemediationPlan, &f.CreatedBy, &f.CreatedAt, &f.UpdatedAt,
		&f.Version)
	f.DueAt = domain.DateOf(due)
	return f, err
}

// NewFinding is what a supervisor raises.
type NewFinding struct {
	AssessmentID string
	ControlID    string // optional
	Title        string
	Severity     domain.Severity
	Description  string
	DueAt        domain.Date
}

// CreateFinding raises a finding against an assessment, or one of its
// controls. EInvalid lists every problem.
func (db *DB) CreateFinding(ctx context.Context, actor domain.Actor, nf NewFinding) (domain.Finding, error) {
	nf.Title, nf.Description = strings.TrimSpace(nf.Title), strings.TrimSpace(nf.Description)
	var out domain.Finding
	err := db.write(ctx, "create finding", func(t *txn) error {
		var now time.Time
		if err := t.QueryRow(ctx, `select now()`).Scan(&now); err != nil {
			return err
		}
		problems := domain.CheckNewFinding(nf.Title, nf.Severity, nf.Description, nf.DueAt, domain.DateOf(now))
		a, err := getAssessment(ctx, t, actor, nf.AssessmentID, "share")
		if domain.ErrorCodeOf(err) == domain.ENotFound {
			problems = append(problems, domain.Problem{Location: "body.assessment_id", Message: "no such assessment"})
		} else if err != nil {
			return err
		}
		if nf.ControlID != "" && err == nil {
			var ok bool
			if err := t.QueryRow(ctx, `select exists (select 1 from responses where assessment_id = $1 and control_id = $2)`,
				a.ID, nf.ControlID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				problems = append(problems, domain.Problem{Location: "body.control_id",
					Message: fmt.Sprintf("control %q is not part of this assessment", nf.ControlID)})
			}
		}
		if len(problems) > 0 {
			return domain.Invalid("the finding cannot be raised", problems)
		}
		var id string
		if err := t.QueryRow(ctx, `insert into findings (assessment_id, provider_id, control_id, title, severity,
			description, due_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id::text`,
			a.ID, a.ProviderID, nullable(nf.ControlID), nf.Title, nf.Severity, nf.Description, nf.DueAt.Time(),
			nullable(actor.UserID)).Scan(&id); err != nil {
			return err
		}
		if err := db.refreshProviderPriorities(ctx, t, a.ProviderID); err != nil {
			return err
		}
		if out, err = getFinding(ctx, t, actor, id, false); err != nil {
			return err
		}
		if err := t.notify(ctx, findingNotice(domain.NoticeFindingRaised, out, "")); err != nil {
			return err
		}
		return t.record(actor, "finding.create", "finding", id, a.ProviderID, map[string]any{
			"assessment_id": a.ID, "control_id": nf.ControlID, "title": nf.Title, "severity": nf.Severity,
			"due_at": nf.DueAt.String()})
	})
	return out, err
}

func getFinding(ctx context.Context, q querier, actor domain.Actor, id string, lock bool) (domain.Finding, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.Finding{}, err
	}
	if !isUUID(id) {
		return domain.Finding{}, domain.Errorf(domain.ENotFound, "no such finding")
	}
	sql := `select ` + findingColumns + findingFrom + ` where f.id = $1 and ($2 = '*' or f.provider_id = nullif($2, '*')::uuid)`
	if lock {
		sql += ` for update of f`
	}
	rows, err := q.Query(ctx, sql, id, scope)
	if err != nil {
		return domain.Finding{}, err
	}
	f, err := pgx.CollectExactlyOneRow(rows, scanFinding)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, domain.Errorf(domain.ENotFound, "no such finding")
	}
	return f, err
}

// Finding returns one finding the actor may see, with its history.
func (db *DB) Finding(ctx context.Context, actor domain.Actor, id string) (domain.Finding, error) {
	f, err := getFinding(ctx, db.pool, actor, id, false)
	if err != nil {
		return f, translate(err, "get finding")
	}
	rows, err := db.pool.Query(ctx, `select fu.at, coalesce(fu.actor_id::text, ''), coalesce(u.email, ''), fu.note,
		fu.from_status, fu.to_status, coalesce(u.name, '') from finding_updates fu left join users u on u.id = fu.actor_id
		where fu.finding_id = $1 order by fu.id`, id)
	if err != nil {
		return f, translate(err, "get finding")
	}
	f.Updates, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.FindingUpdate])
	return f, translate(err, "get finding")
}

// FindingFilter narrows a list of findings. Every field is optional.
type FindingFilter struct {
	CampaignID   string
	ProviderID   string
	AssessmentID string
	Status       domain.FindingStatus
	Severity     domain.Severity
	Overdue      bool // not resolved or verified after its due date
}

// Findings lists findings, the earliest due first. Provider users see only
// their own provider's.
func (db *DB) Findings(ctx context.Context, actor domain.Actor, f FindingFilter, page Page) ([]domain.Finding, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	var afterDue time.Time
	afterID := ""
	if ok, err := decodeCursor(page.Cursor, &afterDue, &afterID); err != nil {
		return nil, "", err
	} else if !ok {
		afterDue = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if afterID, err = cursorID(page.Cursor, afterID, lowestID); err != nil {
		return nil, "", err
	}
	var problems []domain.Problem
	for _, c := range []struct{ v, loc string }{{f.CampaignID, "query.campaign"}, {f.ProviderID, "query.provider"},
		{f.AssessmentID, "query.assessment"}} {
		if c.v != "" && !isUUID(c.v) {
			problems = append(problems, domain.Problem{Location: c.loc, Message: "must be an id"})
		}
	}
	if len(problems) > 0 {
		return nil, "", domain.Invalid("bad finding filter", problems)
	}
	limit := page.limit()
	var c conditions
	if page.Cursor != "" {
		c.add("(f.due_at, f.id) > ($?::date, $?::uuid)", afterDue, afterID)
	}
	if scope != allProviders {
		c.add("f.provider_id = $?::uuid", scope)
	}
	if f.CampaignID != "" {
		c.add("a.campaign_id = $?::uuid", f.CampaignID)
	}
	if f.ProviderID != "" {
		c.add("f.provider_id = $?::uuid", f.ProviderID)
	}
	if f.AssessmentID != "" {
		c.add("f.assessment_id = $?::uuid", f.AssessmentID)
	}
	if f.Status != "" {
		c.add("f.status = $?", string(f.Status))
	}
	if f.Severity != "" {
		c.add("f.severity = $?", string(f.Severity))
	}
	if f.Overdue {
		c.add("f.status in ('open', 'in_progress') and f.due_at < current_date")
	}
	rows, err := db.pool.Query(ctx, `select `+findingColumns+findingFrom+` where `+c.where()+`
		order by f.due_at, f.id limit `+pageLimit(limit), c.args...)
	if err != nil {
		return nil, "", translate(err, "list findings")
	}
	list, err := pgx.CollectRows(rows, scanFinding)
	if err != nil {
		return nil, "", translate(err, "list findings")
	}
	list, next := pageOf(list, limit, func(f domain.Finding) []any { return []any{f.DueAt.Time(), f.ID} })
	return list, next, nil
}

// FindingResponse is a provider's answer to a finding: a remediation plan,
// a progress note, and optionally a move to in_progress or resolved.
type FindingResponse struct {
	RemediationPlan *string
	Note            string
	Action          string // "", domain.FindingStart or domain.FindingResolve
}

// RespondToFinding records a provider's plan, progress or resolution.
func (db *DB) RespondToFinding(ctx context.Context, actor domain.Actor, id string, r FindingResponse) (domain.Finding, error) {
	r.Note = strings.TrimSpace(r.Note)
	var problems []domain.Problem
	if r.Action != "" && r.Action != domain.FindingStart && r.Action != domain.FindingResolve {
		problems = append(problems, domain.Problem{Location: "body.action", Message: "must be start or resolve"})
	}
	if r.RemediationPlan == nil && r.Note == "" && r.Action == "" {
		problems = append(problems, domain.Problem{Location: "body", Message: "give a remediation plan, a note or an action"})
	}
	if len(r.Note) > 20000 || (r.RemediationPlan != nil && len(*r.RemediationPlan) > 20000) {
		problems = append(problems, domain.Problem{Location: "body", Message: "plan and note are at most 20000 characters"})
	}
	if len(problems) > 0 {
		return domain.Finding{}, domain.Invalid("the answer cannot be recorded", problems)
	}
	return db.changeFinding(ctx, actor, id, r.Action, r.Note, func(ctx context.Context, t *txn, f domain.Finding) (map[string]any, error) {
		summary := map[string]any{}
		if r.RemediationPlan != nil {
			plan := strings.TrimSpace(*r.RemediationPlan)
			if _, err := t.Exec(ctx, `update findings set remediation_plan = $2 where id = $1`, id, plan); err != nil {
				return nil, err
			}
			summary["remediation_plan"] = plan
		}
		if f.Status.Closed() && r.Action == "" {
			return nil, domain.Errorf(domain.EConflict, "the finding is %s; a supervisor must reopen it first", f.Status)
		}
		return summary, nil
	})
}

// VerifyFinding confirms a resolved finding (a supervisor's act).
func (db *DB) VerifyFinding(ctx context.Context, actor domain.Actor, id, note string) (domain.Finding, error) {
	return db.changeFinding(ctx, actor, id, domain.FindingVerify, strings.TrimSpace(note), nil)
}

// ReopenFinding sends a resolved or verified finding back to open, with the reason.
func (db *DB) ReopenFinding(ctx context.Context, actor domain.Actor, id, reason string) (domain.Finding, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return domain.Finding{}, domain.Invalid("a reason is required", []domain.Problem{{Location: "body.reason", Message: "say why"}})
	}
	return db.changeFinding(ctx, actor, id, domain.FindingReopen, reason, nil)
}

// changeFinding applies an action (or none) and a note to a finding, records
// the step in its history and audits it.
func (db *DB) changeFinding(ctx context.Context, actor domain.Actor, id, action, note string,
	extra func(context.Context, *txn, domain.Finding) (map[string]any, error)) (domain.Finding, error) {
	var out domain.Finding
	err := db.write(ctx, "change finding", func(t *txn) error {
		f, err := getFinding(ctx, t, actor, id, true)
		if err != nil {
			return err
		}
		to := f.Status
		if action != "" {
			if to, err = domain.FindingTransition(f.Status, action); err != nil {
				return err
			}
		}
		summary := map[string]any{}
		if extra != nil {
			if summary, err = extra(ctx, t, f); err != nil {
				return err
			}
		}
		if _, err := t.Exec(ctx, `update findings set status = $2, updated_at = now(), version = version + 1
			where id = $1`, id, to); err != nil {
			return err
		}
		if err := db.refreshProviderPriorities(ctx, t, f.ProviderID); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `insert into finding_updates (finding_id, actor_id, note, from_status, to_status)
			values ($1, $2, $3, $4, $5)`, id, nullable(actor.UserID), note, f.Status, to); err != nil {
			return err
		}
		if out, err = getFinding(ctx, t, actor, id, false); err != nil {
			return err
		}
		summary["from"], summary["to"] = f.Status, to
		if note != "" {
			summary["note"] = note
		}
		name := "finding.update"
		if action != "" {
			name = "finding." + action
		}
		return t.record(actor, name, "finding", id, f.ProviderID, summary)
	})
	return out, err
}
