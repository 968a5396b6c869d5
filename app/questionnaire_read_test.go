package app

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/reports"
)

// qnUnchanged is what reading q's questionnaire back untouched gives.
func qnUnchanged(q reports.QuestionnaireData) []questionnaireRow {
	var out []questionnaireRow
	for i, r := range q.Responses {
		row := questionnaireRow{Row: i + 2, ControlID: r.ControlID, Version: r.Version, Status: r.Status,
			Maturity: r.Maturity, Narrative: r.Narrative, Justification: r.Justification}
		if r.RemediationDate != nil {
			row.RemediationDate = r.RemediationDate.String()
		}
		out = append(out, row)
	}
	return out
}

// qnRepack copies a package, letting change rewrite an entry or drop it (by
// returning nil), and adds extra entries at the end.
func qnRepack(t *testing.T, data []byte, change func(name string, content []byte) []byte, extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
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

// qnWantRefusal checks that err is a *domain.Error with the code and a
// message containing want.
func qnWantRefusal(t *testing.T, err error, code domain.ErrorCode, want string) {
	t.Helper()
	if e, ok := domain.AsError(err); !ok || e.Code != code || !strings.Contains(e.Message, want) {
		t.Errorf("err = %v, want %s containing %q", err, code, want)
	}
}

func TestQuestionnaireRoundTrip(t *testing.T) {
	q := qnFixture(t)
	data := qnWrite(t, q)

	t.Run("unchanged", func(t *testing.T) {
		got, err := readQuestionnaire(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if got.AssessmentID != "asmt-1" || !reflect.DeepEqual(got.Rows, qnUnchanged(q)) {
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
		qnEdit(t, filled, func(f *excelize.File) {
			typ, err := f.GetCellType(reports.QuestionnaireSheet, "J2")
			if err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
				t.Fatalf("the test's date was written as text (%v, %v)", typ, err)
			}
		})
		got, err := readQuestionnaire(bytes.NewReader(filled))
		if err != nil {
			t.Fatal(err)
		}
		want := qnUnchanged(q)
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
	q := qnFixture(t)
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
	read, err := readQuestionnaire(bytes.NewReader(bad))
	if err != nil {
		t.Fatalf("bad cells refused the file: %v", err)
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
	var fromReader []domain.Problem
	for _, row := range read.Rows {
		fromReader = append(fromReader, row.Problems...)
	}
	if got := qnPairs(fromReader); !reflect.DeepEqual(got, want) {
		t.Errorf("the reader's problems:\n%q\nwant:\n%q", got, want)
	}
	// Against the answers the file was written from, the upload adds nothing
	// of its own: a repeated control or an unreadable version is not taken
	// for a row changed since.
	_, updates, err := planQuestionnaire(read, q.Responses)
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid || updates != nil {
		t.Fatalf("err = %v (updates %v), want EInvalid", err, updates)
	}
	if got := qnPairs(e.Problems); !reflect.DeepEqual(got, want) {
		t.Errorf("the upload's problems:\n%q\nwant:\n%q", got, want)
	}
}

// qnPairs gives each problem as its location and message.
func qnPairs(problems []domain.Problem) [][2]string {
	var out [][2]string
	for _, p := range problems {
		out = append(out, [2]string{p.Location, p.Message})
	}
	return out
}

// TestQuestionnaireUploadNamesEveryProblemAtOnce puts problems of every kind
// on different rows of one file: cells the reader cannot take, a row changed
// in Assure since the download, a control not of the assessment, and a row
// both bad and behind. One EInvalid error names them all, in row order, so a
// provider never fixes one problem only to be shown the next.
func TestQuestionnaireUploadNamesEveryProblemAtOnce(t *testing.T) {
	q := qnFixture(t)
	id := func(row int) string { return q.Responses[row-2].ControlID }
	version := func(row int) int { return q.Responses[row-2].Version }
	current := slices.Clone(q.Responses)
	current[6-2].Version++ // answered online since the download
	current[8-2].Version++
	data := qnEdit(t, qnWrite(t, q), func(f *excelize.File) {
		qnSet(t, f, "G3", "maybe")
		qnSet(t, f, "H4", "high")
		qnSet(t, f, "J5", "soon")
		qnSet(t, f, "I6", "Changed offline.")
		qnSet(t, f, "A7", "ZZ-99")
		qnSet(t, f, "H8", 9)
		qnSet(t, f, "I9", "A good change, not saved either.")
	})
	read, err := readQuestionnaire(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("bad cells refused the file: %v", err)
	}
	_, updates, err := planQuestionnaire(read, current)
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid || updates != nil {
		t.Fatalf("err = %v (updates %v), want EInvalid", err, updates)
	}
	behind := func(row int) string {
		return fmt.Sprintf("changed in Assure since this file was made (version %d, now %d); download a fresh questionnaire",
			version(row), version(row)+1)
	}
	want := [][2]string{
		{"row 3 (" + id(3) + "), status", "'maybe' is not one of implemented, partial, not_implemented, not_applicable"},
		{"row 4 (" + id(4) + "), maturity", "'high' is not a whole number from 0 to 5"},
		{"row 5 (" + id(5) + "), remediation date", "'soon' is not a date (YYYY-MM-DD)"},
		{"row 6 (" + id(6) + ")", behind(6)},
		{"row 7 (ZZ-99), control id", "not a control of this assessment"},
		{"row 8 (" + id(8) + "), maturity", "'9' is not a whole number from 0 to 5"},
		{"row 8 (" + id(8) + ")", behind(8)},
	}
	if got := qnPairs(e.Problems); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%q\nwant:\n%q", got, want)
	}
	if !strings.Contains(e.Message, "7 problem(s); nothing was saved") {
		t.Errorf("message = %q", e.Message)
	}

	// With every problem fixed, the same rows go through.
	fixed := qnEdit(t, data, func(f *excelize.File) {
		qnSet(t, f, "G3", "implemented")
		qnSet(t, f, "H4", 4)
		qnSet(t, f, "J5", "2027-12-31")
		qnSet(t, f, "A7", id(7))
		qnSet(t, f, "H8", 2)
	})
	read, err = readQuestionnaire(bytes.NewReader(fixed))
	if err != nil {
		t.Fatal(err)
	}
	if _, updates, err = planQuestionnaire(read, q.Responses); err != nil {
		t.Fatalf("the fixed file: %v", err)
	}
	var changed []string
	for _, u := range updates {
		changed = append(changed, u.ControlID)
	}
	if want := []string{id(3), id(4), id(5), id(6), id(8), id(9)}; !slices.Equal(changed, want) {
		t.Errorf("updates for %v, want %v", changed, want)
	}
}

func TestQuestionnaireRefusals(t *testing.T) {
	data := qnWrite(t, qnFixture(t))
	keep := func(_ string, c []byte) []byte { return c }
	macro := qnRepack(t, data, keep, map[string]string{"xl/vbaProject.bin": "\xd0\xcf\x11\xe0"})
	macroType := qnRepack(t, data, func(name string, c []byte) []byte {
		if name == "[Content_Types].xml" {
			return bytes.ReplaceAll(c, []byte("spreadsheetml.sheet.main+xml"), []byte("ms-excel.sheet.macroEnabled.main+xml"))
		}
		return c
	}, nil)
	vbaType := `<Override PartName="/xl/macros.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>`
	declared := qnRepack(t, data, func(name string, c []byte) []byte {
		if name == "[Content_Types].xml" {
			return bytes.ReplaceAll(c, []byte("</Types>"), []byte(vbaType))
		}
		return c
	}, map[string]string{"xl/macros.bin": "\xd0\xcf\x11\xe0"})
	binDefault := `<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>`
	renamedPart := qnRepack(t, data, func(name string, c []byte) []byte {
		if name == "[Content_Types].xml" {
			return bytes.ReplaceAll(c, []byte("</Types>"), []byte(binDefault))
		}
		return c
	}, map[string]string{"xl/project.bin": "\xd0\xcf\x11\xe0"})
	noMeta := qnEdit(t, data, func(f *excelize.File) {
		if err := f.DeleteSheet(reports.QuestionnaireMetaSheet); err != nil {
			t.Fatal(err)
		}
	})
	otherFormat := qnEdit(t, data, func(f *excelize.File) {
		if err := f.SetCellValue(reports.QuestionnaireMetaSheet, "B1", "assure-questionnaire/0"); err != nil {
			t.Fatal(err)
		}
	})
	plain := excelize.NewFile()
	plain.SetSheetName("Sheet1", reports.QuestionnaireSheet)
	plain.SetSheetRow(reports.QuestionnaireSheet, "A1", &[]any{"Control ID", "Status"})
	var plainBuf bytes.Buffer
	if err := plain.Write(&plainBuf); err != nil {
		t.Fatal(err)
	}
	renamed := qnEdit(t, data, func(f *excelize.File) { qnSet(t, f, "G1", "State") })
	otherZip := qnRepack(t, data, func(string, []byte) []byte { return nil }, map[string]string{"hello.txt": "hi"})
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
		{"a part declared a VBA project", declared, "macros"},
		{"a .bin part under a VBA default", renamedPart, "macros"},
		{"no hidden sheet", noMeta, "not an Assure questionnaire"},
		{"other format", otherFormat, `format "assure-questionnaire/0" is not supported`},
		{"plain workbook", plainBuf.Bytes(), "not an Assure questionnaire"},
		{"header changed", renamed, "no column Status"},
		{"zip that is not a workbook", otherZip, "not an Excel workbook"},
		{"random bytes", random, "not an Excel workbook"},
		{"truncated", data[:len(data)/2], "not an Excel workbook"},
		{"empty", nil, "not an Excel workbook"},
		{"old format", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), random...), ".xls"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readQuestionnaire(bytes.NewReader(c.data))
			qnWantRefusal(t, err, domain.EInvalid, c.want)
		})
	}

	// A default type for .bin files naming no part, as some spreadsheet
	// libraries always write, is not a macro.
	t.Run("a VBA default with no part", func(t *testing.T) {
		plainDefault := qnRepack(t, data, func(name string, c []byte) []byte {
			if name == "[Content_Types].xml" {
				return bytes.ReplaceAll(c, []byte("</Types>"), []byte(binDefault))
			}
			return c
		}, nil)
		if _, err := readQuestionnaire(bytes.NewReader(plainDefault)); err != nil {
			t.Errorf("refused: %v", err)
		}
	})

	t.Run("too large", func(t *testing.T) {
		_, err := readQuestionnaire(io.LimitReader(qnZeros{}, MaxQuestionnaireBytes+1))
		qnWantRefusal(t, err, domain.ETooLarge, "larger than 10 MB")
		_, err = readQuestionnaire(io.LimitReader(qnZeros{}, MaxQuestionnaireBytes))
		qnWantRefusal(t, err, domain.EInvalid, "not an Excel workbook")
	})
}

// qnZeros reads zero bytes for ever.
type qnZeros struct{}

func (qnZeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestQuestionnaireDamagedFiles flips bytes all over a valid questionnaire:
// every result is a refusal or a reading, never a panic.
func TestQuestionnaireDamagedFiles(t *testing.T) {
	data := qnWrite(t, qnFixture(t))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 60 {
		damaged := bytes.Clone(data)
		for range 1 + rng.IntN(8) {
			damaged[rng.IntN(len(damaged))] ^= byte(1 + rng.IntN(255))
		}
		if _, err := readQuestionnaire(bytes.NewReader(damaged)); err != nil {
			if code := domain.ErrorCodeOf(err); code != domain.EInvalid {
				t.Errorf("damaged file: %v, want EInvalid", err)
			}
		}
	}
}

// TestFrenchQuestionnaireReadsBack reads the French questionnaire back, as
// written and then filled with the answers' French names, and refuses a
// header row that mixes the languages.
func TestFrenchQuestionnaireReadsBack(t *testing.T) {
	q := qnFixture(t)
	q.Lang = domain.French
	data := qnWrite(t, q)
	got, err := readQuestionnaire(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rows, qnUnchanged(q)) {
		t.Errorf("the French questionnaire read back as %+v", got.Rows)
	}

	filled := qnEdit(t, data, func(f *excelize.File) {
		qnSet(t, f, "G2", "Partiellement mise en œuvre")
		qnSet(t, f, "G3", "non applicable")
		qnSet(t, f, "G4", "MISE EN ŒUVRE")
		qnSet(t, f, "G5", "Not implemented") // English names are read from a French file too
	})
	got, err = readQuestionnaire(bytes.NewReader(filled))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []domain.ResponseStatus{domain.Partial, domain.NotApplicable, domain.Implemented, domain.NotImplemented} {
		if row := got.Rows[i]; row.Status != want || len(row.Problems) > 0 {
			t.Errorf("row %d status = %q (%v), want %s", row.Row, row.Status, row.Problems, want)
		}
	}

	mixed := qnEdit(t, data, func(f *excelize.File) { qnSet(t, f, "G1", "Status") })
	_, err = readQuestionnaire(bytes.NewReader(mixed))
	qnWantRefusal(t, err, domain.EInvalid, "header row was changed")
}
