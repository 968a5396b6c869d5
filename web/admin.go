package web

import (
	"net/http"
	"time"

	"assure/store"
)

// adminHomeData is the administrator's start page: their tasks, with the
// counts that cost one small query each.
type adminHomeData struct {
	ActiveUsers, DisabledUsers int
	FourEyes                   bool
	TOTPRoles                  int
	Frameworks                 int
	MoreFrameworks             bool
	LiveTokens                 int
	CanUsers, CanPublish       bool
	WaitingRequests            int // identity requests waiting for a second administrator
}

// adminHome is the start page of who administers Assure: users, settings,
// catalogs and their own API tokens.
func (ui *UI) adminHome(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	var d adminHomeData
	var err error
	if d.CanUsers = ui.app.Offers(v.actor, "user", "read"); d.CanUsers {
		if d.ActiveUsers, d.DisabledUsers, err = ui.app.UserCounts(ctx, v.actor); err != nil {
			ui.fail(w, r, v, err)
			return
		}
		if d.WaitingRequests, err = ui.app.PendingIdentityRequestCount(ctx, v.actor); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	s, _, err := ui.app.Settings(ctx, v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d.FourEyes, d.TOTPRoles = s.FourEyes, len(s.TOTPRequiredRoles)
	if ui.app.Offers(v.actor, "catalog", "read") {
		list, next, err := ui.app.Frameworks(ctx, v.actor, store.Page{Limit: store.MaxLimit})
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		d.Frameworks, d.MoreFrameworks = len(list), next != ""
	}
	d.CanPublish = ui.app.Offers(v.actor, "catalog", "publish")
	tokens, _, err := ui.app.APITokens(ctx, v.actor, store.Page{Limit: store.MaxLimit})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	now := time.Now()
	for _, t := range tokens {
		if t.RevokedAt == nil && t.ExpiresAt.After(now) {
			d.LiveTokens++
		}
	}
	p := ui.newPage(r, v, "Home", d)
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "admin_home.html", p)
}
