package e2e

import (
	"context"
	"os"
	"testing"

	"assure/domain"
	"assure/frameworks"
)

// testFrameworks: a provider's compliance officer browses a checklist
// framework (its groups and levels, no threats), narrows its controls to a
// level, and reads a mapping from it to X.1150; axe checks each page.
func testFrameworks(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	for _, file := range []string{"checklist.yaml", "mapping.yaml"} {
		data, err := os.ReadFile("../frameworks/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if file == "checklist.yaml" {
			f, err := frameworks.Parse(file, data)
			if err == nil {
				_, err = s.db.PublishFramework(ctx, domain.System("e2e"), f)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		m, err := frameworks.ParseMapping(file, data)
		if err == nil {
			_, err = s.db.PublishMapping(ctx, domain.System("e2e"), m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	p := s.newPage(t, "officer")
	p.signIn("p02-editor@demo.assure.local")
	p.navigate("/catalogs/test-checklist/1.0")
	p.waitText("#levels-list", "Defence in depth")
	axe(t, p)
	p.navigate("/catalogs/test-checklist/1.0/controls")
	p.setSelect("f-level", "L1")
	p.clickAndLoad(`#controls-filter button[type=submit]`)
	p.waitText("#controls-found", "APP-2")
	if n := eval[int](p, `document.querySelectorAll("#controls-found .control").length`); n != 2 {
		t.Errorf("level L1 shows %d controls, want 2", n)
	}
	axe(t, p)
	p.navigate("/catalogs/x1150/1.1/method")
	p.waitText("#keys-title", "Key controls")
	axe(t, p)
	p.navigate("/catalogs")
	p.clickAndLoad(`#mappings-list a[href="/mappings/test-checklist-x1150/1.0"]`)
	p.waitText("#mapping-links", "is a superset of")
	axe(t, p)
}
