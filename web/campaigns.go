package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// Campaign screens: the list, the wizard that drafts one with a live
// preview of what opening it creates, and one campaign with its actions and
// every provider's assessment.

// Bounds of the campaign screens.
const (
	campaignsPage   = 50  // campaigns per page of the list
	campaignRows    = 100 // assessments per page of a campaign
	pickerResults   = 50  // providers a search of the wizard lists
	chosenWithNames = 200 // chosen providers shown by name; more travel as hidden fields
)

// choice is one option of a form: its value, its label's message key, and
// whether it is chosen.
type choice struct {
	Value   string
	Label   string
	Checked bool
}

// providerKinds names the kinds of provider, in the register's order.
var providerKinds = []choice{
	{Value: string(domain.KindBank), Label: "Bank"},
	{Value: string(domain.KindMobileMoneyOperator), Label: "Mobile money operator"},
	{Value: string(domain.KindPSP), Label: "Payment service provider"},
	{Value: string(domain.KindEMI), Label: "E-money issuer"},
	{Value: string(domain.KindMFI), Label: "Microfinance institution"},
	{Value: string(domain.KindFintech), Label: "Fintech"},
	{Value: string(domain.KindAgentNetwork), Label: "Agent network operator"},
	{Value: string(domain.KindPaymentSwitch), Label: "Payment switch"},
	{Value: string(domain.KindMNO), Label: "Mobile network operator (no DFS of its own)"},
}

// kindLabel names a kind of provider in the printer's language.
func kindLabel(p printer, k domain.ProviderKind) string {
	for _, c := range providerKinds {
		if c.Value == string(k) {
			return p.T(c.Label)
		}
	}
	return string(k)
}

// campaignsData is one page of the list of campaigns, newest first.
type campaignsData struct {
	Campaigns []campaignRow
	Status    string
	Next      string
	CanCreate bool
	CanSeries bool // the visitor may read campaign series: link to them
	Statuses  []string
}

type campaignRow struct {
	domain.Campaign
	Opens, Due string
}

// campaigns lists the campaigns the visitor may read, newest first.
func (ui *UI) campaigns(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	status := domain.CampaignStatus(q.Get("status"))
	switch status {
	case "", domain.CampaignDraft, domain.CampaignOpen, domain.CampaignClosed:
	default:
		status = ""
	}
	list, next, err := ui.app.Campaigns(r.Context(), v.actor, status, store.Page{Limit: campaignsPage, Cursor: q.Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := campaignsData{Status: string(status), CanCreate: ui.app.Offers(v.actor, "campaign", "manage"),
		Statuses: []string{string(domain.CampaignDraft), string(domain.CampaignOpen), string(domain.CampaignClosed)}}
	d.CanSeries = ui.app.Offers(v.actor, "campaign_series", "read")
	for _, c := range list {
		d.Campaigns = append(d.Campaigns, campaignRow{Campaign: c, Opens: v.Date(c.OpensAt), Due: v.Date(c.DueAt)})
	}
	if next != "" {
		d.Next = "/campaigns?" + url.Values{"status": {string(status)}, "cursor": {next}}.Encode()
	}
	p := ui.newPage(r, v, "Campaigns", d)
	p.Flash = flashes[q.Get("done")]
	ui.render(w, r, http.StatusOK, "campaigns.html", p)
}

// wizardData is the form that drafts a campaign, with the providers it may
// pick from and the preview of what opening it would create.
type wizardData struct {
	Name, Framework, Mode, OpensAt, DueAt, Instructions string
	Level                                               string
	Frameworks                                          []choice
	Levels                                              []levelChoices // of each framework that has levels
	Kinds, Tiers                                        []choice
	Search                                              providerSearch
	Chosen                                              []domain.Provider // chosen providers shown by name
	ChosenHidden                                        []string          // chosen beyond those, carried along
	Results                                             []domain.Provider // the search's providers not chosen yet
	MoreResults                                         bool
	Preview                                             app.CampaignPreview
	PreviewShown                                        bool
}

// levelChoices is the levels one framework version offers, for the form.
type levelChoices struct {
	Label  string
	Levels []choice
}

// providerSearch narrows the providers the wizard lists to pick from.
type providerSearch struct {
	Query, Kind, Tier string
}

// KindLabel names a provider's kind for the page.
func (d *wizardData) KindLabel(p *page, k domain.ProviderKind) string { return kindLabel(p.printer, k) }

// wizardOf reads the wizard's fields from a form or a query.
func wizardOf(f url.Values) *wizardData {
	d := &wizardData{Name: strings.TrimSpace(f.Get("name")), Framework: f.Get("framework"), Mode: f.Get("mode"),
		Level: strings.TrimSpace(f.Get("level")), OpensAt: strings.TrimSpace(f.Get("opens_at")), DueAt: strings.TrimSpace(f.Get("due_at")),
		Instructions: strings.TrimSpace(f.Get("instructions")),
		Search:       providerSearch{Query: strings.TrimSpace(f.Get("q")), Kind: f.Get("q_kind"), Tier: f.Get("q_tier")}}
	if d.Mode != "kinds" {
		d.Mode = "providers"
	}
	for _, k := range providerKinds {
		k.Checked = slices.Contains(f["kind"], k.Value)
		d.Kinds = append(d.Kinds, k)
	}
	for _, t := range []string{"1", "2", "3"} {
		d.Tiers = append(d.Tiers, choice{Value: t, Checked: slices.Contains(f["tier"], t)})
	}
	seen := map[string]bool{}
	for _, id := range f["provider"] {
		if id != "" && !seen[id] {
			seen[id] = true
			d.ChosenHidden = append(d.ChosenHidden, id)
		}
	}
	return d
}

// campaign turns the wizard's fields into the campaign they describe. A
// date that does not read as one is left out, which the campaign's own check
// reports as missing, with its format.
func (d *wizardData) campaign() domain.Campaign {
	c := domain.Campaign{Name: d.Name, Instructions: d.Instructions, Level: d.Level}
	c.FrameworkID, c.FrameworkVersion, _ = strings.Cut(d.Framework, "|")
	c.OpensAt, _ = domain.ParseDate(d.OpensAt)
	c.DueAt, _ = domain.ParseDate(d.DueAt)
	if d.Mode == "kinds" {
		for _, k := range d.Kinds {
			if k.Checked {
				c.Kinds = append(c.Kinds, domain.ProviderKind(k.Value))
			}
		}
		for _, t := range d.Tiers {
			if t.Checked {
				n, _ := strconv.Atoi(t.Value)
				c.Tiers = append(c.Tiers, n)
			}
		}
	} else {
		c.ProviderIDs = d.chosen()
	}
	return c
}

// chosen lists every chosen provider's id.
func (d *wizardData) chosen() []string {
	out := make([]string, 0, len(d.Chosen)+len(d.ChosenHidden))
	for _, p := range d.Chosen {
		out = append(out, p.ID)
	}
	return append(out, d.ChosenHidden...)
}

// fill adds what the form shows besides the fields: the frameworks, the
// chosen providers by name, the search's providers and, when asked for, the
// preview.
func (ui *UI) fill(r *http.Request, v *visit, d *wizardData, preview bool) error {
	ctx := r.Context()
	fws, _, err := ui.app.Frameworks(ctx, v.actor, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	for _, f := range fws {
		value := f.ID + "|" + f.Version
		d.Frameworks = append(d.Frameworks, choice{Value: value, Label: f.Title + " · " + f.Version})
		if len(f.Levels) > 0 {
			group := levelChoices{Label: f.Title + " · " + f.Version}
			for _, l := range f.Levels {
				group.Levels = append(group.Levels, choice{Value: l.ID, Label: l.ID + " · " + l.Name, Checked: l.ID == d.Level})
			}
			d.Levels = append(d.Levels, group)
		}
	}
	if d.Framework == "" && len(fws) > 0 {
		d.Framework = d.Frameworks[len(d.Frameworks)-1].Value
	}
	for i := range d.Frameworks {
		d.Frameworks[i].Checked = d.Frameworks[i].Value == d.Framework
	}
	ids := d.ChosenHidden
	d.ChosenHidden = nil
	for i, id := range ids {
		if i >= chosenWithNames {
			d.ChosenHidden = append(d.ChosenHidden, ids[i:]...)
			break
		}
		p, err := ui.app.Provider(ctx, v.actor, id)
		if domain.ErrorCodeOf(err) == domain.ENotFound {
			continue // not a provider: dropped from the choice
		}
		if err != nil {
			return err
		}
		d.Chosen = append(d.Chosen, p)
	}
	f := store.ProviderFilter{Query: d.Search.Query, Kind: domain.ProviderKind(d.Search.Kind), Status: domain.ProviderActive}
	if !domain.ProviderKind(d.Search.Kind).Valid() {
		f.Kind, d.Search.Kind = "", ""
	}
	if n, err := strconv.Atoi(d.Search.Tier); err == nil && n >= 1 && n <= 3 {
		f.Tier = n
	} else {
		d.Search.Tier = ""
	}
	found, next, err := ui.app.Providers(ctx, v.actor, f, store.Page{Limit: pickerResults})
	if err != nil {
		return err
	}
	chosen := d.chosen()
	for _, p := range found {
		if !slices.Contains(chosen, p.ID) {
			d.Results = append(d.Results, p)
		}
	}
	d.MoreResults = next != ""
	if preview {
		d.PreviewShown = true
		if d.Mode == "providers" && len(chosen) == 0 {
			return nil // nothing chosen yet: nothing to count
		}
		if d.Preview, err = ui.app.CampaignPreview(ctx, v.actor, d.campaign()); err != nil {
			return err
		}
	}
	return nil
}

// newCampaign shows the wizard, empty but for dates a supervisor would
// likely pick: opening today, due in ninety days.
func (ui *UI) newCampaign(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "campaign", "manage") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "only supervisors run campaigns"))
		return
	}
	d := wizardOf(r.URL.Query())
	today := domain.Today()
	if d.OpensAt == "" {
		d.OpensAt = today.String()
	}
	if d.DueAt == "" {
		d.DueAt = today.AddDays(90).String()
	}
	ui.showWizard(w, r, v, d, false, nil, http.StatusOK)
}

func (ui *UI) showWizard(w http.ResponseWriter, r *http.Request, v *visit, d *wizardData, preview bool, problems []problem, status int) {
	if err := ui.fill(r, v, d, preview); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	p := ui.newPage(r, v, "New campaign", d)
	p.Problems = problems
	ui.render(w, r, status, "campaign_new.html", p)
}

// campaignPreview answers the wizard's live preview as the form changes: to
// htmx the preview alone, or, with fragment picker, the list of providers
// to pick from; to a browser without scripts the whole wizard with it.
func (ui *UI) campaignPreview(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "campaign", "manage") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "only supervisors run campaigns"))
		return
	}
	d := wizardOf(r.URL.Query())
	if err := ui.fill(r, v, d, true); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	p := ui.newPage(r, v, "New campaign", d)
	p.Fragment = "campaign-preview"
	if r.URL.Query().Get("part") == "picker" {
		p.Fragment = "campaign-picker"
	}
	ui.render(w, r, http.StatusOK, "campaign_new.html", p)
}

// wizardLabels name the wizard's fields in problems that the campaign's own
// check words without them.
var wizardLabels = map[string]string{"name": "Name", "framework": "Framework", "opens_at": "Opens on",
	"due_at": "Due on", "instructions": "Instructions", "providers": "Providers", "level": "Level of assessment"}

// createCampaign handles the wizard's buttons: search the providers, show
// the preview, or create the draft campaign and go to its page.
func (ui *UI) createCampaign(w http.ResponseWriter, r *http.Request, v *visit) {
	d := wizardOf(r.PostForm)
	switch r.PostFormValue("action") {
	case "search":
		ui.showWizard(w, r, v, d, false, nil, http.StatusOK)
		return
	case "preview":
		ui.showWizard(w, r, v, d, true, nil, http.StatusOK)
		return
	}
	if d.Mode == "providers" && len(d.ChosenHidden) == 0 {
		ui.showWizard(w, r, v, d, false, []problem{{Field: "providers",
			Message: v.T("%s: %s", v.T("Providers"), v.T("choose at least one provider, or choose the scope by kind and tier"))}},
			http.StatusUnprocessableEntity)
		return
	}
	c, err := ui.app.CreateCampaign(r.Context(), v.actor, d.campaign())
	if domain.ErrorCodeOf(err) == domain.EInvalid {
		problems := problemsOf(err, v.printer)
		for i := range problems {
			switch f := problems[i].Field; {
			case f == "scope" || strings.HasPrefix(f, "kinds") || strings.HasPrefix(f, "tiers"):
				problems[i].Field = "scope"
			case f == "provider_ids" || strings.HasPrefix(f, "provider_ids"):
				problems[i].Field = "providers"
			case wizardLabels[f] == "":
				problems[i].Field = ""
			}
		}
		ui.showWizard(w, r, v, d, true, labelled(problems, wizardLabels, v.printer), http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(c.ID)+"?done=created", http.StatusSeeOther)
}

// campaignData is one campaign with what the visitor may do to it and its
// assessments.
type campaignData struct {
	Campaign     domain.Campaign
	Opens, Due   string
	Framework    string
	Actions      []string
	Preview      *app.CampaignPreview // a draft's scope, for those who may open it
	Opening      *app.CampaignOpening // an opening under way, or one that stopped
	Rows         []assessmentRow
	Next         string
	Status       string // the status the list is filtered by
	OverdueOnly  bool
	CanReview    bool
	CanExport    bool // the visitor may export sector reports: link to the campaign's exports
	ExtendDue    string
	ExtendReason string
	Statuses     []domain.AssessmentStatus
	Series       bool // made by a campaign series the visitor may read: link to it
}

// KindLabel names a provider's kind for the page.
func (d *campaignData) KindLabel(p *page, k domain.ProviderKind) string {
	return kindLabel(p.printer, k)
}

// assessmentRow is one provider's assessment in a campaign.
type assessmentRow struct {
	domain.Assessment
	Due      string
	Overdue  bool
	Progress int
}

func (ui *UI) campaign(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showCampaign(w, r, v, r.PathValue("id"), nil, nil, http.StatusOK)
}

// showCampaign renders a campaign; sent, when not nil, is the extension the
// visitor sent, kept in its form beside the problems.
func (ui *UI) showCampaign(w http.ResponseWriter, r *http.Request, v *visit, id string, sent *campaignData, problems []problem, status int) {
	ctx := r.Context()
	c, err := ui.app.Campaign(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	q := r.URL.Query()
	d := &campaignData{Campaign: c, Opens: v.Date(c.OpensAt), Due: v.Date(c.DueAt), Actions: ui.app.CampaignActions(v.actor, c),
		Framework: c.FrameworkID + " · " + c.FrameworkVersion, CanReview: ui.app.Offers(v.actor, "assessment", "review"),
		Status: q.Get("status"), OverdueOnly: q.Get("overdue") == "1", Statuses: domain.AssessmentStatuses}
	d.CanExport = ui.app.Offers(v.actor, "sector_report", "export")
	d.Series = c.SeriesID != "" && ui.app.Offers(v.actor, "campaign_series", "read")
	if fw, err := ui.app.Framework(ctx, v.actor, store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion}); err == nil {
		d.Framework = fw.Title + " · " + fw.Version
		for _, l := range fw.Levels {
			if l.ID == c.Level {
				d.Framework += " · " + v.T("level %s", l.ID+" "+l.Name)
			}
		}
	}
	if sent != nil {
		d.ExtendDue, d.ExtendReason = sent.ExtendDue, sent.ExtendReason
	}
	if c.Status == domain.CampaignDraft && ui.app.Offers(v.actor, "campaign", "manage") {
		o, err := ui.app.CampaignOpeningState(ctx, v.actor, id)
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		if o.Campaign.Status != domain.CampaignDraft {
			// The opening finished between the two reads: show the campaign
			// as it is now, not a draft with nothing going on.
			http.Redirect(w, r, "/campaigns/"+url.PathEscape(id)+"?done=opened", http.StatusSeeOther)
			return
		}
		if o.Active() || o.Failed() {
			d.Opening = &o
		}
		if !o.Active() {
			pv, err := ui.app.CampaignPreview(ctx, v.actor, c)
			if err != nil {
				ui.fail(w, r, v, err)
				return
			}
			d.Preview = &pv
		}
	}
	if c.Status != domain.CampaignDraft {
		f := store.AssessmentFilter{CampaignID: c.ID, Overdue: d.OverdueOnly}
		if s := domain.AssessmentStatus(d.Status); s.Valid() {
			f.Status = s
		} else {
			d.Status = ""
		}
		list, next, err := ui.app.Assessments(ctx, v.actor, f, store.Page{Limit: campaignRows, Cursor: q.Get("cursor")})
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		today := domain.Today()
		for _, as := range list {
			d.Rows = append(d.Rows, assessmentRow{Assessment: as, Due: v.Date(as.DueAt), Overdue: as.Overdue(today),
				Progress: percent(as.Answered, as.Applicable)})
		}
		if next != "" {
			nq := url.Values{"cursor": {next}}
			if d.Status != "" {
				nq.Set("status", d.Status)
			}
			if d.OverdueOnly {
				nq.Set("overdue", "1")
			}
			d.Next = "/campaigns/" + url.PathEscape(c.ID) + "?" + nq.Encode()
		}
	}
	p := ui.newPage(r, v, "Campaign", d)
	p.Problems = problems
	p.Flash = flashes[q.Get("done")]
	ui.render(w, r, status, "campaign.html", p)
}

// openCampaign asks for a draft campaign to be opened; the opening runs in
// the background, whatever the campaign's size, and the campaign's page
// follows it.
func (ui *UI) openCampaign(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	o, err := ui.app.StartOpeningCampaign(r.Context(), v.actor, id)
	if err != nil {
		ui.campaignFailed(w, r, v, id, err)
		return
	}
	target := "/campaigns/" + url.PathEscape(id) + "?opening=1"
	if o.Opening.Status == store.OpeningDone {
		target = "/campaigns/" + url.PathEscape(id) + "?done=opened"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// campaignOpening answers the polling of a campaign's page while it opens:
// the progress bar while the opening goes on or the reason it stopped, and,
// once the campaign is open, a redirect to its page.
func (ui *UI) campaignOpening(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	o, err := ui.app.CampaignOpeningState(r.Context(), v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if o.Campaign.Status != domain.CampaignDraft {
		target := "/campaigns/" + url.PathEscape(id) + "?done=opened"
		if r.Header.Get("HX-Request") == "true" {
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/campaigns/"+url.PathEscape(id)+"?opening=1", http.StatusSeeOther)
		return
	}
	p := ui.newPage(r, v, "Campaign", &campaignData{Campaign: o.Campaign, Opening: &o})
	p.Fragment = "campaign-opening"
	ui.render(w, r, http.StatusOK, "campaign.html", p)
}

// extendCampaign moves an open campaign's due date later, with a reason.
func (ui *UI) extendCampaign(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &campaignData{ExtendDue: strings.TrimSpace(r.PostFormValue("due_at")), ExtendReason: r.PostFormValue("reason")}
	due, err := domain.ParseDate(sent.ExtendDue)
	if err != nil {
		ui.showCampaign(w, r, v, id, sent, []problem{{Field: "extend-due", Message: v.T("%s: %s", v.T("New due date"),
			v.T("give a date, as YYYY-MM-DD"))}}, http.StatusUnprocessableEntity)
		return
	}
	_, err = ui.app.ExtendCampaign(r.Context(), v.actor, id, due, sent.ExtendReason)
	if domain.ErrorCodeOf(err) == domain.EInvalid {
		problems := problemsOf(err, v.printer)
		for i := range problems {
			problems[i].Field = map[string]string{"due_at": "extend-due", "reason": "extend-reason"}[problems[i].Field]
		}
		ui.showCampaign(w, r, v, id, sent, labelled(problems, map[string]string{"extend-due": "New due date",
			"extend-reason": "Reason"}, v.printer), http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		ui.campaignFailed(w, r, v, id, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(id)+"?done=extended", http.StatusSeeOther)
}

// closeCampaign ends filing in an open campaign.
func (ui *UI) closeCampaign(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	if _, err := ui.app.CloseCampaign(r.Context(), v.actor, id); err != nil {
		ui.campaignFailed(w, r, v, id, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(id)+"?done=closed", http.StatusSeeOther)
}

// campaignFailed shows the campaign as it now stands with the reason an
// action could not be taken, when the campaign had moved on or had nobody in
// scope; other errors end the request.
func (ui *UI) campaignFailed(w http.ResponseWriter, r *http.Request, v *visit, id string, err error) {
	if domain.ErrorCodeOf(err) == domain.EConflict {
		ui.showCampaign(w, r, v, id, nil, []problem{{Message: v.Say(messageOf(err))}}, http.StatusConflict)
		return
	}
	ui.fail(w, r, v, err)
}
