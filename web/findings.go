package web

import (
	"net/http"
	"net/url"
	"strings"

	"assure/domain"
	"assure/store"
)

// findingsPage is how many findings one page of the list shows.
const findingsPage = 50

// findingsData is the list of findings, earliest due first.
type findingsData struct {
	Findings []findingView
	Next     string // the address of the next page, or ""
	Provider bool   // the visitor is a provider user: no provider column
	Filter   findingsFilter
}

// findingsFilter narrows the list, as the filter form and the address hold it.
type findingsFilter struct {
	Severity, Status, ProviderID, CampaignID string
	Overdue                                  bool
	Severities                               []domain.Severity
	Statuses                                 []domain.FindingStatus
	Providers                                []domain.Provider // to pick from; none for provider users
	Campaigns                                []domain.Campaign
}

// Any reports whether the filter narrows the list at all.
func (f findingsFilter) Any() bool {
	return f.Severity != "" || f.Status != "" || f.ProviderID != "" || f.CampaignID != "" || f.Overdue
}

// query is the filter as the address of a page of the list holds it.
func (f findingsFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"severity": f.Severity, "status": f.Status, "provider": f.ProviderID,
		"campaign": f.CampaignID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Overdue {
		q.Set("overdue", "1")
	}
	return q
}

// findingsFilterOf reads the filter from the address, dropping values that
// are not a severity or a state.
func findingsFilterOf(q url.Values) (findingsFilter, store.FindingFilter) {
	f := findingsFilter{Severity: q.Get("severity"), Status: q.Get("status"), ProviderID: q.Get("provider"),
		CampaignID: q.Get("campaign"), Overdue: q.Get("overdue") == "1", Severities: domain.Severities,
		Statuses: domain.FindingStatuses}
	if !domain.Severity(f.Severity).Valid() {
		f.Severity = ""
	}
	if !domain.FindingStatus(f.Status).Valid() {
		f.Status = ""
	}
	return f, store.FindingFilter{Severity: domain.Severity(f.Severity), Status: domain.FindingStatus(f.Status),
		ProviderID: f.ProviderID, CampaignID: f.CampaignID, Overdue: f.Overdue}
}

// findingView is a finding with what the page works out for it.
type findingView struct {
	domain.Finding
	Overdue bool
	Due     string
}

func viewOf(f domain.Finding, p printer) findingView {
	return findingView{Finding: f, Overdue: f.Overdue(domain.Today()), Due: p.Date(f.DueAt)}
}

// findings lists the findings the visitor may read: a provider user their
// provider's, supervisors and auditors every provider's.
func (ui *UI) findings(w http.ResponseWriter, r *http.Request, v *visit) {
	cursor := r.URL.Query().Get("cursor")
	filter, sf := findingsFilterOf(r.URL.Query())
	list, next, err := ui.app.Findings(r.Context(), v.actor, sf, store.Page{Limit: findingsPage, Cursor: cursor})
	if domain.ErrorCodeOf(err) == domain.EInvalid { // an id that is not one: the unfiltered list
		http.Redirect(w, r, "/findings", http.StatusSeeOther)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := findingsData{Provider: !ui.app.OffersEveryProvider(v.actor, "finding", "read"), Filter: filter}
	for _, f := range list {
		d.Findings = append(d.Findings, viewOf(f, v.printer))
	}
	if next != "" {
		q := filter.query()
		q.Set("cursor", next)
		d.Next = "/findings?" + q.Encode()
	}
	if err := ui.findingsChoices(r, v, &d); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.render(w, r, http.StatusOK, "findings.html", ui.newPage(r, v, "Findings", d))
}

// findingsChoices adds the providers and campaigns the filter offers: for
// the sector's users every provider, and the latest campaigns.
func (ui *UI) findingsChoices(r *http.Request, v *visit, d *findingsData) error {
	var err error
	if !d.Provider {
		choice, err := ui.providerChoices(r.Context(), v, "", d.Filter.ProviderID)
		if err != nil {
			return err
		}
		d.Filter.Providers = choice.Providers
	}
	if ui.app.Offers(v.actor, "campaign", "read") {
		d.Filter.Campaigns, _, err = ui.app.Campaigns(r.Context(), v.actor, "", store.Page{Limit: 100})
	}
	return err
}

// findingData is one finding with its history and the forms of the actions
// the visitor may take now.
type findingData struct {
	findingView
	Actions []string
	Plan    string // the plan the form shows: what was sent, or the stored one
	Note    string
	Reason  string
	Verify  string // the supervisor's note on verifying
}

func (ui *UI) finding(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showFinding(w, r, v, r.PathValue("id"), nil, nil, http.StatusOK)
}

// showFinding renders one finding; sent, when not nil, is what the visitor
// sent, kept in the forms beside the problems.
func (ui *UI) showFinding(w http.ResponseWriter, r *http.Request, v *visit, id string, sent *findingData,
	problems []problem, status int) {
	f, err := ui.app.Finding(r.Context(), v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := findingData{findingView: viewOf(f, v.printer), Actions: ui.app.FindingActions(v.actor, f), Plan: f.RemediationPlan}
	if sent != nil {
		d.Plan, d.Note, d.Reason, d.Verify = sent.Plan, sent.Note, sent.Reason, sent.Verify
	}
	p := ui.newPage(r, v, "Finding", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "finding.html", p)
}

// respondToFinding records a provider's remediation plan and progress note,
// and, when a button asked for it, starts or resolves the finding.
func (ui *UI) respondToFinding(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &findingData{Plan: r.PostFormValue("remediation_plan"), Note: r.PostFormValue("note")}
	resp := store.FindingResponse{Note: sent.Note, Action: r.PostFormValue("action")}
	// The plan travels only when the visitor changed it, so a note alone
	// does not rewrite (and re-audit) the plan.
	f, err := ui.app.Finding(r.Context(), v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if strings.TrimSpace(sent.Plan) != strings.TrimSpace(f.RemediationPlan) {
		resp.RemediationPlan = &sent.Plan
	}
	_, err = ui.app.RespondToFinding(r.Context(), v.actor, id, resp)
	done := map[string]string{"": "answered", domain.FindingStart: "started", domain.FindingResolve: "resolved"}[resp.Action]
	ui.afterFinding(w, r, v, id, sent, err, done)
}

// verifyFinding confirms, as a supervisor, that a resolved finding is remediated.
func (ui *UI) verifyFinding(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &findingData{Verify: r.PostFormValue("note")}
	_, err := ui.app.VerifyFinding(r.Context(), v.actor, id, sent.Verify)
	ui.afterFinding(w, r, v, id, sent, err, "verified")
}

// reopenFinding sends a resolved or verified finding back to the provider,
// with the supervisor's reason.
func (ui *UI) reopenFinding(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &findingData{Reason: r.PostFormValue("reason")}
	_, err := ui.app.ReopenFinding(r.Context(), v.actor, id, sent.Reason)
	ui.afterFinding(w, r, v, id, sent, err, "reopened")
}

// afterFinding ends an action on a finding: back to the finding with a
// message when it worked; the finding as it now stands with the problems
// when the input was wrong or its state had moved on; an error page
// otherwise.
func (ui *UI) afterFinding(w http.ResponseWriter, r *http.Request, v *visit, id string, sent *findingData, err error, done string) {
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		problems := problemsOf(err, v.printer)
		for i := range problems {
			if f := problems[i].Field; f == "body" || f == "action" { // no field of the form to point at
				problems[i].Field = ""
			}
		}
		ui.showFinding(w, r, v, id, sent, labelled(problems, map[string]string{"reason": "Reason"}, v.printer),
			http.StatusUnprocessableEntity)
	case domain.EConflict:
		ui.showFinding(w, r, v, id, sent, []problem{{Message: v.T("The finding has moved on since the page was shown, so this cannot be done now. Here it is as it stands.")}},
			http.StatusConflict)
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/findings/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
	}
}
