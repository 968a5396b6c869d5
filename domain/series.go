package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SeriesStatus says whether a campaign series still makes campaigns.
type SeriesStatus string

// Series states: an active series makes and opens its campaigns on their
// days; a paused one makes none until it is resumed.
const (
	SeriesActive SeriesStatus = "active"
	SeriesPaused SeriesStatus = "paused"
)

// SeriesPeriods are the intervals, in months, a series may recur at:
// monthly, quarterly, half-yearly and yearly.
var SeriesPeriods = []int{1, 3, 6, 12}

// Bounds of a campaign series.
const (
	MaxSeriesName     = 180 // the occurrence's date is added to make its campaign's name
	MaxSeriesDueDays  = 366
	MaxSeriesLeadDays = 90
	// DefaultSeriesLeadDays is how long before its opening an occurrence's
	// draft is made when the series does not say: time for supervisors
	// to read it over.
	DefaultSeriesLeadDays = 14
)

// CampaignSeries is a campaign that recurs: every EveryMonths months from
// FirstOpensOn, a campaign over the same framework and scope, due
// DueAfterDays after it opens. Occurrence 0 opens on FirstOpensOn.
type CampaignSeries struct {
	ID               string
	Name             string
	FrameworkID      string
	FrameworkVersion string // "" takes the latest version published when each campaign is made
	Level            string
	ProviderIDs      []string
	Kinds            []ProviderKind
	Tiers            []int
	Instructions     string
	EveryMonths      int
	FirstOpensOn     Date
	DueAfterDays     int
	LeadDays         int // the draft of an occurrence is made this many days before it opens
	Status           SeriesStatus
	// NextOccurrence is the first occurrence not yet made: one more than
	// the latest made, 0 before any.
	NextOccurrence int
	Campaigns      int // campaigns the series has made
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// Check returns the problems of a new series, made on day today: its first
// campaign may not open before today.
func (s CampaignSeries) Check(today Date) []Problem { return s.fieldProblems(today) }

// fieldProblems returns the problems of the series' fields, each on its
// own; a first opening before notBefore, when it is not zero, is one.
func (s CampaignSeries) fieldProblems(notBefore Date) []Problem {
	var problems []Problem
	add := func(loc, format string, args ...any) {
		problems = append(problems, Problem{loc, fmt.Sprintf(format, args...)})
	}
	if n := len(strings.TrimSpace(s.Name)); n == 0 || n > MaxSeriesName {
		add("body.name", "must be 1 to %d characters", MaxSeriesName)
	}
	if s.FrameworkID == "" {
		add("body.framework", "is required")
	}
	problems = append(problems, scopeProblems(s.ProviderIDs, s.Kinds, s.Tiers)...)
	if !slices.Contains(SeriesPeriods, s.EveryMonths) {
		add("body.every_months", "must be 1, 3, 6 or 12")
	}
	switch {
	case s.FirstOpensOn.IsZero():
		add("body.first_opens_on", "is required (YYYY-MM-DD)")
	case !notBefore.IsZero() && s.FirstOpensOn.Before(notBefore):
		add("body.first_opens_on", "must be today or later")
	}
	if s.DueAfterDays < 1 || s.DueAfterDays > MaxSeriesDueDays {
		add("body.due_after_days", "must be 1 to %d days", MaxSeriesDueDays)
	}
	switch {
	case s.LeadDays < 0 || s.LeadDays > MaxSeriesLeadDays:
		add("body.lead_days", "must be 0 to %d days", MaxSeriesLeadDays)
	case slices.Contains(SeriesPeriods, s.EveryMonths) && s.LeadDays >= 28*s.EveryMonths:
		add("body.lead_days", "must be shorter than the time between two campaigns")
	}
	if len(s.Instructions) > 20000 {
		add("body.instructions", "must be at most 20000 characters")
	}
	return problems
}

// SeriesChange is an edit of a series: each field given replaces the
// series' own, and a nil one leaves it. Scope, when given, replaces the
// providers chosen and the kinds and tiers together. The framework stays:
// a series over another framework is another series.
type SeriesChange struct {
	Name         *string
	Instructions *string
	EveryMonths  *int
	FirstOpensOn *Date
	DueAfterDays *int
	LeadDays     *int
	Scope        *SeriesScope
}

// SeriesScope is the providers a series' campaigns cover: those chosen, or
// those of the kinds and tiers (empty lists: any).
type SeriesScope struct {
	ProviderIDs []string
	Kinds       []ProviderKind
	Tiers       []int
}

// Apply returns s with the change made. Only the series changes: its
// campaigns already made, drafts included, stay as they were made, and the
// change shapes the campaigns made from its next occurrence on.
func (c SeriesChange) Apply(s CampaignSeries) CampaignSeries {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	if c.Name != nil {
		s.Name = strings.TrimSpace(*c.Name)
	}
	if c.Instructions != nil {
		s.Instructions = *c.Instructions
	}
	set(&s.EveryMonths, c.EveryMonths)
	set(&s.DueAfterDays, c.DueAfterDays)
	set(&s.LeadDays, c.LeadDays)
	if c.FirstOpensOn != nil {
		s.FirstOpensOn = *c.FirstOpensOn
	}
	if c.Scope != nil {
		s.ProviderIDs, s.Kinds, s.Tiers = c.Scope.ProviderIDs, c.Scope.Kinds, c.Scope.Tiers
	}
	return s
}

// CheckChange returns the problems of before changed into s on day today:
// the fields as a new series' are checked, except that the first opening
// may have passed. When the schedule changes (the first opening or the
// period), the next occurrence still to be made must open today or later
// and after the latest campaign the series made, so the new schedule
// neither makes a campaign already late nor one before those it made.
func (s CampaignSeries) CheckChange(before CampaignSeries, today Date) []Problem {
	problems := s.fieldProblems(Date{})
	if len(problems) > 0 || (s.FirstOpensOn == before.FirstOpensOn && s.EveryMonths == before.EveryMonths) {
		return problems
	}
	k := before.NextOccurrence
	switch next := s.OpensOn(k); {
	case next.Before(today):
		problems = append(problems, Problem{"body.first_opens_on",
			"the next campaign would open before today: choose a later day or another interval"})
	case k > 0 && !next.After(before.OpensOn(k-1)):
		problems = append(problems, Problem{"body.first_opens_on",
			"the next campaign would open before the latest one made: choose a later day or another interval"})
	}
	return problems
}

// OpensOn is the day occurrence k opens: k periods after the first, on the
// same day of the month or the month's last day when it is shorter.
// Counting from the first each time keeps a series begun on the 31st on
// the last day of every month rather than drifting to the 28th.
func (s CampaignSeries) OpensOn(k int) Date { return s.FirstOpensOn.AddMonths(k * s.EveryMonths) }

// DueOn is the day occurrence k is due.
func (s CampaignSeries) DueOn(k int) Date { return s.OpensOn(k).AddDays(s.DueAfterDays) }

// MadeOn is the day the draft of occurrence k is made.
func (s CampaignSeries) MadeOn(k int) Date { return s.OpensOn(k).AddDays(-s.LeadDays) }

// OccurrenceName is the name of occurrence k's campaign: the series' name
// and its year, or its year and month for a series that recurs within a
// year.
func (s CampaignSeries) OccurrenceName(k int) string {
	opens := s.OpensOn(k).Time()
	if s.EveryMonths == 12 {
		return fmt.Sprintf("%s %d", strings.TrimSpace(s.Name), opens.Year())
	}
	return fmt.Sprintf("%s %s", strings.TrimSpace(s.Name), opens.Format("2006-01"))
}

// Campaign is the draft campaign of occurrence k.
func (s CampaignSeries) Campaign(k int) Campaign {
	return Campaign{Name: s.OccurrenceName(k), FrameworkID: s.FrameworkID, FrameworkVersion: s.FrameworkVersion,
		Level: s.Level, ProviderIDs: s.ProviderIDs, Kinds: s.Kinds, Tiers: s.Tiers, OpensAt: s.OpensOn(k),
		DueAt: s.DueOn(k), Instructions: s.Instructions, SeriesID: s.ID, Occurrence: k}
}

// maxSkipped bounds how many occurrences ToCreate passes over: a monthly
// series paused for eighty years.
const maxSkipped = 1000

// ToCreate returns the occurrence whose campaign is to be made on day
// today, if any: the next one, once its lead time has begun. Occurrences
// already past their due date are passed over, so a series paused for a
// while, or a server down on the day, never makes a campaign that is late
// before it opens; one made late but still before its due date opens at
// once. A paused series makes nothing.
func (s CampaignSeries) ToCreate(today Date) (int, bool) {
	if s.Status != SeriesActive || !slices.Contains(SeriesPeriods, s.EveryMonths) {
		return 0, false
	}
	k := s.NextOccurrence
	for n := 0; s.DueOn(k).Before(today); n++ {
		if n == maxSkipped {
			return 0, false
		}
		k++
	}
	if today.Before(s.MadeOn(k)) {
		return 0, false
	}
	return k, true
}

// Next is the occurrence the series will make next, seen on day today: the
// first not yet made that ToCreate would not pass over.
func (s CampaignSeries) Next(today Date) int {
	k := s.NextOccurrence
	for n := 0; n < maxSkipped && s.DueOn(k).Before(today); n++ {
		k++
	}
	return k
}

// Upcoming lists the occurrences still to be made, seen on day today, whose
// opening or due date falls in w: what the calendar shows of the series
// ahead of its campaigns. Those ToCreate would pass over are left out, and a
// paused series has none.
func (s CampaignSeries) Upcoming(w CalendarWindow, today Date) []int {
	if s.Status != SeriesActive || !slices.Contains(SeriesPeriods, s.EveryMonths) {
		return nil
	}
	var out []int
	for k := s.NextOccurrence; k < s.NextOccurrence+maxSkipped; k++ {
		if s.OpensOn(k).After(w.To) {
			break
		}
		if s.DueOn(k).Before(today) {
			continue
		}
		if w.Contains(s.OpensOn(k)) || w.Contains(s.DueOn(k)) {
			out = append(out, k)
		}
	}
	return out
}

// SeriesActions lists what can happen to a series in state st.
func SeriesActions(st SeriesStatus) []string {
	switch st {
	case SeriesActive:
		return []string{"pause"}
	case SeriesPaused:
		return []string{"resume"}
	}
	return nil
}
