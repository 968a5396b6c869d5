package store_test

import (
	"context"
	"math"
	"testing"

	"assure/domain"
	"assure/store"
)

// rankRow returns the stored ranking row of a provider in the filing's campaign.
func (f *filing) rankRow(t *testing.T, providerID string) store.Priority {
	t.Helper()
	list, _, err := f.db.Priorities(context.Background(), f.sup, f.campaign.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.ProviderID == providerID {
			return p
		}
	}
	t.Fatalf("provider %s is not ranked", providerID)
	return store.Priority{}
}

// TestRecordInspectionMovesTheRanking: A and B, two tier-1 banks that have
// not filed, start level, both never inspected on site (15 each). An
// on-site inspection of A today takes its 15 away in the same transaction,
// so B ranks first; an off-site review of B changes nothing. A year later to
// the day, with no write, A's gap is 5; a correction that moves A's
// inspection four years back gives it 15 again, and the replaced record no
// longer counts.
func TestRecordInspectionMovesTheRanking(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	day := domain.Today()
	f.db.SetToday(func() domain.Date { return day })
	a, b := f.rankRow(t, f.a.id), f.rankRow(t, f.b.id)
	if a.Score != b.Score || a.Rank != 1 || a.Drivers.InspectionWeight != 15 || !a.Drivers.LastOnSite.IsZero() {
		t.Fatalf("before: A %+v, B %+v; want them level, A first by name, never inspected", a, b)
	}
	f.audit = newTrail(t, f.url)

	in, err := f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.a.id, HeldOn: day,
		Kind: domain.InspectionOnSite, LeadInspector: " A. Mensah ", Summary: "Data centre and key ceremony."})
	if err != nil {
		t.Fatal(err)
	}
	if in.LeadInspector != "A. Mensah" || in.RecordedBy != "sup@regulator.test" || in.HeldOn != day || !in.Counts() {
		t.Errorf("recorded %+v", in)
	}
	e := f.audit.one(t, ev{"inspection.record", "inspection", in.ID})
	sameInstant(t, "the inspection", in.RecordedAt, e)
	if e.ProviderID != f.a.id || summaryString(e, "kind") != "on_site" {
		t.Errorf("audit event %+v", e)
	}
	// The rows were recomputed by the write itself: nothing is stale.
	if n := count(t, f.url, `select count(*) from priorities where stale_from <= $1`, day.Time()); n != 0 {
		t.Errorf("%d rows stale after the inspection was recorded", n)
	}
	a2, b2 := f.rankRow(t, f.a.id), f.rankRow(t, f.b.id)
	// A loses exactly its 15: inspected today, 0 full years.
	if a2.Rank != 2 || b2.Rank != 1 || a2.Score != a.Score-15 || a2.Drivers.InspectionWeight != 0 ||
		a2.Drivers.LastOnSite != day || a2.Drivers.YearsSinceOnSite != 0 {
		t.Errorf("after A's inspection: A %+v, B %+v", a2, b2)
	}

	// An off-site review is on record but does not count.
	if _, err := f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.b.id, HeldOn: day,
		Kind: domain.InspectionOffSite, LeadInspector: "B. Diallo", Summary: "Desk review of the filing."}); err != nil {
		t.Fatal(err)
	}
	if b3 := f.rankRow(t, f.b.id); b3.Score != b2.Score || b3.Drivers.InspectionWeight != 15 {
		t.Errorf("after B's off-site review: %+v, want it unchanged", b3)
	}

	// A year later less a day, still 0 full years; on the anniversary, with
	// no write in between, 1 full year: 5. (The campaign fell due meanwhile:
	// both filings are overdue now, 15 each.)
	anniversary := domain.DateOf(day.Time().AddDate(1, 0, 0))
	day = anniversary.AddDays(-1)
	if a4 := f.rankRow(t, f.a.id); a4.Drivers.InspectionWeight != 0 || a4.Score != a2.Score+15 {
		t.Errorf("the day before the anniversary: %+v", a4.Drivers)
	}
	day = anniversary
	if a5 := f.rankRow(t, f.a.id); a5.Drivers.InspectionWeight != 5 || a5.Drivers.YearsSinceOnSite != 1 || a5.Score != a2.Score+15+5 {
		t.Errorf("on the anniversary: %+v, score %v", a5.Drivers, a5.Score)
	}

	// The inspection was in fact held four years before: put right by a new
	// record, which alone counts.
	fixed, err := f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.a.id, HeldOn: day.AddDays(-4 * 366),
		Kind: domain.InspectionOnSite, LeadInspector: "A. Mensah", Summary: "Data centre and key ceremony.", Replaces: in.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a6 := f.rankRow(t, f.a.id); a6.Drivers.InspectionWeight != 15 || a6.Drivers.LastOnSite != fixed.HeldOn {
		t.Errorf("after the correction: %+v", a6.Drivers)
	}
	list, next, err := f.db.Inspections(ctx, f.auditor, f.a.id, store.Page{})
	if err != nil || next != "" || len(list) != 2 || list[0].ID != in.ID || list[0].ReplacedBy != fixed.ID ||
		list[0].Counts() || list[1].Replaces != in.ID || !list[1].Counts() {
		t.Fatalf("A's inspections = %+v, %q, %v", list, next, err)
	}

	// A record is replaced once, by a record of its own provider.
	_, err = f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.a.id, HeldOn: day,
		Kind: domain.InspectionOnSite, LeadInspector: "A. Mensah", Summary: "Again.", Replaces: in.ID})
	if e := wantCode(t, "replacing a replaced record", err, domain.EInvalid); !problemAt(e, "body.replaces") {
		t.Errorf("problems %+v", e.Problems)
	}
	_, err = f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.b.id, HeldOn: day,
		Kind: domain.InspectionOnSite, LeadInspector: "A. Mensah", Summary: "Wrong provider.", Replaces: fixed.ID})
	if e := wantCode(t, "replacing another provider's record", err, domain.EInvalid); !problemAt(e, "body.replaces") {
		t.Errorf("problems %+v", e.Problems)
	}
	// Recorded inspections never change, whoever connects.
	if err := execErr(f.url, `update inspections set summary = 'rewritten'`); err == nil {
		t.Error("an inspection was changed")
	}
	if err := execErr(f.url, `delete from inspections`); err == nil {
		t.Error("an inspection was deleted")
	}
}

// TestRecordInspectionRules: every problem of a refused inspection is listed;
// a provider user cannot see another provider's inspections; a list pages.
func TestRecordInspectionRules(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	today := domain.Today()
	_, err := f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.a.id, HeldOn: today.AddDays(1),
		Kind: "remote", LeadInspector: "", Summary: " ", Replaces: "not-an-id"})
	e := wantCode(t, "a bad inspection", err, domain.EInvalid)
	for _, loc := range []string{"body.held_on", "body.kind", "body.lead_inspector", "body.summary", "body.replaces"} {
		if !problemAt(e, loc) {
			t.Errorf("no problem at %s: %+v", loc, e.Problems)
		}
	}
	_, err = f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: "0b5e6f1c-0000-4000-8000-000000000000",
		HeldOn: today, Kind: domain.InspectionOnSite, LeadInspector: "X", Summary: "Y"})
	wantCode(t, "an unknown provider", err, domain.ENotFound)
	for i := range 3 {
		if _, err := f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.a.id, HeldOn: today.AddDays(-i),
			Kind: domain.InspectionOnSite, LeadInspector: "X", Summary: "Visit."}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = f.db.Inspections(ctx, f.b.editor, f.a.id, store.Page{})
	wantCode(t, "another provider's inspections", err, domain.ENotFound)
	own, _, err := f.db.Inspections(ctx, f.a.editor, f.a.id, store.Page{})
	if err != nil || len(own) != 3 {
		t.Fatalf("the provider's own inspections = %d, %v", len(own), err)
	}
	var paged []domain.Inspection
	page := store.Page{Limit: 2}
	for {
		list, next, err := f.db.Inspections(ctx, f.sup, f.a.id, page)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, list...)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(paged) != 3 || paged[0].HeldOn != today || paged[2].HeldOn != today.AddDays(-2) {
		t.Errorf("pages = %+v", paged)
	}
	_, _, err = f.db.Inspections(ctx, f.sup, f.a.id, store.Page{Cursor: "WyJ4Il0"})
	wantCode(t, "a cursor the store did not make", err, domain.EInvalid)
}

// TestOverdueCriticalOutweighsLow: A's finding is critical, B's low, both
// due on the same day. Thirty-one days later both are 30 days overdue (age
// factor 1 + 30/30 = 2): A's findings weigh 8 × 2 = 16, B's 1 × 2 = 2, and
// A, level with B before, ranks first by the 14 between them.
func TestOverdueCriticalOutweighsLow(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	day := domain.Today()
	f.db.SetToday(func() domain.Date { return day })
	for _, c := range []struct {
		s        side
		severity domain.Severity
	}{{f.a, domain.SeverityCritical}, {f.b, domain.SeverityLow}} {
		if _, err := f.db.CreateFinding(ctx, f.sup, store.NewFinding{AssessmentID: c.s.assessment.ID, Title: "Weak keys",
			Severity: c.severity, Description: "Keys too short.", DueAt: day.AddDays(1)}); err != nil {
			t.Fatal(err)
		}
	}
	before := f.rankRow(t, f.b.id)
	day = day.AddDays(31)
	a, b := f.rankRow(t, f.a.id), f.rankRow(t, f.b.id)
	if a.Drivers.FindingsWeight != 16 || b.Drivers.FindingsWeight != 2 || a.OverdueFindings != 1 || b.OverdueFindings != 1 {
		t.Errorf("findings weights: A %v (%d), B %v (%d); want 16 and 2", a.Drivers.FindingsWeight, a.OverdueFindings,
			b.Drivers.FindingsWeight, b.OverdueFindings)
	}
	// B gained its 2 and, the campaign having fallen due, 15 for its filing.
	// Scores are in tenths: compare them as tenths, not as floats.
	tenths := func(x float64) int { return int(math.Round(10 * x)) }
	if a.Rank != 1 || b.Rank != 2 || tenths(a.Score)-tenths(b.Score) != 140 || tenths(b.Score) != tenths(before.Score)+170 {
		t.Errorf("A %v (rank %d), B %v (rank %d), B before %v", a.Score, a.Rank, b.Score, b.Rank, before.Score)
	}
}
