package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/reports"
	"assure/store"
)

// The supervisor's dashboard: the home page of those who watch the whole
// sector (supervisors, auditors). It shows where the campaigns stand, what
// waits for the visitor's review, overdue findings, and the current
// campaign's risk as tables whose cells lead to the providers behind them.

// dashboardData is what dashboard.html receives.
type dashboardData struct {
	Campaigns []campaignOption
	Current   *domain.Campaign
	Due       string // the current campaign's due date, in words
	DaysLeft  int
	Progress  *progressView  // of the current campaign
	Others    []progressView // other open and recent campaigns

	Reviews  bool
	Review   queueView
	Approval queueView

	Findings    bool
	Overdue     findingList
	MoreOverdue bool

	Risk           bool
	Matrix         matrixView
	Dimensions     gridView
	Stages         gridView
	Priorities     []priorityView
	MorePriorities bool
}

// campaignOption is one campaign of the choice of campaign.
type campaignOption struct {
	ID, Name, Status string
	Selected         bool
}

// progressView is a campaign's progress with its shares worked out.
type progressView struct {
	CampaignID, Name, Status, Due string
	Current                       bool
	Total                         int
	States                        []stateShare
	Answered, Applicable, Share   int // Share: percent of controls answered
	Overdue                       int
}

// stateShare is the number of filings in one state and their share.
type stateShare struct {
	State   string
	Count   int
	Percent int
}

// queueView is the first page of a review queue.
type queueView struct {
	Rows []queueRow
	More string // the address of the whole queue, or ""
}

type queueRow struct {
	ID, ProviderID, Provider, Campaign string
	Status                             domain.AssessmentStatus
	Since                              string
	Verdicts                           string
	Ready                              bool
}

// matrixView is the 5×5 risk matrix, likelihood 5 at the top.
type matrixView struct {
	Rows                      []matrixRow
	Providers, Missing, Pairs int
}

type matrixRow struct {
	Likelihood int
	Cells      []matrixCell
}

type matrixCell struct {
	Likelihood, Impact, Count int
	Level                     domain.RiskLevel
	Class                     string
	Href                      string // the pairs behind the cell; "" when there are none
}

// gridView is a providers × dimensions or × stages heatmap.
type gridView struct {
	Columns []string
	Rows    []gridRow
	More    bool
}

type gridRow struct {
	ProviderID, Provider, AssessmentID string
	Tier                               int
	Cells                              []gridCell
}

type gridCell struct {
	Column, Text, Class string
}

// priorityView is one row of the priority ranking with its drivers, each
// term as the priority adds it up.
type priorityView struct {
	Rank                            int
	ProviderID, Provider            string
	Tier                            int
	Priority, RiskIndex, TierWeight string
	RiskTerm                        string // risk index × tier weight
	FilingOverdue                   bool
	FilingTerm                      string
	OverdueFindings                 int
	FindingsTerm                    string
	LastOnSite                      string // the date, or "" when never inspected on site
	YearsSinceOnSite                int
	InspectionTerm                  string
	TopThreats, WorstDimensions     []string
}

// dashboard shows the dashboard of the campaign asked for with ?campaign=,
// else of the most recent open campaign.
func (ui *UI) dashboard(w http.ResponseWriter, r *http.Request, v *visit) {
	d, err := ui.app.Dashboard(r.Context(), v.actor, r.URL.Query().Get("campaign"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	data := dashboardData{Reviews: d.Reviews, Findings: d.Findings, Risk: d.Risk, MoreOverdue: d.MoreOverdue,
		MorePriorities: d.MorePriorities, Current: d.Current}
	for _, c := range d.Campaigns {
		data.Campaigns = append(data.Campaigns, campaignOption{ID: c.ID, Name: c.Name, Status: campaignState(v.printer, c.Status),
			Selected: d.Current != nil && c.ID == d.Current.ID})
	}
	if d.Current != nil {
		if !containsCampaign(d.Campaigns, d.Current.ID) {
			c := d.Current
			data.Campaigns = append(data.Campaigns, campaignOption{ID: c.ID, Name: c.Name,
				Status: campaignState(v.printer, c.Status), Selected: true})
		}
		data.Due, data.DaysLeft = v.Date(d.Current.DueAt), domain.Today().DaysUntil(d.Current.DueAt)
	}
	for _, p := range d.Progress {
		pv := progressOf(v.printer, p, d.Current)
		if pv.Current {
			data.Progress = &pv
		} else {
			data.Others = append(data.Others, pv)
		}
	}
	if d.Reviews {
		data.Review = queueOf(v.printer, d.Review, "/review-queue")
		data.Approval = queueOf(v.printer, d.Approval, "/review-queue?wait="+string(store.WaitSecondApprover))
	}
	for _, f := range d.Overdue {
		data.Overdue = append(data.Overdue, viewOf(f, v.printer))
	}
	if d.Risk {
		data.Matrix = matrixOf(d.Current.ID, d.Matrix)
		data.Dimensions = dimensionsGrid(v.printer, d.Framework, d.Dimensions, d.MoreDimensions)
		data.Stages = stagesGrid(v.printer, d.Framework, d.Stages, d.MoreStages)
		data.Priorities = prioritiesOf(v.printer, d.Framework, d.Priorities)
	}
	p := ui.newPage(r, v, "Dashboard", data)
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "dashboard.html", p)
}

func containsCampaign(list []domain.Campaign, id string) bool {
	for _, c := range list {
		if c.ID == id {
			return true
		}
	}
	return false
}

// campaignState names a campaign's state.
func campaignState(p printer, s domain.CampaignStatus) string {
	switch s {
	case domain.CampaignDraft:
		return p.T("being prepared")
	case domain.CampaignOpen:
		return p.T("open")
	}
	return p.T("closed")
}

func progressOf(p printer, c store.CampaignProgress, current *domain.Campaign) progressView {
	v := progressView{CampaignID: c.CampaignID, Name: c.CampaignName, Status: campaignState(p, c.Status), Due: p.Date(c.DueAt),
		Current: current != nil && current.ID == c.CampaignID, Total: c.Assessments, Answered: c.Answered,
		Applicable: c.Applicable, Share: percent(c.Answered, c.Applicable), Overdue: c.Overdue}
	for _, s := range c.Counts() {
		v.States = append(v.States, stateShare{State: s.State, Count: s.Count, Percent: percent(s.Count, c.Assessments)})
	}
	return v
}

func queueOf(p printer, q app.ReviewQueue, more string) queueView {
	var v queueView
	for _, it := range q.Items {
		v.Rows = append(v.Rows, queueRow{ID: it.ID, ProviderID: it.ProviderID, Provider: it.ProviderName, Campaign: it.CampaignName,
			Status: it.Status, Since: p.Date(domain.DateOf(it.Since)), Ready: it.ReadyToApprove,
			Verdicts: p.T("%s of %s verdicts", p.Number(it.Verdicts), p.Number(it.Applicable))})
	}
	if q.Next != "" {
		v.More = more
	}
	return v
}

// fillClass is the class of a cell's band: the band's fill, as the PDF and
// SVG heatmaps draw it, so that one table of edges serves every picture.
func fillClass(fill string) string { return "fill-" + strings.TrimPrefix(fill, "#") }

func matrixOf(campaignID string, m store.RiskMatrix) matrixView {
	v := matrixView{Providers: m.Providers, Missing: m.Missing, Pairs: m.Pairs}
	for l := domain.RiskScaleMax; l >= domain.RiskScaleMin; l-- {
		row := matrixRow{Likelihood: l}
		for i := domain.RiskScaleMin; i <= domain.RiskScaleMax; i++ {
			level := domain.LevelOf(l * i)
			// An empty cell is muted, as in the reports: colour marks where the pairs are.
			c := matrixCell{Likelihood: l, Impact: i, Count: m.Counts[l-1][i-1], Level: level,
				Class: fillClass(reports.LevelFill(""))}
			if c.Count > 0 {
				c.Href, c.Class = riskCellPath(campaignID, l, i), fillClass(reports.LevelFill(level))
			}
			row.Cells = append(row.Cells, c)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func riskCellPath(campaignID string, l, i int) string {
	return fmt.Sprintf("/campaigns/%s/risk-cell?l=%d&i=%d", url.PathEscape(campaignID), l, i)
}

// wholePercent rounds a fraction to a whole percentage.
func wholePercent(f float64) int { return int(math.Round(f * 100)) }

func dimensionsGrid(p printer, f *domain.Framework, rows []store.HeatmapRow, more bool) gridView {
	v := gridView{More: more}
	for _, d := range f.Dimensions {
		v.Columns = append(v.Columns, d.Name)
	}
	for _, r := range rows {
		row := gridRow{ProviderID: r.ProviderID, Provider: r.ProviderName, AssessmentID: r.AssessmentID, Tier: r.Tier}
		for _, d := range f.Dimensions {
			cell := gridCell{Column: d.Name, Text: p.T("n/a"), Class: fillClass(reports.LevelFill(""))}
			if c := r.Compliance[d.ID]; c != nil {
				cell.Text, cell.Class = p.T("%d%%", wholePercent(*c)), fillClass(reports.ComplianceFill(*c))
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func stagesGrid(p printer, f *domain.Framework, rows []store.HeatmapRow, more bool) gridView {
	v := gridView{More: more}
	for _, s := range f.Stages {
		v.Columns = append(v.Columns, s.Name)
	}
	for _, r := range rows {
		row := gridRow{ProviderID: r.ProviderID, Provider: r.ProviderName, AssessmentID: r.AssessmentID, Tier: r.Tier}
		for _, s := range f.Stages {
			level := r.Levels[s.ID]
			cell := gridCell{Column: s.Name, Text: p.T("n/a"), Class: fillClass(reports.LevelFill(level))}
			if level != "" {
				cell.Text = p.Name(level)
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func prioritiesOf(p printer, f *domain.Framework, list []store.Priority) []priorityView {
	threats, dimensions := map[string]string{}, map[string]string{}
	for _, t := range f.Threats {
		threats[t.ID] = t.Name
	}
	for _, d := range f.Dimensions {
		dimensions[d.ID] = d.Name
	}
	var out []priorityView
	for _, pr := range list {
		d := pr.Drivers
		v := priorityView{Rank: pr.Rank, ProviderID: pr.ProviderID, Provider: pr.ProviderName, Tier: pr.Tier,
			Priority: p.Decimal(pr.Score, 1), RiskIndex: p.Decimal(d.RiskIndex, 1), TierWeight: p.Decimal(d.TierWeight, 1),
			RiskTerm: p.Decimal(d.RiskWeight(), 1), FilingOverdue: d.FilingOverdue, FilingTerm: p.Decimal(d.FilingWeight(), 0),
			OverdueFindings: d.OverdueFindings, FindingsTerm: p.Decimal(d.FindingsWeight, 1),
			YearsSinceOnSite: d.YearsSinceOnSite, InspectionTerm: p.Decimal(d.InspectionWeight, 0)}
		if !d.LastOnSite.IsZero() {
			v.LastOnSite = p.Date(d.LastOnSite)
		}
		for _, t := range pr.TopThreats {
			v.TopThreats = append(v.TopThreats, p.T("%s %s: %d, %s", t.ThreatID, threats[t.ThreatID], t.Score, p.Name(t.Level)))
		}
		for _, d := range pr.WorstDimensions {
			v.WorstDimensions = append(v.WorstDimensions, p.T("%s: %d%%", dimensions[d.DimensionID], wholePercent(d.Compliance)))
		}
		out = append(out, v)
	}
	return out
}

// The dashboard's partials (_desk.html) receive the page, for its messages,
// beside their own part; the parts hand themselves over with On.

type deskQueue struct {
	Page  *page
	ID    string
	Queue queueView
}

// On is the queue for the desk-queue partial, as the table with id.
func (q queueView) On(p *page, id string) deskQueue { return deskQueue{Page: p, ID: id, Queue: q} }

type findingList []findingView

type deskFindings struct {
	Page     *page
	Findings findingList
}

// On is the list for the desk-findings partial.
func (l findingList) On(p *page) deskFindings { return deskFindings{Page: p, Findings: l} }

type deskGrid struct {
	Page    *page
	ID      string
	Caption string
	Grid    gridView
}

// On is the heatmap for the desk-grid partial, as the table with id.
func (g gridView) On(p *page, id, caption string) deskGrid {
	return deskGrid{Page: p, ID: id, Caption: caption, Grid: g}
}

// swatch is one entry of a heatmap's legend.
type swatch struct{ Class, Label string }

type deskLegend struct {
	Page     *page
	Swatches []swatch
}

// Legend lists the bands of the levels ("levels") or of compliance
// ("compliance") for the desk-legend partial.
func (dashboardData) Legend(p *page, kind string) deskLegend {
	l := deskLegend{Page: p}
	empty := fillClass(reports.LevelFill(""))
	if kind == "compliance" {
		for _, s := range reports.ComplianceLegend() {
			if fillClass(s.Fill) != empty {
				l.Swatches = append(l.Swatches, swatch{Class: fillClass(s.Fill), Label: s.Label})
			}
		}
		l.Swatches = append(l.Swatches, swatch{Class: empty, Label: p.T("n/a: no control counts")})
		return l
	}
	for _, level := range domain.RiskLevels {
		l.Swatches = append(l.Swatches, swatch{Class: fillClass(reports.LevelFill(level)), Label: p.Name(level)})
	}
	l.Swatches = append(l.Swatches, swatch{Class: empty, Label: p.T("n/a: no threat applies")})
	return l
}
