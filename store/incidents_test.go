package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// incidents is a fresh database with two providers, A and B, each with an
// editor, a supervisor and an auditor, and a clock the test moves.
type incidents struct {
	db         *store.DB
	url        string
	a, b       side
	sup, audit domain.Actor
	now        time.Time
	trail      *trail
}

func newIncidents(t *testing.T) *incidents {
	t.Helper()
	db, url := storetest.New(t)
	f := &incidents{db: db, url: url, a: newSide(t, db, url, "Alpha Mobile", "alpha"), b: newSide(t, db, url, "Beta Bank", "beta"),
		sup:   actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, "")),
		audit: actorOf(newUser(t, db, "audit@regulator.test", domain.RoleAuditor, "")),
		now:   time.Date(2027, 3, 3, 12, 0, 0, 0, time.UTC)}
	db.SetNow(func() time.Time { return f.now })
	f.trail = newTrail(t, url)
	return f
}

// pass moves the clock on.
func (f *incidents) pass(d time.Duration) { f.now = f.now.Add(d) }

// sim is an initial report of a SIM-swap wave detected two hours and
// classified one hour before the clock's now.
func (f *incidents) sim(providerID string) domain.NewIncident {
	return domain.NewIncident{ProviderID: providerID, Title: " SIM-swap fraud wave ", DetectedAt: f.now.Add(-2 * time.Hour),
		ClassifiedAt: f.now.Add(-time.Hour), Facts: domain.IncidentFacts{Description: "Fraudulent SIM swaps drain wallets.",
			CustomersAffected: 1200, DurationHours: 2, ValueAffected: 3_000_000, Channels: []string{domain.ChannelUSSD},
			Services: []string{domain.ServiceTransfers}, Threats: []string{"T10"}}}
}

func (f *incidents) report(t *testing.T, actor domain.Actor, n domain.NewIncident) domain.Incident {
	t.Helper()
	i, err := f.db.ReportIncident(context.Background(), actor, n)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func states(i domain.Incident) []domain.ClockState {
	var out []domain.ClockState
	for _, c := range i.Clocks() {
		out = append(out, c.State)
	}
	return out
}

// TestIncidentPhasesAndClocks follows one incident through its phases with
// the clock moved by hand: reported at 12:00 on 3 March, classified at
// 11:00, the initial report is on time (due 15:00); 73 hours on the
// intermediate is overdue (due 6 March 11:00) and the incident leads the
// overdue list; filed then, it is late, and the final is next. A request for
// information is answered by an update; the final report closes the
// provider's side, and the supervisor closes the incident.
func TestIncidentPhasesAndClocks(t *testing.T) {
	t.Parallel()
	f := newIncidents(t)
	ctx := context.Background()
	reported := f.now
	i := f.report(t, f.a.editor, f.sim(f.a.id))
	if i.Title != "SIM-swap fraud wave" || i.Status != domain.IncidentOpen || i.Major() || i.ProviderName != "Alpha Mobile" ||
		i.ReportedBy != "editor@alpha.test" || !i.ReportedAt.Equal(reported) {
		t.Errorf("reported %+v", i)
	}
	want := []time.Time{reported.Add(3 * time.Hour), reported.Add(71 * time.Hour), reported.Add(30*24*time.Hour - time.Hour)}
	for k, d := range i.Deadlines {
		if !d.Due.Equal(want[k]) {
			t.Errorf("%s due %v, want %v", d.Phase, d.Due, want[k])
		}
	}
	if got := states(i); !slices.Equal(got, []domain.ClockState{domain.ClockMet, domain.ClockRunning, domain.ClockRunning}) {
		t.Errorf("clocks at reporting: %v", got)
	}
	e := f.trail.one(t, ev{"incident.report", "incident", i.ID})
	if e.ProviderID != f.a.id || e.Summary["late"] != false || e.Summary["phase"] != "initial" {
		t.Errorf("audit event %+v", e)
	}

	// 73 hours on, the intermediate report (due 71 hours after reporting) is two hours overdue.
	f.pass(73 * time.Hour)
	got, err := f.db.Incident(ctx, f.sup, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Clocks()[1]; c.State != domain.ClockOverdue || c.Left != -2*time.Hour {
		t.Errorf("the supervisor reads the intermediate clock %+v", c)
	}
	for _, actor := range []domain.Actor{f.a.editor, f.sup, f.audit} {
		list, _, err := f.db.Incidents(ctx, actor, store.IncidentFilter{Overdue: true}, store.Page{})
		if err != nil || len(list) != 1 || list[0].ID != i.ID || !list[0].Overdue(f.now) {
			t.Errorf("%s's overdue list: %+v, %v", actor.Email, list, err)
		}
	}

	// The late intermediate report: filed, late by two hours; the final is next.
	facts := f.sim(f.a.id).Facts
	facts.CustomersAffected = 12000 // now major by customers
	i, err = f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseIntermediate, facts, i.Version)
	if err != nil {
		t.Fatal(err)
	}
	if c := i.Clocks()[1]; c.State != domain.ClockLate || c.Left != -2*time.Hour || !slices.Equal(i.MajorBy, []domain.IncidentCriterion{domain.CriterionCustomers}) {
		t.Errorf("after the late update: %+v, major by %v", c, i.MajorBy)
	}
	if due, _ := i.NextDue(); !due.Equal(want[2]) {
		t.Errorf("next due %v", due)
	}
	e = f.trail.one(t, ev{"incident.update", "incident", i.ID})
	if e.Summary["late"] != true || e.Summary["phase"] != "intermediate" {
		t.Errorf("audit event %+v", e.Summary)
	}
	if list, _, _ := f.db.Incidents(ctx, f.sup, store.IncidentFilter{Overdue: true}, store.Page{}); len(list) != 0 {
		t.Errorf("still overdue: %+v", list)
	}

	// A stale version is refused; a request for information waits for an answer.
	if _, err := f.db.RequestIncidentInformation(ctx, f.sup, i.ID, "Which agents were involved?", i.Version-1); domain.ErrorCodeOf(err) != domain.EPrecondition {
		t.Errorf("a stale request: %v", err)
	}
	i, err = f.db.RequestIncidentInformation(ctx, f.sup, i.ID, " Which agents were involved? ", i.Version)
	if err != nil {
		t.Fatal(err)
	}
	if i.Status != domain.IncidentInformationRequested || i.Pending != "Which agents were involved?" || i.PendingID == "" {
		t.Errorf("after the request: %+v", i)
	}
	f.trail.one(t, ev{"incident.request_information", "incident", i.ID})
	pending := i.PendingID
	f.pass(time.Hour)
	facts.Description = "Fraudulent SIM swaps through three agents in the north."
	i, err = f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseIntermediate, facts, 0)
	if err != nil {
		t.Fatal(err)
	}
	if i.Status != domain.IncidentOpen || i.PendingID != "" {
		t.Errorf("after the answer: %+v", i)
	}
	f.trail.one(t, ev{"incident.update", "incident", i.ID})

	// A final report without root cause or recovery names both.
	_, err = f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseFinal, facts, 0)
	if e := wantCode(t, "an incomplete final report", err, domain.EInvalid); !problemAt(e, "body.root_cause") || !problemAt(e, "body.recovery") {
		t.Errorf("problems %+v", e.Problems)
	}
	facts.RootCause, facts.Recovery, facts.Losses = "Agents' SIM replacement without identity checks.", "Swaps frozen; wallets restored.", 2_500_000
	i, err = f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseFinal, facts, 0)
	if err != nil {
		t.Fatal(err)
	}
	if i.Status != domain.IncidentFinalFiled || states(i)[2] != domain.ClockMet {
		t.Errorf("after the final: %s %v", i.Status, states(i))
	}
	f.trail.one(t, ev{"incident.final", "incident", i.ID})
	if _, err := f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseFinal, facts, 0); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("a second final report: %v", err)
	}
	if _, err := f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseInitial, facts, 0); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("an initial report again: %v", err)
	}

	// After the final report, an answer to a request must still hold what
	// a final report holds, whatever phase it names.
	i, err = f.db.RequestIncidentInformation(ctx, f.sup, i.ID, "What did the agents gain?", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.trail.one(t, ev{"incident.request_information", "incident", i.ID})
	stripped := facts
	stripped.Threats, stripped.RootCause = nil, ""
	_, err = f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseIntermediate, stripped, 0)
	if e := wantCode(t, "an answer that strips the final report", err, domain.EInvalid); !problemAt(e, "body.threats") ||
		!problemAt(e, "body.root_cause") {
		t.Errorf("problems %+v", e.Problems)
	}
	if i, err = f.db.FileIncidentReport(ctx, f.a.editor, i.ID, domain.PhaseIntermediate, facts, 0); err != nil {
		t.Fatal(err)
	}
	f.trail.one(t, ev{"incident.update", "incident", i.ID})

	// The supervisor closes it; every report and request is on record.
	i, err = f.db.CloseIncident(ctx, f.sup, i.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.trail.one(t, ev{"incident.close", "incident", i.ID})
	full, err := f.db.Incident(ctx, f.a.admin, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	var phases []domain.IncidentPhase
	for _, r := range full.Reports {
		phases = append(phases, r.Phase)
	}
	if full.Status != domain.IncidentClosed || !slices.Equal(phases, []domain.IncidentPhase{domain.PhaseInitial,
		domain.PhaseIntermediate, domain.PhaseIntermediate, domain.PhaseFinal, domain.PhaseIntermediate}) || len(full.Requests) != 2 ||
		full.Requests[0].AnsweredBy != full.Reports[2].ID || full.Reports[2].Answers != pending || full.ClosedBy != "sup@regulator.test" {
		t.Errorf("on record: %+v", full)
	}
	if full.Reports[0].Facts.CustomersAffected != 1200 || full.Facts.Losses != 2_500_000 {
		t.Errorf("each report keeps its own facts: %+v / %+v", full.Reports[0].Facts, full.Facts)
	}
	if _, err := f.db.CloseIncident(ctx, f.sup, i.ID, "again", 0); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("closing twice: %v", err)
	}
	if n := count(t, f.url, `select count(*) from incident_threats where incident_id = $1`, i.ID); n != 1 {
		t.Errorf("%d threats stored", n)
	}
	if err := execErr(f.url, `update incident_reports set phase = 'final'`); err == nil {
		t.Error("a filed report could be changed")
	}
}

// TestAnotherProvidersIncidentsAreNotFound: B's users neither read, list nor
// report on A's incident, nor report one for A.
func TestAnotherProvidersIncidentsAreNotFound(t *testing.T) {
	t.Parallel()
	f := newIncidents(t)
	ctx := context.Background()
	i := f.report(t, f.a.editor, f.sim(f.a.id))
	f.report(t, f.b.editor, f.sim(f.b.id))
	if _, err := f.db.Incident(ctx, f.b.admin, i.ID); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("B reads A's incident: %v", err)
	}
	if _, err := f.db.FileIncidentReport(ctx, f.b.admin, i.ID, domain.PhaseIntermediate, f.sim(f.a.id).Facts, 0); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("B updates A's incident: %v", err)
	}
	if _, err := f.db.ReportIncident(ctx, f.b.admin, f.sim(f.a.id)); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("B reports for A: %v", err)
	}
	list, _, err := f.db.Incidents(ctx, f.b.editor, store.IncidentFilter{}, store.Page{})
	if err != nil || len(list) != 1 || list[0].ProviderID != f.b.id {
		t.Errorf("B's list: %+v, %v", list, err)
	}
	if clocks, _, err := f.db.IncidentDeadlines(ctx, f.b.editor, "", f.now.Add(-time.Hour), f.now.Add(40*24*time.Hour), 0); err != nil ||
		len(clocks) != 3 || clocks[0].ProviderID != f.b.id {
		t.Errorf("B's deadlines: %+v, %v", clocks, err)
	}
	if list, _, _ := f.db.Incidents(ctx, f.sup, store.IncidentFilter{}, store.Page{}); len(list) != 2 {
		t.Errorf("the supervisor's list: %d", len(list))
	}
	if _, _, err := f.db.Incidents(ctx, domain.Actor{}, store.IncidentFilter{}, store.Page{}); err == nil {
		t.Error("an actor without a scope read incidents")
	}
}

// TestIncidentQueueDeadlinesAndWarnings: the queue puts the clock that runs
// out first first and pages by cursor; deadlines between two instants and
// warnings within a duration are read at the injected clock.
func TestIncidentQueueDeadlinesAndWarnings(t *testing.T) {
	t.Parallel()
	f := newIncidents(t)
	ctx := context.Background()
	first := f.report(t, f.a.editor, f.sim(f.a.id)) // intermediate due in 71 hours
	f.pass(10 * time.Hour)
	second := f.report(t, f.b.editor, f.sim(f.b.id)) // due 10 hours later than the first's
	f.pass(-5 * time.Hour)                           // the clock is read, not written: a test may move it back
	third := f.report(t, f.a.editor, f.sim(f.a.id))
	closed, err := f.db.CloseIncident(ctx, f.sup, third.ID, "Reported twice: see the first.", 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	page := store.Page{Limit: 1}
	for {
		list, next, err := f.db.Incidents(ctx, f.sup, store.IncidentFilter{}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range list {
			ids = append(ids, i.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if !slices.Equal(ids, []string{first.ID, second.ID, closed.ID}) {
		t.Errorf("queue %v, want first, second, then the closed one", ids)
	}
	if list, _, _ := f.db.Incidents(ctx, f.sup, store.IncidentFilter{Open: true}, store.Page{}); len(list) != 2 {
		t.Errorf("open: %d", len(list))
	}
	if list, _, _ := f.db.Incidents(ctx, f.sup, store.IncidentFilter{ProviderID: f.b.id, Threat: "T10", Channel: domain.ChannelUSSD},
		store.Page{}); len(list) != 1 || list[0].ID != second.ID {
		t.Errorf("B's SIM incidents on USSD: %+v", list)
	}
	if _, _, err := f.db.Incidents(ctx, f.sup, store.IncidentFilter{Channel: "pigeon"}, store.Page{}); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a channel that is none: %v", err)
	}

	// Now is 17:00 on 3 March; the first's intermediate is due 6 March 11:00,
	// the second's 6 March 21:00.
	from, to := time.Date(2027, 3, 6, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 6, 21, 0, 0, 0, time.UTC)
	clocks, complete, err := f.db.IncidentDeadlines(ctx, f.sup, "", from, to, 0)
	if err != nil || len(clocks) != 1 || clocks[0].IncidentID != first.ID || clocks[0].Phase != domain.PhaseIntermediate ||
		!complete.IsZero() {
		t.Errorf("deadlines on 6 March before 21:00: %+v, %v, %v", clocks, complete, err)
	}
	clocks, _, _ = f.db.IncidentDeadlines(ctx, f.sup, f.b.id, from, to.Add(time.Second), 0)
	if len(clocks) != 1 || clocks[0].IncidentID != second.ID {
		t.Errorf("B's deadlines on 6 March: %+v", clocks)
	}
	// Read one incident at a time, the list stops before the second's
	// deadline and says so.
	clocks, complete, _ = f.db.IncidentDeadlines(ctx, f.sup, "", from, to.Add(time.Second), 1)
	if len(clocks) != 1 || clocks[0].IncidentID != first.ID || !complete.Equal(to) {
		t.Errorf("one incident of two: %+v, complete before %v", clocks, complete)
	}
	f.now = time.Date(2027, 3, 6, 10, 0, 0, 0, time.UTC)
	warn, err := f.db.IncidentClockWarnings(ctx, f.sup, time.Hour)
	if err != nil || len(warn) != 1 || warn[0].IncidentID != first.ID || warn[0].Left != time.Hour || warn[0].State != domain.ClockRunning {
		t.Errorf("warnings within the hour: %+v, %v", warn, err)
	}
	f.now = time.Date(2027, 3, 7, 0, 0, 0, 0, time.UTC)
	warn, _ = f.db.IncidentClockWarnings(ctx, domain.System("warnings"), 0)
	if len(warn) != 2 || warn[0].IncidentID != first.ID || warn[1].IncidentID != second.ID || warn[0].State != domain.ClockOverdue {
		t.Errorf("overdue: %+v", warn)
	}
	if warn, _ := f.db.IncidentClockWarnings(ctx, f.b.editor, 0); len(warn) != 1 || warn[0].ProviderID != f.b.id {
		t.Errorf("B's warnings: %+v", warn)
	}
}

// TestIncidentSettingsApply: the thresholds in force classify each report;
// the deadlines in force when an incident is reported stay with it.
func TestIncidentSettingsApply(t *testing.T) {
	t.Parallel()
	f := newIncidents(t)
	ctx := context.Background()
	admin := actorOf(newUser(t, f.db, "admin@regulator.test", domain.RoleAdmin, ""))
	s, version, err := f.db.Settings(ctx)
	if err != nil || *s.IncidentDeadlines != domain.DefaultIncidentDeadlines || *s.IncidentThresholds != domain.DefaultIncidentThresholds {
		t.Fatalf("default settings %+v, %v", s, err)
	}
	before := f.report(t, f.a.editor, f.sim(f.a.id))
	th := domain.DefaultIncidentThresholds
	th.CustomersAffected = 1200 // exactly the SIM wave's figure
	s.IncidentThresholds = &th
	s.IncidentDeadlines = &domain.IncidentDeadlines{Initial: domain.DeadlineRule{AfterDetectionHours: 1},
		Intermediate: domain.DeadlineRule{AfterClassificationHours: 24}, Final: domain.DeadlineRule{AfterClassificationHours: 240}}
	if _, err := f.db.UpdateSettings(ctx, admin, s, version); err != nil {
		t.Fatal(err)
	}
	after := f.report(t, f.a.editor, f.sim(f.a.id))
	if !slices.Equal(after.MajorBy, []domain.IncidentCriterion{domain.CriterionCustomers}) || before.Major() {
		t.Errorf("major by: before %v, after %v", before.MajorBy, after.MajorBy)
	}
	// Detected at 10:00, reported at 12:00: the initial report was due at 11:00.
	if c := after.Clocks()[0]; c.State != domain.ClockLate || c.Left != -time.Hour {
		t.Errorf("initial under the new deadlines: %+v", c)
	}
	again, err := f.db.Incident(ctx, f.sup, before.ID)
	if err != nil || !again.Deadline(domain.PhaseIntermediate).Due.Equal(before.Deadline(domain.PhaseIntermediate).Due) {
		t.Errorf("the earlier incident's deadlines moved: %+v, %v", again.Deadlines, err)
	}
	// An update of the earlier incident is classified with the thresholds in force.
	updated, err := f.db.FileIncidentReport(ctx, f.a.editor, before.ID, domain.PhaseIntermediate, f.sim(f.a.id).Facts, 0)
	if err != nil || !updated.Major() {
		t.Errorf("the update: %v, %v", updated.MajorBy, err)
	}
	bad := s
	bad.IncidentDeadlines = &domain.IncidentDeadlines{Initial: domain.DeadlineRule{AfterClassificationHours: 48},
		Intermediate: domain.DeadlineRule{AfterClassificationHours: 24}, Final: domain.DeadlineRule{AfterClassificationHours: 240}}
	_, err = f.db.UpdateSettings(ctx, admin, bad, 0)
	if e := wantCode(t, "deadlines out of order", err, domain.EInvalid); !problemAt(e, "body.incident_deadlines.intermediate") {
		t.Errorf("problems %+v", e.Problems)
	}
}

// TestIncidentStatisticsCount: the statistics count what was filed, by
// threat, channel, kind and month, and each threat's frequency over the
// window per provider supervised.
func TestIncidentStatisticsCount(t *testing.T) {
	t.Parallel()
	f := newIncidents(t)
	ctx := context.Background()
	report := func(actor domain.Actor, provider string, detected time.Time, threats, channels []string, customers int64) {
		t.Helper()
		n := f.sim(provider)
		n.DetectedAt, n.ClassifiedAt = detected, detected
		n.Facts.Threats, n.Facts.Channels, n.Facts.CustomersAffected = threats, channels, customers
		f.report(t, actor, n)
	}
	jan, feb := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC), time.Date(2027, 2, 20, 9, 0, 0, 0, time.UTC)
	report(f.a.editor, f.a.id, jan, []string{"T10"}, []string{domain.ChannelUSSD}, 50000)                       // major
	report(f.a.editor, f.a.id, feb, []string{"T10", "T8"}, []string{domain.ChannelUSSD, domain.ChannelApp}, 10) // major: 2 channels
	report(f.b.editor, f.b.id, feb, []string{"T6"}, []string{domain.ChannelApp}, 10)
	report(f.b.editor, f.b.id, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), []string{"T10"}, nil, 10) // outside the window
	exec(t, f.url, `update providers set kind = 'mobile_money_operator' where id = $1`, f.a.id)

	from, _ := domain.ParseDate("2027-01-01")
	to, _ := domain.ParseDate("2027-03-03")
	s, err := f.db.IncidentStatistics(ctx, f.sup, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 3 || s.Major != 2 || s.Providers != 2 || s.WindowFrom.String() != "2026-03-04" {
		t.Errorf("totals %d/%d, providers %d, window from %s", s.Total, s.Major, s.Providers, s.WindowFrom)
	}
	byKey := func(list []domain.IncidentCount) map[string]domain.IncidentCount {
		m := map[string]domain.IncidentCount{}
		for _, c := range list {
			m[c.Key] = c
		}
		return m
	}
	threats, channels, months := byKey(s.ByThreat), byKey(s.ByChannel), byKey(s.ByMonth)
	if len(s.ByThreat) != 17 || threats["T10"].Incidents != 2 || threats["T10"].Major != 2 || threats["T8"].Incidents != 1 ||
		threats["T6"].Major != 0 || threats["T1"].Incidents != 0 || threats["T10"].Name != "SIM attacks" {
		t.Errorf("by threat %+v", s.ByThreat)
	}
	if channels["ussd"].Incidents != 2 || channels["app"].Incidents != 2 || channels["app"].Major != 1 || len(s.ByChannel) != len(domain.Channels) {
		t.Errorf("by channel %+v", s.ByChannel)
	}
	if len(s.ByMonth) != 3 || months["2027-01"].Incidents != 1 || months["2027-02"].Incidents != 2 || months["2027-03"].Incidents != 0 {
		t.Errorf("by month %+v", s.ByMonth)
	}
	for _, k := range s.ByKind {
		want := map[string][2]int{"mobile_money_operator": {2, 1}, "bank": {1, 1}}[k.Key]
		if k.Incidents != want[0] || k.Providers != want[1] {
			t.Errorf("kind %s: %+v, want %v", k.Key, k, want)
		}
	}
	for _, fr := range s.Frequency {
		if fr.ThreatID == "T10" && (fr.Incidents != 2 || fr.PerProviderYear != 1 || fr.Default != 4 || fr.Observed != 5) {
			t.Errorf("T10's frequency %+v", fr)
		}
		if fr.ThreatID == "T6" && (fr.Incidents != 1 || fr.PerProviderYear != 0.5 || fr.Observed != 4) {
			t.Errorf("T6's frequency %+v", fr)
		}
	}
	if _, err := f.db.IncidentStatistics(ctx, f.sup, to, from); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a period backwards: %v", err)
	}

	// A newer X.1150 version without T6: B's incident naming it still
	// counts, after the catalog's threats, so the rows add up.
	exec(t, f.url, `with old as (select pk from frameworks where id = 'x1150' order by pk desc limit 1),
		fw as (insert into frameworks (id, version, title, content_sha256)
			select 'x1150', '9.9-test', title, 'test' from frameworks where pk = (select pk from old) returning pk)
		insert into threats select (select pk from fw), id, ordinal, number, name, description, likelihood,
			likelihood_rationale, impact, impact_rationale from threats where framework = (select pk from old) and id <> 'T6'`)
	s, err = f.db.IncidentStatistics(ctx, f.sup, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if last := s.ByThreat[len(s.ByThreat)-1]; len(s.ByThreat) != 17 || last.Key != "T6" || last.Incidents != 1 || last.Name != "" {
		t.Errorf("by threat after T6 was dropped: %+v", s.ByThreat)
	}
}

// TestIncidentClocksWarnTheirProvider: the clock warnings warn a provider's
// users, once, of an incident report due within a day, and tell them, once,
// when it is overdue; another provider's users hear nothing of it.
func TestIncidentClocksWarnTheirProvider(t *testing.T) {
	t.Parallel()
	f := newIncidents(t)
	ctx := context.Background()
	i := f.report(t, f.a.admin, f.sim(f.a.id)) // the initial report; the intermediate is due 72 hours after classification
	heard := func(kind domain.NoticeKind, provider string) int {
		return count(t, f.url, `select count(*) from notifications n join users u on u.id = n.user_id
			where n.kind = $1 and n.object_id = $2 and u.provider_id = $3`, string(kind), i.ID, provider)
	}
	remind := func() {
		t.Helper()
		if _, err := f.db.SendIncidentClockWarnings(ctx); err != nil {
			t.Fatal(err)
		}
	}
	remind()
	if n := heard(domain.NoticeIncidentClock, f.a.id); n != 0 {
		t.Errorf("%d warnings 71 hours before the deadline", n)
	}
	f.pass(48 * time.Hour) // the intermediate report is due in 23 hours
	remind()
	remind()
	if n := heard(domain.NoticeIncidentClock, f.a.id); n != 2 {
		t.Errorf("A's two users got %d warnings, want one each", n)
	}
	f.pass(24 * time.Hour) // an hour past the deadline
	remind()
	remind()
	if n := heard(domain.NoticeIncidentOverdue, f.a.id); n != 2 {
		t.Errorf("A's two users were told %d times that the report is overdue, want once each", n)
	}
	if n := heard(domain.NoticeIncidentClock, f.b.id) + heard(domain.NoticeIncidentOverdue, f.b.id); n != 0 {
		t.Errorf("B's users heard %d times of A's incident", n)
	}
}
