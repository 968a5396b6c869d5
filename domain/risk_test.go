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

func TestCreditOf(t *testing.T) {
	cal := DefaultCalibration() // grades 50/80/90/100 %, unreviewed 60 %, partial 50 %
	for _, c := range []struct {
		a       Answer
		credit  int64
		counted bool
		backed  bool
	}{
		{Answer{Status: Implemented, Verdict: Accepted}, 500_000, true, false},                                            // self-attested 50 %
		{Answer{Status: Implemented, Verdict: Accepted, Evidenced: true}, 800_000, true, true},                            // documented 80 %
		{Answer{Status: Implemented, Verdict: Accepted, Grade: GradeTested}, 900_000, true, true},                         // tested 90 %
		{Answer{Status: Implemented, Verdict: Accepted, Grade: GradeVerified}, 1_000_000, true, true},                     // verified 100 %
		{Answer{Status: Implemented, Verdict: Accepted, Grade: GradeSelfAttested, Evidenced: true}, 500_000, true, false}, // the supervisor's grade wins
		{Answer{Status: Implemented}, 300_000, true, false},                                                               // 50 % × unreviewed 60 %
		{Answer{Status: Implemented, Evidenced: true}, 480_000, true, false},                                              // 80 % × 60 %
		{Answer{Status: Implemented, Verdict: NeedsInfo, Evidenced: true}, 480_000, true, false},                          // not accepted yet
		{Answer{Status: Implemented, Verdict: Rejected, Evidenced: true}, 0, true, false},
		{Answer{Status: Partial, Verdict: Accepted, Evidenced: true}, 400_000, true, true}, // 50 % × 80 %
		{Answer{Status: Partial}, 150_000, true, false},                                    // 50 % × 50 % × 60 %
		{Answer{Status: Partial, Verdict: Rejected}, 0, true, false},
		{Answer{Status: NotImplemented, Verdict: Accepted}, 0, true, false},
		{Answer{}, 0, true, false},
		{Answer{Status: NotApplicable}, 0, true, false}, // a gap until accepted
		{Answer{Status: NotApplicable, Verdict: NeedsInfo}, 0, true, false},
		{Answer{Status: NotApplicable, Verdict: Accepted}, 0, false, false}, // then left out
		{Answer{Status: NotApplicable, Verdict: Rejected}, 0, true, false},
	} {
		credit, counted := cal.CreditOf(c.a)
		if credit != c.credit || counted != c.counted {
			t.Errorf("%+v = %d %v, want %d %v", c.a, credit, counted, c.credit, c.counted)
		}
		if counted && credit > 0 && c.a.Confident() != c.backed {
			t.Errorf("%+v backed = %v, want %v", c.a, c.a.Confident(), c.backed)
		}
	}
}

// TestResidualLikelihoodBandEdges works the rounding by hand: up, so that
// only full coverage reaches the floor.
func TestResidualLikelihoodBandEdges(t *testing.T) {
	for _, c := range []struct {
		l0       int
		num, den int64
		want     int
	}{
		{4, 0, 0, 4},               // no controls: no coverage
		{4, 0, 1, 4},               // nothing works
		{4, 1, 1, 1},               // full coverage: 4 − 3 = 1
		{4, 999_999, 1_000_000, 2}, // 4 − 2.999997 = 1.000003: up to 2
		{2, 1, 2, 2},               // 2 − 0.5 = 1.5 → 2
		{2, 99, 100, 2},            // 2 − 0.99 = 1.01 → 2: the gap shows
		{3, 1, 2, 2},               // 3 − 1 = 2 exactly
		{3, 2, 3, 2},               // 3 − 4/3 = 1.67 → 2
		{5, 3, 4, 2},               // 5 − 3 = 2 exactly
		{5, 1, 4, 4},               // 5 − 1 = 4
		{5, 40, 100, 4},            // 5 − 1.6 = 3.4 → 4
		{1, 0, 5, 1},               // at the floor already
	} {
		if got := ResidualLikelihood(c.l0, c.num, c.den); got != c.want {
			t.Errorf("L0 %d, coverage %d/%d = %d, want %d", c.l0, c.num, c.den, got, c.want)
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

// riskCalibration calibrates riskFramework: C1 is key for T1 with a 40 %
// cap, C3 limits T1's impact by one level, customers move T1's impact and
// agents every threat's likelihood.
func riskCalibration() *Calibration {
	c := DefaultCalibration()
	c.ID, c.Version = "test-risk", "1"
	c.KeyControls = []KeyControls{{Threat: "T1", Controls: []string{"C1"}, Cap: 40}}
	c.ImpactReduction = []ImpactReduction{{Controls: []string{"C3"}, Threats: []string{"T1"}, Max: 1}}
	c.Profile = []ProfileRule{
		{Measure: MeasureCustomers, Affects: "impact", Threats: []string{"T1"},
			Bands: []Band{{From: 0, Delta: -1}, {From: 1000, Delta: 0}, {From: 1e6, Delta: 1}}},
		{Measure: MeasureAgents, Affects: "likelihood", Bands: []Band{{From: 0, Delta: 0}, {From: 500, Delta: 1}}},
	}
	return c
}

// TestAssessRiskByHand checks the whole method on the small framework.
func TestAssessRiskByHand(t *testing.T) {
	f := riskFramework()
	cal := riskCalibration()
	answers := map[string]Answer{
		"C1": {Status: Implemented, Verdict: Accepted, Evidenced: true, Maturity: ptr(3)}, // 0.8, backed
		"C2": {Status: Partial, Maturity: ptr(1)},                                         // 0.15
		"C3": {Status: NotApplicable},                                                     // a gap: 0
		"C4": {Status: Implemented, Evidenced: true},                                      // 0.48
		"C5": {Status: NotApplicable, Verdict: Accepted},                                  // left out
	}
	bank := Profile{Kind: KindBank} // no MNO stage: T2 does not apply
	r := AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: answers})
	if r.Method != "2" || r.Calibration != "test-risk@1" {
		t.Errorf("method %q calibration %q", r.Method, r.Calibration)
	}
	t1, t2, t3 := r.Threats[0], r.Threats[1], r.Threats[2]
	// T1: C1, C2, C3 all primary (weight 3): 3·0.8 + 3·0.15 + 3·0 = 2.85 over 9 = 0.3167;
	// L1 = ⌈4 − 3·0.3167⌉ = ⌈3.05⌉ = 4; C3 earns nothing, so no impact reduction: I 4; score 16 high.
	if !t1.Applicable || t1.Credit != 2_850_000 || t1.Weight != 9*Unit || t1.Counted != 3 || t1.L1 != 4 || t1.I1 != 4 ||
		t1.Score != 16 || t1.Level != LevelHigh || t1.Capped() || len(t1.KeyMissing) != 0 {
		t.Errorf("T1 = %+v", t1)
	}
	if c, _ := t1.Confidence(); c != 1.0/3 {
		t.Errorf("T1 confidence = %v, want ⅓ (C1 only)", c)
	}
	// Maturity: (3·3 + 3·1) / 6 = 2; inherent 4×4 = 16 high requires 3: short by 1.
	if t1.Maturity == nil || *t1.Maturity != 2 || t1.Required != 3 || t1.Shortfall() != 1 {
		t.Errorf("T1 maturity %v required %d", t1.Maturity, t1.Required)
	}
	if len(t1.Drivers) != 2 || t1.Drivers[0].Stated {
		t.Errorf("T1 drivers without a profile = %+v", t1.Drivers)
	}
	if t2.Applicable {
		t.Error("T2 applies to a bank without mobile channels")
	}
	// T3: C2 secondary (weight 1) 0.15; C5 accepted N/A left out: L1 = ⌈2 − 0.15⌉ = 2; I 5; score 10 high.
	if t3.Credit != 150_000 || t3.Weight != Unit || t3.L1 != 2 || t3.Score != 10 || t3.Level != LevelHigh {
		t.Errorf("T3 = %+v", t3)
	}
	// Compliance: counted C1 0.8, C2 0.15, C3 0, C4 0.48 (C5 left out) = 1.43 over 4.
	if o := r.Overall(); o.Credit != 1_430_000 || o.Weight != 4*Unit || o.Confident != Unit || o.Counted != 4 {
		t.Errorf("overall = %+v", o)
	}
	want := map[string][2]int64{ // key → credit, controls
		"access_control": {950_000, 2}, "availability": {480_000, 2},
		StageDFSProvider: {950_000, 3}, StageMNO: {480_000, 1},
		"g1": {950_000, 2}, "g2": {480_000, 2},
	}
	for _, c := range r.Compliance[1:] {
		if w, ok := want[c.Key]; ok && (c.Credit != w[0] || int64(c.Counted) != w[1]) {
			t.Errorf("%s %s = %d over %d, want %d over %d", c.Facet, c.Key, c.Credit, c.Counted, w[0], w[1])
		}
	}
	worst := WorstLevelByStage(f, r)
	if worst[StageDFSProvider] != LevelHigh || worst[StageMNO] != "" {
		t.Errorf("worst by stage = %v", worst)
	}

	// Declaring C3 not applicable raises nothing before a supervisor accepts it.
	notImpl := clone(answers)
	notImpl["C3"] = Answer{Status: NotImplemented}
	if a, b := AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: notImpl}), r; a.Threats[0].Coverage() != b.Threats[0].Coverage() ||
		a.Overall() != b.Overall() {
		t.Errorf("N/A unaccepted %v ≠ not implemented %v", b.Threats[0].Coverage(), a.Threats[0].Coverage())
	}
	// Accepted, it leaves: 2.85 over 6 = 0.475; L1 = ⌈4 − 1.425⌉ = 3.
	accepted := clone(answers)
	accepted["C3"] = Answer{Status: NotApplicable, Verdict: Accepted}
	if tr := AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: accepted}).Threats[0]; tr.Weight != 6*Unit || tr.L1 != 3 {
		t.Errorf("T1 with C3 accepted N/A = %+v", tr)
	}

	// A mobile money operator operates the MNO stage: T2 applies. C4 0.48: L1 = ⌈5 − 4·0.48⌉ = ⌈3.08⌉ = 4; score 12.
	r = AssessRisk(f, cal, RiskInputs{Profile: Profile{Kind: KindMobileMoneyOperator}, Answers: answers})
	if tr := r.Threats[1]; !tr.Applicable || tr.L1 != 4 || tr.Score != 12 {
		t.Errorf("T2 for an MMO = %+v", tr)
	}
	// No answers at all: residual = inherent.
	r = AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: map[string]Answer{}})
	if r.Threats[0].L1 != 4 || r.Threats[0].Score != 16 {
		t.Errorf("unanswered T1 = %+v", r.Threats[0])
	}
	if _, ok := r.Overall().Value(); ok {
		t.Error("compliance without any control has a value")
	}
}

// TestKeyControlCap works the cap and its edge.
func TestKeyControlCap(t *testing.T) {
	f, cal := riskFramework(), riskCalibration()
	bank := Profile{Kind: KindBank}
	verified := Answer{Status: Implemented, Verdict: Accepted, Grade: GradeVerified}
	// C1 (key) not implemented, C2 and C3 verified: 6 over 9 = 0.667, capped at 0.40; L1 = ⌈4 − 1.2⌉ = 3.
	r := AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: map[string]Answer{"C1": {Status: NotImplemented}, "C2": verified, "C3": verified}})
	if tr := r.Threats[0]; !tr.Capped() || tr.Cap != 40 || tr.Coverage() != 0.4 || tr.L1 != 3 || len(tr.KeyMissing) != 1 {
		t.Errorf("capped T1 = %+v", tr)
	}
	// Without the calibration's key control: ⌈4 − 2⌉ = 2.
	r = AssessRisk(f, DefaultCalibration(), RiskInputs{Profile: bank, Answers: map[string]Answer{"C1": {Status: NotImplemented}, "C2": verified, "C3": verified}})
	if tr := r.Threats[0]; tr.Capped() || tr.L1 != 2 {
		t.Errorf("uncapped T1 = %+v", tr)
	}
	// At the cap exactly (C2 documented, accepted: 2.4 over 6 = 0.40), nothing is cut: ⌈4 − 1.2⌉ = 3.
	r = AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: map[string]Answer{"C1": {Status: NotImplemented},
		"C2": {Status: Implemented, Verdict: Accepted, Evidenced: true}}})
	if tr := r.Threats[0]; tr.Cap != 0 || tr.Coverage() != 0.4 || tr.L1 != 3 || len(tr.KeyMissing) != 1 {
		t.Errorf("T1 at the cap = %+v", tr)
	}
	// A key control claimed not applicable and not yet accepted is missing; accepted, it is not.
	for _, c := range []struct {
		a       Answer
		missing bool
	}{{Answer{Status: NotApplicable}, true}, {Answer{Status: NotApplicable, Verdict: Accepted}, false}, {Answer{Status: Partial}, false}} {
		r = AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: map[string]Answer{"C1": c.a, "C2": verified}})
		if got := len(r.Threats[0].KeyMissing) == 1; got != c.missing {
			t.Errorf("key C1 %+v missing = %v", c.a, got)
		}
	}
}

// TestImpactReduction works the rounding of a resilience control's credit.
func TestImpactReduction(t *testing.T) {
	f, cal := riskFramework(), riskCalibration()
	bank := Profile{Kind: KindBank}
	for _, c := range []struct {
		c3     Answer
		levels int
	}{
		{Answer{Status: Implemented, Verdict: Accepted, Evidenced: true}, 1}, // 0.8 → 1
		{Answer{Status: Implemented, Verdict: Accepted}, 1},                  // 0.5 exactly rounds up
		{Answer{Status: Implemented, Evidenced: true}, 0},                    // 0.48 → 0
		{Answer{Status: NotApplicable}, 0},
		{Answer{Status: NotApplicable, Verdict: Accepted}, 0}, // left out: no resilience control applies
	} {
		tr := AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: map[string]Answer{"C3": c.c3}}).Threats[0]
		if len(tr.Reductions) != 1 || tr.Reductions[0].Levels != c.levels || tr.I1 != 4-c.levels {
			t.Errorf("C3 %+v: reductions %+v, I1 %d", c.c3, tr.Reductions, tr.I1)
		}
	}
}

// TestProfileMovesInherentRisk gives two providers the same answers and
// different profiles, and works the band edges.
func TestProfileMovesInherentRisk(t *testing.T) {
	f, cal := riskFramework(), riskCalibration()
	answers := map[string]Answer{"C1": {Status: Implemented, Verdict: Accepted, Evidenced: true}, "C2": {Status: Partial}}
	bank := Profile{Kind: KindBank}
	at := func(customers, agents float64) ThreatRisk {
		return AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: answers,
			Figures: &RiskProfile{Figures: map[Measure]float64{MeasureCustomers: customers, MeasureAgents: agents}}}).Threats[0]
	}
	for _, c := range []struct {
		customers, agents float64
		l0, i0            int
	}{
		{999, 499, 4, 3},     // customers band 0: impact −1; agents band 0
		{1000, 499, 4, 4},    // customers band 1000: ±0
		{999_999, 500, 5, 4}, // agents band 500: likelihood +1
		{1e6, 500, 5, 5},     // customers band 1 000 000: impact +1
	} {
		if tr := at(c.customers, c.agents); tr.L0 != c.l0 || tr.I0 != c.i0 || !tr.Drivers[0].Stated {
			t.Errorf("customers %v agents %v: L0 %d I0 %d, want %d %d", c.customers, c.agents, tr.L0, tr.I0, c.l0, c.i0)
		}
	}
	small, large := at(500, 0), at(2e6, 1000)
	// Coverage (3·0.8 + 3·0.15) / 6 = 0.475 for both. Small: L0 4, I0 3; L1 = ⌈4 − 1.425⌉ = 3; score 9 medium.
	// Large: L0 5, I0 5; L1 = ⌈5 − 1.9⌉ = 4; score 20 critical.
	if small.Score != 9 || small.Level != LevelMedium || large.Score != 20 || large.Level != LevelCritical {
		t.Errorf("small %d %s, large %d %s", small.Score, small.Level, large.Score, large.Level)
	}
	if d := large.Drivers[0]; d.Band.Delta != 1 || d.Next != nil || d.String() != "customers 2e+06 (band from 1e+06): impact +1" {
		t.Errorf("large customers driver = %+v %q", d, d.String())
	}
	// T2's likelihood is 5 already: +1 is held to 5.
	if tr := AssessRisk(f, cal, RiskInputs{Profile: Profile{Kind: KindMobileMoneyOperator}, Answers: answers,
		Figures: &RiskProfile{Figures: map[Measure]float64{MeasureAgents: 600}}}).Threats[1]; tr.L0 != 5 {
		t.Errorf("T2 L0 = %d", tr.L0)
	}
	// An override replaces the profile's result.
	tr := AssessRisk(f, cal, RiskInputs{Profile: bank, Answers: answers, Overrides: map[string]Override{"T1": {Impact: ptr(2), Reason: "Low volumes"}},
		Figures: &RiskProfile{Figures: map[Measure]float64{MeasureCustomers: 2e6}}}).Threats[0]
	if tr.I0 != 2 || tr.Override == nil {
		t.Errorf("override after the profile: %+v", tr)
	}
}

func TestCheckRiskProfile(t *testing.T) {
	bad := CheckRiskProfile(RiskProfile{Figures: map[Measure]float64{MeasureCustomers: -1, MeasureAgents: 1.5,
		MeasureMarketShare: 101, MeasureChannels: 3, "staff": 4}})
	if len(bad) != 5 {
		t.Errorf("problems = %+v", bad)
	}
	if ok := CheckRiskProfile(RiskProfile{Figures: map[Measure]float64{MeasureCustomers: 0, MeasureMarketShare: 12.5}}); len(ok) != 0 {
		t.Errorf("a good profile has problems: %+v", ok)
	}
}

func clone(m map[string]Answer) map[string]Answer {
	out := make(map[string]Answer, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
