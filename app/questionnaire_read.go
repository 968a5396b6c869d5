package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/reports"
)

// An uploaded questionnaire is read back here, against the layout that
// reports writes (reports.QuestionnaireHeaders and its column positions).

// questionnaireRow is one non-blank row of an uploaded questionnaire.
type questionnaireRow struct {
	Row             int // the sheet row number, 1-based, as Excel shows it
	ControlID       string
	Version         int                   // the response version the row was written from; -1 when that cell was changed
	Status          domain.ResponseStatus // "" when left blank
	Maturity        *int
	Narrative       string
	RemediationDate string // YYYY-MM-DD or ""
	Justification   string

	// Problems are what is wrong with the row's cells, in column order; a
	// cell that cannot be read leaves its field zero. A row with problems is
	// never applied.
	Problems []domain.Problem
	Repeated bool // the control was already given on an earlier row
}

// questionnaire is an uploaded questionnaire file read back.
type questionnaire struct {
	AssessmentID string
	Rows         []questionnaireRow
}

// readQuestionnaire reads an uploaded questionnaire. Files that are not a
// workbook, carry macros or a DOCTYPE, exceed MaxQuestionnaireBytes or are not an Assure
// questionnaire of this format are refused with a *domain.Error (EInvalid,
// or ETooLarge for size) whose message says why. Cells are not refused here:
// every bad cell becomes a domain.Problem of its row, located like "row 14
// (C52), status", with a message such as "'yes' is not one of implemented,
// partial, not_implemented, not_applicable", so that the caller can report
// them together with what it finds comparing the rows with Assure. An error
// reading r itself is returned wrapped.
func readQuestionnaire(r io.Reader) (questionnaire, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxQuestionnaireBytes+1))
	if err != nil {
		return questionnaire{}, fmt.Errorf("app: read questionnaire: %w", err)
	}
	if len(data) > MaxQuestionnaireBytes {
		return questionnaire{}, domain.Errorf(domain.ETooLarge, "the questionnaire is larger than %d MB", MaxQuestionnaireBytes>>20)
	}
	if err := qnCheckZip(data); err != nil {
		return questionnaire{}, err
	}
	return qnRead(data)
}

func qnNotWorkbook() error {
	return domain.Errorf(domain.EInvalid, "the file is not an Excel workbook (.xlsx)")
}

func qnMacros() error {
	return domain.Errorf(domain.EInvalid, "the workbook carries macros; save it as a plain .xlsx workbook")
}

// qnCheckZip refuses what is not an XLSX package, carries macros, ActiveX or
// OLE objects, or has an XML part with a DOCTYPE, before any spreadsheet
// parser sees it. What the parts are is read from the package's content
// types and relationships (domain.InspectOOXML), not from their names.
func qnCheckZip(data []byte) error {
	if bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) { // an OLE2 compound file
		return domain.Errorf(domain.EInvalid,
			"the file is an old-format (.xls) or password-protected workbook; save it as .xlsx without a password")
	}
	media, err := domain.InspectOOXML(bytes.NewReader(data), int64(len(data)))
	var refused *domain.OOXMLError
	switch {
	case errors.As(err, &refused):
		switch refused.Fault {
		case domain.OOXMLActive:
			return qnMacros()
		case domain.OOXMLDoctype:
			return domain.Errorf(domain.EInvalid,
				"the workbook has a DOCTYPE declaration in %s, which Assure refuses; save it again as a plain .xlsx workbook", refused.Part)
		case domain.OOXMLUntyped:
			return domain.Errorf(domain.EInvalid,
				"the workbook holds a part of no declared type (%s), as a damaged file or hidden macros would; save it again as a plain .xlsx workbook",
				refused.Part)
		case domain.OOXMLTooLarge:
			return domain.Errorf(domain.ETooLarge, "the workbook is too large unpacked: more than %d parts or %d MB of XML",
				domain.MaxOOXMLParts, domain.MaxOOXMLXMLBytes>>20)
		}
		return qnNotWorkbook()
	case err != nil:
		return fmt.Errorf("app: inspect workbook: %w", err)
	case media != domain.MediaTypeXLSX:
		return qnNotWorkbook()
	}
	return nil
}

// qnRead parses a checked package. A parser panic on a malformed file is a
// refusal like any other.
func qnRead(data []byte) (q questionnaire, err error) {
	defer func() {
		if recover() != nil {
			q, err = questionnaire{}, domain.Errorf(domain.EInvalid, "the workbook is damaged and cannot be read")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return q, qnNotWorkbook()
	}
	defer f.Close()
	meta := map[string]string{}
	if rows, err := f.GetRows(reports.QuestionnaireMetaSheet); err == nil {
		for _, r := range rows {
			if len(r) >= 2 {
				meta[r[0]] = strings.TrimSpace(r[1])
			}
		}
	}
	format, id := meta[reports.QuestionnaireMetaFormat], meta[reports.QuestionnaireMetaAssessment]
	switch {
	case format == "" || id == "":
		return q, domain.Errorf(domain.EInvalid, "this file is not an Assure questionnaire")
	case format != reports.QuestionnaireFormat:
		return q, domain.Errorf(domain.EInvalid, "questionnaire format %q is not supported; download a new questionnaire", format)
	}
	q.AssessmentID = id

	rows, err := f.GetRows(reports.QuestionnaireSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return q, domain.Errorf(domain.EInvalid, "the workbook has no %s sheet", reports.QuestionnaireSheet)
	}
	var header []string
	if len(rows) > 0 {
		header = rows[0]
	}
	cols, err := qnLocate(header)
	if err != nil {
		return q, err
	}
	props, _ := f.GetWorkbookProps()
	date1904 := props.Date1904 != nil && *props.Date1904
	firstRow := map[string]int{}
	for i := 1; i < len(rows); i++ {
		cell := func(c reports.QuestionnaireColumn) string {
			if at := cols[c]; at < len(rows[i]) {
				return strings.TrimSpace(rows[i][at])
			}
			return ""
		}
		blank := true
		for c := range cols {
			blank = blank && cell(reports.QuestionnaireColumn(c)) == ""
		}
		if blank {
			continue
		}
		row := qnParseRow(i+1, cell, date1904)
		if first, ok := firstRow[row.ControlID]; ok && row.ControlID != "" {
			row.Repeated = true
			row.Problems = append(row.Problems, domain.Problem{
				Location: qnLocation(row.Row, row.ControlID, "control id"),
				Message:  fmt.Sprintf("%s also appears in row %d", row.ControlID, first)})
		} else {
			firstRow[row.ControlID] = row.Row
		}
		q.Rows = append(q.Rows, row)
	}
	return q, nil
}

// qnLocate finds each column of the layout by its header text, so that the
// reader follows a column Excel moved. The header row may be in any language
// the questionnaire is written in, but in one only; a header row that was
// changed is refused, naming the columns missing in English.
func qnLocate(header []string) ([]int, error) {
	at := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, twice := at[h]; twice && h != "" {
			return nil, domain.Errorf(domain.EInvalid, "the %s sheet's header row was changed: %q appears twice",
				reports.QuestionnaireSheet, h)
		}
		at[h] = i
	}
	var missingEnglish []string
	for _, l := range domain.Languages {
		want, err := reports.QuestionnaireHeadersIn(l)
		if err != nil {
			return nil, fmt.Errorf("app: questionnaire headers: %w", err)
		}
		cols := make([]int, len(want))
		var missing []string
		for i, name := range want {
			j, ok := at[name]
			if !ok {
				missing = append(missing, name)
			}
			cols[i] = j
		}
		if len(missing) == 0 {
			return cols, nil
		}
		if l == domain.English {
			missingEnglish = missing
		}
	}
	return nil, domain.Errorf(domain.EInvalid, "the %s sheet's header row was changed: no column %s; download a new questionnaire",
		reports.QuestionnaireSheet, strings.Join(missingEnglish, ", "))
}

// qnLocation names a cell of the sheet: "row 14 (C52), status".
func qnLocation(row int, controlID, field string) string {
	if controlID == "" {
		return fmt.Sprintf("row %d, %s", row, field)
	}
	return fmt.Sprintf("row %d (%s), %s", row, controlID, field)
}

// qnParseRow reads one non-blank row numbered n, with the problems of its
// cells; cell returns a column's trimmed raw value.
func qnParseRow(n int, cell func(reports.QuestionnaireColumn) string, date1904 bool) questionnaireRow {
	row := questionnaireRow{Row: n, ControlID: cell(reports.QnControlID), Version: -1}
	add := func(field, format string, args ...any) {
		row.Problems = append(row.Problems, domain.Problem{Location: qnLocation(n, row.ControlID, field),
			Message: fmt.Sprintf(format, args...)})
	}
	if row.ControlID == "" {
		add("control id", "is empty; answers belong on the rows of the controls")
	}
	if v, ok := qnWhole(cell(reports.QnVersion)); ok && v >= 0 {
		row.Version = v
	} else {
		add("version", "the hidden Version column was changed; download a new questionnaire")
	}
	raw := cell(reports.QnStatus)
	if s, ok := qnParseStatus(raw); ok {
		row.Status = s
	} else {
		add("status", "'%s' is not one of %s", qnClip(raw), reports.QuestionnaireStatuses())
	}
	if raw := cell(reports.QnMaturity); raw != "" {
		if v, ok := qnWhole(raw); ok && v >= 0 && v <= 5 {
			row.Maturity = &v
		} else {
			add("maturity", "'%s' is not a whole number from 0 to 5", qnClip(raw))
		}
	}
	if raw := cell(reports.QnRemediationDate); raw != "" {
		if d, ok := qnDate(raw, date1904); ok {
			row.RemediationDate = d
		} else {
			add("remediation date", "'%s' is not a date (YYYY-MM-DD)", qnClip(raw))
		}
	}
	row.Narrative = reports.Unguard(cell(reports.QnNarrative))
	if len(row.Narrative) > domain.MaxNarrative {
		add("narrative", "must be at most %d characters", domain.MaxNarrative)
	}
	row.Justification = reports.Unguard(cell(reports.QnJustification))
	if len(row.Justification) > domain.MaxJustification {
		add("justification", "must be at most %d characters", domain.MaxJustification)
	}
	return row
}

// qnParseStatus reads a status as its code or its name in any language the
// questionnaire speaks, in any case: "not_implemented", "Not implemented",
// "Non mise en œuvre", "partial"; "" is a blank answer.
func qnParseStatus(s string) (domain.ResponseStatus, bool) {
	key := qnStatusKey(reports.Unguard(s))
	if key == "" {
		return "", true
	}
	st, ok := qnStatuses()[key]
	return st, ok
}

// qnStatusKey folds a status as typed for lookup: lower case, underscores
// and dashes as spaces, single spaces.
func qnStatusKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(s))), " ")
}

// qnStatuses maps every folded code and name of an answer to the answer;
// made once, from the catalogs.
var qnStatuses = sync.OnceValue(func() map[string]domain.ResponseStatus {
	out := map[string]domain.ResponseStatus{}
	for _, st := range domain.ResponseStatuses {
		out[qnStatusKey(string(st))] = st
	}
	// When the catalogs cannot be read, the codes are still understood.
	names, _ := reports.QuestionnaireStatusNames()
	for name, st := range names {
		out[qnStatusKey(name)] = st
	}
	return out
})

// qnWhole reads an integer as Excel stores it: "3" or "3.0".
func qnWhole(s string) (int, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1e9 {
		return 0, false
	}
	return int(v), true
}

// qnDate reads a date typed as text (YYYY-MM-DD) or stored as an Excel
// serial number.
func qnDate(s string, date1904 bool) (string, bool) {
	if d, err := domain.ParseDate(s); err == nil {
		return d.String(), true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 1 || v >= 2958466 { // 2958466 is 10000-01-01
		return "", false
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return "", false
	}
	return domain.DateOf(t).String(), true
}

// qnClip shortens a value quoted in a message.
func qnClip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
