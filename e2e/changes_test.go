package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
)

// testChangesRequested shows Nyota's administrator its assessment sent back
// by the supervisor: the supervisor's reason, the controls commented on
// highlighted with the comment, and the filter the notice links to, which
// shows those controls and no other.
func testChangesRequested(t *testing.T, env *suite) {
	s := newSite(t, env)
	sent := s.assessment(t, "Nyota")
	if sent.Status != domain.StatusChangesRequested {
		t.Fatalf("the demo's Nyota assessment is %s, want changes_requested", sent.Status)
	}
	want := flaggedControls(t, s, sent.ID, nyotaAdmin)
	if len(want) == 0 {
		t.Fatal("the demo's supervisor commented on none of Nyota's controls")
	}
	p := s.newPage(t, "admin")
	p.signIn(nyotaAdmin)
	p.navigate("/assessments/" + sent.ID)
	p.waitText(".notice", "The supervisor asked for changes")
	p.waitText(".notice .quote", "Several controls need test reports; see the comments on each.")
	axe(t, p)

	got := eval[[]string](p, `[...document.querySelectorAll("article.card.flagged")].map(c => c.id)`)
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("highlighted cards %q, want the controls commented on %q", got, want)
	}
	if n := eval[int](p, `[...document.querySelectorAll("article.card.flagged")].filter(c => !c.querySelector(".verdict")).length`); n != 0 {
		t.Errorf("%d highlighted cards do not show the supervisor's comment", n)
	}
	if eval[string](p, `getComputedStyle(document.querySelector("article.card.flagged")).borderTopWidth`) ==
		eval[string](p, `getComputedStyle(document.querySelector("article.card:not(.flagged)")).borderTopWidth`) {
		t.Error("a highlighted card looks like the others")
	}

	p.clickAndLoad(`.notice a[href="?flagged=1"]`)
	p.waitText(".count", fmt.Sprintf("%d controls shown", len(want)))
	shown := eval[[]string](p, `[...document.querySelectorAll("article.card")].map(c => c.id)`)
	if slices.Sort(shown); !slices.Equal(shown, want) {
		t.Errorf("the filter shows %q, want only the controls commented on %q", shown, want)
	}
	if !eval[bool](p, `document.getElementById("f-flagged").checked`) {
		t.Error("the filter's box for the supervisor's comments is not ticked")
	}
	axe(t, p)
}

// flaggedControls lists, sorted, the card ids of the controls the
// supervisor asked about (needs information or rejected).
func flaggedControls(t *testing.T, s *site, assessmentID, email string) []string {
	t.Helper()
	ctx := context.Background()
	actor := s.actor(t, email)
	all, err := store.All(func(pg store.Page) ([]domain.Response, string, error) {
		return s.db.Responses(ctx, actor, assessmentID, store.ResponseFilter{}, pg)
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range all {
		if r.Verdict == domain.NeedsInfo || r.Verdict == domain.Rejected {
			out = append(out, "control-"+r.ControlID)
		}
	}
	slices.Sort(out)
	return out
}
