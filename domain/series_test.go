package domain

import (
	"slices"
	"strings"
	"testing"
)

func day(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddMonthsKeepsTheDayOrTheMonthsLast(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2027-01-31", 1, "2027-02-28"}, {"2028-01-31", 1, "2028-02-29"}, {"2027-01-31", 2, "2027-03-31"},
		{"2027-03-15", 12, "2028-03-15"}, {"2027-11-30", 3, "2028-02-29"}, {"2027-05-31", -1, "2027-04-30"},
	} {
		if got := day(t, c.from).AddMonths(c.n).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestSeriesOccurrences(t *testing.T) {
	s := CampaignSeries{Name: "Annual self-assessment", FrameworkID: "x1150", EveryMonths: 12, FirstOpensOn: day(t, "2028-02-29"),
		DueAfterDays: 60, LeadDays: 14, Status: SeriesActive}
	if got := s.OpensOn(1).String(); got != "2029-02-28" {
		t.Errorf("the second opening = %s", got)
	}
	if got := s.OpensOn(4).String(); got != "2032-02-29" {
		t.Errorf("a series begun on 29 February opens on it again in leap years: %s", got)
	}
	if got := s.OccurrenceName(1); got != "Annual self-assessment 2029" {
		t.Errorf("name = %q", got)
	}
	q := CampaignSeries{Name: "Quarterly return", EveryMonths: 3, FirstOpensOn: day(t, "2027-01-31"), DueAfterDays: 30, Status: SeriesActive}
	if got := q.OccurrenceName(1); got != "Quarterly return 2027-04" {
		t.Errorf("name = %q", got)
	}
	c := s.Campaign(1)
	if c.OpensAt.String() != "2029-02-28" || c.DueAt.String() != "2029-04-29" || c.Occurrence != 1 || len(c.Check()) > 0 {
		t.Errorf("campaign = %+v, problems %v", c, c.Check())
	}
}

// TestSeriesToCreate: the draft is due from its lead time on, once per
// occurrence; occurrences past their due date are passed over; a paused
// series makes nothing.
func TestSeriesToCreate(t *testing.T) {
	s := CampaignSeries{EveryMonths: 12, FirstOpensOn: day(t, "2027-03-01"), DueAfterDays: 60, LeadDays: 14, Status: SeriesActive}
	for _, c := range []struct {
		today string
		next  int
		want  int
		ok    bool
	}{
		{"2027-02-14", 0, 0, false}, {"2027-02-15", 0, 0, true}, {"2027-03-01", 0, 0, true},
		{"2027-04-30", 0, 0, true},                              // late, but not yet past due: made, and opened at once
		{"2027-05-01", 0, 0, false}, {"2028-02-16", 0, 1, true}, // the first passed over (2028 is a leap year)
		{"2027-03-01", 1, 0, false}, {"2028-02-15", 1, 0, false}, {"2028-02-16", 1, 1, true},
	} {
		s.NextOccurrence = c.next
		k, ok := s.ToCreate(day(t, c.today))
		if ok != c.ok || (ok && k != c.want) {
			t.Errorf("on %s with %d made: %d %v, want %d %v", c.today, c.next, k, ok, c.want, c.ok)
		}
	}
	s.Status, s.NextOccurrence = SeriesPaused, 0
	if _, ok := s.ToCreate(day(t, "2027-03-01")); ok {
		t.Error("a paused series makes a campaign")
	}
}

func TestSeriesUpcoming(t *testing.T) {
	s := CampaignSeries{EveryMonths: 6, FirstOpensOn: day(t, "2027-01-10"), DueAfterDays: 30, Status: SeriesActive, NextOccurrence: 1}
	w := CalendarWindow{From: day(t, "2027-01-01"), To: day(t, "2028-01-31")}
	if got := s.Upcoming(w, day(t, "2027-01-01")); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("upcoming = %v", got)
	}
	if got := s.Upcoming(w, day(t, "2027-08-10")); !slices.Equal(got, []int{2}) {
		t.Errorf("upcoming once the second is past due = %v", got)
	}
	if s.Next(day(t, "2027-08-10")) != 2 {
		t.Errorf("next = %d", s.Next(day(t, "2027-08-10")))
	}
}

func TestSeriesCheck(t *testing.T) {
	today := day(t, "2027-03-01")
	bad := CampaignSeries{Name: " ", EveryMonths: 2, FirstOpensOn: today.AddDays(-1), DueAfterDays: 0, LeadDays: 91,
		ProviderIDs: []string{"x"}, Kinds: []ProviderKind{KindBank}}
	var locations []string
	for _, p := range bad.Check(today) {
		locations = append(locations, p.Location)
	}
	for _, want := range []string{"body.name", "body.framework", "body.scope", "body.every_months", "body.first_opens_on",
		"body.due_after_days", "body.lead_days"} {
		if !slices.Contains(locations, want) {
			t.Errorf("no problem at %s: %v", want, locations)
		}
	}
	monthly := CampaignSeries{Name: "Monthly", FrameworkID: "x1150", EveryMonths: 1, FirstOpensOn: today, DueAfterDays: 20, LeadDays: 28}
	if ps := monthly.Check(today); len(ps) != 1 || ps[0].Location != "body.lead_days" {
		t.Errorf("a lead time as long as the period: %v", ps)
	}
	monthly.LeadDays = 7
	if ps := monthly.Check(today); len(ps) != 0 {
		t.Errorf("a good series: %v", ps)
	}
}

func TestCalendarWindowAndCut(t *testing.T) {
	from := day(t, "2027-01-01")
	if _, ps := NewCalendarWindow(from, from.AddDays(MaxCalendarDays-1)); len(ps) != 0 {
		t.Errorf("400 days: %v", ps)
	}
	if _, ps := NewCalendarWindow(from, from.AddDays(MaxCalendarDays)); len(ps) != 1 || ps[0].Location != "query.to" {
		t.Errorf("401 days: %v", ps)
	}
	if _, ps := NewCalendarWindow(from, from.AddDays(-1)); len(ps) != 1 {
		t.Errorf("backwards: %v", ps)
	}
	if m := MonthWindow(day(t, "2028-02-17")); m.From.String() != "2028-02-01" || m.To.String() != "2028-02-29" {
		t.Errorf("month = %v", m)
	}
	w := CalendarWindow{From: from, To: day(t, "2027-01-31")}
	e := func(d, uid string) CalendarEntry {
		return CalendarEntry{UID: uid, Day: day(t, d), Kind: CalendarFindingDue}
	}
	entries := []CalendarEntry{e("2027-01-20", "c"), e("2027-01-03", "b"), e("2027-01-03", "a"), e("2027-01-10", "d")}
	kept, through := CutCalendar(w, slices.Clone(entries), nil)
	if len(kept) != 4 || kept[0].UID != "a" || kept[3].UID != "c" || through != w.To {
		t.Errorf("uncut = %v through %s", kept, through)
	}
	kept, through = CutCalendar(w, slices.Clone(entries), []Date{day(t, "2027-01-10")})
	if len(kept) != 2 || through.String() != "2027-01-09" {
		t.Errorf("cut = %v through %s", kept, through)
	}
}

// TestSeriesCheckChange: an edit may keep a first opening that has passed,
// but a new schedule's next campaign may open neither before today nor
// before the latest campaign made; the change touches only the series.
func TestSeriesCheckChange(t *testing.T) {
	before := CampaignSeries{Name: "Annual", FrameworkID: "x1150", EveryMonths: 12, FirstOpensOn: day(t, "2026-03-01"),
		DueAfterDays: 60, LeadDays: 14, Status: SeriesActive, NextOccurrence: 1}
	today := day(t, "2026-12-06")
	name := "Annual self-assessment"
	if p := (SeriesChange{Name: &name}).Apply(before).CheckChange(before, today); len(p) > 0 {
		t.Errorf("renaming a series begun in the past: %v", p)
	}
	drafted := before
	drafted.FirstOpensOn = day(t, "2026-12-15") // occurrence 0 is made, a draft opening in nine days
	for _, c := range []struct {
		before CampaignSeries
		first  string
		every  int
		wanted string
	}{
		{before, "2026-03-01", 3, "before today"},                // occurrence 1 would open on 2026-06-01
		{before, "2025-01-01", 12, "before today"},               // on 2026-01-01
		{before, "2025-01-20", 1, "before today"},                // on 2025-02-20
		{before, "2027-06-01", 12, ""},                           // on 2028-06-01
		{before, "2026-12-01", 1, ""},                            // on 2027-01-01
		{drafted, "2026-11-10", 1, "before the latest one made"}, // on 2026-12-10
		{drafted, "2026-12-15", 1, ""},                           // on 2027-01-15
	} {
		first, every := day(t, c.first), c.every
		after := SeriesChange{FirstOpensOn: &first, EveryMonths: &every}.Apply(c.before)
		p := after.CheckChange(c.before, today)
		got := ""
		if len(p) > 0 {
			got = p[0].Location + ": " + p[0].Message
		}
		if (c.wanted == "") != (got == "") || !strings.Contains(got, c.wanted) || (got != "" && !strings.HasPrefix(got, "body.first_opens_on")) {
			t.Errorf("first %s every %d: %q, want %q", c.first, c.every, got, c.wanted)
		}
	}
	bad := 0
	if p := (SeriesChange{DueAfterDays: &bad}).Apply(before).CheckChange(before, today); len(p) != 1 || p[0].Location != "body.due_after_days" {
		t.Errorf("a due offset of 0: %v", p)
	}
}
