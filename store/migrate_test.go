package store_test

import (
	"context"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

func TestMigrateFreshAndAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Bare(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	current, latest, err := db.SchemaStatus(ctx)
	if err != nil || current != 0 || latest < 1 {
		t.Fatalf("fresh status = %d/%d, %v", current, latest, err)
	}
	for range 2 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	current, latest, err = db.SchemaStatus(ctx)
	if err != nil || current != latest {
		t.Fatalf("after migrate = %d/%d, %v", current, latest, err)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	_, latest, _ := db.SchemaStatus(ctx)
	exec(t, url, `update schema_version set version = version + 1`)
	err := db.Migrate(ctx)
	if domain.ErrorCodeOf(err) != domain.EConflict {
		t.Fatalf("Migrate on schema %d = %v, want a conflict", latest+1, err)
	}
}
