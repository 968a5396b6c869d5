package web

import (
	"context"
	"net/http"
	"slices"

	"assure/domain"
	"assure/store"
)

// homeRow is one assessment on a home page.
type homeRow struct {
	Assessment domain.Assessment
	DaysLeft   int // negative once overdue
	Due        string
	Progress   int // percent answered
	Answered   string
	Needs      []string // message keys of what needs the visitor now
}

type homeData struct {
	Rows          []homeRow
	Findings      []domain.Finding // open findings, earliest due first
	More          bool             // more assessments than shown
	Incidents     []incidentRow    // the provider's incidents with a report due, the overdue first
	MoreIncidents bool             // more incidents with a report due than shown
}

// homeIncidents is how many incidents with a report due a home page shows.
const homeIncidents = 5

// home is every role's start page: the assessments the visitor can see,
// newest campaigns first, with what needs them now.
func (ui *UI) home(w http.ResponseWriter, r *http.Request, v *visit) {
	// The administrator's start page: who may change the settings administers Assure.
	if ui.app.Offers(v.actor, "settings", "update") {
		ui.adminHome(w, r, v)
		return
	}
	if ui.app.OffersSector(v.actor, "risk", "read") {
		ui.dashboard(w, r, v) // those who watch the whole sector start from its dashboard
		return
	}
	ctx := r.Context()
	var data homeData
	if err := ui.incidentsDue(ctx, v, &data); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if !ui.app.Offers(v.actor, "assessment", "read") {
		ui.showHome(w, r, v, data)
		return
	}
	list, next, err := ui.app.Assessments(ctx, v.actor, store.AssessmentFilter{}, store.Page{Limit: 200})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	allowed, err := ui.app.AllowedActions(ctx, v.actor, list...)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	data.More = next != ""
	today := domain.Today()
	for i, as := range list {
		row := homeRow{Assessment: as, DaysLeft: today.DaysUntil(as.DueAt), Due: v.Date(as.DueAt),
			Progress: percent(as.Answered, as.Applicable),
			Answered: v.T("%s of %s answered", v.Number(as.Answered), v.Number(as.Applicable))}
		if as.Status == domain.StatusChangesRequested && contains(allowed[i], domain.ActionEdit) {
			row.Needs = append(row.Needs, "Changes requested by the supervisor")
		}
		if contains(allowed[i], domain.ActionSubmit) && as.Answered == as.Applicable {
			row.Needs = append(row.Needs, "Ready to submit")
		}
		if as.Overdue(today) {
			row.Needs = append(row.Needs, "Overdue")
		}
		data.Rows = append(data.Rows, row)
	}
	if !ui.app.Offers(v.actor, "finding", "read") {
		ui.showHome(w, r, v, data)
		return
	}
	findings, _, err := ui.app.Findings(ctx, v.actor, store.FindingFilter{Status: domain.FindingOpen}, store.Page{Limit: 20})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	inProgress, _, err := ui.app.Findings(ctx, v.actor, store.FindingFilter{Status: domain.FindingInProgress}, store.Page{Limit: 20})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	data.Findings = append(findings, inProgress...)
	slices.SortStableFunc(data.Findings, func(a, b domain.Finding) int { return a.DueAt.Time().Compare(b.DueAt.Time()) })
	ui.showHome(w, r, v, data)
}

// incidentsDue puts on a provider user's home page their provider's
// incidents whose next report is due, the clock that runs out first (so the
// overdue) first, as the incident list sorts them.
func (ui *UI) incidentsDue(ctx context.Context, v *visit, data *homeData) error {
	if !ui.app.Offers(v.actor, "incident", "read") || ui.app.OffersEveryProvider(v.actor, "incident", "read") {
		return nil
	}
	list, next, err := ui.app.Incidents(ctx, v.actor, store.IncidentFilter{Open: true}, store.Page{Limit: homeIncidents})
	if err != nil {
		return err
	}
	for _, i := range list {
		row := incidentRowOf(v.printer, i)
		if row.Next == nil { // the final report filed: nothing due, and nor for the rest of the list
			return nil
		}
		data.Incidents = append(data.Incidents, row)
	}
	data.MoreIncidents = next != ""
	return nil
}

// showHome renders the home page, with the message a redirect here asked for.
func (ui *UI) showHome(w http.ResponseWriter, r *http.Request, v *visit, data homeData) {
	p := ui.newPage(r, v, "Home", data)
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "home.html", p)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
