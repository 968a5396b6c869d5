package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
)

// qnData is the questionnaire of a provider part-way through its answers:
// the last control is unanswered, the second narrative starts with a dash.
func qnData(tb testing.TB) QuestionnaireData {
	f := xlFramework(tb)
	responses := xlResponses(f, xlProvider, "asmt-1")
	responses[1].Narrative = "- patched monthly\n- audited yearly"
	last := &responses[len(responses)-1]
	*last = domain.Response{AssessmentID: "asmt-1", ControlID: last.ControlID, Version: 1}
	return QuestionnaireData{GeneratedAt: xlNow, Provider: xlProvider, Campaign: xlCampaign, Framework: f,
		Assessment: domain.Assessment{ID: "asmt-1", CampaignID: xlCampaign.ID, ProviderID: xlProvider.ID,
			Status: domain.StatusDraft, DueAt: xlCampaign.DueAt},
		Responses: responses}
}

func qnWrite(t *testing.T, q QuestionnaireData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteQuestionnaire(&buf, q); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// qnEdit opens a questionnaire with excelize, lets edit change it, and saves it.
func qnEdit(t *testing.T, data []byte, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := xlOpen(t, data)
	edit(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func qnSet(t *testing.T, f *excelize.File, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(QuestionnaireSheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

// qnZipEntry returns the content of one file of the package.
func qnZipEntry(t *testing.T, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

// qnRezip copies a package, letting change rewrite or drop entries (by
// returning nil) and add more at the end.
func qnRezip(t *testing.T, data []byte, change func(name string, content []byte) []byte, extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		content, _ := io.ReadAll(rc)
		rc.Close()
		if content = change(f.Name, content); content == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(content)
	}
	for name, content := range extra {
		w, _ := zw.Create(name)
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// qnRefused checks that err is a *domain.Error with the code and a message
// containing want.
func qnRefused(t *testing.T, err error, code domain.ErrorCode, want string) {
	t.Helper()
	e, ok := domain.AsError(err)
	if !ok || e.Code != code || !strings.Contains(e.Message, want) {
		t.Errorf("err = %v, want %s containing %q", err, code, want)
	}
}

func TestQuestionnaireLayout(t *testing.T) {
	q := qnData(t)
	data := qnWrite(t, q)
	f := xlOpen(t, data)
	if got, want := f.GetSheetList(), []string{qnInstructions, QuestionnaireSheet, QuestionnaireMetaSheet}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if wb := qnZipEntry(t, data, "xl/workbook.xml"); !regexp.MustCompile(`<sheet name="assure"[^>]* state="veryHidden"`).MatchString(wb) {
		t.Errorf("the assure sheet is not very hidden: %s", wb)
	}
	meta := xlRows(t, f, QuestionnaireMetaSheet)
	if !slices.Equal(meta[0], []string{"format", QuestionnaireFormat}) || !slices.Equal(meta[1], []string{"assessment_id", "asmt-1"}) ||
		!slices.Equal(meta[2], []string{"campaign_id", xlCampaign.ID}) || !slices.Equal(meta[3], []string{"provider_id", xlProvider.ID}) ||
		!slices.Equal(meta[4], []string{"generated_at", "2027-04-02T09:30:00Z"}) {
		t.Errorf("metadata = %q", meta)
	}
	var instructions strings.Builder
	for _, r := range xlRows(t, f, qnInstructions) {
		instructions.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, want := range []string{"POST /api/v1/assessments/asmt-1/questionnaire", xlProvider.LegalName, xlCampaign.Name,
		"implemented, partial, not_implemented, not_applicable", "locked"} {
		if !strings.Contains(instructions.String(), want) {
			t.Errorf("instructions lack %q", want)
		}
	}

	rows := xlRows(t, f, QuestionnaireSheet)
	xlCheckHeader(t, f, QuestionnaireSheet, qnColumns[:])
	if len(rows) != len(q.Responses)+1 {
		t.Fatalf("%d rows, want %d", len(rows), len(q.Responses)+1)
	}
	control := map[string]domain.Control{}
	for _, c := range q.Framework.Controls {
		control[c.ID] = c
	}
	for i, r := range q.Responses {
		row, c := rows[i+1], control[r.ControlID]
		if row[0] != r.ControlID || row[2] != c.Title || row[3] != c.Description || row[4] != c.Question || row[5] != c.Evidence {
			t.Errorf("row %d = %q, want the catalog text of %s", i+2, row[:6], r.ControlID)
		}
	}
	if got := xlNumber(t, f, QuestionnaireSheet, "H3"); got != 1 {
		t.Errorf("maturity = %v", got)
	}
	if got := xlDateCell(t, f, QuestionnaireSheet, "J4", xlDateFormat); !got.Equal(q.Responses[2].RemediationDate.Time()) {
		t.Errorf("remediation date = %v", got)
	}
	if got := xlNumber(t, f, QuestionnaireSheet, "L2"); int(got) != q.Responses[0].Version {
		t.Errorf("version = %v", got)
	}
	xlFrozen(t, f, QuestionnaireSheet)
	if visible, _ := f.GetColVisible(QuestionnaireSheet, "L"); visible {
		t.Error("the Version column is visible")
	}

	t.Run("protection", func(t *testing.T) {
		p, err := f.GetSheetProtection(QuestionnaireSheet)
		if err != nil || !p.SelectLockedCells || !p.SelectUnlockedCells || p.FormatCells || p.InsertRows || p.DeleteRows {
			t.Errorf("sheet protection = %+v, %v", p, err)
		}
		if sheet := qnZipEntry(t, data, "xl/worksheets/sheet2.xml"); !strings.Contains(sheet, `sheet="true"`) && !strings.Contains(sheet, `sheet="1"`) {
			t.Error("the Questionnaire sheet is not protected")
		}
		locked := func(cell string) bool {
			id, _ := f.GetCellStyle(QuestionnaireSheet, cell)
			st, _ := f.GetStyle(id)
			return st.Protection == nil || st.Protection.Locked
		}
		for _, col := range []string{"A", "B", "C", "D", "E", "F", "L"} {
			if !locked(col + "2") {
				t.Errorf("%s2 is not locked", col)
			}
		}
		for _, col := range []string{"G", "H", "I", "J", "K"} {
			if locked(col + "2") {
				t.Errorf("%s2 is locked", col)
			}
		}
	})

	t.Run("validations", func(t *testing.T) {
		dvs, err := f.GetDataValidations(QuestionnaireSheet)
		if err != nil {
			t.Fatal(err)
		}
		last := len(q.Responses) + 1
		want := map[string]string{
			fmt.Sprintf("G2:G%d", last): "list", fmt.Sprintf("H2:H%d", last): "whole", fmt.Sprintf("J2:J%d", last): "date",
		}
		got := map[string]string{}
		for _, dv := range dvs {
			got[dv.Sqref] = dv.Type
			switch dv.Type {
			case "list":
				if !strings.Contains(dv.Formula1, "implemented,partial,not_implemented,not_applicable") {
					t.Errorf("status list = %s", dv.Formula1)
				}
			case "whole":
				if dv.Formula1 != "0" || dv.Formula2 != "5" || dv.Operator != "between" {
					t.Errorf("maturity range = %s %s %s", dv.Operator, dv.Formula1, dv.Formula2)
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("validations = %v, want %v", got, want)
		}
	})
}

// qnExpected is what reading q's questionnaire back unchanged gives.
func qnExpected(q QuestionnaireData) []QuestionnaireRow {
	var out []QuestionnaireRow
	for i, r := range q.Responses {
		row := QuestionnaireRow{Row: i + 2, ControlID: r.ControlID, Version: r.Version, Status: r.Status,
			Maturity: r.Maturity, Narrative: r.Narrative, Justification: r.Justification}
		if r.RemediationDate != nil {
			row.RemediationDate = r.RemediationDate.String()
		}
		out = append(out, row)
	}
	return out
}

func TestQuestionnaireRoundTrip(t *testing.T) {
	q := qnData(t)
	data := qnWrite(t, q)

	t.Run("unchanged", func(t *testing.T) {
		got, err := ReadQuestionnaire(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if got.AssessmentID != "asmt-1" || !reflect.DeepEqual(got.Rows, qnExpected(q)) {
			t.Errorf("read back %+v", got)
		}
	})

	t.Run("filled in", func(t *testing.T) {
		filled := qnEdit(t, data, func(f *excelize.File) {
			qnSet(t, f, "G2", "Not implemented") // a label, not a code
			qnSet(t, f, "H2", 2)
			qnSet(t, f, "J2", time.Date(2027, 11, 30, 0, 0, 0, 0, time.UTC)) // a real date cell
			qnSet(t, f, "I2", "+ new vendor contracted")
			qnSet(t, f, "G3", " PARTIAL ")
			qnSet(t, f, "H3", 3.0)
			qnSet(t, f, "J3", "2027-10-01") // a date typed as text
			qnSet(t, f, "G4", nil)          // cleared
			qnSet(t, f, "J4", nil)
		})
		if typ, _ := xlOpen(t, filled).GetCellType(QuestionnaireSheet, "J2"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Fatal("the test's date was written as text")
		}
		got, err := ReadQuestionnaire(bytes.NewReader(filled))
		if err != nil {
			t.Fatal(err)
		}
		want := qnExpected(q)
		two, three := 2, 3
		want[0].Status, want[0].Maturity, want[0].RemediationDate = domain.NotImplemented, &two, "2027-11-30"
		want[0].Narrative = "+ new vendor contracted"
		want[1].Status, want[1].Maturity, want[1].RemediationDate = domain.Partial, &three, "2027-10-01"
		want[2].Status, want[2].RemediationDate = "", ""
		if len(got.Rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(got.Rows), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got.Rows[i], want[i]) {
				t.Errorf("row %d = %+v, want %+v", want[i].Row, got.Rows[i], want[i])
			}
		}
		if last := got.Rows[len(got.Rows)-1]; last.Status != "" || last.Maturity != nil || last.RemediationDate != "" {
			t.Errorf("the unanswered control came back as %+v", last)
		}
	})
}

func TestQuestionnaireBadRowsAreReportedTogether(t *testing.T) {
	q := qnData(t)
	id := func(row int) string { return q.Responses[row-2].ControlID }
	bad := qnEdit(t, qnWrite(t, q), func(f *excelize.File) {
		qnSet(t, f, "G5", "yes")
		qnSet(t, f, "H6", 7)
		qnSet(t, f, "H7", 2.5)
		qnSet(t, f, "J7", "31/12/2027")
		qnSet(t, f, "L8", "x")
		qnSet(t, f, "A9", "")
		qnSet(t, f, "A10", id(2))
	})
	_, err := ReadQuestionnaire(bytes.NewReader(bad))
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		t.Fatalf("err = %v, want EInvalid", err)
	}
	want := [][2]string{
		{"row 5 (" + id(5) + "), status", "'yes' is not one of implemented, partial, not_implemented, not_applicable"},
		{"row 6 (" + id(6) + "), maturity", "'7' is not a whole number from 0 to 5"},
		{"row 7 (" + id(7) + "), maturity", "'2.5' is not a whole number from 0 to 5"},
		{"row 7 (" + id(7) + "), remediation date", "'31/12/2027' is not a date (YYYY-MM-DD)"},
		{"row 8 (" + id(8) + "), version", "the hidden Version column was changed; download a new questionnaire"},
		{"row 9, control id", "is empty; answers belong on the rows of the controls"},
		{"row 10 (" + id(2) + "), control id", id(2) + " also appears in row 2"},
	}
	var got [][2]string
	for _, p := range e.Problems {
		got = append(got, [2]string{p.Location, p.Message})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%q\nwant:\n%q", got, want)
	}
}

func TestQuestionnaireRefusals(t *testing.T) {
	data := qnWrite(t, qnData(t))
	macro := qnRezip(t, data, func(_ string, c []byte) []byte { return c }, map[string]string{"xl/vbaProject.bin": "\xd0\xcf\x11\xe0"})
	macroType := qnRezip(t, data, func(name string, c []byte) []byte {
		if name == "[Content_Types].xml" {
			return bytes.ReplaceAll(c, []byte("spreadsheetml.sheet.main+xml"), []byte("ms-excel.sheet.macroEnabled.main+xml"))
		}
		return c
	}, nil)
	noMeta := qnEdit(t, data, func(f *excelize.File) {
		if err := f.DeleteSheet(QuestionnaireMetaSheet); err != nil {
			t.Fatal(err)
		}
	})
	plain := excelize.NewFile()
	plain.SetSheetName("Sheet1", QuestionnaireSheet)
	plain.SetSheetRow(QuestionnaireSheet, "A1", &[]any{"Control ID", "Status"})
	var plainBuf bytes.Buffer
	plain.Write(&plainBuf)
	renamed := qnEdit(t, data, func(f *excelize.File) { qnSet(t, f, "G1", "State") })
	otherZip := qnRezip(t, data, func(string, []byte) []byte { return nil }, map[string]string{"hello.txt": "hi"})
	random := make([]byte, 5000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}

	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"vbaProject.bin", macro, "macros"},
		{"macro-enabled content type", macroType, "macros"},
		{"no hidden sheet", noMeta, "not an Assure questionnaire"},
		{"plain workbook", plainBuf.Bytes(), "not an Assure questionnaire"},
		{"header changed", renamed, "no column Status"},
		{"zip that is not a workbook", otherZip, "not an Excel workbook"},
		{"random bytes", random, "not an Excel workbook"},
		{"truncated", data[:len(data)/2], "not an Excel workbook"},
		{"empty", nil, "not an Excel workbook"},
		{"old format", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), random...), ".xls"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadQuestionnaire(bytes.NewReader(c.data))
			qnRefused(t, err, domain.EInvalid, c.want)
		})
	}

	t.Run("too large", func(t *testing.T) {
		_, err := ReadQuestionnaire(io.LimitReader(qnZeros{}, MaxQuestionnaireBytes+1))
		qnRefused(t, err, domain.ETooLarge, "larger than 10 MB")
		_, err = ReadQuestionnaire(io.LimitReader(qnZeros{}, MaxQuestionnaireBytes))
		qnRefused(t, err, domain.EInvalid, "not an Excel workbook")
	})
}

type qnZeros struct{}

func (qnZeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestQuestionnaireDamagedFiles flips bytes all over a valid questionnaire:
// every result is a refusal or a reading, never a panic.
func TestQuestionnaireDamagedFiles(t *testing.T) {
	data := qnWrite(t, qnData(t))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 60 {
		damaged := bytes.Clone(data)
		for range 1 + rng.IntN(8) {
			damaged[rng.IntN(len(damaged))] ^= byte(1 + rng.IntN(255))
		}
		if _, err := ReadQuestionnaire(bytes.NewReader(damaged)); err != nil {
			if code := domain.ErrorCodeOf(err); code != domain.EInvalid {
				t.Errorf("damaged file: %v, want EInvalid", err)
			}
		}
	}
}
