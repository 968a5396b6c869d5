package domain_test

import (
	"testing"

	"assure/domain"
)

// TestCatalogChanges: added, removed and changed controls and threats, with
// the one field's values when only one changed.
func TestCatalogChanges(t *testing.T) {
	old := &domain.Framework{
		Threats:  []domain.Threat{{ID: "T1", Name: "Old name", Likelihood: 3, Impact: 4}, {ID: "T2", Name: "Gone"}},
		Controls: []domain.Control{{ID: "C1", Title: "One", AuditGroup: "access"}, {ID: "C2", Title: "Two"}, {ID: "C3", Title: "Three"}},
	}
	new := &domain.Framework{
		Threats: []domain.Threat{{ID: "T1", Name: "New name", Likelihood: 3, Impact: 5}},
		Controls: []domain.Control{{ID: "C1", Title: "One", AuditGroup: "authentication"}, {ID: "C2", Title: "Two", PolicyArea: "Cryptography"},
			{ID: "C4", Title: "Four"}},
	}
	got := domain.CatalogChanges(old, new)
	want := []domain.CatalogChange{
		{Kind: "control", ID: "C1", Change: "changed", Fields: []string{"audit_group"}, Before: "access", After: "authentication"},
		{Kind: "control", ID: "C2", Change: "changed", Fields: []string{"policy_area"}, After: "Cryptography"},
		{Kind: "control", ID: "C4", Change: "added"},
		{Kind: "control", ID: "C3", Change: "removed"},
		{Kind: "threat", ID: "T1", Change: "changed", Fields: []string{"name", "impact"}},
		{Kind: "threat", ID: "T2", Change: "removed"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes = %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.ID != w.ID || g.Change != w.Change || g.Before != w.Before || g.After != w.After ||
			len(g.Fields) != len(w.Fields) || (len(w.Fields) > 0 && g.Fields[len(g.Fields)-1] != w.Fields[len(w.Fields)-1]) {
			t.Errorf("change %d = %+v, want %+v", i, g, w)
		}
	}
	if n := len(domain.CatalogChanges(new, new)); n != 0 {
		t.Errorf("a version against itself has %d changes", n)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.0", "1.1", -1}, {"1.9", "1.10", -1}, {"2.0", "1.10", 1}, {"1.0", "1.0", 0}, {"1.0", "1.0.1", -1},
		{"2.1.0-20250926", "2.1.0-20251001", -1}, {"v2", "v10", 1}} {
		if got := domain.CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
