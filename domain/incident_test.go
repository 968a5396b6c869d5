package domain

import (
	"slices"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDefaultDeadlinesByHand works the default deadlines out by hand. An
// incident detected at 08:00 and classified at 10:00 on 3 March: the initial
// report is due at 14:00 (4 hours after classification, before 08:00 the
// next day); intermediate 72 hours after classification, 6 March 10:00;
// final 30 days after it, 2 April 10:00. Classified 22 hours after
// detection, the 24-hour cap wins: due 08:00 the next day, not 10:00.
func TestDefaultDeadlinesByHand(t *testing.T) {
	d := DefaultIncidentDeadlines.For(at("2027-03-03T08:00:00Z"), at("2027-03-03T10:00:00Z"))
	want := []string{"2027-03-03T14:00:00Z", "2027-03-06T10:00:00Z", "2027-04-02T10:00:00Z"}
	for i, p := range IncidentPhases {
		if d[i].Phase != p || !d[i].Due.Equal(at(want[i])) || !d[i].FiledAt.IsZero() {
			t.Errorf("%s: %+v, want due %s", p, d[i], want[i])
		}
	}
	late := DefaultIncidentDeadlines.For(at("2027-03-03T08:00:00Z"), at("2027-03-04T06:00:00Z"))
	if !late[0].Due.Equal(at("2027-03-04T08:00:00Z")) {
		t.Errorf("classified 22 hours after detection: initial due %v, want 24 hours after detection", late[0].Due)
	}
	// Exactly at the crossing (classified 20 hours after detection) both
	// anchors give the same instant.
	edge := DefaultIncidentDeadlines.For(at("2027-03-03T08:00:00Z"), at("2027-03-04T04:00:00Z"))
	if !edge[0].Due.Equal(at("2027-03-04T08:00:00Z")) {
		t.Errorf("at the crossing: %v", edge[0].Due)
	}
	// One anchor alone.
	r := DeadlineRule{AfterDetectionHours: 2}
	if got := r.Due(at("2027-03-03T08:00:00Z"), at("2027-03-03T09:00:00Z")); !got.Equal(at("2027-03-03T10:00:00Z")) {
		t.Errorf("detection only: %v", got)
	}
}

func TestDeadlineSettingsCheck(t *testing.T) {
	if p := DefaultIncidentDeadlines.Check(); len(p) != 0 {
		t.Errorf("defaults: %v", p)
	}
	bad := DefaultIncidentDeadlines
	bad.Intermediate = DeadlineRule{}
	bad.Final.AfterDetectionHours = MaxDeadlineHours + 1
	got := locations(bad.Check())
	if !slices.Equal(got, []string{"body.incident_deadlines.intermediate", "body.incident_deadlines.final.after_detection_hours"}) {
		t.Errorf("problems at %v", got)
	}
	out := DefaultIncidentDeadlines
	out.Intermediate = DeadlineRule{AfterClassificationHours: 3} // before the initial's 4 hours
	if got := locations(out.Check()); !slices.Equal(got, []string{"body.incident_deadlines.intermediate"}) {
		t.Errorf("out of order: %v", got)
	}
	same := DefaultIncidentDeadlines
	same.Intermediate = DeadlineRule{AfterClassificationHours: 4} // due with the initial: allowed
	if p := same.Check(); len(p) != 0 {
		t.Errorf("equal deadlines: %v", p)
	}
	s := Settings{IncidentThresholds: &IncidentThresholds{ChannelsAffected: len(Channels) + 1, DurationHours: -1}}
	if got := locations(s.Check()); !slices.Equal(got, []string{"body.incident_thresholds.duration_hours",
		"body.incident_thresholds.channels_affected"}) {
		t.Errorf("thresholds: %v", got)
	}
	if d := (Settings{}).WithDefaults(); *d.IncidentDeadlines != DefaultIncidentDeadlines ||
		*d.IncidentThresholds != DefaultIncidentThresholds || d.PeerGrouping != DefaultPeerGrouping {
		t.Errorf("defaults: %+v", d)
	}
}

func locations(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Location)
	}
	return out
}

// TestClassificationAtTheThresholds: each criterion one below its default
// threshold leaves the incident minor; exactly at it, the criterion is met.
func TestClassificationAtTheThresholds(t *testing.T) {
	th := DefaultIncidentThresholds
	below := IncidentFacts{CustomersAffected: 9999, DurationHours: 3.99, ValueAffected: 9_999_999,
		Channels: []string{ChannelUSSD}, Services: []string{ServiceTransfers}}
	if got := Classify(below, th); len(got) != 0 {
		t.Fatalf("just below every threshold: %v", got)
	}
	cases := []struct {
		name string
		move func(*IncidentFacts)
		want IncidentCriterion
	}{
		{"customers", func(f *IncidentFacts) { f.CustomersAffected = 10000 }, CriterionCustomers},
		{"duration", func(f *IncidentFacts) { f.DurationHours = 4 }, CriterionDuration},
		{"value", func(f *IncidentFacts) { f.ValueAffected = 10_000_000 }, CriterionValue},
		{"data breach", func(f *IncidentFacts) { f.DataBreach = true }, CriterionDataBreach},
		{"channels", func(f *IncidentFacts) { f.Channels = []string{ChannelUSSD, ChannelApp} }, CriterionChannels},
		{"services", func(f *IncidentFacts) { f.Services = []string{ServiceTransfers, ServiceCashInOut} }, CriterionServices},
		{"cross border", func(f *IncidentFacts) { f.CrossBorder = true }, CriterionCrossBorder},
	}
	for _, c := range cases {
		f := below
		c.move(&f)
		if got := Classify(f, th); !slices.Equal(got, []IncidentCriterion{c.want}) {
			t.Errorf("%s at its threshold: %v, want [%s]", c.name, got, c.want)
		}
	}
	all := IncidentFacts{CustomersAffected: 1 << 40, DurationHours: 100, ValueAffected: 1 << 40, DataBreach: true,
		Channels: Channels, Services: IncidentServices, CrossBorder: true}
	if got := Classify(all, th); !slices.Equal(got, IncidentCriteria) {
		t.Errorf("everything: %v", got)
	}
	// A criterion left out (zero, or no) never makes an incident major.
	if got := Classify(all, IncidentThresholds{}); len(got) != 0 {
		t.Errorf("no criterion in use: %v", got)
	}
}

func TestCheckNewIncident(t *testing.T) {
	now := at("2027-03-03T12:00:00Z")
	known := func(id string) bool { return id == "T1" || id == "T10" }
	ok := NewIncident{Title: "SIM-swap wave", DetectedAt: now.Add(-2 * time.Hour), ClassifiedAt: now.Add(-time.Hour),
		Facts: IncidentFacts{Description: "Fraudulent SIM swaps.", Threats: []string{"T10"}, Channels: []string{ChannelUSSD}}}
	if p := CheckNewIncident(ok, now, known); len(p) != 0 {
		t.Fatalf("a good report: %v", p)
	}
	edge := ok
	edge.DetectedAt, edge.ClassifiedAt = now, now // both at the instant of reporting: allowed
	if p := CheckNewIncident(edge, now, known); len(p) != 0 {
		t.Errorf("at now: %v", p)
	}
	bad := ok
	bad.Title, bad.ClassifiedAt = " ", bad.DetectedAt.Add(-time.Second)
	bad.Facts.Threats = []string{"T99", "T10", "T10"}
	bad.Facts.Channels = []string{"pigeon"}
	bad.Facts.CustomersAffected = -1
	got := locations(CheckNewIncident(bad, now, known))
	want := []string{"body.title", "body.classified_at", "body.customers_affected", "body.channels[0]", "body.threats[0]", "body.threats[2]"}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %v, want %v", got, want)
	}
	future := ok
	future.DetectedAt, future.ClassifiedAt = now.Add(time.Second), now.Add(time.Second)
	if got := locations(CheckNewIncident(future, now, known)); !slices.Equal(got, []string{"body.detected_at", "body.classified_at"}) {
		t.Errorf("in the future: %v", got)
	}
	final := CheckIncidentFacts(IncidentFacts{Description: "x"}, PhaseFinal, known)
	if got := locations(final); !slices.Equal(got, []string{"body.threats", "body.root_cause", "body.recovery"}) {
		t.Errorf("an empty final report: %v", got)
	}
}

// TestClocksByHand reads the clocks of an incident classified at 10:00 on 3
// March under the default deadlines, its initial report filed at 13:00.
func TestClocksByHand(t *testing.T) {
	i := Incident{Status: IncidentOpen,
		Deadlines: FileReport(DefaultIncidentDeadlines.For(at("2027-03-03T08:00:00Z"), at("2027-03-03T10:00:00Z")),
			PhaseInitial, at("2027-03-03T13:00:00Z"))}
	read := func(now string) []PhaseClock { return i.ClocksAt(at(now)) }

	c := read("2027-03-04T10:00:00Z")
	if c[0].State != ClockMet || c[0].Left != time.Hour {
		t.Errorf("initial filed an hour early: %+v", c[0])
	}
	if c[1].State != ClockRunning || c[1].Left != 48*time.Hour || c[2].State != ClockRunning {
		t.Errorf("a day after classification: %+v", c[1:])
	}
	// At the very instant of the deadline the clock still runs, with nothing left.
	if c := read("2027-03-06T10:00:00Z"); c[1].State != ClockRunning || c[1].Left != 0 || i.Overdue(at("2027-03-06T10:00:00Z")) {
		t.Errorf("at the deadline: %+v", c[1])
	}
	// A second later it is overdue.
	if c := read("2027-03-06T10:00:01Z"); c[1].State != ClockOverdue || c[1].Left != -time.Second || !i.Overdue(at("2027-03-06T10:00:01Z")) {
		t.Errorf("a second past the deadline: %+v", c[1])
	}
	if due, ok := i.NextDue(); !ok || !due.Equal(at("2027-03-06T10:00:00Z")) {
		t.Errorf("next due %v %v", due, ok)
	}

	// Filed at the deadline: on time. Filed a minute after: late by a minute.
	onTime := i
	onTime.Deadlines = FileReport(i.Deadlines, PhaseIntermediate, at("2027-03-06T10:00:00Z"))
	if c := onTime.ClocksAt(at("2027-03-10T00:00:00Z")); c[1].State != ClockMet || c[1].Left != 0 {
		t.Errorf("filed at the deadline: %+v", c[1])
	}
	late := i
	late.Deadlines = FileReport(i.Deadlines, PhaseIntermediate, at("2027-03-06T10:01:00Z"))
	if c := late.ClocksAt(at("2027-03-10T00:00:00Z")); c[1].State != ClockLate || c[1].Left != -time.Minute {
		t.Errorf("filed a minute late: %+v", c[1])
	}
	if due, _ := late.NextDue(); !due.Equal(at("2027-04-02T10:00:00Z")) {
		t.Errorf("after the intermediate, the final is next: %v", due)
	}

	// A final report filed before any intermediate one files both, at its instant.
	skipped := i
	skipped.Deadlines = FileReport(i.Deadlines, PhaseFinal, at("2027-03-08T00:00:00Z"))
	c = skipped.ClocksAt(at("2027-03-09T00:00:00Z"))
	if c[1].State != ClockLate || !c[1].FiledAt.Equal(at("2027-03-08T00:00:00Z")) || c[2].State != ClockMet {
		t.Errorf("final first: %+v", c)
	}
	if _, ok := skipped.NextDue(); ok {
		t.Error("every phase filed, yet a clock runs")
	}

	// A closed incident's unfiled clocks stop: nothing is overdue.
	closed := i
	closed.Status, closed.ClosedAt = IncidentClosed, at("2027-03-07T10:00:00Z")
	c = closed.ClocksAt(at("2027-05-01T00:00:00Z"))
	if c[1].State != ClockStopped || c[1].Left != -24*time.Hour || closed.Overdue(at("2027-05-01T00:00:00Z")) {
		t.Errorf("closed: %+v", c)
	}

	// Warnings and the calendar, read as of 5 March 10:00.
	i.ID, i.AsOf = "inc", at("2027-03-05T10:00:00Z")
	if w := i.ClockWarnings(24 * time.Hour); len(w) != 1 || w[0].Phase != PhaseIntermediate {
		t.Errorf("warnings within a day: %+v", w)
	}
	if w := i.ClockWarnings(23 * time.Hour); len(w) != 0 {
		t.Errorf("warnings within 23 hours: %+v", w)
	}
	if b := i.ClocksBetween(at("2027-03-03T14:00:00Z"), at("2027-04-02T10:00:00Z")); len(b) != 2 ||
		b[0].Phase != PhaseInitial || b[1].Phase != PhaseIntermediate {
		t.Errorf("between: %+v", b) // from included, to excluded
	}
}

func TestIncidentTransitions(t *testing.T) {
	open := Incident{Status: IncidentOpen, Deadlines: FileReport(DefaultIncidentDeadlines.For(at("2027-03-03T08:00:00Z"),
		at("2027-03-03T08:00:00Z")), PhaseInitial, at("2027-03-03T09:00:00Z"))}
	if got := IncidentActions(open); !slices.Equal(got, []string{IncidentUpdate, IncidentFileFinal, IncidentRequestInformation, IncidentClose}) {
		t.Errorf("open: %v", got)
	}
	step := func(i Incident, action string) Incident {
		t.Helper()
		s, err := IncidentTransition(i, action)
		if err != nil {
			t.Fatalf("%s from %s: %v", action, i.Status, err)
		}
		i.Status = s
		if action == IncidentFileFinal {
			i.Deadlines = FileReport(i.Deadlines, PhaseFinal, at("2027-03-10T09:00:00Z"))
		}
		return i
	}
	asked := step(open, IncidentRequestInformation)
	if _, err := IncidentTransition(asked, IncidentRequestInformation); ErrorCodeOf(err) != EConflict {
		t.Errorf("a second request while one waits: %v", err)
	}
	if back := step(asked, IncidentUpdate); back.Status != IncidentOpen {
		t.Errorf("answered before the final: %s", back.Status)
	}
	final := step(asked, IncidentFileFinal)
	if final.Status != IncidentFinalFiled {
		t.Errorf("final answers the request: %s", final.Status)
	}
	if got := IncidentActions(final); !slices.Equal(got, []string{IncidentRequestInformation, IncidentClose}) {
		t.Errorf("after the final: %v", got)
	}
	_, err := IncidentTransition(final, IncidentUpdate)
	if e, ok := AsError(err); !ok || e.Code != EConflict || !slices.Equal(e.Allowed, []string{IncidentRequestInformation, IncidentClose}) {
		t.Errorf("an unasked update after the final: %v", err)
	}
	again := step(final, IncidentRequestInformation)
	if _, err := IncidentTransition(again, IncidentFileFinal); ErrorCodeOf(err) != EConflict {
		t.Errorf("a second final report: %v", err)
	}
	if answered := step(again, IncidentUpdate); answered.Status != IncidentFinalFiled {
		t.Errorf("answered after the final: %s", answered.Status)
	}
	closed := step(final, IncidentClose)
	if got := IncidentActions(closed); len(got) != 0 {
		t.Errorf("closed: %v", got)
	}
	if p := CheckClosing(open, ""); len(p) != 1 {
		t.Errorf("closing before the final without a word: %v", p)
	}
	if p := CheckClosing(final, ""); len(p) != 0 {
		t.Errorf("closing after the final: %v", p)
	}
	if p := CheckInformationRequest("  "); len(p) != 1 || p[0].Location != "body.comment" {
		t.Errorf("an empty request: %v", p)
	}
}

// TestObservedFrequencyByHand: 3 incidents among 12 providers over the
// twelve-month window are 0.25 a provider a year, which reads as
// likelihood 3; the bands' edges belong to the band above.
func TestObservedFrequencyByHand(t *testing.T) {
	if f := ObservedFrequency(3, 12); f != 0.25 {
		t.Errorf("3 over 12: %v", f)
	}
	if f := ObservedFrequency(3, 0); f != 0 {
		t.Errorf("no provider: %v", f)
	}
	for _, c := range []struct {
		f    float64
		want int
	}{{0, 1}, {0.049, 1}, {0.05, 2}, {0.19, 2}, {0.2, 3}, {0.25, 3}, {0.5, 4}, {0.99, 4}, {1, 5}, {7, 5}} {
		if got := LikelihoodOfFrequency(c.f); got != c.want {
			t.Errorf("%v a provider a year reads %d, want %d", c.f, got, c.want)
		}
	}
	to, _ := ParseDate("2027-03-31")
	if from := FrequencyWindow(to); from.String() != "2026-04-01" {
		t.Errorf("the window up to 31 March 2027 starts %s", from)
	}
}

// TestTheEarliestUnfiledDeadlineIsNext: phases run from different anchors,
// so a final report due 96 hours after detection can fall before an
// intermediate one due 72 hours after a late classification. The incident
// is overdue as soon as either clock runs out.
func TestTheEarliestUnfiledDeadlineIsNext(t *testing.T) {
	i := Incident{Status: IncidentOpen, Deadlines: []PhaseDeadline{
		{Phase: PhaseInitial, Due: at("2027-03-01T04:00:00Z"), FiledAt: at("2027-03-01T03:00:00Z")},
		{Phase: PhaseIntermediate, Due: at("2027-03-05T06:00:00Z")}, // classified 30 h after detection, + 72 h
		{Phase: PhaseFinal, Due: at("2027-03-05T00:00:00Z")},        // detection + 96 h
	}}
	if due, ok := i.NextDue(); !ok || !due.Equal(at("2027-03-05T00:00:00Z")) {
		t.Errorf("next due %v %v, want the final report's deadline", due, ok)
	}
	if !i.Overdue(at("2027-03-05T04:00:00Z")) {
		t.Error("the final report's clock has run out, yet the incident is not overdue")
	}
	i.AsOf = at("2027-03-05T04:00:00Z")
	if c, ok := i.NextClock(); !ok || c.Phase != PhaseFinal || c.State != ClockOverdue {
		t.Errorf("next clock %+v %v, want the final report's, overdue", c, ok)
	}
	closed := i
	closed.Status = IncidentClosed
	if _, ok := closed.NextClock(); ok {
		t.Error("a closed incident has a clock running")
	}
}
