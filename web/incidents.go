package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"assure/domain"
	"assure/store"
)

// The incident pages: the list (for supervisors the queue, the overdue
// first), one incident with its clocks, reports and requests, the forms a
// provider reports and updates it with, and the supervisor's request for
// information and closing on the incident's page.

// incidentsPage is how many incidents one page of the list shows.
const incidentsPage = 50

var incidentFlashes = map[string]string{
	"reported":  "The incident is reported. File the updates and the final report before their deadlines.",
	"updated":   "The update is filed.",
	"final":     "The final report is filed. The supervisor will review it and close the incident.",
	"requested": "The request is sent: the provider answers it with an update.",
	"closed":    "The incident is closed.",
}

// clockView is one phase's clock in words.
type clockView struct {
	domain.PhaseClock
	Due   string
	Filed string // when filed, or ""
	Says  string // time left, overdue by, filed on time or late
	Class string // the state, for the style sheet
	Alert bool   // overdue or late: said with a tag as well as a colour
}

// span says a duration's length in days, hours and minutes, the largest two
// units that are not zero.
func span(p printer, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	minutes := int(d.Round(time.Minute) / time.Minute)
	days, hours, mins := minutes/(24*60), minutes/60%24, minutes%60
	switch {
	case days > 0 && hours > 0:
		return p.T("%d d %d h", days, hours)
	case days > 0:
		return p.T("%d d", days)
	case hours > 0 && mins > 0:
		return p.T("%d h %d min", hours, mins)
	case hours > 0:
		return p.T("%d h", hours)
	}
	return p.T("%d min", mins)
}

func clockViewOf(p printer, c domain.PhaseClock) clockView {
	v := clockView{PhaseClock: c, Due: p.Time(c.Due), Class: "clock-" + string(c.State)}
	if !c.FiledAt.IsZero() {
		v.Filed = p.Time(c.FiledAt)
	}
	switch c.State {
	case domain.ClockRunning:
		v.Says = p.T("Due in %s", span(p, c.Left))
	case domain.ClockOverdue:
		v.Says, v.Alert = p.T("Overdue by %s", span(p, c.Left)), true
	case domain.ClockMet:
		v.Says = p.T("Filed on time")
	case domain.ClockLate:
		v.Says, v.Alert = p.T("Filed %s late", span(p, c.Left)), true
	default:
		v.Says = p.T("Not filed: the incident was closed")
	}
	return v
}

// incidentRow is one incident of the list.
type incidentRow struct {
	domain.Incident
	Next     *clockView // the clock that runs out first, while one runs
	Late     int        // phases filed late
	Reported string
	Overdue  bool
}

func incidentRowOf(p printer, i domain.Incident) incidentRow {
	row := incidentRow{Incident: i, Reported: p.Time(i.ReportedAt),
		Overdue: i.Overdue(i.AsOf)}
	if c, ok := i.NextClock(); ok {
		v := clockViewOf(p, c)
		row.Next = &v
	}
	for _, c := range i.Clocks() {
		if c.State == domain.ClockLate {
			row.Late++
		}
	}
	return row
}

// incidentsData is the list of incidents with its filter.
type incidentsData struct {
	Rows          []incidentRow
	Next          string
	Provider      bool // a provider user: no provider column, no provider to pick
	CanReport     bool
	CanStatistics bool
	Filter        incidentsFilter
}

// incidentsFilter narrows the list, as the form and the address hold it.
type incidentsFilter struct {
	Status, ProviderID, Channel string
	Open, Major, Overdue        bool
	Statuses                    []choice
	Channels                    []choice
	Providers                   []domain.Provider
}

func (f incidentsFilter) query() url.Values {
	q := url.Values{"filter": {"1"}}
	for k, v := range map[string]string{"status": f.Status, "provider": f.ProviderID, "channel": f.Channel} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for k, on := range map[string]bool{"open": f.Open, "major": f.Major, "overdue": f.Overdue} {
		if on {
			q.Set(k, "1")
		}
	}
	return q
}

// incidentsFilterOf reads the filter from the address. The first visit of a
// supervisor's shows the queue: the incidents not closed.
func incidentsFilterOf(q url.Values, p printer, sector bool) (incidentsFilter, store.IncidentFilter) {
	f := incidentsFilter{Status: q.Get("status"), ProviderID: q.Get("provider"), Channel: q.Get("channel"),
		Open: q.Get("open") == "1", Major: q.Get("major") == "1", Overdue: q.Get("overdue") == "1"}
	if q.Get("filter") == "" && sector {
		f.Open = true
	}
	if !domain.IncidentStatus(f.Status).Valid() {
		f.Status = ""
	}
	if !domain.ValidChannel(f.Channel) {
		f.Channel = ""
	}
	for _, s := range domain.IncidentStatuses {
		f.Statuses = append(f.Statuses, choice{Value: string(s), Label: p.Name(s), Checked: string(s) == f.Status})
	}
	for _, c := range domain.Channels {
		f.Channels = append(f.Channels, choice{Value: c, Label: p.ProviderChannelName(c), Checked: c == f.Channel})
	}
	return f, store.IncidentFilter{ProviderID: f.ProviderID, Status: domain.IncidentStatus(f.Status), Channel: f.Channel,
		Open: f.Open, Major: f.Major, Overdue: f.Overdue}
}

// incidents lists the incidents the visitor may read: a provider user their
// provider's, supervisors and auditors every provider's, the clock that runs
// out first first.
func (ui *UI) incidents(w http.ResponseWriter, r *http.Request, v *visit) {
	sector := ui.app.OffersEveryProvider(v.actor, "incident", "read")
	filter, sf := incidentsFilterOf(r.URL.Query(), v.printer, sector)
	list, next, err := ui.app.Incidents(r.Context(), v.actor, sf, store.Page{Limit: incidentsPage, Cursor: r.URL.Query().Get("cursor")})
	if domain.ErrorCodeOf(err) == domain.EInvalid { // a provider id or a cursor that is not one: the unfiltered list
		http.Redirect(w, r, "/incidents", http.StatusSeeOther)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := incidentsData{Provider: !sector, CanReport: ui.app.Offers(v.actor, "incident", "report"),
		CanStatistics: ui.app.Offers(v.actor, "incident", "statistics"), Filter: filter}
	for _, i := range list {
		d.Rows = append(d.Rows, incidentRowOf(v.printer, i))
	}
	if next != "" {
		q := filter.query()
		q.Set("cursor", next)
		d.Next = "/incidents?" + q.Encode()
	}
	if sector {
		choice, err := ui.providerChoices(r.Context(), v, "", filter.ProviderID)
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		d.Filter.Providers = choice.Providers
	}
	ui.render(w, r, http.StatusOK, "incidents.html", ui.newPage(r, v, "Incidents", d))
}

// incidentForm is the form of a report as sent: the initial report's (with
// title, detection and classification) or a later one's (with its phase).
type incidentForm struct {
	Title, DetectedAt, ClassifiedAt string
	Phase                           string
	Description                     string
	Customers, Duration, Value      string
	DataBreach, CrossBorder         bool
	Channels, Services, Threats     []string
	RootCause, Losses, Recovery     string
	Version                         string
}

// formTime is how a datetime-local field holds an instant (read as UTC).
const formTime = "2006-01-02T15:04"

func readIncidentForm(r *http.Request) incidentForm {
	return incidentForm{Title: r.PostFormValue("title"), DetectedAt: r.PostFormValue("detected_at"),
		ClassifiedAt: r.PostFormValue("classified_at"), Phase: r.PostFormValue("phase"),
		Description: r.PostFormValue("description"), Customers: r.PostFormValue("customers_affected"),
		Duration: r.PostFormValue("duration_hours"), Value: r.PostFormValue("value_affected"),
		DataBreach: r.PostFormValue("data_breach") == "on", CrossBorder: r.PostFormValue("cross_border") == "on",
		Channels: r.PostForm["channels"], Services: r.PostForm["services"], Threats: r.PostForm["threats"],
		RootCause: r.PostFormValue("root_cause"), Losses: r.PostFormValue("losses"), Recovery: r.PostFormValue("recovery"),
		Version: r.PostFormValue("version")}
}

// formOf fills the form with the facts of the incident's latest report.
func formOf(f domain.IncidentFacts) incidentForm {
	number := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	out := incidentForm{Description: f.Description, Customers: number(f.CustomersAffected), Value: number(f.ValueAffected),
		Losses: number(f.Losses), DataBreach: f.DataBreach, CrossBorder: f.CrossBorder, Channels: f.Channels,
		Services: f.Services, Threats: f.Threats, RootCause: f.RootCause, Recovery: f.Recovery}
	if f.DurationHours != 0 {
		out.Duration = strconv.FormatFloat(f.DurationHours, 'f', -1, 64)
	}
	return out
}

// facts reads the form's facts; what is not a number or an instant is a
// problem beside its field.
func (f incidentForm) facts(p printer) (domain.IncidentFacts, []problem) {
	var problems []problem
	whole := func(s, field string) int64 {
		s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			problems = append(problems, problem{Field: field, Message: p.T("Give a whole number, or leave it empty for none.")})
		}
		return n
	}
	out := domain.IncidentFacts{Description: f.Description, CustomersAffected: whole(f.Customers, "customers_affected"),
		ValueAffected: whole(f.Value, "value_affected"), Losses: whole(f.Losses, "losses"), DataBreach: f.DataBreach,
		CrossBorder: f.CrossBorder, Channels: f.Channels, Services: f.Services, Threats: f.Threats, RootCause: f.RootCause,
		Recovery: f.Recovery}
	if s := strings.TrimSpace(strings.ReplaceAll(f.Duration, ",", ".")); s != "" {
		h, err := strconv.ParseFloat(s, 64)
		if err != nil {
			problems = append(problems, problem{Field: "duration_hours", Message: p.T("Give the duration in hours, such as 2 or 2.5.")})
		}
		out.DurationHours = h
	}
	return out, problems
}

// instant reads a datetime-local field as UTC; empty is the zero instant.
func instant(s, field string, p printer, problems *[]problem) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{formTime, formTime + ":05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t
		}
	}
	*problems = append(*problems, problem{Field: field, Message: p.T("Give a day and a time of day, in UTC.")})
	return time.Time{}
}

// fieldProblems turns a refusal's problems into problems of the form's
// fields: a list's item points at the list.
func fieldProblems(err error, p printer) []problem {
	problems := problemsOf(err, p)
	for k := range problems {
		f := problems[k].Field
		if i := strings.IndexByte(f, '['); i >= 0 {
			f = f[:i]
		}
		if f == "body" || f == "provider_id" {
			f = ""
		}
		problems[k].Field = f
	}
	return problems
}

// incidentFormData is the page of a report's form.
type incidentFormData struct {
	New      bool
	Incident domain.Incident // the incident a later report is filed on
	Form     incidentForm
	Phases   []choice
	Channels []choice
	Services []choice
	Threats  []choice
	Rules    []string // the deadlines in force, in words
	Now      string   // the latest instant the time fields take
}

// checked marks the choices among values.
func checked(list []choice, values []string) []choice {
	out := slices.Clone(list)
	for k := range out {
		out[k].Checked = slices.Contains(values, out[k].Value)
	}
	return out
}

// deadlineWords says a phase's deadline rule in words.
func deadlineWords(p printer, ph domain.IncidentPhase, r domain.DeadlineRule) string {
	switch {
	case r.AfterClassificationHours > 0 && r.AfterDetectionHours > 0:
		return p.T("%s: within %d hours of classification and at most %d hours of detection", p.Name(ph),
			r.AfterClassificationHours, r.AfterDetectionHours)
	case r.AfterDetectionHours > 0:
		return p.T("%s: within %d hours of detection", p.Name(ph), r.AfterDetectionHours)
	}
	return p.T("%s: within %d hours of classification", p.Name(ph), r.AfterClassificationHours)
}

// showIncidentForm renders the form of a new incident (i nil) or of a report
// on i, as sent and beside its problems.
func (ui *UI) showIncidentForm(w http.ResponseWriter, r *http.Request, v *visit, i *domain.Incident, form incidentForm,
	problems []problem, status int) {
	ctx := r.Context()
	deadlines, _, err := ui.app.IncidentRules(ctx, v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	threats, _, err := ui.app.Threats(ctx, v.actor, store.FrameworkRef{ID: domain.IncidentFramework}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := incidentFormData{New: i == nil, Form: form, Now: ui.app.Now().Format(formTime)}
	for _, c := range domain.Channels {
		d.Channels = append(d.Channels, choice{Value: c, Label: v.ProviderChannelName(c)})
	}
	for _, s := range domain.IncidentServices {
		d.Services = append(d.Services, choice{Value: s, Label: v.Name(s)})
	}
	for _, t := range threats {
		d.Threats = append(d.Threats, choice{Value: t.ID, Label: t.ID + " · " + t.Name})
	}
	d.Channels, d.Services, d.Threats = checked(d.Channels, form.Channels), checked(d.Services, form.Services), checked(d.Threats, form.Threats)
	for _, ph := range domain.IncidentPhases {
		d.Rules = append(d.Rules, deadlineWords(v.printer, ph, deadlines.Rule(ph)))
	}
	title := "Report an incident"
	if i != nil {
		d.Incident, title = *i, "File a report"
		for _, ph := range []domain.IncidentPhase{domain.PhaseIntermediate, domain.PhaseFinal} {
			if ph == domain.PhaseFinal && i.Filed(domain.PhaseFinal) {
				continue
			}
			d.Phases = append(d.Phases, choice{Value: string(ph), Label: v.Name(ph), Checked: string(ph) == form.Phase})
		}
	}
	p := ui.newPage(r, v, title, d)
	p.Problems = problems
	ui.render(w, r, status, "incident_form.html", p)
}

// newIncident shows the form of an initial report.
func (ui *UI) newIncident(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "incident", "report") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "you may not report incidents"))
		return
	}
	ui.showIncidentForm(w, r, v, nil, incidentForm{}, nil, http.StatusOK)
}

// reportIncident files the initial report and goes to the new incident.
func (ui *UI) reportIncident(w http.ResponseWriter, r *http.Request, v *visit) {
	form := readIncidentForm(r)
	facts, problems := form.facts(v.printer)
	n := domain.NewIncident{ProviderID: v.actor.ProviderID, Title: form.Title, Facts: facts,
		DetectedAt: instant(form.DetectedAt, "detected_at", v.printer, &problems), ClassifiedAt: instant(form.ClassifiedAt, "classified_at", v.printer, &problems)}
	if len(problems) == 0 {
		i, err := ui.app.ReportIncident(r.Context(), v.actor, n)
		if err == nil {
			http.Redirect(w, r, "/incidents/"+url.PathEscape(i.ID)+"?done=reported", http.StatusSeeOther)
			return
		}
		if domain.ErrorCodeOf(err) != domain.EInvalid {
			ui.fail(w, r, v, err)
			return
		}
		problems = fieldProblems(err, v.printer)
	}
	ui.showIncidentForm(w, r, v, nil, form, problems, http.StatusUnprocessableEntity)
}

// reportForm shows the form of an intermediate or final report, filled with
// the incident's latest facts.
func (ui *UI) reportForm(w http.ResponseWriter, r *http.Request, v *visit) {
	i, err := ui.app.Incident(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	actions := ui.app.IncidentActions(v.actor, i)
	if !slices.Contains(actions, domain.IncidentUpdate) {
		ui.fail(w, r, v, domain.Errorf(domain.EConflict, "no report can be filed on this incident now"))
		return
	}
	form := formOf(i.Facts)
	form.Phase, form.Version = string(domain.PhaseIntermediate), strconv.Itoa(i.Version)
	if r.URL.Query().Get("phase") == string(domain.PhaseFinal) && slices.Contains(actions, domain.IncidentFileFinal) {
		form.Phase = string(domain.PhaseFinal)
	}
	ui.showIncidentForm(w, r, v, &i, form, nil, http.StatusOK)
}

// fileReport files an intermediate or final report and goes back to the
// incident.
func (ui *UI) fileReport(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	id := r.PathValue("id")
	form := readIncidentForm(r)
	facts, problems := form.facts(v.printer)
	version, _ := strconv.Atoi(form.Version)
	var err error
	if len(problems) == 0 {
		_, err = ui.app.FileIncidentReport(ctx, v.actor, id, domain.IncidentPhase(form.Phase), facts, version)
		if err == nil {
			done := "updated"
			if form.Phase == string(domain.PhaseFinal) {
				done = "final"
			}
			http.Redirect(w, r, "/incidents/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
			return
		}
	}
	status := http.StatusUnprocessableEntity
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		problems = fieldProblems(err, v.printer)
	case domain.EPrecondition, domain.EConflict:
		status = http.StatusConflict
		problems = []problem{{Message: v.T("The incident has moved on since the form was shown: check it as it stands now, then file your report again.")}}
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	i, err := ui.app.Incident(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	form.Version = strconv.Itoa(i.Version)
	ui.showIncidentForm(w, r, v, &i, form, problems, status)
}

// factsView is an incident's facts in words, with the printer the shared
// template says them with.
type factsView struct {
	printer
	domain.IncidentFacts
	Customers, Value, Losses, Duration string
	Channels, Services, Threats        []string
}

func factsViewOf(p printer, f domain.IncidentFacts, threatNames map[string]string) factsView {
	out := factsView{printer: p, IncidentFacts: f, Customers: p.Number(int(f.CustomersAffected)), Value: p.Number(int(f.ValueAffected)),
		Losses: p.Number(int(f.Losses)), Duration: p.T("%s hours", hoursOf(p, f.DurationHours))}
	for _, c := range f.Channels {
		out.Channels = append(out.Channels, p.ProviderChannelName(c))
	}
	for _, s := range f.Services {
		out.Services = append(out.Services, p.Name(s))
	}
	for _, t := range f.Threats {
		name := t
		if n, ok := threatNames[t]; ok {
			name = t + " · " + n
		}
		out.Threats = append(out.Threats, name)
	}
	return out
}

// hoursOf says a number of hours with the decimals it has, at most two.
func hoursOf(p printer, h float64) string {
	if h == float64(int64(h)) {
		return p.Decimal(h, 0)
	}
	return p.Decimal(h, 2)
}

// reportView is one filed report.
type reportView struct {
	domain.IncidentReport
	Filed   string
	Facts   factsView
	MajorBy []string
}

// incidentData is one incident's page.
type incidentData struct {
	Incident               domain.Incident
	Overdue                bool
	Clocks                 []clockView
	MajorBy                []string
	Facts                  factsView
	Reports                []reportView
	Requests               []infoRequestView
	Detected, Classified   string
	Reported, Closed, AsOf string
	CanUpdate, CanFinal    bool
	CanRequest, CanClose   bool
	Provider               bool // a provider user: the provider's side of the page
	Comment, CloseComment  string
}

// infoRequestView is one request for information.
type infoRequestView struct {
	domain.IncidentRequest
	Requested, Answered string
}

func (ui *UI) incident(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showIncident(w, r, v, r.PathValue("id"), nil, nil, http.StatusOK)
}

// showIncident renders one incident; sent, when not nil, holds the
// supervisor's comments as sent, beside their problems.
func (ui *UI) showIncident(w http.ResponseWriter, r *http.Request, v *visit, id string, sent *incidentData, problems []problem, status int) {
	ctx := r.Context()
	i, err := ui.app.Incident(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	threats, _, err := ui.app.Threats(ctx, v.actor, store.FrameworkRef{ID: domain.IncidentFramework}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	names := map[string]string{}
	for _, t := range threats {
		names[t.ID] = t.Name
	}
	d := incidentData{Incident: i, Overdue: i.Overdue(i.AsOf),
		Facts: factsViewOf(v.printer, i.Facts, names), Detected: v.Time(i.DetectedAt), Classified: v.Time(i.ClassifiedAt),
		Reported: v.Time(i.ReportedAt), AsOf: v.Time(i.AsOf), Provider: !ui.app.OffersEveryProvider(v.actor, "incident", "read")}
	if !i.ClosedAt.IsZero() {
		d.Closed = v.Time(i.ClosedAt)
	}
	for _, c := range i.Clocks() {
		d.Clocks = append(d.Clocks, clockViewOf(v.printer, c))
	}
	for _, c := range i.MajorBy {
		d.MajorBy = append(d.MajorBy, v.Name(c))
	}
	for k := len(i.Reports) - 1; k >= 0; k-- { // the latest first
		rep := i.Reports[k]
		rv := reportView{IncidentReport: rep, Filed: v.Time(rep.FiledAt),
			Facts: factsViewOf(v.printer, rep.Facts, names)}
		for _, c := range rep.MajorBy {
			rv.MajorBy = append(rv.MajorBy, v.Name(c))
		}
		d.Reports = append(d.Reports, rv)
	}
	for _, q := range i.Requests {
		rq := infoRequestView{IncidentRequest: q, Requested: v.Time(q.RequestedAt)}
		if !q.AnsweredAt.IsZero() {
			rq.Answered = v.Time(q.AnsweredAt)
		}
		d.Requests = append(d.Requests, rq)
	}
	for _, a := range ui.app.IncidentActions(v.actor, i) {
		switch a {
		case domain.IncidentUpdate:
			d.CanUpdate = true
		case domain.IncidentFileFinal:
			d.CanFinal = true
		case domain.IncidentRequestInformation:
			d.CanRequest = true
		case domain.IncidentClose:
			d.CanClose = true
		}
	}
	if sent != nil {
		d.Comment, d.CloseComment = sent.Comment, sent.CloseComment
	}
	p := ui.newPage(r, v, "Incident", d)
	p.Problems = problems
	p.Flash = incidentFlashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "incident.html", p)
}

// requestInformation files a supervisor's request for more information.
func (ui *UI) requestInformation(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &incidentData{Comment: r.PostFormValue("comment")}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := ui.app.RequestIncidentInformation(r.Context(), v.actor, id, sent.Comment, version)
	ui.afterIncident(w, r, v, id, sent, err, "requested", "comment")
}

// closeIncident closes an incident as a supervisor.
func (ui *UI) closeIncident(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := &incidentData{CloseComment: r.PostFormValue("comment")}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := ui.app.CloseIncident(r.Context(), v.actor, id, sent.CloseComment, version)
	ui.afterIncident(w, r, v, id, sent, err, "closed", "close-comment")
}

// afterIncident ends a supervisor's action: back to the incident with a
// message when it worked, the incident as it stands beside the problems
// when not.
func (ui *UI) afterIncident(w http.ResponseWriter, r *http.Request, v *visit, id string, sent *incidentData, err error, done, field string) {
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		problems := problemsOf(err, v.printer)
		for k := range problems {
			problems[k].Field = field
		}
		ui.showIncident(w, r, v, id, sent, problems, http.StatusUnprocessableEntity)
	case domain.EConflict, domain.EPrecondition:
		ui.showIncident(w, r, v, id, sent, []problem{{Message: v.T("The incident has moved on since the page was shown, so this cannot be done now. Here it is as it stands.")}},
			http.StatusConflict)
	default:
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/incidents/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
	}
}
