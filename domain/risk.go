package domain

import (
	"fmt"
	"math"
	"slices"
)

// Risk method 2, in one place. Everything here is pure and exact: credit is
// counted in millionths of a control's weight, so coverage, confidence and
// residual likelihood are rationals and rounding never depends on floating
// point. The calibration (see Calibration) is data; this file is the method.
//
//   - Inherent likelihood L0 and impact I0 start from the threat's defaults.
//     A threat at no stage the provider operates does not apply. Each rule
//     of the calibration's profile table moves L0 or I0 of the threats it
//     names by the band the provider's figure falls in; the moves add up and
//     the result is held to 1–5. A figure not stated moves nothing (the
//     channels are always known, from the register entry). A
//     supervisor's override of either value, given with a reason, replaces
//     the result.
//   - Credit e(c) of an applicable control, from 0 to 1: the status factor
//     (implemented 1, partial the calibration's partial factor, anything
//     else 0) × the credit of its assurance grade × 1 once a supervisor has
//     accepted the answer, or the unreviewed factor until then. A rejected
//     answer earns 0. The grade is the supervisor's; without one, an answer
//     with evidence attached is documented and one without is self-attested.
//     A not-applicable answer counts as a gap (0) until a supervisor accepts
//     it; then it is left out.
//   - Weight w(c, t): the calibration's primary weight when t is the
//     control's primary threat, its secondary weight otherwise.
//   - Coverage of a threat: Σ w·e / Σ w over its counted controls; 0 when
//     none counts. While a key control of the threat earns nothing (absent,
//     not implemented, rejected or a not-applicable claim not accepted),
//     coverage is at most the key-control cap.
//   - Residual likelihood L1 = L0 − (L0 − 1) · coverage, rounded up and held
//     to 1–5: a gap is never rounded away, so only full coverage reaches 1.
//   - Residual impact I1 = I0 − Σ r, held to 1–5, where each impact-reduction
//     rule for the threat removes r = round-half-up(max · mean e of its
//     applicable resilience controls) levels.
//   - Score L × I (1–25); levels low 1–4, medium 5–9, high 10–16,
//     critical 20–25.
//   - Confidence of a threat or a compliance score: the share of its weight
//     whose answers a supervisor has accepted at a grade above self-attested.
//   - Maturity of a threat: the weighted mean of the maturity stated with its
//     counted controls, rounded down; the level the threat's inherent risk
//     requires is the calibration's, and the register shows any shortfall.
//   - Compliance (overall, per dimension, per value-chain stage, per audit
//     group) = Σ e(c) / number of controls counted, each control weighing 1.

// RiskMethod is the version of the method this file computes; every stored
// score records it.
const RiskMethod = "2"

// Unit is the full credit of one unit of weight.
const Unit = 1_000_000

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
	Status    ResponseStatus // "" when unanswered
	Verdict   Verdict
	Grade     Grade // the supervisor's grade; "" when none was given
	Evidenced bool  // evidence is attached
	Maturity  *int
}

// EffectiveGrade is the answer's grade: the supervisor's, or documented
// when evidence is attached, or self-attested.
func (a Answer) EffectiveGrade() Grade {
	switch {
	case a.Grade.Valid():
		return a.Grade
	case a.Evidenced:
		return GradeDocumented
	}
	return GradeSelfAttested
}

// Credit returns a control's credit in millionths (0–Unit) under cal, and
// whether the control counts at all.
func (cal *Calibration) CreditOf(a Answer) (int64, bool) {
	var status int64
	switch a.Status {
	case NotApplicable:
		return 0, a.Verdict != Accepted
	case Implemented:
		status = 100
	case Partial:
		status = int64(cal.Credit.Partial)
	default:
		return 0, true // not implemented or unanswered
	}
	review := int64(cal.Credit.Unreviewed)
	switch a.Verdict {
	case Accepted:
		review = 100
	case Rejected:
		return 0, true
	}
	return status * int64(cal.Credit.Grades[a.EffectiveGrade()]) * review, true
}

// Confident reports whether an answer backs its credit: accepted by a
// supervisor at a grade above self-attested.
func (a Answer) Confident() bool { return a.Verdict == Accepted && a.EffectiveGrade().Backed() }

// ResidualLikelihood applies coverage num/den (0–1) to the inherent
// likelihood l0, rounding up.
func ResidualLikelihood(l0 int, num, den int64) int {
	if den <= 0 {
		return l0
	}
	// L1 = ⌈(L0·den − (L0−1)·num) / den⌉
	n := int64(l0)*den - int64(l0-1)*num
	l1 := int((n + den - 1) / den)
	return min(max(l1, RiskScaleMin), RiskScaleMax)
}

// Override is a supervisor's judgement of a threat's inherent values for one
// provider; a nil value keeps the default.
type Override struct {
	Likelihood *int
	Impact     *int
	Reason     string
}

// Driver is one rule of the profile table as it applied to a threat.
type Driver struct {
	Measure Measure
	Affects string // "likelihood" or "impact"
	Stated  bool   // the provider's figure is known
	Value   float64
	Band    Band // the band the figure falls in
	Next    *float64
}

// Contribution is one control's part in a threat's coverage.
type Contribution struct {
	ControlID string
	Answer    Answer
	Primary   bool
	Key       bool
	Weight    int64
	Credit    int64 // millionths of full credit
	Counted   bool
}

// Reduction is one impact-reduction rule as it applied to a threat.
type Reduction struct {
	Controls []string // the rule's resilience controls that apply
	Credit   int64    // their mean credit, in millionths
	Max      int
	Levels   int // impact levels removed
}

// ThreatRisk is the risk of one threat for one provider, with everything
// that produced it.
type ThreatRisk struct {
	ThreatID      string
	Applicable    bool
	DefaultL      int
	DefaultI      int
	Drivers       []Driver
	ProfileL      int // L0 and I0 after the profile table, before any override
	ProfileI      int
	Override      *Override
	L0, I0        int
	Credit        int64 // Σ w·e of counted controls, in millionths
	Weight        int64 // Σ w·Unit of counted controls
	Confident     int64 // Σ w·Unit of counted controls whose credit is backed
	Counted       int
	Contributions []Contribution
	KeyMissing    []string // key controls that earn nothing
	Cap           int      // percent; 0 when not capped
	CovNum        int64    // coverage, after the cap, is CovNum/CovDen
	CovDen        int64
	Reductions    []Reduction
	Maturity      *int // nil when no counted control states one
	Required      int  // the maturity the inherent level requires
	L1, I1        int
	Score         int
	Level         RiskLevel
}

// Coverage returns the threat's coverage as a fraction (0–1).
func (t ThreatRisk) Coverage() float64 {
	if t.CovDen == 0 {
		return 0
	}
	return float64(t.CovNum) / float64(t.CovDen)
}

// Capped reports whether a missing key control holds coverage down.
func (t ThreatRisk) Capped() bool {
	return t.Cap > 0 && t.CovNum*100 == int64(t.Cap)*t.CovDen && len(t.KeyMissing) > 0
}

// Confidence returns the share of the threat's weight that is backed (0–1),
// and false when nothing counts.
func (t ThreatRisk) Confidence() (float64, bool) {
	if t.Weight == 0 {
		return 0, false
	}
	return float64(t.Confident) / float64(t.Weight), true
}

// InherentScore is L0 × I0.
func (t ThreatRisk) InherentScore() int { return t.L0 * t.I0 }

// InherentLevel is the level of L0 × I0.
func (t ThreatRisk) InherentLevel() RiskLevel { return LevelOf(t.InherentScore()) }

// Shortfall is how many maturity levels the provider lacks for the threat's
// inherent risk (0 when none, or when no maturity was stated).
func (t ThreatRisk) Shortfall() int {
	if t.Maturity == nil {
		return 0
	}
	return max(t.Required-*t.Maturity, 0)
}

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
	Facet     Facet
	Key       string // "" for overall
	Credit    int64  // Σ e, in millionths
	Weight    int64  // Unit per control counted
	Confident int64  // Unit per control counted whose credit is backed
	Counted   int
}

// Value returns the score as a fraction (0–1), and false when no control counts.
func (c ComplianceScore) Value() (float64, bool) {
	if c.Weight == 0 {
		return 0, false
	}
	return float64(c.Credit) / float64(c.Weight), true
}

// Confidence returns the backed share of the score (0–1), and false when no
// control counts.
func (c ComplianceScore) Confidence() (float64, bool) {
	if c.Weight == 0 {
		return 0, false
	}
	return float64(c.Confident) / float64(c.Weight), true
}

// RiskProfile is a provider's inherent-risk profile for one campaign: the
// figures stated (and perhaps confirmed or corrected by a supervisor).
// Channels are the provider's own, counted from its profile.
type RiskProfile struct {
	Figures map[Measure]float64
}

// RiskInputs is everything the method reads of one assessment.
type RiskInputs struct {
	Profile   Profile
	Figures   *RiskProfile // nil when no profile is stated
	Answers   map[string]Answer
	Overrides map[string]Override
}

// RiskResult is the risk register and compliance of one assessment.
type RiskResult struct {
	Method      string
	Calibration string            // id@version, "" for the default
	Threats     []ThreatRisk      // every threat of the framework, in catalog order
	Compliance  []ComplianceScore // overall first, then by dimension, stage and audit group in catalog order
}

// Overall returns the overall compliance score.
func (r RiskResult) Overall() ComplianceScore { return r.Compliance[0] }

// figure returns the profile's value of a measure.
func (in RiskInputs) figure(m Measure) (float64, bool) {
	if m == MeasureChannels {
		return float64(len(in.Profile.Channels)), true // known from the register entry, profile or not
	}
	if in.Figures == nil {
		return 0, false
	}
	v, ok := in.Figures.Figures[m]
	return v, ok
}

// AssessRisk computes the risk register and compliance of a provider from
// its answers (one per applicable control, keyed by control id), its
// profiles, and the supervisor's overrides (keyed by threat id), under
// calibration cal (DefaultCalibration when nil).
func AssessRisk(f *Framework, cal *Calibration, in RiskInputs) RiskResult {
	if cal == nil {
		cal = DefaultCalibration()
	}
	type link struct {
		id      string
		primary bool
	}
	byThreat := map[string][]link{}
	for _, c := range f.Controls {
		for i, t := range c.Threats() {
			byThreat[t] = append(byThreat[t], link{c.ID, i == 0})
		}
	}
	keys := map[string]KeyControls{}
	for _, k := range cal.KeyControls {
		keys[k.Threat] = k
	}
	res := RiskResult{Method: RiskMethod, Calibration: cal.Ref()}
	for _, t := range f.Threats {
		tr := ThreatRisk{ThreatID: t.ID, Applicable: in.Profile.ThreatApplies(t), DefaultL: t.Likelihood, DefaultI: t.Impact}
		tr.L0, tr.I0 = t.Likelihood, t.Impact
		for _, r := range cal.Profile {
			if !r.Moves(t.ID) {
				continue
			}
			d := Driver{Measure: r.Measure, Affects: r.Affects}
			d.Value, d.Stated = in.figure(r.Measure)
			if d.Stated {
				d.Band = r.BandOf(d.Value)
				if i := slices.Index(r.Bands, d.Band); i+1 < len(r.Bands) {
					next := r.Bands[i+1].From
					d.Next = &next
				}
				if r.Affects == "likelihood" {
					tr.L0 += d.Band.Delta
				} else {
					tr.I0 += d.Band.Delta
				}
			}
			tr.Drivers = append(tr.Drivers, d)
		}
		tr.L0 = min(max(tr.L0, RiskScaleMin), RiskScaleMax)
		tr.I0 = min(max(tr.I0, RiskScaleMin), RiskScaleMax)
		tr.ProfileL, tr.ProfileI = tr.L0, tr.I0
		if o, ok := in.Overrides[t.ID]; ok {
			o := o
			tr.Override = &o
			if o.Likelihood != nil {
				tr.L0 = *o.Likelihood
			}
			if o.Impact != nil {
				tr.I0 = *o.Impact
			}
		}
		key := keys[t.ID]
		var maturityNum, maturityDen int64
		for _, l := range byThreat[t.ID] {
			a, ok := in.Answers[l.id]
			if !ok {
				continue // not applicable to this provider
			}
			w := int64(cal.Weights.Secondary)
			if l.primary {
				w = int64(cal.Weights.Primary)
			}
			e, counted := cal.CreditOf(a)
			c := Contribution{ControlID: l.id, Answer: a, Primary: l.primary, Key: slices.Contains(key.Controls, l.id),
				Weight: w, Credit: e, Counted: counted}
			tr.Contributions = append(tr.Contributions, c)
			if c.Key && e == 0 && (counted || a.Status != NotApplicable) {
				tr.KeyMissing = append(tr.KeyMissing, l.id)
			}
			if !counted || w == 0 {
				continue
			}
			tr.Credit += w * e
			tr.Weight += w * Unit
			tr.Counted++
			if a.Confident() {
				tr.Confident += w * Unit
			}
			if a.Maturity != nil {
				maturityNum += w * int64(*a.Maturity)
				maturityDen += w
			}
		}
		tr.CovNum, tr.CovDen = tr.Credit, tr.Weight
		if len(tr.KeyMissing) > 0 && tr.CovDen > 0 && tr.CovNum*100 > int64(key.Cap)*tr.CovDen {
			tr.Cap = key.Cap
			tr.CovNum, tr.CovDen = int64(key.Cap), 100
		}
		tr.L1 = ResidualLikelihood(tr.L0, tr.CovNum, tr.CovDen)
		tr.I1 = tr.I0
		for _, r := range cal.ImpactReduction {
			if !slices.Contains(r.Threats, t.ID) {
				continue
			}
			red := Reduction{Max: r.Max}
			var sum int64
			for _, id := range r.Controls {
				a, ok := in.Answers[id]
				if !ok {
					continue
				}
				e, counted := cal.CreditOf(a)
				if !counted {
					continue
				}
				red.Controls = append(red.Controls, id)
				sum += e
			}
			if n := int64(len(red.Controls)); n > 0 {
				red.Credit = sum / n
				// round half up of max · sum / (n · Unit)
				red.Levels = int((2*int64(r.Max)*sum + n*Unit) / (2 * n * Unit))
			}
			tr.I1 -= red.Levels
			tr.Reductions = append(tr.Reductions, red)
		}
		tr.I1 = min(max(tr.I1, RiskScaleMin), RiskScaleMax)
		if maturityDen > 0 {
			m := int(maturityNum / maturityDen)
			tr.Maturity = &m
		}
		tr.Required = cal.Maturity.Required[tr.InherentLevel()]
		tr.Score = tr.L1 * tr.I1
		tr.Level = LevelOf(tr.Score)
		res.Threats = append(res.Threats, tr)
	}

	threats := map[string]Threat{}
	for _, t := range f.Threats {
		threats[t.ID] = t
	}
	overall := ComplianceScore{Facet: FacetOverall}
	dims := map[string]*ComplianceScore{}
	stages := map[string]*ComplianceScore{}
	groups := map[string]*ComplianceScore{}
	for _, c := range f.Controls {
		a, ok := in.Answers[c.ID]
		if !ok {
			continue
		}
		e, counted := cal.CreditOf(a)
		if !counted {
			continue
		}
		var backed int64
		if a.Confident() {
			backed = Unit
		}
		add := func(s *ComplianceScore) {
			s.Credit += e
			s.Weight += Unit
			s.Confident += backed
			s.Counted++
		}
		in := func(m map[string]*ComplianceScore, facet Facet, key string) {
			s, ok := m[key]
			if !ok {
				s = &ComplianceScore{Facet: facet, Key: key}
				m[key] = s
			}
			add(s)
		}
		add(&overall)
		for _, d := range c.Dimensions {
			in(dims, FacetDimension, d)
		}
		for _, s := range threats[c.PrimaryThreat].Stages {
			in(stages, FacetStage, s)
		}
		in(groups, FacetAuditGroup, c.AuditGroup)
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

// CheckRiskProfile returns the problems of a profile's figures: each is a
// whole number of zero or more, market share a percentage.
func CheckRiskProfile(p RiskProfile) []Problem {
	var out []Problem
	for m, v := range p.Figures {
		loc := "body." + string(m)
		switch {
		case !m.Valid() || m == MeasureChannels:
			out = append(out, Problem{Location: loc, Message: "is not a figure of the profile"})
		case v < 0:
			out = append(out, Problem{Location: loc, Message: "must be zero or more"})
		case math.IsNaN(v) || math.IsInf(v, 0):
			out = append(out, Problem{Location: loc, Message: "must be a number"})
		case m == MeasureMarketShare && (v > 100 || math.Abs(v*100-math.Round(v*100)) > 1e-6):
			out = append(out, Problem{Location: loc, Message: "must be a percentage from 0 to 100 with at most two decimals"})
		case m != MeasureMarketShare && (v != float64(int64(v)) || v > 1e15):
			out = append(out, Problem{Location: loc, Message: "must be a whole number"})
		}
	}
	return out
}

// String describes a band in words for a register line.
func (d Driver) String() string {
	if !d.Stated {
		return fmt.Sprintf("%s not stated", d.Measure)
	}
	return fmt.Sprintf("%s %g (band from %g): %s %+d", d.Measure, d.Value, d.Band.From, d.Affects, d.Band.Delta)
}
