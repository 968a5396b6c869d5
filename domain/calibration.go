package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// A Calibration is the data risk method 2 reads for one framework version:
// how a provider's inherent-risk profile moves each threat's likelihood and
// impact, the credit an answer earns by its assurance grade, the weights of
// primary and secondary links, the key controls whose absence caps a
// threat's coverage, the resilience controls that limit impact, and the
// maturity each level of inherent risk requires. A regulator recalibrates
// by publishing a new version; a published version never changes, and
// every stored score names the one it was computed with.
type Calibration struct {
	ID              string            `json:"id"`
	Version         string            `json:"version"`
	Title           string            `json:"title"`
	Notes           string            `json:"notes,omitempty"`
	Framework       MappedFramework   `json:"framework"`
	Profile         []ProfileRule     `json:"profile,omitempty"`
	Credit          Credit            `json:"credit"`
	Weights         LinkWeights       `json:"weights"`
	KeyControls     []KeyControls     `json:"key_controls,omitempty"`
	ImpactReduction []ImpactReduction `json:"impact_reduction,omitempty"`
	Maturity        MaturityScale     `json:"maturity"`
}

// Ref names the calibration as id@version ("" for the default).
func (c *Calibration) Ref() string {
	if c.ID == "" {
		return ""
	}
	return c.ID + "@" + c.Version
}

// Digest returns the SHA-256 (hex) of the calibration's canonical JSON.
func (c *Calibration) Digest() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic("domain: encode calibration: " + err.Error()) // strings and numbers only
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Measure is one figure of a provider's inherent-risk profile.
type Measure string

// The measures of a profile. Transaction value is in millions of the
// regulator's reporting currency; market share in percent of the national
// market by value.
const (
	MeasureCustomers        Measure = "customers"
	MeasureActiveAccounts   Measure = "active_accounts"
	MeasureTransactions     Measure = "transactions"
	MeasureTransactionValue Measure = "transaction_value"
	MeasureAgents           Measure = "agents"
	MeasureChannels         Measure = "channels"
	MeasureThirdParties     Measure = "third_parties"
	MeasureInterconnections Measure = "interconnections"
	MeasureMarketShare      Measure = "market_share"
)

// Measures lists every measure in the order a profile shows them.
var Measures = []Measure{MeasureCustomers, MeasureActiveAccounts, MeasureTransactions, MeasureTransactionValue,
	MeasureAgents, MeasureChannels, MeasureThirdParties, MeasureInterconnections, MeasureMarketShare}

// Valid reports whether m is one of Measures.
func (m Measure) Valid() bool { return slices.Contains(Measures, m) }

// ProfileRule moves the likelihood or the impact of some threats by the band
// a profile measure falls in.
type ProfileRule struct {
	Measure   Measure  `json:"measure"`
	Affects   string   `json:"affects"`           // "likelihood" or "impact"
	Threats   []string `json:"threats,omitempty"` // none: every threat
	Bands     []Band   `json:"bands"`             // ascending From, the first from 0
	Rationale string   `json:"rationale"`
}

// Band is a range of a measure, from From (inclusive) up to the next band.
type Band struct {
	From  float64 `json:"from"`
	Delta int     `json:"delta"`
}

// Moves reports whether the rule moves threat t.
func (r ProfileRule) Moves(t string) bool {
	return len(r.Threats) == 0 || slices.Contains(r.Threats, t)
}

// BandOf returns the band value v falls in.
func (r ProfileRule) BandOf(v float64) Band {
	b := r.Bands[0]
	for _, x := range r.Bands {
		if v >= x.From {
			b = x
		}
	}
	return b
}

// Assurance grades: how well an answer is shown to be true.
type Grade string

// The grades, weakest first.
const (
	GradeSelfAttested Grade = "self_attested" // the provider says so
	GradeDocumented   Grade = "documented"    // evidence shows it
	GradeTested       Grade = "tested"        // an internal or external audit tested it
	GradeVerified     Grade = "verified"      // a lab or an on-site inspection verified it
)

// Grades lists the grades, weakest first.
var Grades = []Grade{GradeSelfAttested, GradeDocumented, GradeTested, GradeVerified}

// Valid reports whether g is one of Grades.
func (g Grade) Valid() bool { return slices.Contains(Grades, g) }

// Backed reports whether the grade rests on more than the provider's word.
func (g Grade) Backed() bool { return g.Valid() && g != GradeSelfAttested }

// Credit holds the credit factors, in percent.
type Credit struct {
	Grades     map[Grade]int `json:"grades"`     // full credit by grade
	Unreviewed int           `json:"unreviewed"` // of its grade's credit, before a supervisor accepts the answer
	Partial    int           `json:"partial"`    // of full credit, for a partially implemented control
}

// LinkWeights are the weights of a control for a threat it mitigates.
type LinkWeights struct {
	Primary   int `json:"primary"`
	Secondary int `json:"secondary"`
}

// KeyControls are the controls without which a threat's coverage cannot
// pass Cap percent.
type KeyControls struct {
	Threat    string   `json:"threat"`
	Controls  []string `json:"controls"`
	Cap       int      `json:"cap"`
	Rationale string   `json:"rationale"`
}

// ImpactReduction lowers the residual impact of some threats by up to Max
// levels as resilience controls earn credit.
type ImpactReduction struct {
	Controls  []string `json:"controls"`
	Threats   []string `json:"threats"`
	Max       int      `json:"max"`
	Rationale string   `json:"rationale"`
}

// MaturityScale defines the levels 0–5 and the level each band of inherent
// risk requires.
type MaturityScale struct {
	Levels   []MaturityDefinition `json:"levels"`
	Required map[RiskLevel]int    `json:"required"`
}

// MaturityDefinition says what one maturity level means.
type MaturityDefinition struct {
	Level       int    `json:"level"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// DefaultCalibration is what a framework without a published calibration is
// scored with: the credit factors and weights, no profile table, no key
// controls, no impact reduction, and the generic maturity scale.
func DefaultCalibration() *Calibration {
	c := &Calibration{
		Credit: Credit{Grades: map[Grade]int{GradeSelfAttested: 50, GradeDocumented: 80, GradeTested: 90, GradeVerified: 100},
			Unreviewed: 60, Partial: 50},
		Weights:  LinkWeights{Primary: 3, Secondary: 1},
		Maturity: MaturityScale{Required: map[RiskLevel]int{LevelLow: 1, LevelMedium: 2, LevelHigh: 3, LevelCritical: 4}},
	}
	for _, m := range MaturityLevels {
		c.Maturity.Levels = append(c.Maturity.Levels, MaturityDefinition{Level: m.Level, Name: m.Name})
	}
	return c
}

// CheckAgainst returns the problems of c against the framework it
// calibrates: every threat and control it names must be the framework's,
// a key control must mitigate its threat, and every factor must be in range.
func (c *Calibration) CheckAgainst(f *Framework) []Problem {
	var out []Problem
	add := func(loc, format string, args ...any) {
		out = append(out, Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	if c.Framework.ID != f.ID || c.Framework.Version != f.Version {
		add("framework", "calibrates %s %s, not %s %s", c.Framework.ID, c.Framework.Version, f.ID, f.Version)
	}
	threats := map[string]bool{}
	for _, t := range f.Threats {
		threats[t.ID] = true
	}
	controls := map[string]Control{}
	for _, k := range f.Controls {
		controls[k.ID] = k
	}
	for i, r := range c.Profile {
		loc := fmt.Sprintf("profile[%d]", i)
		if !r.Measure.Valid() {
			add(loc+".measure", "%q is not a profile measure", r.Measure)
		}
		if r.Affects != "likelihood" && r.Affects != "impact" {
			add(loc+".affects", "must be likelihood or impact")
		}
		for _, t := range r.Threats {
			if !threats[t] {
				add(loc+".threats", "%s is not a threat of %s %s", t, f.ID, f.Version)
			}
		}
		if len(r.Bands) == 0 || r.Bands[0].From != 0 {
			add(loc+".bands", "the first band starts at 0")
		}
		for j, b := range r.Bands {
			if j > 0 && b.From <= r.Bands[j-1].From {
				add(fmt.Sprintf("%s.bands[%d]", loc, j), "bands must rise")
			}
			if b.Delta < -2 || b.Delta > 2 {
				add(fmt.Sprintf("%s.bands[%d].delta", loc, j), "a band moves a value by at most 2")
			}
		}
	}
	for _, g := range Grades {
		if v, ok := c.Credit.Grades[g]; !ok || v < 0 || v > 100 {
			add("credit.grades."+string(g), "give a credit from 0 to 100 percent")
		}
	}
	if len(c.Credit.Grades) != len(Grades) {
		add("credit.grades", "give exactly the grades %v", Grades)
	}
	if c.Credit.Unreviewed < 0 || c.Credit.Unreviewed > 100 {
		add("credit.unreviewed", "must be 0 to 100 percent")
	}
	if c.Credit.Partial < 0 || c.Credit.Partial > 100 {
		add("credit.partial", "must be 0 to 100 percent")
	}
	if c.Weights.Secondary < 0 || c.Weights.Primary < c.Weights.Secondary || c.Weights.Primary < 1 || c.Weights.Primary > 100 {
		add("weights", "a primary link weighs 1 to 100 and at least as much as a secondary one")
	}
	seenKey := map[string]bool{}
	for i, k := range c.KeyControls {
		loc := fmt.Sprintf("key_controls[%d]", i)
		if !threats[k.Threat] {
			add(loc+".threat", "%s is not a threat of %s %s", k.Threat, f.ID, f.Version)
		}
		if seenKey[k.Threat] {
			add(loc+".threat", "%s already has key controls", k.Threat)
		}
		seenKey[k.Threat] = true
		if len(k.Controls) == 0 {
			add(loc+".controls", "name at least one control")
		}
		for _, id := range k.Controls {
			ctl, ok := controls[id]
			switch {
			case !ok:
				add(loc+".controls", "%s is not a control of %s %s", id, f.ID, f.Version)
			case !slices.Contains(ctl.Threats(), k.Threat):
				add(loc+".controls", "%s does not mitigate %s", id, k.Threat)
			}
		}
		if k.Cap < 1 || k.Cap >= 100 {
			add(loc+".cap", "a cap is 1 to 99 percent")
		}
	}
	for i, r := range c.ImpactReduction {
		loc := fmt.Sprintf("impact_reduction[%d]", i)
		if len(r.Controls) == 0 || len(r.Threats) == 0 {
			add(loc, "name the resilience controls and the threats whose impact they limit")
		}
		for _, id := range r.Controls {
			if _, ok := controls[id]; !ok {
				add(loc+".controls", "%s is not a control of %s %s", id, f.ID, f.Version)
			}
		}
		for _, t := range r.Threats {
			if !threats[t] {
				add(loc+".threats", "%s is not a threat of %s %s", t, f.ID, f.Version)
			}
		}
		if r.Max < 1 || r.Max > 2 {
			add(loc+".max", "resilience lowers impact by 1 or 2 levels")
		}
	}
	if len(c.Maturity.Levels) != 6 {
		add("maturity.levels", "define the six levels 0 to 5")
	}
	for i, m := range c.Maturity.Levels {
		if m.Level != i || m.Name == "" {
			add(fmt.Sprintf("maturity.levels[%d]", i), "level %d needs its number and a name", i)
		}
	}
	for _, l := range RiskLevels {
		if v, ok := c.Maturity.Required[l]; !ok || v < 0 || v > 5 {
			add("maturity.required."+string(l), "give the maturity 0 to 5 that %s inherent risk requires", l)
		}
	}
	return out
}
