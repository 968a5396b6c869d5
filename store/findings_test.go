package store_test

import (
	"context"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
)

// raise has the supervisor raise a finding against a side's assessment.
func (f *filing) raise(t *testing.T, s side, controlID, title string) domain.Finding {
	t.Helper()
	fi, err := f.db.CreateFinding(context.Background(), f.sup, store.NewFinding{AssessmentID: s.assessment.ID,
		ControlID: controlID, Title: title, Severity: domain.SeverityHigh,
		Description: "Administrator accounts are shared.", DueAt: domain.Today().AddDays(60)})
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// TestFindingLifecycle: a finding is raised, answered with a plan, worked
// on, resolved, verified and reopened; each step is kept in its history and
// audited by the same change, and steps out of order are refused.
func TestFindingLifecycle(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	control := f.responses(t, f.sup, f.a.assessment.ID)[0].ControlID

	// Every problem of a bad finding at once, and nothing raised.
	_, err := f.db.CreateFinding(ctx, f.sup, store.NewFinding{AssessmentID: f.a.assessment.ID, ControlID: "C-NONE",
		Severity: "grave", DueAt: domain.Today()})
	e := wantCode(t, "raising a bad finding", err, domain.EInvalid)
	for _, loc := range []string{"body.title", "body.severity", "body.description", "body.due_at", "body.control_id"} {
		if !problemAt(e, loc) {
			t.Errorf("no problem at %s: %v", loc, e.Problems)
		}
	}
	f.audit.expect(t)

	fi := f.raise(t, f.a, control, "  Shared administrator accounts ")
	ev1 := f.audit.one(t, ev{"finding.create", "finding", fi.ID})
	if fi.Status != domain.FindingOpen || fi.Title != "Shared administrator accounts" || fi.ProviderID != f.a.id ||
		fi.ControlID != control || fi.CreatedBy != f.sup.UserID || ev1.ProviderID != f.a.id {
		t.Errorf("raised %+v (event about %s)", fi, ev1.ProviderID)
	}
	sameInstant(t, "the finding's creation", fi.CreatedAt, ev1)

	plan := "Personal accounts with MFA by June."
	step := func(what string, do func() (domain.Finding, error), action string, want domain.FindingStatus) domain.Finding {
		t.Helper()
		got, err := do()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got.Status != want {
			t.Errorf("%s: status %s, want %s", what, got.Status, want)
		}
		e := f.audit.one(t, ev{action, "finding", fi.ID})
		sameInstant(t, what, got.UpdatedAt, e)
		return got
	}
	got := step("the plan", func() (domain.Finding, error) {
		return f.db.RespondToFinding(ctx, f.a.editor, fi.ID, store.FindingResponse{RemediationPlan: &plan})
	}, "finding.update", domain.FindingOpen)
	if got.RemediationPlan != plan {
		t.Errorf("plan %q", got.RemediationPlan)
	}
	step("starting", func() (domain.Finding, error) {
		return f.db.RespondToFinding(ctx, f.a.admin, fi.ID, store.FindingResponse{Action: domain.FindingStart,
			Note: "Procurement of tokens under way."})
	}, "finding.start", domain.FindingInProgress)

	_, err = f.db.VerifyFinding(ctx, f.sup, fi.ID, "")
	if e := wantCode(t, "verifying unresolved work", err, domain.EConflict); !slices.Equal(e.Allowed, []string{domain.FindingResolve}) {
		t.Errorf("allowed %v, want resolve", e.Allowed)
	}
	f.audit.expect(t)

	step("resolving", func() (domain.Finding, error) {
		return f.db.RespondToFinding(ctx, f.a.admin, fi.ID, store.FindingResponse{Action: domain.FindingResolve,
			Note: "All administrators use personal accounts."})
	}, "finding.resolve", domain.FindingResolved)

	// A resolved finding is the supervisor's to verify or reopen; the
	// provider's changes wait.
	other := "A different plan."
	_, err = f.db.RespondToFinding(ctx, f.a.admin, fi.ID, store.FindingResponse{RemediationPlan: &other})
	wantCode(t, "changing the plan of a resolved finding", err, domain.EConflict)
	_, err = f.db.ReopenFinding(ctx, f.sup, fi.ID, " ")
	wantCode(t, "reopening without a reason", err, domain.EInvalid)
	f.audit.expect(t)

	step("verifying", func() (domain.Finding, error) {
		return f.db.VerifyFinding(ctx, f.sup, fi.ID, "Seen on site.")
	}, "finding.verify", domain.FindingVerified)
	final := step("reopening", func() (domain.Finding, error) {
		return f.db.ReopenFinding(ctx, f.sup2, fi.ID, "A shared account is back.")
	}, "finding.reopen", domain.FindingOpen)
	if final.RemediationPlan != plan {
		t.Errorf("the refused plan change stuck: %q", final.RemediationPlan)
	}

	full, err := f.db.Finding(ctx, f.a.editor, fi.ID)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		from, to domain.FindingStatus
		by, note string
	}
	want := []entry{
		{domain.FindingOpen, domain.FindingOpen, f.a.editor.UserID, ""},
		{domain.FindingOpen, domain.FindingInProgress, f.a.admin.UserID, "Procurement of tokens under way."},
		{domain.FindingInProgress, domain.FindingResolved, f.a.admin.UserID, "All administrators use personal accounts."},
		{domain.FindingResolved, domain.FindingVerified, f.sup.UserID, "Seen on site."},
		{domain.FindingVerified, domain.FindingOpen, f.sup2.UserID, "A shared account is back."},
	}
	if len(full.Updates) != len(want) {
		t.Fatalf("%d history entries, want %d: %+v", len(full.Updates), len(want), full.Updates)
	}
	for i, u := range full.Updates {
		if w := want[i]; u.From != w.from || u.To != w.to || u.ActorID != w.by || u.Note != w.note {
			t.Errorf("history %d = %s→%s by %s %q, want %s→%s by %s %q", i, u.From, u.To, u.ActorID, u.Note,
				w.from, w.to, w.by, w.note)
		}
	}
	if full.Version != fi.Version+5 {
		t.Errorf("version %d after five steps from %d", full.Version, fi.Version)
	}
}

// TestFindingsScopedToProvider: a provider sees and answers only its own
// findings; another provider's do not exist for it.
func TestFindingsScopedToProvider(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	fa := f.raise(t, f.a, "", "Alpha: no incident response plan")
	fb := f.raise(t, f.b, "", "Beta: weak PINs")
	f.audit = newTrail(t, f.url)

	_, err := f.db.Finding(ctx, f.b.admin, fa.ID)
	wantCode(t, "reading another provider's finding", err, domain.ENotFound)
	plan := "Not ours to plan."
	_, err = f.db.RespondToFinding(ctx, f.b.admin, fa.ID, store.FindingResponse{RemediationPlan: &plan})
	wantCode(t, "answering another provider's finding", err, domain.ENotFound)
	_, err = f.db.RespondToFinding(ctx, f.b.editor, fa.ID, store.FindingResponse{Action: domain.FindingResolve})
	wantCode(t, "resolving another provider's finding", err, domain.ENotFound)
	if got, _ := f.db.Finding(ctx, f.sup, fa.ID); got.Status != domain.FindingOpen || got.RemediationPlan != "" {
		t.Errorf("another provider changed the finding: %s %q", got.Status, got.RemediationPlan)
	}
	f.audit.expect(t)

	// A provider user cannot raise one against another provider's assessment either.
	_, err = f.db.CreateFinding(ctx, f.b.admin, store.NewFinding{AssessmentID: f.a.assessment.ID, Title: "x",
		Severity: domain.SeverityLow, Description: "x", DueAt: domain.Today().AddDays(5)})
	if e := wantCode(t, "raising against an unseen assessment", err, domain.EInvalid); !problemAt(e, "body.assessment_id") {
		t.Errorf("problems %v, want the assessment not found", e.Problems)
	}
	f.audit.expect(t)

	for name, filter := range map[string]store.FindingFilter{
		"all":               {},
		"the campaign":      {CampaignID: f.campaign.ID},
		"A's assessment":    {AssessmentID: f.a.assessment.ID},
		"provider A, by id": {ProviderID: f.a.id},
		"high, as both are": {Severity: domain.SeverityHigh},
		"open, as both are": {Status: domain.FindingOpen},
	} {
		list, _, err := f.db.Findings(ctx, f.b.editor, filter, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.ProviderID != f.b.id {
				t.Errorf("listing %s, provider B sees %q", name, x.Title)
			}
		}
	}
	own, _, err := f.db.Findings(ctx, f.b.editor, store.FindingFilter{}, store.Page{})
	if err != nil || len(own) != 1 || own[0].ID != fb.ID {
		t.Errorf("provider B's findings: %+v, %v", own, err)
	}
	all, _, err := f.db.Findings(ctx, f.auditor, store.FindingFilter{CampaignID: f.campaign.ID}, store.Page{})
	if err != nil || len(all) != 2 {
		t.Errorf("the auditor sees %d findings, %v; want both", len(all), err)
	}
}
