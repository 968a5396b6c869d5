package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// The offline questionnaire: providers download their assessment as a
// workbook, fill it without a connection, and upload it back; the whole file
// is applied in one transaction or not at all.

type questionnaireUploadInput struct {
	IDParam
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"The filled questionnaire (.xlsx)."`
	}]
}

// QuestionnaireResult says what an upload changed.
type QuestionnaireResult struct {
	Applied   int `json:"applied" doc:"Responses changed."`
	Unchanged int `json:"unchanged" doc:"Rows identical to what Assure holds."`
	Blank     int `json:"blank" doc:"Rows left without a status, and so left as they are."`
}

type questionnaireResultOutput struct {
	Body QuestionnaireResult
}

func (a *API) registerQuestionnaire() {
	tags := []string{"Responses"}
	register(a, huma.Operation{
		OperationID: "get-questionnaire", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/questionnaire.xlsx", Tags: tags,
		Summary: "Download the offline questionnaire",
		Description: "A workbook with one row per applicable control (text, audit question, expected evidence), " +
			"dropdowns for status and maturity and the current answers, to fill offline and upload back.",
		Responses: map[string]*huma.Response{"200": {Description: "The questionnaire.", Content: map[string]*huma.MediaType{
			mediaTypes["xlsx"]: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
	}, Access{Object: "assessment", Action: "read"}, func(ctx context.Context, in *IDParam) (*huma.StreamResponse, error) {
		actor := actorFrom(ctx)
		as, err := a.assessmentFor(ctx, in.ID, "read")
		if err != nil {
			return nil, err
		}
		q := reports.QuestionnaireData{GeneratedAt: time.Now().UTC(), Assessment: as}
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
		return a.spooled(ctx, name, "xlsx", func(w io.Writer) error { return reports.WriteQuestionnaire(w, q) },
			func() error {
				return a.db.RecordEvent(ctx, actor, "questionnaire.export", "assessment", as.ID, as.ProviderID, nil)
			})
	})

	register(a, huma.Operation{
		OperationID: "upload-questionnaire", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/questionnaire", Tags: tags,
		Summary: "Upload a filled questionnaire",
		Description: "Checks the whole file and applies it in one transaction, or applies nothing and lists every " +
			"bad row and column. Files of another assessment, with macros, oversize or unreadable are refused. " +
			"A row changed in Assure since the file was downloaded is refused too: download a fresh questionnaire.",
		MaxBodyBytes: reports.MaxQuestionnaireBytes + 1<<20,
		Errors:       []int{http.StatusRequestEntityTooLarge},
	}, Access{Object: "assessment", Action: "respond"}, func(ctx context.Context, in *questionnaireUploadInput) (*questionnaireResultOutput, error) {
		file := in.RawBody.Data().File
		if file.File != nil {
			defer file.File.Close()
		}
		as, err := a.assessmentFor(ctx, in.ID, "respond")
		if err != nil {
			return nil, err
		}
		if file.Size > reports.MaxQuestionnaireBytes {
			return nil, domain.Errorf(domain.ETooLarge, "the file is over %d MB", reports.MaxQuestionnaireBytes>>20)
		}
		q, err := reports.ReadQuestionnaire(file.File)
		if err != nil {
			return nil, err
		}
		if q.AssessmentID != as.ID {
			return nil, domain.Invalid("this file is the questionnaire of another assessment",
				[]domain.Problem{{Location: "file", Message: "download the questionnaire of this assessment and fill that one"}})
		}
		return a.applyQuestionnaire(ctx, as, q)
	})
}

// applyQuestionnaire checks every filled row against what Assure holds and
// saves the changed ones together.
func (a *API) applyQuestionnaire(ctx context.Context, as domain.Assessment, q reports.Questionnaire) (*questionnaireResultOutput, error) {
	actor := actorFrom(ctx)
	current, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return a.db.Responses(ctx, actor, as.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		return nil, err
	}
	byControl := map[string]domain.Response{}
	for _, r := range current {
		byControl[r.ControlID] = r
	}
	var out QuestionnaireResult
	var problems []domain.Problem
	var updates []store.ResponseUpdate
	seen := map[string]int{}
	for _, row := range q.Rows {
		loc := fmt.Sprintf("row %d (%s)", row.Row, row.ControlID)
		cur, ok := byControl[row.ControlID]
		switch {
		case !ok:
			problems = append(problems, domain.Problem{Location: loc + ", control id", Message: "not a control of this assessment"})
			continue
		case seen[row.ControlID] != 0:
			problems = append(problems, domain.Problem{Location: loc + ", control id",
				Message: fmt.Sprintf("already given in row %d", seen[row.ControlID])})
			continue
		}
		seen[row.ControlID] = row.Row
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
			problems = append(problems, domain.Problem{Location: loc, Message: fmt.Sprintf(
				"changed in Assure since this file was made (version %d, now %d); download a fresh questionnaire",
				row.Version, cur.Version)})
			continue
		}
		updates = append(updates, store.ResponseUpdate{ControlID: row.ControlID, Version: cur.Version, Input: in})
	}
	if len(problems) > 0 {
		return nil, domain.Invalid(fmt.Sprintf("the questionnaire has %d problem(s); nothing was saved", len(problems)), problems)
	}
	if len(updates) > 0 {
		if _, err := a.db.SaveResponses(ctx, actor, as.ID, updates, "questionnaire"); err != nil {
			return nil, err
		}
	}
	out.Applied = len(updates)
	return &questionnaireResultOutput{Body: out}, nil
}

// sameAnswer reports whether in says what r already holds.
func sameAnswer(r domain.Response, in domain.ResponseInput, date *domain.Date) bool {
	sameDate := (r.RemediationDate == nil && date == nil) ||
		(r.RemediationDate != nil && date != nil && r.RemediationDate.String() == date.String())
	sameMaturity := (r.Maturity == nil && in.Maturity == nil) || (r.Maturity != nil && in.Maturity != nil && *r.Maturity == *in.Maturity)
	return r.Status == in.Status && sameMaturity && r.Narrative == in.Narrative && r.Justification == in.Justification &&
		sameDate && slices.Equal(r.EvidenceIDs, in.EvidenceIDs)
}
