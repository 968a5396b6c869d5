package api

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
)

// Evidence is an uploaded file's record.
type Evidence struct {
	ID           string `json:"id" format:"uuid"`
	AssessmentID string `json:"assessment_id" format:"uuid"`
	Filename     string `json:"filename"`
	MediaType    string `json:"media_type" doc:"Decided from the content, not the name."`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	UploadedBy   string `json:"uploaded_by,omitempty"`
	UploadedAt   string `json:"uploaded_at" format:"date-time"`
}

func evidenceOf(e domain.Evidence) Evidence {
	return Evidence{ID: e.ID, AssessmentID: e.AssessmentID, Filename: e.Filename, MediaType: e.MediaType, Size: e.Size,
		SHA256: e.SHA256, UploadedBy: e.UploadedBy, UploadedAt: e.UploadedAt}
}

type uploadInput struct {
	IDParam
	RawBody huma.MultipartFormFiles[struct {
		File []huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"One or more files (repeat the field)."`
	}]
}

type evidenceListOutput struct {
	Body []Evidence
}

type evidenceOutput struct {
	Body Evidence
}

type listEvidenceInput struct {
	IDParam
	ListParams
}

func (a *API) registerEvidence() {
	tags := []string{"Evidence"}
	register(a, huma.Operation{
		OperationID: "upload-evidence", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/evidence", Tags: tags,
		Summary: "Upload evidence",
		Description: fmt.Sprintf("Multipart upload of one or more files (field \"file\", at most %d), each at most "+
			"%d MB. The type is decided from the content against an allow-list: PDF, images, office documents, CSV "+
			"and plain text. All files are stored or none; identical content is stored once. Files are immutable.",
			app.MaxEvidenceFiles, a.app.MaxEvidenceBytes()>>20),
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  a.app.MaxEvidenceBytes()*app.MaxEvidenceFiles + 1<<20,
		Errors:        []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType},
	}, func(ctx context.Context, in *uploadInput) (*evidenceListOutput, error) {
		files := in.RawBody.Data().File
		defer func() {
			for _, f := range files {
				if f.File != nil {
					f.File.Close()
				}
			}
		}()
		uploads := make([]app.Upload, len(files))
		for i, f := range files {
			uploads[i] = app.Upload{Filename: f.Filename, Size: f.Size, Content: f.File}
		}
		list, err := a.app.UploadEvidence(ctx, actorFrom(ctx), in.ID, uploads)
		if err != nil {
			return nil, err
		}
		out := &evidenceListOutput{Body: make([]Evidence, len(list))}
		for i, e := range list {
			out.Body[i] = evidenceOf(e)
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "list-evidence", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/evidence", Tags: tags,
		Summary: "List an assessment's evidence", Description: "Newest first.",
	}, func(ctx context.Context, in *listEvidenceInput) (*ListOutput[Evidence], error) {
		list, next, err := a.app.EvidenceOf(ctx, actorFrom(ctx), in.ID, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, evidenceOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-evidence", Method: http.MethodGet, Path: "/api/v1/evidence/{id}", Tags: tags,
		Summary: "Get evidence metadata", Description: "File name, type, size, SHA-256, who uploaded it and when.",
	}, func(ctx context.Context, in *IDParam) (*evidenceOutput, error) {
		e, err := a.app.Evidence(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &evidenceOutput{Body: evidenceOf(e)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-evidence-content", Method: http.MethodGet, Path: "/api/v1/evidence/{id}/content", Tags: tags,
		Summary: "Download evidence",
		Description: "Streams the file with its stored type, as an attachment. The ETag is the SHA-256 of the " +
			"content, so a download can be checked against the seal of a submission.",
		Responses: map[string]*huma.Response{"200": {Description: "The file.", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
	}, func(ctx context.Context, in *IDParam) (*huma.StreamResponse, error) {
		e, write, err := a.app.EvidenceContent(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return a.streamStored(ctx, e.Filename, e.MediaType, e.Size, e.SHA256, write), nil
	})
}

// streamStored streams an uploaded file (evidence, a lab's report) as an
// attachment whose ETag is the SHA-256 of its content.
func (a *API) streamStored(ctx context.Context, filename, mediaType string, size int64, sha256 string, write func(io.Writer) error) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		hctx.SetHeader("Content-Type", mediaType)
		hctx.SetHeader("Content-Length", strconv.FormatInt(size, 10))
		hctx.SetHeader("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
		hctx.SetHeader("ETag", `"`+sha256+`"`)
		if err := write(hctx.BodyWriter()); err != nil {
			a.log.ErrorContext(ctx, "stream stored file", "request_id", RequestIDFrom(ctx), "file", filename, "err", err)
		}
	}}
}
