package store_test

import (
	"context"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// draftCampaign prepares a campaign over the given providers as sup.
func draftCampaign(t *testing.T, db *store.DB, sup domain.Actor, name string, providers ...string) domain.Campaign {
	t.Helper()
	today := domain.Today()
	c, err := db.CreateCampaign(context.Background(), sup, domain.Campaign{Name: name, FrameworkID: "x1150",
		ProviderIDs: providers, OpensAt: today.AddDays(-1), DueAt: today.AddDays(45)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOpenCampaignCreatesAssessments: opening a campaign creates, in one
// change, an assessment for every active provider in scope, each with one
// response row per control that applies to it, and audits each of them.
func TestOpenCampaignCreatesAssessments(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	ctx := context.Background()
	sup := actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	sys := domain.System("test")
	bank := newSide(t, db, url, "Gamma Bank", "gamma")
	momo, err := db.CreateProvider(ctx, sys, domain.Provider{LegalName: "Delta Mobile Money", ShortName: "Delta",
		LicenceNumber: "MM-7", Kind: domain.KindMobileMoneyOperator, Tier: 2, Channels: []string{"ussd", "agents", "app"}})
	if err != nil {
		t.Fatal(err)
	}
	suspended := newProvider(t, url, "Epsilon Bank")
	exec(t, url, `update providers set status = 'suspended' where id = $1`, suspended)
	audit := newTrail(t, url)

	// A bad campaign is refused with every problem, and nothing is created.
	_, err = db.CreateCampaign(ctx, sup, domain.Campaign{Name: " ", FrameworkID: "x1150", ProviderIDs: []string{"x"},
		OpensAt: domain.Today(), DueAt: domain.Today()})
	if e := wantCode(t, "creating a bad campaign", err, domain.EInvalid); len(e.Problems) != 3 {
		t.Errorf("problems %v, want name, due date and provider id", e.Problems)
	}
	_, err = db.CreateCampaign(ctx, sup, domain.Campaign{Name: "Unknown", FrameworkID: "x1150",
		ProviderIDs: []string{"00000000-0000-4000-8000-000000000000"}, OpensAt: domain.Today(), DueAt: domain.Today().AddDays(1)})
	wantCode(t, "a campaign over an unknown provider", err, domain.EInvalid)
	audit.expect(t)

	c := draftCampaign(t, db, sup, "2027 cyber resilience review", bank.id, momo.ID, suspended)
	e := audit.one(t, ev{"campaign.create", "campaign", c.ID})
	if c.Status != domain.CampaignDraft || c.Assessments != 0 || c.FrameworkVersion == "" {
		t.Errorf("created %+v", c)
	}
	sameInstant(t, "the campaign's creation", c.CreatedAt, e)

	opened, err := db.OpenCampaign(ctx, sup, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := db.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if opened.Status != domain.CampaignOpen || opened.Assessments != 2 || len(list) != 2 {
		t.Fatalf("opened: %s with %d assessments (%d listed), want 2: the suspended provider left out",
			opened.Status, opened.Assessments, len(list))
	}
	want := []ev{{"campaign.open", "campaign", c.ID}}
	for _, a := range list {
		want = append(want, ev{"assessment.create", "assessment", a.ID})
	}
	events := audit.expect(t, want...)
	sameInstant(t, "the campaign's opening", *opened.OpenedAt, events[0])

	f := x1150(t)
	total := 0
	for _, a := range list {
		if a.ProviderID == suspended {
			t.Error("a suspended provider got an assessment")
		}
		p, err := db.Provider(ctx, sup, a.ProviderID)
		if err != nil {
			t.Fatal(err)
		}
		applicable := domain.ProfileOf(p).ApplicableControls(f, "")
		rows := count(t, url, `select count(*) from responses where assessment_id = $1 and status is null`, a.ID)
		if rows != len(applicable) || a.Applicable != len(applicable) || a.Status != domain.StatusDraft {
			t.Errorf("%s: %d response rows (assessment says %d), want one per applicable control, %d",
				a.ProviderName, rows, a.Applicable, len(applicable))
		}
		total += rows
		sameInstant(t, a.ProviderName+"'s assessment", a.CreatedAt, events[0])
		for _, e := range events {
			if e.ObjectID == a.ID && (e.ProviderID != a.ProviderID || e.Summary["applicable_controls"] != float64(rows)) {
				t.Errorf("assessment.create of %s: %+v", a.ProviderName, e)
			}
		}
		if err := db.CheckScores(ctx, a.ID); err != nil {
			t.Error(err)
		}
	}
	for _, e := range events {
		if e.Action == "campaign.open" && e.Summary["responses"] != float64(total) {
			t.Errorf("campaign.open counts %v responses, %d were made", e.Summary["responses"], total)
		}
	}

	_, err = db.OpenCampaign(ctx, sup, c.ID)
	if e := wantCode(t, "opening twice", err, domain.EConflict); !slices.Equal(e.Allowed, []string{"extend", "close"}) {
		t.Errorf("allowed %v, want extend and close", e.Allowed)
	}
	audit.expect(t)

	// With no active provider in scope nothing opens, and nothing is left half made.
	empty := draftCampaign(t, db, sup, "Suspended only", suspended)
	audit.one(t, ev{"campaign.create", "campaign", empty.ID})
	_, err = db.OpenCampaign(ctx, sup, empty.ID)
	wantCode(t, "opening with nobody in scope", err, domain.EConflict)
	if got, _ := db.Campaign(ctx, sup, empty.ID); got.Status != domain.CampaignDraft {
		t.Errorf("the refused campaign is %s", got.Status)
	}
	if n := count(t, url, `select count(*) from assessments where campaign_id = $1`, empty.ID); n != 0 {
		t.Errorf("%d assessments left by a refused opening", n)
	}
	audit.expect(t)
}

// TestExtendAndCloseCampaign: an open campaign's due date moves only later
// and with a reason; once closed, nothing more is filed in it.
func TestExtendAndCloseCampaign(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	c := f.campaign

	_, err := f.db.ExtendCampaign(ctx, f.sup, c.ID, c.DueAt, " ")
	if e := wantCode(t, "extending to the same day without a reason", err, domain.EInvalid); !problemAt(e, "body.due_at") ||
		!problemAt(e, "body.reason") {
		t.Errorf("problems %v, want due date and reason", e.Problems)
	}
	f.audit.expect(t)

	later := c.DueAt.AddDays(14)
	ext, err := f.db.ExtendCampaign(ctx, f.sup, c.ID, later, "National holiday week.")
	if err != nil {
		t.Fatal(err)
	}
	e := f.audit.one(t, ev{"campaign.extend", "campaign", c.ID})
	if ext.DueAt != later || ext.Version != c.Version+1 || summaryString(e, "reason") != "National holiday week." ||
		summaryString(e, "from") != c.DueAt.String() || summaryString(e, "to") != later.String() {
		t.Errorf("extended to %s v%d; event %v", ext.DueAt, ext.Version, e.Summary)
	}
	if due := f.assessment(t, f.a.assessment.ID).DueAt; due != later {
		t.Errorf("the assessment is due %s, want the extended %s", due, later)
	}

	f.submitted(t, f.b)
	f.audit = newTrail(t, f.url)
	closed, err := f.db.CloseCampaign(ctx, f.sup, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	e = f.audit.one(t, ev{"campaign.close", "campaign", c.ID})
	if closed.Status != domain.CampaignClosed || closed.ClosedAt == nil || e.Summary["unfiled_assessments"] != float64(1) {
		t.Errorf("closed %s at %v; event %v, want one unfiled assessment", closed.Status, closed.ClosedAt, e.Summary)
	}
	sameInstant(t, "the closing", *closed.ClosedAt, e)

	r := f.responses(t, f.a.editor, f.a.assessment.ID)[0]
	for name, try := range map[string]func() error{
		"answering": func() error {
			_, err := f.db.SaveResponse(ctx, f.a.editor, f.a.assessment.ID, r.ControlID, implemented("late"), r.Version)
			return err
		},
		"uploading": func() error {
			_, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID,
				[]store.UploadFile{upload("late.txt", "text/plain", []byte("late"))})
			return err
		},
		"submitting": func() error { _, err := f.db.Submit(ctx, f.a.admin, f.a.assessment.ID, attestation); return err },
		"extending":  func() error { _, err := f.db.ExtendCampaign(ctx, f.sup, c.ID, later.AddDays(7), "More."); return err },
		"closing":    func() error { _, err := f.db.CloseCampaign(ctx, f.sup, c.ID); return err },
		"reopening":  func() error { _, err := f.db.OpenCampaign(ctx, f.sup, c.ID); return err },
	} {
		wantCode(t, name+" in a closed campaign", try(), domain.EConflict)
	}
	f.audit.expect(t)

	// The review of what was filed goes on.
	if _, err := f.db.StartReview(ctx, f.sup, f.b.assessment.ID, 0); err != nil {
		t.Fatalf("reviewing a filing of a closed campaign: %v", err)
	}
	f.audit.one(t, ev{"assessment.start-review", "assessment", f.b.assessment.ID})
}

// TestCampaignsScopedForProviders: a provider's users see the campaigns
// they take part in once open, and of those only what concerns them.
func TestCampaignsScopedForProviders(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	onlyB := draftCampaign(t, f.db, f.sup, "Beta follow-up", f.b.id)
	if _, err := f.db.OpenCampaign(ctx, f.sup, onlyB.ID); err != nil {
		t.Fatal(err)
	}
	draftA := draftCampaign(t, f.db, f.sup, "Alpha, being prepared", f.a.id)
	f.audit = newTrail(t, f.url)

	for _, reader := range []domain.Actor{f.a.admin, f.a.editor} {
		list, _, err := f.db.Campaigns(ctx, reader, "", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != f.campaign.ID {
			t.Errorf("provider A lists %+v, want only the campaign it is in", list)
		}
		got, err := f.db.Campaign(ctx, reader, f.campaign.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.ProviderIDs, []string{f.a.id}) || got.Assessments != 1 {
			t.Errorf("provider A sees providers %v and %d assessments; want only itself", got.ProviderIDs, got.Assessments)
		}
		for name, id := range map[string]string{"another provider's": onlyB.ID, "a draft": draftA.ID} {
			_, err := f.db.Campaign(ctx, reader, id)
			wantCode(t, "reading "+name+" campaign", err, domain.ENotFound)
		}
		_, err = f.db.ExtendCampaign(ctx, reader, onlyB.ID, domain.Today().AddDays(90), "Mine to move?")
		wantCode(t, "extending another provider's campaign", err, domain.ENotFound)
		_, err = f.db.OpenCampaign(ctx, reader, draftA.ID)
		wantCode(t, "opening an unseen draft", err, domain.ENotFound)
	}
	f.audit.expect(t)

	for _, reader := range []domain.Actor{f.sup, f.auditor} {
		list, _, err := f.db.Campaigns(ctx, reader, "", store.Page{})
		if err != nil || len(list) != 3 {
			t.Errorf("%s lists %d campaigns, %v; want all 3", reader.Role, len(list), err)
		}
		got, err := f.db.Campaign(ctx, reader, f.campaign.ID)
		if err != nil || len(got.ProviderIDs) != 2 || got.Assessments != 2 {
			t.Errorf("%s sees %v, %d assessments, %v", reader.Role, got.ProviderIDs, got.Assessments, err)
		}
	}
	open, _, err := f.db.Campaigns(ctx, f.b.admin, domain.CampaignOpen, store.Page{})
	if err != nil || len(open) != 2 {
		t.Errorf("provider B lists %d open campaigns, %v; want both it is in", len(open), err)
	}
	if len(open) == 2 && (open[0].ID != onlyB.ID || open[0].CreatedAt.Before(open[1].CreatedAt)) {
		t.Error("campaigns are not listed newest first")
	}
}
