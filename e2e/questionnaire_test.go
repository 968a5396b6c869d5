package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/reports"
)

// testQuestionnaireRoundTrip downloads the offline questionnaire from the
// filing screen, fills two unanswered rows as a person would in Excel and
// uploads it through the page: the page says it applied 2 and the cards
// show the answers. A second file with a bad cell on each of three rows is
// refused whole: the page names every problem by row and column and
// nothing, not even the file's one good row, is saved.
func testQuestionnaireRoundTrip(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	p := s.newPage(t, "admin")
	p.signIn(imaraAdmin)
	p.navigate("/assessments/" + draft.ID)
	p.waitVisible("#questionnaire-file")
	c := signInHTTP(t, s.url, imaraAdmin)
	link := s.url + eval[string](p, `document.querySelector('a[href$="/questionnaire.xlsx"]').getAttribute("href")`)

	book := downloadQuestionnaire(t, c, link)
	blank := book.rowsWhere(func(r []string) bool { return r[reports.QnStatus] == "" })
	if len(blank) < 2 {
		t.Fatalf("the questionnaire has %d unanswered rows, want 2", len(blank))
	}
	done, gap := blank[0], blank[1]
	narrative := "Agents sign in with a personal PIN that expires every 90 days."
	remediation := domain.Today().AddDays(180)
	book.set(done, reports.QnStatus, "implemented")
	book.set(done, reports.QnNarrative, narrative)
	book.set(gap, reports.QnStatus, "not_implemented")
	book.set(gap, reports.QnNarrative, "The backup site is being contracted.")
	book.set(gap, reports.QnRemediationDate, remediation.Time())
	uploadQuestionnaire(p, book.save(t, "filled.xlsx"))
	p.waitText("#questionnaire-result", "Applied 2,")
	// testAnswerAControl checks the filing screen whole; axe takes
	// seconds over its hundred cards, so here only the part that changed.
	axeWithin(t, p, offlineSection)

	doneCard, gapCard := "#control-"+book.control(done), "#control-"+book.control(gap)
	if !eval[bool](p, `document.querySelector("`+doneCard+` input[name=status][value=implemented]").checked`) ||
		eval[string](p, `document.querySelector("`+doneCard+` textarea[name=narrative]").value`) != narrative {
		t.Errorf("after the upload the card %s does not show implemented with the narrative", doneCard)
	}
	if !eval[bool](p, `document.querySelector("`+gapCard+` input[name=status][value=not_implemented]").checked`) {
		t.Errorf("after the upload the card %s is not answered not implemented", gapCard)
	}
	if got := eval[string](p, `document.querySelector("`+gapCard+` input[name=remediation_date]").value`); got != remediation.String() {
		t.Errorf("after the upload the card %s has remediation date %q, want %s", gapCard, got, remediation)
	}

	// A fresh copy, since the rows just applied have new versions.
	book = downloadQuestionnaire(t, c, link)
	answered := book.rowsWhere(func(r []string) bool { return r[reports.QnStatus] != "" })
	blank = book.rowsWhere(func(r []string) bool { return r[reports.QnStatus] == "" })
	if len(answered) < 3 || len(blank) < 1 {
		t.Fatalf("the questionnaire has %d answered and %d unanswered rows, want 3 and 1", len(answered), len(blank))
	}
	badStatus, badMaturity, badDate, good := answered[0], answered[1], answered[2], blank[0]
	book.set(badStatus, reports.QnStatus, "mostly")
	book.set(badMaturity, reports.QnMaturity, 7)
	book.set(badDate, reports.QnRemediationDate, "after the audit")
	book.set(good, reports.QnStatus, "implemented")
	book.set(good, reports.QnNarrative, "Reviewed by the board.")
	before := map[int]domain.Response{}
	for _, row := range []int{badStatus, badMaturity, badDate, good} {
		before[row] = s.response(t, draft.ID, book.control(row))
	}
	uploadQuestionnaire(p, book.save(t, "bad.xlsx"))
	p.waitText("#questionnaire-result", "nothing was saved")
	problems := eval[[]string](p, `[...document.querySelectorAll("#questionnaire-result li")].map(li => li.textContent.trim())`)
	for _, want := range []string{
		fmt.Sprintf("row %d (%s), status: 'mostly' is not one of", badStatus, book.control(badStatus)),
		fmt.Sprintf("row %d (%s), maturity: '7' is not a whole number from 0 to 5", badMaturity, book.control(badMaturity)),
		fmt.Sprintf("row %d (%s), remediation date: 'after the audit' is not a date", badDate, book.control(badDate)),
	} {
		if !containsPrefix(problems, want) {
			t.Errorf("the page's problems %q lack %q", problems, want)
		}
	}
	axeWithin(t, p, offlineSection)
	for row, was := range before {
		if now := s.response(t, draft.ID, book.control(row)); now.Version != was.Version || now.Status != was.Status {
			t.Errorf("the refused upload changed %s (row %d): %s v%d → %s v%d", book.control(row), row,
				was.Status, was.Version, now.Status, now.Version)
		}
	}
}

// offlineSection is the filing screen's part for the questionnaire.
const offlineSection = `section[aria-labelledby="offline-title"]`

// workbook is a downloaded questionnaire being filled in, with its
// Questionnaire sheet's rows as read when it came.
type workbook struct {
	t    *testing.T
	f    *excelize.File
	rows [][]string // rows[0] is the header; a sheet row n is rows[n-1]
}

// downloadQuestionnaire fetches the questionnaire workbook with a signed-in
// client.
func downloadQuestionnaire(t *testing.T, c *http.Client, link string) *workbook {
	t.Helper()
	res, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", link, res.StatusCode, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the questionnaire does not open as a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(reports.QuestionnaireSheet)
	if err != nil {
		t.Fatal(err)
	}
	width := len(reports.QuestionnaireHeaders())
	for i := range rows {
		for len(rows[i]) < width { // excelize leaves off empty cells at a row's end
			rows[i] = append(rows[i], "")
		}
	}
	return &workbook{t: t, f: f, rows: rows}
}

// rowsWhere returns the sheet row numbers of the control rows that match.
func (w *workbook) rowsWhere(match func([]string) bool) []int {
	var out []int
	for i, r := range w.rows[1:] {
		if r[reports.QnControlID] != "" && match(r) {
			out = append(out, i+2)
		}
	}
	return out
}

// control is the control id of a sheet row.
func (w *workbook) control(row int) string {
	return w.rows[row-1][reports.QnControlID]
}

// set writes a cell of a row, as typing into Excel would.
func (w *workbook) set(row int, col reports.QuestionnaireColumn, v any) {
	w.t.Helper()
	cell, err := excelize.CoordinatesToCellName(int(col)+1, row)
	if err == nil {
		err = w.f.SetCellValue(reports.QuestionnaireSheet, cell, v)
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

// save writes the workbook to a file of the test's and returns its path.
// It writes through a buffer: excelize's SaveAs adds to the package a
// content type for VBA projects, which the upload refuses as macros.
func (w *workbook) save(t *testing.T, name string) string {
	t.Helper()
	b, err := w.f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// uploadQuestionnaire sends a file through the filing screen's form and
// waits for the page that answers it.
func uploadQuestionnaire(p *page, file string) {
	p.t.Helper()
	p.do("choose "+file, chromedp.SetUploadFiles(chromedp.CSS("#questionnaire-file"), []string{file}))
	p.clickAndLoad(`form[action$="/questionnaire"] button[type=submit]`)
}

// containsPrefix reports whether a line of list starts with prefix.
func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
