package app_test

import (
	"context"
	"testing"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// progressOf returns the one progress of the fixture's campaign as actor sees it.
func progressOf(t *testing.T, s *sector, actor domain.Actor) store.CampaignProgress {
	t.Helper()
	list, err := s.app.CampaignProgress(context.Background(), actor, []string{s.a.CampaignID})
	if err != nil || len(list) != 1 {
		t.Fatalf("progress as %s = %v, %v", actor.Role, list, err)
	}
	return list[0]
}

// TestCampaignProgress follows the counts of a two-provider campaign as its
// filings move: not started, under way, submitted, overdue; and checks that
// a provider user counts only their own filing.
func TestCampaignProgress(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	applicable := s.a.Applicable + s.b.Applicable

	p := progressOf(t, s, s.sup)
	want := store.CampaignProgress{CampaignID: s.a.CampaignID, CampaignName: "2027 H1", Status: domain.CampaignOpen,
		DueAt: s.a.DueAt, Assessments: 2, NotStarted: 2, Applicable: applicable}
	if p != want {
		t.Errorf("at the start: %+v, want %+v", p, want)
	}

	// A answers one control: no longer "not started", but a draft under way.
	list, _, err := s.app.Responses(ctx, s.editorA, s.a.ID, store.ResponseFilter{}, store.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.SaveResponse(ctx, s.editorA, s.a.ID, list[0].ControlID,
		domain.ResponseInput{Status: domain.Implemented, Narrative: "Done."}, list[0].Version); err != nil {
		t.Fatal(err)
	}
	// B answers everything and files.
	s.answerAll(t, s.editorB, s.b.ID)
	if _, err := s.app.Submit(ctx, s.adminB, s.b.ID, domain.Attestation{Name: "Bea", Position: "CCO",
		Statement: "True and complete."}); err != nil {
		t.Fatal(err)
	}
	p = progressOf(t, s, s.auditor)
	want.NotStarted, want.Draft, want.Submitted, want.Answered = 0, 1, 1, 1+s.b.Applicable
	if p != want {
		t.Errorf("after A's first answer and B's filing: %+v, want %+v", p, want)
	}
	var sum int
	for _, c := range p.Counts() {
		sum += c.Count
	}
	if sum != p.Assessments || p.Counts()[0].State != store.NotStarted {
		t.Errorf("counts %v do not add up to %d filings", p.Counts(), p.Assessments)
	}

	// The due date passes: A still owes its filing, B does not.
	if _, err := s.db.Pool().Exec(ctx, `update campaigns set opens_at = current_date - 10, due_at = current_date - 1 where id = $1`, s.a.CampaignID); err != nil {
		t.Fatal(err)
	}
	want.DueAt = domain.Today().AddDays(-1)
	want.Overdue = 1
	if p = progressOf(t, s, s.sup); p != want {
		t.Errorf("past the due date: %+v, want %+v", p, want)
	}

	// A provider user counts their own filing only.
	mine := progressOf(t, s, s.editorA)
	if mine.Assessments != 1 || mine.Draft != 1 || mine.Submitted != 0 || mine.Applicable != s.a.Applicable || mine.Overdue != 1 {
		t.Errorf("as A's editor: %+v", mine)
	}

	// Ids that name nothing are left out; too many are refused.
	got, err := s.app.CampaignProgress(ctx, s.sup, []string{"not-an-id", "00000000-0000-0000-0000-000000000000"})
	if err != nil || len(got) != 0 {
		t.Errorf("unknown campaigns = %v, %v", got, err)
	}
	_, err = s.app.CampaignProgress(ctx, s.sup, make([]string, store.MaxProgressCampaigns+1))
	wantCode(t, "too many campaigns", err, domain.EInvalid)
	_, err = s.app.CampaignProgress(ctx, s.admin(t), []string{s.a.CampaignID})
	wantCode(t, "progress as admin", err, domain.EForbidden)
}

// admin is an administrator of the fixture, who runs no campaign.
func (s *sector) admin(t *testing.T) domain.Actor {
	t.Helper()
	u, err := s.db.CreateUser(context.Background(), domain.System("test"), store.NewUser{Email: "root@regulator.test",
		Name: "Root", Role: domain.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	return domain.ActorFor(u)
}

// TestReviewQueues: a filing waits in every supervisor's review queue until
// one of them has recorded every verdict; then, under the four-eyes rule, it
// waits for a second approver in the reviewer's view and is ready to approve
// in the other's. Without the rule, it stays in the reviewer's queue.
func TestReviewQueues(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	queue := func(actor domain.Actor, wait store.ReviewWait) []app.QueueItem {
		t.Helper()
		q, err := s.app.ReviewQueue(ctx, actor, wait, store.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return q.Items
	}
	ids := func(items []app.QueueItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.ProviderName)
		}
		return out
	}
	if got := queue(s.sup, store.WaitReview); len(got) != 0 {
		t.Fatalf("queue before any filing: %v", ids(got))
	}
	s.answerAll(t, s.editorA, s.a.ID)
	if _, err := s.app.Submit(ctx, s.adminA, s.a.ID, domain.Attestation{Name: "Ada", Position: "CCO",
		Statement: "True and complete."}); err != nil {
		t.Fatal(err)
	}
	got := queue(s.sup, store.WaitReview)
	if len(got) != 1 || got[0].ID != s.a.ID || got[0].Status != domain.StatusSubmitted || got[0].Since.IsZero() {
		t.Fatalf("queue after A filed: %+v", got)
	}
	if _, err := s.app.StartReview(ctx, s.sup, s.a.ID, 0); err != nil {
		t.Fatal(err)
	}
	list, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return s.app.Responses(ctx, s.sup, s.a.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []store.VerdictInput
	for _, r := range list {
		verdicts = append(verdicts, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
	}
	// Half the verdicts: still the reviewer's to finish.
	if _, err := s.app.SetVerdicts(ctx, s.sup, s.a.ID, verdicts[:len(verdicts)/2], "body.verdicts"); err != nil {
		t.Fatal(err)
	}
	if got := queue(s.sup, store.WaitReview); len(got) != 1 || got[0].ReadyToApprove || got[0].Verdicts != len(verdicts)/2 {
		t.Errorf("half reviewed, the reviewer's queue: %+v", got)
	}
	if got := queue(s.sup, store.WaitSecondApprover); len(got) != 0 {
		t.Errorf("half reviewed, waiting for a second approver: %v", ids(got))
	}
	if _, err := s.app.SetVerdicts(ctx, s.sup, s.a.ID, verdicts[len(verdicts)/2:], "body.verdicts"); err != nil {
		t.Fatal(err)
	}
	// Every verdict in, but one asks for more information: the reviewer's
	// to send back, not another's to approve.
	ask := []store.VerdictInput{{ControlID: verdicts[0].ControlID, Verdict: domain.NeedsInfo, Comment: "Attach the test report."}}
	if _, err := s.app.SetVerdicts(ctx, s.sup, s.a.ID, ask, "body.verdicts"); err != nil {
		t.Fatal(err)
	}
	if got := queue(s.sup, store.WaitReview); len(got) != 1 || got[0].NeedsInfo != 1 {
		t.Errorf("a verdict asks for information, the reviewer's queue: %+v", got)
	}
	if _, err := s.app.SetVerdicts(ctx, s.sup, s.a.ID, verdicts[:1], "body.verdicts"); err != nil {
		t.Fatal(err)
	}
	if got := queue(s.sup, store.WaitReview); len(got) != 0 {
		t.Errorf("fully reviewed, still in the reviewer's own queue: %v", ids(got))
	}
	if got := queue(s.sup, store.WaitSecondApprover); len(got) != 1 || got[0].ID != s.a.ID {
		t.Errorf("fully reviewed, waiting for a second approver: %v", ids(got))
	}
	other := queue(s.sup2, store.WaitReview)
	if len(other) != 1 || !other[0].ReadyToApprove {
		t.Errorf("the second supervisor's queue: %+v", other)
	}
	if got := queue(s.sup2, store.WaitSecondApprover); len(got) != 0 {
		t.Errorf("the second supervisor waits for a second approver: %v", ids(got))
	}
	_, err = s.app.ReviewQueue(ctx, s.auditor, store.WaitReview, store.Page{})
	wantCode(t, "auditor's review queue", err, domain.EForbidden)

	settings, version, err := s.db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings.FourEyes = false
	if _, err := s.db.UpdateSettings(ctx, domain.System("test"), settings, version); err != nil {
		t.Fatal(err)
	}
	if got := queue(s.sup, store.WaitReview); len(got) != 1 || !got[0].ReadyToApprove {
		t.Errorf("four-eyes off, the reviewer's queue: %+v", got)
	}
	if got := queue(s.sup, store.WaitSecondApprover); len(got) != 0 {
		t.Errorf("four-eyes off, waiting for a second approver: %v", ids(got))
	}
}

// TestDashboardQueries: the dashboard makes the same few queries however
// many filings there are to show, and each part appears only for the roles
// that read it over the sector.
func TestDashboardQueries(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	traced, log := tracedApp(t, s.db)
	count := func(actor domain.Actor) (app.Dashboard, int) {
		t.Helper()
		log.take()
		d, err := traced.Dashboard(ctx, actor, "")
		if err != nil {
			t.Fatal(err)
		}
		return d, len(log.take())
	}
	count(s.sup) // reads the catalog into the store's cache once
	d, before := count(s.sup)
	if d.Current == nil || d.Current.ID != s.a.CampaignID || !d.Reviews || !d.Findings || !d.Risk {
		t.Fatalf("the supervisor's dashboard: %+v", d)
	}
	if len(d.Progress) != 1 || d.Progress[0].NotStarted != 2 {
		t.Errorf("progress: %+v", d.Progress)
	}
	for _, as := range []struct {
		admin  domain.Actor
		editor domain.Actor
		id     string
	}{{s.adminA, s.editorA, s.a.ID}, {s.adminB, s.editorB, s.b.ID}} {
		s.answerAll(t, as.editor, as.id)
		if _, err := s.app.Submit(ctx, as.admin, as.id, domain.Attestation{Name: "Lead", Position: "CCO",
			Statement: "True and complete."}); err != nil {
			t.Fatal(err)
		}
	}
	d, after := count(s.sup)
	if len(d.Review.Items) != 2 || len(d.Dimensions) != 2 || len(d.Stages) != 2 || len(d.Priorities) != 2 ||
		d.Matrix.Providers != 2 {
		t.Errorf("with two filings: %d in the queue, heatmaps of %d and %d rows, %d priorities, matrix of %d providers",
			len(d.Review.Items), len(d.Dimensions), len(d.Stages), len(d.Priorities), d.Matrix.Providers)
	}
	if after != before {
		t.Errorf("the dashboard ran %d queries with no filing and %d with two", before, after)
	}
	const most = 20
	if after > most {
		t.Errorf("the dashboard runs %d queries, more than %d", after, most)
	}
	t.Logf("the dashboard runs %d queries", after)

	a, _ := count(s.auditor)
	if a.Reviews || !a.Findings || !a.Risk || len(a.Review.Items) != 0 {
		t.Errorf("the auditor's dashboard: reviews %v, findings %v, risk %v", a.Reviews, a.Findings, a.Risk)
	}
	if !s.app.OffersSector(s.sup, "risk", "read") || !s.app.OffersSector(s.auditor, "risk", "read") ||
		s.app.OffersSector(s.adminA, "risk", "read") || s.app.OffersSector(s.editorA, "risk", "read") {
		t.Error("the sector's risk is offered to the wrong roles")
	}
}

// TestRiskCell lists the pairs behind each cell of the matrix: as many as
// the matrix counts there, each at the cell's likelihood and impact.
func TestRiskCell(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	s.answerAll(t, s.editorA, s.a.ID)
	filter := store.SectorFilter{Basis: store.BasisCurrent}
	m, err := s.app.SectorRiskMatrix(ctx, s.sup, s.a.CampaignID, filter, true)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			pairs, err := store.All(func(p store.Page) ([]store.RiskPair, string, error) {
				p.Limit = 3 // several pages, to walk the cursor
				return s.app.RiskCell(ctx, s.sup, s.a.CampaignID, filter, true, l, i, p)
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(pairs) != m.Counts[l-1][i-1] {
				t.Errorf("cell (%d, %d): %d pairs listed, the matrix counts %d", l, i, len(pairs), m.Counts[l-1][i-1])
			}
			seen := map[string]bool{}
			for _, p := range pairs {
				if p.Likelihood != l || p.Impact != i || p.Score != l*i || p.ThreatName == "" || seen[p.AssessmentID+p.ThreatID] {
					t.Errorf("cell (%d, %d) lists %+v", l, i, p)
				}
				seen[p.AssessmentID+p.ThreatID] = true
			}
			total += len(pairs)
		}
	}
	if total == 0 || total != m.Pairs {
		t.Errorf("%d pairs listed in all, the matrix counts %d", total, m.Pairs)
	}
	mine, _, err := s.app.RiskCell(ctx, s.editorB, s.a.CampaignID, filter, true, 3, 3, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range mine {
		if p.ProviderID != s.b.ProviderID {
			t.Errorf("B's editor sees %s's pair %s", p.ProviderName, p.ThreatID)
		}
	}
	_, _, err = s.app.RiskCell(ctx, s.sup, s.a.CampaignID, filter, false, 0, 6, store.Page{})
	wantCode(t, "cell (0, 6)", err, domain.EInvalid)
}
