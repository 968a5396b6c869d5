package store_test

import (
	"context"
	"testing"

	"assure/domain"
	"assure/store"
)

// threatRisk picks one threat out of a register.
func threatRisk(t *testing.T, r store.RiskRegister, id string) domain.ThreatRisk {
	t.Helper()
	for _, tr := range r.Result.Threats {
		if tr.ThreatID == id {
			return tr
		}
	}
	t.Fatalf("no threat %s in the register", id)
	return domain.ThreatRisk{}
}

// TestProviderRiskScopedToOwnProvider: a provider's users read their own
// risk register and none of another provider's, which to them does not exist.
func TestProviderRiskScopedToOwnProvider(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()

	for _, reader := range []domain.Actor{f.b.admin, f.b.editor} {
		_, err := f.db.ProviderRisk(ctx, reader, f.a.id, f.campaign.ID, store.BasisCurrent)
		wantCode(t, "reading another provider's risk", err, domain.ENotFound)
		_, err = f.db.ProviderRisk(ctx, reader, f.a.id, "", "")
		wantCode(t, "reading another provider's latest risk", err, domain.ENotFound)
		_, err = f.db.Overrides(ctx, reader, f.a.id)
		wantCode(t, "reading another provider's overrides", err, domain.ENotFound)
		_, err = f.db.Trend(ctx, reader, f.a.id)
		wantCode(t, "reading another provider's trend", err, domain.ENotFound)

		own, err := f.db.ProviderRisk(ctx, reader, f.b.id, f.campaign.ID, store.BasisCurrent)
		if err != nil {
			t.Fatal(err)
		}
		if own.Assessment.ID != f.b.assessment.ID || own.Basis != store.BasisCurrent || len(own.Result.Threats) == 0 {
			t.Errorf("own register: assessment %s, basis %s, %d threats", own.Assessment.ID, own.Basis, len(own.Result.Threats))
		}
	}
	for _, reader := range []domain.Actor{f.sup, f.auditor} {
		r, err := f.db.ProviderRisk(ctx, reader, f.a.id, f.campaign.ID, "")
		if err != nil || r.Assessment.ID != f.a.assessment.ID {
			t.Errorf("%s reads A's register: %s, %v", reader.Role, r.Assessment.ID, err)
		}
		// Nothing is filed yet: the latest filing is the current state.
		if r.Basis != store.BasisCurrent {
			t.Errorf("basis %s before any filing, want current", r.Basis)
		}
	}
	_, err := f.db.ProviderRisk(ctx, f.sup, f.a.id, f.campaign.ID, store.BasisFiled)
	wantCode(t, "the filed basis before filing", err, domain.EConflict)
	f.audit.expect(t)
}

// TestSetOverrideIsAuditedAndReflected: a supervisor's override replaces a
// threat's inherent values in the provider's register and stored scores,
// with its reason and author; replacing and removing it are audited too.
func TestSetOverrideIsAuditedAndReflected(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	x := store.FrameworkRef{ID: "x1150"}
	before, err := f.db.ProviderRisk(ctx, f.sup, f.a.id, f.campaign.ID, store.BasisCurrent)
	if err != nil {
		t.Fatal(err)
	}
	t1 := threatRisk(t, before, "T1")
	if t1.Override != nil {
		t.Fatal("an override before any was set")
	}
	storedL0 := func(assessmentID string) (l0, i0 int) {
		t.Helper()
		if err := queryRow(f.url, `select l0, i0 from threat_risks where assessment_id = $1 and basis = 'current'
			and threat_id = 'T1'`, []any{assessmentID}, &l0, &i0); err != nil {
			t.Fatal(err)
		}
		return l0, i0
	}
	bL0, bI0 := storedL0(f.b.assessment.ID)

	l, i := 5, 2
	if err := f.db.SetOverride(ctx, f.sup, f.a.id, x, "T1", &l, &i, "Two SIM-swap incidents this year."); err != nil {
		t.Fatal(err)
	}
	e := f.audit.one(t, ev{"risk.override", "provider", f.a.id})
	if e.ProviderID != f.a.id || summaryString(e, "reason") != "Two SIM-swap incidents this year." || e.Summary["likelihood"] != float64(5) {
		t.Errorf("override event %+v", e)
	}
	after, err := f.db.ProviderRisk(ctx, f.sup, f.a.id, f.campaign.ID, store.BasisCurrent)
	if err != nil {
		t.Fatal(err)
	}
	got := threatRisk(t, after, "T1")
	if got.L0 != 5 || got.I0 != 2 || got.Override == nil || got.Override.Reason != "Two SIM-swap incidents this year." {
		t.Errorf("T1 after the override: L0 %d, I0 %d, override %+v", got.L0, got.I0, got.Override)
	}
	if l0, i0 := storedL0(f.a.assessment.ID); l0 != 5 || i0 != 2 {
		t.Errorf("stored T1 inherent values %d×%d, want 5×2", l0, i0)
	}
	if l0, i0 := storedL0(f.b.assessment.ID); l0 != bL0 || i0 != bI0 {
		t.Errorf("provider B's T1 moved to %d×%d by A's override", l0, i0)
	}
	if err := f.db.CheckScores(ctx, f.a.assessment.ID); err != nil {
		t.Error(err)
	}
	list, err := f.db.Overrides(ctx, f.a.admin, f.a.id)
	if err != nil || len(list) != 1 || list[0].ThreatID != "T1" || list[0].SetBy != "sup@regulator.test" ||
		*list[0].Likelihood != 5 || !list[0].SetAt.Equal(e.At) {
		t.Errorf("overrides as the provider sees them: %+v, %v", list, err)
	}

	// Replacing it keeps what it replaced in the trail.
	i = 4
	if err := f.db.SetOverride(ctx, f.sup2, f.a.id, x, "T1", nil, &i, "Impact reassessed."); err != nil {
		t.Fatal(err)
	}
	e = f.audit.one(t, ev{"risk.override", "provider", f.a.id})
	if prev, _ := e.Summary["before"].(map[string]any); prev["reason"] != "Two SIM-swap incidents this year." {
		t.Errorf("replacement event keeps %v of the override before", e.Summary["before"])
	}
	got = threatRisk(t, mustRisk(t, f, f.a.id), "T1")
	if got.L0 != t1.L0 || got.I0 != 4 {
		t.Errorf("T1 after replacing: %d×%d, want the default likelihood %d and impact 4", got.L0, got.I0, t1.L0)
	}

	// Refused overrides change nothing.
	bad := 9
	err = f.db.SetOverride(ctx, f.sup, f.a.id, x, "T1", &bad, nil, " ")
	if e := wantCode(t, "an override out of range and without a reason", err, domain.EInvalid); len(e.Problems) != 2 {
		t.Errorf("problems %v, want likelihood and reason", e.Problems)
	}
	err = f.db.SetOverride(ctx, f.sup, f.a.id, x, "T99", &l, nil, "Unknown threat.")
	wantCode(t, "an override of an unknown threat", err, domain.ENotFound)
	err = f.db.SetOverride(ctx, f.b.admin, f.a.id, x, "T1", &l, nil, "Not my provider.")
	wantCode(t, "an override of a provider the actor cannot see", err, domain.ENotFound)
	f.audit.expect(t)

	// Removing it restores the defaults; removing nothing is no change.
	if err := f.db.SetOverride(ctx, f.sup, f.a.id, x, "T1", nil, nil, "Incidents were mis-attributed."); err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"risk.override_removed", "provider", f.a.id})
	got = threatRisk(t, mustRisk(t, f, f.a.id), "T1")
	if got.L0 != t1.L0 || got.I0 != t1.I0 || got.Override != nil {
		t.Errorf("T1 after removing the override: %d×%d %+v, want %d×%d", got.L0, got.I0, got.Override, t1.L0, t1.I0)
	}
	if err := f.db.SetOverride(ctx, f.sup, f.a.id, x, "T1", nil, nil, "Again."); err != nil {
		t.Fatal(err)
	}
	f.audit.expect(t)
	if err := f.db.CheckScores(ctx, f.a.assessment.ID); err != nil {
		t.Error(err)
	}
}

func mustRisk(t *testing.T, f *filing, providerID string) store.RiskRegister {
	t.Helper()
	r, err := f.db.ProviderRisk(context.Background(), f.sup, providerID, f.campaign.ID, store.BasisCurrent)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
