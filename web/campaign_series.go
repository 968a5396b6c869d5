package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"assure/domain"
	"assure/store"
)

// Campaign series screens: the list, the form that starts one, and one
// series with its coming and past campaigns and the pause and resume
// buttons.

// Bounds of the series screens.
const (
	seriesPage      = 50 // series per page of the list
	seriesCampaigns = 20 // campaigns a series' page lists
	seriesAhead     = 3  // coming campaigns a series' page lists
)

// seriesPeriods name the intervals a series recurs at, by months.
var seriesPeriods = []choice{
	{Value: "12", Label: "Every year"},
	{Value: "6", Label: "Every six months"},
	{Value: "3", Label: "Every three months"},
	{Value: "1", Label: "Every month"},
}

// periodName names a series' interval.
func periodName(p printer, months int) string {
	for _, c := range seriesPeriods {
		if c.Value == strconv.Itoa(months) {
			return p.T(c.Label)
		}
	}
	return strconv.Itoa(months)
}

// seriesRow is a series as the list and its page show it.
type seriesRow struct {
	store.Series
	Period    string
	NextOpens string // the day its next campaign opens, "" when paused
	Scope     string
}

func (ui *UI) seriesRowOf(v *visit, s store.Series) seriesRow {
	row := seriesRow{Series: s, Period: periodName(v.printer, s.EveryMonths), Scope: scopeWords(v, s.Kinds, s.Tiers, len(s.ProviderIDs))}
	if s.Status == domain.SeriesActive {
		row.NextOpens = v.Date(s.OpensOn(s.Next(ui.app.Today())))
	}
	return row
}

// scopeWords says which providers a scope covers.
func scopeWords(v *visit, kinds []domain.ProviderKind, tiers []int, chosen int) string {
	if chosen > 0 {
		return v.T("%d chosen providers", chosen)
	}
	var parts []string
	if len(kinds) == 0 {
		parts = append(parts, v.T("every kind"))
	}
	for _, k := range kinds {
		parts = append(parts, kindLabel(v.printer, k))
	}
	if len(tiers) == 0 {
		parts = append(parts, v.T("every tier"))
	}
	for _, t := range tiers {
		parts = append(parts, v.T("Tier %d", t))
	}
	return strings.Join(parts, ", ")
}

// seriesListData is one page of the list of series.
type seriesListData struct {
	Series    []seriesRow
	Next      string
	CanCreate bool
}

// seriesList lists the campaign series, newest first.
func (ui *UI) seriesList(w http.ResponseWriter, r *http.Request, v *visit) {
	list, next, err := ui.app.CampaignSeriesList(r.Context(), v.actor, "", store.Page{Limit: seriesPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := seriesListData{CanCreate: ui.app.Offers(v.actor, "campaign_series", "manage")}
	for _, s := range list {
		d.Series = append(d.Series, ui.seriesRowOf(v, s))
	}
	if next != "" {
		d.Next = "/campaign-series?" + url.Values{"cursor": {next}}.Encode()
	}
	ui.render(w, r, http.StatusOK, "series_list.html", ui.newPage(r, v, "Campaign series", d))
}

// seriesForm is the form that starts a series, or changes one, as sent.
type seriesForm struct {
	Name, Framework, Level, EveryMonths, FirstOpensOn, DueAfterDays, LeadDays, Instructions string
	Frameworks                                                                              []choice
	Kinds, Tiers, Periods                                                                   []choice
	Version                                                                                 string // the version a form of changes was made from
	Chosen                                                                                  int    // providers the series chose one by one, which a form of changes keeps
}

// seriesFormOf reads the form.
func seriesFormOf(f url.Values) *seriesForm {
	d := &seriesForm{Name: strings.TrimSpace(f.Get("name")), Framework: f.Get("framework"), Level: strings.TrimSpace(f.Get("level")),
		EveryMonths: f.Get("every_months"), FirstOpensOn: strings.TrimSpace(f.Get("first_opens_on")),
		DueAfterDays: strings.TrimSpace(f.Get("due_after_days")), LeadDays: strings.TrimSpace(f.Get("lead_days")),
		Instructions: strings.TrimSpace(f.Get("instructions")), Version: f.Get("version")}
	for _, k := range providerKinds {
		k.Checked = slices.Contains(f["kind"], k.Value)
		d.Kinds = append(d.Kinds, k)
	}
	for _, t := range []string{"1", "2", "3"} {
		d.Tiers = append(d.Tiers, choice{Value: t, Checked: slices.Contains(f["tier"], t)})
	}
	return d
}

// series is the series the form describes, and the problems of fields
// that do not read as numbers or dates.
func (d *seriesForm) series(v *visit) (domain.CampaignSeries, []problem) {
	s := domain.CampaignSeries{Name: d.Name, Level: d.Level, Instructions: d.Instructions, LeadDays: domain.DefaultSeriesLeadDays}
	s.FrameworkID, s.FrameworkVersion, _ = strings.Cut(d.Framework, "|")
	var problems []problem
	number := func(field, value string, dst *int, message string) {
		if value == "" {
			return
		}
		n, err := strconv.Atoi(value)
		if err != nil {
			problems = append(problems, problem{Field: field, Message: message})
			return
		}
		*dst = n
	}
	number("every_months", d.EveryMonths, &s.EveryMonths, v.T("Choose how often the campaign recurs."))
	number("due_after_days", d.DueAfterDays, &s.DueAfterDays, v.T("Give the number of days as a whole number."))
	number("lead_days", d.LeadDays, &s.LeadDays, v.T("Give the number of days as a whole number."))
	if d.FirstOpensOn != "" {
		var err error
		if s.FirstOpensOn, err = domain.ParseDate(d.FirstOpensOn); err != nil {
			problems = append(problems, problem{Field: "first_opens_on", Message: v.T("Give the date as a day of the calendar.")})
		}
	}
	for _, k := range d.Kinds {
		if k.Checked {
			s.Kinds = append(s.Kinds, domain.ProviderKind(k.Value))
		}
	}
	for _, t := range d.Tiers {
		if t.Checked {
			n, _ := strconv.Atoi(t.Value)
			s.Tiers = append(s.Tiers, n)
		}
	}
	return s, problems
}

// fill adds what the form offers to choose from: the frameworks (each one's
// latest version, which every campaign takes afresh, then each version
// pinned) and the intervals.
func (ui *UI) fillSeriesForm(r *http.Request, v *visit, d *seriesForm) error {
	fws, _, err := ui.app.Frameworks(r.Context(), v.actor, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	var latest, pinned []choice
	seen := map[string]bool{}
	for i := len(fws) - 1; i >= 0; i-- {
		f := fws[i]
		if !seen[f.ID] {
			seen[f.ID] = true
			latest = append(latest, choice{Value: f.ID + "|", Label: v.T("%s, its latest version when each campaign is made", f.Title)})
		}
		pinned = append(pinned, choice{Value: f.ID + "|" + f.Version, Label: f.Title + " · " + f.Version})
	}
	d.Frameworks = append(latest, pinned...)
	if d.Framework == "" && len(d.Frameworks) > 0 {
		d.Framework = d.Frameworks[0].Value
	}
	for i := range d.Frameworks {
		d.Frameworks[i].Checked = d.Frameworks[i].Value == d.Framework
	}
	if d.EveryMonths == "" {
		d.EveryMonths = "12"
	}
	for _, p := range seriesPeriods {
		p.Checked = p.Value == d.EveryMonths
		d.Periods = append(d.Periods, p)
	}
	return nil
}

// newSeries shows the form that starts a series.
func (ui *UI) newSeries(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "campaign_series", "manage") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "only supervisors start campaign series"))
		return
	}
	d := seriesFormOf(url.Values{})
	d.LeadDays = strconv.Itoa(domain.DefaultSeriesLeadDays)
	d.DueAfterDays = "60"
	ui.showSeriesForm(w, r, v, d, nil, http.StatusOK)
}

func (ui *UI) showSeriesForm(w http.ResponseWriter, r *http.Request, v *visit, d *seriesForm, problems []problem, status int) {
	if err := ui.fillSeriesForm(r, v, d); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	p := ui.newPage(r, v, "New campaign series", d)
	p.Problems = problems
	ui.render(w, r, status, "series_new.html", p)
}

// createSeries starts a series from the form and goes to its page; a
// refused one is shown again beside its problems.
func (ui *UI) createSeries(w http.ResponseWriter, r *http.Request, v *visit) {
	d := seriesFormOf(r.PostForm)
	s, problems := d.series(v)
	if len(problems) == 0 {
		out, err := ui.app.CreateCampaignSeries(r.Context(), v.actor, s)
		if err == nil {
			http.Redirect(w, r, "/campaign-series/"+url.PathEscape(out.ID)+"?done=series_created", http.StatusSeeOther)
			return
		}
		if domain.ErrorCodeOf(err) != domain.EInvalid {
			ui.fail(w, r, v, err)
			return
		}
		problems = problemsOf(err, v.printer)
		for i, pr := range problems {
			for _, f := range []string{"kinds", "tiers", "scope", "provider_ids"} {
				if strings.HasPrefix(pr.Field, f) {
					problems[i].Field = "scope"
				}
			}
		}
	}
	ui.showSeriesForm(w, r, v, d, problems, http.StatusUnprocessableEntity)
}

// seriesData is one series' page.
type seriesData struct {
	seriesRow
	First     string
	Framework string
	Ahead     []seriesOccurrence
	Campaigns []campaignRow
	More      bool
	Actions   []string
	Edit      *seriesForm // the form that changes the series, for those who may
}

// seriesOccurrence is a campaign the series will make.
type seriesOccurrence struct {
	Name, Made, Opens, Due string
}

// seriesPage shows one series.
func (ui *UI) seriesPage(w http.ResponseWriter, r *http.Request, v *visit) {
	s, err := ui.app.CampaignSeries(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.showSeries(w, r, v, s, nil, nil, http.StatusOK)
}

// showSeries shows one series with its form of changes: edit as sent beside
// its problems, or, when nil, filled from the series.
func (ui *UI) showSeries(w http.ResponseWriter, r *http.Request, v *visit, s store.Series, edit *seriesForm, problems []problem, status int) {
	ctx := r.Context()
	d := seriesData{seriesRow: ui.seriesRowOf(v, s), First: v.Date(s.FirstOpensOn), Actions: ui.app.SeriesActions(v.actor, s),
		Framework: s.FrameworkID}
	if s.FrameworkVersion != "" {
		d.Framework += " · " + s.FrameworkVersion
	}
	if s.Status == domain.SeriesActive {
		for k := s.Next(ui.app.Today()); len(d.Ahead) < seriesAhead; k++ {
			d.Ahead = append(d.Ahead, seriesOccurrence{Name: s.OccurrenceName(k), Made: v.Date(s.MadeOn(k)),
				Opens: v.Date(s.OpensOn(k)), Due: v.Date(s.DueOn(k))})
		}
	}
	list, next, err := ui.app.SeriesCampaigns(ctx, v.actor, s.ID, store.Page{Limit: seriesCampaigns})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	for _, c := range list {
		d.Campaigns = append(d.Campaigns, campaignRow{Campaign: c, Opens: v.Date(c.OpensAt), Due: v.Date(c.DueAt)})
	}
	d.More = next != ""
	if ui.app.Offers(v.actor, "campaign_series", "manage") {
		if edit == nil {
			edit = seriesEditFormOf(s)
		}
		edit.Periods = nil
		for _, p := range seriesPeriods {
			p.Checked = p.Value == edit.EveryMonths
			edit.Periods = append(edit.Periods, p)
		}
		d.Edit = edit
	}
	p := ui.newPage(r, v, "Campaign series", d)
	p.Flash = flashes[r.URL.Query().Get("done")]
	p.Problems = problems
	ui.render(w, r, status, "series.html", p)
}

// seriesEditFormOf is the form of changes filled from the series. A series
// of chosen providers keeps them: the form changes a scope by kind and
// tier only.
func seriesEditFormOf(s store.Series) *seriesForm {
	f := url.Values{"name": {s.Name}, "every_months": {strconv.Itoa(s.EveryMonths)},
		"first_opens_on": {s.FirstOpensOn.String()}, "due_after_days": {strconv.Itoa(s.DueAfterDays)},
		"lead_days": {strconv.Itoa(s.LeadDays)}, "instructions": {s.Instructions}, "version": {strconv.Itoa(s.Version)}}
	for _, k := range s.Kinds {
		f.Add("kind", string(k))
	}
	for _, t := range s.Tiers {
		f.Add("tier", strconv.Itoa(t))
	}
	d := seriesFormOf(f)
	d.Chosen = len(s.ProviderIDs)
	return d
}

// updateSeries saves the form of changes over the version it was made from
// and goes back to the series' page. A refused change is shown again beside
// its problems; when someone else changed the series in between, nothing is
// saved and the page says so, the form keeping what was sent, now over the
// version shown.
func (ui *UI) updateSeries(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	s, err := ui.app.CampaignSeries(ctx, v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := seriesFormOf(r.PostForm)
	d.Chosen = len(s.ProviderIDs)
	parsed, problems := d.series(v)
	if len(problems) > 0 {
		ui.showSeries(w, r, v, s, d, problems, http.StatusUnprocessableEntity)
		return
	}
	c := domain.SeriesChange{Name: &parsed.Name, Instructions: &parsed.Instructions, EveryMonths: &parsed.EveryMonths,
		FirstOpensOn: &parsed.FirstOpensOn, DueAfterDays: &parsed.DueAfterDays, LeadDays: &parsed.LeadDays}
	if d.Chosen == 0 {
		c.Scope = &domain.SeriesScope{Kinds: parsed.Kinds, Tiers: parsed.Tiers}
	}
	// Version 0 would skip the check: a form always names the version it shows.
	version, _ := strconv.Atoi(d.Version)
	out, err := ui.app.UpdateCampaignSeries(ctx, v.actor, s.ID, c, max(version, 1))
	if err == nil {
		http.Redirect(w, r, "/campaign-series/"+url.PathEscape(out.ID)+"?done=series_changed", http.StatusSeeOther)
		return
	}
	switch domain.ErrorCodeOf(err) {
	case domain.EPrecondition:
		d.Version = strconv.Itoa(s.Version)
		ui.showSeries(w, r, v, s, d, []problem{{Message: v.T("Someone else changed the series since you opened the page: nothing is saved. Check the series above, then send the form again to save yours.")}},
			http.StatusConflict)
	case domain.EInvalid:
		problems = problemsOf(err, v.printer)
		for i, pr := range problems {
			for _, f := range []string{"kinds", "tiers", "scope", "provider_ids"} {
				if strings.HasPrefix(pr.Field, f) {
					problems[i].Field = "scope"
				}
			}
		}
		ui.showSeries(w, r, v, s, d, problems, http.StatusUnprocessableEntity)
	default:
		ui.fail(w, r, v, err)
	}
}

// pauseSeries pauses a series and goes back to its page.
func (ui *UI) pauseSeries(w http.ResponseWriter, r *http.Request, v *visit) {
	s, err := ui.app.PauseCampaignSeries(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/campaign-series/"+url.PathEscape(s.ID)+"?done=series_paused", http.StatusSeeOther)
}

// resumeSeries resumes a series and goes back to its page.
func (ui *UI) resumeSeries(w http.ResponseWriter, r *http.Request, v *visit) {
	s, err := ui.app.ResumeCampaignSeries(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/campaign-series/"+url.PathEscape(s.ID)+"?done=series_resumed", http.StatusSeeOther)
}
