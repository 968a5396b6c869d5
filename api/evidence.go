package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// MaxEvidenceFiles bounds the files of one upload.
const MaxEvidenceFiles = 20

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
			MaxEvidenceFiles, a.maxEvidence>>20),
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  a.maxEvidence*MaxEvidenceFiles + 1<<20,
		Errors:        []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType},
	}, Access{Object: "assessment", Action: "respond"}, func(ctx context.Context, in *uploadInput) (*evidenceListOutput, error) {
		files := in.RawBody.Data().File
		defer func() {
			for _, f := range files {
				if f.File != nil {
					f.File.Close()
				}
			}
		}()
		if _, err := a.assessmentFor(ctx, in.ID, "respond"); err != nil {
			return nil, err
		}
		uploads, err := a.prepareUploads(files)
		if err != nil {
			return nil, err
		}
		list, err := a.db.UploadEvidence(ctx, actorFrom(ctx), in.ID, uploads)
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
	}, Access{Object: "evidence", Action: "read"}, func(ctx context.Context, in *listEvidenceInput) (*ListOutput[Evidence], error) {
		as, err := a.db.Assessment(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		if err := a.allowOn(ctx, actorFrom(ctx), as.ProviderID, "evidence", "read", "assessment"); err != nil {
			return nil, err
		}
		list, next, err := a.db.EvidenceOf(ctx, actorFrom(ctx), in.ID, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, evidenceOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-evidence", Method: http.MethodGet, Path: "/api/v1/evidence/{id}", Tags: tags,
		Summary: "Get evidence metadata", Description: "File name, type, size, SHA-256, who uploaded it and when.",
	}, Access{Object: "evidence", Action: "read"}, func(ctx context.Context, in *IDParam) (*evidenceOutput, error) {
		e, err := a.evidenceFor(ctx, in.ID)
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
	}, Access{Object: "evidence", Action: "read"}, func(ctx context.Context, in *IDParam) (*huma.StreamResponse, error) {
		e, err := a.evidenceFor(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", e.MediaType)
			hctx.SetHeader("Content-Length", strconv.FormatInt(e.Size, 10))
			hctx.SetHeader("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Filename}))
			hctx.SetHeader("ETag", `"`+e.SHA256+`"`)
			hctx.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox")
			if err := a.db.WriteEvidence(ctx, e.SHA256, hctx.BodyWriter()); err != nil {
				a.log.ErrorContext(ctx, "stream evidence", "request_id", RequestIDFrom(ctx), "evidence", e.ID, "err", err)
			}
		}}, nil
	})
}

// evidenceFor loads evidence the caller may see and checks the right to read it.
func (a *API) evidenceFor(ctx context.Context, id string) (domain.Evidence, error) {
	actor := actorFrom(ctx)
	e, err := a.db.Evidence(ctx, actor, id)
	if err != nil {
		return e, err
	}
	return e, a.allowOn(ctx, actor, e.ProviderID, "evidence", "read", "evidence")
}

// prepareUploads checks every file's size and type and hashes it. Oversize
// files are 413 and disallowed types 415, each listing every offending file.
func (a *API) prepareUploads(files []huma.FormFile) ([]store.UploadFile, error) {
	if len(files) > MaxEvidenceFiles {
		return nil, domain.Invalid("too many files", []domain.Problem{{Location: "body.file",
			Message: fmt.Sprintf("at most %d files per upload", MaxEvidenceFiles)}})
	}
	var tooLarge, badType []domain.Problem
	uploads := make([]store.UploadFile, 0, len(files))
	for i, f := range files {
		name := safeFilename(f.Filename)
		loc := fmt.Sprintf("body.file[%d] (%s)", i, name)
		if f.Size > a.maxEvidence {
			tooLarge = append(tooLarge, domain.Problem{Location: loc,
				Message: fmt.Sprintf("%d bytes is over the limit of %d bytes", f.Size, a.maxEvidence)})
			continue
		}
		if f.Size == 0 {
			badType = append(badType, domain.Problem{Location: loc, Message: "the file is empty"})
			continue
		}
		head := make([]byte, domain.SniffLength)
		n, err := f.File.ReadAt(head, 0)
		if err != nil && err != io.EOF {
			return nil, err
		}
		mediaType, ok := domain.DetectEvidenceType(head[:n], name)
		if !ok {
			badType = append(badType, domain.Problem{Location: loc,
				Message: "the content is not an allowed type (PDF, image, office document, CSV or plain text)"})
			continue
		}
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f.File, 0, f.Size)); err != nil {
			return nil, err
		}
		uploads = append(uploads, store.UploadFile{Filename: name, MediaType: mediaType, Size: f.Size,
			SHA256: hex.EncodeToString(h.Sum(nil)), Content: io.NewSectionReader(f.File, 0, f.Size)})
	}
	if len(tooLarge) > 0 {
		return nil, &domain.Error{Code: domain.ETooLarge, Problems: tooLarge, Message: "files over the size limit; nothing was stored"}
	}
	if len(badType) > 0 {
		return nil, &domain.Error{Code: domain.EUnsupported, Problems: badType, Message: "files of a type not allowed as evidence; nothing was stored"}
	}
	return uploads, nil
}

// safeFilename keeps the base name of a client's file name, without control
// characters or path parts, at most 255 bytes.
func safeFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		return "evidence"
	}
	return name
}
