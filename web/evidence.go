package web

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"assure/app"
	"assure/domain"
)

// uploadResult is what the page says after an upload.
type uploadResult struct {
	Kind     string    // "evidence" or "questionnaire": the section that shows it
	OK       string    // a summary of what was done
	Problems []problem // every refusal, with its file, row or column
}

// multipartFiles returns the files of field of a multipart form that
// signedIn has read within its bound.
func multipartFiles(r *http.Request, field string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File[field]
}

// uploadEvidence stores the files dropped or picked on the filing screen,
// all or none, and says which were refused and why.
func (ui *UI) uploadEvidence(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	headers := multipartFiles(r, "file")
	var uploads []app.Upload
	var err error
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
		for _, h := range headers {
			f, ferr := h.Open()
			if ferr != nil {
				err = ferr
				break
			}
			defer f.Close()
			uploads = append(uploads, app.Upload{Filename: h.Filename, Size: h.Size, Content: f})
		}
	}
	if err == nil {
		var list []domain.Evidence
		list, err = ui.app.UploadEvidence(r.Context(), v.actor, id, uploads)
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/assessments/%s?done=stored&files=%d#evidence", id, len(list)), http.StatusSeeOther)
			return
		}
	}
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid, domain.ETooLarge, domain.EUnsupported:
		ui.showFiling(w, r, v, id, nil, http.StatusUnprocessableEntity, &uploadResult{Kind: "evidence", Problems: uploadProblems(err, v.printer)})
	default:
		ui.fail(w, r, v, err)
	}
}

// uploadProblems lists an upload's refusals with where each lies.
func uploadProblems(err error, p printer) []problem {
	e, ok := domain.AsError(err)
	if !ok {
		return nil
	}
	out := []problem{{Message: p.Say(e.Message)}}
	for _, pr := range e.Problems {
		out = append(out, problem{Field: pr.Location, Message: p.Say(pr.Message)})
	}
	return out
}

// downloadEvidence streams an evidence file the visitor may read.
func (ui *UI) downloadEvidence(w http.ResponseWriter, r *http.Request, v *visit) {
	e, write, err := ui.app.EvidenceContent(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.sendStored(w, r, e.Filename, e.MediaType, e.Size, write)
}

// sendStored streams an uploaded file (evidence, a lab's report) as an
// attachment, sandboxed so that no uploaded content runs as a page of
// Assure.
func (ui *UI) sendStored(w http.ResponseWriter, r *http.Request, filename, mediaType string, size int64, write func(io.Writer) error) {
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if err := write(w); err != nil {
		ui.log.ErrorContext(r.Context(), "stream stored file", "path", r.URL.Path, "err", err)
	}
}

// sendFile streams a finished export as an attachment.
func sendFile(w http.ResponseWriter, f *app.File) {
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	f.WriteTo(w)
}

// downloadQuestionnaire sends the offline questionnaire of an assessment.
func (ui *UI) downloadQuestionnaire(w http.ResponseWriter, r *http.Request, v *visit) {
	f, err := ui.app.Questionnaire(r.Context(), v.actor, r.PathValue("id"), reportLanguage(r, v))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	sendFile(w, f)
}

// uploadQuestionnaire applies a filled questionnaire, or lists every problem
// of the file by row and column.
func (ui *UI) uploadQuestionnaire(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	headers := multipartFiles(r, "file")
	var err error
	if len(headers) != 1 {
		err = domain.Invalid("one file, please", []domain.Problem{{Location: "file", Message: "choose the filled questionnaire (.xlsx)"}})
	}
	if err == nil {
		defer r.MultipartForm.RemoveAll()
		f, ferr := headers[0].Open()
		if ferr != nil {
			ui.fail(w, r, v, ferr)
			return
		}
		defer f.Close()
		var res app.QuestionnaireResult
		res, err = ui.app.UploadQuestionnaire(r.Context(), v.actor, id, app.Upload{Filename: headers[0].Filename,
			Size: headers[0].Size, Content: f})
		if err == nil {
			ui.showFiling(w, r, v, id, nil, http.StatusOK, &uploadResult{Kind: "questionnaire", OK: v.T("Applied %s, unchanged %s, left blank %s.",
				v.Number(res.Applied), v.Number(res.Unchanged), v.Number(res.Blank))})
			return
		}
	}
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid, domain.ETooLarge, domain.EUnsupported:
		ui.showFiling(w, r, v, id, nil, http.StatusUnprocessableEntity, &uploadResult{Kind: "questionnaire", Problems: uploadProblems(err, v.printer)})
	default:
		ui.fail(w, r, v, err)
	}
}

// submitData is the attestation form.
type submitData struct {
	Assessment  domain.Assessment
	CanSubmit   bool
	Attestation domain.Attestation
	Problems    []filingProblem
}

// submitPage asks for the attestation; a user who may not submit learns why.
func (ui *UI) submitPage(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showSubmit(w, r, v, domain.Attestation{Name: v.user.Name,
		Statement: v.T("I attest that this self-assessment is true and complete to the best of my knowledge.")}, nil, http.StatusOK)
}

func (ui *UI) showSubmit(w http.ResponseWriter, r *http.Request, v *visit, att domain.Attestation, problems []problem, status int) {
	fl, err := ui.app.Filing(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := submitData{Assessment: fl.Assessment, CanSubmit: contains(fl.Allowed, domain.ActionSubmit), Attestation: att}
	d.Problems = filingProblems(fl.Problems, v.printer)
	p := ui.newPage(r, v, "Submit the assessment", d)
	p.Problems = problems
	ui.render(w, r, status, "submit.html", p)
}

// submit files the assessment with the attestation.
func (ui *UI) submit(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	att := domain.Attestation{Name: r.PostFormValue("name"), Position: r.PostFormValue("position"),
		Statement: r.PostFormValue("statement")}
	if r.PostFormValue("confirm") != "yes" {
		p := v.printer
		ui.showSubmit(w, r, v, att, []problem{{Field: "confirm", Message: p.T("Tick the box to confirm the submission.")}},
			http.StatusUnprocessableEntity)
		return
	}
	sub, err := ui.app.Submit(r.Context(), v.actor, id, att)
	if err != nil {
		if domain.ErrorCodeOf(err) == domain.EInvalid {
			ui.showSubmit(w, r, v, att, problemsOf(err, v.printer), http.StatusUnprocessableEntity)
			return
		}
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/assessments/%s?done=submitted&submission=%d", id, sub.Version), http.StatusSeeOther)
}
