package reports

import (
	"io"
	"strconv"
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
	Lang        domain.Language   // of the workbook's words; empty is English
}

// qnInstructions is the first sheet, the one a provider sees on opening the file.
const qnInstructions = "Instructions"

// qnInstructionsWidth is the width of the instructions' one column: what
// portrait A4 holds within its margins, so that the text prints at full size.
const qnInstructionsWidth = 92

// WriteQuestionnaire writes the offline questionnaire workbook in the
// language q.Lang: Instructions, the protected Questionnaire sheet pre-filled
// with the current answers, and the very hidden "assure" sheet naming the
// assessment. The sheets' names are the same in every language (the reader
// looks them up); the headers are translated, and the reader knows them in
// every language. It returns the first error of building the workbook or
// writing to w.
func WriteQuestionnaire(w io.Writer, q QuestionnaireData) error {
	p, err := printerFor(q.Lang)
	if err != nil {
		return err
	}
	b := newReportBook(p, p.T("Questionnaire: %s", q.Provider.LegalName),
		p.T("%s, assessment %s", q.Campaign.Name, q.Assessment.ID), qnInstructions, QuestionnaireSheet, QuestionnaireMetaSheet)
	// Sheet visibility touches every sheet, so it comes before any streaming.
	b.fail(b.f.SetSheetVisible(QuestionnaireMetaSheet, false, true))
	b.fail(b.f.ProtectWorkbook(&excelize.WorkbookProtectionOptions{LockStructure: true}))
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Creator: "Assure", Title: b.report, Language: string(p.Language())}))
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
	p := b.p
	s := b.sheet(qnInstructions)
	s.columns([]float64{qnInstructionsWidth}, []int{1}, nil)
	s.add(excelize.Cell{StyleID: b.title, Value: p.T("Assure self-assessment questionnaire")})
	s.skip(1)
	framework := q.Campaign.FrameworkID + " " + q.Campaign.FrameworkVersion
	if q.Framework != nil {
		framework = q.Framework.Title + " (" + q.Framework.ID + " " + q.Framework.Version + ")"
	}
	for _, line := range []string{
		p.T("Provider: %s (%s), licence %s", q.Provider.LegalName, q.Provider.ShortName, q.Provider.LicenceNumber),
		p.T("Campaign: %s, due %s", q.Campaign.Name, p.Date(q.Campaign.DueAt)),
		p.T("Framework: %s", framework),
		p.T("Assessment: %s", q.Assessment.ID),
		p.T("Generated: %s", p.Time(q.GeneratedAt)),
	} {
		s.add(line)
	}
	s.skip(1)
	s.add(excelize.Cell{StyleID: b.bold, Value: p.T("How to fill it in")})
	for _, line := range []string{
		p.T("1. On the Questionnaire sheet, answer each control in the columns %s, %s, %s, %s and %s. "+
			"The other columns (control ID and catalog text) are locked, and so is the sheet's layout: "+
			"do not rename sheets, move columns or change the header row.",
			b.qnHeader(QnStatus), b.qnHeader(QnMaturity), b.qnHeader(QnNarrative), b.qnHeader(QnRemediationDate),
			b.qnHeader(QnJustification)),
		p.T("2. %s: one of %s (choose from the list). Leave it blank for a control you have not answered yet.",
			b.qnHeader(QnStatus), QuestionnaireStatuses()),
		p.T("3. %s: a whole number from 0 (none) to 5 (optimised); it may be left blank.", b.qnHeader(QnMaturity)),
		p.T("4. %s: how the control is implemented. An implemented control needs a narrative or evidence.",
			b.qnHeader(QnNarrative)),
		p.T("5. %s: for partial and not_implemented, the planned date of remediation, in the future "+
			"(an Excel date, or text as YYYY-MM-DD).", b.qnHeader(QnRemediationDate)),
		p.T("6. %s: why the control does not apply; required for not_applicable.", b.qnHeader(QnJustification)),
		p.T("7. Text that begins with =, +, - or @ is shown with a leading apostrophe so that it is never run as a " +
			"formula; the apostrophe is removed on upload."),
		p.T("8. Evidence files are not part of this workbook: upload them in Assure."),
		p.T("9. Upload the saved workbook (.xlsx, at most %d MB, without macros) to POST /api/v1/assessments/%s/questionnaire. "+
			"Every row is checked and all problems are reported together; the hidden %s column tells Assure which "+
			"version of each answer the row was written from.", MaxQuestionnaireBytes>>20, q.Assessment.ID, b.qnHeader(QnVersion)),
	} {
		s.add(line)
	}
	s.close()
}

// qnHeader is a column's header in the workbook's language.
func (b *xlBook) qnHeader(c QuestionnaireColumn) string { return b.p.Say(qnColumns[c].name) }

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

	// Every text column wraps, so that rows grow to show the catalog's
	// text and the answers; the row heights are estimated as written.
	s := b.printedSheet(QuestionnaireSheet, true)
	var wrap []int
	for c := range qnColumns {
		if c != int(QnMaturity) && c != int(QnRemediationDate) && c != int(QnVersion) {
			wrap = append(wrap, c+1)
		}
	}
	s.columns(xlWidths(qnColumns[:]), wrap, []int{int(QnVersion) + 1})
	s.freezeHeader()
	s.printTitles()
	cols := make([]xlColumn, len(qnColumns))
	for i, c := range qnColumns {
		cols[i] = xlColumn{b.qnHeader(QuestionnaireColumn(i)), c.width}
	}
	s.header(cols)
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
	p := b.p
	status.SetError(excelize.DataValidationErrorStyleStop, b.qnHeader(QnStatus), p.T("Choose one of %s.", QuestionnaireStatuses()))

	maturity := excelize.NewDataValidation(true)
	maturity.Sqref = col(QnMaturity)
	s.fail(maturity.SetRange(0, 5, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
	maturity.SetError(excelize.DataValidationErrorStyleStop, b.qnHeader(QnMaturity), p.T("Enter a whole number from 0 to 5."))

	date := excelize.NewDataValidation(true)
	date.Sqref = col(QnRemediationDate)
	s.fail(date.SetRange(xlSerial(2000, 1, 1), xlSerial(2100, 12, 31),
		excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween))
	date.SetError(excelize.DataValidationErrorStyleStop, b.qnHeader(QnRemediationDate), p.T("Enter a date (YYYY-MM-DD)."))

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
