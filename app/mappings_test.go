package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"assure/app"
	"assure/domain"
	"assure/frameworks"
	"assure/policies"
	"assure/standards"
	"assure/store"
	"assure/store/storetest"
)

// TestEmbeddedMappingsWaitForMASVS: the built-in mappings between built-in
// frameworks are published with them; the one from OWASP MASVS waits until
// MASVS 2.1.0 is published and is then published too, while a MASVS of
// other content under that version is published without it.
func TestEmbeddedMappingsWaitForMASVS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	newApp := func() (*app.App, *store.DB) {
		db, _ := storetest.New(t)
		return app.New(db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{}), db
	}
	system := domain.System("test")
	const masvsMapping = "owasp-masvs-dfs-app-baseline@1.0"

	a, db := newApp()
	out, err := a.PublishEmbeddedMappings(ctx, system)
	if err != nil {
		t.Fatal(err)
	}
	for key, outcome := range out {
		want := store.AlreadyUpToDate // the catalog template holds them
		if key == masvsMapping {
			want = store.Waiting
		}
		if outcome != want {
			t.Errorf("%s: outcome %q, want %q", key, outcome, want)
		}
	}
	if len(out) != 4 {
		t.Errorf("outcomes = %v, want 4 mappings", out)
	}
	data, err := standards.File("masvs/OWASP_MASVS.yaml")
	if err != nil {
		t.Fatal(err)
	}
	masvs, err := frameworks.ImportMASVS("OWASP_MASVS.yaml", data, "2.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.PublishFramework(ctx, system, masvs); err != nil || got != store.Published {
		t.Fatalf("publish MASVS = %v, %v", got, err)
	}
	m, err := db.Mapping(ctx, store.MappingRef{ID: "owasp-masvs-dfs-app-baseline", Version: "1.0"})
	if err != nil || m.Links == 0 {
		t.Fatalf("MASVS mapping after MASVS = %+v, %v", m, err)
	}

	a, db = newApp()
	tiny := *masvs
	tiny.Controls = masvs.Controls[:1]
	if got, err := a.PublishFramework(ctx, system, &tiny); err != nil || got != store.Published {
		t.Fatalf("publish a one-control MASVS = %v, %v", got, err)
	}
	if out, err := a.PublishEmbeddedMappings(ctx, system); err != nil || out[masvsMapping] != app.Unfit {
		t.Errorf("built-in mappings after a one-control MASVS = %v, %v", out, err)
	}
	if _, err := db.Mapping(ctx, store.MappingRef{ID: "owasp-masvs-dfs-app-baseline"}); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("a mapping that does not fit was written: %v", err)
	}
}
