package store_test

import (
	"context"
	"os"
	"testing"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
	"assure/store/storetest"
)

// publishTestMapping publishes the test checklist and its mapping to X.1150
// 1.0 on db, and returns the mapping.
func publishTestMapping(t *testing.T, db *store.DB) *domain.Mapping {
	t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile("../frameworks/testdata/checklist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frameworks.Parse("checklist.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishFramework(ctx, domain.System("test"), f); err != nil {
		t.Fatal(err)
	}
	if data, err = os.ReadFile("../frameworks/testdata/mapping.yaml"); err != nil {
		t.Fatal(err)
	}
	m, err := frameworks.ParseMapping("mapping.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.PublishMapping(ctx, domain.System("test"), m); err != nil || got != store.Published {
		t.Fatalf("publish mapping = %v, %v", got, err)
	}
	return m
}

// TestMappingsPublishedAndRead: a mapping publishes once, lists with its
// sides, pages its links, finds a control's links from either side, and
// refuses other content under its version and links to missing controls.
func TestMappingsPublishedAndRead(t *testing.T) {
	t.Parallel()
	db, _ := storetest.New(t)
	ctx := context.Background()
	m := publishTestMapping(t, db)
	if got, err := db.PublishMapping(ctx, domain.System("test"), m); err != nil || got != store.AlreadyUpToDate {
		t.Fatalf("second publish = %v, %v", got, err)
	}
	changed := *m
	changed.Links = append([]domain.ControlLink(nil), m.Links...)
	changed.Links[0].Strength = 2
	if _, err := db.PublishMapping(ctx, domain.System("test"), &changed); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("other content under the same version: %v", err)
	}
	changed.Version, changed.Links[0].Target = "2.0", "C999"
	if _, err := db.PublishMapping(ctx, domain.System("test"), &changed); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a link to a missing control: %v", err)
	}
	changed.Links[0].Target, changed.Target.Version = "C1", "9.9"
	if got, err := db.PublishMapping(ctx, domain.System("test"), &changed); err != nil || got != store.Waiting {
		t.Errorf("a framework version not published: %v, %v", got, err)
	}
	if _, err := db.Mapping(ctx, store.MappingRef{ID: m.ID, Version: "2.0"}); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("a waiting mapping was written: %v", err)
	}

	var mine *store.MappingVersion
	list, _, err := db.Mappings(ctx, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		if list[i].ID == m.ID {
			mine = &list[i]
		}
	}
	if mine == nil || mine.Links != 3 || mine.Source.ID != "test-checklist" || mine.TargetTitle == "" || mine.Digest != m.Digest() {
		t.Fatalf("mappings = %+v", list)
	}
	first, next, err := db.MappingLinks(ctx, store.MappingRef{ID: m.ID}, store.LinkFilter{}, store.Page{Limit: 2})
	if err != nil || len(first) != 2 || next == "" || first[0].SourceTitle != "Encrypted storage" {
		t.Fatalf("first page = %+v %q %v", first, next, err)
	}
	rest, next, err := db.MappingLinks(ctx, store.MappingRef{ID: m.ID}, store.LinkFilter{}, store.Page{Limit: 2, Cursor: next})
	if err != nil || len(rest) != 1 || next != "" || rest[0].Source != "APP-3" {
		t.Fatalf("second page = %+v %q %v", rest, next, err)
	}
	toC1, _, err := db.MappingLinks(ctx, store.MappingRef{ID: m.ID, Version: "1.0"}, store.LinkFilter{Target: "C1"}, store.Page{})
	if err != nil || len(toC1) != 2 {
		t.Fatalf("links to C1 = %+v %v", toC1, err)
	}
	// Built-in mappings may link C1 too; only the test mapping's links count.
	all, err := db.ControlLinks(ctx, store.FrameworkRef{ID: "x1150", Version: "1.0"}, "C1")
	var of []store.MappingLink
	for _, l := range all {
		if l.Mapping.ID == m.ID {
			of = append(of, l)
		}
	}
	if err != nil || len(of) != 2 {
		t.Fatalf("links of C1 = %+v %v", all, err)
	}
	of, err = db.ControlLinks(ctx, store.FrameworkRef{ID: "test-checklist", Version: "1.0"}, "APP-2")
	if err != nil || len(of) != 1 || of[0].Target != "C2" || of[0].Relationship != domain.RelIntersects {
		t.Fatalf("links of APP-2 = %+v %v", of, err)
	}
	if _, err := db.Mapping(ctx, store.MappingRef{ID: "nothing"}); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("unknown mapping: %v", err)
	}
}
