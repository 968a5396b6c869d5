package store_test

import (
	"context"
	"testing"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// TestTrendComparesLikeWithLike: a campaign scored under an earlier method
// shows as such in the trend, and on request is recomputed from its answers
// under the current method, leaving what is stored as it was.
func TestTrendComparesLikeWithLike(t *testing.T) {
	t.Parallel()
	l := openLone(t, "Trend Bank", domain.RoleProviderAdmin)
	db, url, ctx, p, admin, sup, c, a, responses := l.db, l.url, context.Background(), l.provider, l.user, l.sup, l.campaign,
		l.assessment, l.responses
	var ups []store.ResponseUpdate
	for _, r := range responses {
		ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "yes"}})
	}
	mustDo(t, func() error { _, err := db.SaveResponses(ctx, admin, a.ID, ups, "body.responses"); return err })

	points, err := db.Trend(ctx, sup, p)
	if err != nil || len(points) != 1 {
		t.Fatalf("trend %v: %v", points, err)
	}
	// Every control implemented, unreviewed, self-attested: 0.5 × 0.6 = 30 %.
	if pt := points[0]; pt.Method != domain.RiskMethod || pt.Calibration != "x1150-risk@1.0" || pt.Recomputed ||
		pt.Compliance == nil || *pt.Compliance != 0.3 {
		t.Fatalf("point = %+v", pt)
	}
	// Make the stored row one of method 1 (quarters: 3 of 4 for an unreviewed implemented answer).
	exec(t, url, `update assessment_risk set method = '1', calibration = '', credit = 3 * counted, weight = 4 * counted
		where assessment_id = $1`, a.ID)
	points, _ = db.Trend(ctx, sup, p)
	if pt := points[0]; pt.Method != "1" || *pt.Compliance != 0.75 {
		t.Fatalf("stored method-1 point = %+v", pt)
	}
	if err := db.RecomputeTrend(ctx, points); err != nil {
		t.Fatal(err)
	}
	if pt := points[0]; pt.Method != domain.RiskMethod || !pt.Recomputed || *pt.Compliance != 0.3 || pt.Threats == 0 {
		t.Errorf("recomputed point = %+v", pt)
	}
	if n := count(t, url, `select count(*) from assessment_risk where assessment_id = $1 and method = '1'`, a.ID); n == 0 {
		t.Error("recomputing the trend changed the stored scores")
	}
	// Starting Assure rescores an open campaign's outdated rows.
	if n, err := db.RescoreOutdated(ctx, domain.System("test")); err != nil || n != 1 {
		t.Errorf("rescored %d: %v", n, err)
	}
	if err := db.CheckScores(ctx, a.ID); err != nil {
		t.Error(err)
	}
	if n, _ := db.RescoreOutdated(ctx, domain.System("test")); n != 0 {
		t.Errorf("rescored %d assessments a second time", n)
	}
	// A provider's figures stand with its filing once submitted; a supervisor may still correct them.
	mustDo(t, func() error {
		_, err := db.SetRiskProfile(ctx, admin, a.ID, store.ProfileStated,
			domain.RiskProfile{Figures: map[domain.Measure]float64{domain.MeasureCustomers: 500}}, "", 0)
		return err
	})
	mustDo(t, func() error {
		_, err := db.Submit(ctx, admin, a.ID, domain.Attestation{Name: "A", Position: "B", Statement: "C"})
		return err
	})
	_, err = db.SetRiskProfile(ctx, admin, a.ID, store.ProfileStated,
		domain.RiskProfile{Figures: map[domain.Measure]float64{domain.MeasureCustomers: 50}}, "", 1)
	wantCode(t, "the provider's figures after submission", err, domain.EConflict)
	mustDo(t, func() error {
		_, err := db.SetRiskProfile(ctx, sup, a.ID, store.ProfileConfirmed,
			domain.RiskProfile{Figures: map[domain.Measure]float64{domain.MeasureCustomers: 5000000}}, "annual return", 0)
		return err
	})

	// A closed campaign keeps the scores it was decided on, and the calibration they were computed with.
	if _, err := db.CloseCampaign(ctx, sup, c.ID); err != nil {
		t.Fatal(err)
	}
	cals, err := frameworks.EmbeddedCalibrations()
	if err != nil {
		t.Fatal(err)
	}
	recal := *cals[0]
	recal.Version = "9.0"
	recal.KeyControls = append([]domain.KeyControls{}, recal.KeyControls...)
	recal.KeyControls[0].Cap = 10
	if _, err := db.PublishCalibration(ctx, sup, &recal); err != nil {
		t.Fatal(err)
	}
	if reg, err := db.ProviderRisk(ctx, sup, p, c.ID, store.BasisCurrent); err != nil || reg.Result.Calibration != "x1150-risk@1.0" {
		t.Errorf("the closed campaign's register is computed with %q: %v", reg.Result.Calibration, err)
	}
	if err := db.CheckScores(ctx, a.ID); err != nil {
		t.Errorf("a closed campaign's scores after a recalibration: %v", err)
	}
	exec(t, url, `update assessment_risk set method = '1' where assessment_id = $1`, a.ID)
	if n, _ := db.RescoreOutdated(ctx, domain.System("test")); n != 0 {
		t.Errorf("rescored %d assessments of a closed campaign", n)
	}
	if err := db.CheckScores(ctx, a.ID); err != nil {
		t.Errorf("scores an earlier method computed are kept, not checked: %v", err)
	}
}
