package store_test

import (
	"context"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestCampaignScopeIsWhatOpeningCreates: the scope a draft previews is the
// set of providers opening it creates assessments for, inactive ones left
// out.
func TestCampaignScopeIsWhatOpeningCreates(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	ctx := context.Background()
	sup := actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	bank := newSide(t, db, url, "Gamma Bank", "gamma")
	other := newSide(t, db, url, "Theta Bank", "theta")
	suspended := newProvider(t, url, "Epsilon Bank")
	exec(t, url, `update providers set status = 'suspended' where id = $1`, suspended)

	c := draftCampaign(t, db, sup, "Scope", bank.id, suspended)
	scope, err := db.CampaignScope(ctx, sup, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(scope) != 1 || scope[0].ID != bank.id {
		t.Errorf("the scope of Gamma and a suspended bank is %v", scope)
	}
	byKind, err := db.CampaignScope(ctx, sup, domain.Campaign{Kinds: []domain.ProviderKind{domain.KindBank}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range byKind {
		ids = append(ids, p.ID)
	}
	if !slices.Contains(ids, bank.id) || !slices.Contains(ids, other.id) || slices.Contains(ids, suspended) {
		t.Errorf("every active bank is %v", ids)
	}
	_, err = db.CampaignScope(ctx, bank.admin, c)
	wantCode(t, "a provider user asking for a scope", err, domain.EForbidden)
	_, err = db.CampaignScope(ctx, sup, domain.Campaign{ProviderIDs: []string{"x"}})
	wantCode(t, "a scope of a bad id", err, domain.EInvalid)

	opened, err := db.OpenCampaign(ctx, sup, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := db.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(list) != len(scope) || opened.Assessments != len(scope) || list[0].ProviderID != bank.id {
		t.Errorf("opening created %d assessments (%v), the scope said %d", len(list), err, len(scope))
	}
}
