package domain

import (
	"testing"
)

// riskFramework is a small framework worked by hand below.
func riskFramework() *Framework {
	return &Framework{
		Dimensions:  []Dimension{{ID: "access_control"}, {ID: "availability"}},
		Stages:      []Stage{{ID: StageCustomer}, {ID: StageDFSProvider}, {ID: StageMNO}},
		AuditGroups: []AuditGroup{{ID: "g1"}, {ID: "g2"}},
		Threats: []Threat{
			{ID: "T1", Stages: []string{StageDFSProvider}, Likelihood: 4, Impact: 4},
			{ID: "T2", Stages: []string{StageMNO}, Likelihood: 5, Impact: 3},
			{ID: "T3", Stages: []string{StageCustomer, StageDFSProvider}, Likelihood: 2, Impact: 5},
		},
		Controls: []Control{
			{ID: "C1", Dimensions: []string{"access_control"}, PrimaryThreat: "T1", AuditGroup: "g1"},
			{ID: "C2", Dimensions: []string{"access_control"}, PrimaryThreat: "T1", OtherThreats: []string{"T3"}, AuditGroup: "g1"},
			{ID: "C3", Dimensions: []string{"availability"}, PrimaryThreat: "T1", AuditGroup: "g2"},
			{ID: "C4", Dimensions: []string{"availability"}, PrimaryThreat: "T2", AuditGroup: "g2"},
			{ID: "C5", Dimensions: []string{"access_control", "availability"}, PrimaryThreat: "T3", AuditGroup: "g2"},
		},
	}
}

func ptr(i int) *int { return &i }

func TestQuarters(t *testing.T) {
	for _, c := range []struct {
		a       Answer
		q       int
		counted bool
	}{
		{Answer{Implemented, Accepted}, 4, true},
		{Answer{Implemented, ""}, 3, true},
		{Answer{Implemented, NeedsInfo}, 3, true},
		{Answer{Implemented, Rejected}, 0, true},
		{Answer{Partial, ""}, 2, true},
		{Answer{Partial, Accepted}, 2, true},
		{Answer{Partial, Rejected}, 0, true},
		{Answer{NotImplemented, Accepted}, 0, true},
		{Answer{"", ""}, 0, true},
		{Answer{NotApplicable, ""}, 0, false},
		{Answer{NotApplicable, Accepted}, 0, false},
		{Answer{NotApplicable, Rejected}, 0, true},
	} {
		q, counted := Quarters(c.a)
		if q != c.q || counted != c.counted {
			t.Errorf("%+v = %d %v, want %d %v", c.a, q, counted, c.q, c.counted)
		}
	}
}

// TestResidualLikelihoodBandEdges works the rounding by hand.
func TestResidualLikelihoodBandEdges(t *testing.T) {
	for _, c := range []struct {
		l0, quarters, n, want int
	}{
		{4, 0, 0, 4},  // no controls: no coverage
		{4, 0, 3, 4},  // nothing works: 4 − 3·0 = 4
		{4, 12, 3, 1}, // everything accepted: 4 − 3·1 = 1
		{4, 6, 3, 3},  // coverage ½: 4 − 1.5 = 2.5, rounds up to 3
		{4, 7, 3, 2},  // coverage 7/12: 4 − 1.75 = 2.25 → 2
		{5, 10, 4, 3}, // coverage 0.625: 5 − 2.5 = 2.5 → 3
		{5, 11, 4, 2}, // coverage 0.6875: 5 − 2.75 = 2.25 → 2
		{3, 4, 3, 2},  // coverage ⅓: 3 − ⅔ = 2.33 → 2
		{2, 6, 4, 2},  // coverage 0.375: 2 − 0.375 = 1.625 → 2
		{2, 8, 4, 2},  // coverage ½: 2 − 0.5 = 1.5 → 2
		{2, 9, 4, 1},  // 2 − 0.5625 = 1.44 → 1
		{1, 0, 5, 1},  // at the floor already
		{5, 3, 1, 2},  // one implemented, unreviewed: 5 − 3 = 2
	} {
		if got := ResidualLikelihood(c.l0, c.quarters, c.n); got != c.want {
			t.Errorf("L0 %d, %d quarters over %d = %d, want %d", c.l0, c.quarters, c.n, got, c.want)
		}
	}
}

// TestLevels pins the level of every score from 1 to 25, so moving any band
// edge by one fails, even where the score between is no product of a
// likelihood and an impact (17 to 19).
func TestLevels(t *testing.T) {
	//              1   5    10   15   20   25
	const levels = "LLLLMMMMMHHHHHHHCCCCCCCCC"
	names := map[byte]RiskLevel{'L': LevelLow, 'M': LevelMedium, 'H': LevelHigh, 'C': LevelCritical}
	for i := range len(levels) {
		score, want := i+1, names[levels[i]]
		if got := LevelOf(score); got != want {
			t.Errorf("LevelOf(%d) = %s, want %s", score, got, want)
		}
	}
}

// TestAssessRiskByHand checks the whole method on the small framework, with
// not-applicable answers, a rejected one, the tier uplift and an override.
func TestAssessRiskByHand(t *testing.T) {
	f := riskFramework()
	answers := map[string]Answer{
		"C1": {Implemented, Accepted},   // 4
		"C2": {Partial, ""},             // 2
		"C3": {NotApplicable, ""},       // left out
		"C4": {Implemented, ""},         // 3
		"C5": {NotApplicable, Rejected}, // counts 0
	}
	bank := Profile{Kind: KindBank} // no MNO stage: T2 does not apply

	r := AssessRisk(f, bank, 2, answers, nil)
	t1, t2, t3 := r.Threats[0], r.Threats[1], r.Threats[2]
	// T1: C1 4 + C2 2 over 2 counted (C3 left out): coverage 6/8 = 0.75; L1 = 4 − 3·0.75 = 1.75 → 2; I 4; score 8 medium.
	if !t1.Applicable || t1.Quarters != 6 || t1.Counted != 2 || t1.L1 != 2 || t1.I1 != 4 || t1.Score != 8 || t1.Level != LevelMedium {
		t.Errorf("T1 = %+v", t1)
	}
	if len(t1.Contributions) != 3 || t1.Contributions[2].Counted {
		t.Errorf("T1 contributions = %+v", t1.Contributions)
	}
	// T2 is at the MNO stage only.
	if t2.Applicable {
		t.Error("T2 applies to a bank without mobile channels")
	}
	// T3: C2 (secondary) 2 + C5 rejected N/A 0 over 2: coverage ¼; L1 = 2 − 0.25 = 1.75 → 2; I 5; score 10 high.
	if t3.Quarters != 2 || t3.Counted != 2 || t3.L1 != 2 || t3.Score != 10 || t3.Level != LevelHigh {
		t.Errorf("T3 = %+v", t3)
	}
	// Compliance: counted C1 4, C2 2, C4 3, C5 0 → 9/16.
	if o := r.Overall(); o.Quarters != 9 || o.Counted != 4 {
		t.Errorf("overall = %+v", o)
	}
	want := map[string][2]int{ // key → quarters, counted
		"access_control": {6, 3}, "availability": {3, 2}, // C5 counts in both
		StageDFSProvider: {6, 3}, StageMNO: {3, 1}, StageCustomer: {0, 1},
		"g1": {6, 2}, "g2": {3, 2},
	}
	for _, c := range r.Compliance[1:] {
		if w := want[c.Key]; c.Quarters != w[0] || c.Counted != w[1] {
			t.Errorf("%s %s = %d/%d, want %d/%d", c.Facet, c.Key, c.Quarters, c.Counted, w[0], w[1])
		}
	}
	if v, ok := r.Overall().Value(); !ok || v != 9.0/16 {
		t.Errorf("overall value = %v", v)
	}

	// Tier 1 raises impact by one, capped at 5.
	r = AssessRisk(f, bank, 1, answers, nil)
	if r.Threats[0].I0 != 5 || !r.Threats[0].TierUplift || r.Threats[0].Score != 10 || r.Threats[2].I0 != 5 {
		t.Errorf("tier 1: T1 %+v, T3 I0 %d", r.Threats[0], r.Threats[2].I0)
	}
	// An override replaces the inherent value, after the uplift.
	r = AssessRisk(f, bank, 1, answers, map[string]Override{"T1": {Likelihood: ptr(5), Reason: "Two incidents in 2026"}})
	// L0 5, coverage 0.75: 5 − 3 = 2; I 5 (uplifted); score 10.
	if tr := r.Threats[0]; tr.L0 != 5 || tr.L1 != 2 || tr.I0 != 5 || tr.Override == nil || tr.Score != 10 {
		t.Errorf("override: %+v", tr)
	}
	r = AssessRisk(f, bank, 1, answers, map[string]Override{"T1": {Impact: ptr(2), Reason: "Low volumes"}})
	if tr := r.Threats[0]; tr.I0 != 2 || tr.Score != 4 || tr.Level != LevelLow {
		t.Errorf("impact override: %+v", tr)
	}

	// A mobile money operator operates the MNO stage: T2 applies. C4 unreviewed: 3/4 → 5 − 3 = 2.
	r = AssessRisk(f, Profile{Kind: KindMobileMoneyOperator}, 2, answers, nil)
	if tr := r.Threats[1]; !tr.Applicable || tr.L1 != 2 || tr.Score != 6 {
		t.Errorf("T2 for an MMO = %+v", tr)
	}
	worst := WorstLevelByStage(f, r)
	if worst[StageMNO] != LevelMedium || worst[StageCustomer] != LevelHigh || worst[StageDFSProvider] != LevelHigh {
		t.Errorf("worst by stage = %v", worst)
	}
	// No answers at all: residual = inherent.
	r = AssessRisk(f, bank, 2, map[string]Answer{}, nil)
	if r.Threats[0].L1 != 4 || r.Threats[0].Score != 16 {
		t.Errorf("unanswered T1 = %+v", r.Threats[0])
	}
	if _, ok := r.Overall().Value(); ok {
		t.Error("compliance without any control has a value")
	}
}
