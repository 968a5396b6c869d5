package web

import (
	"net/http"
	"strconv"
	"strings"

	"assure/domain"
)

// methodData is the risk method page of one framework version: the rules
// in words and the calibration's every number.
type methodData struct {
	V          frameworkView
	Method     string
	Cal        *domain.Calibration
	Rates      bool // the framework has threats, so risk is rated
	Grades     []gradeRow
	Profile    []ruleRow
	Keys       []keyRow
	Reductions []reductionRow
	Required   []requiredRow
}

type gradeRow struct {
	Grade  domain.Grade
	Credit int
}

type ruleRow struct {
	Measure   domain.Measure
	Affects   string
	Threats   string // "" for every threat
	Bands     []bandRow
	Rationale string
}

type bandRow struct {
	From, To string // To is "" for the top band
	Delta    string
}

type keyRow struct {
	Threat, Name, Controls, Rationale string
	Cap                               int
}

type reductionRow struct {
	Controls, Threats, Rationale string
	Max                          int
}

type requiredRow struct {
	Level    domain.RiskLevel
	Required int
}

// method shows how risk is rated under a framework version.
func (ui *UI) method(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	ref := refOf(r)
	fv, err := ui.app.Framework(ctx, v.actor, ref)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	cal, f, err := ui.app.Calibration(ctx, v.actor, ref)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := methodData{V: frameworkViewOf(fv, v.printer), Method: domain.RiskMethod, Cal: cal, Rates: f.HasThreats()}
	names := map[string]string{}
	for _, t := range f.Threats {
		names[t.ID] = t.Name
	}
	for _, g := range domain.Grades {
		d.Grades = append(d.Grades, gradeRow{Grade: g, Credit: cal.Credit.Grades[g]})
	}
	number := func(x float64) string { return v.printer.Decimal(x, decimalsOf(x)) }
	for _, rule := range cal.Profile {
		row := ruleRow{Measure: rule.Measure, Affects: rule.Affects, Threats: strings.Join(rule.Threats, ", "), Rationale: rule.Rationale}
		for i, b := range rule.Bands {
			br := bandRow{From: number(b.From), Delta: strconv.Itoa(b.Delta)}
			if b.Delta > 0 {
				br.Delta = "+" + br.Delta
			}
			if i+1 < len(rule.Bands) {
				br.To = number(rule.Bands[i+1].From)
			}
			row.Bands = append(row.Bands, br)
		}
		d.Profile = append(d.Profile, row)
	}
	for _, k := range cal.KeyControls {
		d.Keys = append(d.Keys, keyRow{Threat: k.Threat, Name: names[k.Threat], Controls: strings.Join(k.Controls, ", "),
			Rationale: k.Rationale, Cap: k.Cap})
	}
	for _, red := range cal.ImpactReduction {
		d.Reductions = append(d.Reductions, reductionRow{Controls: strings.Join(red.Controls, ", "), Threats: strings.Join(red.Threats, ", "),
			Rationale: red.Rationale, Max: red.Max})
	}
	for _, l := range domain.RiskLevels {
		d.Required = append(d.Required, requiredRow{Level: l, Required: cal.Maturity.Required[l]})
	}
	ui.render(w, r, http.StatusOK, "method.html", ui.newPage(r, v, "Risk method", d))
}

// decimalsOf is the number of decimals a band bound needs: none for whole
// numbers, two otherwise.
func decimalsOf(x float64) int {
	if x == float64(int64(x)) {
		return 0
	}
	return 2
}
