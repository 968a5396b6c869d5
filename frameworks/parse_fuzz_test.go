package frameworks

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"assure/domain"
)

// FuzzParse feeds arbitrary bytes to the framework parser. Seeds are the
// shipped catalog, the broken test file and the committed corpus in
// testdata/fuzz/FuzzParse. Parse must never panic; a refusal is an EInvalid
// *domain.Error listing located problems; an accepted framework keeps every
// rule the checker promises, and parsing is deterministic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"x1150.yaml", "testdata/broken.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		fw, err := Parse(name, data)
		if err != nil {
			e, ok := domain.AsError(err)
			if !ok || e.Code != domain.EInvalid {
				t.Fatalf("Parse error %v (%T) is not an EInvalid domain error", err, err)
			}
			if fw != nil {
				t.Fatal("Parse returned a framework with its error")
			}
			if e.Message == "" || len(e.Problems) == 0 {
				t.Fatalf("refusal %q names no problem", e.Message)
			}
			for _, p := range e.Problems {
				if !strings.HasPrefix(p.Location, name) || p.Message == "" {
					t.Fatalf("problem %+v is not located in %s or says nothing", p, name)
				}
			}
			return
		}
		checkFramework(t, fw)
		again, err := Parse(name, data)
		if err != nil || !reflect.DeepEqual(fw, again) || fw.Digest() != again.Digest() {
			t.Fatalf("a second parse differs: %v", err)
		}
	})
}

// checkFramework checks the invariants of an accepted framework: ids are
// well formed and unique, every reference names something defined, every
// control mitigates a defined threat and every threat is mitigated.
func checkFramework(t *testing.T, fw *domain.Framework) {
	t.Helper()
	if !slugPattern.MatchString(fw.ID) || fw.Version == "" || strings.TrimSpace(fw.Title) == "" {
		t.Fatalf("framework id %q, version %q, title %q", fw.ID, fw.Version, fw.Title)
	}
	ids := func(what string, list []string) map[string]bool {
		if len(list) == 0 {
			t.Fatalf("no %s", what)
		}
		seen := map[string]bool{}
		for _, id := range list {
			if id == "" || seen[id] {
				t.Fatalf("%s id %q is empty or repeated", what, id)
			}
			seen[id] = true
		}
		return seen
	}
	entryIDs := func(what string, n int, id func(int) string) map[string]bool {
		list := make([]string, n)
		for i := range list {
			list[i] = id(i)
		}
		return ids(what, list)
	}
	dims := entryIDs("dimension", len(fw.Dimensions), func(i int) string { return fw.Dimensions[i].ID })
	stages := entryIDs("stage", len(fw.Stages), func(i int) string { return fw.Stages[i].ID })
	impls := entryIDs("implementer", len(fw.Implementers), func(i int) string { return fw.Implementers[i].ID })
	groups := entryIDs("audit group", len(fw.AuditGroups), func(i int) string { return fw.AuditGroups[i].ID })
	threats := entryIDs("threat", len(fw.Threats), func(i int) string { return fw.Threats[i].ID })
	entryIDs("control", len(fw.Controls), func(i int) string { return fw.Controls[i].ID })
	entryIDs("section", len(fw.Controls), func(i int) string { return fw.Controls[i].Section })

	refs := func(owner, what string, list []string, known map[string]bool) {
		if len(list) == 0 {
			t.Fatalf("%s lists no %s", owner, what)
		}
		for _, id := range list {
			if !known[id] {
				t.Fatalf("%s names %s %q, which is not defined", owner, what, id)
			}
		}
	}
	numbers := map[int]bool{}
	for _, th := range fw.Threats {
		if th.Number < 1 || numbers[th.Number] {
			t.Fatalf("threat %s has number %d", th.ID, th.Number)
		}
		numbers[th.Number] = true
		for _, v := range []int{th.Likelihood, th.Impact} {
			if v < domain.RiskScaleMin || v > domain.RiskScaleMax {
				t.Fatalf("threat %s has a value %d off the scale", th.ID, v)
			}
		}
		refs("threat "+th.ID, "stage", th.Stages, stages)
		refs("threat "+th.ID, "dimension", th.Dimensions, dims)
	}
	mitigated := map[string]bool{}
	for _, c := range fw.Controls {
		refs("control "+c.ID, "dimension", c.Dimensions, dims)
		refs("control "+c.ID, "implementer", c.Implementers, impls)
		refs("control "+c.ID, "threat", c.Threats(), threats)
		for _, th := range c.Threats() {
			mitigated[th] = true
		}
		if !groups[c.AuditGroup] {
			t.Fatalf("control %s is in audit group %q, which is not defined", c.ID, c.AuditGroup)
		}
		for _, ch := range c.Channels {
			if !domain.ValidChannel(ch) {
				t.Fatalf("control %s names channel %q", c.ID, ch)
			}
		}
		if c.Question == "" || c.Evidence == "" || c.Title == "" || c.Description == "" {
			t.Fatalf("control %s lacks a required text", c.ID)
		}
	}
	for id := range threats {
		if !mitigated[id] {
			t.Fatalf("threat %s is mitigated by no control", id)
		}
	}
}
