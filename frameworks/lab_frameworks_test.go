package frameworks_test

import (
	"slices"
	"testing"

	"assure/domain"
	"assure/frameworks"
)

// labFramework parses one of the checklist frameworks written from the DFS
// Security Lab's recommendations and checks what every checklist shares: no
// threats, and control ids and sections used once each.
func labFramework(t *testing.T, name, id string) *domain.Framework {
	t.Helper()
	data, err := frameworks.Files.ReadFile(name)
	if err != nil {
		t.Fatalf("%s is not embedded: %v", name, err)
	}
	f, err := frameworks.Parse(name, data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if f.ID != id {
		t.Errorf("%s has id %q, want %q", name, f.ID, id)
	}
	if f.HasThreats() {
		t.Errorf("%s defines %d threats; a checklist has none", name, len(f.Threats))
	}
	ids := map[string]bool{}
	sections := map[string]bool{}
	for _, c := range f.Controls {
		if ids[c.ID] {
			t.Errorf("%s: control id %s is used twice", name, c.ID)
		}
		ids[c.ID] = true
		if sections[c.Section] {
			t.Errorf("%s: section %s is used twice", name, c.Section)
		}
		sections[c.Section] = true
		if c.PrimaryThreat != "" || len(c.OtherThreats) > 0 || len(c.Dimensions) > 0 {
			t.Errorf("%s: control %s names threats or dimensions", name, c.ID)
		}
	}
	return f
}

// byGroup counts the controls of each audit group.
func byGroup(f *domain.Framework) map[string]int {
	n := map[string]int{}
	for _, c := range f.Controls {
		n[c.AuditGroup]++
	}
	return n
}

func TestAppBaselineFramework(t *testing.T) {
	f := labFramework(t, "dfs-app-baseline.yaml", "dfs-app-baseline")
	if got := len(f.AuditGroups); got != 5 {
		t.Errorf("audit groups = %d, want 5", got)
	}
	if got := len(f.Controls); got != 24 {
		t.Errorf("controls = %d, want 24", got)
	}
	// The source's five pages, in the order of its table of contents, with
	// the number of recommendations each holds.
	want := []struct {
		group string
		items int
	}{{"integrity", 3}, {"communication", 7}, {"authentication", 4}, {"data", 7}, {"development", 3}}
	counts := byGroup(f)
	for i, w := range want {
		if i < len(f.AuditGroups) && f.AuditGroups[i].ID != w.group {
			t.Errorf("audit group %d = %s, want %s", i+1, f.AuditGroups[i].ID, w.group)
		}
		if counts[w.group] != w.items {
			t.Errorf("audit group %s has %d controls, want %d", w.group, counts[w.group], w.items)
		}
	}
	for _, c := range f.Controls {
		if !slices.Equal(c.Channels, []string{domain.ChannelApp}) {
			t.Errorf("control %s has channels %v, want the app channel only", c.ID, c.Channels)
		}
	}
}

// partyFramework checks a framework whose controls are split between the
// mobile network operator, the DFS provider and the regulator: each party is
// an implementer, each has its own audit group holding the given number of
// controls, and each control of a party's group is carried out (at least) by
// that party.
func partyFramework(t *testing.T, name, id string, want map[string]int) {
	t.Helper()
	f := labFramework(t, name, id)
	parties := []string{"mno", "dfs_provider", "regulator"}
	var impls []string
	for _, m := range f.Implementers {
		impls = append(impls, m.ID)
	}
	for _, p := range parties {
		if !slices.Contains(impls, p) {
			t.Errorf("%s: implementer %s is not defined", name, p)
		}
	}
	carried := map[string]int{}
	for _, c := range f.Controls {
		for _, m := range c.Implementers {
			carried[m]++
		}
		if slices.Contains(parties, c.AuditGroup) && !slices.Contains(c.Implementers, c.AuditGroup) {
			t.Errorf("%s: control %s is in the %s group but not carried out by that party", name, c.ID, c.AuditGroup)
		}
	}
	counts := byGroup(f)
	total := 0
	for _, p := range parties {
		if carried[p] == 0 {
			t.Errorf("%s: no control is carried out by %s", name, p)
		}
		if counts[p] != want[p] {
			t.Errorf("%s: the %s group has %d controls, want %d", name, p, counts[p], want[p])
		}
		total += want[p]
	}
	if len(f.Controls) != total {
		t.Errorf("%s: controls = %d, want %d", name, len(f.Controls), total)
	}
}

func TestSIMRiskFramework(t *testing.T) {
	partyFramework(t, "sim-risk.yaml", "sim-risk",
		map[string]int{"mno": 10, "dfs_provider": 3, "regulator": 2})
}

func TestSS7Framework(t *testing.T) {
	partyFramework(t, "ss7.yaml", "ss7",
		map[string]int{"mno": 7, "dfs_provider": 5, "regulator": 7})
}

func TestEmbeddedHoldsTheLabFrameworks(t *testing.T) {
	list, err := frameworks.Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	var ids []string
	for _, f := range list {
		ids = append(ids, f.ID+"@"+f.Version)
	}
	slices.Sort(ids)
	if want := []string{"dfs-app-baseline@1.0", "sim-risk@1.0", "ss7@1.0", "x1150@1.0", "x1150@1.1"}; !slices.Equal(ids, want) {
		t.Errorf("embedded frameworks = %v, want %v", ids, want)
	}
}
