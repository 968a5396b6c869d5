package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
)

// TestSaveResponseChecksVersion: a save names the version it read; a stale
// one is refused and changes nothing, a missing one is required, and saving
// the same answer again is no change at all.
func TestSaveResponseChecksVersion(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	a := f.a.assessment
	first := f.responses(t, f.a.editor, a.ID)[0]
	c := first.ControlID

	saved, err := f.db.SaveResponse(ctx, f.a.editor, a.ID, c, implemented("Tokens are bound to devices."), first.Version)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != first.Version+1 || saved.Status != domain.Implemented || saved.UpdatedBy != f.a.editor.UserID {
		t.Errorf("saved %+v, want version %d, implemented, by the editor", saved, first.Version+1)
	}
	e := f.audit.one(t, ev{"response.update", "response", responseID(a.ID, c)})
	if e.ProviderID != f.a.id || e.ActorID != f.a.editor.UserID {
		t.Errorf("event by %s about provider %s; want the editor and provider A", e.ActorID, e.ProviderID)
	}
	sameInstant(t, "the response's update", saved.UpdatedAt, e)

	// A second writer still holding the first version is refused.
	_, err = f.db.SaveResponse(ctx, f.a.admin, a.ID, c, domain.ResponseInput{Status: domain.NotImplemented,
		RemediationDate: domain.Today().AddDays(90).String()}, first.Version)
	wantCode(t, "save with a stale version", err, domain.EPrecondition)
	if now := f.response(t, a.ID, c); now.Status != domain.Implemented || now.Version != saved.Version {
		t.Errorf("after the stale save: %s version %d, want the first save kept", now.Status, now.Version)
	}
	f.audit.expect(t)

	_, err = f.db.SaveResponse(ctx, f.a.editor, a.ID, c, implemented("x"), 0)
	wantCode(t, "save without a version", err, domain.EPreconditionRequired)
	f.audit.expect(t)

	// The same answer again changes nothing: no new version, no event.
	again, err := f.db.SaveResponse(ctx, f.a.editor, a.ID, c, implemented("Tokens are bound to devices."), saved.Version)
	if err != nil || again.Version != saved.Version {
		t.Errorf("an unchanged save = version %d, %v; want version %d kept", again.Version, err, saved.Version)
	}
	f.audit.expect(t)

	// A control outside the assessment is not found.
	_, err = f.db.SaveResponse(ctx, f.a.editor, a.ID, "NO-SUCH-CONTROL", implemented("x"), 1)
	wantCode(t, "save to an unknown control", err, domain.ENotFound)
	f.audit.expect(t)
}

// TestSaveResponsesIsAllOrNothing: a bulk save with any problem saves none
// of its answers and names each problem by position and control; a clean
// one saves them all in one change.
func TestSaveResponsesIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	a := f.a.assessment
	rs := f.responses(t, f.a.editor, a.ID)[:4]
	good := func(i int) store.ResponseUpdate {
		return store.ResponseUpdate{ControlID: rs[i].ControlID, Version: rs[i].Version, Input: implemented(fmt.Sprint("answer ", i))}
	}
	bad := []store.ResponseUpdate{
		good(0),
		{ControlID: rs[1].ControlID, Version: rs[1].Version, Input: domain.ResponseInput{Status: "done"}},
		{ControlID: "C-UNKNOWN", Version: 1, Input: implemented("x")},
		{ControlID: rs[2].ControlID, Version: rs[2].Version, Input: domain.ResponseInput{Status: domain.Partial,
			RemediationDate: "next spring", Maturity: new(9)}},
		good(0),
	}
	_, err := f.db.SaveResponses(ctx, f.a.editor, a.ID, bad, "body.responses")
	e := wantCode(t, "a bulk save with problems", err, domain.EInvalid)
	for _, loc := range []string{
		fmt.Sprintf("body.responses[1] (%s).status", rs[1].ControlID),
		"body.responses[2] (C-UNKNOWN).control_id",
		fmt.Sprintf("body.responses[3] (%s).remediation_date", rs[2].ControlID),
		fmt.Sprintf("body.responses[3] (%s).maturity", rs[2].ControlID),
		fmt.Sprintf("body.responses[4] (%s).control_id", rs[0].ControlID),
	} {
		if !problemAt(e, loc) {
			t.Errorf("no problem at %s; got %v", loc, e.Problems)
		}
	}
	if len(e.Problems) != 5 {
		t.Errorf("%d problems, want 5: %v", len(e.Problems), e.Problems)
	}
	if r := f.response(t, a.ID, rs[0].ControlID); r.Status != "" || r.Version != rs[0].Version {
		t.Errorf("the good answer of a refused bulk save was kept: %+v", r)
	}
	f.audit.expect(t)

	// One stale version among good answers: nothing is saved, and only the
	// stale one is named.
	stale := []store.ResponseUpdate{good(0), good(1), good(2)}
	stale[1].Version++
	_, err = f.db.SaveResponses(ctx, f.a.editor, a.ID, stale, "body.responses")
	e = wantCode(t, "a bulk save with a stale version", err, domain.EPrecondition)
	if len(e.Problems) != 1 || e.Problems[0].Location != fmt.Sprintf("body.responses[1] (%s)", rs[1].ControlID) {
		t.Errorf("problems %v, want only the stale answer", e.Problems)
	}
	if n := count(t, f.url, `select count(*) from responses where assessment_id = $1 and status is not null`, a.ID); n != 0 {
		t.Errorf("%d answers saved by a refused bulk save", n)
	}
	f.audit.expect(t)

	// A clean bulk save keeps every answer, each with its event, in one change.
	clean := []store.ResponseUpdate{good(3), good(1), good(0)}
	out, err := f.db.SaveResponses(ctx, f.a.editor, a.ID, clean, "body.responses")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("%d responses back, want 3", len(out))
	}
	for i, r := range out {
		w := rs[[]int{0, 1, 3}[i]] // catalog order, whatever order the caller gave
		if r.Status != domain.Implemented || r.Version != w.Version+1 || r.ControlID != w.ControlID {
			t.Errorf("response %d back = %s %s v%d; want catalog order, implemented, next version", i, r.ControlID, r.Status, r.Version)
		}
	}
	events := f.audit.expect(t,
		ev{"response.update", "response", responseID(a.ID, rs[0].ControlID)},
		ev{"response.update", "response", responseID(a.ID, rs[1].ControlID)},
		ev{"response.update", "response", responseID(a.ID, rs[3].ControlID)})
	sameInstant(t, "the bulk save", out[0].UpdatedAt, events[0])
	if got := f.assessment(t, a.ID).Answered; got != 3 {
		t.Errorf("the assessment counts %d answered, want 3", got)
	}
}

// TestChangedAnswerClearsVerdict: when changes are requested and the
// provider changes an answer, the supervisor's verdict on it goes, because
// it judged something else; verdicts on answers left alone stay.
func TestChangedAnswerClearsVerdict(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	a := f.a.assessment
	f.inReview(t, f.a)
	f.judgeAll(t, f.sup, f.a, domain.Accepted)
	if _, err := f.db.RequestChanges(ctx, f.sup, a.ID, "Describe the key rotation.", 0); err != nil {
		t.Fatal(err)
	}
	rs := f.responses(t, f.a.editor, a.ID)
	changed, kept := rs[0], rs[1]
	if changed.Verdict != domain.Accepted || changed.VerdictBy != f.sup.UserID {
		t.Fatalf("before the change: verdict %q by %q", changed.Verdict, changed.VerdictBy)
	}
	f.audit = newTrail(t, f.url)

	out, err := f.db.SaveResponse(ctx, f.a.editor, a.ID, changed.ControlID,
		implemented("Keys rotate every 90 days under dual control."), changed.Version)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != "" || out.VerdictComment != "" || out.VerdictBy != "" || out.VerdictAt != nil {
		t.Errorf("a changed answer kept its verdict: %q %q by %q at %v", out.Verdict, out.VerdictComment, out.VerdictBy, out.VerdictAt)
	}
	f.audit.one(t, ev{"response.update", "response", responseID(a.ID, changed.ControlID)})

	// Saving the same answer is no change: the verdict stands.
	same := domain.ResponseInput{Status: kept.Status, Maturity: kept.Maturity, Narrative: kept.Narrative,
		Justification: kept.Justification, EvidenceIDs: kept.EvidenceIDs}
	out, err = f.db.SaveResponse(ctx, f.a.editor, a.ID, kept.ControlID, same, kept.Version)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != domain.Accepted || out.VerdictBy != f.sup.UserID {
		t.Errorf("an unchanged answer lost its verdict: %q by %q", out.Verdict, out.VerdictBy)
	}
	f.audit.expect(t)
	if err := f.db.CheckScores(ctx, a.ID); err != nil {
		t.Error(err)
	}
}

// TestSaveResponseIntoAnotherProviderIsNotFound: a provider's users cannot
// read or write another provider's assessment; to them it does not exist.
func TestSaveResponseIntoAnotherProviderIsNotFound(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	a := f.a.assessment
	r := f.responses(t, f.a.editor, a.ID)[0]

	for _, intruder := range []domain.Actor{f.b.editor, f.b.admin} {
		_, err := f.db.SaveResponse(ctx, intruder, a.ID, r.ControlID, implemented("mine now"), r.Version)
		wantCode(t, "saving into another provider's assessment", err, domain.ENotFound)
		_, err = f.db.SaveResponses(ctx, intruder, a.ID, []store.ResponseUpdate{{ControlID: r.ControlID,
			Version: r.Version, Input: implemented("mine now")}}, "body.responses")
		wantCode(t, "bulk saving into another provider's assessment", err, domain.ENotFound)
		_, _, err = f.db.Responses(ctx, intruder, a.ID, store.ResponseFilter{}, store.Page{})
		wantCode(t, "listing another provider's responses", err, domain.ENotFound)
		_, err = f.db.Response(ctx, intruder, a.ID, r.ControlID)
		wantCode(t, "reading another provider's response", err, domain.ENotFound)
	}
	if now := f.response(t, a.ID, r.ControlID); now.Status != "" || now.Version != r.Version {
		t.Errorf("another provider's save changed the response: %+v", now)
	}
	f.audit.expect(t)

	// Its own people still can.
	if _, err := f.db.SaveResponse(ctx, f.a.editor, a.ID, r.ControlID, implemented("ours"), r.Version); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"response.update", "response", responseID(a.ID, r.ControlID)})
}

// TestSaveResponseNeedsEditableAssessment: once filed, the answers are the
// supervisor's to judge, not the provider's to change.
func TestSaveResponseNeedsEditableAssessment(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	a := f.a.assessment
	f.submitted(t, f.a)
	f.audit = newTrail(t, f.url)
	r := f.responses(t, f.a.editor, a.ID)[0]
	_, err := f.db.SaveResponse(ctx, f.a.editor, a.ID, r.ControlID, implemented("changed after filing"), r.Version)
	e := wantCode(t, "saving into a submitted assessment", err, domain.EConflict)
	if !slices.Equal(e.Allowed, []string{domain.ActionStartReview}) {
		t.Errorf("allowed %v, want only start-review", e.Allowed)
	}
	if now := f.response(t, a.ID, r.ControlID); now.Version != r.Version {
		t.Errorf("the filed response changed to version %d", now.Version)
	}
	f.audit.expect(t)
}
