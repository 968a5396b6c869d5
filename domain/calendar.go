package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// CalendarKind says what a calendar entry is: which obligation falls on its
// day.
type CalendarKind string

// Calendar kinds, in the order entries of one day are listed.
const (
	CalendarCampaignOpens  CalendarKind = "campaign_opens"  // a campaign opens (or a series' next one will)
	CalendarCampaignDue    CalendarKind = "campaign_due"    // filings of a campaign are due
	CalendarFindingDue     CalendarKind = "finding_due"     // a finding's remediation is due
	CalendarIncidentReport CalendarKind = "incident_report" // a phase of an incident's report is due, at its hour
)

// CalendarKinds lists the kinds in the order one day lists them. A source
// of a new kind adds it here; a kind missing from the list comes last.
var CalendarKinds = []CalendarKind{CalendarIncidentReport, CalendarCampaignOpens, CalendarCampaignDue, CalendarFindingDue}

// CalendarEntry is one dated obligation as a calendar shows it.
type CalendarEntry struct {
	// UID names the entry the same way every time the calendar is made, so
	// a calendar application that subscribed updates it in place.
	UID   string
	Kind  CalendarKind
	Title string // the object's own name: the campaign's, the finding's
	Day   Date   // the day it falls on
	// At is the instant of a deadline that runs by the hour (an incident's
	// report, say); nil for an obligation due on a day.
	At           *time.Time
	ProviderID   string // the provider it binds; "" for the sector's
	ProviderName string
	ObjectType   string // what it is about, to link to: campaign, assessment, finding, campaign_series …
	ObjectID     string
	Status       string // the object's state
	Overdue      bool   // its day has passed and it is still owed
	Done         bool   // nothing is owed any more
	Planned      bool   // a campaign a series will make, not made yet
}

// Bounds of a calendar.
const (
	// MaxCalendarDays is the longest window one calendar covers.
	MaxCalendarDays = 400
	// DefaultCalendarDays is the window asked without an end.
	DefaultCalendarDays = 90
	// MaxCalendarEntries is the most entries one calendar lists; a
	// window holding more is cut at the last day listed whole.
	MaxCalendarEntries = 1000
	// FeedPastDays and FeedFutureDays are the window of a feed, around
	// the day it is read: recent deadlines stay visible while they are
	// dealt with, and the coming year is there to plan by.
	FeedPastDays   = 30
	FeedFutureDays = 365
)

// CalendarWindow is the days a calendar covers, From and To included.
type CalendarWindow struct {
	From, To Date
}

// NewCalendarWindow returns the window from..to, or its problems: To may
// not come before From, and the window covers at most MaxCalendarDays.
func NewCalendarWindow(from, to Date) (CalendarWindow, []Problem) {
	var problems []Problem
	if from.IsZero() {
		problems = append(problems, Problem{"query.from", "is required (YYYY-MM-DD)"})
	}
	if to.IsZero() {
		problems = append(problems, Problem{"query.to", "is required (YYYY-MM-DD)"})
	}
	if len(problems) > 0 {
		return CalendarWindow{}, problems
	}
	w := CalendarWindow{From: from, To: to}
	switch {
	case to.Before(from):
		problems = append(problems, Problem{"query.to", "must not be before from"})
	case w.Days() > MaxCalendarDays:
		problems = append(problems, Problem{"query.to", "the window covers at most 400 days"})
	}
	return w, problems
}

// MonthWindow is the month d falls in.
func MonthWindow(d Date) CalendarWindow {
	first := d.FirstOfMonth()
	return CalendarWindow{From: first, To: first.AddMonths(1).AddDays(-1)}
}

// FeedWindow is the window of a feed read on day today.
func FeedWindow(today Date) CalendarWindow {
	return CalendarWindow{From: today.AddDays(-FeedPastDays), To: today.AddDays(FeedFutureDays)}
}

// Days is the number of days the window covers.
func (w CalendarWindow) Days() int { return w.From.DaysUntil(w.To) + 1 }

// Contains reports whether day d lies in the window.
func (w CalendarWindow) Contains(d Date) bool { return !d.Before(w.From) && !d.After(w.To) }

func kindRank(k CalendarKind) int {
	if i := slices.Index(CalendarKinds, k); i >= 0 {
		return i
	}
	return len(CalendarKinds)
}

// CompareCalendarEntries orders entries by day, then instant (a day's
// all-day entries first), kind, provider, title and UID: the same order
// every time.
func CompareCalendarEntries(a, b CalendarEntry) int {
	if c := a.Day.Time().Compare(b.Day.Time()); c != 0 {
		return c
	}
	switch {
	case a.At == nil && b.At != nil:
		return -1
	case a.At != nil && b.At == nil:
		return 1
	case a.At != nil:
		if c := a.At.Compare(*b.At); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), cmp.Compare(a.Kind, b.Kind),
		strings.Compare(strings.ToLower(a.ProviderName), strings.ToLower(b.ProviderName)),
		strings.Compare(a.Title, b.Title), strings.Compare(a.UID, b.UID))
}

// CutCalendar bounds a calendar made of several sources' entries. Each
// source gave at most its limit of entries, the earliest first, and said
// whether it held more. When one did, its last day may be incomplete and
// what lies beyond is unknown: the entries are kept up to the day before the
// earliest such last day, and through says which day that is. Otherwise
// every entry is kept and through is the window's end.
func CutCalendar(w CalendarWindow, entries []CalendarEntry, cutAt []Date) (kept []CalendarEntry, through Date) {
	through = w.To
	for _, d := range cutAt {
		if d.AddDays(-1).Before(through) {
			through = d.AddDays(-1)
		}
	}
	slices.SortFunc(entries, CompareCalendarEntries)
	kept = entries[:0]
	for _, e := range entries {
		if !e.Day.After(through) {
			kept = append(kept, e)
		}
	}
	return kept, through
}
