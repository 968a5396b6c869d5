package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const responseColumns = `r.assessment_id::text, r.control_id, coalesce(r.status, ''), r.maturity::int, r.narrative,
	r.remediation_date, r.justification,
	array(select e.evidence_id::text from response_evidence e
		where e.assessment_id = r.assessment_id and e.control_id = r.control_id order by e.evidence_id),
	coalesce(r.verdict, ''), r.verdict_comment, coalesce(r.verdict_by::text, ''), r.verdict_at,
	r.updated_at, coalesce(r.updated_by::text, ''), r.version, r.ordinal,
	coalesce((select u.name from users u where u.id = r.verdict_by), ''), r.derived, coalesce(r.assurance, '')`

type responseRow struct {
	domain.Response
	ordinal int
}

func scanResponse(row pgx.CollectableRow) (responseRow, error) {
	var r responseRow
	var remediation *time.Time
	err := row.Scan(&r.AssessmentID, &r.ControlID, &r.Status, &r.Maturity, &r.Narrative, &remediation,
		&r.Justification, &r.EvidenceIDs, &r.Verdict, &r.VerdictComment, &r.VerdictBy, &r.VerdictAt,
		&r.UpdatedAt, &r.UpdatedBy, &r.Version, &r.ordinal, &r.VerdictByName, &r.Derived, &r.Grade)
	if remediation != nil {
		d := domain.DateOf(*remediation)
		r.RemediationDate = &d
	}
	return r, err
}

// ResponseFilter narrows the responses of an assessment.
type ResponseFilter struct {
	Status   domain.ResponseStatus
	Verdict  domain.Verdict
	Answered *bool
}

// Responses lists an assessment's responses in catalog order.
func (db *DB) Responses(ctx context.Context, actor domain.Actor, assessmentID string, f ResponseFilter, page Page) ([]domain.Response, string, error) {
	if _, err := db.Assessment(ctx, actor, assessmentID); err != nil {
		return nil, "", err
	}
	after := -1
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+responseColumns+` from responses r
		where r.assessment_id = $1 and r.ordinal > $2::bigint
		and ($3 = '' or r.status = $3) and ($4 = '' or r.verdict = $4)
		and ($5::boolean is null or (r.status is not null) = $5)
		order by r.ordinal limit $6`, assessmentID, after, f.Status, f.Verdict, f.Answered, limit+1)
	if err != nil {
		return nil, "", translate(err, "list responses")
	}
	list, err := pgx.CollectRows(rows, scanResponse)
	if err != nil {
		return nil, "", translate(err, "list responses")
	}
	list, next := pageOf(list, limit, func(r responseRow) []any { return []any{r.ordinal} })
	out := make([]domain.Response, len(list))
	for i, r := range list {
		out[i] = r.Response
	}
	return out, next, nil
}

// Response returns one response of an assessment the actor may see.
func (db *DB) Response(ctx context.Context, actor domain.Actor, assessmentID, controlID string) (domain.Response, error) {
	if _, err := db.Assessment(ctx, actor, assessmentID); err != nil {
		return domain.Response{}, err
	}
	r, err := getResponse(ctx, db.pool, assessmentID, controlID, false)
	return r, translate(err, "get response")
}

func getResponse(ctx context.Context, q querier, assessmentID, controlID string, lock bool) (domain.Response, error) {
	sql := `select ` + responseColumns + ` from responses r where r.assessment_id = $1 and r.control_id = $2`
	if lock {
		sql += ` for update`
	}
	rows, err := q.Query(ctx, sql, assessmentID, controlID)
	if err != nil {
		return domain.Response{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanResponse)
	if err == pgx.ErrNoRows {
		return domain.Response{}, domain.Errorf(domain.ENotFound, "control %s is not part of this assessment", controlID)
	}
	return r.Response, err
}

// ResponseUpdate is one control's new answer in a bulk save, with the
// version the caller last read.
type ResponseUpdate struct {
	ControlID string
	Version   int
	Input     domain.ResponseInput
	Derived   *domain.Derivation // a mapping's derivation; nil for the provider's own answer, which confirms a derived one
}

// SaveResponse saves the provider's answer for one control. ifVersion is the
// version the caller last read: 0 is EPreconditionRequired, a stale one
// EPrecondition. The assessment must be editable (EConflict otherwise).
func (db *DB) SaveResponse(ctx context.Context, actor domain.Actor, assessmentID, controlID string, in domain.ResponseInput, ifVersion int) (domain.Response, error) {
	if ifVersion == 0 {
		return domain.Response{}, domain.Errorf(domain.EPreconditionRequired,
			"send If-Match with the response's ETag, so a concurrent change is not overwritten")
	}
	out, err := db.SaveResponses(ctx, actor, assessmentID, []ResponseUpdate{{ControlID: controlID, Version: ifVersion, Input: in}}, "body")
	if err != nil {
		return domain.Response{}, err
	}
	return out[0], nil
}

// SaveResponses saves many answers in one transaction: all of them or none.
// Every problem of every update is reported at once, located under prefix
// ("body" for a single answer, else e.g. "body.responses", giving
// "body.responses[3] (C52).status"); stale versions make it EPrecondition.
func (db *DB) SaveResponses(ctx context.Context, actor domain.Actor, assessmentID string, updates []ResponseUpdate, prefix string) ([]domain.Response, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, err
	}
	if !isUUID(assessmentID) {
		return nil, domain.Errorf(domain.ENotFound, "no such assessment")
	}
	ids := make([]string, len(updates))
	var given []string // evidence the updates name
	for i, u := range updates {
		ids[i] = u.ControlID
		given = append(given, u.Input.EvidenceIDs...)
	}
	var out []domain.Response
	err = db.write(ctx, "save responses", func(t *txn) error {
		// One round trip reads what the save needs: the assessment, locked
		// first (writers of one assessment go one at a time, as each
		// recomputes its scores), then the answers changed, locked in one
		// order whatever order the caller gave, the evidence named, and
		// the scores' inputs and stored rows.
		b := &pgx.Batch{}
		var providerID string
		var status domain.AssessmentStatus
		var campaign domain.CampaignStatus
		found := false
		b.Queue(`select a.provider_id::text, a.status, c.status from assessments a join campaigns c on c.id = a.campaign_id
			where a.id = $1 and ($2 = '*' or a.provider_id = nullif($2, '*')::uuid) for update of a for share of c`,
			assessmentID, scope).Query(func(rows pgx.Rows) error {
			_, err := pgx.ForEachRow(rows, []any{&providerID, &status, &campaign}, func() error {
				found = true
				return nil
			})
			return err
		})
		byControl := map[string]domain.Response{}
		b.Queue(`select `+responseColumns+` from responses r join assessments a on a.id = r.assessment_id
			where r.assessment_id = $1 and r.control_id = any($2) and ($3 = '*' or a.provider_id = nullif($3, '*')::uuid)
			order by r.control_id for update of r`, assessmentID, ids, scope).Query(func(rows pgx.Rows) error {
			current, err := pgx.CollectRows(rows, scanResponse)
			for _, r := range current {
				byControl[r.ControlID] = r.Response
			}
			return err
		})
		var evidence []string
		if len(given) > 0 {
			b.Queue(`select id::text from evidence where assessment_id = $1 and id = any($2::uuid[])`,
				assessmentID, validUUIDs(given)).Query(func(rows pgx.Rows) error {
				var err error
				evidence, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			})
		}
		inputs := queueScoreInputs(b, []string{assessmentID})
		stored := queueStoredScores(b, []string{assessmentID})
		if err := t.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if !found {
			return domain.Errorf(domain.ENotFound, "no such assessment")
		}
		if err := editableIn(status, campaign); err != nil {
			return err
		}

		var problems, stale []domain.Problem
		dates := make([]*domain.Date, len(updates))
		seen := map[string]bool{}
		for i, u := range updates {
			loc := prefix
			if len(updates) > 1 || prefix != "body" {
				loc = fmt.Sprintf("%s[%d] (%s)", prefix, i, u.ControlID)
			}
			cur, ok := byControl[u.ControlID]
			switch {
			case !ok && len(updates) == 1 && prefix == "body":
				return domain.Errorf(domain.ENotFound, "control %s is not part of this assessment", u.ControlID)
			case !ok:
				problems = append(problems, domain.Problem{Location: loc + ".control_id",
					Message: fmt.Sprintf("control %q is not part of this assessment", u.ControlID)})
				continue
			case seen[u.ControlID]:
				problems = append(problems, domain.Problem{Location: loc + ".control_id",
					Message: fmt.Sprintf("control %s is given twice", u.ControlID)})
				continue
			}
			seen[u.ControlID] = true
			var ps []domain.Problem
			dates[i], ps = u.Input.Check(loc)
			problems = append(problems, ps...)
			for j, e := range u.Input.EvidenceIDs {
				if !slices.Contains(evidence, e) {
					problems = append(problems, domain.Problem{Location: fmt.Sprintf("%s.evidence_ids[%d]", loc, j),
						Message: "no evidence with this id was uploaded to this assessment"})
				}
			}
			if u.Version != cur.Version {
				stale = append(stale, domain.Problem{Location: loc,
					Message: fmt.Sprintf("%s has changed since version %d (now %d); reload it", u.ControlID, u.Version, cur.Version)})
			}
		}
		if len(problems) > 0 {
			return domain.Invalid(fmt.Sprintf("%d problem(s); nothing was saved", len(problems)), append(problems, stale...))
		}
		if len(stale) > 0 {
			return &domain.Error{Code: domain.EPrecondition, Problems: stale,
				Message: "someone changed these responses since you read them; nothing was saved"}
		}

		// The writes go with the audit head's lock in one round trip.
		in := inputs.list[0]
		for i, u := range updates {
			before := byControl[u.ControlID]
			answer := u.Input
			var remediation any
			if dates[i] != nil {
				remediation = dates[i].Time()
			}
			evidenceIDs := slices.Clone(answer.EvidenceIDs)
			slices.Sort(evidenceIDs)
			evidenceIDs = slices.Compact(evidenceIDs)
			after := before
			after.Status, after.Maturity, after.Narrative = answer.Status, answer.Maturity, answer.Narrative
			after.RemediationDate, after.Justification, after.EvidenceIDs = dates[i], answer.Justification, evidenceIDs
			after.Derived = u.Derived
			changes := diff(responseSummary(before), responseSummary(after))
			if len(changes) == 0 {
				continue
			}
			// A changed answer needs a fresh verdict.
			t.atEnd(`update responses set status = $3, maturity = $4, narrative = $5,
				remediation_date = $6, justification = $7, updated_at = now(), updated_by = $8, version = version + 1,
				verdict = null, verdict_comment = '', verdict_by = null, verdict_at = null, assurance = null, derived = $9
				where assessment_id = $1 and control_id = $2`,
				assessmentID, u.ControlID, answer.Status, answer.Maturity, answer.Narrative, remediation, answer.Justification,
				nullable(actor.UserID), u.Derived)
			in.current[u.ControlID] = domain.Answer{Status: answer.Status, Maturity: answer.Maturity, Evidenced: len(evidenceIDs) > 0}
			if len(before.EvidenceIDs) > 0 {
				t.atEnd(`delete from response_evidence where assessment_id = $1 and control_id = $2`, assessmentID, u.ControlID)
			}
			if len(evidenceIDs) > 0 {
				t.atEnd(`insert into response_evidence (assessment_id, control_id, evidence_id)
					select $1, $2, unnest($3::uuid[])`, assessmentID, u.ControlID, evidenceIDs)
			}
			if err := t.record(actor, "response.update", "response", assessmentID+"/"+u.ControlID, providerID,
				map[string]any{"control_id": u.ControlID, "changes": changes}); err != nil {
				return err
			}
		}
		// A draft answer moves only the current residual and compliance
		// scores (and the filed ones of a filing being revised, whose
		// verdicts stand on unchanged answers); the priority ranking reads
		// the filing's scores or the inherent ones, which no answer changes,
		// so it is left as it is.
		in.fileAnswers()
		all, err := db.scoresOf(ctx, t, inputs.list)
		if err != nil {
			return fmt.Errorf("compute scores: %w", err)
		}
		if err := queueScoreChanges(t.lastBatch(), stored, all); err != nil {
			return err
		}
		t.atEnd(`select `+responseColumns+` from responses r
			where r.assessment_id = $1 and r.control_id = any($2) order by r.ordinal`, assessmentID, ids).
			Query(func(rows pgx.Rows) error {
				list, err := pgx.CollectRows(rows, scanResponse)
				out = make([]domain.Response, len(list))
				for i, r := range list {
					out[i] = r.Response
				}
				return err
			})
		return nil
	})
	return out, err
}

// validUUIDs keeps the strings that are uuids, so a query given them cannot
// fail on one that is not: those match nothing, as they would anyway.
func validUUIDs(list []string) []string {
	var out []string
	for _, s := range list {
		if isUUID(s) {
			out = append(out, s)
		}
	}
	return out
}

func responseSummary(r domain.Response) map[string]any {
	m := map[string]any{"status": r.Status, "maturity": r.Maturity, "narrative": r.Narrative,
		"justification": r.Justification, "evidence_ids": orEmpty(r.EvidenceIDs), "remediation_date": "",
		"derived": r.Derived != nil}
	if r.RemediationDate != nil {
		m["remediation_date"] = r.RemediationDate.String()
	}
	return m
}

// VerdictInput is a supervisor's verdict on one control. Version, when not
// zero, must be the response's version (EPrecondition otherwise).
type VerdictInput struct {
	ControlID string
	Verdict   domain.Verdict
	Comment   string
	Version   int
	Grade     domain.Grade // with an accepted verdict, the assurance grade; "" leaves it to the evidence
}

// SetVerdicts records verdicts on responses of an assessment under review,
// all or none. needs_info and rejected need a comment.
func (db *DB) SetVerdicts(ctx context.Context, actor domain.Actor, assessmentID string, verdicts []VerdictInput, prefix string) ([]domain.Response, error) {
	var out []domain.Response
	err := db.write(ctx, "record verdicts", func(t *txn) error {
		a, err := getAssessment(ctx, t, actor, assessmentID, "update")
		if err != nil {
			return err
		}
		if _, err := domain.Transition(a.Status, domain.ActionVerdict); err != nil {
			return err
		}
		ids := make([]string, len(verdicts))
		for i, v := range verdicts {
			ids[i] = v.ControlID
		}
		rows, err := t.Query(ctx, `select control_id, version from responses where assessment_id = $1 and control_id = any($2)
			order by control_id for update`, assessmentID, ids)
		if err != nil {
			return err
		}
		versions := map[string]int{}
		var present []string
		var cid string
		var version int
		if _, err := pgx.ForEachRow(rows, []any{&cid, &version}, func() error {
			present, versions[cid] = append(present, cid), version
			return nil
		}); err != nil {
			return err
		}
		var problems []domain.Problem
		seen := map[string]bool{}
		for i, v := range verdicts {
			loc := prefix
			if len(verdicts) > 1 || prefix != "body" {
				loc = fmt.Sprintf("%s[%d] (%s)", prefix, i, v.ControlID)
			}
			switch {
			case !slices.Contains(present, v.ControlID):
				problems = append(problems, domain.Problem{Location: loc + ".control_id",
					Message: fmt.Sprintf("control %q is not part of this assessment", v.ControlID)})
			case seen[v.ControlID]:
				problems = append(problems, domain.Problem{Location: loc + ".control_id", Message: "given twice"})
			case !v.Verdict.Valid():
				problems = append(problems, domain.Problem{Location: loc + ".verdict", Message: "must be accepted, needs_info or rejected"})
			case v.Verdict != domain.Accepted && strings.TrimSpace(v.Comment) == "":
				problems = append(problems, domain.Problem{Location: loc + ".comment", Message: fmt.Sprintf("%s needs a comment", v.Verdict)})
			case len(v.Comment) > 20000:
				problems = append(problems, domain.Problem{Location: loc + ".comment", Message: "at most 20000 characters"})
			case v.Grade != "" && !v.Grade.Valid():
				problems = append(problems, domain.Problem{Location: loc + ".grade",
					Message: "must be self_attested, documented, tested or verified"})
			case v.Grade != "" && v.Verdict != domain.Accepted:
				problems = append(problems, domain.Problem{Location: loc + ".grade", Message: "only an accepted answer is graded"})
			}
			seen[v.ControlID] = true
		}
		if len(problems) > 0 {
			return domain.Invalid(fmt.Sprintf("%d problem(s); no verdict was recorded", len(problems)), problems)
		}
		for _, v := range verdicts {
			if v.Version != 0 && v.Version != versions[v.ControlID] {
				return domain.Errorf(domain.EPrecondition, "%s has changed since version %d (now %d); reload it",
					v.ControlID, v.Version, versions[v.ControlID])
			}
		}
		for _, v := range verdicts {
			if _, err := t.Exec(ctx, `update responses set verdict = $3, verdict_comment = $4, verdict_by = $5,
				verdict_at = now(), assurance = nullif($6, ''), version = version + 1 where assessment_id = $1 and control_id = $2`,
				assessmentID, v.ControlID, v.Verdict, strings.TrimSpace(v.Comment), nullable(actor.UserID), string(v.Grade)); err != nil {
				return err
			}
			summary := map[string]any{"control_id": v.ControlID, "verdict": v.Verdict, "comment": strings.TrimSpace(v.Comment)}
			if v.Grade != "" {
				summary["grade"] = v.Grade
			}
			if err := t.record(actor, "response.verdict", "response", assessmentID+"/"+v.ControlID, a.ProviderID, summary); err != nil {
				return err
			}
		}
		if err := db.refreshScores(ctx, t, assessmentID); err != nil {
			return err
		}
		if err := awaitingApproval(ctx, t, a); err != nil {
			return err
		}
		out, err = responsesOf(ctx, t, assessmentID, ids)
		return err
	})
	return out, err
}

func responsesOf(ctx context.Context, q querier, assessmentID string, controlIDs []string) ([]domain.Response, error) {
	rows, err := q.Query(ctx, `select `+responseColumns+` from responses r
		where r.assessment_id = $1 and r.control_id = any($2) order by r.ordinal`, assessmentID, controlIDs)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, scanResponse)
	out := make([]domain.Response, len(list))
	for i, r := range list {
		out[i] = r.Response
	}
	return out, err
}
