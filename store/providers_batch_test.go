package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

func batchProvider(licence string) domain.Provider {
	return domain.Provider{LegalName: "Batch " + licence + " plc", ShortName: "Batch " + licence, LicenceNumber: licence,
		Kind: domain.KindPSP, Tier: 3, Channels: []string{"qr", "app"}}
}

// TestCreateProvidersAllOrNothing registers a batch whole or not at all:
// a bad provider, a licence given twice or one already registered keep
// every provider of the batch out, with each problem located; a good batch
// is written in one transaction with an event for each provider and one for
// the batch.
func TestCreateProvidersAllOrNothing(t *testing.T) {
	t.Parallel()
	db, url := storetest.Empty(t)
	ctx := context.Background()
	sup := actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	existing, err := db.CreateProvider(ctx, sup, batchProvider("HELD-1"))
	if err != nil {
		t.Fatal(err)
	}
	providers := func() int { return count(t, url, `select count(*) from providers`) }
	before := providers()
	audit := newTrail(t, url)

	bad := batchProvider("NEW-2")
	bad.Tier, bad.Kind = 7, "casino"
	_, err = db.CreateProviders(ctx, sup, store.ProviderBatch{Providers: []domain.Provider{
		batchProvider("NEW-1"), bad, batchProvider("new-1"), batchProvider("held-1")}, Source: "batch.csv"})
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		t.Fatalf("a batch with problems: %v, want EInvalid", err)
	}
	var locations []string
	for _, p := range e.Problems {
		locations = append(locations, p.Location)
	}
	// The licence already held is found inside the transaction, after the
	// checks that need no database, so it is reported once the rest is right.
	for _, want := range []string{"providers[1].kind", "providers[1].tier", "providers[2].licence_number"} {
		if !slices.Contains(locations, want) {
			t.Errorf("problems %v lack %s", locations, want)
		}
	}
	if n := providers(); n != before {
		t.Fatalf("a refused batch wrote %d providers", n-before)
	}
	audit.expect(t)

	_, err = db.CreateProviders(ctx, sup, store.ProviderBatch{Providers: []domain.Provider{
		batchProvider("NEW-1"), batchProvider("NEW-2"), batchProvider("Held-1")}, Source: "batch.csv"})
	if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || len(e.Problems) != 1 ||
		e.Problems[0].Location != "providers[2].licence_number" {
		t.Fatalf("a batch with a licence already held: %v %+v", err, e)
	}
	if n := providers(); n != before {
		t.Fatalf("a batch meeting a held licence wrote %d providers", n-before)
	}
	audit.expect(t)

	var batch []domain.Provider
	for i := range 3 {
		batch = append(batch, batchProvider(fmt.Sprintf("NEW-%d", i+1)))
	}
	created, err := db.CreateProviders(ctx, sup, store.ProviderBatch{Providers: batch, Source: "batch.csv", SHA256: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 3 || providers() != before+3 {
		t.Fatalf("created %d, table has %d more", len(created), providers()-before)
	}
	want := []ev{{"provider.import", "provider", ""}}
	for i, p := range created {
		if p.LicenceNumber != batch[i].LicenceNumber || !slices.Equal(p.Channels, []string{"app", "qr"}) || p.Version != 1 {
			t.Errorf("created[%d] = %+v", i, p)
		}
		want = append(want, ev{"provider.create", "provider", p.ID})
	}
	events := audit.expect(t, want...)
	for _, e := range events {
		if e.Action == "provider.import" && (e.Summary["count"] != float64(3) || summaryString(e, "source") != "batch.csv") {
			t.Errorf("import event summary %v", e.Summary)
		}
	}

	taken, err := db.LicencesTaken(ctx, sup, []string{"new-2", "HELD-1", "FREE-9", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(taken) != 2 || taken["new-2"] != "Batch NEW-2" || taken["held-1"] != existing.ShortName {
		t.Errorf("licences taken = %v", taken)
	}
}

// TestProvidersFilterAndSort pages the register by channel and in each
// order, every page continuing where the last one ended.
func TestProvidersFilterAndSort(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	sup := actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	specs := []struct {
		name     string
		kind     domain.ProviderKind
		tier     int
		channels []string
	}{
		{"Delta", domain.KindBank, 3, []string{"ussd"}},
		{"alpha", domain.KindPSP, 2, []string{"app", "ussd"}},
		{"Charlie", domain.KindBank, 1, []string{"cards"}},
		{"bravo", domain.KindEMI, 1, []string{"ussd", "qr"}},
		{"Echo", domain.KindPSP, 1, []string{"ussd"}},
	}
	for i, s := range specs {
		if _, err := db.CreateProvider(ctx, sup, domain.Provider{LegalName: s.name + " Ltd", ShortName: s.name,
			LicenceNumber: fmt.Sprintf("L-%d", i), Kind: s.kind, Tier: s.tier, Channels: s.channels}); err != nil {
			t.Fatal(err)
		}
	}
	all := func(f store.ProviderFilter) []string {
		var names []string
		page := store.Page{Limit: 2}
		for range 10 {
			list, next, err := db.Providers(ctx, sup, f, page)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			for _, p := range list {
				names = append(names, p.ShortName)
			}
			if next == "" {
				return names
			}
			page.Cursor = next
		}
		t.Fatalf("%+v: the pages never end", f)
		return nil
	}
	cases := []struct {
		f    store.ProviderFilter
		want []string
	}{
		{store.ProviderFilter{}, []string{"alpha", "bravo", "Charlie", "Delta", "Echo"}},
		{store.ProviderFilter{Channel: "ussd"}, []string{"alpha", "bravo", "Delta", "Echo"}},
		{store.ProviderFilter{Sort: store.SortByTier}, []string{"bravo", "Charlie", "Echo", "alpha", "Delta"}},
		{store.ProviderFilter{Sort: store.SortByKind, Channel: "ussd"}, []string{"Delta", "bravo", "alpha", "Echo"}},
		{store.ProviderFilter{Sort: store.SortByTier, Query: "a", Kind: domain.KindBank}, []string{"Charlie", "Delta"}},
	}
	for _, c := range cases {
		if got := all(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
	_, next, err := db.Providers(ctx, sup, store.ProviderFilter{Sort: store.SortByTier}, store.Page{Limit: 2})
	if err != nil || next == "" {
		t.Fatal(next, err)
	}
	if _, _, err := db.Providers(ctx, sup, store.ProviderFilter{Sort: store.SortByKind}, store.Page{Limit: 2, Cursor: next}); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a tier cursor in the kind order: %v, want EInvalid", err)
	}
	if _, _, err := db.Providers(ctx, sup, store.ProviderFilter{}, store.Page{Limit: 2, Cursor: next}); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a tier cursor in the name order: %v, want EInvalid", err)
	}
}
