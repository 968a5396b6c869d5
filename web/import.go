package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"assure/app"
	"assure/domain"
)

// Bulk import of providers from a file. The upload is read and checked and
// shown as a preview; nothing is written. The preview page carries the
// file's bytes (base64) and their SHA-256 in its confirm form, so the user
// confirms without choosing the file again and no server-side state is
// kept between the two steps. Applying trusts nothing of what comes back:
// the bytes are checked against the digest the preview showed and read and
// checked again, whole, by the same code, and registered in one
// transaction only when every row passes.

// importColumn describes one column of the file, for the page.
type importColumn struct {
	Name     string
	Required bool
	Meaning  string
}

// importRowView is one row of the preview.
type importRowView struct {
	app.ImportRow
	Problems []string
}

// importProblemView is one problem of the preview, by row and column.
type importProblemView struct {
	Row     string
	Column  string
	Message string
}

// importData is the import page: the upload form, and after an upload the
// preview and the confirm form.
type importData struct {
	Columns  []importColumn
	MaxMB    int
	MaxRows  int
	Result   *app.ImportResult
	Rows     []importRowView
	Problems []importProblemView
	More     int
	Ready    int    // rows without problems
	Bad      int    // rows with problems
	Count    int    // problems, listed or not
	Content  string // the file's bytes, base64, for the confirm form
}

func (ui *UI) importColumns(p printer) []importColumn {
	meanings := map[string]string{
		"legal_name":       p.T("The provider's full legal name."),
		"short_name":       p.T("The name the register shows."),
		"licence_number":   p.T("The licence number; each provider has its own."),
		"kind":             p.T("One of: %s.", strings.Join(kindCodes(), ", ")),
		"tier":             p.T("1 (systemic), 2 or 3 (low)."),
		"channels":         p.T("Any of %s, separated by commas or semicolons; may be blank.", strings.Join(domain.Channels, ", ")),
		"status":           p.T("active, suspended or exited; active when blank."),
		"contact_name":     p.T("A person to reach at the provider."),
		"contact_position": p.T("Their position."),
		"contact_email":    p.T("Their email address."),
		"contact_phone":    p.T("Their phone number."),
	}
	var out []importColumn
	for i, c := range app.ImportColumns {
		out = append(out, importColumn{Name: c, Required: i < 6, Meaning: meanings[c]})
	}
	return out
}

func kindCodes() []string {
	var out []string
	for _, k := range domain.ProviderKinds {
		out = append(out, string(k))
	}
	return out
}

func (ui *UI) showImport(w http.ResponseWriter, r *http.Request, v *visit, d importData, problems []problem, status int) {
	d.Columns, d.MaxMB, d.MaxRows = ui.importColumns(v.printer), app.MaxImportBytes>>20, app.MaxImportRows
	p := ui.newPage(r, v, "Import providers", d)
	p.Problems = problems
	ui.render(w, r, status, "import.html", p)
}

// registerImportPage shows the upload form of a file of providers.
func (ui *UI) registerImportPage(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "provider", "create") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "You may not register providers."))
		return
	}
	ui.showImport(w, r, v, importData{}, nil, http.StatusOK)
}

// registerImportTemplate sends a CSV file of providers to start from.
func (ui *UI) registerImportTemplate(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "provider", "create") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "You may not register providers."))
		return
	}
	b := app.ImportTemplateCSV()
	h := w.Header()
	h.Set("Content-Type", app.MediaType("csv"))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "providers-template.csv"}))
	w.Write(b)
}

// registerImport previews an uploaded file or, from the preview's confirm
// form, applies it.
func (ui *UI) registerImport(w http.ResponseWriter, r *http.Request, v *visit) {
	if r.PostFormValue("step") == "apply" {
		ui.applyImport(w, r, v)
		return
	}
	headers := multipartFiles(r, "file")
	if len(headers) != 1 {
		ui.showImport(w, r, v, importData{}, []problem{{Field: "file",
			Message: v.T("Choose one file of providers (.csv or .xlsx).")}}, http.StatusUnprocessableEntity)
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, err := headers[0].Open()
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	defer f.Close()
	// The file is read once here, within the app's bound, to be both checked
	// and carried by the confirm form.
	data, err := io.ReadAll(io.LimitReader(f, app.MaxImportBytes+1))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.previewImport(w, r, v, headers[0].Filename, data, false)
}

// applyImport registers the file the preview's confirm form carries, if its
// bytes are those previewed and every row still passes.
func (ui *UI) applyImport(w http.ResponseWriter, r *http.Request, v *visit) {
	data, err := base64.StdEncoding.DecodeString(r.PostFormValue("content"))
	sum := sha256.Sum256(data)
	if err != nil || hex.EncodeToString(sum[:]) != r.PostFormValue("sha256") {
		ui.showImport(w, r, v, importData{}, []problem{{Field: "file",
			Message: v.T("The file sent to confirm is not the one previewed. Upload it again.")}}, http.StatusUnprocessableEntity)
		return
	}
	ui.previewImport(w, r, v, r.PostFormValue("filename"), data, true)
}

// previewImport checks a file and shows the preview, or with apply
// registers it and goes to the register.
func (ui *UI) previewImport(w http.ResponseWriter, r *http.Request, v *visit, name string, data []byte, apply bool) {
	res, err := ui.app.ImportProviders(r.Context(), v.actor, app.Upload{Filename: name, Size: int64(len(data)),
		Content: bytes.NewReader(data)}, apply)
	if err == nil && apply {
		http.Redirect(w, r, "/providers?done=imported", http.StatusSeeOther)
		return
	}
	code := domain.ErrorCodeOf(err)
	if err != nil && (code != domain.EInvalid || res.SHA256 == "") {
		// The file as a whole is refused: say why, by the upload field.
		switch {
		case code == domain.ETooLarge && len(data) > app.MaxImportBytes:
			ui.showImport(w, r, v, importData{}, []problem{{Field: "file", Message: v.T(
				"The file is larger than %d MB. Split it into smaller files.", app.MaxImportBytes>>20)}},
				http.StatusRequestEntityTooLarge)
		case code == domain.ETooLarge:
			ui.showImport(w, r, v, importData{}, []problem{{Field: "file", Message: v.T(
				"The file has more than %d providers. Split it into smaller files.", app.MaxImportRows)}},
				http.StatusRequestEntityTooLarge)
		case code == domain.EInvalid || code == domain.EUnsupported:
			ui.showImport(w, r, v, importData{}, fileProblems(err, v.printer), http.StatusUnprocessableEntity)
		default:
			ui.fail(w, r, v, err)
		}
		return
	}
	d := importData{Result: &res, More: res.More, Content: base64.StdEncoding.EncodeToString(data)}
	for _, row := range res.Rows {
		rv := importRowView{ImportRow: row}
		for _, pr := range row.Problems {
			rv.Problems = append(rv.Problems, v.Say(pr.Message))
		}
		if len(row.Problems) == 0 {
			d.Ready++
		} else {
			d.Bad++
		}
		d.Rows = append(d.Rows, rv)
	}
	for _, pr := range res.Problems {
		d.Problems = append(d.Problems, importProblemOf(pr, v.printer))
	}
	d.Count = len(res.Problems) + res.More
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	ui.showImport(w, r, v, d, nil, status)
}

// importProblemOf splits a problem located "row 4, licence_number".
func importProblemOf(pr domain.Problem, p printer) importProblemView {
	out := importProblemView{Message: p.Say(pr.Message)}
	loc := pr.Location
	if rest, ok := strings.CutPrefix(loc, "row "); ok {
		row, column, _ := strings.Cut(rest, ", ")
		out.Row, out.Column = row, column
	} else {
		out.Column = loc
	}
	return out
}

// fileProblems lists the refusal of a whole file by the upload field.
func fileProblems(err error, p printer) []problem {
	e, _ := domain.AsError(err)
	out := []problem{{Field: "file", Message: p.T("The file cannot be imported: %s.", p.Say(e.Message))}}
	for _, pr := range e.Problems {
		out = append(out, problem{Field: "file", Message: fmt.Sprintf("%s: %s", pr.Location, p.Say(pr.Message))})
	}
	return out
}
