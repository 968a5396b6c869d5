package app

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/reports"
)

// qnFieldsPerRow bounds the problems of one row: one per field it reads
// (control id, version, status, maturity, remediation date, narrative,
// justification) and one for a repeated control.
const qnFieldsPerRow = 8

// FuzzReadQuestionnaire gives the questionnaire reader arbitrary uploads.
// Seeds are questionnaires written by reports (English and French), one cut
// in half, repackaged ones with parts missing or added, and the committed
// corpus in testdata/fuzz/FuzzReadQuestionnaire (odd ZIPs). The reader must
// never panic; a refusal is an EInvalid or ETooLarge *domain.Error with a
// message; a file it reads names its assessment and gives rows in sheet order
// whose values are within the rules or carry a located problem; and reading
// the same bytes twice gives the same result.
func FuzzReadQuestionnaire(f *testing.F) {
	q := qnFixture(f)
	q.Responses = q.Responses[:12] // small seeds keep the fuzzer fast
	var english, french bytes.Buffer
	if err := reports.WriteQuestionnaire(&english, q); err != nil {
		f.Fatal(err)
	}
	q.Lang = domain.French
	if err := reports.WriteQuestionnaire(&french, q); err != nil {
		f.Fatal(err)
	}
	data := english.Bytes()
	f.Add(data)
	f.Add(qnFuzzBadCells(f, data))
	f.Add(french.Bytes())
	f.Add(data[:len(data)/2])
	f.Add(qnFuzzRepack(f, data, "[Content_Types].xml", nil))
	f.Add(qnFuzzRepack(f, data, "xl/sharedStrings.xml", nil))
	f.Add(qnFuzzRepack(f, data, "", [][2]string{{"xl/vbaProject.bin", "VBA"}}))
	f.Add(qnFuzzRepack(f, data, "", [][2]string{{"xl/media/../../evil.xml", "<x/>"}, {"xl/worksheets/sheet9.xml", "<worksheet"}}))
	f.Fuzz(func(t *testing.T, upload []byte) {
		got, err := readQuestionnaire(bytes.NewReader(upload))
		again, errAgain := readQuestionnaire(bytes.NewReader(upload))
		if !reflect.DeepEqual(got, again) || fmt.Sprint(err) != fmt.Sprint(errAgain) {
			t.Fatalf("two readings differ: %v / %v", err, errAgain)
		}
		if err != nil {
			e, ok := domain.AsError(err)
			if !ok || (e.Code != domain.EInvalid && e.Code != domain.ETooLarge) || e.Message == "" {
				t.Fatalf("refusal %v (%T) is not an EInvalid or ETooLarge domain error with a message", err, err)
			}
			if len(e.Problems) > qnFieldsPerRow {
				t.Fatalf("a refusal lists %d problems", len(e.Problems))
			}
			return
		}
		if got.AssessmentID == "" {
			t.Fatal("a questionnaire was read without its assessment")
		}
		last := 1
		for _, row := range got.Rows {
			qnFuzzCheckRow(t, row, last)
			last = row.Row
		}
	})
}

// qnFuzzCheckRow checks one row read back, coming after sheet row last.
func qnFuzzCheckRow(t *testing.T, row questionnaireRow, last int) {
	t.Helper()
	if row.Row <= last {
		t.Fatalf("row %d comes after row %d", row.Row, last)
	}
	if len(row.Problems) > qnFieldsPerRow {
		t.Fatalf("row %d has %d problems", row.Row, len(row.Problems))
	}
	at := fmt.Sprintf("row %d", row.Row)
	fields := map[string]bool{}
	for _, p := range row.Problems {
		if !strings.HasPrefix(p.Location, at) || p.Message == "" {
			t.Fatalf("problem %+v is not located in %s or says nothing", p, at)
		}
		fields[p.Location[strings.LastIndex(p.Location, ", ")+2:]] = true
	}
	if row.ControlID == "" && !fields["control id"] {
		t.Fatalf("row %d has no control id and no problem saying so", row.Row)
	}
	if row.Repeated && (row.ControlID == "" || !fields["control id"]) {
		t.Fatalf("row %d repeats control %q without a problem", row.Row, row.ControlID)
	}
	if row.Version < -1 || (row.Version == -1 && !fields["version"]) {
		t.Fatalf("row %d has version %d", row.Row, row.Version)
	}
	if row.Status != "" && !row.Status.Valid() {
		t.Fatalf("row %d has status %q", row.Row, row.Status)
	}
	if row.Maturity != nil && (*row.Maturity < 0 || *row.Maturity > 5) {
		t.Fatalf("row %d has maturity %d", row.Row, *row.Maturity)
	}
	if row.RemediationDate != "" {
		if _, err := domain.ParseDate(row.RemediationDate); err != nil {
			t.Fatalf("row %d has remediation date %q", row.Row, row.RemediationDate)
		}
	}
	if len(row.Narrative) > domain.MaxNarrative && !fields["narrative"] {
		t.Fatalf("row %d has an overlong narrative without a problem", row.Row)
	}
	if len(row.Justification) > domain.MaxJustification && !fields["justification"] {
		t.Fatalf("row %d has an overlong justification without a problem", row.Row)
	}
}

// qnFuzzBadCells fills data's sheet with a bad answer of each kind, a blank
// control id and a repeated one.
func qnFuzzBadCells(tb testing.TB, data []byte) []byte {
	tb.Helper()
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	defer wb.Close()
	for cell, v := range map[string]any{"G5": "yes", "H6": 7, "H7": 2.5, "J7": "31/12/2027", "L8": "x", "A9": "", "A10": "C1",
		"K11": strings.Repeat("n", domain.MaxNarrative+1)} {
		if err := wb.SetCellValue(reports.QuestionnaireSheet, cell, v); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// qnFuzzRepack copies the package data without its part drop and with the
// parts in extra added.
func qnFuzzRepack(tb testing.TB, data []byte, drop string, extra [][2]string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	copyPart := func(f *zip.File) error {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		w, err := zw.Create(f.Name)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, rc)
		return err
	}
	for _, f := range zr.File {
		if f.Name == drop {
			continue
		}
		if err := copyPart(f); err != nil {
			tb.Fatal(err)
		}
	}
	for _, part := range extra {
		w, err := zw.Create(part[0])
		if err == nil {
			_, err = io.WriteString(w, part[1])
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
