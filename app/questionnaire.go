package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// MaxQuestionnaireProblems bounds the problems listed for one uploaded file:
// the first ones are enough to act on, and a file of junk rows must not make
// an answer of millions.
const MaxQuestionnaireProblems = 500

// MaxQuestionnaireBytes bounds an uploaded questionnaire.
const MaxQuestionnaireBytes = reports.MaxQuestionnaireBytes

// Questionnaire makes the offline questionnaire of an assessment the actor
// may read, in language lang (English when empty), and records its export.
// A language Assure does not speak is EInvalid; an upload is read whatever
// the language its questionnaire was made in.
func (a *App) Questionnaire(ctx context.Context, actor domain.Actor, id string, lang domain.Language) (*File, error) {
	if err := validLanguage(lang); err != nil {
		return nil, err
	}
	as, err := a.Assessment(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	q := reports.QuestionnaireData{GeneratedAt: time.Now().UTC(), Assessment: as, Lang: lang}
	if q.Provider, err = a.db.Provider(ctx, actor, as.ProviderID); err != nil {
		return nil, err
	}
	if q.Campaign, err = a.db.Campaign(ctx, actor, as.CampaignID); err != nil {
		return nil, err
	}
	if q.Framework, err = a.db.FrameworkOf(ctx, store.FrameworkRef{ID: q.Campaign.FrameworkID,
		Version: q.Campaign.FrameworkVersion}); err != nil {
		return nil, err
	}
	if q.Responses, err = store.All(func(p store.Page) ([]domain.Response, string, error) {
		return a.db.Responses(ctx, actor, as.ID, store.ResponseFilter{}, p)
	}); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("questionnaire-%s-%s.xlsx", slug(as.ProviderName), as.ID[:8])
	return spool(name, "xlsx", func(w io.Writer) error { return reports.WriteQuestionnaire(w, q) },
		func() error {
			return a.db.RecordEvent(ctx, actor, "questionnaire.export", "assessment", as.ID, as.ProviderID,
				map[string]any{"language": lang})
		})
}

// QuestionnaireResult says what an uploaded questionnaire changed.
type QuestionnaireResult struct {
	Applied   int // responses changed
	Unchanged int // rows identical to what Assure holds
	Blank     int // rows left without a status, and so left as they are
}

// UploadQuestionnaire checks a filled questionnaire whole and applies it in
// one transaction, or applies nothing and returns EInvalid listing every
// problem it found, by row and column: cells that cannot be read, controls
// not of this assessment, rows changed in Assure since the file was made. A
// file that is not this assessment's questionnaire is refused as a whole.
func (a *App) UploadQuestionnaire(ctx context.Context, actor domain.Actor, id string, file Upload) (QuestionnaireResult, error) {
	as, err := a.assessment(ctx, actor, id, "assessment", "respond")
	if err != nil {
		return QuestionnaireResult{}, err
	}
	if file.Size > MaxQuestionnaireBytes {
		return QuestionnaireResult{}, domain.Errorf(domain.ETooLarge, "the file is over %d MB", MaxQuestionnaireBytes>>20)
	}
	q, err := readQuestionnaire(io.NewSectionReader(file.Content, 0, file.Size))
	if err != nil {
		return QuestionnaireResult{}, err
	}
	if q.AssessmentID != as.ID {
		return QuestionnaireResult{}, domain.Invalid("this file is the questionnaire of another assessment",
			[]domain.Problem{{Location: "file", Message: "download the questionnaire of this assessment and fill that one"}})
	}
	current, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return a.db.Responses(ctx, actor, as.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		return QuestionnaireResult{}, err
	}
	out, updates, err := planQuestionnaire(q, current)
	if err != nil {
		return QuestionnaireResult{}, err
	}
	if len(updates) > 0 {
		if _, err := a.db.SaveResponses(ctx, actor, as.ID, updates, "questionnaire"); err != nil {
			return QuestionnaireResult{}, err
		}
	}
	out.Applied = len(updates)
	return out, nil
}

// planQuestionnaire compares the rows read back with the current responses
// and returns the updates to make and the counts of rows left alone, or an
// EInvalid error listing, in row order, the reader's problems of each row
// together with those found here, so that one upload names all it can.
func planQuestionnaire(q questionnaire, current []domain.Response) (QuestionnaireResult, []store.ResponseUpdate, error) {
	byControl := map[string]domain.Response{}
	for _, r := range current {
		byControl[r.ControlID] = r
	}
	var out QuestionnaireResult
	var problems []domain.Problem
	var updates []store.ResponseUpdate
	stale := func(loc string, row questionnaireRow, cur domain.Response) {
		problems = append(problems, domain.Problem{Location: loc, Message: fmt.Sprintf(
			"changed in Assure since this file was made (version %d, now %d); download a fresh questionnaire",
			row.Version, cur.Version)})
	}
	for _, row := range q.Rows {
		problems = append(problems, row.Problems...)
		if row.ControlID == "" || row.Repeated {
			continue // the reader has said what is wrong with its control id
		}
		loc := fmt.Sprintf("row %d (%s)", row.Row, row.ControlID)
		cur, ok := byControl[row.ControlID]
		if !ok {
			problems = append(problems, domain.Problem{Location: loc + ", control id", Message: "not a control of this assessment"})
			continue
		}
		if len(row.Problems) > 0 {
			// Every value Assure writes reads back, so the row was edited; if
			// it is also behind, fixing the cells alone would not be enough.
			if row.Version >= 0 && row.Version != cur.Version {
				stale(loc, row, cur)
			}
			continue
		}
		if row.Status == "" {
			out.Blank++
			continue
		}
		in := domain.ResponseInput{Status: row.Status, Maturity: row.Maturity, Narrative: row.Narrative,
			RemediationDate: row.RemediationDate, Justification: row.Justification, EvidenceIDs: cur.EvidenceIDs}
		date, ps := in.Check(loc)
		problems = append(problems, ps...)
		if len(ps) > 0 {
			continue
		}
		if sameAnswer(cur, in, date) {
			out.Unchanged++
			continue
		}
		if row.Version != cur.Version {
			stale(loc, row, cur)
			continue
		}
		updates = append(updates, store.ResponseUpdate{ControlID: row.ControlID, Version: cur.Version, Input: in})
	}
	if len(problems) > 0 {
		message := fmt.Sprintf("the questionnaire has %d problem(s); nothing was saved", len(problems))
		if len(problems) > MaxQuestionnaireProblems {
			message += fmt.Sprintf("; the first %d are listed", MaxQuestionnaireProblems)
			problems = problems[:MaxQuestionnaireProblems]
		}
		return QuestionnaireResult{}, nil, domain.Invalid(message, problems)
	}
	return out, updates, nil
}

// sameAnswer reports whether a row gives exactly the answer already held.
func sameAnswer(r domain.Response, in domain.ResponseInput, date *domain.Date) bool {
	sameDate := (r.RemediationDate == nil && date == nil) ||
		(r.RemediationDate != nil && date != nil && r.RemediationDate.String() == date.String())
	sameMaturity := (r.Maturity == nil && in.Maturity == nil) || (r.Maturity != nil && in.Maturity != nil && *r.Maturity == *in.Maturity)
	return r.Status == in.Status && sameMaturity && r.Narrative == in.Narrative && r.Justification == in.Justification &&
		sameDate && slices.Equal(r.EvidenceIDs, in.EvidenceIDs)
}
