package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/store"
)

type riskPairsInput struct {
	SectorParams
	ListParams
	View       string `query:"view" enum:"residual,inherent" doc:"residual (default) or inherent likelihood and impact."`
	Likelihood int    `query:"likelihood" required:"true" minimum:"1" maximum:"5" doc:"The cell's likelihood, 1–5."`
	Impact     int    `query:"impact" required:"true" minimum:"1" maximum:"5" doc:"The cell's impact, 1–5."`
}

// RiskPair is one provider–threat pair of a cell of the sector risk matrix.
type RiskPair struct {
	AssessmentID string `json:"assessment_id" format:"uuid"`
	ProviderID   string `json:"provider_id" format:"uuid"`
	ProviderName string `json:"provider_name"`
	Tier         int    `json:"tier"`
	ThreatID     string `json:"threat_id"`
	ThreatName   string `json:"threat_name"`
	Likelihood   int    `json:"likelihood"`
	Impact       int    `json:"impact"`
	Score        int    `json:"score"`
	Level        string `json:"level"`
}

func (a *API) registerRiskCell() {
	register(a, huma.Operation{
		OperationID: "list-risk-pairs", Method: http.MethodGet, Path: "/api/v1/heatmaps/risk/pairs", Tags: []string{"Risk"},
		Summary: "Pairs behind a cell of the sector risk matrix",
		Description: "The provider–threat pairs counted in one cell of /api/v1/heatmaps/risk (same campaign, basis, " +
			"view and filters), by provider name then threat. Provider users see their own threats only.",
	}, func(ctx context.Context, in *riskPairsInput) (*ListOutput[RiskPair], error) {
		list, next, err := a.app.RiskCell(ctx, actorFrom(ctx), in.Campaign, in.filter(), in.View == "inherent",
			in.Likelihood, in.Impact, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, func(p store.RiskPair) RiskPair {
			return RiskPair{AssessmentID: p.AssessmentID, ProviderID: p.ProviderID, ProviderName: p.ProviderName, Tier: p.Tier,
				ThreatID: p.ThreatID, ThreatName: p.ThreatName, Likelihood: p.Likelihood, Impact: p.Impact, Score: p.Score,
				Level: string(p.Level)}
		}), nil
	})
}
