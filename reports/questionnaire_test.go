package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

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

// TestFrenchQuestionnaire checks that the French questionnaire speaks French
// on the sheets a provider reads, keeps the sheet names the reader looks up,
// and gives every column a header of its own.
func TestFrenchQuestionnaire(t *testing.T) {
	q := qnData(t)
	english := xlOpen(t, qnWrite(t, q))
	q.Lang = domain.French
	f := xlOpen(t, qnWrite(t, q))
	if got, want := f.GetSheetList(), []string{qnInstructions, QuestionnaireSheet, QuestionnaireMetaSheet}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	headers, err := QuestionnaireHeadersIn(domain.French)
	if err != nil {
		t.Fatal(err)
	}
	if got := xlRows(t, f, QuestionnaireSheet)[0]; !slices.Equal(got, headers) {
		t.Errorf("header = %q, want %q", got, headers)
	}
	seen := map[string]bool{}
	for i, h := range headers {
		if seen[h] {
			t.Errorf("the French header %q names two columns", h)
		}
		seen[h] = true
		if QuestionnaireColumn(i) != QnControlID && QuestionnaireColumn(i) != QnVersion && h == QuestionnaireHeaders()[i] &&
			h != "Section" && h != "Justification" {
			t.Errorf("column %d header %q is not translated", i, h)
		}
	}
	// Every line of the instructions is in French: none is the English one.
	fr, en := xlRows(t, f, qnInstructions), xlRows(t, english, qnInstructions)
	if len(fr) != len(en) {
		t.Fatalf("%d lines of instructions, the English have %d", len(fr), len(en))
	}
	for i := range fr {
		if len(fr[i]) > 0 && slices.Equal(fr[i], en[i]) {
			t.Errorf("instruction line %d is still English: %q", i+1, fr[i])
		}
	}
	if got := fr[0][0]; got != "Questionnaire d’auto-évaluation Assure" {
		t.Errorf("title = %q", got)
	}
	hf, _ := f.GetHeaderFooter(QuestionnaireSheet)
	if !strings.Contains(hf.OddFooter, "Page &P sur &N") {
		t.Errorf("footer = %q, want French", hf.OddFooter)
	}
}
