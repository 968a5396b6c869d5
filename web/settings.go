package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"assure/domain"
)

// settingsData is the settings page: the four-eyes rule, the roles that
// must use a second factor, and the session lifetimes the server runs with.
type settingsData struct {
	FourEyes      bool
	TOTPRoles     []choice
	PeerGroupings []choice // who a provider's peer benchmark compares it with
	Version       int
	Idle, Longest string
	CanChange     bool
}

// settings shows the regulator's settings to whoever may read them.
func (ui *UI) settings(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showSettings(w, r, v, nil, nil, http.StatusOK)
}

// showSettings renders the settings as stored, or, given sent, as the form
// sent them beside their problems.
func (ui *UI) showSettings(w http.ResponseWriter, r *http.Request, v *visit, sent *domain.Settings, problems []problem, status int) {
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
	p := ui.newPage(r, v, "Settings", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "settings.html", p)
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
	version, _ := strconv.Atoi(r.PostFormValue("version"))
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
		problems := problemsOf(err, v.printer)
		for i, p := range problems {
			problems[i] = problem{Field: "totp-roles", Message: v.T("Choose only roles from the list.")}
			if p.Field == "peer_grouping" {
				problems[i] = problem{Field: "peer-grouping", Message: v.T("Choose one of the peer groups listed.")}
			}
		}
		ui.showSettings(w, r, v, &s, problems, http.StatusUnprocessableEntity)
	default:
		ui.fail(w, r, v, err)
	}
}
