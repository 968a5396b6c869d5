package store_test

import (
	"context"
	"testing"

	"assure/domain"
	"assure/store"
)

// TestPrioritiesRankFiledProvidersFirst: a provider that has not filed has no
// compliance to rank by, so however high its inherent risk puts it, it comes
// after every provider that has filed, and shows no weakest dimensions even
// when its draft answers would score 0%.
func TestPrioritiesRankFiledProvidersFirst(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	f.submitted(t, f.a)
	// B answers a draft, every control not implemented, and does not file.
	var ups []store.ResponseUpdate
	for _, r := range f.responses(t, f.b.editor, f.b.assessment.ID) {
		ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.NotImplemented, RemediationDate: domain.Today().AddDays(90).String()}})
	}
	if _, err := f.db.SaveResponses(ctx, f.b.editor, f.b.assessment.ID, ups, "body.responses"); err != nil {
		t.Fatal(err)
	}
	// A was inspected on site today: its priority loses the 15 of a provider never inspected, so
	// that B, at its inherent risk, scores higher whatever A's answers earn.
	if _, err := f.db.RecordInspection(ctx, f.sup, domain.NewInspection{ProviderID: f.a.id, HeldOn: domain.Today(),
		Kind: domain.InspectionOnSite, LeadInspector: "A. Mensah", Summary: "Routine."}); err != nil {
		t.Fatal(err)
	}
	list, next, err := f.db.Priorities(ctx, f.sup, f.campaign.ID, store.Page{})
	if err != nil || next != "" || len(list) != 2 {
		t.Fatalf("priorities = %+v, %q, %v", list, next, err)
	}
	first, second := list[0], list[1]
	if first.ProviderID != f.a.id || !first.Filed || first.Rank != 1 {
		t.Errorf("first = %+v, want the filed provider A", first)
	}
	if second.ProviderID != f.b.id || second.Filed || second.Rank != 2 {
		t.Errorf("second = %+v, want the unfiled provider B", second)
	}
	// The order is not the scores': B, at its inherent risk, scores higher.
	if second.Score <= first.Score {
		t.Errorf("B scores %v, A %v: the fixture does not test the order", second.Score, first.Score)
	}
	if len(second.WorstDimensions) != 0 {
		t.Errorf("the unfiled provider has weakest dimensions %+v", second.WorstDimensions)
	}
	if len(first.WorstDimensions) == 0 || len(second.TopThreats) == 0 {
		t.Errorf("drivers missing: A %+v, B %+v", first.WorstDimensions, second.TopThreats)
	}
}
