package frameworks_test

import (
	"os"
	"strings"
	"testing"

	"assure/domain"
	"assure/frameworks"
)

// TestParseMapping reads the test mapping and refuses broken ones with
// every problem located.
func TestParseMapping(t *testing.T) {
	data, err := os.ReadFile("testdata/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := frameworks.ParseMapping("mapping.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Source.ID != "test-checklist" || m.Target.ID != "x1150" || len(m.Links) != 3 ||
		m.Links[0].Relationship != domain.RelSupersetOf || m.Links[0].Strength != 8 || !m.Links[2].Relationship.Covers() {
		t.Errorf("mapping = %+v", m)
	}
	broken := strings.NewReplacer("superset_of", "bigger_than", "strength: 5", "strength: 11",
		"    rationale: Both ask for a second factor at sign-in.\n", "", "target: {framework: x1150", "target: {framework: X 1150").
		Replace(string(data))
	_, err = frameworks.ParseMapping("broken.yaml", []byte(broken))
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid || len(e.Problems) != 4 {
		t.Fatalf("broken mapping: %v", err)
	}
	for i, want := range []string{"broken.yaml:6:", "links[0].relationship", "links[1].strength", "links[2].rationale"} {
		if !strings.Contains(e.Problems[i].Location, want) {
			t.Errorf("problem %d at %q, want %q", i, e.Problems[i].Location, want)
		}
	}
	if _, err := frameworks.EmbeddedMappings(); err != nil {
		t.Errorf("embedded mappings: %v", err)
	}
}

// TestMappingCheckedAgainstFrameworks: a link to a control a side lacks is
// a problem located at the link.
func TestMappingCheckedAgainstFrameworks(t *testing.T) {
	data, _ := os.ReadFile("testdata/mapping.yaml")
	m, err := frameworks.ParseMapping("mapping.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	checklistData, _ := os.ReadFile("testdata/checklist.yaml")
	checklist, err := frameworks.Parse("checklist.yaml", checklistData)
	if err != nil {
		t.Fatal(err)
	}
	x1150Data, _ := frameworks.Files.ReadFile("x1150.yaml")
	x1150, err := frameworks.Parse("x1150.yaml", x1150Data)
	if err != nil {
		t.Fatal(err)
	}
	if ps := m.CheckAgainst(checklist, x1150); len(ps) != 0 {
		t.Errorf("problems = %v", ps)
	}
	m.Links[1].Target = "C999"
	if ps := m.CheckAgainst(checklist, x1150); len(ps) != 1 || ps[0].Location != "links[1].target" {
		t.Errorf("problems = %v", ps)
	}
}
