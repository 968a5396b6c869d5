package reports

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/reports/officetest"
)

// xlPrintedBooks are the workbooks whose printing is checked, each with the
// sheets that are tables (a header row that repeats on every page).
func xlPrintedBooks(t *testing.T) []struct {
	name   string
	data   []byte
	tables []string
} {
	d := xlAssessment(t)
	d.Responses[5].Narrative = strings.Repeat("Reviewed by internal audit. ", 12)
	var assessment, sector bytes.Buffer
	if err := WriteAssessmentXLSX(&assessment, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteSectorXLSX(&sector, xlSector(t, 12), xlRowSource(t, 3, 10), nil); err != nil {
		t.Fatal(err)
	}
	return []struct {
		name   string
		data   []byte
		tables []string
	}{
		{"assessment", assessment.Bytes(), []string{"Responses", "Evidence", "Findings", "Risk register"}},
		{"sector", sector.Bytes(), []string{"Submission status", "Priorities", "Dimensions", "Stages", "Overdue findings",
			"Responses"}},
		{"questionnaire", qnWrite(t, qnData(t)), []string{QuestionnaireSheet}},
	}
}

// TestWorkbooksPrint reads the page setup of every sheet back: A4, one page
// wide, margins, the report named in the header and page numbers in the
// footer; table sheets repeat and freeze their header row.
func TestWorkbooksPrint(t *testing.T) {
	for _, book := range xlPrintedBooks(t) {
		t.Run(book.name, func(t *testing.T) {
			f := xlOpen(t, book.data)
			titles := map[string]string{}
			for _, n := range f.GetDefinedName() {
				if n.Name == "_xlnm.Print_Titles" {
					titles[n.Scope] = n.RefersTo
				}
			}
			for _, sheet := range f.GetSheetList() {
				if sheet == QuestionnaireMetaSheet {
					continue // never shown, never printed
				}
				layout, err := f.GetPageLayout(sheet)
				if err != nil {
					t.Fatal(err)
				}
				if layout.Size == nil || *layout.Size != xlPaperA4 || layout.FitToWidth == nil || *layout.FitToWidth != 1 ||
					layout.FitToHeight == nil || *layout.FitToHeight != 0 || layout.Orientation == nil {
					t.Errorf("%s page layout = %+v, want A4, one page wide and as long as needed", sheet, layout)
				}
				props, err := f.GetSheetProps(sheet)
				if err != nil || props.FitToPage == nil || !*props.FitToPage {
					t.Errorf("%s does not fit to the page (%v)", sheet, err)
				}
				margins, err := f.GetPageMargins(sheet)
				if err != nil || margins.Left == nil || *margins.Left != xlMarginSide || margins.Top == nil ||
					*margins.Top != xlMarginTopBottom {
					t.Errorf("%s margins = %+v (%v)", sheet, margins, err)
				}
				hf, err := f.GetHeaderFooter(sheet)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(hf.OddHeader, "Mobile Money Ltd") && !strings.Contains(hf.OddHeader, "Cyber resilience 2027") {
					t.Errorf("%s header %q does not name the report", sheet, hf.OddHeader)
				}
				if !strings.Contains(hf.OddFooter, "Page &P of &N") {
					t.Errorf("%s footer %q has no page numbers", sheet, hf.OddFooter)
				}
				if !slices.Contains(book.tables, sheet) {
					continue
				}
				if want := "'" + sheet + "'!$1:$1"; titles[sheet] != want {
					t.Errorf("%s print titles = %q, want %q", sheet, titles[sheet], want)
				}
				xlFrozen(t, f, sheet)
			}
		})
	}
}

func TestWideSheetsPrintLandscape(t *testing.T) {
	f := xlOpen(t, xlPrintedBooks(t)[0].data)
	for sheet, want := range map[string]string{"Summary": "portrait", "Responses": "landscape", "Risk register": "landscape",
		"Findings": "landscape", "Evidence": "landscape"} {
		layout, _ := f.GetPageLayout(sheet)
		if layout.Orientation == nil || *layout.Orientation != want {
			t.Errorf("%s orientation = %v, want %s", sheet, layout.Orientation, want)
		}
	}
}

// TestRowsFitTheirText checks that a row whose text wraps is as tall as the
// estimate of its lines, and that a row of short text keeps the default.
func TestRowsFitTheirText(t *testing.T) {
	books := xlPrintedBooks(t)
	f := xlOpen(t, books[0].data)
	p := xlEnglish(t)
	cols := xlResponseColumns(p)
	narrative := strings.Repeat("Reviewed by internal audit. ", 12) // as xlPrintedBooks writes it on row 7
	lines := int(math.Ceil(float64(len(narrative)) / cols[6].width))
	if lines < 4 {
		t.Fatalf("the test's narrative takes %d lines; it should take several", lines)
	}
	if got, err := f.GetRowHeight("Responses", 7); err != nil || got < float64(lines*xlLinePoints) {
		t.Errorf("row of a %d-line narrative is %v points high (%v), want at least %d", lines, got, err, lines*xlLinePoints)
	}
	if got, _ := f.GetRowHeight("Responses", 3); got > 2*xlLinePoints {
		t.Errorf("row of short text is %v points high, want one or two lines", got)
	}
	// The header of a narrow column wraps its name onto more lines.
	if got, _ := f.GetRowHeight("Responses", 1); got < 2*xlLinePoints {
		t.Errorf("header row is %v points high; 'Remediation date' needs two lines", got)
	}
	// The questionnaire's rows grow with the catalog's text.
	q := xlOpen(t, books[2].data)
	if got, _ := q.GetRowHeight(QuestionnaireSheet, 2); got < 2*xlLinePoints {
		t.Errorf("questionnaire row 2 is %v points high; its description needs several lines", got)
	}
}

func TestLinesEstimate(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1}, {"short", 10, 1}, {strings.Repeat("x", 10), 10, 1}, {strings.Repeat("x", 11), 10, 2},
		{"one\ntwo\nthree", 40, 3}, {strings.Repeat("é", 25), 10, 3}, // characters, not bytes
	} {
		if got := xlLines(c.text, c.width); got != c.want {
			t.Errorf("xlLines(%q, %v) = %d, want %d", c.text, c.width, got, c.want)
		}
	}
	if got := xlRowHeight(1000); got > 409 {
		t.Errorf("a row of 1000 lines is %v points high; Excel allows at most 409", got)
	}
}

// TestWorkbooksSpeakWords checks that kinds, states, verdicts and levels are
// written as words, that a level's colour comes with its name, and that
// counts take the right plural.
func TestWorkbooksSpeakWords(t *testing.T) {
	d := xlAssessment(t)
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	f := xlOpen(t, buf.Bytes())
	rows := xlRows(t, f, "Summary")
	value := func(label string) string { return rows[xlLabelRow(t, rows, label)-1][1] }
	for label, want := range map[string]string{"Kind": "Mobile money operator", "Status": "Approved",
		"Tier": "Tier 1 (systemic)", "Basis": "The answers as filed", "Numbers taken from": "Approved"} {
		if got := value(label); got != want {
			t.Errorf("%s = %q, want %q", label, got, want)
		}
	}
	applicable := 0
	for _, tr := range d.Risk.Threats {
		if tr.Applicable {
			applicable++
		}
	}
	if got, want := value("Applicable threats"), strconv.Itoa(applicable)+" threats apply"; got != want {
		t.Errorf("applicable threats = %q, want %q", got, want)
	}
	for _, l := range domain.RiskLevels {
		r := xlLabelRow(t, rows, "Applicable threats at residual level "+xlEnglish(t).Name(l))
		if got := rows[r-1][2]; got != xlEnglish(t).Name(l) {
			t.Errorf("the %s count's swatch says %q, want the level's name", l, got)
		}
		if got := xlFill(t, f, "Summary", "C"+strconv.Itoa(r)); got != LevelFill(l) {
			t.Errorf("the %s swatch is %s, want %s", l, got, LevelFill(l))
		}
	}
	responses := xlRows(t, f, "Responses")
	if got := responses[1][4]; got != "Implemented" {
		t.Errorf("status = %q, want it in words", got)
	}
	if got := responses[1][9]; got != "Accepted" {
		t.Errorf("verdict = %q, want it in words", got)
	}
	if got := responses[4][10]; got != "Which vendor?" {
		t.Errorf("verdict comment = %q", got)
	}
	findings := xlRows(t, f, "Findings")
	if got := findings[1][2:4]; !slices.Equal(got, []string{"High", "Open"}) {
		t.Errorf("finding severity and status = %q, want words", got)
	}
	if got := xlFill(t, f, "Findings", "C2"); got != LevelFill(domain.LevelHigh) {
		t.Errorf("severity fill = %s, want the high level's", got)
	}

	s := xlSector(t, 1)
	s.MatrixProviders, s.MatrixMissing, s.Matrix = 1, 0, [5][5]int{}
	s.Matrix[2][3] = 1
	buf.Reset()
	if err := WriteSectorXLSX(&buf, s, xlRowSource(t, 1, 4), nil); err != nil {
		t.Fatal(err)
	}
	f = xlOpen(t, buf.Bytes())
	rows = xlRows(t, f, "Summary")
	if got, want := value("In short"), "1 provider in the campaign: 1 in the risk matrix, 0 without numbers on this basis."; got != want {
		t.Errorf("in short = %q, want %q", got, want)
	}
	if xlLabelRow(t, rows, "Residual risk matrix: 1 provider–threat pair") == 0 {
		t.Error("the matrix title has the wrong plural")
	}
	status := xlRows(t, f, "Submission status")
	if got := status[1][2]; got != "Bank" {
		t.Errorf("kind = %q, want it in words", got)
	}
	if got := status[1][5]; got != "Filed on time" {
		t.Errorf("filing = %q, want it in words", got)
	}
	if got := xlRows(t, f, "Priorities")[1][2]; got != "Bank" {
		t.Errorf("priorities kind = %q, want it in words", got)
	}
}

// TestFrenchWorkbooks checks that a French workbook is French: its sheets,
// headings, labels and the names of kinds, states and levels.
func TestFrenchWorkbooks(t *testing.T) {
	d := xlAssessment(t)
	d.Lang = domain.French
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	f := xlOpen(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{"Synthèse", "Réponses", "Preuves", "Constats", "Registre des risques"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	rows := xlRows(t, f, "Synthèse")
	if got := rows[0][0]; got != "Évaluation de Mobile Money Ltd" {
		t.Errorf("title = %q", got)
	}
	value := func(label string) string { return rows[xlLabelRow(t, rows, label)-1][1] }
	for label, want := range map[string]string{"Type": "Opérateur de monnaie mobile", "État": "Approuvée",
		"Niveau": "Niveau 1 (systémique)"} {
		if got := value(label); got != want {
			t.Errorf("%s = %q, want %q", label, got, want)
		}
	}
	if got := xlRows(t, f, "Réponses")[0][:3]; !slices.Equal(got, []string{"N° de contrôle", "Section", "Titre"}) {
		t.Errorf("responses header = %q", got)
	}
	if got := xlRows(t, f, "Réponses")[1][4]; got != "Mise en œuvre" {
		t.Errorf("status = %q, want French", got)
	}
	risk := xlRows(t, f, "Registre des risques")
	levels := map[string]bool{"Faible": true, "Moyenne": true, "Élevée": true, "Critique": true}
	if got := risk[1][10]; !levels[got] {
		t.Errorf("level = %q, want a French level", got)
	}
	hf, _ := f.GetHeaderFooter("Réponses")
	if !strings.Contains(hf.OddFooter, "Page &P sur &N") || !strings.Contains(hf.OddHeader, "Évaluation de Mobile Money Ltd") {
		t.Errorf("header and footer = %q, %q, want French", hf.OddHeader, hf.OddFooter)
	}
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" && n.Scope == "Registre des risques" && n.RefersTo != "'Registre des risques'!$1:$1" {
			t.Errorf("print titles of the French register = %q", n.RefersTo)
		}
	}

	s := xlSector(t, 4)
	s.Lang = domain.French
	buf.Reset()
	if err := WriteSectorXLSX(&buf, s, xlRowSource(t, 2, 4), nil); err != nil {
		t.Fatal(err)
	}
	f = xlOpen(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{"Synthèse", "État des dépôts", "Priorités", "Dimensions", "Étapes",
		"Constats en retard", "Réponses"}; !slices.Equal(got, want) {
		t.Fatalf("sector sheets = %q, want %q", got, want)
	}
	status := xlRows(t, f, "État des dépôts")
	if got := status[0][0]; got != "Prestataire" {
		t.Errorf("status header = %q", got)
	}
	if got := status[4][5]; got != "Non déposé" {
		t.Errorf("filing of a provider that did not file = %q", got)
	}
	if got := xlRows(t, f, "Dimensions")[4][1]; got != "non déposé" {
		t.Errorf("overall of a provider without numbers = %q, want non déposé", got)
	}
	rows = xlRows(t, f, "Synthèse")
	if got, want := rows[xlLabelRow(t, rows, "En bref")-1][1],
		"4 prestataires dans la campagne : 3 dans la matrice des risques, 1 sans chiffres sur cette base."; got != want {
		t.Errorf("en bref = %q, want %q", got, want)
	}
}

// TestNotFiledIsNotZero checks that a provider without numbers reads "not
// filed" wherever the sector workbook would give it a number, and that one
// whose compliance is really 0 % keeps its 0.
func TestNotFiledIsNotZero(t *testing.T) {
	d := xlSector(t, 3)
	zero := 0.0
	last := &d.Providers[2]
	// What the store hands over for a provider that never filed may carry
	// zeroes; they are not its numbers.
	last.Overall, last.MaxScore = &zero, 0
	last.Dimensions[d.Framework.Dimensions[0].ID] = &zero
	d.Priorities[2].Filed, d.Priorities[2].RiskIndex = false, 0
	var buf bytes.Buffer
	if err := WriteSectorXLSX(&buf, d, xlRowSource(t, 1, 1), nil); err != nil {
		t.Fatal(err)
	}
	f := xlOpen(t, buf.Bytes())
	for sheet, want := range map[string][]string{"Dimensions": {"Provider 0002", "not filed"},
		"Stages": {"Provider 0002", "not filed"}} {
		if got := xlRows(t, f, sheet)[3]; !slices.Equal(got, want) {
			t.Errorf("%s row of the provider without numbers = %q, want %q", sheet, got, want)
		}
	}
	if got := xlRows(t, f, "Priorities")[3][5]; got != "not filed" {
		t.Errorf("risk index of a provider that has not filed = %q, want not filed", got)
	}
	// Provider 0000 has a real 0 % overall.
	if got := xlNumber(t, f, "Dimensions", "B2"); got != 0 {
		t.Errorf("a real 0 %% compliance = %v", got)
	}
	if got, _ := f.GetCellValue("Dimensions", "B2"); got != "0.0%" {
		t.Errorf("a real 0 %% compliance shows %q", got)
	}
}

// soffice converts a workbook with LibreOffice headless to the given
// filter's format and returns the new file. LibreOffice is a dependency of
// the tests (scripts/test-deps.sh installs it): without it the test fails.
func soffice(t *testing.T, data []byte, ext, filter string) []byte {
	t.Helper()
	return officetest.Read(t, officetest.Convert(t, data, "in.xlsx", ext+":"+filter), "in."+ext)
}

// sofficeCSV has LibreOffice export every sheet of a workbook as CSV (the
// sheet option -1, LibreOffice 7.2 and later) and returns each sheet's rows
// by sheet name.
func sofficeCSV(t *testing.T, data []byte, sheets []string) map[string][][]string {
	t.Helper()
	// Comma-separated, double quotes, UTF-8, from line 1, every sheet.
	out := officetest.Convert(t, data, "in.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
	got := map[string][][]string{}
	for _, sheet := range sheets {
		rows, err := csv.NewReader(bytes.NewReader(officetest.Read(t, out, "in-"+sheet+".csv"))).ReadAll()
		if err != nil {
			t.Fatalf("CSV of %s: %v", sheet, err)
		}
		got[sheet] = rows
	}
	return got
}

// TestWorkbooksSurviveLibreOffice has LibreOffice open each report and save
// it again, and checks that the key numbers are still numbers, with their
// values: compliance percentages, counts, scores, dates.
func TestWorkbooksSurviveLibreOffice(t *testing.T) {
	d := xlAssessment(t)
	s := xlSector(t, 12)
	t.Run("sector as CSV", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := WriteSectorXLSX(&buf, s, xlRowSource(t, 3, 10), nil); err != nil {
			t.Fatal(err)
		}
		sheets := sofficeCSV(t, buf.Bytes(), []string{"Summary", "Dimensions", "Priorities"})
		// LibreOffice writes a percentage cell as a percentage and a text
		// cell as its text: 7 % is a number, "not filed" is not.
		for i, row := range sheets["Dimensions"][1:] {
			p := s.Providers[i]
			if p.Overall == nil {
				if row[1] != "not filed" {
					t.Errorf("%s overall = %q, want not filed", p.Name, row[1])
				}
				continue
			}
			if want := strconv.Itoa(int(math.Round(*p.Overall*100))) + "%"; row[1] != want {
				t.Errorf("%s overall = %q, want %q", p.Name, row[1], want)
			}
		}
		for i, row := range sheets["Priorities"][1:] {
			v, err := strconv.ParseFloat(row[4], 64)
			if err != nil || math.Abs(v-s.Priorities[i].Priority) > 1e-9 {
				t.Errorf("priority of %s = %q, want %v", row[1], row[4], s.Priorities[i].Priority)
			}
		}
		found := false
		for _, row := range sheets["Summary"] {
			if len(row) > 1 && row[0] == "Providers" {
				found = row[1] == "12"
			}
		}
		if !found {
			t.Errorf("the summary's provider count did not come through: %q", sheets["Summary"])
		}
	})
	t.Run("assessment", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := WriteAssessmentXLSX(&buf, d); err != nil {
			t.Fatal(err)
		}
		f := xlOpen(t, soffice(t, buf.Bytes(), "xlsx", "Calc MS Excel 2007 XML"))
		rows := xlRows(t, f, "Summary")
		cell := func(label string) string { return "B" + strconv.Itoa(xlLabelRow(t, rows, label)) }
		overall, _ := d.Risk.Overall().Value()
		if got := xlNumber(t, f, "Summary", cell("Overall compliance")); math.Abs(got-overall) > 1e-9 {
			t.Errorf("overall compliance = %v, want %v", got, overall)
		}
		if got, _ := f.GetCellValue("Summary", cell("Overall compliance")); !strings.HasSuffix(got, "%") {
			t.Errorf("overall compliance shows %q, want a percentage", got)
		}
		if got := xlNumber(t, f, "Summary", cell("Submission version")); got != 2 {
			t.Errorf("submission version = %v", got)
		}
		at, _ := excelize.ExcelDateToTime(xlNumber(t, f, "Summary", cell("Submitted at (UTC)")), false)
		if !at.Equal(d.Submission.SubmittedAt) {
			t.Errorf("submitted at = %v, want %v", at, d.Submission.SubmittedAt)
		}
		if got, _ := f.GetCellValue("Summary", cell("Submitted at (UTC)")); got != "2027-04-01 16:45:00" {
			t.Errorf("submitted at shows %q", got)
		}
		register := xlRows(t, f, "Risk register")
		for i, tr := range d.Risk.Threats {
			if !tr.Applicable {
				continue
			}
			if got := xlNumber(t, f, "Risk register", "J"+strconv.Itoa(i+2)); int(got) != tr.Score {
				t.Errorf("%s score = %v, want %d", tr.ThreatID, got, tr.Score)
			}
			if got := xlNumber(t, f, "Risk register", "G"+strconv.Itoa(i+2)); math.Abs(got-tr.Coverage()) > 1e-9 {
				t.Errorf("%s coverage = %v, want %v", tr.ThreatID, got, tr.Coverage())
			}
			if got := register[i+1][10]; got != xlEnglish(t).Name(tr.Level) {
				t.Errorf("%s level = %q", tr.ThreatID, got)
			}
		}
		if got := xlNumber(t, f, "Responses", "L2"); got != 2 {
			t.Errorf("evidence files = %v", got)
		}
		if got := xlNumber(t, f, "Evidence", "C2"); got != 183204 {
			t.Errorf("evidence size = %v", got)
		}
		// The print setup survives too. (Frozen panes do not: LibreOffice's
		// headless conversion keeps no view settings of any workbook, ours
		// or its own, so they are checked on the file as written.)
		layout, _ := f.GetPageLayout("Responses")
		if layout.Size == nil || *layout.Size != xlPaperA4 || layout.Orientation == nil || *layout.Orientation != "landscape" ||
			layout.FitToWidth == nil || *layout.FitToWidth != 1 {
			t.Errorf("responses page layout after LibreOffice = %+v", layout)
		}
		titles := false
		for _, n := range f.GetDefinedName() {
			titles = titles || (n.Name == "_xlnm.Print_Titles" && n.Scope == "Responses" && strings.HasSuffix(n.RefersTo, "!$1:$1"))
		}
		if !titles {
			t.Errorf("the responses' print titles were lost: %+v", f.GetDefinedName())
		}
	})
	t.Run("sector", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := WriteSectorXLSX(&buf, s, xlRowSource(t, 3, 10), nil); err != nil {
			t.Fatal(err)
		}
		f := xlOpen(t, soffice(t, buf.Bytes(), "xlsx", "Calc MS Excel 2007 XML"))
		rows := xlRows(t, f, "Summary")
		cell := func(label string) string { return "B" + strconv.Itoa(xlLabelRow(t, rows, label)) }
		for label, want := range map[string]float64{"Providers": 12, "Filed on time": 6, "Filed late": 3, "Not filed": 3,
			"Providers in the risk matrix": 11, "Providers without numbers": 1} {
			if got := xlNumber(t, f, "Summary", cell(label)); got != want {
				t.Errorf("%s = %v, want %v", label, got, want)
			}
		}
		top := xlCellRow(t, rows, 1, "Likelihood \\ Impact") + 1
		for k := range 5 {
			for i := range 5 {
				ref, _ := excelize.CoordinatesToCellName(3+i, top+k)
				if got := xlNumber(t, f, "Summary", ref); int(got) != s.Matrix[4-k][i] {
					t.Errorf("matrix L%d I%d = %v, want %d", 5-k, i+1, got, s.Matrix[4-k][i])
				}
			}
		}
		for i, p := range s.Providers[:len(s.Providers)-1] {
			if got := xlNumber(t, f, "Dimensions", "B"+strconv.Itoa(i+2)); math.Abs(got-*p.Overall) > 1e-9 {
				t.Errorf("%s overall = %v, want %v", p.Name, got, *p.Overall)
			}
			if got := xlNumber(t, f, "Stages", "B"+strconv.Itoa(i+2)); int(got) != p.MaxScore {
				t.Errorf("%s highest score = %v, want %d", p.Name, got, p.MaxScore)
			}
		}
		if got, _ := f.GetCellValue("Dimensions", "B"+strconv.Itoa(len(s.Providers)+1)); got != "not filed" {
			t.Errorf("overall of the provider without numbers = %q", got)
		}
		if got := xlNumber(t, f, "Priorities", "E3"); math.Abs(got-s.Priorities[1].Priority) > 1e-9 {
			t.Errorf("priority = %v, want %v", got, s.Priorities[1].Priority)
		}
		if got := xlNumber(t, f, "Overdue findings", "G2"); got != 32 {
			t.Errorf("days overdue = %v, want 32", got)
		}
		if got := len(xlRows(t, f, "Responses")); got != 31 {
			t.Errorf("register has %d rows, want 31", got)
		}
	})
}

// TestAssessmentWorkbookForTheBoard reads back what a board needs on the
// summary sheet: the summary in words, the sign-off, the trend and, until
// the assessment is decided, a DRAFT mark on the sheet and in every page
// header.
func TestAssessmentWorkbookForTheBoard(t *testing.T) {
	for _, status := range []domain.AssessmentStatus{domain.StatusApproved, domain.StatusInReview} {
		t.Run(string(status), func(t *testing.T) {
			d := xlAssessment(t)
			d.Assessment.Status = status
			prev := 0.412
			d.Previous = &TrendPoint{CampaignName: "Campaign 2026", Status: domain.StatusApproved, Compliance: &prev, MaxScore: 20}
			var buf bytes.Buffer
			if err := WriteAssessmentXLSX(&buf, d); err != nil {
				t.Fatal(err)
			}
			f := xlOpen(t, buf.Bytes())
			rows := xlRows(t, f, "Summary")
			p := xlEnglish(t)
			if got := rows[xlLabelRow(t, rows, "In short")-1][1]; got != AssessmentSummary(p, d) || !strings.Contains(got, "Overall compliance is") {
				t.Errorf("In short = %q", got)
			}
			for _, l := range AssessmentSignOff(p, d) {
				row := append(rows[xlLabelRow(t, rows, l.Role)-1], "")
				if row[1] != l.Name {
					t.Errorf("sign-off %s = %q, want %q", l.Role, row, l.Name)
				}
			}
			at := xlLabelRow(t, rows, "Previous")
			if row := rows[at-1]; len(row) < 3 || row[1] != "Campaign 2026" || xlNumber(t, f, "Summary", "C"+strconv.Itoa(at)) != prev {
				t.Errorf("trend row = %q", row)
			}
			mark := AssessmentDraftMark(p, status)
			if (mark != "") != !status.Final() {
				t.Fatalf("draft mark %q for %s", mark, status)
			}
			for _, sheet := range f.GetSheetList() {
				hf, err := f.GetHeaderFooter(sheet)
				if err != nil {
					t.Fatal(err)
				}
				if has := strings.Contains(hf.OddHeader, "DRAFT"); has != !status.Final() {
					t.Errorf("%s: %s header %q: DRAFT shown %v", status, sheet, hf.OddHeader, has)
				}
			}
		})
	}
}

// TestSectorWorkbookMarksDraftAndMutesEmptyCells: an open campaign's
// workbook says DRAFT in every page header and why on its summary; a
// closed one does not. An empty matrix cell is muted; every cell writes its
// level after its number, which stays a number.
func TestSectorWorkbookMarksDraftAndMutesEmptyCells(t *testing.T) {
	for _, status := range []domain.CampaignStatus{domain.CampaignOpen, domain.CampaignClosed} {
		t.Run(string(status), func(t *testing.T) {
			d := xlSector(t, 3)
			d.Campaign.Status = status
			if status == domain.CampaignClosed {
				for i := range d.Providers { // every filing decided: nothing can change
					d.Providers[i].Status = domain.StatusApproved
				}
			}
			d.Matrix[0][0] = 0 // likelihood 1, impact 1: nothing counted
			var buf bytes.Buffer
			if err := WriteSectorXLSX(&buf, d, xlRowSource(t, 0, 0), nil); err != nil {
				t.Fatal(err)
			}
			f := xlOpen(t, buf.Bytes())
			open := status != domain.CampaignClosed
			for _, sheet := range f.GetSheetList() {
				hf, err := f.GetHeaderFooter(sheet)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(hf.OddHeader, "DRAFT") != open {
					t.Errorf("%s header %q: DRAFT shown for a campaign %s", sheet, hf.OddHeader, status)
				}
			}
			rows := xlRows(t, f, "Summary")
			if got := append(rows[1], "")[0]; strings.HasPrefix(got, "DRAFT") != open {
				t.Errorf("summary line 2 = %q for a campaign %s", got, status)
			}
			top := xlCellRow(t, rows, 1, "Likelihood \\ Impact") + 1
			empty, _ := excelize.CoordinatesToCellName(3, top+4) // likelihood 1, impact 1
			if got := xlFill(t, f, "Summary", empty); got != LevelFill("") {
				t.Errorf("the empty cell is painted %s, want the muted %s", got, LevelFill(""))
			}
			if got, _ := f.GetCellValue("Summary", empty); got != "0 · Low" {
				t.Errorf("the empty cell shows %q, want its count and level", got)
			}
			if got := xlNumber(t, f, "Summary", empty); got != 0 {
				t.Errorf("the empty cell holds %v, want the number 0", got)
			}
		})
	}
}
