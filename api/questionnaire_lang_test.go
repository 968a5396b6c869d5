package api_test

import (
	"net/http"
	"testing"
)

// TestQuestionnaireInFrench downloads the questionnaire with ?lang=fr and
// uploads it back filled in French; an unknown language is refused.
func TestQuestionnaireInFrench(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	fl := newFiling(s, "bank")
	f := workbook(t, fl.editor.get(fl.path("/questionnaire.xlsx?lang=fr")))
	status, justification := sheetColumn(t, f, "État"), sheetColumn(t, f, "Justification")
	setCell(t, f, status, 2, "Non applicable")
	setCell(t, f, justification, 2, "Nous n’offrons pas ce canal.")
	if r := uploadQuestionnaire(t, fl.editor, fl.assessment.ID, f); r.status != http.StatusOK {
		t.Fatalf("upload of the French questionnaire = %d %s", r.status, r.body)
	}
	wantProblem(t, fl.editor.get(fl.path("/questionnaire.xlsx?lang=de")), http.StatusUnprocessableEntity)
}
