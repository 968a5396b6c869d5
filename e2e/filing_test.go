package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"assure/domain"
)

// testAnswerAControl follows a provider administrator from the sign-in page
// through the home page to the draft, where one unanswered control is
// answered, saved by autosave and still there after a reload; axe checks
// every page on the way, the submit page too.
func testAnswerAControl(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	p := s.newPage(t, "admin")

	p.navigate("/signin")
	axe(t, p)
	p.signIn(imaraAdmin)

	p.waitText("main", draft.CampaignName)
	row := eval[string](p, rowText(draft.CampaignName))
	wantProgress := fmt.Sprintf("%d of %d answered", draft.Answered, draft.Applicable)
	if !strings.Contains(row, "Imara MFB") || !strings.Contains(row, wantProgress) {
		t.Errorf("home row of %q = %q, want Imara MFB and %q", draft.CampaignName, row, wantProgress)
	}
	axe(t, p)

	p.followLink(draft.CampaignName)
	p.waitText("h1", "Imara MFB")
	p.waitText("h1", draft.CampaignName)
	before := p.text("#progress label")
	axe(t, p)

	card := firstCard(p, false)
	control := strings.TrimPrefix(card, "control-")
	narrative := "Access to the agent float system needs a named account and a hardware token."
	// The narrative first: picking the answer then blurs it, so both
	// changes go out in one autosave.
	p.typeInto("#"+card+" textarea[name=narrative]", narrative)
	p.click("#" + card + " input[name=status][value=implemented]")
	p.waitText("#"+card+" .saved", "Saved")
	var answered, total int
	if _, err := fmt.Sscanf(before, "%d of %d", &answered, &total); err != nil {
		t.Fatalf("progress %q: %v", before, err)
	}
	want := fmt.Sprintf("%d of %d", answered+1, total)
	p.waitText("#progress label", want)

	p.do("reload", chromedp.Reload())
	p.waitVisible("#" + card)
	if !eval[bool](p, fmt.Sprintf(`document.querySelector("#%s input[name=status][value=implemented]").checked`, card)) {
		t.Errorf("after a reload %s is not answered implemented", control)
	}
	if got := eval[string](p, fmt.Sprintf(`document.querySelector("#%s textarea[name=narrative]").value`, card)); got != narrative {
		t.Errorf("after a reload the narrative of %s is %q, want %q", control, got, narrative)
	}
	if r := s.response(t, draft.ID, control); r.Status != domain.Implemented || r.Narrative != narrative {
		t.Errorf("stored answer of %s = %s %q, want implemented %q", control, r.Status, r.Narrative, narrative)
	}

	// Typing on while an autosave is in flight loses nothing: the answer
	// is picked first, the narrative typed at once after.
	// The field is marked so that a card swapped in by the save shows.
	next := firstCard(p, false)
	more := "Reviewed every quarter by the internal auditor, with the minutes kept."
	field := fmt.Sprintf(`document.querySelector("#%s textarea[name=narrative]")`, next)
	eval[bool](p, field+`.dataset.typing = "yes"; true`)
	p.click("#" + next + " input[name=status][value=partial]")
	p.typeInto("#"+next+" textarea[name=narrative]", more)
	p.waitText("#"+next+" .saved", "Saved")
	if got := eval[string](p, field+".value"); got != more {
		t.Errorf("while saving, the narrative being typed became %q, want %q", got, more)
	}
	if !eval[bool](p, field+`.dataset.typing === "yes"`) {
		t.Error("the save replaced the field being typed in")
	}

	p.clickAndLoad(`a.button.primary[href$="/submit"]`)
	p.waitText("h1", "Submit the assessment")
	axe(t, p)
}

// testConflictKeepMine has two people of one provider answer the same
// control: the second save meets the first, the page shows both answers
// side by side, and "Keep mine" saves the second over the first knowingly.
func testConflictKeepMine(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	admin := s.newPage(t, "admin")
	editor := s.newPage(t, "editor")
	admin.signIn(imaraAdmin)
	editor.signIn(imaraEditor)
	admin.navigate("/assessments/" + draft.ID)
	editor.navigate("/assessments/" + draft.ID)
	card := firstCard(admin, false)
	control := strings.TrimPrefix(card, "control-")
	editor.waitVisible("#" + card)

	theirs, mine := "The admin's answer: reviewed quarterly.", "The editor's answer: reviewed monthly."
	admin.typeInto("#"+card+" textarea[name=narrative]", theirs)
	admin.click("#" + card + " input[name=status][value=implemented]")
	admin.waitText("#"+card+" .saved", "Saved")

	editor.typeInto("#"+card+" textarea[name=narrative]", mine)
	editor.click("#" + card + " input[name=status][value=partial]")
	editor.waitVisible("#" + card + " .conflict")
	conflict := editor.text("#" + card + " .conflict")
	for _, want := range []string{"Keep mine", "Take theirs", theirs} {
		if !strings.Contains(conflict, want) {
			t.Errorf("conflict panel %q lacks %q", conflict, want)
		}
	}
	if got := eval[string](editor, fmt.Sprintf(`document.querySelector("#%s textarea[name=narrative]").value`, card)); got != mine {
		t.Errorf("during the conflict the editor's form holds %q, want their own %q", got, mine)
	}
	if r := s.response(t, draft.ID, control); r.Narrative != theirs {
		t.Errorf("before Keep mine the stored narrative is %q, want the first save's %q", r.Narrative, theirs)
	}
	axeWithin(t, editor, "#"+card)

	editor.click("#" + card + " .conflict button[type=submit]")
	editor.waitText("#"+card+" .saved", "Saved")
	if eval[bool](editor, fmt.Sprintf(`document.querySelector("#%s .conflict") !== null`, card)) {
		t.Error("the conflict panel stays after Keep mine saved")
	}
	if r := s.response(t, draft.ID, control); r.Status != domain.Partial || r.Narrative != mine {
		t.Errorf("after Keep mine the stored answer is %s %q, want partial %q", r.Status, r.Narrative, mine)
	}

	admin.do("reload", chromedp.Reload())
	admin.waitVisible("#" + card)
	if got := eval[string](admin, fmt.Sprintf(`document.querySelector("#%s textarea[name=narrative]").value`, card)); got != mine {
		t.Errorf("after a reload the admin sees %q, want the kept %q", got, mine)
	}
}

// testEvidenceUpload uploads a file through the file input; the file is
// listed and can be cited by a control from the control's card.
func testEvidenceUpload(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	p := s.newPage(t, "admin")
	p.signIn(imaraAdmin)
	p.navigate("/assessments/" + draft.ID)

	name := "e2e-access-review.txt"
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte("Access review, second quarter: 14 accounts removed.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#evidence-file"), []string{file}))
	p.click(`form[data-upload] button[type=submit]`)
	p.waitText("#evidence ul.files", name)
	p.waitText("main", "The files are stored.")

	card := firstCard(p, true)
	control := strings.TrimPrefix(card, "control-")
	box := eval[string](p, fmt.Sprintf(`[...document.querySelectorAll("#%s input[name=evidence]")]`+
		`.find(b => b.labels[0]?.textContent.trim() === %s)?.id ?? ""`, card, jsString(name)))
	if box == "" {
		t.Fatalf("the card of %s has no checkbox for %s", control, name)
	}
	p.click("#" + box)
	p.waitText("#"+card+" .saved", "Saved")

	p.do("reload", chromedp.Reload())
	p.waitVisible("#" + card)
	if !eval[bool](p, fmt.Sprintf(`document.getElementById(%s).checked`, jsString(box))) {
		t.Errorf("after a reload %s does not cite %s", control, name)
	}
	r := s.response(t, draft.ID, control)
	ev := strings.TrimPrefix(box, control+"-ev-")
	if !slices.Contains(r.EvidenceIDs, ev) {
		t.Errorf("stored evidence of %s = %v, want it to hold %s", control, r.EvidenceIDs, ev)
	}
}

// firstCard returns the element id of the first editable control card that
// is answered, or unanswered.
func firstCard(p *page, answered bool) string {
	p.t.Helper()
	p.waitVisible("article.card form")
	id := eval[string](p, fmt.Sprintf(`[...document.querySelectorAll("article.card")]`+
		`.find(c => c.querySelector("input[name=status]") && (c.querySelector("input[name=status]:checked") !== null) === %t)?.id ?? ""`,
		answered))
	if id == "" {
		p.t.Fatalf("%s: no editable card that is answered=%t", p.name, answered)
	}
	return id
}

// rowText is a script returning the text of the home page's table row that
// links to a campaign.
func rowText(campaign string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("table.list tbody tr")]`+
		`.find(r => [...r.querySelectorAll("a")].some(a => a.textContent.trim() === %s))?.textContent ?? ""`, jsString(campaign))
}
