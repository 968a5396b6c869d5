package app

import (
	"context"
	"fmt"
	"strings"

	"assure/domain"
	"assure/store"
)

// The obligations calendar: every dated obligation the actor may read,
// within a window of days. Each kind of obligation comes from one source;
// the calendar asks them all and puts their entries in one order.

// CalendarQuery is what the calendar asks of every source.
type CalendarQuery struct {
	Window domain.CalendarWindow
	// ProviderID is the provider whose calendar this is, or "" for the
	// sector's (an actor confined to a provider always asks for theirs).
	ProviderID string
	Today      domain.Date // what is overdue is judged on this day
	Limit      int         // at most this many entries from one source
}

// CalendarPart is what one source gives: its entries in the window, the
// earliest first, and, when it held more than the limit, Cut, the day from
// which what it gave may lack some (its last day given). The calendar then
// lists only the days before the earliest cut of any source.
type CalendarPart struct {
	Entries []domain.CalendarEntry
	Cut     domain.Date
}

// CalendarSource is one kind of dated obligation on the calendar. It checks
// the actor's right to read its objects itself, and gives an actor who may
// not read them nothing rather than an error, so one calendar serves every
// role.
type CalendarSource func(ctx context.Context, actor domain.Actor, q CalendarQuery) (CalendarPart, error)

// calendarSources lists every kind of dated obligation the calendar shows:
// campaigns opening and due (a provider's own filing on its calendar),
// findings due, and the campaigns series will make. Incident report
// deadlines join this list as one more source, with a kind of their own in
// domain.CalendarKinds and their object's address in the faces.
func (a *App) calendarSources() []CalendarSource {
	return []CalendarSource{a.campaignDates, a.findingDates, a.seriesDates, a.incidentDates}
}

// Calendar is one calendar as the actor sees it.
type Calendar struct {
	Window     domain.CalendarWindow
	ProviderID string // "" for the sector's
	Today      domain.Date
	Entries    []domain.CalendarEntry
	// Through is the last day listed whole: the window's end, or earlier
	// when the window held more than domain.MaxCalendarEntries.
	Through   domain.Date
	Truncated bool
}

// CalendarWindow is the window from..to, either of which may be zero: from
// is then today, and to domain.DefaultCalendarDays days on. EInvalid when
// to comes before from or the window covers more than
// domain.MaxCalendarDays.
func (a *App) CalendarWindow(from, to domain.Date) (domain.CalendarWindow, error) {
	if from.IsZero() {
		from = a.today()
	}
	if to.IsZero() {
		to = from.AddDays(domain.DefaultCalendarDays - 1)
	}
	w, problems := domain.NewCalendarWindow(from, to)
	if len(problems) > 0 {
		return w, domain.Invalid("the calendar window is not valid", problems)
	}
	return w, nil
}

// Calendar returns the calendar of the window: the sector's (providerID
// "") or one provider's. Supervisors and auditors read the sector's and any
// provider's; provider users read their own provider's only, whatever they
// ask, and another provider's is ENotFound.
func (a *App) Calendar(ctx context.Context, actor domain.Actor, w domain.CalendarWindow, providerID string) (Calendar, error) {
	if err := a.permit(ctx, actor, "calendar", "read"); err != nil {
		return Calendar{}, err
	}
	if _, problems := domain.NewCalendarWindow(w.From, w.To); len(problems) > 0 {
		return Calendar{}, domain.Invalid("the calendar window is not valid", problems)
	}
	if providerID == "" && !actor.Scope().All() {
		providerID = actor.Scope().Provider()
	}
	if providerID != "" {
		if err := a.permitOn(ctx, actor, providerID, "calendar", "read", "provider"); err != nil {
			return Calendar{}, err
		}
		if _, err := a.db.Provider(ctx, actor, providerID); err != nil {
			return Calendar{}, err
		}
	}
	q := CalendarQuery{Window: w, ProviderID: providerID, Today: a.today(), Limit: domain.MaxCalendarEntries}
	var entries []domain.CalendarEntry
	var cuts []domain.Date
	for _, source := range a.calendarSources() {
		part, err := source(ctx, actor, q)
		if err != nil {
			return Calendar{}, err
		}
		entries = append(entries, part.Entries...)
		if !part.Cut.IsZero() {
			cuts = append(cuts, part.Cut)
		}
	}
	kept, through := domain.CutCalendar(w, entries, cuts)
	if len(kept) > domain.MaxCalendarEntries {
		// Several sources full at once: cut again at the last whole day.
		kept, through = domain.CutCalendar(w, kept, []domain.Date{kept[domain.MaxCalendarEntries].Day})
	}
	return Calendar{Window: w, ProviderID: providerID, Today: q.Today, Entries: kept, Through: through,
		Truncated: through.Before(w.To)}, nil
}

// campaignDates is the calendar's source of campaigns: on the sector's
// calendar each campaign opening and due, with late openings and overdue
// filings flagged; on a provider's, the campaigns it files in and its own
// filing's due date.
func (a *App) campaignDates(ctx context.Context, actor domain.Actor, q CalendarQuery) (CalendarPart, error) {
	if !a.Offers(actor, "campaign", "read") {
		return CalendarPart{}, nil
	}
	rows, more, err := a.db.CampaignDates(ctx, actor, store.CalendarFilter{Window: q.Window, ProviderID: q.ProviderID, Limit: q.Limit})
	if err != nil {
		return CalendarPart{}, err
	}
	var part CalendarPart
	for _, r := range rows {
		c := r.Campaign
		if q.Window.Contains(c.OpensAt) {
			part.Entries = append(part.Entries, domain.CalendarEntry{UID: "campaign-" + c.ID + "-opens",
				Kind: domain.CalendarCampaignOpens, Title: c.Name, Day: c.OpensAt, ObjectType: "campaign", ObjectID: c.ID,
				Status: string(c.Status), Done: c.Status != domain.CampaignDraft, Overdue: c.OpeningLate(q.Today)})
		}
		if !q.Window.Contains(c.DueAt) {
			continue
		}
		if r.AssessmentID == "" {
			part.Entries = append(part.Entries, domain.CalendarEntry{UID: "campaign-" + c.ID + "-due",
				Kind: domain.CalendarCampaignDue, Title: c.Name, Day: c.DueAt, ObjectType: "campaign", ObjectID: c.ID,
				Status: string(c.Status), Overdue: c.FilingsOverdue(q.Today, r.Unfiled),
				Done: c.Status == domain.CampaignClosed || (c.Status == domain.CampaignOpen && r.Unfiled == 0)})
			continue
		}
		filing := domain.Assessment{Status: r.AssessmentStatus, DueAt: c.DueAt}
		part.Entries = append(part.Entries, domain.CalendarEntry{UID: "assessment-" + r.AssessmentID + "-due",
			Kind: domain.CalendarCampaignDue, Title: c.Name, Day: c.DueAt, ProviderID: r.ProviderID,
			ProviderName: r.ProviderName, ObjectType: "assessment", ObjectID: r.AssessmentID,
			Status: string(r.AssessmentStatus), Overdue: filing.Overdue(q.Today), Done: !r.AssessmentStatus.Editable()})
	}
	if more && len(rows) > 0 {
		last := rows[len(rows)-1].Campaign
		part.Cut = last.DueAt
		if q.Window.Contains(last.OpensAt) {
			part.Cut = last.OpensAt
		}
	}
	return part, nil
}

// findingDates is the calendar's source of findings: each one's due date,
// overdue while it is not resolved after it.
func (a *App) findingDates(ctx context.Context, actor domain.Actor, q CalendarQuery) (CalendarPart, error) {
	if !a.Offers(actor, "finding", "read") {
		return CalendarPart{}, nil
	}
	list, more, err := a.db.FindingDates(ctx, actor, store.CalendarFilter{Window: q.Window, ProviderID: q.ProviderID, Limit: q.Limit})
	if err != nil {
		return CalendarPart{}, err
	}
	var part CalendarPart
	for _, f := range list {
		part.Entries = append(part.Entries, domain.CalendarEntry{UID: "finding-" + f.ID + "-due",
			Kind: domain.CalendarFindingDue, Title: f.Title, Day: f.DueAt, ProviderID: f.ProviderID,
			ProviderName: f.ProviderName, ObjectType: "finding", ObjectID: f.ID, Status: string(f.Status),
			Overdue: f.Overdue(q.Today), Done: f.Status.Closed()})
	}
	if more && len(list) > 0 {
		part.Cut = list[len(list)-1].DueAt
	}
	return part, nil
}

// seriesDates is the calendar's source of the campaigns active series will
// make: their opening and due dates, planned, on the sector's calendar
// only (whether a provider is in a future campaign's scope is known only
// when it is made).
func (a *App) seriesDates(ctx context.Context, actor domain.Actor, q CalendarQuery) (CalendarPart, error) {
	if q.ProviderID != "" || !actor.Scope().All() || !a.Offers(actor, "campaign_series", "read") {
		return CalendarPart{}, nil
	}
	list, err := store.All(func(p store.Page) ([]store.Series, string, error) {
		return a.db.CampaignSeriesList(ctx, actor, domain.SeriesActive, p)
	})
	if err != nil {
		return CalendarPart{}, err
	}
	var part CalendarPart
	for _, s := range list {
		for _, k := range s.Upcoming(q.Window, q.Today) {
			uid := fmt.Sprintf("series-%s-%d", s.ID, k)
			name := s.OccurrenceName(k)
			if opens := s.OpensOn(k); q.Window.Contains(opens) {
				part.Entries = append(part.Entries, domain.CalendarEntry{UID: uid + "-opens", Kind: domain.CalendarCampaignOpens,
					Title: name, Day: opens, ObjectType: "campaign_series", ObjectID: s.ID, Status: "planned", Planned: true})
			}
			if due := s.DueOn(k); q.Window.Contains(due) {
				part.Entries = append(part.Entries, domain.CalendarEntry{UID: uid + "-due", Kind: domain.CalendarCampaignDue,
					Title: name, Day: due, ObjectType: "campaign_series", ObjectID: s.ID, Status: "planned", Planned: true})
			}
		}
	}
	return part, nil
}

// FeedCalendar is what a calendar feed's address serves: its owner's
// calendar around today (domain.FeedWindow) and the language they chose.
type FeedCalendar struct {
	Calendar
	Language string
}

// FeedCalendar reads the calendar behind a feed's secret, as its owner
// sees it now: a provider user's provider's, a supervisor's sector. An
// unknown or revoked secret, a disabled owner and an owner who may no longer
// read a calendar are all ENotFound, alike.
func (a *App) FeedCalendar(ctx context.Context, secret string) (FeedCalendar, error) {
	r, err := a.db.CalendarFeedReader(ctx, secret)
	if err != nil {
		return FeedCalendar{}, err
	}
	actor := r.Actor
	if req := RequestFrom(ctx); req.ID != "" {
		actor.RequestID, actor.Address = req.ID, req.Address
	}
	if !a.Offers(actor, "calendar", "read") {
		return FeedCalendar{}, domain.Errorf(domain.ENotFound, "no such calendar")
	}
	cal, err := a.Calendar(ctx, actor, domain.FeedWindow(a.today()), "")
	switch domain.ErrorCodeOf(err) {
	case domain.EForbidden, domain.ENotFound:
		return FeedCalendar{}, domain.Errorf(domain.ENotFound, "no such calendar")
	}
	return FeedCalendar{Calendar: cal, Language: r.Language}, err
}

// FeedPath is the address, on Assure's site, of the calendar feed whose
// secret this is.
func FeedPath(secret string) string { return feedPrefix + secret + ".ics" }

const feedPrefix = "/calendar/"

// LoggablePath is path as a log may keep it: a calendar feed's address is
// its secret, so a log line names the feed but not which.
func LoggablePath(path string) string {
	if rest, ok := strings.CutPrefix(path, feedPrefix); ok && rest != "" {
		return feedPrefix + "(secret)"
	}
	return path
}

// CalendarFeed returns the actor's live calendar feed (never its secret),
// and false when they have none.
func (a *App) CalendarFeed(ctx context.Context, actor domain.Actor) (store.CalendarFeed, bool, error) {
	if err := a.permit(ctx, actor, "calendar_feed", "manage"); err != nil {
		return store.CalendarFeed{}, false, err
	}
	return a.db.CalendarFeed(ctx, actor)
}

// CreateCalendarFeed makes a new secret address for the actor's calendar,
// revoking the one they had, and returns its secret, once.
func (a *App) CreateCalendarFeed(ctx context.Context, actor domain.Actor) (string, store.CalendarFeed, error) {
	if err := a.permit(ctx, actor, "calendar_feed", "manage"); err != nil {
		return "", store.CalendarFeed{}, err
	}
	return a.db.CreateCalendarFeed(ctx, actor)
}

// RevokeCalendarFeed revokes the actor's calendar feed, if they have one.
func (a *App) RevokeCalendarFeed(ctx context.Context, actor domain.Actor) error {
	if err := a.permit(ctx, actor, "calendar_feed", "manage"); err != nil {
		return err
	}
	return a.db.RevokeCalendarFeed(ctx, actor)
}

// incidentDates is the calendar's source of incident reports: the deadline
// of each phase of the incidents the actor may read, at its hour.
func (a *App) incidentDates(ctx context.Context, actor domain.Actor, q CalendarQuery) (CalendarPart, error) {
	if !a.Offers(actor, "incident", "read") {
		return CalendarPart{}, nil
	}
	from := q.Window.From.Time()
	to := q.Window.To.AddDays(1).Time()
	clocks, complete, err := a.IncidentDeadlines(ctx, actor, q.ProviderID, from, to, q.Limit)
	if err != nil {
		return CalendarPart{}, err
	}
	var part CalendarPart
	if !complete.IsZero() {
		part.Cut = domain.DateOf(complete.UTC())
	}
	for i, c := range clocks {
		if q.Limit > 0 && i == q.Limit {
			if cut := domain.DateOf(clocks[i-1].Due.UTC()); part.Cut.IsZero() || cut.Before(part.Cut) {
				part.Cut = cut
			}
			break
		}
		due := c.Due.UTC()
		part.Entries = append(part.Entries, domain.CalendarEntry{UID: "incident-" + c.IncidentID + "-" + string(c.Phase),
			Kind: domain.CalendarIncidentReport, Title: c.Title, Day: domain.DateOf(due), At: &due, ProviderID: c.ProviderID,
			ProviderName: c.ProviderName, ObjectType: "incident", ObjectID: c.IncidentID, Status: string(c.Phase),
			Overdue: c.State == domain.ClockOverdue, Done: c.State == domain.ClockMet || c.State == domain.ClockLate ||
				c.State == domain.ClockStopped})
	}
	return part, nil
}
