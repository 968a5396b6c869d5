package store_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestStoredScoresEqualRecomputation applies a long random sequence of edits
// — answers with and without evidence, verdicts with assurance grades,
// transitions, overrides, stated and confirmed profiles — to several
// assessments and
// checks after every step that the scores kept on write equal a fresh
// computation from the data.
func TestStoredScoresEqualRecomputation(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	ctx := context.Background()
	sys := domain.System("test")
	sup1 := actorOf(newUser(t, db, "s1@reg.test", domain.RoleSupervisor, ""))
	sup2 := actorOf(newUser(t, db, "s2@reg.test", domain.RoleSupervisor, ""))

	profiles := []domain.Provider{
		{LegalName: "Tier-one Bank", ShortName: "T1B", LicenceNumber: "B1", Kind: domain.KindBank, Tier: 1, Channels: []string{"app", "cards"}},
		{LegalName: "USSD Money", ShortName: "UM", LicenceNumber: "M2", Kind: domain.KindMobileMoneyOperator, Tier: 2, Channels: []string{"ussd", "agents"}},
		{LegalName: "Small MFI", ShortName: "SM", LicenceNumber: "F3", Kind: domain.KindMFI, Tier: 3},
	}
	var ids []string
	admins := map[string]domain.Actor{}
	for i, p := range profiles {
		created, err := db.CreateProvider(ctx, sys, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, created.ID)
		admins[created.ID] = actorOf(newUser(t, db, "a"+string(rune('0'+i))+"@p.test", domain.RoleProviderAdmin, created.ID))
	}
	today := domain.Today()
	c, err := db.CreateCampaign(ctx, sup1, domain.Campaign{Name: "Property", FrameworkID: "x1150", ProviderIDs: ids,
		OpensAt: today.AddDays(-1), DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenCampaign(ctx, sup1, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := db.Assessments(ctx, sup1, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(list) != 3 {
		t.Fatalf("assessments: %v %d", err, len(list))
	}
	check := func(step string) {
		t.Helper()
		for _, a := range list {
			if err := db.CheckScores(ctx, a.ID); err != nil {
				t.Fatalf("after %s: %v", step, err)
			}
			// The progress a list shows is kept with the scores: it must
			// count the responses as they stand.
			got, err := db.Assessment(ctx, sup1, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			asked := count(t, url, `select count(*) from responses where assessment_id = $1`, a.ID)
			answered := count(t, url, `select count(*) from responses where assessment_id = $1 and status is not null`, a.ID)
			if got.Applicable != asked || got.Answered != answered {
				t.Fatalf("after %s: %s shows %d of %d answered, its responses %d of %d", step, a.ID,
					got.Answered, got.Applicable, answered, asked)
			}
		}
	}
	check("opening")
	evidence := map[string]string{} // an uploaded file per assessment, for answers to attach
	for _, a := range list {
		up, err := db.UploadEvidence(ctx, admins[a.ProviderID], a.ID, []store.UploadFile{upload("policy.txt", "text/plain", []byte("policy of "+a.ID))})
		if err != nil {
			t.Fatal(err)
		}
		evidence[a.ID] = up[0].ID
	}

	rng := rand.New(rand.NewPCG(1, 2))
	randomAnswer := func() domain.ResponseInput {
		switch rng.IntN(5) {
		case 0:
			return domain.ResponseInput{Status: domain.Implemented, Narrative: "yes"}
		case 1:
			return domain.ResponseInput{Status: domain.Partial, RemediationDate: today.AddDays(60).String()}
		case 2:
			return domain.ResponseInput{Status: domain.NotImplemented, RemediationDate: today.AddDays(90).String()}
		case 3:
			return domain.ResponseInput{Status: domain.NotApplicable, Justification: "Partner runs it."}
		}
		return domain.ResponseInput{Status: domain.Implemented, Narrative: "done", Maturity: new(int)}
	}
	verdicts := []domain.Verdict{domain.Accepted, domain.Accepted, domain.NeedsInfo, domain.Rejected}
	grades := append([]domain.Grade{""}, domain.Grades...)
	figure := func() float64 { return float64(rng.IntN(4) * []int{1, 10, 1000, 1000000}[rng.IntN(4)]) }
	threats := []string{"T1", "T3", "T10", "T15"}
	steps := 0
	seen := map[string]int{}
	for steps < 180 {
		a := list[rng.IntN(len(list))]
		cur, err := db.Assessment(ctx, sup1, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		responses, _, err := db.Responses(ctx, sup1, a.ID, store.ResponseFilter{}, store.Page{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		admin := admins[a.ProviderID]
		var step string
		switch op := rng.IntN(7); {
		case op == 0 && cur.Status.Editable():
			// Answer a random handful, or everything (to make submission possible).
			n := 1 + rng.IntN(8)
			if rng.IntN(3) == 0 {
				n = len(responses)
			}
			var ups []store.ResponseUpdate
			for _, i := range rng.Perm(len(responses))[:min(n, len(responses))] {
				r := responses[i]
				in := randomAnswer()
				if rng.IntN(3) == 0 {
					in.EvidenceIDs = []string{evidence[a.ID]}
				}
				ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version, Input: in})
			}
			_, err = db.SaveResponses(ctx, admin, a.ID, ups, "body.responses")
			step = "answers"
		case op == 1 && cur.Status.Editable():
			_, err = db.Submit(ctx, admin, a.ID, domain.Attestation{Name: "A", Position: "B", Statement: "C"})
			if domain.ErrorCodeOf(err) == domain.EInvalid {
				continue // not complete yet
			}
			step = "submit"
		case op == 2 && cur.Status == domain.StatusSubmitted:
			_, err = db.StartReview(ctx, sup1, a.ID, 0)
			step = "start review"
		case op == 3 && cur.Status == domain.StatusInReview:
			var vs []store.VerdictInput
			all := rng.IntN(3) == 0 // now and then the whole review at once, all accepted
			for _, i := range rng.Perm(len(responses))[:1+rng.IntN(len(responses))] {
				v := verdicts[rng.IntN(len(verdicts))]
				if all {
					v = domain.Accepted
				}
				var g domain.Grade
				if v == domain.Accepted {
					g = grades[rng.IntN(len(grades))]
				}
				vs = append(vs, store.VerdictInput{ControlID: responses[i].ControlID, Verdict: v, Comment: "why", Grade: g})
			}
			if all {
				vs = vs[:0]
				for _, r := range responses {
					vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
				}
			}
			_, err = db.SetVerdicts(ctx, sup1, a.ID, vs, "body.verdicts")
			step = "verdicts"
		case op == 4 && cur.Status == domain.StatusInReview:
			switch rng.IntN(8) {
			case 0, 1:
				_, err = db.RequestChanges(ctx, sup1, a.ID, "More.", 0)
				step = "request changes"
			case 2, 3, 4:
				_, err = db.Approve(ctx, sup2, a.ID, "", 0)
				if domain.ErrorCodeOf(err) == domain.EConflict {
					continue // verdicts missing or needing information
				}
				step = "approve"
			case 5:
				if rng.IntN(4) > 0 {
					continue // rarely: a rejected filing takes no more answers
				}
				_, err = db.Reject(ctx, sup1, a.ID, "No.", 0)
				step = "reject"
			default:
				continue
			}
		case op == 5:
			th := threats[rng.IntN(len(threats))]
			if rng.IntN(3) == 0 {
				err = db.SetOverride(ctx, sup1, a.ProviderID, store.FrameworkRef{ID: "x1150"}, th, nil, nil, "remove")
				step = "remove override"
			} else {
				l, i := 1+rng.IntN(5), 1+rng.IntN(5)
				err = db.SetOverride(ctx, sup1, a.ProviderID, store.FrameworkRef{ID: "x1150"}, th, &l, &i, "incident history")
				step = "override"
			}
		case op == 6 && cur.Status != domain.StatusApproved && cur.Status != domain.StatusRejected:
			stated, confirmed, err := db.RiskProfiles(ctx, sup1, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			p := domain.RiskProfile{Figures: map[domain.Measure]float64{}}
			for _, m := range domain.Measures[:8] {
				if m != domain.MeasureChannels && rng.IntN(3) > 0 {
					p.Figures[m] = figure()
				}
			}
			p.Figures[domain.MeasureMarketShare] = float64(rng.IntN(10000)) / 100
			who, source, side := admin, store.ProfileStated, stated
			if rng.IntN(3) == 0 || !cur.Status.Editable() { // the provider's figures stand with its filing
				who, source, side = sup1, store.ProfileConfirmed, confirmed
			}
			version := 0
			if side != nil {
				version = side.Version
			}
			_, err = db.SetRiskProfile(ctx, who, a.ID, source, p, "figures", version)
			step = "profile " + source
		default:
			continue
		}
		if err != nil {
			t.Fatalf("step %d (%s on %s): %v", steps, step, cur.Status, err)
		}
		steps++
		seen[step+" when "+string(cur.Status)]++
		check(step)
	}
	t.Logf("steps: %v", seen)
	for _, must := range []string{"submit when draft", "request changes when in_review", "answers when changes_requested",
		"submit when changes_requested", "verdicts when in_review", "override when approved", "profile stated when draft",
		"profile confirmed when in_review"} {
		if seen[must] == 0 {
			t.Errorf("the random walk never did %q", must)
		}
	}

	// The check itself notices a row changed behind Assure's back.
	exec(t, url, `update threat_risks set score = score + 1 where assessment_id = $1 and threat_id = 'T1' and basis = 'current'`, list[0].ID)
	if err := db.CheckScores(ctx, list[0].ID); err == nil {
		t.Error("a tampered score passes the check")
	}
}

// TestConcurrentWritersKeepScoresRight has editors save different controls
// of one assessment at once while a supervisor overrides the provider's
// risk: every write succeeds and the stored scores stay right.
func TestConcurrentWritersKeepScoresRight(t *testing.T) {
	t.Parallel()
	l := openLone(t, "Busy Bank", domain.RoleProviderEditor)
	db, ctx, p, editor, sup, a, responses := l.db, context.Background(), l.provider, l.user, l.sup, l.assessment, l.responses
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 16 {
		r := responses[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.SaveResponse(ctx, editor, a.ID, r.ControlID, domain.ResponseInput{Status: domain.Implemented,
				Narrative: "at once"}, r.Version)
			errs <- err
		}()
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := 1 + i
			errs <- db.SetOverride(ctx, sup, p, store.FrameworkRef{ID: "x1150"}, "T1", &l, nil, "concurrent")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a concurrent write failed: %v", err)
		}
	}
	if err := db.CheckScores(ctx, a.ID); err != nil {
		t.Error(err)
	}
}

// TestFiledBasisKeepsVerdicts: asking for changes does not change what the
// filing itself was judged to be worth.
func TestFiledBasisKeepsVerdicts(t *testing.T) {
	t.Parallel()
	l := openLone(t, "Judged Bank", domain.RoleProviderAdmin)
	db, ctx, p, admin, sup, a, responses, c := l.db, context.Background(), l.provider, l.user, l.sup, l.assessment, l.responses, l.campaign
	var ups []store.ResponseUpdate
	var vs []store.VerdictInput
	for _, r := range responses {
		ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "yes"}})
		vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
	}
	mustDo(t, func() error { _, err := db.SaveResponses(ctx, admin, a.ID, ups, "body.responses"); return err })
	mustDo(t, func() error {
		_, err := db.Submit(ctx, admin, a.ID, domain.Attestation{Name: "A", Position: "B", Statement: "C"})
		return err
	})
	mustDo(t, func() error { _, err := db.StartReview(ctx, sup, a.ID, 0); return err })
	mustDo(t, func() error { _, err := db.SetVerdicts(ctx, sup, a.ID, vs, "body.verdicts"); return err })
	before, err := db.ProviderRisk(ctx, sup, p, c.ID, store.BasisFiled)
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, func() error { _, err := db.RequestChanges(ctx, sup, a.ID, "One more thing.", 0); return err })
	after, err := db.ProviderRisk(ctx, sup, p, c.ID, store.BasisFiled)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := before.Result.Overall().Value()
	f, _ := after.Result.Overall().Value()
	// Implemented and accepted without evidence: self-attested, half credit.
	if b != 0.5 || f != 0.5 {
		t.Errorf("filed compliance %v before asking for changes, %v after; want 0.5 and 0.5", b, f)
	}
}

// lone is one provider in a campaign of its own, open for answers.
type lone struct {
	db         *store.DB
	url        string
	provider   string
	user, sup  domain.Actor // the provider's user (of the role asked for) and a supervisor
	campaign   domain.Campaign
	assessment domain.Assessment
	responses  []domain.Response
}

// openLone registers a provider with a user of role, and opens a campaign
// over it alone.
func openLone(t *testing.T, name string, role domain.Role) lone {
	t.Helper()
	db, url := storetest.New(t)
	ctx := context.Background()
	l := lone{db: db, url: url, provider: newProvider(t, url, name)}
	l.user = actorOf(newUser(t, db, "user@lone.test", role, l.provider))
	l.sup = actorOf(newUser(t, db, "sup@reg.test", domain.RoleSupervisor, ""))
	today := domain.Today()
	c, err := db.CreateCampaign(ctx, l.sup, domain.Campaign{Name: name, FrameworkID: "x1150", ProviderIDs: []string{l.provider},
		OpensAt: today.AddDays(-1), DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	if l.campaign, err = db.OpenCampaign(ctx, l.sup, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := db.Assessments(ctx, l.sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("assessments %d: %v", len(list), err)
	}
	l.assessment = list[0]
	if l.responses, _, err = db.Responses(ctx, l.user, l.assessment.ID, store.ResponseFilter{}, store.Page{Limit: 500}); err != nil {
		t.Fatal(err)
	}
	return l
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}
