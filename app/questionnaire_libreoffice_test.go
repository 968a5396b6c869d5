package app_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

	"assure/app"
	"assure/domain"
	"assure/reports"
	"assure/reports/officetest"
	"assure/store"
)

// resaveWithLibreOffice has LibreOffice headless open a workbook and save it
// again as .xlsx, as a provider who fills the questionnaire in LibreOffice
// does. LibreOffice is a dependency of the tests (scripts/test-deps.sh
// installs it): without it the test fails.
func resaveWithLibreOffice(t *testing.T, data []byte) []byte {
	t.Helper()
	out := officetest.Convert(t, data, "questionnaire.xlsx", "xlsx:Calc MS Excel 2007 XML")
	saved := officetest.Read(t, out, "questionnaire.xlsx")
	if bytes.Equal(saved, data) {
		t.Fatal("LibreOffice handed the file back unchanged")
	}
	return saved
}

// download returns the questionnaire of an assessment in a language as the
// app makes it.
func download(t *testing.T, s *sector, actor domain.Actor, id string, lang domain.Language) []byte {
	t.Helper()
	f, err := s.app.Questionnaire(context.Background(), actor, id, lang)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestQuestionnaireResavedByLibreOffice fills an assessment's questionnaire,
// has LibreOffice save it, and uploads what LibreOffice wrote: the answers
// arrive as given and nothing is refused. The French questionnaire downloaded
// then and re-saved untouched is read as unchanged, row for row, so
// LibreOffice's way of writing cells (shared strings, dates as numbers,
// numbers as floats, the hidden sheet and column) changes no answer.
func TestQuestionnaireResavedByLibreOffice(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	data := download(t, s, s.editorA, s.a.ID, "")

	planned := domain.Today().AddDays(90).Time()
	typed := domain.Today().AddDays(120)
	filled := func() []byte {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		set := func(cell string, v any) {
			if err := f.SetCellValue(reports.QuestionnaireSheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
		set("G2", "implemented")
		set("H2", 3)
		set("I2", "=SUM(A1:A2) is how the board's dashboard adds them up")
		set("G3", "Partially implemented") // the label, as a person types it
		set("J3", planned)                 // a real date cell
		set("I3", "Rolled out to the head office;\nbranches next.")
		set("G4", "not_applicable")
		set("K4", "We run no such channel.")
		set("G5", "not_implemented")
		set("J5", typed.String()) // a date typed as text
		set("H5", 1.0)
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	saved := resaveWithLibreOffice(t, filled)

	res, err := s.app.UploadQuestionnaire(ctx, s.editorA, s.a.ID, app.Upload{Filename: "questionnaire.xlsx",
		Size: int64(len(saved)), Content: bytes.NewReader(saved)})
	if err != nil {
		t.Fatalf("the questionnaire LibreOffice saved was refused: %v", err)
	}
	if res.Applied != 4 {
		t.Errorf("applied %d answers, want 4 (%+v)", res.Applied, res)
	}
	responses, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return s.app.Responses(ctx, s.editorA, s.a.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(responses) < 4 {
		t.Fatalf("%d responses", len(responses))
	}
	if res.Blank != len(responses)-4 {
		t.Errorf("%d blank rows, want %d", res.Blank, len(responses)-4)
	}
	r := responses[:4]
	if r[0].Status != domain.Implemented || r[0].Maturity == nil || *r[0].Maturity != 3 ||
		r[0].Narrative != "=SUM(A1:A2) is how the board's dashboard adds them up" {
		t.Errorf("row 2 arrived as %+v", r[0])
	}
	if r[1].Status != domain.Partial || r[1].RemediationDate == nil ||
		r[1].RemediationDate.String() != domain.DateOf(planned).String() ||
		r[1].Narrative != "Rolled out to the head office;\nbranches next." {
		t.Errorf("row 3 arrived as %+v", r[1])
	}
	if r[2].Status != domain.NotApplicable || r[2].Justification != "We run no such channel." {
		t.Errorf("row 4 arrived as %+v", r[2])
	}
	if r[3].Status != domain.NotImplemented || r[3].RemediationDate == nil || r[3].RemediationDate.String() != typed.String() ||
		r[3].Maturity == nil || *r[3].Maturity != 1 {
		t.Errorf("row 5 arrived as %+v", r[3])
	}

	// The answers now held, downloaded again (in French this time) and
	// re-saved without a change, are read back as the same answers.
	again := resaveWithLibreOffice(t, download(t, s, s.editorA, s.a.ID, domain.French))
	res, err = s.app.UploadQuestionnaire(ctx, s.editorA, s.a.ID, app.Upload{Filename: "again.xlsx",
		Size: int64(len(again)), Content: bytes.NewReader(again)})
	if err != nil {
		t.Fatalf("the untouched questionnaire LibreOffice saved was refused: %v", err)
	}
	if res.Applied != 0 || res.Unchanged != 4 {
		t.Errorf("the untouched questionnaire gave %+v, want 4 unchanged and nothing applied", res)
	}
	after, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return s.app.Responses(ctx, s.editorA, s.a.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range r {
		if after[i].Version != r[i].Version {
			t.Errorf("response %s went from version %d to %d on an unchanged upload", r[i].ControlID, r[i].Version,
				after[i].Version)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(again))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := f.GetCellValue(reports.QuestionnaireSheet, "G1"); got != "État" {
		t.Errorf("the French questionnaire's status header = %q", got)
	}
	// What LibreOffice keeps that the reader and the provider rely on.
	if v, _ := f.GetSheetVisible(reports.QuestionnaireMetaSheet); v {
		t.Error("LibreOffice showed the metadata sheet")
	}
	col, _ := excelize.ColumnNumberToName(int(reports.QnVersion) + 1)
	if v, _ := f.GetColVisible(reports.QuestionnaireSheet, col); v {
		t.Error("LibreOffice showed the Version column")
	}
	if typ, _ := f.GetCellType(reports.QuestionnaireSheet, "J3"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the remediation date came back as text (%v)", typ)
	}
	if dv, err := f.GetDataValidations(reports.QuestionnaireSheet); err != nil || len(dv) < 3 {
		t.Errorf("data validations after LibreOffice: %d (%v), want the status, maturity and date checks", len(dv), err)
	}
}

func TestQuestionnaireInAnUnknownLanguage(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	_, err := s.app.Questionnaire(context.Background(), s.editorA, s.a.ID, "de")
	wantCode(t, "a questionnaire in German", err, domain.EInvalid)
}
