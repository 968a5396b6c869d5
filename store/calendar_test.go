package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"assure/domain"
	"assure/store"
)

// TestCalendarDatesStayInTheirWindowAndScope: the calendar's queries read
// the campaigns and findings whose days fall in the window, and no others;
// a provider user reads their own provider's only, whatever provider they
// name; a limit says there was more.
func TestCalendarDatesStayInTheirWindowAndScope(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	today := domain.Today()
	finding := func(s side, title string, days int) domain.Finding {
		t.Helper()
		fd, err := f.db.CreateFinding(ctx, f.sup, store.NewFinding{AssessmentID: s.assessment.ID, Title: title,
			Severity: domain.SeverityHigh, Description: "Found.", DueAt: today.AddDays(days)})
		if err != nil {
			t.Fatal(err)
		}
		return fd
	}
	inA, inB, lateA := finding(f.a, "Alpha in", 10), finding(f.b, "Beta in", 20), finding(f.a, "Alpha later", 50)
	draft, err := f.db.CreateCampaign(ctx, f.sup, domain.Campaign{Name: "Draft opening soon", FrameworkID: "x1150",
		ProviderIDs: []string{f.a.id}, OpensAt: today.AddDays(5), DueAt: today.AddDays(45)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateCampaign(ctx, f.sup, domain.Campaign{Name: "Draft far away", FrameworkID: "x1150",
		ProviderIDs: []string{f.a.id}, OpensAt: today.AddDays(60), DueAt: today.AddDays(90)}); err != nil {
		t.Fatal(err)
	}
	window := store.CalendarFilter{Window: domain.CalendarWindow{From: today, To: today.AddDays(40)}}

	findings := func(actor domain.Actor, filter store.CalendarFilter) []string {
		t.Helper()
		list, _, err := f.db.FindingDates(ctx, actor, filter)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, fd := range list {
			ids = append(ids, fd.ID)
		}
		return ids
	}
	campaigns := func(actor domain.Actor, filter store.CalendarFilter) []store.CampaignDate {
		t.Helper()
		list, _, err := f.db.CampaignDates(ctx, actor, filter)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}

	if got := findings(f.sup, window); !slices.Equal(got, []string{inA.ID, inB.ID}) {
		t.Errorf("the sector's findings in the window = %v, want %s and %s (not %s)", got, inA.ID, inB.ID, lateA.ID)
	}
	sector := campaigns(f.sup, window)
	if len(sector) != 2 || sector[0].Campaign.ID != draft.ID || sector[1].Campaign.ID != f.campaign.ID ||
		sector[1].Unfiled != 2 || sector[1].AssessmentID != "" {
		t.Errorf("the sector's campaigns = %+v", sector)
	}

	for _, actor := range []domain.Actor{f.a.editor, f.a.admin} {
		for _, name := range []string{"", f.a.id} {
			got := findings(actor, store.CalendarFilter{Window: window.Window, ProviderID: name})
			if !slices.Equal(got, []string{inA.ID}) {
				t.Errorf("%s's findings (naming %q) = %v", actor.Email, name, got)
			}
			own := campaigns(actor, store.CalendarFilter{Window: window.Window, ProviderID: name})
			if len(own) != 1 || own[0].AssessmentID != f.a.assessment.ID || own[0].ProviderID != f.a.id ||
				own[0].AssessmentStatus != domain.StatusDraft || own[0].Unfiled != 1 {
				t.Errorf("%s's campaigns = %+v", actor.Email, own)
			}
		}
		other := store.CalendarFilter{Window: window.Window, ProviderID: f.b.id}
		if got := findings(actor, other); len(got) != 0 {
			t.Errorf("%s reads provider B's findings: %v", actor.Email, got)
		}
		if got := campaigns(actor, other); len(got) != 0 {
			t.Errorf("%s reads provider B's filing: %+v", actor.Email, got)
		}
	}
	one := campaigns(f.sup, store.CalendarFilter{Window: window.Window, ProviderID: f.b.id})
	if len(one) != 1 || one[0].AssessmentID != f.b.assessment.ID {
		t.Errorf("the supervisor's view of B = %+v", one)
	}

	list, more, err := f.db.FindingDates(ctx, f.sup, store.CalendarFilter{Window: window.Window, Limit: 1})
	if err != nil || len(list) != 1 || !more || list[0].ID != inA.ID {
		t.Errorf("one finding of two = %v more %v, %v", list, more, err)
	}
	_, _, err = f.db.FindingDates(ctx, f.sup, store.CalendarFilter{Window: window.Window, ProviderID: "nope"})
	wantCode(t, "a provider that is no id", err, domain.EInvalid)
	_, _, err = f.db.CampaignDates(ctx, domain.Actor{}, window)
	if err == nil {
		t.Error("an actor without a scope read the calendar")
	}
}

// TestCampaignSeriesMakesEachOccurrenceOnce: a series makes its campaign
// from its lead time on, once however many runs race for it, asks for none
// while paused, and lists the drafts whose day has come to be opened.
func TestCampaignSeriesMakesEachOccurrenceOnce(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	today := domain.Today()
	def := domain.CampaignSeries{Name: "Annual self-assessment", FrameworkID: "x1150", Kinds: []domain.ProviderKind{domain.KindBank},
		EveryMonths: 12, FirstOpensOn: today.AddDays(20), DueAfterDays: 30, LeadDays: 14}

	_, err := f.db.CreateCampaignSeries(ctx, f.a.admin, def, today)
	wantCode(t, "a provider user's series", err, domain.EForbidden)
	bad := def
	bad.FrameworkID, bad.FirstOpensOn = "nope", today.AddDays(-1)
	_, err = f.db.CreateCampaignSeries(ctx, f.sup, bad, today)
	if e := wantCode(t, "a series of the past", err, domain.EInvalid); e != nil && !problemAt(e, "body.first_opens_on") {
		t.Errorf("problems = %v", e.Problems)
	}
	bad.FirstOpensOn = today
	_, err = f.db.CreateCampaignSeries(ctx, f.sup, bad, today)
	if e := wantCode(t, "a series of an unknown framework", err, domain.EInvalid); e != nil && !problemAt(e, "body.framework") {
		t.Errorf("problems = %v", e.Problems)
	}
	f.audit.expect(t)

	s, err := f.db.CreateCampaignSeries(ctx, f.sup, def, today)
	if err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"campaign_series.create", "campaign_series", s.ID})
	if s.NextOccurrence != 0 || s.Campaigns != 0 || s.Status != domain.SeriesActive {
		t.Errorf("new series = %+v", s)
	}
	_, err = f.db.CampaignSeries(ctx, f.a.editor, s.ID)
	wantCode(t, "a provider user reading a series", err, domain.ENotFound)

	system := domain.System("campaign-series")
	if _, made, err := f.db.MakeSeriesCampaign(ctx, system, s.ID, today.AddDays(5)); err != nil || made {
		t.Fatalf("before its lead time: made %v, %v", made, err)
	}
	first, made, err := f.db.MakeSeriesCampaign(ctx, system, s.ID, today.AddDays(6))
	if err != nil || !made {
		t.Fatalf("on its day: made %v, %v", made, err)
	}
	if first.Name != def.OccurrenceName(0) || first.OpensAt != def.FirstOpensOn || first.DueAt != def.FirstOpensOn.AddDays(30) ||
		first.Status != domain.CampaignDraft || first.SeriesID != s.ID || first.Occurrence != 0 {
		t.Errorf("first campaign = %+v", first)
	}
	e := f.audit.one(t, ev{"campaign.create", "campaign", first.ID})
	if summaryString(e, "series_id") != s.ID {
		t.Errorf("the campaign's event does not name its series: %v", e.Summary)
	}
	if _, made, err := f.db.MakeSeriesCampaign(ctx, system, s.ID, today.AddDays(6)); err != nil || made {
		t.Fatalf("a second run the same day: made %v, %v", made, err)
	}

	// Runs racing on the second occurrence's day make it once.
	next := def.MadeOn(1)
	var wg sync.WaitGroup
	results := make([]bool, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i], errs[i] = f.db.MakeSeriesCampaign(ctx, system, s.ID, next)
		}()
	}
	wg.Wait()
	if n := count(t, f.url, `select count(*) from campaigns where series_id = $1`, s.ID); n != 2 {
		t.Errorf("%d campaigns after racing runs, want 2 (%v %v)", n, results, errors.Join(errs...))
	}
	if made := slices.Index(results, true); made < 0 || slices.Contains(results[made+1:], true) || errors.Join(errs...) != nil {
		t.Errorf("runs that made the campaign: %v (%v)", results, errors.Join(errs...))
	}

	// The first draft is listed to open on its day, until it is asked to.
	if list, err := f.db.SeriesCampaignsToOpen(ctx, def.FirstOpensOn.AddDays(-1)); err != nil || len(list) != 0 {
		t.Errorf("before its day: %v, %v", list, err)
	}
	list, err := f.db.SeriesCampaignsToOpen(ctx, def.FirstOpensOn)
	if err != nil || len(list) != 1 || list[0].CampaignID != first.ID || list[0].SeriesID != s.ID {
		t.Fatalf("on its day: %v, %v", list, err)
	}
	if _, err := f.db.QueueOpening(ctx, system, first.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := f.db.SeriesCampaignsToOpen(ctx, def.FirstOpensOn); err != nil || len(list) != 0 {
		t.Errorf("once asked to open: %v, %v", list, err)
	}

	paused, err := f.db.SetCampaignSeriesStatus(ctx, f.sup, s.ID, domain.SeriesPaused)
	if err != nil || paused.Status != domain.SeriesPaused || paused.NextOccurrence != 2 || paused.Campaigns != 2 {
		t.Fatalf("paused = %+v, %v", paused, err)
	}
	if _, made, err := f.db.MakeSeriesCampaign(ctx, system, s.ID, def.MadeOn(2)); err != nil || made {
		t.Errorf("a paused series made a campaign: %v, %v", made, err)
	}
	if list, err := f.db.SeriesCampaignsToOpen(ctx, def.OpensOn(1)); err != nil || len(list) != 0 {
		t.Errorf("a paused series' draft is listed to open: %v, %v", list, err)
	}
	campaigns, _, err := f.db.SeriesCampaigns(ctx, f.sup, s.ID, store.Page{Limit: 1})
	if err != nil || len(campaigns) != 1 || campaigns[0].Occurrence != 1 {
		t.Errorf("the series' latest campaign = %+v, %v", campaigns, err)
	}

	// A failure is kept and recorded once, whatever the number of runs.
	f.audit = newTrail(t, f.url)
	for range 3 {
		if err := f.db.RecordSeriesFailure(ctx, s.ID, "no active provider is in scope"); err != nil {
			t.Fatal(err)
		}
	}
	f.audit.one(t, ev{"campaign_series.failed", "campaign_series", s.ID})
	if got, _ := f.db.CampaignSeries(ctx, f.auditor, s.ID); got.LastError != "no active provider is in scope" {
		t.Errorf("last error = %q", got.LastError)
	}
}

// TestCalendarFeedSecrets: a feed's secret is stored hashed, reads its
// owner as they stand, signs nobody in, and stops working once rotated or
// revoked, or when its owner is disabled.
func TestCalendarFeedSecrets(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	if _, ok, err := f.db.CalendarFeed(ctx, f.a.editor); err != nil || ok {
		t.Fatalf("a feed before any: %v, %v", ok, err)
	}
	secret, feed, err := f.db.CreateCalendarFeed(ctx, f.a.editor)
	if err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"calendar_feed.create", "calendar_feed", feed.ID})
	if !strings.HasPrefix(secret, domain.CalendarFeedPrefix) || len(secret) < 40 {
		t.Errorf("secret %q", secret)
	}
	if n := count(t, f.url, `select count(*) from calendar_feeds where token_hash = $1`, domain.HashToken(secret)); n != 1 {
		t.Errorf("%d feeds stored under the secret's hash", n)
	}
	if n := count(t, f.url, `select count(*) from calendar_feeds where position($1::bytea in token_hash) > 0`, []byte(secret)); n != 0 {
		t.Error("the secret itself is stored")
	}
	r, err := f.db.CalendarFeedReader(ctx, secret)
	if err != nil || r.Actor.UserID != f.a.editor.UserID || r.Actor.ProviderID != f.a.id || r.Actor.Role != domain.RoleProviderEditor {
		t.Fatalf("reader = %+v, %v", r, err)
	}
	if _, err := f.db.Authenticate(ctx, secret); domain.ErrorCodeOf(err) != domain.EUnauthorized {
		t.Errorf("a feed's secret signs in: %v", err)
	}

	rotated, again, err := f.db.CreateCalendarFeed(ctx, f.a.editor)
	if err != nil {
		t.Fatal(err)
	}
	f.audit.expect(t, ev{"calendar_feed.revoke", "calendar_feed", feed.ID}, ev{"calendar_feed.create", "calendar_feed", again.ID})
	_, err = f.db.CalendarFeedReader(ctx, secret)
	wantCode(t, "the rotated secret", err, domain.ENotFound)
	if _, err := f.db.CalendarFeedReader(ctx, rotated); err != nil {
		t.Errorf("the new secret: %v", err)
	}
	if err := f.db.RevokeCalendarFeed(ctx, f.a.editor); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"calendar_feed.revoke", "calendar_feed", again.ID})
	_, err = f.db.CalendarFeedReader(ctx, rotated)
	wantCode(t, "the revoked secret", err, domain.ENotFound)
	if err := f.db.RevokeCalendarFeed(ctx, f.a.editor); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	f.audit.expect(t)

	live, _, err := f.db.CreateCalendarFeed(ctx, f.a.editor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DisableUser(ctx, f.a.admin, f.a.editor.UserID); err != nil {
		t.Fatal(err)
	}
	_, err = f.db.CalendarFeedReader(ctx, live)
	wantCode(t, "a disabled user's feed", err, domain.ENotFound)
	for _, junk := range []string{"", "assure_cal_", "assure_pat_x", strings.Repeat("a", 200)} {
		_, err = f.db.CalendarFeedReader(ctx, junk)
		wantCode(t, "junk "+junk, err, domain.ENotFound)
	}
}
