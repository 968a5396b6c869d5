package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"assure/app"
	"assure/domain"
	"assure/ical"
	"assure/store"
)

// The calendar feed: the calendar a user subscribes to in a calendar
// application, at an address whose secret is all it needs, and the account
// page's part that makes, changes and revokes that address.

// feedRefresh is how often a calendar application is asked to read the
// feed again.
const feedRefresh = time.Hour

// calendarFeed serves /calendar/{secret}.ics without a session: the feed's
// owner's calendar as iCalendar, in their language. An address that names
// no live feed is a plain 404, whatever the reason.
func (ui *UI) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("feed"), ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	cal, err := ui.app.FeedCalendar(r.Context(), secret)
	if err != nil {
		switch domain.ErrorCodeOf(store.Unavailable(err)) {
		case domain.ENotFound:
			http.NotFound(w, r)
		case domain.EUnavailable:
			w.Header().Set("Retry-After", retryAfter)
			http.Error(w, "Assure is unavailable; try again shortly", http.StatusServiceUnavailable)
		default:
			ui.log.ErrorContext(r.Context(), "calendar feed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
		return
	}
	p := ui.text.printer(ui.text.choose(r, cal.Language))
	var b bytes.Buffer
	if err := feedOf(p, cal, origin(r), time.Now()).Write(&b); err != nil {
		ui.log.ErrorContext(r.Context(), "calendar feed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	// The address is a secret and the calendar confidential: no cache
	// keeps it, shared or private, and no search engine lists it.
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", `inline; filename="assure.ics"`)
	h.Set("X-Robots-Tag", "noindex, nofollow")
	w.Write(b.Bytes())
}

// feedOf is the calendar as iCalendar: one all-day event per entry (an
// event at its instant for a deadline that runs by the hour), its summary
// the kind and the object's name, overdue ones marked in words.
func feedOf(p printer, cal app.FeedCalendar, site string, now time.Time) ical.Calendar {
	c := ical.Calendar{ProdID: "-//Assure//Obligations calendar//EN", Name: p.T("Assure: obligations"), Refresh: feedRefresh}
	for _, e := range cal.Entries {
		kind := p.T(kindName(e.Kind))
		summary := p.T("%s: %s", kind, e.Title)
		if e.ProviderName != "" {
			summary = p.T("%s (%s)", summary, e.ProviderName)
		}
		categories := []string{kind}
		var about []string
		switch {
		case e.Overdue:
			summary = p.T("Overdue: %s", summary)
			categories = append(categories, p.T("Overdue"))
		case e.Planned:
			about = append(about, p.T("Planned: the campaign series makes this campaign ahead of its opening."))
		case e.Done:
			categories = append(categories, p.T("Done"))
		}
		if e.Status != "" && !e.Planned {
			about = append(about, p.T("Status: %s", p.Name(e.Status)))
		}
		ev := ical.Event{UID: e.UID + "@assure", Stamp: now, Start: e.Day.Time(), AllDay: e.At == nil,
			Summary: summary, Categories: categories}
		if e.At != nil {
			ev.Start = *e.At
		}
		if base, ok := calendarObjects[e.ObjectType]; ok {
			ev.URL = site + base + e.ObjectID
			about = append(about, ev.URL)
		}
		ev.Description = strings.Join(about, "\n")
		c.Events = append(c.Events, ev)
	}
	return c
}

// feedSection is the account page's part on the calendar feed.
type feedSection struct {
	Active   bool
	Created  string
	LastUsed string
	URL      string // the new address, on the answer that made it only
}

// accountFeed reads the visitor's feed for the account page; nil when they
// may keep none.
func (ui *UI) accountFeed(r *http.Request, v *visit) (*feedSection, error) {
	if !ui.app.Offers(v.actor, "calendar_feed", "manage") {
		return nil, nil
	}
	f, ok, err := ui.app.CalendarFeed(r.Context(), v.actor)
	if err != nil || !ok {
		return &feedSection{}, err
	}
	s := &feedSection{Active: true, Created: v.Time(f.CreatedAt)}
	if f.LastUsedAt != nil {
		s.LastUsed = v.Time(*f.LastUsedAt)
	}
	return s, nil
}

// createCalendarFeed makes a new feed address, revoking the visitor's
// former one, and shows it on this answer only.
func (ui *UI) createCalendarFeed(w http.ResponseWriter, r *http.Request, v *visit) {
	secret, _, err := ui.app.CreateCalendarFeed(r.Context(), v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.showAccount(w, r, v, origin(r)+app.FeedPath(secret), http.StatusCreated)
}

// revokeCalendarFeed revokes the visitor's feed.
func (ui *UI) revokeCalendarFeed(w http.ResponseWriter, r *http.Request, v *visit) {
	if err := ui.app.RevokeCalendarFeed(r.Context(), v.actor); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/account?done=feed_revoked#calendar-feed", http.StatusSeeOther)
}
