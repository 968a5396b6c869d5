package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"assure/domain"
	txt "assure/texts"
)

// The sector view of incidents: the incidents detected in a period by
// threat, channel, kind of provider and month, the months drawn as an inline
// SVG chart beside the same numbers in a table, and each threat's observed
// frequency over the twelve months up to the period's end next to its
// default likelihood in the framework.

// statisticsData is the sector view.
type statisticsData struct {
	domain.IncidentStatistics
	From, To             string // the period as the form holds it
	Period, Window       string // in words
	Chart                *monthChart
	Kinds                []kindRow
	Channels             []countRow
	Threats              []countRow
	Months               []countRow
	Frequency            []frequencyRow
	Total, Major         string
	Providers            string
	WindowFrom, WindowTo string
}

type countRow struct {
	domain.IncidentCount
	Label string
}

type kindRow struct {
	domain.KindCount
	Label string
}

type frequencyRow struct {
	domain.ThreatFrequency
	PerYear string
	Reading string // how the observed likelihood stands to the default, in words
	Differs bool
}

// monthChart is the incidents of each month as bars, the major ones drawn
// over them.
type monthChart struct {
	Width, Height, Left, Right, Top, Base int
	Bars                                  []monthBar
	Grid                                  []gridLine
	Description                           string
}

type monthBar struct {
	domain.IncidentCount
	Label                string
	X, W, Y, H, MY, MH   int
	LabelX, LabelY       int
	ShowLabel, HasMajor  bool
	AllTitle, MajorTitle string
}

// monthLabel names a month (YYYY-MM) briefly: its number and year.
func monthLabel(key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	return t.Format("01/2006")
}

// monthName names a month (YYYY-MM) in words: May 2027.
func monthName(p printer, key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	return p.T(txt.Months[t.Month()-1]) + " " + strconv.Itoa(t.Year())
}

// chartTop is the smallest multiple of 5 (at least 5) at or above n: the
// chart's scale in five steps of whole incidents.
func chartTop(n int) int {
	if n <= 5 {
		return 5
	}
	return (n + 4) / 5 * 5
}

func monthChartOf(p printer, months []domain.IncidentCount) *monthChart {
	if len(months) == 0 {
		return nil
	}
	c := &monthChart{Width: 640, Height: 250, Left: 48, Right: 620, Top: 16, Base: 210}
	most := 0
	for _, m := range months {
		most = max(most, m.Incidents)
	}
	top := chartTop(most)
	plot := c.Base - c.Top
	for k := 0; k <= 5; k++ {
		c.Grid = append(c.Grid, gridLine{Y: c.Base - plot*k/5, Left: strconv.Itoa(top * k / 5)})
	}
	slot := (c.Right - c.Left) / len(months)
	every := 1 + len(months)/12 // at most about twelve labels under the bars
	var said []string
	for k, m := range months {
		b := monthBar{IncidentCount: m, Label: monthLabel(m.Key), X: c.Left + k*slot + slot/6, W: max(1, slot*2/3),
			LabelY: c.Base + 18, ShowLabel: k%every == 0, HasMajor: m.Major > 0}
		b.H = plot * m.Incidents / top
		b.Y = c.Base - b.H
		b.MH = plot * m.Major / top
		b.MY = c.Base - b.MH
		b.LabelX = b.X + b.W/2
		b.AllTitle = p.T("%s: %d in all", b.Label, m.Incidents)
		b.MajorTitle = p.T("%s: major %d", b.Label, m.Major)
		c.Bars = append(c.Bars, b)
		said = append(said, p.T("%s: %d in all, major %d", b.Label, m.Incidents, m.Major))
	}
	c.Description = strings.Join(said, "; ") + "."
	return c
}

// observedReading words how the likelihood the frequency reads stands to
// the framework's default.
func observedReading(p printer, f domain.ThreatFrequency) (string, bool) {
	switch {
	case f.Observed > f.Default:
		return p.T("Observed higher than the default: consider raising it"), true
	case f.Observed < f.Default && f.Incidents > 0:
		return p.T("Observed lower than the default"), true
	case f.Observed < f.Default:
		return p.T("No incident in the window"), false
	}
	return p.T("As the default"), false
}

// incidentStatistics shows the sector view for the period the address names,
// by default the twelve months up to today.
func (ui *UI) incidentStatistics(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	var problems []problem
	day := func(name string) domain.Date {
		s := q.Get(name)
		if s == "" {
			return domain.Date{}
		}
		d, err := domain.ParseDate(s)
		if err != nil {
			problems = append(problems, problem{Field: "stat-" + name, Message: v.T("Give a day of the calendar.")})
		}
		return d
	}
	from, to := day("from"), day("to")
	status := http.StatusOK
	if len(problems) > 0 {
		from, to, status = domain.Date{}, domain.Date{}, http.StatusUnprocessableEntity
	}
	s, err := ui.app.IncidentStatistics(r.Context(), v.actor, from, to)
	if domain.ErrorCodeOf(err) == domain.EInvalid {
		problems = append(problems, problem{Field: "stat-to", Message: v.T("The period must end on or after its first day, within 10 years.")})
		status = http.StatusUnprocessableEntity
		s, err = ui.app.IncidentStatistics(r.Context(), v.actor, domain.Date{}, domain.Date{})
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := statisticsData{IncidentStatistics: s, From: s.From.String(), To: s.To.String(),
		Period: v.T("%s to %s, both included", v.Date(s.From), v.Date(s.To)), Window: v.T("%s to %s, both included", v.Date(s.WindowFrom), v.Date(s.WindowTo)),
		Chart: monthChartOf(v.printer, s.ByMonth), Total: v.Number(s.Total), Major: v.Number(s.Major),
		Providers: v.Number(s.Providers)}
	if len(problems) > 0 {
		d.From, d.To = q.Get("from"), q.Get("to")
	}
	for _, k := range s.ByKind {
		d.Kinds = append(d.Kinds, kindRow{KindCount: k, Label: v.ProviderKindName(domain.ProviderKind(k.Key))})
	}
	for _, c := range s.ByChannel {
		d.Channels = append(d.Channels, countRow{IncidentCount: c, Label: v.ProviderChannelName(c.Key)})
	}
	for _, c := range s.ByMonth {
		d.Months = append(d.Months, countRow{IncidentCount: c, Label: monthName(v.printer, c.Key)})
	}
	for _, c := range s.ByThreat {
		label := c.Key // a threat the latest version dropped has no name there
		if c.Name != "" {
			label += " · " + c.Name
		}
		d.Threats = append(d.Threats, countRow{IncidentCount: c, Label: label})
	}
	for _, f := range s.Frequency {
		row := frequencyRow{ThreatFrequency: f, PerYear: v.Decimal(f.PerProviderYear, 2)}
		row.Reading, row.Differs = observedReading(v.printer, f)
		d.Frequency = append(d.Frequency, row)
	}
	p := ui.newPage(r, v, "Incident statistics", d)
	p.Problems = problems
	ui.render(w, r, status, "incident_statistics.html", p)
}
