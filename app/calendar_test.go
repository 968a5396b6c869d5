package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"assure/app"
	"assure/domain"
	"assure/policies"
	"assure/store"
)

// clock is a time tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Add moves the clock on by d.
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// set moves the clock to noon UTC of day d.
func (c *clock) set(d domain.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = d.Time().Add(12 * time.Hour)
}

// clocked is the sector's application again, reading a clock the test
// moves, starting on day d.
func clocked(t *testing.T, s *sector, d domain.Date) (*app.App, *clock) {
	t.Helper()
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	c.set(d)
	return app.New(s.db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Now: c.Now}), c
}

// annual is a yearly series over every bank (both of the sector's
// providers), first opening on day opens.
func annual(opens domain.Date) domain.CampaignSeries {
	return domain.CampaignSeries{Name: "Annual self-assessment", FrameworkID: "x1150",
		Kinds: []domain.ProviderKind{domain.KindBank}, EveryMonths: 12, FirstOpensOn: opens, DueAfterDays: 45, LeadDays: 14}
}

// TestSeriesMakesAndOpensItsCampaignOnceOnItsDay moves the application's
// clock a day at a time, far from the real date: the series makes its
// campaign's draft on the first day of its lead time and on no other, asks
// for its opening on its opening day and on no other, and the opening (run
// as its job runs it) opens it with one assessment per provider in scope,
// recorded as the series' doing. The supervisor's calendar shows the
// campaign's dates and the next one the series will make.
func TestSeriesMakesAndOpensItsCampaignOnceOnItsDay(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	start := domain.Today().AddDays(400)
	a, clk := clocked(t, s, start)
	def := annual(start.AddDays(20))
	series, err := a.CreateCampaignSeries(ctx, s.sup, def)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.CreateCampaignSeries(ctx, s.adminA, def)
	wantCode(t, "a provider_admin's series", err, domain.EForbidden)

	var made, opened []string
	for d := start; !d.After(def.FirstOpensOn.AddDays(3)); d = d.AddDays(1) {
		clk.set(d)
		for range 2 { // a second run the same day does nothing more
			run, err := a.RunCampaignSeries(ctx, a.Today())
			if err != nil || run.Failed != 0 {
				t.Fatalf("run on %s: %+v, %v", d, run, err)
			}
			switch {
			case len(run.Made) > 0 && d != def.MadeOn(0):
				t.Errorf("a campaign made on %s, not on %s", d, def.MadeOn(0))
			case len(run.Opened) > 0 && d != def.FirstOpensOn:
				t.Errorf("an opening asked for on %s, not on %s", d, def.FirstOpensOn)
			}
			made, opened = append(made, run.Made...), append(opened, run.Opened...)
		}
		if d == def.FirstOpensOn && len(opened) == 1 {
			// What the opening's job does.
			if err := a.RunCampaignOpening(ctx, opened[0]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(made) != 1 || len(opened) != 1 || made[0] != opened[0] {
		t.Fatalf("made %v, opened %v: want one campaign, made and opened once", made, opened)
	}
	c, err := a.Campaign(ctx, s.sup, made[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.CampaignOpen || c.Assessments != 2 || c.SeriesID != series.ID || c.Name != def.OccurrenceName(0) ||
		c.OpensAt != def.FirstOpensOn || c.DueAt != def.DueOn(0) {
		t.Errorf("the series' campaign = %+v", c)
	}
	events, _, err := a.AuditEvents(ctx, s.auditor, store.AuditFilter{ObjectType: "campaign", ObjectID: c.ID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range events {
		actions[e.Action]++
		if e.ActorEmail != "campaign-series" || e.ActorID != "" {
			t.Errorf("%s recorded as %s (%s)", e.Action, e.ActorEmail, e.ActorID)
		}
	}
	if actions["campaign.create"] != 1 || actions["campaign.open_requested"] != 1 || actions["campaign.open"] != 1 {
		t.Errorf("the campaign's events: %v", actions)
	}

	// Paused, the series makes nothing on the next campaign's day.
	if _, err := a.PauseCampaignSeries(ctx, s.sup, series.ID); err != nil {
		t.Fatal(err)
	}
	clk.set(def.MadeOn(1))
	if run, err := a.RunCampaignSeries(ctx, a.Today()); err != nil || len(run.Made) != 0 {
		t.Errorf("a paused series' run: %+v, %v", run, err)
	}
	if _, err := a.ResumeCampaignSeries(ctx, s.sup, series.ID); err != nil {
		t.Fatal(err)
	}

	// The calendar on the opening day: the campaign opening and due, and
	// next year's planned.
	clk.set(def.FirstOpensOn)
	w, err := a.CalendarWindow(def.FirstOpensOn, def.FirstOpensOn.AddDays(399))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := a.Calendar(ctx, s.sup, w, "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]domain.CalendarEntry{}
	for _, e := range cal.Entries {
		kinds[string(e.Kind)+"/"+e.ObjectType] = e
	}
	if e := kinds["campaign_opens/campaign"]; e.ObjectID != c.ID || !e.Done || e.Day != def.FirstOpensOn {
		t.Errorf("the opening on the calendar = %+v", e)
	}
	if e := kinds["campaign_due/campaign"]; e.ObjectID != c.ID || e.Day != def.DueOn(0) || e.Overdue || e.Done {
		t.Errorf("the due date on the calendar = %+v", e)
	}
	if e := kinds["campaign_opens/campaign_series"]; e.ObjectID != series.ID || !e.Planned || e.Day != def.OpensOn(1) ||
		e.Title != def.OccurrenceName(1) {
		t.Errorf("next year's campaign on the calendar = %+v", e)
	}
}

// TestSeriesJobRunsOnRiver runs River for real, as assure serve does, with
// the application's clock on a series' opening day: the daily job, which
// runs when River starts, makes the campaign and queues its opening, and
// the opening's worker opens it.
func TestSeriesJobRunsOnRiver(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	start := domain.Today().AddDays(30)
	a, clk := clocked(t, s, start)
	def := annual(start.AddDays(10))
	def.LeadDays = 0
	series, err := a.CreateCampaignSeries(ctx, s.sup, def)
	if err != nil {
		t.Fatal(err)
	}
	clk.set(def.FirstOpensOn)
	runJobs(t, a, app.JobOptions{PurgeEach: time.Hour, SweepEach: time.Hour, Timeout: time.Minute, RescueAfter: time.Hour})
	deadline := time.Now().Add(60 * time.Second)
	for {
		list, _, err := a.SeriesCampaigns(ctx, s.sup, series.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 1 {
			t.Fatalf("the series made %d campaigns", len(list))
		}
		if len(list) == 1 && list[0].Status == domain.CampaignOpen {
			if list[0].Assessments != 2 {
				t.Errorf("opened with %d assessments", list[0].Assessments)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the series' campaign is not open after a minute: %+v", list)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCalendarListsWhatIsDueInTheWindow: the calendar holds the campaign's
// and the findings' due dates inside its window and none outside; overdue
// is judged by the application's clock; a provider's calendar holds nothing
// of another's, and asking for another's is not found.
func TestCalendarListsWhatIsDueInTheWindow(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	today := domain.Today()
	a, clk := clocked(t, s, today)
	finding := func(as domain.Assessment, title string, days int) domain.Finding {
		t.Helper()
		f, err := a.CreateFinding(ctx, s.sup, store.NewFinding{AssessmentID: as.ID, Title: title, Severity: domain.SeverityMedium,
			Description: "Found on inspection.", DueAt: today.AddDays(days)})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	inA, inB := finding(s.a, "Patch the USSD gateway", 10), finding(s.b, "Rotate the HSM keys", 12)
	outA := finding(s.a, "Review agent onboarding", 200)
	w, err := a.CalendarWindow(today, today.AddDays(59))
	if err != nil {
		t.Fatal(err)
	}
	uids := func(actor domain.Actor, provider string) map[string]domain.CalendarEntry {
		t.Helper()
		cal, err := a.Calendar(ctx, actor, w, provider)
		if err != nil {
			t.Fatalf("%s's calendar: %v", actor.Email, err)
		}
		if cal.Truncated || cal.Through != w.To {
			t.Errorf("a small calendar is cut: %+v", cal)
		}
		out := map[string]domain.CalendarEntry{}
		for _, e := range cal.Entries {
			if !w.Contains(e.Day) {
				t.Errorf("%s lies outside the window", e.UID)
			}
			out[e.UID] = e
		}
		return out
	}
	campaignID := s.a.CampaignID
	sector := uids(s.sup, "")
	for _, uid := range []string{"finding-" + inA.ID + "-due", "finding-" + inB.ID + "-due", "campaign-" + campaignID + "-opens",
		"campaign-" + campaignID + "-due"} {
		if _, ok := sector[uid]; !ok {
			t.Errorf("the sector's calendar lacks %s: %v", uid, sector)
		}
	}
	if _, ok := sector["finding-"+outA.ID+"-due"]; ok {
		t.Error("a finding due outside the window is listed")
	}
	if len(sector) != 4 {
		t.Errorf("the sector's calendar holds %d entries, want 4", len(sector))
	}
	if e := sector["finding-"+inA.ID+"-due"]; e.ProviderID != s.a.ProviderID || e.Title != inA.Title || e.Overdue || e.Day != inA.DueAt {
		t.Errorf("finding entry = %+v", e)
	}

	for _, actor := range []domain.Actor{s.adminA, s.editorA} {
		own := uids(actor, "")
		if len(own) != 3 {
			t.Errorf("%s's calendar = %v, want the opening, A's filing and A's finding", actor.Email, own)
		}
		if e, ok := own["assessment-"+s.a.ID+"-due"]; !ok || e.ProviderID != s.a.ProviderID || e.Done {
			t.Errorf("%s's filing = %+v", actor.Email, e)
		}
		for uid, e := range own {
			if e.ProviderID != "" && e.ProviderID != s.a.ProviderID {
				t.Errorf("%s's calendar holds %s of another provider", actor.Email, uid)
			}
		}
		_, err := a.Calendar(ctx, actor, w, s.b.ProviderID)
		wantCode(t, actor.Email+" asking for B's calendar", err, domain.ENotFound)
	}
	if got := uids(s.auditor, s.b.ProviderID); len(got) != 3 || got["finding-"+inB.ID+"-due"].ObjectID != inB.ID {
		t.Errorf("the auditor's view of B = %v", got)
	}

	// Past its due date, A's finding and both filings are overdue.
	clk.set(today.AddDays(31))
	own, err := a.Calendar(ctx, s.editorA, w, "")
	if err != nil {
		t.Fatal(err)
	}
	overdue := map[string]bool{}
	for _, e := range own.Entries {
		overdue[e.UID] = e.Overdue
	}
	if !overdue["finding-"+inA.ID+"-due"] || !overdue["assessment-"+s.a.ID+"-due"] || overdue["campaign-"+campaignID+"-opens"] {
		t.Errorf("overdue on day 31 = %v", overdue)
	}

	_, err = a.Calendar(ctx, s.sup, domain.CalendarWindow{From: today, To: today.AddDays(400)}, "")
	wantCode(t, "a window of 401 days", err, domain.EInvalid)
	_, err = a.CalendarWindow(today, today.AddDays(-1))
	wantCode(t, "a window backwards", err, domain.EInvalid)
	admin := domain.Actor{UserID: s.sup.UserID, Role: domain.RoleAdmin}
	_, err = a.Calendar(ctx, admin, w, "")
	wantCode(t, "an admin's calendar", err, domain.EForbidden)
}

// TestCalendarListsIncidentDeadlines: each phase of an incident's report is
// on its provider's calendar and the sector's, at its hour, and on no other
// provider's.
func TestCalendarListsIncidentDeadlines(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	inc, err := s.app.ReportIncident(ctx, s.adminA, domain.NewIncident{ProviderID: s.a.ProviderID, Title: "USSD outage",
		DetectedAt: now.Add(-2 * time.Hour), ClassifiedAt: now.Add(-time.Hour), Facts: domain.IncidentFacts{
			Description: "The USSD gateway failed.", CustomersAffected: 500, DurationHours: 2, Channels: []string{domain.ChannelUSSD},
			Services: []string{domain.ServiceTransfers}, Threats: []string{"T6"}}})
	if err != nil {
		t.Fatal(err)
	}
	today := domain.Today()
	w, err := s.app.CalendarWindow(today, today.AddDays(59))
	if err != nil {
		t.Fatal(err)
	}
	entries := func(actor domain.Actor) map[string]domain.CalendarEntry {
		t.Helper()
		cal, err := s.app.Calendar(ctx, actor, w, "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]domain.CalendarEntry{}
		for _, e := range cal.Entries {
			out[e.UID] = e
		}
		return out
	}
	for _, actor := range []domain.Actor{s.sup, s.editorA} {
		got := entries(actor)
		for _, phase := range []domain.IncidentPhase{domain.PhaseInitial, domain.PhaseIntermediate, domain.PhaseFinal} {
			e, ok := got["incident-"+inc.ID+"-"+string(phase)]
			// Reporting the incident files its initial report: that deadline is met.
			if !ok || e.Kind != domain.CalendarIncidentReport || e.At == nil || e.ProviderID != s.a.ProviderID || e.Overdue ||
				e.Done != (phase == domain.PhaseInitial) {
				t.Errorf("%s's calendar: the %s report of the incident = %+v (%v)", actor.Email, phase, e, ok)
			}
		}
	}
	// The initial report is due four hours after classification.
	if e := entries(s.sup)["incident-"+inc.ID+"-initial"]; e.At != nil && !e.At.Equal(now.Add(3*time.Hour)) {
		t.Errorf("initial report due at %v, want %v", e.At, now.Add(3*time.Hour))
	}
	for uid := range entries(s.editorB) {
		if strings.HasPrefix(uid, "incident-") {
			t.Errorf("B's calendar holds A's incident deadline %s", uid)
		}
	}
}
