package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Submission is one sealed filing.
type Submission struct {
	AssessmentID string
	Version      int
	SubmittedAt  time.Time
	SubmittedBy  string // email
	Late         bool
	Attestation  domain.Attestation
	Seal         string
	Content      json.RawMessage // the sealed snapshot
	Verified     bool            // the content still hashes to the seal
}

// Submit files an assessment: every problem that keeps it from being filed
// is reported at once (EInvalid); otherwise the responses and the hashes of
// their evidence are sealed into a new submission version, and the
// assessment becomes read-only for the provider until sent back.
func (db *DB) Submit(ctx context.Context, actor domain.Actor, id string, att domain.Attestation) (Submission, error) {
	att = domain.Attestation{Name: strings.TrimSpace(att.Name), Position: strings.TrimSpace(att.Position),
		Statement: strings.TrimSpace(att.Statement)}
	var sub Submission
	err := db.write(ctx, "submit assessment", func(t *txn) error {
		a, err := getAssessment(ctx, t, actor, id, "update")
		if err != nil {
			return err
		}
		if _, err := domain.Transition(a.Status, domain.ActionSubmit); err != nil {
			return err
		}
		status, opens, due, err := campaignState(ctx, t, id)
		if err != nil {
			return err
		}
		var now time.Time
		if err := t.QueryRow(ctx, `select now()`).Scan(&now); err != nil {
			return err
		}
		today := domain.DateOf(now)
		problems := att.Check()
		switch {
		case status != domain.CampaignOpen:
			return domain.Errorf(domain.EConflict, "the campaign is %s; nothing more can be filed in it", status)
		case today.Before(opens):
			problems = append(problems, domain.Problem{Location: "campaign.opens_at",
				Message: "the campaign opens for filing on " + opens.String()})
		}
		rows, err := t.Query(ctx, `select `+responseColumns+` from responses r where r.assessment_id = $1 order by r.ordinal`, id)
		if err != nil {
			return err
		}
		responses, err := pgx.CollectRows(rows, scanResponse)
		if err != nil {
			return err
		}
		for _, r := range responses {
			problems = append(problems, r.CheckComplete(today)...)
		}
		if len(problems) > 0 {
			return domain.Invalid(fmt.Sprintf("the assessment cannot be submitted: %d problem(s)", len(problems)), problems)
		}
		rows, err = t.Query(ctx, `select id::text, filename, sha256 from evidence where assessment_id = $1`, id)
		if err != nil {
			return err
		}
		files, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.SnapshotEvidence])
		if err != nil {
			return err
		}
		byID := map[string]domain.SnapshotEvidence{}
		for _, f := range files {
			byID[f.ID] = f
		}
		snap := domain.Snapshot{AssessmentID: id, ProviderID: a.ProviderID, CampaignID: a.CampaignID,
			Version: a.Submissions + 1, SubmittedAt: now.UTC().Format("2006-01-02T15:04:05.000000Z"),
			SubmittedBy: actor.Email, Attestation: att}
		for _, r := range responses {
			sr := domain.SnapshotResponse{ControlID: r.ControlID, Status: r.Status, Maturity: r.Maturity,
				Narrative: r.Narrative, Justification: r.Justification, Evidence: []domain.SnapshotEvidence{}}
			if r.RemediationDate != nil {
				sr.RemediationDate = r.RemediationDate.String()
			}
			for _, e := range r.EvidenceIDs {
				sr.Evidence = append(sr.Evidence, byID[e])
			}
			snap.Responses = append(snap.Responses, sr)
		}
		content, err := json.Marshal(snap)
		if err != nil {
			return err
		}
		seal, err := domain.SealOf(content)
		if err != nil {
			return err
		}
		late := today.After(due)
		attJSON, _ := json.Marshal(att)
		if _, err := t.Exec(ctx, `insert into submissions (assessment_id, version, submitted_at, submitted_by, late,
			attestation, content, seal_sha256) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, snap.Version, now, nullable(actor.UserID), late, attJSON, content, seal); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `update assessments set submissions = $2, submitted_at = $3 where id = $1`,
			id, snap.Version, now); err != nil {
			return err
		}
		if _, err := transition(ctx, t, actor, a, domain.ActionSubmit, "", map[string]any{
			"submission": snap.Version, "seal_sha256": seal, "late": late, "attestation": att}); err != nil {
			return err
		}
		if err := db.refreshScores(ctx, t, id); err != nil {
			return err
		}
		sub = Submission{AssessmentID: id, Version: snap.Version, SubmittedAt: now, SubmittedBy: actor.Email, Late: late,
			Attestation: att, Seal: seal, Content: content, Verified: true}
		return nil
	})
	return sub, err
}

func scanSubmission(row pgx.CollectableRow) (Submission, error) {
	var s Submission
	var att, content []byte
	err := row.Scan(&s.AssessmentID, &s.Version, &s.SubmittedAt, &s.SubmittedBy, &s.Late, &att, &content, &s.Seal)
	if err != nil {
		return s, err
	}
	json.Unmarshal(att, &s.Attestation)
	s.Content = content
	seal, err := domain.SealOf(content)
	s.Verified = err == nil && seal == s.Seal
	return s, nil
}

const submissionColumns = `assessment_id::text, version, submitted_at,
	coalesce((select u.email from users u where u.id = submitted_by), ''), late, attestation, content, seal_sha256`

// Submissions lists every sealed filing of an assessment, newest first, each
// re-verified against its seal.
func (db *DB) Submissions(ctx context.Context, actor domain.Actor, id string) ([]Submission, error) {
	if _, err := db.Assessment(ctx, actor, id); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `select `+submissionColumns+` from submissions where assessment_id = $1
		order by version desc`, id)
	if err != nil {
		return nil, translate(err, "list submissions")
	}
	list, err := pgx.CollectRows(rows, scanSubmission)
	return list, translate(err, "list submissions")
}

// Submission returns one sealed filing, re-verified against its seal.
func (db *DB) Submission(ctx context.Context, actor domain.Actor, id string, version int) (Submission, error) {
	if _, err := db.Assessment(ctx, actor, id); err != nil {
		return Submission{}, err
	}
	rows, err := db.pool.Query(ctx, `select `+submissionColumns+` from submissions where assessment_id = $1 and version = $2`, id, version)
	if err != nil {
		return Submission{}, translate(err, "get submission")
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanSubmission)
	if err == pgx.ErrNoRows {
		return s, domain.Errorf(domain.ENotFound, "no submission %d of this assessment", version)
	}
	return s, translate(err, "get submission")
}

// responsesOf reads the given responses of an assessment in catalog order.
