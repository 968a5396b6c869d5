package frameworks

import (
	"testing"

	"assure/domain"
)

// TestRiskMethodWorkedExample computes the worked example of
// docs/risk-method.md with the built-in calibration: if either changes,
// the page and this test change together.
func TestRiskMethodWorkedExample(t *testing.T) {
	f, err := Builtin("x1150", "1.1")
	if err != nil {
		t.Fatal(err)
	}
	cals, err := EmbeddedCalibrations()
	if err != nil {
		t.Fatal(err)
	}
	m := func(i int) *int { return &i }
	accepted := func(g domain.Grade, maturity int) domain.Answer {
		return domain.Answer{Status: domain.Implemented, Verdict: domain.Accepted, Grade: g, Evidenced: true, Maturity: m(maturity)}
	}
	in := domain.RiskInputs{
		Profile: domain.Profile{Kind: domain.KindMobileMoneyOperator, Channels: []string{"ussd", "app", "agents"}},
		Figures: &domain.RiskProfile{Figures: map[domain.Measure]float64{domain.MeasureTransactions: 150e6, domain.MeasureMarketShare: 8}},
		Answers: map[string]domain.Answer{
			"C22":  accepted(domain.GradeTested, 3),
			"C23":  accepted("", 3),
			"C24":  {Status: domain.NotImplemented},
			"C25":  accepted("", 2),
			"C26":  accepted("", 2),
			"C44":  accepted("", 4),
			"C48":  {Status: domain.NotApplicable},
			"C110": {Status: domain.Implemented, Verdict: domain.Accepted, Grade: domain.GradeVerified},
		},
	}
	r := domain.AssessRisk(f, cals[0], in)
	var t6 domain.ThreatRisk
	for _, tr := range r.Threats {
		if tr.ThreatID == "T6" {
			t6 = tr
		}
	}
	// Inherent: L 3 (no rule moves it); I 4 + 1 (150 million transactions) + 0 (8 % of the market) = 5.
	if !t6.Applicable || t6.L0 != 3 || t6.I0 != 5 || len(t6.Drivers) != 2 {
		t.Fatalf("T6 inherent = %d × %d, drivers %+v", t6.L0, t6.I0, t6.Drivers)
	}
	// Credit: 3 × (0.9 + 0.8 + 0 + 0.8 + 0.8) + 1 × (0.8 + 0 + 1.0) = 11.7 over 5 × 3 + 3 × 1 = 18: 65 %.
	if t6.Credit != 11_700_000 || t6.Weight != 18*domain.Unit || t6.Counted != 8 {
		t.Errorf("T6 credit %d over %d", t6.Credit, t6.Weight)
	}
	// Key control C24 earns nothing: coverage capped at 40 %; L1 = ⌈3 − 2 × 0.4⌉ = ⌈2.2⌉ = 3 (uncapped it would be ⌈1.7⌉ = 2).
	if !t6.Capped() || t6.Coverage() != 0.4 || t6.L1 != 3 || len(t6.KeyMissing) != 1 || t6.KeyMissing[0] != "C24" {
		t.Errorf("T6 coverage %v capped %v L1 %d missing %v", t6.Coverage(), t6.Capped(), t6.L1, t6.KeyMissing)
	}
	// Impact reduction: C22 0.9, C44 0.8, C48 0 (not applicable, not yet accepted): mean 0.567, max 1 → 1; I1 = 4.
	if len(t6.Reductions) != 1 || t6.Reductions[0].Levels != 1 || t6.I1 != 4 {
		t.Errorf("T6 reductions %+v I1 %d", t6.Reductions, t6.I1)
	}
	// Score 3 × 4 = 12, high; confidence 14 of 18 = 78 %; maturity ⌊34 / 13⌋ = 2 where high inherent risk requires 3.
	c, _ := t6.Confidence()
	if t6.Score != 12 || t6.Level != domain.LevelHigh || t6.Confident != 14*domain.Unit || c < 0.777 || c > 0.778 ||
		*t6.Maturity != 2 || t6.Required != 3 || t6.Shortfall() != 1 {
		t.Errorf("T6 score %d %s confidence %v maturity %v required %d", t6.Score, t6.Level, c, *t6.Maturity, t6.Required)
	}
	// Implementing C24 (accepted, documented) lifts the cap: 14.1 / 18 = 78.3 %; L1 = ⌈3 − 1.567⌉ = 2; score 8.
	in.Answers["C24"] = accepted("", 3)
	r = domain.AssessRisk(f, cals[0], in)
	for _, tr := range r.Threats {
		if tr.ThreatID == "T6" && (tr.Capped() || tr.L1 != 2 || tr.Score != 8 || tr.Level != domain.LevelMedium) {
			t.Errorf("T6 with C24 = %+v", tr)
		}
	}
}
