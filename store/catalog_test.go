package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
	"assure/store/storetest"
)

func x1150(t *testing.T) *domain.Framework {
	t.Helper()
	f, err := frameworks.Builtin("x1150", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPublishIsIdempotent(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	f := x1150(t)
	if got, err := db.PublishFramework(ctx, domain.System("test"), f); err != nil || got != store.Published {
		t.Fatalf("first publish = %v, %v", got, err)
	}
	if got, err := db.PublishFramework(ctx, domain.System("test"), f); err != nil || got != store.AlreadyUpToDate {
		t.Fatalf("second publish = %v, %v", got, err)
	}
	list, _, err := db.Frameworks(ctx, store.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("frameworks = %v, %v", list, err)
	}
	v := list[0]
	if v.Threats != 17 || v.Controls != 119 || v.Dimensions != 8 || v.Stages != 5 || v.Digest != f.Digest() {
		t.Errorf("published %+v", v)
	}
}

func TestConcurrentPublishWritesOnce(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	f := x1150(t)
	results := make(chan store.PublishOutcome, 4)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			o, err := db.PublishFramework(ctx, domain.System("test"), f)
			results <- o
			errs <- err
		}()
	}
	published := 0
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if <-results == store.Published {
			published++
		}
	}
	if published != 1 {
		t.Errorf("%d publications wrote the framework, want 1", published)
	}
}

func TestPublishedVersionIsImmutable(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	ctx := context.Background()
	changed := *x1150(t)
	changed.Threats = append([]domain.Threat(nil), changed.Threats...)
	changed.Threats[0].Likelihood = 1
	_, err := db.PublishFramework(ctx, domain.System("test"), &changed)
	if domain.ErrorCodeOf(err) != domain.EConflict || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("publishing changed content = %v, want an immutability conflict", err)
	}
	// The same change under a new version is a new publication.
	changed.Version = "9.1"
	if got, err := db.PublishFramework(ctx, domain.System("test"), &changed); err != nil || got != store.Published {
		t.Fatalf("publish 9.1 = %v, %v", got, err)
	}
	latest, err := db.Framework(ctx, store.FrameworkRef{ID: "x1150"})
	if err != nil || latest.Version != "9.1" {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	th, err := db.Threat(ctx, store.FrameworkRef{ID: "x1150", Version: "1.0"}, "T1")
	if err != nil || th.Likelihood != x1150(t).Threats[0].Likelihood {
		t.Fatalf("1.0 T1 = %+v, %v", th, err)
	}

	// Even with SQL behind the application's back, rows cannot change.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`update threats set likelihood = 5 where id = 'T1'`,
		`delete from control_threats where control_id = 'C1'`,
		`update frameworks set title = 'x'`,
		`truncate controls cascade`,
	} {
		if _, err := conn.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Errorf("%s: err = %v, want refusal", sql, err)
		}
	}
}

func TestCatalogQueries(t *testing.T) {
	t.Parallel()
	db, _ := storetest.New(t)
	ctx := context.Background()
	ref := store.FrameworkRef{ID: "x1150"}

	th, err := db.Threat(ctx, ref, "T10")
	if err != nil {
		t.Fatal(err)
	}
	if th.Name == "" || len(th.Stages) == 0 || len(th.Controls) == 0 || !th.Controls[0].Primary {
		t.Errorf("T10 = %+v", th)
	}
	c, err := db.Control(ctx, ref, "C45")
	if err != nil {
		t.Fatal(err)
	}
	if c.Section != "9.1a" || c.PrimaryThreat != "T9" || len(c.Threats) < 2 || !c.Threats[0].Primary || c.Threats[0].ID != "T9" {
		t.Errorf("C45 = %+v", c)
	}
	if _, err := db.Control(ctx, ref, "C999"); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("C999: %v", err)
	}
	if _, err := db.Threat(ctx, store.FrameworkRef{ID: "nope"}, "T1"); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("unknown framework: %v", err)
	}

	// Every control comes back exactly once across pages, in catalog order.
	var ids []string
	page := store.Page{Limit: 50}
	for {
		list, next, err := db.Controls(ctx, ref, store.ControlFilter{}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(ids) != 119 || ids[0] != "C1" || ids[118] != "C119" {
		t.Errorf("paged controls: %d, first %s", len(ids), ids[0])
	}

	// Filters agree with the catalog file.
	f := x1150(t)
	wantByThreat := 0
	for _, c := range f.Controls {
		for _, tid := range c.Threats() {
			if tid == "T10" {
				wantByThreat++
			}
		}
	}
	list, _, err := db.Controls(ctx, ref, store.ControlFilter{Threat: "T10"}, store.Page{})
	if err != nil || len(list) != wantByThreat {
		t.Errorf("threat filter: %d controls, want %d (%v)", len(list), wantByThreat, err)
	}
	list, _, err = db.Controls(ctx, ref, store.ControlFilter{Implementer: "app_developer", Dimension: "access_control"}, store.Page{})
	if err != nil || len(list) == 0 {
		t.Fatalf("implementer+dimension filter: %v", err)
	}
	for _, c := range list {
		if !slices.Contains(c.Implementers, "app_developer") || !slices.Contains(c.Dimensions, "access_control") {
			t.Errorf("%s slipped through the filter", c.ID)
		}
	}
	list, _, err = db.Controls(ctx, ref, store.ControlFilter{Query: "SIM swap"}, store.Page{})
	if err != nil || len(list) == 0 {
		t.Fatalf("text search: %d, %v", len(list), err)
	}
	_, _, err = db.Controls(ctx, ref, store.ControlFilter{Dimension: "nope", Threat: "T99"}, store.Page{})
	if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || len(e.Problems) != 2 {
		t.Errorf("bad filters: %v", err)
	}
	if _, _, err := db.Controls(ctx, ref, store.ControlFilter{}, store.Page{Cursor: "!!"}); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("bad cursor: %v", err)
	}
}
