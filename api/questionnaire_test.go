package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"assure/api"
)

// sheetColumn finds a header on the Questionnaire sheet and returns its column number.
func sheetColumn(t *testing.T, f *excelize.File, name string) int {
	t.Helper()
	rows, err := f.GetRows("Questionnaire")
	if err != nil || len(rows) == 0 {
		t.Fatalf("questionnaire sheet: %v", err)
	}
	i := slices.Index(rows[0], name)
	if i < 0 {
		t.Fatalf("no %q column in %v", name, rows[0])
	}
	return i + 1
}

func setCell(t *testing.T, f *excelize.File, col, row int, v any) {
	t.Helper()
	cell, _ := excelize.CoordinatesToCellName(col, row)
	if err := f.SetCellValue("Questionnaire", cell, v); err != nil {
		t.Fatal(err)
	}
}

func uploadQuestionnaire(t *testing.T, c *client, assessment string, f *excelize.File) response {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return c.do(http.MethodPost, "/api/v1/assessments/"+assessment+"/questionnaire",
		multipartBody{{name: "questionnaire.xlsx", content: b.Bytes()}})
}

func TestQuestionnaireRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	fl := newFiling(s, "bank")
	get := func() *excelize.File {
		return workbook(t, fl.editor.get(fl.path("/questionnaire.xlsx")))
	}
	f := get()
	ids := column(t, f, "Questionnaire", "Control ID")
	if len(ids) != fl.assessment.Applicable {
		t.Fatalf("questionnaire rows = %d, applicable controls %d", len(ids), fl.assessment.Applicable)
	}
	status, narrative, date, just := sheetColumn(t, f, "Status"), sheetColumn(t, f, "Narrative"),
		sheetColumn(t, f, "Remediation date"), sheetColumn(t, f, "Justification")
	maturity := sheetColumn(t, f, "Maturity")
	for i := range ids {
		row := i + 2
		switch i % 3 {
		case 0:
			setCell(t, f, status, row, "implemented")
			setCell(t, f, narrative, row, "Filled offline in the branch.")
			setCell(t, f, maturity, row, 3)
		case 1:
			setCell(t, f, status, row, "partial")
			setCell(t, f, date, row, "2099-06-30")
		default:
			setCell(t, f, status, row, "not_applicable")
			setCell(t, f, just, row, "We run no USSD.")
		}
	}
	var res api.QuestionnaireResult
	r := uploadQuestionnaire(t, fl.editor, fl.assessment.ID, f)
	if r.status != http.StatusOK {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	jsonInto(t, r, &res)
	if res.Applied != len(ids) || res.Unchanged != 0 || res.Blank != 0 {
		t.Errorf("result = %+v", res)
	}
	stored := readAll[api.Response](fl.editor, fl.path("/responses"))
	for i, rs := range stored {
		want := []string{"implemented", "partial", "not_applicable"}[i%3]
		if rs.Status != want || (want == "partial" && rs.RemediationDate != "2099-06-30") ||
			(want == "implemented" && (rs.Maturity == nil || *rs.Maturity != 3)) {
			t.Errorf("%s stored %+v, want %s", rs.ControlID, rs, want)
		}
	}
	// The same answers again change nothing.
	jsonInto(t, uploadQuestionnaire(t, fl.editor, fl.assessment.ID, f), &res)
	if res.Applied != 0 || res.Unchanged != len(ids) {
		t.Errorf("re-upload = %+v", res)
	}

	// A file with several bad rows is refused whole, naming each row.
	bad := get()
	setCell(t, bad, status, 2, "yes")
	setCell(t, bad, maturity, 3, 7)
	setCell(t, bad, status, 4, "partial")
	setCell(t, bad, date, 4, "31/12/2027")
	setCell(t, bad, narrative, 5, "changed, but this row is fine")
	p := wantProblem(t, uploadQuestionnaire(t, fl.editor, fl.assessment.ID, bad), http.StatusUnprocessableEntity)
	var locs []string
	for _, e := range p.Errors {
		locs = append(locs, e.Location+": "+e.Message)
	}
	joined := strings.Join(locs, "\n")
	for _, want := range []string{"row 2 (" + ids[0] + ")", "row 3 (" + ids[1] + ")", "row 4 (" + ids[2] + ")", "'yes'"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	var after api.Response
	fl.editor.getJSON(fl.path("/responses/"+ids[3]), &after)
	if after.Narrative == "changed, but this row is fine" {
		t.Error("a refused file was partly applied")
	}

	// A row changed in Assure since the download is refused.
	stale := get()
	var first api.Response
	fl.editor.getJSON(fl.path("/responses/"+ids[0]), &first)
	r = fl.editor.do(http.MethodPut, fl.path("/responses/"+ids[0]), map[string]any{"status": "implemented",
		"narrative": "Changed online."}, "If-Match", first.ETag)
	if r.status != http.StatusOK {
		t.Fatalf("online edit = %d", r.status)
	}
	setCell(t, stale, narrative, 2, "Changed offline.")
	p = wantProblem(t, uploadQuestionnaire(t, fl.editor, fl.assessment.ID, stale), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Location, "row 2") || !strings.Contains(p.Errors[0].Message, "fresh") {
		t.Errorf("stale problems = %+v", p.Errors)
	}

	// Another assessment's questionnaire, a macro workbook, and junk are refused.
	other := newFiling(s, "psp")
	foreign := workbook(t, other.editor.get(other.path("/questionnaire.xlsx")))
	p = wantProblem(t, uploadQuestionnaire(t, fl.editor, fl.assessment.ID, foreign), http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "another assessment") {
		t.Errorf("foreign file: %q", p.Detail)
	}
	macro := get()
	var mb bytes.Buffer
	macro.Write(&mb)
	withMacro := addZipEntry(t, mb.Bytes(), "xl/vbaProject.bin", []byte("macro"))
	r = fl.editor.do(http.MethodPost, fl.path("/questionnaire"), multipartBody{{name: "q.xlsm", content: withMacro}})
	if p := wantProblem(t, r, http.StatusUnprocessableEntity); !strings.Contains(strings.ToLower(p.Detail), "macro") {
		t.Errorf("macro file: %q", p.Detail)
	}
	r = fl.editor.do(http.MethodPost, fl.path("/questionnaire"), multipartBody{{name: "q.xlsx", content: []byte("PK\x03\x04 broken")}})
	wantProblem(t, r, http.StatusUnprocessableEntity)
	// Provider users of another provider cannot download or upload it.
	wantProblem(t, other.editor.get(fl.path("/questionnaire.xlsx")), http.StatusNotFound)
}
