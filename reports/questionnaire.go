package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
)

// The offline questionnaire is a workbook a provider downloads, fills in and
// uploads. Its very hidden "assure" sheet says which assessment it belongs
// to; the hidden Version column says which version of each response a row
// was written from, so answers changed since can be told apart.

// QuestionnaireData is what the questionnaire for one assessment carries.
type QuestionnaireData struct {
	GeneratedAt time.Time
	Provider    domain.Provider
	Campaign    domain.Campaign
	Assessment  domain.Assessment
	Framework   *domain.Framework
	Responses   []domain.Response // the applicable controls, in catalog order, with current answers and versions
}

// QuestionnaireRow is one filled row read back.
type QuestionnaireRow struct {
	Row             int // the sheet row number, 1-based, as Excel shows it
	ControlID       string
	Version         int                   // the response version the row was written from
	Status          domain.ResponseStatus // "" when left blank
	Maturity        *int
	Narrative       string
	RemediationDate string // YYYY-MM-DD or ""
	Justification   string
}

// Questionnaire is a questionnaire file read back.
type Questionnaire struct {
	AssessmentID string
	Rows         []QuestionnaireRow
}

// qnInstructions is the first sheet, the one a provider sees on opening the file.
const qnInstructions = "Instructions"

// WriteQuestionnaire writes the offline questionnaire workbook: Instructions,
// the protected Questionnaire sheet pre-filled with the current answers, and
// the very hidden "assure" sheet naming the assessment. It returns the first
// error of building the workbook or writing to w.
func WriteQuestionnaire(w io.Writer, q QuestionnaireData) error {
	b := newXLBook(qnInstructions, QuestionnaireSheet, QuestionnaireMetaSheet)
	// Sheet visibility touches every sheet, so it comes before any streaming.
	b.fail(b.f.SetSheetVisible(QuestionnaireMetaSheet, false, true))
	b.fail(b.f.ProtectWorkbook(&excelize.WorkbookProtectionOptions{LockStructure: true}))
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Title: "Questionnaire " + q.Assessment.ID}))
	b.qnInstructions(q)
	b.qnAnswers(q)

	s := b.sheet(QuestionnaireMetaSheet, 16, 40)
	s.add(QuestionnaireMetaFormat, QuestionnaireFormat)
	s.add(QuestionnaireMetaAssessment, q.Assessment.ID)
	s.add("campaign_id", q.Campaign.ID)
	s.add("provider_id", q.Provider.ID)
	s.add("generated_at", q.GeneratedAt.UTC().Format(time.RFC3339))
	if q.Framework != nil {
		s.add("framework", q.Framework.ID+" "+q.Framework.Version)
	}
	s.close()
	return b.write(w)
}

func (b *xlBook) qnInstructions(q QuestionnaireData) {
	s := b.sheet(qnInstructions)
	s.columns([]float64{110}, []int{1}, nil)
	s.add(excelize.Cell{StyleID: b.title, Value: "Assure self-assessment questionnaire"})
	s.skip(1)
	framework := q.Campaign.FrameworkID + " " + q.Campaign.FrameworkVersion
	if q.Framework != nil {
		framework = q.Framework.Title + " (" + q.Framework.ID + " " + q.Framework.Version + ")"
	}
	for _, line := range []string{
		"Provider: " + q.Provider.LegalName + " (" + q.Provider.ShortName + "), licence " + q.Provider.LicenceNumber,
		"Campaign: " + q.Campaign.Name + ", due " + q.Campaign.DueAt.String(),
		"Framework: " + framework,
		"Assessment: " + q.Assessment.ID,
		"Generated: " + q.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"),
	} {
		s.add(line)
	}
	s.skip(1)
	s.add(excelize.Cell{StyleID: b.bold, Value: "How to fill it in"})
	for _, line := range []string{
		"1. On the Questionnaire sheet, answer each control in the columns Status, Maturity, Narrative, " +
			"Remediation date and Justification. The other columns (control ID and catalog text) are locked, " +
			"and so is the sheet's layout: do not rename sheets, move columns or change the header row.",
		"2. Status: one of " + QuestionnaireStatuses() + " (choose from the list). Leave it blank for a control you have not answered yet.",
		"3. Maturity: a whole number from 0 (none) to 5 (optimised); it may be left blank.",
		"4. Narrative: how the control is implemented. An implemented control needs a narrative or evidence.",
		"5. Remediation date: for partial and not_implemented, the planned date of remediation, in the future " +
			"(an Excel date, or text as YYYY-MM-DD).",
		"6. Justification: why the control does not apply; required for not_applicable.",
		"7. Text that begins with =, +, - or @ is shown with a leading apostrophe so that it is never run as a " +
			"formula; the apostrophe is removed on upload.",
		"8. Evidence files are not part of this workbook: upload them in Assure.",
		fmt.Sprintf("9. Upload the saved workbook (.xlsx, at most %d MB, without macros) to ", MaxQuestionnaireBytes>>20) +
			"POST /api/v1/assessments/" + q.Assessment.ID + "/questionnaire. Every row is checked and all " +
			"problems are reported together; the hidden Version column tells Assure which version of each " +
			"answer the row was written from.",
	} {
		s.add(line)
	}
	s.close()
}

func (b *xlBook) qnAnswers(q QuestionnaireData) {
	controls := map[string]domain.Control{}
	if q.Framework != nil {
		for _, c := range q.Framework.Controls {
			controls[c.ID] = c
		}
	}
	// Answer cells are unlocked, and tinted so that they stand out.
	text := b.wrap
	unlocked, tint := &excelize.Protection{Locked: false}, excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#FFF9E6"}}
	answer := b.style(&excelize.Style{Protection: unlocked, Fill: tint,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	dateFormat := xlDateFormat
	answerDate := b.style(&excelize.Style{Protection: unlocked, Fill: tint, CustomNumFmt: &dateFormat,
		Alignment: &excelize.Alignment{Vertical: "top"}})

	s := b.sheet(QuestionnaireSheet)
	s.columns(xlWidths(qnColumns[:]), nil, []int{int(QnVersion) + 1})
	s.freezeHeader()
	s.header(qnColumns[:])
	for _, r := range q.Responses {
		c := controls[r.ControlID]
		var maturity, date any
		if r.Maturity != nil {
			maturity = *r.Maturity
		}
		if r.RemediationDate != nil {
			date = r.RemediationDate.Time()
		}
		s.add(excelize.Cell{StyleID: text, Value: r.ControlID}, excelize.Cell{StyleID: text, Value: c.Section},
			excelize.Cell{StyleID: text, Value: c.Title}, excelize.Cell{StyleID: text, Value: c.Description},
			excelize.Cell{StyleID: text, Value: c.Question}, excelize.Cell{StyleID: text, Value: c.Evidence},
			excelize.Cell{StyleID: answer, Value: string(r.Status)}, excelize.Cell{StyleID: answer, Value: maturity},
			excelize.Cell{StyleID: answer, Value: r.Narrative}, excelize.Cell{StyleID: answerDate, Value: date},
			excelize.Cell{StyleID: answer, Value: r.Justification}, r.Version)
	}
	if n := len(q.Responses); n > 0 {
		b.qnValidations(s, strconv.Itoa(n+1))
	}
	if s.err == nil {
		s.fail(b.f.ProtectSheet(QuestionnaireSheet, &excelize.SheetProtectionOptions{
			SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true}))
	}
	s.close()
}

// qnValidations adds the answer columns' drop-down and range checks down to row last.
func (b *xlBook) qnValidations(s *xlSheet, last string) {
	col := func(c QuestionnaireColumn) string {
		name, _ := excelize.ColumnNumberToName(int(c) + 1)
		return name + "2:" + name + last
	}
	status := excelize.NewDataValidation(true)
	status.Sqref = col(QnStatus)
	var statuses []string
	for _, st := range domain.ResponseStatuses {
		statuses = append(statuses, string(st))
	}
	s.fail(status.SetDropList(statuses))
	status.SetError(excelize.DataValidationErrorStyleStop, "Status", "Choose one of "+QuestionnaireStatuses()+".")

	maturity := excelize.NewDataValidation(true)
	maturity.Sqref = col(QnMaturity)
	s.fail(maturity.SetRange(0, 5, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
	maturity.SetError(excelize.DataValidationErrorStyleStop, "Maturity", "Enter a whole number from 0 to 5.")

	date := excelize.NewDataValidation(true)
	date.Sqref = col(QnRemediationDate)
	s.fail(date.SetRange(xlSerial(2000, 1, 1), xlSerial(2100, 12, 31),
		excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween))
	date.SetError(excelize.DataValidationErrorStyleStop, "Remediation date", "Enter a date (YYYY-MM-DD).")

	for _, dv := range []*excelize.DataValidation{status, maturity, date} {
		if s.err == nil {
			s.fail(b.f.AddDataValidation(QuestionnaireSheet, dv))
		}
	}
}

// xlSerial returns the day's serial number in Excel's 1900 date system.
func xlSerial(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// ReadQuestionnaire reads an uploaded questionnaire. Files that are not a
// workbook, carry macros, exceed MaxQuestionnaireBytes or are not an Assure
// questionnaire are refused with a *domain.Error (EInvalid, or ETooLarge for
// size) whose message says why. Values are checked whole: every bad cell is
// a domain.Problem located like "row 14 (C52), status", with a message such as
// "'yes' is not one of implemented, partial, not_implemented, not_applicable";
// all problems come back at once in one EInvalid error. An error reading r
// itself is returned wrapped.
func ReadQuestionnaire(r io.Reader) (Questionnaire, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxQuestionnaireBytes+1))
	if err != nil {
		return Questionnaire{}, fmt.Errorf("reports: read questionnaire: %w", err)
	}
	if len(data) > MaxQuestionnaireBytes {
		return Questionnaire{}, domain.Errorf(domain.ETooLarge, "the questionnaire is larger than %d MB", MaxQuestionnaireBytes>>20)
	}
	if err := qnCheckZip(data); err != nil {
		return Questionnaire{}, err
	}
	return qnRead(data)
}

func qnNotWorkbook() error {
	return domain.Errorf(domain.EInvalid, "the file is not an Excel workbook (.xlsx)")
}

// qnCheckZip refuses what is not an XLSX package, or carries macros,
// before any spreadsheet parser sees it.
func qnCheckZip(data []byte) error {
	if bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) {
		return domain.Errorf(domain.EInvalid,
			"the file is an old-format (.xls) or password-protected workbook; save it as .xlsx without a password")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return qnNotWorkbook()
	}
	var types *zip.File
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if path.Base(name) == "vbaproject.bin" {
			return domain.Errorf(domain.EInvalid, "the workbook carries macros; save it as a plain .xlsx workbook")
		}
		if name == "[content_types].xml" {
			types = f
		}
	}
	if types == nil {
		return qnNotWorkbook()
	}
	rc, err := types.Open()
	if err != nil {
		return qnNotWorkbook()
	}
	defer rc.Close()
	content, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return qnNotWorkbook()
	}
	lower := bytes.ToLower(content)
	if bytes.Contains(lower, []byte("macroenabled")) || bytes.Contains(lower, []byte("vbaproject")) {
		return domain.Errorf(domain.EInvalid, "the workbook carries macros; save it as a plain .xlsx workbook")
	}
	if !bytes.Contains(lower, []byte("spreadsheetml")) {
		return qnNotWorkbook()
	}
	return nil
}

// qnRead parses a checked package. A parser panic on a malformed
// file is a refusal like any other.
func qnRead(data []byte) (q Questionnaire, err error) {
	defer func() {
		if recover() != nil {
			q, err = Questionnaire{}, domain.Errorf(domain.EInvalid, "the workbook is damaged and cannot be read")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return q, qnNotWorkbook()
	}
	defer f.Close()
	notOurs := domain.Errorf(domain.EInvalid, "this file is not an Assure questionnaire")
	meta := map[string]string{}
	if rows, err := f.GetRows(QuestionnaireMetaSheet); err == nil {
		for _, r := range rows {
			if len(r) >= 2 {
				meta[r[0]] = strings.TrimSpace(r[1])
			}
		}
	}
	switch {
	case meta[QuestionnaireMetaFormat] == "" || meta[QuestionnaireMetaAssessment] == "":
		return q, notOurs
	case meta[QuestionnaireMetaFormat] != QuestionnaireFormat:
		return q, domain.Errorf(domain.EInvalid, "questionnaire format %q is not supported; download a new questionnaire", meta[QuestionnaireMetaFormat])
	}
	q.AssessmentID = meta[QuestionnaireMetaAssessment]

	rows, err := f.GetRows(QuestionnaireSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return q, domain.Errorf(domain.EInvalid, "the workbook has no %s sheet", QuestionnaireSheet)
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
	var problems []domain.Problem
	seen := map[string]int{}
	for i := 1; i < len(rows); i++ {
		cell := func(c QuestionnaireColumn) string {
			if at := cols[c]; at < len(rows[i]) {
				return strings.TrimSpace(rows[i][at])
			}
			return ""
		}
		blank := true
		for c := range qnColumns {
			blank = blank && cell(QuestionnaireColumn(c)) == ""
		}
		if blank {
			continue
		}
		row, rowProblems := qnParseRow(i+1, cell, date1904)
		if first, ok := seen[row.ControlID]; ok && row.ControlID != "" {
			rowProblems = append(rowProblems, domain.Problem{
				Location: qnLocation(row.Row, row.ControlID, "control id"),
				Message:  fmt.Sprintf("%s also appears in row %d", row.ControlID, first)})
		} else {
			seen[row.ControlID] = row.Row
		}
		problems = append(problems, rowProblems...)
		q.Rows = append(q.Rows, row)
	}
	if len(problems) > 0 {
		return Questionnaire{}, domain.Invalid("the questionnaire's answers are not valid", problems)
	}
	return q, nil
}

// qnLocate finds each column by its header text, and refuses a header row
// that was changed.
func qnLocate(header []string) ([]int, error) {
	at := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, twice := at[h]; twice && h != "" {
			return nil, domain.Errorf(domain.EInvalid, "the %s sheet's header row was changed: %q appears twice", QuestionnaireSheet, h)
		}
		at[h] = i
	}
	cols := make([]int, len(qnColumns))
	var missing []string
	for i, c := range qnColumns {
		j, ok := at[c.name]
		if !ok {
			missing = append(missing, c.name)
		}
		cols[i] = j
	}
	if len(missing) > 0 {
		return nil, domain.Errorf(domain.EInvalid, "the %s sheet's header row was changed: no column %s; download a new questionnaire",
			QuestionnaireSheet, strings.Join(missing, ", "))
	}
	return cols, nil
}

// qnLocation names a cell of the sheet: "row 14 (C52), status".
func qnLocation(row int, controlID, field string) string {
	if controlID == "" {
		return fmt.Sprintf("row %d, %s", row, field)
	}
	return fmt.Sprintf("row %d (%s), %s", row, controlID, field)
}

// qnParseRow reads one non-blank row; cell returns a column's trimmed raw value.
func qnParseRow(n int, cell func(QuestionnaireColumn) string, date1904 bool) (QuestionnaireRow, []domain.Problem) {
	row := QuestionnaireRow{Row: n, ControlID: cell(QnControlID)}
	var problems []domain.Problem
	add := func(field, format string, args ...any) {
		problems = append(problems, domain.Problem{Location: qnLocation(n, row.ControlID, field), Message: fmt.Sprintf(format, args...)})
	}
	if row.ControlID == "" {
		add("control id", "is empty; answers belong on the rows of the controls")
	}
	if v, ok := qnWhole(cell(QnVersion)); ok && v >= 0 {
		row.Version = v
	} else {
		add("version", "the hidden Version column was changed; download a new questionnaire")
	}
	raw := cell(QnStatus)
	if s, ok := qnParseStatus(raw); ok {
		row.Status = s
	} else {
		add("status", "'%s' is not one of %s", qnClip(raw), QuestionnaireStatuses())
	}
	if raw := cell(QnMaturity); raw != "" {
		if v, ok := qnWhole(raw); ok && v >= 0 && v <= 5 {
			row.Maturity = &v
		} else {
			add("maturity", "'%s' is not a whole number from 0 to 5", qnClip(raw))
		}
	}
	if raw := cell(QnRemediationDate); raw != "" {
		if d, ok := qnDate(raw, date1904); ok {
			row.RemediationDate = d
		} else {
			add("remediation date", "'%s' is not a date (YYYY-MM-DD)", qnClip(raw))
		}
	}
	row.Narrative = Unguard(cell(QnNarrative))
	if len(row.Narrative) > domain.MaxNarrative {
		add("narrative", "must be at most %d characters", domain.MaxNarrative)
	}
	row.Justification = Unguard(cell(QnJustification))
	if len(row.Justification) > domain.MaxJustification {
		add("justification", "must be at most %d characters", domain.MaxJustification)
	}
	return row, problems
}

// qnParseStatus reads a status as its code or its label, in any case:
// "not_implemented", "Not implemented"; "" is a blank answer.
func qnParseStatus(s string) (domain.ResponseStatus, bool) {
	words := strings.Fields(strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(Unguard(s))))
	switch strings.Join(words, " ") {
	case "":
		return "", true
	case "implemented":
		return domain.Implemented, true
	case "partial", "partially implemented":
		return domain.Partial, true
	case "not implemented":
		return domain.NotImplemented, true
	case "not applicable":
		return domain.NotApplicable, true
	}
	return "", false
}

// qnWhole reads an integer as Excel stores it: "3" or "3.0".
func qnWhole(s string) (int, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1e9 {
		return 0, false
	}
	return int(v), true
}

// qnDate reads a date typed as text (YYYY-MM-DD) or stored as an
// Excel serial number.
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
