package store_test

import (
	"context"
	"encoding/base64"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
)

// TestListsPageByUUID: lists compare ids as uuids. Paging one item at a time
// visits every item once, in order; a provider user's list holds only its
// own rows; a filter or cursor id that is not a uuid is EInvalid, never a
// server error.
func TestListsPageByUUID(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	controls := f.responses(t, f.sup, f.a.assessment.ID)
	var raised []string
	for i, s := range []side{f.a, f.a, f.a, f.b} {
		raised = append(raised, f.raise(t, s, controls[i].ControlID, "Finding").ID)
	}
	ids := func(list []domain.Finding) []string {
		var out []string
		for _, fi := range list {
			out = append(out, fi.ID)
		}
		return out
	}
	onePage := func(actor domain.Actor, ff store.FindingFilter) []string {
		all, err := store.All(func(p store.Page) ([]domain.Finding, string, error) {
			p.Limit = 1
			return f.db.Findings(ctx, actor, ff, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids(all)
	}
	// All findings are due the same day, so the order is the ids' order.
	want := slices.Clone(raised)
	slices.Sort(want)
	if got := onePage(f.sup, store.FindingFilter{}); !slices.Equal(got, want) {
		t.Errorf("findings page by page = %v, want %v", got, want)
	}
	ofA := slices.Clone(raised[:3])
	slices.Sort(ofA)
	if got := onePage(f.sup, store.FindingFilter{AssessmentID: f.a.assessment.ID}); !slices.Equal(got, ofA) {
		t.Errorf("findings of assessment A = %v, want %v", got, ofA)
	}
	if got := onePage(f.a.admin, store.FindingFilter{}); !slices.Equal(got, ofA) {
		t.Errorf("provider A's findings = %v, want %v", got, ofA)
	}
	if got := onePage(f.b.admin, store.FindingFilter{AssessmentID: f.a.assessment.ID}); len(got) != 0 {
		t.Errorf("provider B sees A's findings %v", got)
	}

	badCursor := base64.RawURLEncoding.EncodeToString([]byte(`["2030-01-01T00:00:00Z","not-a-uuid"]`))
	_, _, err := f.db.Findings(ctx, f.sup, store.FindingFilter{}, store.Page{Cursor: badCursor})
	wantCode(t, "findings after a cursor without a uuid", err, domain.EInvalid)
	_, _, err = f.db.Findings(ctx, f.sup, store.FindingFilter{AssessmentID: "x'; --"}, store.Page{})
	wantCode(t, "findings of an assessment that is no uuid", err, domain.EInvalid)

	assessments, err := store.All(func(p store.Page) ([]domain.Assessment, string, error) {
		p.Limit = 1
		return f.db.Assessments(ctx, f.sup, store.AssessmentFilter{CampaignID: f.campaign.ID}, p)
	})
	if err != nil || len(assessments) != 2 {
		t.Errorf("the campaign's assessments page by page: %d, %v; want 2", len(assessments), err)
	}
	own, _, err := f.db.Assessments(ctx, f.b.admin, store.AssessmentFilter{}, store.Page{})
	if err != nil || len(own) != 1 || own[0].ID != f.b.assessment.ID {
		t.Errorf("provider B's assessments = %v, %v; want its own", own, err)
	}
	badCursor = base64.RawURLEncoding.EncodeToString([]byte(`["Alpha","zz"]`))
	_, _, err = f.db.Assessments(ctx, f.sup, store.AssessmentFilter{}, store.Page{Cursor: badCursor})
	wantCode(t, "assessments after a cursor without a uuid", err, domain.EInvalid)
	_, _, err = f.db.Assessments(ctx, f.sup, store.AssessmentFilter{CampaignID: "nope"}, store.Page{})
	wantCode(t, "assessments of a campaign that is no uuid", err, domain.EInvalid)

	providers, err := store.All(func(p store.Page) ([]domain.Provider, string, error) {
		p.Limit = 1
		return f.db.Providers(ctx, f.sup, store.ProviderFilter{}, p)
	})
	if err != nil || len(providers) != 2 || providers[0].ShortName > providers[1].ShortName {
		t.Errorf("providers page by page: %v, %v; want both by name", providers, err)
	}
	_, _, err = f.db.Providers(ctx, f.sup, store.ProviderFilter{}, store.Page{Cursor: badCursor})
	wantCode(t, "providers after a cursor without a uuid", err, domain.EInvalid)
}
