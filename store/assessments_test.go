package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
)

// TestAssessmentsScopedToProvider: a provider's users see their own
// assessment and nothing of another's, whichever way they ask; the
// regulator's people see both.
func TestAssessmentsScopedToProvider(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	a, b := f.a.assessment, f.b.assessment

	for _, reader := range []domain.Actor{f.b.admin, f.b.editor} {
		_, err := f.db.Assessment(ctx, reader, a.ID)
		wantCode(t, "reading another provider's assessment", err, domain.ENotFound)
		if got, err := f.db.Assessment(ctx, reader, b.ID); err != nil || got.ProviderID != f.b.id {
			t.Errorf("reading its own assessment = %+v, %v", got, err)
		}
		_, err = f.db.Transitions(ctx, reader, a.ID)
		wantCode(t, "reading another provider's history", err, domain.ENotFound)
		_, err = f.db.Submissions(ctx, reader, a.ID)
		wantCode(t, "reading another provider's submissions", err, domain.ENotFound)

		for name, filter := range map[string]store.AssessmentFilter{
			"everything":                {},
			"the campaign":              {CampaignID: f.campaign.ID},
			"the other provider, by id": {ProviderID: f.a.id},
		} {
			list, _, err := f.db.Assessments(ctx, reader, filter, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range list {
				if x.ProviderID != f.b.id {
					t.Errorf("listing %s, provider B sees %s's assessment", name, x.ProviderName)
				}
			}
			if name != "the other provider, by id" && len(list) != 1 {
				t.Errorf("listing %s, provider B sees %d assessments, want its one", name, len(list))
			}
		}
	}
	for _, reader := range []domain.Actor{f.sup, f.auditor} {
		list, _, err := f.db.Assessments(ctx, reader, store.AssessmentFilter{CampaignID: f.campaign.ID}, store.Page{})
		if err != nil || len(list) != 2 {
			t.Errorf("%s lists %d assessments, %v; want both", reader.Role, len(list), err)
		}
		if _, err := f.db.Assessment(ctx, reader, a.ID); err != nil {
			t.Errorf("%s reads A's assessment: %v", reader.Role, err)
		}
	}
	_, err := f.db.Assessment(ctx, f.sup, "not-an-id")
	wantCode(t, "reading a malformed id", err, domain.ENotFound)
	f.audit.expect(t)
}

// TestTransitionsAreRecorded: every move of an assessment is kept in its
// history with who, when and why, and audited by the same change.
func TestTransitionsAreRecorded(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	id := f.a.assessment.ID
	obj := func(action string) ev { return ev{"assessment." + action, "assessment", id} }

	f.answerAll(t, f.a)
	f.audit = newTrail(t, f.url)
	if _, err := f.db.Submit(ctx, f.a.admin, id, attestation); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, obj(domain.ActionSubmit))

	cur := f.assessment(t, id)
	_, err := f.db.StartReview(ctx, f.sup, id, cur.Version-1)
	wantCode(t, "start review with a stale version", err, domain.EPrecondition)
	f.audit.expect(t)
	after, err := f.db.StartReview(ctx, f.sup, id, cur.Version)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != domain.StatusInReview || after.Version != cur.Version+1 {
		t.Errorf("after start-review: %s v%d", after.Status, after.Version)
	}
	e := f.audit.one(t, obj(domain.ActionStartReview))
	sameInstant(t, "the assessment's update", after.UpdatedAt, e)

	_, err = f.db.RequestChanges(ctx, f.sup, id, "  ", 0)
	wantCode(t, "request changes without a reason", err, domain.EInvalid)
	f.audit.expect(t)
	if _, err := f.db.RequestChanges(ctx, f.sup, id, "Attach the penetration test report.", 0); err != nil {
		t.Fatal(err)
	}
	e = f.audit.one(t, obj(domain.ActionRequestChanges))
	if summaryString(e, "reason") != "Attach the penetration test report." || summaryString(e, "to") != "changes_requested" {
		t.Errorf("request-changes event summary %v", e.Summary)
	}

	if _, err := f.db.Submit(ctx, f.a.admin, id, attestation); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, obj(domain.ActionSubmit))
	if _, err := f.db.StartReview(ctx, f.sup2, id, 0); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, obj(domain.ActionStartReview))
	final, err := f.db.Reject(ctx, f.sup2, id, "Controls are described, not evidenced.", 0)
	if err != nil {
		t.Fatal(err)
	}
	e = f.audit.one(t, obj(domain.ActionReject))
	if final.Status != domain.StatusRejected || final.DecidedBy != "sup2@regulator.test" || final.DecidedAt == nil ||
		!final.DecidedAt.Equal(e.At) {
		t.Errorf("rejected assessment %s decided by %q at %v (event at %v)", final.Status, final.DecidedBy, final.DecidedAt, e.At)
	}

	history, err := f.db.Transitions(ctx, f.a.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Transition{
		{From: domain.StatusDraft, To: domain.StatusSubmitted, ActorID: f.a.admin.UserID},
		{From: domain.StatusSubmitted, To: domain.StatusInReview, ActorID: f.sup.UserID},
		{From: domain.StatusInReview, To: domain.StatusChangesRequested, ActorID: f.sup.UserID,
			Reason: "Attach the penetration test report."},
		{From: domain.StatusChangesRequested, To: domain.StatusSubmitted, ActorID: f.a.admin.UserID},
		{From: domain.StatusSubmitted, To: domain.StatusInReview, ActorID: f.sup2.UserID},
		{From: domain.StatusInReview, To: domain.StatusRejected, ActorID: f.sup2.UserID,
			Reason: "Controls are described, not evidenced."},
	}
	if len(history) != len(want) {
		t.Fatalf("%d transitions recorded, want %d: %+v", len(history), len(want), history)
	}
	for i, h := range history {
		w := want[i]
		if h.From != w.From || h.To != w.To || h.ActorID != w.ActorID || h.Reason != w.Reason {
			t.Errorf("transition %d = %s→%s by %s (%q), want %s→%s by %s (%q)", i, h.From, h.To, h.ActorID, h.Reason,
				w.From, w.To, w.ActorID, w.Reason)
		}
		if i > 0 && h.At.Before(history[i-1].At) {
			t.Errorf("transition %d is older than the one before it", i)
		}
	}
	sameInstant(t, "the rejection's transition", history[5].At, e)
}

// TestSubmitSealsFiling: an incomplete filing is refused with every reason
// at once; a complete one is sealed, and the seal is checked again on every
// read, so content changed behind Assure's back shows.
func TestSubmitSealsFiling(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	id := f.a.assessment.ID
	rs := f.responses(t, f.a.editor, id)

	_, err := f.db.Submit(ctx, f.a.admin, id, domain.Attestation{Name: "Ada Obi"})
	e := wantCode(t, "submitting an unanswered assessment", err, domain.EInvalid)
	for _, loc := range []string{"body.attestation.position", "body.attestation.statement", "responses." + rs[0].ControlID,
		"responses." + rs[len(rs)-1].ControlID} {
		if !problemAt(e, loc) {
			t.Errorf("no problem at %s", loc)
		}
	}
	if len(e.Problems) != len(rs)+2 {
		t.Errorf("%d problems, want one per unanswered control and two for the attestation", len(e.Problems))
	}
	if got := f.assessment(t, id); got.Status != domain.StatusDraft || got.Submissions != 0 {
		t.Errorf("a refused submission changed the assessment: %s, %d submissions", got.Status, got.Submissions)
	}
	f.audit.expect(t)

	f.answerAll(t, f.a)
	f.audit = newTrail(t, f.url)
	sub, err := f.db.Submit(ctx, f.a.admin, id, attestation)
	if err != nil {
		t.Fatal(err)
	}
	event := f.audit.one(t, ev{"assessment.submit", "assessment", id})
	if summaryString(event, "seal_sha256") != sub.Seal || event.Summary["submission"] != float64(1) {
		t.Errorf("submit event summary %v, want seal %s of submission 1", event.Summary, sub.Seal)
	}
	sameInstant(t, "the submission", sub.SubmittedAt, event)
	if seal, err := domain.SealOf(sub.Content); err != nil || seal != sub.Seal || !sub.Verified || sub.Version != 1 || sub.Late {
		t.Errorf("submission v%d seal %s (content hashes to %s, %v), verified %v, late %v", sub.Version, sub.Seal, seal,
			err, sub.Verified, sub.Late)
	}
	var snap domain.Snapshot
	if err := json.Unmarshal(sub.Content, &snap); err != nil {
		t.Fatal(err)
	}
	if snap.AssessmentID != id || snap.ProviderID != f.a.id || snap.SubmittedBy != "admin@alpha.test" ||
		len(snap.Responses) != len(rs) || snap.Attestation != attestation {
		t.Errorf("sealed snapshot %+v", snap)
	}
	if a := f.assessment(t, id); a.Status != domain.StatusSubmitted || a.Submissions != 1 || a.SubmittedAt == nil {
		t.Errorf("after submitting: %s, %d submissions, submitted at %v", a.Status, a.Submissions, a.SubmittedAt)
	}

	_, err = f.db.Submit(ctx, f.a.admin, id, attestation)
	wantCode(t, "submitting twice", err, domain.EConflict)
	f.audit.expect(t)

	for _, reader := range []domain.Actor{f.a.editor, f.sup, f.auditor} {
		got, err := f.db.Submission(ctx, reader, id, 1)
		if err != nil || !got.Verified || got.Seal != sub.Seal || got.SubmittedBy != "admin@alpha.test" {
			t.Errorf("%s reads submission 1: verified %v, seal %s, by %s, %v", reader.Email, got.Verified, got.Seal,
				got.SubmittedBy, err)
		}
	}
	_, err = f.db.Submission(ctx, f.b.admin, id, 1)
	wantCode(t, "another provider reading the submission", err, domain.ENotFound)
	_, err = f.db.Submission(ctx, f.sup, id, 2)
	wantCode(t, "reading a submission not made", err, domain.ENotFound)

	// The table refuses changes; someone who switches that off is caught by the seal.
	if err := execErr(f.url, `update submissions set late = true`); err == nil {
		t.Fatal("a sealed submission could be updated")
	}
	exec(t, f.url, `set session_replication_role = replica;
		update submissions set content = jsonb_set(content, '{responses,0,status}', '"not_implemented"')`)
	list, err := f.db.Submissions(ctx, f.sup, id)
	if err != nil || len(list) != 1 || list[0].Verified {
		t.Errorf("after tampering: %d submissions, verified %v, %v; want the seal to fail", len(list), len(list) > 0 && list[0].Verified, err)
	}
}

// TestIllegalTransitionIsConflict: an action the state does not allow is a
// conflict that names what is allowed, and changes nothing.
func TestIllegalTransitionIsConflict(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	id := f.a.assessment.ID
	draftAllowed := []string{domain.ActionEdit, domain.ActionSubmit}

	for name, try := range map[string]func() error{
		"start review of a draft": func() error { _, err := f.db.StartReview(ctx, f.sup, id, 0); return err },
		"approve a draft":         func() error { _, err := f.db.Approve(ctx, f.sup, id, "", 0); return err },
		"reject a draft":          func() error { _, err := f.db.Reject(ctx, f.sup, id, "No.", 0); return err },
		"request changes of a draft": func() error {
			_, err := f.db.RequestChanges(ctx, f.sup, id, "More.", 0)
			return err
		},
		"judge a draft": func() error {
			_, err := f.db.SetVerdicts(ctx, f.sup, id, []store.VerdictInput{{ControlID: "C1", Verdict: domain.Accepted}}, "body")
			return err
		},
	} {
		e := wantCode(t, name, try(), domain.EConflict)
		if !slices.Equal(e.Allowed, draftAllowed) {
			t.Errorf("%s: allowed %v, want %v", name, e.Allowed, draftAllowed)
		}
	}
	if a := f.assessment(t, id); a.Status != domain.StatusDraft || a.Version != f.a.assessment.Version {
		t.Errorf("refused actions changed the draft: %s v%d", a.Status, a.Version)
	}
	f.audit.expect(t)

	// A final state allows nothing at all.
	f.inReview(t, f.a)
	f.audit = newTrail(t, f.url)
	if _, err := f.db.Reject(ctx, f.sup, id, "Not credible.", 0); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"assessment.reject", "assessment", id})
	for name, try := range map[string]func() error{
		"submit a rejected assessment": func() error { _, err := f.db.Submit(ctx, f.a.admin, id, attestation); return err },
		"review it again":              func() error { _, err := f.db.StartReview(ctx, f.sup, id, 0); return err },
		"approve it after all":         func() error { _, err := f.db.Approve(ctx, f.sup2, id, "", 0); return err },
	} {
		if e := wantCode(t, name, try(), domain.EConflict); len(e.Allowed) != 0 {
			t.Errorf("%s: allowed %v, want nothing", name, e.Allowed)
		}
	}
	if got := f.assessment(t, id).Status; got != domain.StatusRejected {
		t.Errorf("a final assessment moved to %s", got)
	}
	f.audit.expect(t)
	if n := count(t, f.url, `select count(*) from assessment_transitions where assessment_id = $1`, id); n != 3 {
		t.Errorf("%d transitions recorded, want submit, start-review and reject only", n)
	}
}

// TestFourEyes: with the setting on, the supervisor who recorded an
// assessment's verdicts cannot also approve it; another supervisor can.
// Turned off, the same supervisor may.
func TestFourEyes(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	settings, _, err := f.db.Settings(ctx)
	if err != nil || !settings.FourEyes {
		t.Fatalf("four-eyes is off by default (%v)", err)
	}
	a, b := f.a.assessment.ID, f.b.assessment.ID
	f.inReview(t, f.a)
	f.inReview(t, f.b)

	// Approval needs every verdict first.
	_, err = f.db.Approve(ctx, f.sup2, a, "", 0)
	e := wantCode(t, "approving before any verdict", err, domain.EConflict)
	if !slices.Contains(e.Allowed, domain.ActionVerdict) || len(e.Problems) == 0 {
		t.Errorf("allowed %v with %d problems; want verdicts asked for, control by control", e.Allowed, len(e.Problems))
	}

	f.judgeAll(t, f.sup, f.a, domain.Accepted)
	f.audit = newTrail(t, f.url)
	_, err = f.db.Approve(ctx, f.sup, a, "All good.", 0)
	wantCode(t, "approving one's own review", err, domain.EForbidden)
	if got := f.assessment(t, a).Status; got != domain.StatusInReview {
		t.Errorf("the refused approval left the assessment %s", got)
	}
	f.audit.expect(t)

	approved, err := f.db.Approve(ctx, f.sup2, a, "Second pair of eyes.", 0)
	if err != nil {
		t.Fatal(err)
	}
	event := f.audit.one(t, ev{"assessment.approve", "assessment", a})
	if approved.Status != domain.StatusApproved || approved.DecidedBy != "sup2@regulator.test" || event.ActorID != f.sup2.UserID {
		t.Errorf("approved: %s by %s (event by %s)", approved.Status, approved.DecidedBy, event.ActorID)
	}

	// Off, the supervisor who judged may approve.
	settings.FourEyes = false
	admin := actorOf(newUser(t, f.db, "admin@regulator.test", domain.RoleAdmin, ""))
	f.audit = newTrail(t, f.url)
	if _, err := f.db.UpdateSettings(ctx, admin, settings, 0); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"settings.update", "settings", "settings"})
	f.judgeAll(t, f.sup, f.b, domain.Accepted)
	f.audit = newTrail(t, f.url)
	if _, err := f.db.Approve(ctx, f.sup, b, "", 0); err != nil {
		t.Fatalf("with four-eyes off: %v", err)
	}
	f.audit.one(t, ev{"assessment.approve", "assessment", b})
}
