package app

import (
	"testing"

	"assure/domain"
	"assure/store"
)

// TestPreviousCampaign picks the provider's latest campaign that opened
// before the report's, never the report's own nor a later one.
func TestPreviousCampaign(t *testing.T) {
	date := func(s string) domain.Date {
		d, err := domain.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	compliance := 0.6
	trend := []store.TrendPoint{
		{CampaignID: "c1", CampaignName: "2025 H2", OpensAt: date("2025-07-01")},
		{CampaignID: "c2", CampaignName: "2026 H1", OpensAt: date("2026-01-01"), Compliance: &compliance, MaxScore: 12,
			Levels: map[domain.RiskLevel]int{domain.LevelHigh: 3}},
		{CampaignID: "c3", CampaignName: "2026 H2", OpensAt: date("2026-07-01")},
		{CampaignID: "c4", CampaignName: "2027 H1", OpensAt: date("2027-01-01")},
	}
	prev := previousCampaign(trend, domain.Campaign{ID: "c3", OpensAt: date("2026-07-01")})
	if prev == nil || prev.CampaignID != "c2" || prev.Compliance == nil || *prev.Compliance != 0.6 || prev.MaxScore != 12 ||
		prev.Levels[domain.LevelHigh] != 3 {
		t.Errorf("previous of 2026 H2 = %+v, want 2026 H1", prev)
	}
	if prev := previousCampaign(trend, domain.Campaign{ID: "c1", OpensAt: date("2025-07-01")}); prev != nil {
		t.Errorf("the first campaign has a previous one: %+v", prev)
	}
	if prev := previousCampaign(nil, domain.Campaign{ID: "c9", OpensAt: date("2027-01-01")}); prev != nil {
		t.Errorf("no trend, yet a previous campaign: %+v", prev)
	}
}
