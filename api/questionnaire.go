package api

import (
	"assure/app"
	"assure/domain"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// The offline questionnaire: providers download their assessment as a
// workbook, fill it without a connection, and upload it back; the whole file
// is applied in one transaction or not at all.

type questionnaireDownloadInput struct {
	IDParam
	Lang string `query:"lang" enum:"en,fr" doc:"The workbook's language: en (default) or fr. An upload is read in either."`
}

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
		Responses: binaryResponse(app.MediaType("xlsx")),
	}, func(ctx context.Context, in *questionnaireDownloadInput) (*huma.StreamResponse, error) {
		f, err := a.app.Questionnaire(ctx, actorFrom(ctx), in.ID, domain.Language(in.Lang))
		if err != nil {
			return nil, err
		}
		return fileResponse(f), nil
	})

	register(a, huma.Operation{
		OperationID: "upload-questionnaire", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/questionnaire", Tags: tags,
		Summary: "Upload a filled questionnaire",
		Description: "Checks the whole file and applies it in one transaction, or applies nothing and lists every " +
			"bad row and column. Files of another assessment, with macros, oversize or unreadable are refused. " +
			"A row changed in Assure since the file was downloaded is refused too: download a fresh questionnaire.",
		MaxBodyBytes: app.MaxQuestionnaireBytes + 1<<20,
		Errors:       []int{http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *questionnaireUploadInput) (*questionnaireResultOutput, error) {
		file := in.RawBody.Data().File
		if file.File != nil {
			defer file.File.Close()
		}
		r, err := a.app.UploadQuestionnaire(ctx, actorFrom(ctx), in.ID,
			app.Upload{Filename: file.Filename, Size: file.Size, Content: file.File})
		if err != nil {
			return nil, err
		}
		return &questionnaireResultOutput{Body: QuestionnaireResult(r)}, nil
	})
}
