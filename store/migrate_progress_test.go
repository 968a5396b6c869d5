package store_test

import (
	"context"
	"io/fs"
	"testing"

	"assure/migrations"
)

// The progress counts migration fills the counts of assessments that were
// answered before it, on both bases: a draft, and a filing being revised
// whose latest submission differs from its answers now.
func TestProgressMigrationCountsTheAnswers(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	f.inReview(t, f.a)
	a := f.assessment(t, f.a.assessment.ID)
	if _, err := f.db.RequestChanges(ctx, f.sup, a.ID, "Explain the key management.", a.Version); err != nil {
		t.Fatal(err)
	}
	first := f.responses(t, f.b.editor, f.b.assessment.ID)[:3]
	for _, r := range first {
		if _, err := f.db.SaveResponse(ctx, f.b.editor, f.b.assessment.ID, r.ControlID, implemented("Done."), r.Version); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, f.url, `update assessment_risk set asked = 0, answered = 0`)
	for _, id := range []string{f.a.assessment.ID, f.b.assessment.ID} {
		if err := f.db.CheckScores(ctx, id); err == nil {
			t.Fatalf("%s: scores check passes with the counts cleared", id)
		}
	}
	sql, err := fs.ReadFile(migrations.FS, "018_assessment_progress.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, f.url, string(sql))
	for _, id := range []string{f.a.assessment.ID, f.b.assessment.ID} {
		if err := f.db.CheckScores(ctx, id); err != nil {
			t.Errorf("after the migration: %v", err)
		}
	}
	if got := f.assessment(t, f.b.assessment.ID); got.Answered != 3 || got.Applicable == 0 {
		t.Errorf("the draft shows %d of %d answered, want 3 of all", got.Answered, got.Applicable)
	}
}
