package web

import (
	"net/http"
	"net/url"
	"strconv"

	"assure/domain"
	"assure/notices"
	"assure/store"
)

// notificationsPage is how many notifications one page of the centre shows.
const notificationsPage = 50

// notificationView is one notification as the centre shows it.
type notificationView struct {
	ID, Subject, Text string
	Page, Action      string // where it leads and what the link says
	When              string
	Unread            bool
}

// notificationsData is the notification centre.
type notificationsData struct {
	Items      []notificationView
	Next       string
	Unread     int
	OnlyUnread bool
}

// notifications shows the visitor's notification centre, newest first, in
// the visitor's language.
func (ui *UI) notifications(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	d := notificationsData{OnlyUnread: q.Get("unread") == "1"}
	list, next, err := ui.app.Notifications(r.Context(), v.actor, store.NotificationFilter{Unread: d.OnlyUnread},
		store.Page{Limit: notificationsPage, Cursor: q.Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if d.Unread, err = ui.app.UnreadNotifications(r.Context(), v.actor); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	for _, n := range list {
		words := notices.Say(v.Language(), n.Kind, n.Params, n.ObjectID)
		d.Items = append(d.Items, notificationView{ID: n.ID, Subject: words.Subject, Text: words.Text, Page: words.Page,
			Action: words.Action, When: v.Time(n.CreatedAt), Unread: n.ReadAt == nil})
	}
	if next != "" {
		keep := url.Values{"cursor": {next}}
		if d.OnlyUnread {
			keep.Set("unread", "1")
		}
		d.Next = "/notifications?" + keep.Encode()
	}
	p := ui.newPage(r, v, "Notifications", d)
	p.Flash = flashes[q.Get("done")]
	ui.render(w, r, http.StatusOK, "notifications.html", p)
}

// markNotificationsRead marks the notifications the form names read, or
// every one when it names none, and goes back to the centre.
func (ui *UI) markNotificationsRead(w http.ResponseWriter, r *http.Request, v *visit) {
	ids := r.PostForm["id"]
	if len(ids) > store.MaxLimit {
		ids = ids[:store.MaxLimit]
	}
	if _, err := ui.app.MarkNotificationsRead(r.Context(), v.actor, ids); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	back := "/notifications"
	if r.PostFormValue("unread") == "1" {
		back += "?unread=1"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// noticeLabels name each kind of notice on the preferences page.
var noticeLabels = map[domain.NoticeKind]struct{ Label string }{
	domain.NoticeCampaignOpened:   {Label: "A campaign opens for my provider"},
	domain.NoticeDueIn14Days:      {Label: "A self-assessment is due in two weeks"},
	domain.NoticeDueIn3Days:       {Label: "A self-assessment is due in three days"},
	domain.NoticeDueToday:         {Label: "A self-assessment is due today"},
	domain.NoticeOverdue:          {Label: "A self-assessment is overdue"},
	domain.NoticeOverdueEscalated: {Label: "A self-assessment is a week overdue (to the provider's administrators)"},
	domain.NoticeChangesRequested: {Label: "The supervisor asks for changes to a self-assessment"},
	domain.NoticeApproved:         {Label: "A self-assessment is approved"},
	domain.NoticeRejected:         {Label: "A self-assessment is rejected"},
	domain.NoticeFindingRaised:    {Label: "A finding is raised"},
	domain.NoticeFindingDue:       {Label: "A finding's remediation is due today"},
	domain.NoticeFindingOverdue:   {Label: "A finding's remediation is overdue"},
	domain.NoticeIncidentClock:    {Label: "An incident report is due within a day"},
	domain.NoticeIncidentOverdue:  {Label: "An incident report is overdue"},
	domain.NoticeSecondApproval:   {Label: "A filing waits for my second approval"},
}

// preferenceView is one kind of notice on the preferences page.
type preferenceView struct {
	domain.NoticePreference
	Label string
	ID    string // the form fields' stem
}

// preferencesData is the preferences page.
type preferencesData struct {
	Preferences []preferenceView
	MailOn      bool
}

// notificationPreferences shows, for each kind of notice the visitor's
// role receives, whether it shows in the centre and goes by e-mail.
func (ui *UI) notificationPreferences(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showPreferences(w, r, v, nil, http.StatusOK)
}

func (ui *UI) showPreferences(w http.ResponseWriter, r *http.Request, v *visit, problems []problem, status int) {
	list, err := ui.app.NotificationPreferences(r.Context(), v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := preferencesData{MailOn: ui.app.MailOn()}
	for i, pref := range list {
		label, ok := noticeLabels[pref.Kind]
		if !ok {
			continue // links to set a password are not a preference
		}
		d.Preferences = append(d.Preferences, preferenceView{NoticePreference: pref, Label: v.T(label.Label),
			ID: "pref-" + strconv.Itoa(i)})
	}
	p := ui.newPage(r, v, "Notification preferences", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "notification_preferences.html", p)
}

// saveNotificationPreferences records the choices of the form: a kind is
// on where its box is ticked. Kinds that cannot be turned off are not in
// the form and stay on.
func (ui *UI) saveNotificationPreferences(w http.ResponseWriter, r *http.Request, v *visit) {
	list, err := ui.app.NotificationPreferences(r.Context(), v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	inApp, email := map[string]bool{}, map[string]bool{}
	for _, k := range r.PostForm["in_app"] {
		inApp[k] = true
	}
	for _, k := range r.PostForm["email"] {
		email[k] = true
	}
	var prefs []domain.NoticePreference
	for _, p := range list {
		if p.Mandatory {
			continue
		}
		k := string(p.Kind)
		prefs = append(prefs, domain.NoticePreference{Kind: p.Kind, InApp: inApp[k], Email: email[k]})
	}
	if _, err := ui.app.SetNotificationPreferences(r.Context(), v.actor, prefs); err != nil {
		if domain.ErrorCodeOf(err) == domain.EInvalid {
			ui.showPreferences(w, r, v, problemsOf(err, v.printer), http.StatusUnprocessableEntity)
			return
		}
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/account/notifications?done=preferences_saved", http.StatusSeeOther)
}
