package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"assure/domain"
)

// settingsData is the settings page: the four-eyes rule, the roles that
// must use a second factor, and the session lifetimes the server runs with.
type settingsData struct {
	FourEyes      bool
	TOTPRoles     []choice
	PeerGroupings []choice // who a provider's peer benchmark compares it with
	Deadlines     []deadlineFields
	Thresholds    thresholdFields
	Version       int
	Idle, Longest string
	CanChange     bool
}

// settings shows the regulator's settings to whoever may read them.
func (ui *UI) settings(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showSettings(w, r, v, nil, nil, http.StatusOK)
}

// sentIncidentFields holds the incident fields as the form sent them, to
// show them again beside their problems; none when the form had none.
func sentIncidentFields(r *http.Request) []settingsData {
	if !r.PostForm.Has("deadline-initial-classification") {
		return nil
	}
	var d settingsData
	for _, ph := range domain.IncidentPhases {
		d.Deadlines = append(d.Deadlines, deadlineFields{Phase: string(ph),
			AfterClassification: r.PostFormValue("deadline-" + string(ph) + "-classification"),
			AfterDetect:         r.PostFormValue("deadline-" + string(ph) + "-detection")})
	}
	d.Thresholds = thresholdFields{Customers: r.PostFormValue("threshold-customers_affected"),
		Duration: r.PostFormValue("threshold-duration_hours"), Value: r.PostFormValue("threshold-transaction_value"),
		Channels: r.PostFormValue("threshold-channels_affected"), Services: r.PostFormValue("threshold-services_affected"),
		DataBreach: r.PostFormValue("threshold-data_breach") == "on", CrossBorder: r.PostFormValue("threshold-cross_border") == "on"}
	return []settingsData{d}
}

// showSettings renders the settings as stored, or, given sent, as the form
// sent them beside their problems.
func (ui *UI) showSettings(w http.ResponseWriter, r *http.Request, v *visit, sent *domain.Settings, problems []problem, status int,
	sentIncident ...settingsData) {
	ctx := r.Context()
	s, version, err := ui.app.Settings(ctx, v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	life, err := ui.app.SessionLifetimes(ctx, v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if sent != nil {
		s = *sent
	}
	d := settingsData{FourEyes: s.FourEyes, Version: version, Idle: lifetime(v.printer, life.Idle),
		Longest: lifetime(v.printer, life.Absolute), CanChange: ui.app.Offers(v.actor, "settings", "update")}
	for _, role := range domain.Roles {
		d.TOTPRoles = append(d.TOTPRoles, choice{Value: string(role), Label: v.T(roleNames[role]), Checked: s.RequiresTOTP(role)})
	}
	for _, g := range domain.PeerGroupings {
		d.PeerGroupings = append(d.PeerGroupings, choice{Value: string(g), Label: peerGroupingName(v.printer, g), Checked: s.Peers() == g})
	}
	incidentFieldsOf(v.printer, s, &d)
	if len(sentIncident) > 0 {
		for k, f := range sentIncident[0].Deadlines {
			f.Name = d.Deadlines[k].Name
			d.Deadlines[k] = f
		}
		d.Thresholds = sentIncident[0].Thresholds
	}
	p := ui.newPage(r, v, "Settings", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "settings.html", p)
}

// deadlineFields are one phase's deadline as the form holds it.
type deadlineFields struct {
	Phase, Name                      string
	AfterClassification, AfterDetect string
}

// thresholdFields are the thresholds that make an incident major, as the
// form holds them.
type thresholdFields struct {
	Customers, Duration, Value, Channels, Services string
	DataBreach, CrossBorder                        bool
}

// hours shows a number of hours, empty for none.
func hours(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// incidentFieldsOf fills the settings page's incident fields.
func incidentFieldsOf(p printer, s domain.Settings, d *settingsData) {
	dl := s.Deadlines()
	for _, ph := range domain.IncidentPhases {
		r := dl.Rule(ph)
		d.Deadlines = append(d.Deadlines, deadlineFields{Phase: string(ph), Name: p.Name(ph),
			AfterClassification: hours(r.AfterClassificationHours), AfterDetect: hours(r.AfterDetectionHours)})
	}
	t := s.Thresholds()
	d.Thresholds = thresholdFields{Customers: strconv.FormatInt(t.CustomersAffected, 10),
		Duration: strconv.FormatFloat(t.DurationHours, 'f', -1, 64), Value: strconv.FormatInt(t.TransactionValue, 10),
		Channels: strconv.Itoa(t.ChannelsAffected), Services: strconv.Itoa(t.ServicesAffected), DataBreach: t.DataBreach,
		CrossBorder: t.CrossBorder}
}

// readIncidentSettings reads the incident deadlines and thresholds of the
// settings form; what is not a number is a problem beside its field.
func readIncidentSettings(r *http.Request, p printer) (domain.IncidentDeadlines, domain.IncidentThresholds, []problem) {
	var problems []problem
	number := func(field string) int64 {
		v := strings.TrimSpace(r.PostFormValue(field))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			problems = append(problems, problem{Field: field, Message: p.T("Give a whole number, or leave it empty for none.")})
		}
		return n
	}
	var dl domain.IncidentDeadlines
	for _, ph := range domain.IncidentPhases {
		rule := domain.DeadlineRule{AfterClassificationHours: int(number("deadline-" + string(ph) + "-classification")),
			AfterDetectionHours: int(number("deadline-" + string(ph) + "-detection"))}
		switch ph {
		case domain.PhaseInitial:
			dl.Initial = rule
		case domain.PhaseIntermediate:
			dl.Intermediate = rule
		default:
			dl.Final = rule
		}
	}
	t := domain.IncidentThresholds{CustomersAffected: number("threshold-customers_affected"),
		TransactionValue: number("threshold-transaction_value"), ChannelsAffected: int(number("threshold-channels_affected")),
		ServicesAffected: int(number("threshold-services_affected")), DataBreach: r.PostFormValue("threshold-data_breach") == "on",
		CrossBorder: r.PostFormValue("threshold-cross_border") == "on"}
	if v := strings.TrimSpace(r.PostFormValue("threshold-duration_hours")); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		if err != nil {
			problems = append(problems, problem{Field: "threshold-duration_hours", Message: p.T("Give the duration in hours, such as 2 or 2.5.")})
		}
		t.DurationHours = h
	}
	return dl, t, problems
}

// settingsField is the field of the settings form a problem's location
// points at.
func settingsField(location string) string {
	rest, ok := strings.CutPrefix(location, "body.incident_deadlines.")
	if ok {
		phase, anchor, _ := strings.Cut(rest, ".")
		if anchor == "after_detection_hours" {
			return "deadline-" + phase + "-detection"
		}
		return "deadline-" + phase + "-classification"
	}
	if rest, ok := strings.CutPrefix(location, "body.incident_thresholds."); ok {
		return "threshold-" + rest
	}
	if location == "body.peer_grouping" {
		return "peer-grouping"
	}
	return "totp-roles"
}

// peerGroupingName words a peer grouping of the settings page.
func peerGroupingName(p printer, g domain.PeerGrouping) string {
	switch g {
	case domain.GroupByKind:
		return p.T("Providers of the same kind, any tier")
	case domain.GroupByTier:
		return p.T("Providers of the same tier, any kind")
	}
	return p.T("Providers of the same kind and tier")
}

// lifetime says a duration in whole days, hours or minutes, whichever is
// exact.
func lifetime(p printer, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return p.T("%d days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return p.T("%d hours", int(d/time.Hour))
	}
	return p.T("%d minutes", int(d/time.Minute))
}

// saveSettings replaces the settings at the version the page showed.
func (ui *UI) saveSettings(w http.ResponseWriter, r *http.Request, v *visit) {
	s := domain.Settings{FourEyes: r.PostFormValue("four_eyes") == "on", TOTPRequiredRoles: []domain.Role{},
		PeerGrouping: domain.PeerGrouping(r.PostFormValue("peer_grouping"))}
	for _, role := range r.PostForm["totp_roles"] {
		if !slices.Contains(s.TOTPRequiredRoles, domain.Role(role)) {
			s.TOTPRequiredRoles = append(s.TOTPRequiredRoles, domain.Role(role))
		}
	}
	// A form without the incident fields (an older page) leaves them to their
	// defaults, as the API does when its body names none.
	var problems []problem
	if r.PostForm.Has("deadline-initial-classification") {
		var deadlines domain.IncidentDeadlines
		var thresholds domain.IncidentThresholds
		deadlines, thresholds, problems = readIncidentSettings(r, v.printer)
		s.IncidentDeadlines, s.IncidentThresholds = &deadlines, &thresholds
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if len(problems) > 0 {
		ui.showSettings(w, r, v, &s, problems, http.StatusUnprocessableEntity, sentIncidentFields(r)...)
		return
	}
	if version <= 0 {
		ui.fail(w, r, v, domain.Errorf(domain.EInvalid, "the form has no version; reload the page and try again"))
		return
	}
	_, err := ui.app.UpdateSettings(r.Context(), v.actor, s, version)
	if err == nil {
		http.Redirect(w, r, "/settings?done=settings_saved", http.StatusSeeOther)
		return
	}
	switch domain.ErrorCodeOf(err) {
	case domain.EPrecondition:
		ui.showSettings(w, r, v, nil, []problem{{Message: v.T(
			"Someone changed the settings since you opened the page. These are the settings as they are now; make your change again if it is still needed.")}},
			http.StatusConflict)
	case domain.EInvalid:
		e, _ := domain.AsError(err)
		var problems []problem
		for _, pr := range e.Problems {
			field := settingsField(pr.Location)
			switch field {
			case "totp-roles":
				problems = append(problems, problem{Field: field, Message: v.T("Choose only roles from the list.")})
			case "peer-grouping":
				problems = append(problems, problem{Field: field, Message: v.T("Choose one of the peer groups listed.")})
			default:
				problems = append(problems, problem{Field: field, Message: v.Say(pr.Message)})
			}
		}
		ui.showSettings(w, r, v, &s, problems, http.StatusUnprocessableEntity, sentIncidentFields(r)...)
	default:
		ui.fail(w, r, v, err)
	}
}
