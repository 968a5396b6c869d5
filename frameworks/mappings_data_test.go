package frameworks_test

import (
	"slices"
	"testing"

	"assure/domain"
	"assure/frameworks"
)

// mappingFramework returns the framework a built-in mapping names on one
// side: a built-in one, or OWASP MASVS imported from the shared standards.
func mappingFramework(t *testing.T, side domain.MappedFramework) *domain.Framework {
	t.Helper()
	if side.ID == frameworks.MASVSFrameworkID {
		f := importMASVS(t, side.Version)
		if f.Version != side.Version {
			t.Fatalf("MASVS imported as version %q, want %q", f.Version, side.Version)
		}
		return f
	}
	f, err := frameworks.Builtin(side.ID, side.Version)
	if err != nil {
		t.Fatalf("framework %s %s: %v", side.ID, side.Version, err)
	}
	return f
}

// TestEmbeddedMappingsMatchTheirFrameworks checks the mappings built into
// the binary against the frameworks they relate: every control a link names
// exists on its side, no pair of controls is linked twice, and every item
// of the DFS app baseline is linked to X.1150.
func TestEmbeddedMappingsMatchTheirFrameworks(t *testing.T) {
	list, err := frameworks.EmbeddedMappings()
	if err != nil {
		t.Fatalf("EmbeddedMappings: %v %v", err, problemsOf(err))
	}
	var ids []string
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	want := []string{"dfs-app-baseline-x1150", "owasp-masvs-dfs-app-baseline", "sim-risk-x1150", "ss7-x1150"}
	if !slices.Equal(ids, want) {
		t.Errorf("embedded mappings = %v, want %v", ids, want)
	}
	for _, m := range list {
		t.Run(m.ID, func(t *testing.T) {
			if m.Version != "1.0" || m.Title == "" || m.Notes == "" {
				t.Errorf("mapping %s: version %q, title %q, notes %q", m.ID, m.Version, m.Title, m.Notes)
			}
			source, target := mappingFramework(t, m.Source), mappingFramework(t, m.Target)
			for _, p := range m.CheckAgainst(source, target) {
				t.Errorf("%s: %s", p.Location, p.Message)
			}
			seen := map[[2]string]bool{}
			for i, l := range m.Links {
				pair := [2]string{l.Source, l.Target}
				if seen[pair] {
					t.Errorf("links[%d]: %s → %s is linked twice", i, l.Source, l.Target)
				}
				seen[pair] = true
			}
			// The check refuses a link to a control its side lacks.
			broken := *m
			broken.Links = append([]domain.ControlLink{{Source: m.Links[0].Source, Target: "NO-SUCH-CONTROL",
				Relationship: domain.RelEqual, Strength: 5, Rationale: "x"}}, m.Links...)
			if ps := broken.CheckAgainst(source, target); len(ps) != 1 || ps[0].Location != "links[0].target" {
				t.Errorf("a missing target control gives problems %v", ps)
			}
		})
	}
}

// TestAppBaselineLinkedToX1150: the baseline was derived from X.1150, so
// every one of its items is related to at least one X.1150 control.
func TestAppBaselineLinkedToX1150(t *testing.T) {
	list, err := frameworks.EmbeddedMappings()
	if err != nil {
		t.Fatal(err)
	}
	var m *domain.Mapping
	for _, c := range list {
		if c.Source.ID == "dfs-app-baseline" && c.Target.ID == "x1150" {
			m = c
		}
	}
	if m == nil {
		t.Fatal("no built-in mapping from dfs-app-baseline to x1150")
	}
	baseline := mappingFramework(t, m.Source)
	linked := map[string]int{}
	for _, l := range m.Links {
		if l.Relationship != domain.RelNotRelated {
			linked[l.Source]++
		}
	}
	for _, c := range baseline.Controls {
		if linked[c.ID] == 0 {
			t.Errorf("baseline item %s (%s) has no link to X.1150", c.ID, c.Title)
		}
	}
	if len(baseline.Controls) != 24 {
		t.Errorf("baseline has %d items, want 24", len(baseline.Controls))
	}
}
