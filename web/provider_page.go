package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"assure/domain"
	"assure/store"
)

// The provider page: a provider's profile and contacts, its users, its
// assessments across campaigns, its risk register with how each number came
// about, the supervisors' overrides, its trend and its findings. Each part
// is shown only when the policy lets the visitor read it.

// Bounds of the lists of the provider page.
const (
	providerPageUsers       = 50
	providerPageAssessments = 50
	providerPageFindings    = 20
)

// providerState is what a refused form of the provider page sent, shown
// again beside its problems.
type providerState struct {
	Problems []problem
	Threat   string // the threat whose override form was sent
	Override overrideForm
	Profile  *profileSent // the profile form, when it was sent

	Inspection *inspectionForm // the inspection form, when it was the one sent
}

// overrideForm is the override form of one threat as sent.
type overrideForm struct {
	Likelihood, Impact, Reason string
}

// providerPageData is the provider page.
type providerPageData struct {
	Provider     domain.Provider
	CanEdit      bool
	CanExit      bool
	Users        []userView
	ShowUsers    bool
	MoreUsers    bool
	Assessments  []domain.Assessment
	ShowAssess   bool
	MoreAssess   bool
	Risk         *riskView
	Profile      *profileView // the inherent-risk profile of the register's assessment
	TrendCurrent bool         // the trend is recomputed under the current method
	RiskNote     string       // why there is no register to show
	ShowRisk     bool
	Overrides    []overrideView
	CanOverride  bool
	Trend        *trendChart
	Benchmark    *benchmarkView // nil when the visitor may not read it
	Findings     []findingView
	ShowFinds    bool
	MoreFinds    bool
	State        providerState
	Scale        []int  // 1–5, for the override forms
	Campaign     string // the campaign the address asks the register of, or ""

	Inspections *inspectionSection // nil when the visitor may not read them
}

// riskView is a provider's risk register for one campaign, with the
// explanation of each threat's numbers.
type riskView struct {
	store.RiskRegister
	Compliance string // overall, as a percentage, or ""
	Threats    []threatView
	Applicable int
	Levels     []levelCount
}

type levelCount struct {
	Level domain.RiskLevel
	Count int
}

// threatView is one threat of the register with how its numbers came about.
type threatView struct {
	domain.ThreatRisk
	Name           string
	LikelihoodWhy  string
	ImpactWhy      string
	ResidualWhy    string
	CoverageWhy    string
	ImpactLeft     string // how the residual impact came about
	MaturityWhy    string
	Confidence     string // as a percentage, or "" when nothing counts
	Coverage       string // as a percentage
	Controls       []controlEffect
	Override       *store.OverrideEntry
	Form           overrideForm // what the override form shows
	FormProblems   []problem
	FrameworkID    string
	FrameworkVersn string
}

// Problem returns the message of the threat form's problem at field, or "".
func (t threatView) Problem(field string) string {
	for _, p := range t.FormProblems {
		if p.Field == field {
			return p.Message
		}
	}
	return ""
}

// controlEffect is one control's part in a threat's coverage.
type controlEffect struct {
	ID, Title     string
	Answer        string
	Verdict       string
	Effectiveness string
	Grade         string
	Weight        int64
	Key           bool
	Counted       bool
	PrimaryThreat bool
	LabFailed     []domain.LabContradiction // failed app-baseline items mapped to the control, though it is attested
}

// overrideView is one override with its framework and who set it.
type overrideView struct {
	store.OverrideEntry
	ThreatName string
}

// providerPage shows one provider the visitor may read.
func (ui *UI) providerPage(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showProvider(w, r, v, r.PathValue("id"), nil, http.StatusOK)
}

// showProvider renders the provider page; state, when not nil, is a
// refused form to show again with its problems.
func (ui *UI) showProvider(w http.ResponseWriter, r *http.Request, v *visit, id string, state *providerState, status int) {
	ctx := r.Context()
	pr, err := ui.app.Provider(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := providerPageData{Provider: pr, CanEdit: ui.app.Offers(v.actor, "provider", "update"), Scale: []int{1, 2, 3, 4, 5},
		Campaign: r.URL.Query().Get("campaign")}
	d.CanExit = d.CanEdit && pr.Status != domain.ProviderExited
	if state != nil {
		d.State = *state
	}
	if d.ShowUsers = ui.app.Offers(v.actor, "user", "read"); d.ShowUsers {
		list, next, err := ui.app.Users(ctx, v.actor, store.UserFilter{ProviderID: id}, store.Page{Limit: providerPageUsers})
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		for _, u := range list {
			d.Users = append(d.Users, userView{User: u, RoleName: v.T(roleNames[u.Role])})
		}
		d.MoreUsers = next != ""
	}
	if d.ShowAssess = ui.app.Offers(v.actor, "assessment", "read"); d.ShowAssess {
		list, next, err := ui.app.Assessments(ctx, v.actor, store.AssessmentFilter{ProviderID: id},
			store.Page{Limit: providerPageAssessments})
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		d.Assessments, d.MoreAssess = list, next != ""
	}
	if d.ShowRisk = ui.app.Offers(v.actor, "risk", "read"); d.ShowRisk {
		if err := ui.providerRisk(r, v, &d); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	if ui.app.Offers(v.actor, "benchmark", "read") {
		if d.Benchmark, err = ui.providerBenchmark(r, v, id); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	if d.ShowFinds = ui.app.Offers(v.actor, "finding", "read"); d.ShowFinds {
		list, next, err := ui.app.Findings(ctx, v.actor, store.FindingFilter{ProviderID: id}, store.Page{Limit: providerPageFindings})
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		for _, f := range list {
			d.Findings = append(d.Findings, viewOf(f, v.printer))
		}
		d.MoreFinds = next != ""
	}
	if ui.app.Offers(v.actor, "inspection", "read") {
		if err := ui.providerInspections(r, v, &d); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	p := ui.newPage(r, v, "Provider", d)
	p.Problems = d.State.Problems
	p.Flash = registerFlash(r)
	ui.render(w, r, status, "provider.html", p)
}

// providerRisk adds the risk register (of the campaign the address names,
// else the latest), the overrides and the trend to the page.
func (ui *UI) providerRisk(r *http.Request, v *visit, d *providerPageData) error {
	ctx := r.Context()
	id := d.Provider.ID
	overrides, err := ui.app.Overrides(ctx, v.actor, id)
	if err != nil {
		return err
	}
	d.CanOverride = ui.app.Offers(v.actor, "risk", "override")
	campaign := r.URL.Query().Get("campaign")
	reg, err := ui.app.ProviderRisk(ctx, v.actor, id, campaign, "")
	switch code := domain.ErrorCodeOf(err); {
	case err == nil:
		d.Risk = riskViewOf(reg, overrides, d.State, v.printer)
		if d.Profile, err = ui.profileViewOf(r, v, reg, d.State.Profile); err != nil {
			return err
		}
	case (code == domain.ENotFound || code == domain.EConflict) && campaign != "":
		d.RiskNote = v.T("There is no risk register: the provider has no assessment in this campaign.")
	case code == domain.ENotFound || code == domain.EConflict:
		d.RiskNote = v.T("There is no risk register yet: the provider has taken part in no campaign.")
	default:
		return err
	}
	names := map[string]string{}
	if d.Risk != nil {
		for _, t := range d.Risk.Framework.Threats {
			names[t.ID] = t.Name
		}
	}
	for _, o := range overrides {
		d.Overrides = append(d.Overrides, overrideView{OverrideEntry: o, ThreatName: names[o.ThreatID]})
	}
	d.TrendCurrent = r.URL.Query().Get("trend") == "current"
	trend, err := ui.app.Trend(ctx, v.actor, id, d.TrendCurrent)
	if err != nil {
		return err
	}
	d.Trend = trendChartOf(trend, v.printer)
	return nil
}

// percentOf formats a fraction (0–1) as a whole percentage.
func percentOf(f float64) string { return strconv.Itoa(int(math.Round(f*100))) + "%" }

func riskViewOf(reg store.RiskRegister, overrides []store.OverrideEntry, state providerState, p printer) *riskView {
	rv := &riskView{RiskRegister: reg}
	if c, ok := reg.Result.Overall().Value(); ok {
		rv.Compliance = percentOf(c)
	}
	threats := map[string]domain.Threat{}
	for _, t := range reg.Framework.Threats {
		threats[t.ID] = t
	}
	controls := map[string]domain.Control{}
	for _, c := range reg.Framework.Controls {
		controls[c.ID] = c
	}
	byThreat := map[string]*store.OverrideEntry{}
	for i, o := range overrides {
		if o.Framework == reg.Framework.ID && o.Version == reg.Framework.Version {
			byThreat[o.ThreatID] = &overrides[i]
		}
	}
	contradicted := map[string][]domain.LabContradiction{}
	for _, c := range reg.Contradictions {
		contradicted[c.ControlID] = append(contradicted[c.ControlID], c)
	}
	counts := map[domain.RiskLevel]int{}
	for _, t := range reg.Result.Threats {
		tv := threatView{ThreatRisk: t, Name: threats[t.ThreatID].Name, Coverage: percentOf(t.Coverage()),
			Override: byThreat[t.ThreatID], FrameworkID: reg.Framework.ID, FrameworkVersn: reg.Framework.Version}
		tv.explain(p)
		for _, c := range t.Contributions {
			ce := controlEffect{ID: c.ControlID, Title: controls[c.ControlID].Title, Counted: c.Counted,
				PrimaryThreat: c.Primary, Effectiveness: percentOf(float64(c.Credit) / domain.Unit), Key: c.Key,
				Weight: c.Weight, Grade: "—", LabFailed: contradicted[c.ControlID]}
			if c.Answer.Status == domain.Implemented || c.Answer.Status == domain.Partial {
				ce.Grade = p.Name(c.Answer.EffectiveGrade()) // only an answer that claims a control has a grade
			}
			ce.Answer = p.T("Not answered")
			if c.Answer.Status != "" {
				ce.Answer = p.Name(c.Answer.Status)
			}
			if c.Answer.Verdict != "" {
				ce.Verdict = p.Name(c.Answer.Verdict)
			}
			tv.Controls = append(tv.Controls, ce)
		}
		if o := tv.Override; o != nil {
			tv.Form = overrideForm{Reason: o.Reason}
			if o.Likelihood != nil {
				tv.Form.Likelihood = strconv.Itoa(*o.Likelihood)
			}
			if o.Impact != nil {
				tv.Form.Impact = strconv.Itoa(*o.Impact)
			}
		}
		if state.Threat == t.ThreatID {
			tv.Form, tv.FormProblems = state.Override, state.Problems
		}
		if t.Applicable {
			rv.Applicable++
			counts[t.Level]++
		}
		rv.Threats = append(rv.Threats, tv)
	}
	for _, l := range domain.RiskLevels {
		rv.Levels = append(rv.Levels, levelCount{Level: l, Count: counts[l]})
	}
	return rv
}

// explain says in words how each of a threat's numbers came about.
func (tv *threatView) explain(p printer) {
	t := tv.ThreatRisk
	if !t.Applicable {
		na := p.T("The threat does not apply: the provider operates none of its stages or channels.")
		tv.LikelihoodWhy, tv.ImpactWhy, tv.ResidualWhy = na, na, na
		return
	}
	tv.LikelihoodWhy = inherentWhy(p, "likelihood", t.DefaultL, t.L0, t.Drivers, t.Override != nil && t.Override.Likelihood != nil)
	tv.ImpactWhy = inherentWhy(p, "impact", t.DefaultI, t.I0, t.Drivers, t.Override != nil && t.Override.Impact != nil)
	if c, ok := t.Confidence(); ok {
		tv.Confidence = percentOf(c)
	}
	switch {
	case t.Counted == 0:
		tv.CoverageWhy = p.T("None: no applicable control mitigates the threat.")
	case t.Capped():
		tv.CoverageWhy = p.T("%s, held down to the cap of %d%% because key control %s earns nothing; without it the weighted mean credit of the %d controls would be %s.",
			tv.Coverage, t.Cap, strings.Join(t.KeyMissing, ", "), t.Counted, percentOf(float64(t.Credit)/float64(t.Weight)))
	default:
		tv.CoverageWhy = p.T("%s: the mean credit of the %d applicable controls that mitigate the threat, a primary link weighing more than a secondary one.",
			tv.Coverage, t.Counted)
	}
	if t.Counted == 0 {
		tv.ResidualWhy = p.T("%d: no applicable control mitigates the threat, so the likelihood stays as it is.", t.L1)
	} else {
		exact := float64(t.L0) - float64(t.L0-1)*t.Coverage()
		tv.ResidualWhy = p.T("%d − (%d − 1) × %s coverage = %s, rounded up to %d, so that a gap is never rounded away.", t.L0, t.L0,
			p.Decimal(t.Coverage(), 2), p.Decimal(exact, 2), t.L1)
	}
	tv.ImpactLeft = p.T("%d, as inherent: no resilience control limits this threat's impact.", t.I1)
	var parts []string
	removed := 0
	for _, r := range t.Reductions {
		if len(r.Controls) == 0 {
			continue
		}
		removed += r.Levels
		parts = append(parts, p.T("%s earn %s credit on average: %d of at most %d level(s) removed", strings.Join(r.Controls, ", "),
			percentOf(float64(r.Credit)/domain.Unit), r.Levels, r.Max))
	}
	switch {
	case removed > 0:
		tv.ImpactLeft = p.T("%d: %d less the levels resilience removes (%s).", t.I1, t.I0, strings.Join(parts, "; "))
	case len(parts) > 0:
		tv.ImpactLeft = p.T("%d, as inherent: resilience removes no level (%s).", t.I1, strings.Join(parts, "; "))
	}
	if t.Maturity == nil {
		tv.MaturityWhy = p.T("No maturity was stated with the controls; the threat's inherent level requires %d.", t.Required)
	} else if t.Shortfall() > 0 {
		tv.MaturityWhy = p.T("%d stated, where the threat's inherent level (%s) requires %d: short by %d.", *t.Maturity,
			p.Name(t.InherentLevel()), t.Required, t.Shortfall())
	} else {
		tv.MaturityWhy = p.T("%d stated, meeting the %d the threat's inherent level (%s) requires.", *t.Maturity, t.Required,
			p.Name(t.InherentLevel()))
	}
}

// inherentWhy says how an inherent value came from the threat's default,
// the profile table's rules and any override.
func inherentWhy(p printer, what string, def, value int, drivers []domain.Driver, overridden bool) string {
	if overridden {
		return p.T("%d, set by a supervisor.", value)
	}
	var parts []string
	for _, d := range drivers {
		if d.Affects != what {
			continue
		}
		name := p.Name(d.Measure)
		switch {
		case !d.Stated:
			parts = append(parts, p.T("%s not stated: no change", name))
		case d.Next != nil:
			parts = append(parts, p.T("%s %s, in the band from %s to under %s: %+d", name, p.Decimal(d.Value, decimalsOf(d.Value)),
				p.Decimal(d.Band.From, decimalsOf(d.Band.From)), p.Decimal(*d.Next, decimalsOf(*d.Next)), d.Band.Delta))
		default:
			parts = append(parts, p.T("%s %s, in the top band from %s: %+d", name, p.Decimal(d.Value, decimalsOf(d.Value)),
				p.Decimal(d.Band.From, decimalsOf(d.Band.From)), d.Band.Delta))
		}
	}
	if len(parts) == 0 {
		return p.T("%d, the threat's default.", value)
	}
	return p.T("%d: the default %d; %s; held to 1–5.", value, def, strings.Join(parts, "; "))
}

// trendChart is a provider's trend drawn as an inline SVG chart, with the
// same numbers in a table beside it.
type trendChart struct {
	Width, Height          int
	Left, Right, Top, Base int // the plot area
	LeftLabel, RightLabel  int // where the axes' labels stand
	Points                 []trendMark
	Compliance, Score      string // polyline points of the two lines
	Grid                   []gridLine
	Description            string
	Mixed                  bool // some points were scored under another method than the current one
}

// trendMark is one campaign of the trend, with where it sits on the chart.
type trendMark struct {
	store.TrendPoint
	Opens      string
	Percent    string // compliance, or "" when nothing counted
	Mean       string
	X          int
	CY, SY     int // the compliance and highest-score marks; CY is 0 without compliance
	RX, RY     int // the corner of the highest-score mark
	ByLevel    []levelCount
	LabelY     int
	HasPercent bool
}

type gridLine struct {
	Y           int
	Left, Right string // the compliance and score axis labels
}

func trendChartOf(points []store.TrendPoint, p printer) *trendChart {
	if len(points) == 0 {
		return nil
	}
	c := &trendChart{Width: 640, Height: 250, Left: 56, Right: 584, Top: 20, Base: 210, LeftLabel: 48, RightLabel: 592}
	for _, pt := range points {
		c.Mixed = c.Mixed || pt.Method != domain.RiskMethod || pt.Recomputed
	}
	plot := c.Base - c.Top
	// Five steps: 20% of compliance, 5 of score.
	top := domain.RiskScaleMax * domain.RiskScaleMax
	for i := 0; i <= 5; i++ {
		c.Grid = append(c.Grid, gridLine{Y: c.Base - plot*i/5, Left: strconv.Itoa(i*20) + "%", Right: strconv.Itoa(top * i / 5)})
	}
	var comp, score []string
	var said []string
	for i, tp := range points {
		m := trendMark{TrendPoint: tp, Opens: p.Date(tp.OpensAt), Mean: p.Decimal(tp.MeanScore, 2), LabelY: c.Base + 20}
		m.X = (c.Left + c.Right) / 2
		if len(points) > 1 {
			m.X = c.Left + 20 + (c.Right-c.Left-40)*i/(len(points)-1)
		}
		m.SY = c.Base - plot*tp.MaxScore/(domain.RiskScaleMax*domain.RiskScaleMax)
		m.RX, m.RY = m.X-5, m.SY-5
		for _, l := range domain.RiskLevels {
			m.ByLevel = append(m.ByLevel, levelCount{Level: l, Count: tp.Levels[l]})
		}
		score = append(score, fmt.Sprintf("%d,%d", m.X, m.SY))
		if tp.Compliance != nil {
			m.HasPercent, m.Percent = true, percentOf(*tp.Compliance)
			m.CY = c.Base - int(math.Round(float64(plot)**tp.Compliance))
			comp = append(comp, fmt.Sprintf("%d,%d", m.X, m.CY))
			said = append(said, p.T("%s: compliance %s, highest residual score %d", tp.CampaignName, m.Percent, tp.MaxScore))
		} else {
			said = append(said, p.T("%s: no compliance yet, highest residual score %d", tp.CampaignName, tp.MaxScore))
		}
		c.Points = append(c.Points, m)
	}
	c.Compliance, c.Score = strings.Join(comp, " "), strings.Join(score, " ")
	c.Description = strings.Join(said, "; ") + "."
	return c
}

// readOverrideForm reads a threat's override form: each value blank (the
// default) or 1–5.
func readOverrideForm(r *http.Request, p printer) (overrideForm, *int, *int, []problem) {
	f := overrideForm{Likelihood: r.PostFormValue("likelihood"), Impact: r.PostFormValue("impact"),
		Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	var problems []problem
	value := func(s, field, message string) *int {
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < domain.RiskScaleMin || n > domain.RiskScaleMax {
			problems = append(problems, problem{Field: field, Message: message})
			return nil
		}
		return &n
	}
	l := value(f.Likelihood, "likelihood", p.T("Choose a likelihood from 1 to 5, or the default."))
	i := value(f.Impact, "impact", p.T("Choose an impact from 1 to 5, or the default."))
	return f, l, i, problems
}

// providerOverride sets a supervisor's override of one threat's inherent
// likelihood and impact, with a reason; the provider's scores follow at once.
func (ui *UI) providerOverride(w http.ResponseWriter, r *http.Request, v *visit) {
	id, threat := r.PathValue("id"), r.PathValue("threat")
	f, l, i, problems := readOverrideForm(r, v.printer)
	if len(problems) == 0 && l == nil && i == nil {
		problems = append(problems, problem{Field: "likelihood",
			Message: v.T("Choose a likelihood, an impact or both; to go back to the defaults, remove the override.")})
	}
	var err error
	if len(problems) == 0 {
		ref := store.FrameworkRef{ID: r.PostFormValue("framework"), Version: r.PostFormValue("framework_version")}
		err = ui.app.SetOverride(r.Context(), v.actor, id, ref, threat, l, i, f.Reason)
		if err == nil {
			http.Redirect(w, r, "/providers/"+id+"?done=override"+campaignQuery(r)+"#explain-"+threat, http.StatusSeeOther)
			return
		}
		if domain.ErrorCodeOf(err) != domain.EInvalid {
			ui.fail(w, r, v, err)
			return
		}
		for _, pr := range problemsOf(err, v.printer) {
			if pr.Field == "reason" {
				pr.Message = v.T("Say why the values differ from the defaults (at most 2000 characters).")
			}
			problems = append(problems, pr)
		}
	}
	// Field ids of the threat's form carry the threat, so the summary's links land on it.
	for k := range problems {
		if problems[k].Field != "" {
			problems[k].Field = "override-" + threat + "-" + problems[k].Field
		}
	}
	ui.showProvider(w, r, v, id, &providerState{Problems: problems, Threat: threat, Override: f}, http.StatusUnprocessableEntity)
}

// campaignQuery keeps the campaign the provider page showed, for the
// address to come back to.
func campaignQuery(r *http.Request) string {
	if c := r.URL.Query().Get("campaign"); c != "" {
		return "&campaign=" + url.QueryEscape(c)
	}
	return ""
}

// providerOverrideRemove removes an override: the threat's defaults apply again.
func (ui *UI) providerOverrideRemove(w http.ResponseWriter, r *http.Request, v *visit) {
	id, threat := r.PathValue("id"), r.PathValue("threat")
	ref := store.FrameworkRef{ID: r.PostFormValue("framework"), Version: r.PostFormValue("framework_version")}
	if err := ui.app.SetOverride(r.Context(), v.actor, id, ref, threat, nil, nil, "removed on the provider page"); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/providers/"+id+"?done=removed"+campaignQuery(r)+"#explain-"+threat, http.StatusSeeOther)
}
