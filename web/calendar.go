package web

import (
	"net/http"
	"net/url"
	"time"

	"assure/app"
	"assure/domain"
	txt "assure/texts"
)

// The calendar page: one month of the visitor's calendar as an agenda, the
// days that hold something each under a heading of their own, overdue
// entries flagged in words. Supervisors and auditors may narrow it to one
// provider; provider users see their own provider's.

// calendarKinds name the kinds of calendar entries, by kind. A source of a
// new kind adds its name here.
var calendarKinds = map[domain.CalendarKind]string{
	domain.CalendarCampaignOpens:  "Campaign opens",
	domain.CalendarCampaignDue:    "Filing due",
	domain.CalendarFindingDue:     "Finding due",
	domain.CalendarIncidentReport: "Incident report due",
}

// calendarObjects are the pages of the objects calendar entries are about,
// by object type: the entry's id follows.
var calendarObjects = map[string]string{
	"campaign":        "/campaigns/",
	"assessment":      "/assessments/",
	"finding":         "/findings/",
	"campaign_series": "/campaign-series/",
	"incident":        "/incidents/",
}

// weekdays are the days' English names, Sunday first as time.Weekday
// counts them: the keys of their translations.
var weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// calendarData is one month of the calendar.
type calendarData struct {
	Month      string // the month in words
	MonthValue string // YYYY-MM, for the month field
	Prev, Next string // the addresses of the months either side
	ThisMonth  string // the address of the current month, when another is shown
	Days       []calendarDay
	Entries    int
	Overdue    int
	Truncated  bool
	Through    string
	// ProviderID narrows a sector viewer's calendar; Providers are those
	// to choose from (none for provider users, whose calendar is theirs).
	ProviderID string
	Providers  providerChoice
	Sector     bool
	CanFeed    bool
}

// calendarDay is one day that holds entries.
type calendarDay struct {
	ISO     string // YYYY-MM-DD
	Label   string // the day in words, with its weekday
	Today   bool
	Past    bool
	Entries []calendarItem
}

// calendarItem is one entry as the page shows it.
type calendarItem struct {
	domain.CalendarEntry
	KindName string
	Href     string
	Time     string // the instant of a deadline that runs by the hour, in words
	TimeISO  string // and in RFC 3339, UTC
}

// calendarPage shows the month the address names (?month=YYYY-MM), the
// current one by default.
func (ui *UI) calendarPage(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	today := ui.app.Today()
	month := today.FirstOfMonth()
	if m, err := time.Parse("2006-01", q.Get("month")); err == nil && m.Year() >= 2000 && m.Year() <= 2200 {
		month = domain.DateOf(m)
	}
	d := calendarData{Sector: v.actor.Scope().All(), ProviderID: q.Get("provider"),
		CanFeed: ui.app.Offers(v.actor, "calendar_feed", "manage")}
	if !d.Sector {
		d.ProviderID = ""
	}
	cal, err := ui.app.Calendar(r.Context(), v.actor, domain.MonthWindow(month), d.ProviderID)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if d.Sector {
		if d.Providers, err = ui.providerChoices(r.Context(), v, "", d.ProviderID); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	t := month.Time()
	d.Month = v.T("%s %d", v.T(txt.Months[t.Month()-1]), t.Year())
	d.MonthValue = t.Format("2006-01")
	link := func(m domain.Date) string {
		u := url.Values{"month": {m.Time().Format("2006-01")}}
		if d.ProviderID != "" {
			u.Set("provider", d.ProviderID)
		}
		return "/calendar?" + u.Encode()
	}
	d.Prev, d.Next = link(month.AddMonths(-1)), link(month.AddMonths(1))
	if month != today.FirstOfMonth() {
		d.ThisMonth = link(today)
	}
	d.Days, d.Entries, d.Overdue = agenda(v, cal, today)
	if cal.Truncated {
		d.Truncated, d.Through = true, v.Date(cal.Through)
	}
	ui.render(w, r, http.StatusOK, "calendar.html", ui.newPage(r, v, "Calendar", d))
}

// agenda groups a calendar's entries by day, in its order, and counts them
// and the overdue ones.
func agenda(v *visit, cal app.Calendar, today domain.Date) (days []calendarDay, entries, overdue int) {
	for _, e := range cal.Entries {
		if len(days) == 0 || days[len(days)-1].ISO != e.Day.String() {
			t := e.Day.Time()
			days = append(days, calendarDay{ISO: e.Day.String(), Today: e.Day == today, Past: e.Day.Before(today),
				Label: v.T("%s %s", v.T(weekdays[t.Weekday()]), v.Date(e.Day))})
		}
		item := calendarItem{CalendarEntry: e, KindName: v.T(kindName(e.Kind))}
		if e.At != nil {
			item.Time, item.TimeISO = v.Time(*e.At), e.At.UTC().Format(time.RFC3339)
		}
		if base, ok := calendarObjects[e.ObjectType]; ok {
			item.Href = base + url.PathEscape(e.ObjectID)
		}
		day := &days[len(days)-1]
		day.Entries = append(day.Entries, item)
		entries++
		if e.Overdue {
			overdue++
		}
	}
	return days, entries, overdue
}

// kindName is the English name of a kind, its key in the catalogs.
func kindName(k domain.CalendarKind) string {
	if n, ok := calendarKinds[k]; ok {
		return n
	}
	return string(k)
}
