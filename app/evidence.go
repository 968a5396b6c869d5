package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"assure/domain"
	"assure/store"
)

// MaxEvidenceFiles bounds the files of one upload.
const MaxEvidenceFiles = 20

// Upload is one file as a face received it: its name as the client gave it,
// its size and its content.
type Upload struct {
	Filename string
	Size     int64
	Content  io.ReaderAt
}

// UploadEvidence stores files as evidence of an assessment the actor may
// respond to, all or none. Oversize files are ETooLarge and disallowed types
// EUnsupported, each listing every offending file.
func (a *App) UploadEvidence(ctx context.Context, actor domain.Actor, assessmentID string, files []Upload) ([]domain.Evidence, error) {
	if _, err := a.assessment(ctx, actor, assessmentID, "assessment", "respond"); err != nil {
		return nil, err
	}
	uploads, err := a.prepareUploads(files)
	if err != nil {
		return nil, err
	}
	return a.db.UploadEvidence(ctx, actor, assessmentID, uploads)
}

// EvidenceOf lists an assessment's evidence, newest first.
func (a *App) EvidenceOf(ctx context.Context, actor domain.Actor, assessmentID string, page store.Page) ([]domain.Evidence, string, error) {
	if _, err := a.assessment(ctx, actor, assessmentID, "evidence", "read"); err != nil {
		return nil, "", err
	}
	return a.db.EvidenceOf(ctx, actor, assessmentID, page)
}

// Evidence returns the record of one evidence file the actor may read.
func (a *App) Evidence(ctx context.Context, actor domain.Actor, id string) (domain.Evidence, error) {
	if err := a.permit(ctx, actor, "evidence", "read"); err != nil {
		return domain.Evidence{}, err
	}
	e, err := a.db.Evidence(ctx, actor, id)
	if err != nil {
		return e, err
	}
	return e, a.permitOn(ctx, actor, e.ProviderID, "evidence", "read", "evidence")
}

// EvidenceContent returns the record of an evidence file the actor may read
// and a function that streams its content.
func (a *App) EvidenceContent(ctx context.Context, actor domain.Actor, id string) (domain.Evidence, func(w io.Writer) error, error) {
	e, err := a.Evidence(ctx, actor, id)
	if err != nil {
		return e, nil, err
	}
	return e, func(w io.Writer) error { return a.db.WriteEvidence(ctx, e.ProviderID, e.SHA256, w) }, nil
}

// prepareUploads checks every file's size and type and hashes it.
func (a *App) prepareUploads(files []Upload) ([]store.UploadFile, error) {
	if len(files) == 0 {
		return nil, domain.Invalid("no file", []domain.Problem{{Location: "body.file", Message: "give at least one file"}})
	}
	if len(files) > MaxEvidenceFiles {
		return nil, domain.Invalid("too many files", []domain.Problem{{Location: "body.file",
			Message: fmt.Sprintf("at most %d files per upload", MaxEvidenceFiles)}})
	}
	var tooLarge, badType []domain.Problem
	uploads := make([]store.UploadFile, 0, len(files))
	for i, f := range files {
		name := domain.CleanFilename(f.Filename, "evidence")
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
		n, err := f.Content.ReadAt(head, 0)
		if err != nil && err != io.EOF {
			return nil, err
		}
		mediaType, ok := domain.DetectEvidenceType(head[:n], name)
		if ok && ooxmlEvidence(mediaType) {
			// The first bytes only suggest an office document; its parts decide.
			var p *domain.Problem
			if mediaType, p, err = inspectOfficeEvidence(f); err != nil {
				return nil, err
			}
			if p != nil {
				p.Location = loc
				if p.Message == ooxmlTooLarge {
					tooLarge = append(tooLarge, *p)
				} else {
					badType = append(badType, *p)
				}
				continue
			}
		}
		if !ok {
			badType = append(badType, domain.Problem{Location: loc, Message: notAllowedEvidence})
			continue
		}
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f.Content, 0, f.Size)); err != nil {
			return nil, err
		}
		uploads = append(uploads, store.UploadFile{Filename: name, MediaType: mediaType, Size: f.Size,
			SHA256: hex.EncodeToString(h.Sum(nil)), Content: io.NewSectionReader(f.Content, 0, f.Size)})
	}
	if len(tooLarge) > 0 {
		return nil, &domain.Error{Code: domain.ETooLarge, Problems: tooLarge, Message: "files over the size limit; nothing was stored"}
	}
	if len(badType) > 0 {
		return nil, &domain.Error{Code: domain.EUnsupported, Problems: badType, Message: "files of a type not allowed as evidence; nothing was stored"}
	}
	return uploads, nil
}

const notAllowedEvidence = "the content is not an allowed type (PDF, image, office document, CSV or plain text)"

var ooxmlTooLarge = fmt.Sprintf("the document is too large unpacked: more than %d parts or %d MB of XML",
	domain.MaxOOXMLParts, domain.MaxOOXMLXMLBytes>>20)

// ooxmlEvidence reports whether a media type is of an OOXML document.
func ooxmlEvidence(mediaType string) bool {
	return mediaType == domain.MediaTypeDOCX || mediaType == domain.MediaTypeXLSX || mediaType == domain.MediaTypePPTX
}

// inspectOfficeEvidence reads an uploaded OOXML document whole and returns
// its media type, as its package says, or the problem that refuses it: not
// a document Assure accepts, macros or active content, a DOCTYPE, too large
// unpacked (ooxmlTooLarge). Only an error reading the upload is an error.
func inspectOfficeEvidence(f Upload) (string, *domain.Problem, error) {
	media, err := domain.InspectOOXML(f.Content, f.Size)
	var refused *domain.OOXMLError
	if !errors.As(err, &refused) {
		if err != nil {
			return "", nil, fmt.Errorf("app: inspect evidence: %w", err)
		}
		return media, nil, nil
	}
	switch refused.Fault {
	case domain.OOXMLActive:
		return "", &domain.Problem{Message: "the document carries macros, ActiveX controls or OLE objects; save it without them (as .docx, .xlsx or .pptx)"}, nil
	case domain.OOXMLDoctype:
		return "", &domain.Problem{Message: fmt.Sprintf("the document has a DOCTYPE declaration in %s, which Assure refuses", refused.Part)}, nil
	case domain.OOXMLUntyped:
		return "", &domain.Problem{Message: fmt.Sprintf(
			"the document holds a part of no declared type (%s), as a damaged file or hidden macros would; save it again", refused.Part)}, nil
	case domain.OOXMLTooLarge:
		return "", &domain.Problem{Message: ooxmlTooLarge}, nil
	}
	return "", &domain.Problem{Message: notAllowedEvidence}, nil
}
