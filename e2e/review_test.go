package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"assure/domain"
	"assure/store"
)

// Demo supervisors: Grace Wanjiru recorded the demo's verdicts; Moussa
// Diallo is the second pair of eyes.
const (
	supervisor  = "supervisor@demo.assure.local"
	supervisor2 = "supervisor2@demo.assure.local"
)

// actorOf is a demo user as the store knows them.
func (s *site) actorOf(t *testing.T, email string) domain.Actor {
	t.Helper()
	u, err := s.db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return domain.ActorFor(u)
}

// press sends one key to the page, as typed on the keyboard.
func (p *page) press(key string, mods ...chromedp.Modifier) {
	p.t.Helper()
	p.do("press "+key, chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...)))
}

// location is the address of the page, from its path on.
func (p *page) location() string {
	p.t.Helper()
	return eval[string](p, `location.pathname + location.search`)
}

// focusControl is the control the review screen has in focus.
func focusControl(p *page) string {
	p.t.Helper()
	p.waitVisible("#focus-title")
	p.waitFor("the review's keys", `document.body.dataset.reviewKeys === "ready"`)
	return eval[string](p, `document.querySelector("#verdict-form input[name=control]")?.value ?? ""`)
}

// testCampaignWizard has a supervisor draft a campaign with the wizard: the
// live preview follows the scope as it is ticked, the draft's page shows
// the same counts, and opening it creates the assessments.
func testCampaignWizard(t *testing.T, env *suite) {
	s := newSite(t, env)
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)
	p.followLink("Campaigns")
	p.waitVisible("#campaigns")
	axe(t, p)

	p.followLink("New campaign")
	p.waitVisible("#wizard")
	axe(t, p)
	p.typeInto("#name", "Banks 2027 (wizard)")
	p.click("#mode-kinds")
	p.click("#kind-bank")
	// The preview follows each change; the two banks are its last word.
	p.waitText("#preview-counts", "2 providers in scope")
	axe(t, p)
	p.click("#tier-1")
	p.waitText("#preview-counts", "1 providers in scope")

	// The providers' own list: searched as typed, ticked into the preview.
	p.click("#mode-providers")
	p.waitText("#preview", "Choose providers, or choose the scope by kind and tier")
	p.typeInto("#provider-q", "Kopa")
	p.waitFor("Kopa alone in the search's list", `[...document.querySelectorAll("#picker .found label")].map(l => l.textContent).join().includes("Kopa") && document.querySelectorAll("#picker .found label").length === 1`)
	p.do("tick Kopa", chromedp.Click(chromedp.Search(`//div[@id="picker"]//fieldset[contains(@class,"found")]//label[contains(., "Kopa")]`)))
	p.waitText("#preview-table", "Kopa")
	axe(t, p)
	p.click("#mode-kinds")
	p.waitText("#preview-table", "Banco de Crédito")

	p.clickAndLoad(`button[value=create]`)
	p.waitText("#main", "The campaign is drafted.")
	if got := p.text("#preview-counts"); !strings.HasPrefix(got, "1 providers in scope") {
		t.Errorf("the draft's page counts %q", got)
	}
	axe(t, p)
	p.clickAndLoad(`form[action$="/open"] button[type=submit]`)
	p.waitText("#main", "The campaign is open")
	p.waitVisible("#assessments")
	if n := eval[int](p, `document.querySelectorAll("#assessments tbody tr").length`); n != 1 {
		t.Errorf("the opened campaign lists %d assessments, want the one tier-1 bank", n)
	}
	axe(t, p)
}

// testReviewWithKeys has a supervisor review a submitted filing with the
// keyboard: j and k move, a accepts, i asks for the comment and Ctrl+Enter
// records it; typing a key letter in a field only types it. Then the
// supervisor requests changes.
func testReviewWithKeys(t *testing.T, env *suite) {
	s := newSite(t, env)
	kopa := s.assessment(t, "Kopa")
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)
	p.navigate("/assessments/" + kopa.ID)
	p.followLink("Open the review screen")
	p.waitVisible("#decision")
	axe(t, p)
	p.clickAndLoad(`form[action$="/review/start"] button`)
	p.waitText("#main", "The review has started.")
	axe(t, p)

	first := focusControl(p)
	p.press("j")
	p.waitFor("the next control", fmt.Sprintf(`document.querySelector("#verdict-form input[name=control]")?.value !== %s`, jsString(first)))
	second := focusControl(p)
	p.press("k")
	p.waitFor("the previous control", fmt.Sprintf(`document.querySelector("#verdict-form input[name=control]")?.value === %s`, jsString(first)))
	focusControl(p)

	p.press("a")
	p.waitText("#main", "Verdict recorded.")
	if got := focusControl(p); got != second {
		t.Errorf("after the verdict the focus is %s, want the next control %s", got, second)
	}
	if r := s.response(t, kopa.ID, first); r.Verdict != domain.Accepted {
		t.Errorf("a left %s %q", first, r.Verdict)
	}

	p.press("i")
	p.waitFor("the comment in focus", `document.activeElement === document.getElementById("verdict-comment")`)
	p.waitVisible("#verdict-pending")
	// Letters typed in the comment are the comment, not shortcuts.
	before := p.location()
	p.typeInto("#verdict-comment", "Please attach the key rotation log.")
	if got := p.location(); got != before {
		t.Errorf("typing in the comment moved the page from %s to %s", before, got)
	}
	if r := s.response(t, kopa.ID, second); r.Verdict != "" {
		t.Fatalf("typing in the comment recorded %s on %s", r.Verdict, second)
	}
	p.press("\r", chromedp.ModifierCtrl)
	p.waitFor("the verdict to be recorded", fmt.Sprintf(`document.querySelector("#verdict-form input[name=control]")?.value !== %s`, jsString(second)))
	if r := s.response(t, kopa.ID, second); r.Verdict != domain.NeedsInfo || r.VerdictComment != "Please attach the key rotation log." {
		t.Errorf("i and Ctrl+Enter left %s %q %q", second, r.Verdict, r.VerdictComment)
	}
	axe(t, p)

	p.typeInto("#changes-reason", "Attach the key rotation log; see the comment on "+second+".")
	p.clickAndLoad(`form[action$="/review/request-changes"] button`)
	p.waitText("#main", "Changes are requested")
	axe(t, p)
	if a := s.assessment(t, "Kopa"); a.Status != domain.StatusChangesRequested {
		t.Errorf("after requesting changes Kopa's assessment is %s", a.Status)
	}

	// The single-key shortcuts can be turned off, and stay off.
	p.click("#keys-on")
	p.do("reload", chromedp.Reload())
	p.waitVisible("#keys-on")
	if eval[bool](p, `document.getElementById("keys-on").checked`) {
		t.Error("the shortcuts are on again after a reload")
	}
	p.waitFor("the review's keys", `document.body.dataset.reviewKeys === "ready"`)
	at := p.location()
	p.press("j")
	p.press("k")
	if got := p.location(); got != at {
		t.Errorf("with the shortcuts off, j and k moved the page from %s to %s", at, got)
	}
}

// testSecondSupervisorApproves has Grace record every verdict of Atlas
// Bank's filing; her review screen offers no approval and says why, and
// Moussa approves it.
func testSecondSupervisorApproves(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	atlas := s.assessment(t, "Atlas Bank")
	grace := s.actorOf(t, supervisor)
	responses, _, err := s.db.Responses(ctx, grace, atlas.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var vs []store.VerdictInput
	for _, r := range responses {
		if r.Verdict != domain.Accepted {
			vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
		}
	}
	if _, err := s.db.SetVerdicts(ctx, grace, atlas.ID, vs, "e2e"); err != nil {
		t.Fatal(err)
	}
	review := "/assessments/" + atlas.ID + "/review"

	g := s.newPage(t, "grace")
	g.signIn(supervisor)
	g.navigate(review)
	g.waitText("#four-eyes", "another supervisor must approve it")
	if eval[bool](g, `document.querySelector('form[action$="/review/approve"]') !== null`) {
		t.Error("Grace, who recorded the verdicts, is offered the approval")
	}

	m := s.newPage(t, "moussa")
	m.signIn(supervisor2)
	m.navigate(review)
	m.waitText("#decision", "Grace Wanjiru")
	axe(t, m)
	m.typeInto("#approve-comment", "Reviewed by a second supervisor.")
	m.clickAndLoad(`form[action$="/review/approve"] button`)
	m.waitText("#main", "The assessment is approved.")
	axe(t, m)
	if a := s.assessment(t, "Atlas Bank"); a.Status != domain.StatusApproved {
		t.Errorf("Atlas Bank's assessment is %s", a.Status)
	}
}

// testRaiseFindingFromControl raises a finding from the control in focus of
// a review and finds it in the list of findings, filtered.
func testRaiseFindingFromControl(t *testing.T, env *suite) {
	s := newSite(t, env)
	mmo := s.assessment(t, "SG Mobile Money")
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor)
	p.navigate("/assessments/" + mmo.ID + "/review")
	control := focusControl(p)
	p.click("#raise summary")
	p.waitVisible("#finding-title")
	p.typeInto("#finding-title", "Agent float reconciliation not evidenced")
	p.do("pick the severity", chromedp.SetValue(chromedp.CSS("#finding-severity"), "high"))
	p.typeInto("#finding-description", "No reconciliation report was attached for the agent float accounts.")
	p.clickAndLoad(`form[action$="/review/finding"] button`)
	p.waitText("#main", "The finding is raised.")
	p.waitText(".control-findings", "Agent float reconciliation not evidenced")
	axe(t, p)

	p.navigate("/findings")
	p.waitVisible("#findings-filter")
	p.do("filter by severity", chromedp.SetValue(chromedp.CSS("#f-severity"), "high"))
	p.do("filter by provider", chromedp.SetValue(chromedp.CSS("#f-provider"), mmo.ProviderID))
	p.clickAndLoad(`#findings-filter button[type=submit]`)
	p.waitText("#main", "Agent float reconciliation not evidenced")
	if shown := eval[string](p, `[...document.querySelectorAll("article.finding .facts")].map(f => f.textContent).join("|")`); strings.Contains(shown, "Banco de Crédito") {
		t.Error("the list filtered by provider shows another provider's finding")
	}
	axe(t, p)
	p.followLink("Agent float reconciliation not evidenced")
	p.waitText("#main", control)
	axe(t, p)
}

// testReviewOfChanges files Nyota's assessment a second time with one answer
// changed: its review shows what changed, beside the answer, and accepts the
// unchanged controls accepted last time in one go.
func testReviewOfChanges(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	nyota := s.assessment(t, "Nyota")
	admin := s.actorOf(t, "p04-admin@demo.assure.local")
	responses, _, err := s.db.Responses(ctx, admin, nyota.ID, store.ResponseFilter{Verdict: domain.Accepted}, store.Page{})
	if err != nil || len(responses) == 0 {
		t.Fatalf("no accepted answer at Nyota: %v", err)
	}
	changed := responses[0]
	if _, err := s.db.SaveResponse(ctx, admin, nyota.ID, changed.ControlID, domain.ResponseInput{Status: domain.Partial,
		Narrative: "Now only at head office.", RemediationDate: domain.Today().AddDays(100).String()}, changed.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Submit(ctx, admin, nyota.ID, domain.Attestation{Name: "Compliance lead", Position: "Head of Compliance",
		Statement: "True and complete."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.StartReview(ctx, s.actorOf(t, supervisor2), nyota.ID, 0); err != nil {
		t.Fatal(err)
	}
	p := s.newPage(t, "supervisor")
	p.signIn(supervisor2)
	p.navigate("/assessments/" + nyota.ID + "/review?control=" + changed.ControlID)
	p.waitText("#change-title", "What changed since submission 1")
	p.waitText(".diff", "Now only at head office.")
	p.waitVisible("#unchanged")
	axe(t, p)
	p.clickAndLoad(`form[action$="/review/accept-unchanged"] button`)
	p.waitText("#main", "The unchanged controls are accepted.")
	axe(t, p)
	after, _, err := s.db.Responses(ctx, admin, nyota.ID, store.ResponseFilter{Verdict: domain.Accepted}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(responses)-1 {
		t.Errorf("%d controls are accepted after accepting the unchanged ones, want %d", len(after), len(responses)-1)
	}
	for _, r := range after {
		if r.ControlID == changed.ControlID {
			t.Errorf("the changed control %s was accepted with the unchanged ones", r.ControlID)
		}
		if r.VerdictByName != "Moussa Diallo" {
			t.Errorf("%s stays accepted by %q", r.ControlID, r.VerdictByName)
		}
	}
}
