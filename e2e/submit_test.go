package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"assure/domain"
	"assure/store"
)

// testValidateAndSubmit takes Imara MFB's draft to submission as its
// administrator: the validation panel links to each control that keeps it
// from being submitted; one is followed and answered on the page, and the
// submit page then lists the others, which are answered through the store;
// after a reload nothing blocks. The attestation without its confirmation
// is refused next to the box; with it the assessment is submitted, sealed
// and read-only.
func testValidateAndSubmit(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	p := s.newPage(t, "admin")
	p.signIn(imaraAdmin)
	p.navigate("/assessments/" + draft.ID)
	p.waitVisible(`#panel a[href^="#control-"]`)
	// testAnswerAControl checks this page whole; axe takes seconds over
	// its hundred cards, so here only the panel this test is about.
	axeWithin(t, p, "#panel")
	blocking := eval[[]string](p, `[...document.querySelectorAll('#panel a[href^="#control-"]')].map(a => a.getAttribute("href"))`)
	for _, href := range blocking {
		if !eval[bool](p, `document.getElementById(`+jsString(strings.TrimPrefix(href, "#"))+`) !== null`) {
			t.Errorf("the panel links to %s, which is no control's card", href)
		}
	}

	// Follow the panel's first link and answer that control.
	first := blocking[0]
	card := strings.TrimPrefix(first, "#")
	p.click(`#panel a[href="` + first + `"]`)
	p.waitFor("the address to name "+first, `location.hash === `+jsString(first))
	p.typeInto("#"+card+" textarea[name=narrative]", "Tested quarterly.")
	p.click("#" + card + " input[name=status][value=implemented]")
	p.waitText("#"+card+" .saved", "Saved")
	p.waitFor("the panel to drop "+first, `document.querySelector('#panel a[href="`+first+`"]') === null`)

	// The submit page names the controls left, linking to their cards.
	p.clickAndLoad(`a.button.primary[href$="/submit"]`)
	p.waitText("h1", "Submit the assessment")
	listed := eval[[]string](p, `[...document.querySelectorAll(".summary a")].map(a => a.getAttribute("href"))`)
	var want []string
	for _, href := range blocking[1:] {
		want = append(want, "/assessments/"+draft.ID+href)
	}
	if !slices.Equal(listed, want) {
		t.Errorf("the submit page links the problems to %q, want the panel's cards %q", listed, want)
	}
	axe(t, p)

	answerEverything(t, s, draft.ID, imaraAdmin)
	p.navigate("/assessments/" + draft.ID)
	p.waitText("#panel", "Nothing: every control is answered.")
	if n := eval[int](p, `document.querySelectorAll('#panel a[href^="#control-"]').length`); n != 0 {
		t.Errorf("with every control answered the panel still links to %d controls", n)
	}
	axeWithin(t, p, "#panel")

	p.clickAndLoad(`a.button.primary[href$="/submit"]`)
	p.waitText("h1", "Submit the assessment")
	if eval[bool](p, `document.querySelector(".summary") !== null`) {
		t.Errorf("with nothing blocking the submit page says %q", p.text(".summary"))
	}
	axe(t, p)
	const position = "Chief Risk Officer"
	p.typeInto("#position", position)
	p.clickAndLoad(`form[action$="/submit"] button[type=submit]`)
	p.waitText("#confirm-error", "Tick the box to confirm the submission.")
	if got := eval[string](p, `document.getElementById("position").value`); got != position {
		t.Errorf("after the refusal the position holds %q, want %q", got, position)
	}
	axe(t, p)
	if a := s.assessment(t, "Imara MFB"); a.Status != domain.StatusDraft {
		t.Fatalf("without the confirmation the assessment became %s", a.Status)
	}

	p.click("#confirm")
	p.clickAndLoad(`form[action$="/submit"] button[type=submit]`)
	p.waitText("main", "The assessment is submitted and sealed.")
	if got := p.text(".meta .status"); got != "Submitted" {
		t.Errorf("after submitting the status reads %q, want Submitted", got)
	}
	p.waitText(".meta", "Submission 1")
	sub := p.text("ol.subs li")
	if !strings.Contains(sub, "Submission 1") || !strings.Contains(sub, position) || !strings.Contains(sub, "verified") {
		t.Errorf("the submissions list reads %q, want Submission 1 by the %s, its seal verified", sub, position)
	}
	if seal := p.text("ol.subs li code"); len(strings.TrimSpace(seal)) < 16 {
		t.Errorf("the submission's seal reads %q", seal)
	}
	for _, sel := range []string{"article.card form", "#questionnaire-file", "#evidence-file", `a[href$="/submit"]`} {
		if eval[bool](p, `document.querySelector(`+jsString(sel)+`) !== null`) {
			t.Errorf("the submitted assessment still has %s", sel)
		}
	}
	p.waitText(".controls", "This assessment cannot be changed now.")
	axe(t, p)
	if a := s.assessment(t, "Imara MFB"); a.Status != domain.StatusSubmitted || a.Submissions != 1 {
		t.Errorf("stored: %s with %d submissions, want submitted with 1", a.Status, a.Submissions)
	}
}

// testEditorCannotSubmit shows an editor of Imara MFB its draft: no submit
// button but a word on who can; the submit page refuses; and a submission
// posted with the editor's session and a valid CSRF token is refused too,
// leaving the draft a draft.
func testEditorCannotSubmit(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	p := s.newPage(t, "editor")
	p.signIn(imaraEditor)
	p.navigate("/assessments/" + draft.ID)
	p.waitVisible("article.card form")
	if eval[bool](p, `document.querySelector('a[href$="/submit"]') !== null`) {
		t.Error("the editor's filing screen offers the submit button")
	}
	p.waitText(".controls .hint", "Only your provider administrator can submit this assessment")
	// The page is the administrator's but for this word, and
	// testAnswerAControl checks that one whole.
	axeWithin(t, p, ".controls > p.hint")

	p.navigate("/assessments/" + draft.ID + "/submit")
	p.waitText("main", "You cannot submit this assessment.")
	if eval[bool](p, `document.querySelector('form[action$="/submit"]') !== null`) {
		t.Error("the submit page shows the attestation form to an editor")
	}
	axe(t, p)

	c := signInHTTP(t, s.url, imaraEditor)
	form := url.Values{"csrf": {csrfToken(t, c, s.url+"/assessments/"+draft.ID+"/submit")},
		"name": {"Imara editor"}, "position": {"Editor"}, "confirm": {"yes"},
		"statement": {"I attest that this self-assessment is true and complete to the best of my knowledge."}}
	res := postForm(t, c, s.url+"/assessments/"+draft.ID+"/submit", form)
	if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusConflict {
		t.Errorf("the editor's submission: status %d, want 403 or 409", res.StatusCode)
	}
	if a := s.assessment(t, "Imara MFB"); a.Status != domain.StatusDraft || a.Submissions != 0 {
		t.Errorf("after the editor's submission the assessment is %s with %d submissions, want a draft with none",
			a.Status, a.Submissions)
	}
}

// answerEverything answers, through the store as the user would on the
// page, every control that would keep an assessment from being submitted.
func answerEverything(t *testing.T, s *site, assessmentID, email string) {
	t.Helper()
	ctx := context.Background()
	actor := s.actor(t, email)
	all, err := store.All(func(pg store.Page) ([]domain.Response, string, error) {
		return s.db.Responses(ctx, actor, assessmentID, store.ResponseFilter{}, pg)
	})
	if err != nil {
		t.Fatal(err)
	}
	today := domain.Today()
	var updates []store.ResponseUpdate
	for _, r := range all {
		if len(r.CheckComplete(today)) == 0 {
			continue
		}
		updates = append(updates, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "In place and reviewed every year.",
				EvidenceIDs: r.EvidenceIDs}})
	}
	if _, err := s.db.SaveResponses(ctx, actor, assessmentID, updates, "e2e"); err != nil {
		t.Fatalf("answer the remaining %d controls: %v", len(updates), err)
	}
}
