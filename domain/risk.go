package domain

import "slices"

// The risk method, in one place. Everything here is pure and exact: control
// effectiveness is counted in quarters, so coverage and residual likelihood
// are rationals and rounding never depends on floating point.
//
//   - Inherent likelihood L0 and impact I0 start from the threat's defaults.
//     A threat at no stage the provider operates does not apply. Tier-1
//     providers take impact + 1 (at most 5). A supervisor's override of
//     either value, given with a reason, replaces it.
//   - Effectiveness e(c) of an applicable control: implemented and accepted
//     1; implemented and not (yet) accepted 0.75; partial 0.5; not
//     implemented, unanswered or rejected 0. A not-applicable answer leaves
//     the control out, unless the supervisor rejected it: then it counts 0.
//   - Coverage of a threat: the mean e(c) of the applicable controls that
//     mitigate it (primarily or not). No such control: coverage 0.
//   - Residual likelihood L1 = clamp(round(L0 − (L0 − 1) · coverage), 1, 5),
//     halves rounded up; residual impact I1 = I0.
//   - Score L × I (1–25); levels low 1–4, medium 5–9, high 10–16,
//     critical 20–25.
//   - Compliance (overall, per dimension, per value-chain stage, per audit
//     group) = Σ e(c) / number of applicable controls counted.

// RiskLevel names a band of scores.
type RiskLevel string

// Risk levels, lowest first.
const (
	LevelLow      RiskLevel = "low"
	LevelMedium   RiskLevel = "medium"
	LevelHigh     RiskLevel = "high"
	LevelCritical RiskLevel = "critical"
)

// RiskLevels lists the levels, lowest first.
var RiskLevels = []RiskLevel{LevelLow, LevelMedium, LevelHigh, LevelCritical}

// LevelOf returns the level of a score.
func LevelOf(score int) RiskLevel {
	switch {
	case score <= 4:
		return LevelLow
	case score <= 9:
		return LevelMedium
	case score <= 16:
		return LevelHigh
	}
	return LevelCritical
}

// Rank orders levels: low 1 … critical 4; 0 for none.
func (l RiskLevel) Rank() int { return slices.Index(RiskLevels, l) + 1 }

// Answer is what the risk method needs of one response.
type Answer struct {
	Status  ResponseStatus // "" when unanswered
	Verdict Verdict
}

// Quarters returns a control's effectiveness in quarters (0–4), and whether
// the control counts at all.
func Quarters(a Answer) (int, bool) {
	switch a.Status {
	case NotApplicable:
		return 0, a.Verdict == Rejected
	case Implemented:
		switch a.Verdict {
		case Accepted:
			return 4, true
		case Rejected:
			return 0, true
		}
		return 3, true
	case Partial:
		if a.Verdict == Rejected {
			return 0, true
		}
		return 2, true
	}
	return 0, true // not implemented or unanswered
}

// ResidualLikelihood applies coverage, given as quarters over n controls,
// to the inherent likelihood l0.
func ResidualLikelihood(l0, quarters, n int) int {
	if n == 0 {
		return l0
	}
	// L1 = L0 − (L0−1)·q/(4n) = (4·n·L0 − (L0−1)·q) / (4n), rounded half up.
	num := 4*n*l0 - (l0-1)*quarters
	den := 4 * n
	l1 := (2*num + den) / (2 * den)
	return min(max(l1, RiskScaleMin), RiskScaleMax)
}

// Override is a supervisor's judgement of a threat's inherent values for one
// provider; a nil value keeps the default.
type Override struct {
	Likelihood *int
	Impact     *int
	Reason     string
}

// Contribution is one control's part in a threat's coverage.
type Contribution struct {
	ControlID string
	Answer    Answer
	Quarters  int
	Counted   bool
}

// ThreatRisk is the risk of one threat for one provider, with everything
// that produced it.
type ThreatRisk struct {
	ThreatID      string
	Applicable    bool
	DefaultL      int
	DefaultI      int
	TierUplift    bool
	Override      *Override
	L0, I0        int
	Quarters      int // Σ effectiveness of counted controls, in quarters
	Counted       int // controls counted
	Contributions []Contribution
	L1, I1        int
	Score         int
	Level         RiskLevel
}

// Coverage returns the threat's coverage as a fraction (0–1).
func (t ThreatRisk) Coverage() float64 {
	if t.Counted == 0 {
		return 0
	}
	return float64(t.Quarters) / float64(4*t.Counted)
}

// InherentScore is L0 × I0.
func (t ThreatRisk) InherentScore() int { return t.L0 * t.I0 }

// Facet names what a compliance score is broken down by.
type Facet string

// Compliance facets.
const (
	FacetOverall    Facet = "overall"
	FacetDimension  Facet = "dimension"
	FacetStage      Facet = "stage"
	FacetAuditGroup Facet = "audit_group"
)

// ComplianceScore is Σ e(c) over the controls counted for one facet key.
type ComplianceScore struct {
	Facet    Facet
	Key      string // "" for overall
	Quarters int
	Counted  int
}

// Value returns the score as a fraction (0–1), and false when no control counts.
func (c ComplianceScore) Value() (float64, bool) {
	if c.Counted == 0 {
		return 0, false
	}
	return float64(c.Quarters) / float64(4*c.Counted), true
}

// RiskResult is the risk register and compliance of one assessment.
type RiskResult struct {
	Threats    []ThreatRisk      // every threat of the framework, in catalog order
	Compliance []ComplianceScore // overall first, then by dimension, stage and audit group in catalog order
}

// Overall returns the overall compliance score.
func (r RiskResult) Overall() ComplianceScore { return r.Compliance[0] }

// AssessRisk computes the risk register and compliance of a provider from
// its answers (one per applicable control, keyed by control id), its
// profile and tier, and the supervisor's overrides (keyed by threat id).
func AssessRisk(f *Framework, p Profile, tier int, answers map[string]Answer, overrides map[string]Override) RiskResult {
	controls := map[string]Control{}
	byThreat := map[string][]string{}
	for _, c := range f.Controls {
		controls[c.ID] = c
		for _, t := range c.Threats() {
			byThreat[t] = append(byThreat[t], c.ID)
		}
	}
	threats := map[string]Threat{}
	var res RiskResult
	for _, t := range f.Threats {
		threats[t.ID] = t
		tr := ThreatRisk{ThreatID: t.ID, Applicable: p.ThreatApplies(t), DefaultL: t.Likelihood, DefaultI: t.Impact}
		tr.L0, tr.I0 = t.Likelihood, t.Impact
		if tier == 1 {
			tr.TierUplift = true
			tr.I0 = min(tr.I0+1, RiskScaleMax)
		}
		if o, ok := overrides[t.ID]; ok {
			o := o
			tr.Override = &o
			if o.Likelihood != nil {
				tr.L0 = *o.Likelihood
			}
			if o.Impact != nil {
				tr.I0 = *o.Impact
			}
		}
		for _, cid := range byThreat[t.ID] {
			a, ok := answers[cid]
			if !ok {
				continue // not applicable to this provider
			}
			q, counted := Quarters(a)
			tr.Contributions = append(tr.Contributions, Contribution{ControlID: cid, Answer: a, Quarters: q, Counted: counted})
			if counted {
				tr.Quarters += q
				tr.Counted++
			}
		}
		tr.L1 = ResidualLikelihood(tr.L0, tr.Quarters, tr.Counted)
		tr.I1 = tr.I0
		tr.Score = tr.L1 * tr.I1
		tr.Level = LevelOf(tr.Score)
		res.Threats = append(res.Threats, tr)
	}

	overall := ComplianceScore{Facet: FacetOverall}
	dims := map[string]*ComplianceScore{}
	stages := map[string]*ComplianceScore{}
	groups := map[string]*ComplianceScore{}
	for _, c := range f.Controls {
		a, ok := answers[c.ID]
		if !ok {
			continue
		}
		q, counted := Quarters(a)
		if !counted {
			continue
		}
		add := func(m map[string]*ComplianceScore, facet Facet, key string) {
			s, ok := m[key]
			if !ok {
				s = &ComplianceScore{Facet: facet, Key: key}
				m[key] = s
			}
			s.Quarters += q
			s.Counted++
		}
		overall.Quarters += q
		overall.Counted++
		for _, d := range c.Dimensions {
			add(dims, FacetDimension, d)
		}
		for _, s := range threats[c.PrimaryThreat].Stages {
			add(stages, FacetStage, s)
		}
		add(groups, FacetAuditGroup, c.AuditGroup)
	}
	res.Compliance = append(res.Compliance, overall)
	for _, d := range f.Dimensions {
		res.Compliance = append(res.Compliance, valueOr(dims[d.ID], FacetDimension, d.ID))
	}
	for _, s := range f.Stages {
		res.Compliance = append(res.Compliance, valueOr(stages[s.ID], FacetStage, s.ID))
	}
	for _, g := range f.AuditGroups {
		res.Compliance = append(res.Compliance, valueOr(groups[g.ID], FacetAuditGroup, g.ID))
	}
	return res
}

func valueOr(s *ComplianceScore, facet Facet, key string) ComplianceScore {
	if s == nil {
		return ComplianceScore{Facet: facet, Key: key}
	}
	return *s
}

// WorstLevelByStage returns, for each stage, the highest residual level among
// the applicable threats that target it ("" when none applies).
func WorstLevelByStage(f *Framework, r RiskResult) map[string]RiskLevel {
	stagesOf := map[string][]string{}
	for _, t := range f.Threats {
		stagesOf[t.ID] = t.Stages
	}
	out := map[string]RiskLevel{}
	for _, t := range r.Threats {
		if !t.Applicable {
			continue
		}
		for _, s := range stagesOf[t.ThreatID] {
			if t.Level.Rank() > out[s].Rank() {
				out[s] = t.Level
			}
		}
	}
	return out
}
