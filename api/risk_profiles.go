package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// ProfileFigures are the figures of an inherent-risk profile; an absent
// figure is not stated and moves nothing. Channels come from the
// provider's register entry.
type ProfileFigures struct {
	Customers        *int64   `json:"customers,omitempty" minimum:"0" doc:"Customers served."`
	ActiveAccounts   *int64   `json:"active_accounts,omitempty" minimum:"0" doc:"Accounts used in the last 90 days."`
	Transactions     *int64   `json:"transactions,omitempty" minimum:"0" doc:"Transactions in the last 12 months."`
	TransactionValue *int64   `json:"transaction_value,omitempty" minimum:"0" doc:"Their value, in millions of the regulator's reporting currency."`
	Agents           *int64   `json:"agents,omitempty" minimum:"0" doc:"Agents and merchants."`
	ThirdParties     *int64   `json:"third_parties,omitempty" minimum:"0" doc:"Critical third parties and outsourced service providers."`
	Interconnections *int64   `json:"interconnections,omitempty" minimum:"0" doc:"Interconnections with other systems: switches, banks, mobile network operators, aggregators."`
	MarketShare      *float64 `json:"market_share,omitempty" minimum:"0" maximum:"100" doc:"Percent of the national DFS market by transaction value."`
}

// ProfileSide is the provider's statement or the supervisor's confirmation.
type ProfileSide struct {
	ProfileFigures
	Note    string    `json:"note"`
	SetBy   string    `json:"set_by"`
	SetAt   time.Time `json:"set_at"`
	Version int       `json:"version" doc:"Send it back as If-Match to change this side."`
}

// RiskProfileBody is an assessment's inherent-risk profile.
type RiskProfileBody struct {
	AssessmentID string       `json:"assessment_id"`
	Stated       *ProfileSide `json:"stated" doc:"The figures as the provider stated them; null before."`
	Confirmed    *ProfileSide `json:"confirmed" doc:"A supervisor's confirmation or correction; null before. When present, it is what the risk method reads."`
}

// countMeasures are the figures that are whole numbers, each held by the
// field fieldOf names.
var countMeasures = []domain.Measure{domain.MeasureCustomers, domain.MeasureActiveAccounts, domain.MeasureTransactions,
	domain.MeasureTransactionValue, domain.MeasureAgents, domain.MeasureThirdParties, domain.MeasureInterconnections}

func (f ProfileFigures) profile() domain.RiskProfile {
	p := domain.RiskProfile{Figures: map[domain.Measure]float64{}}
	for _, m := range countMeasures {
		if v := *fieldOf(&f, m); v != nil {
			p.Figures[m] = float64(*v)
		}
	}
	if f.MarketShare != nil {
		p.Figures[domain.MeasureMarketShare] = *f.MarketShare
	}
	return p
}

func profileSideOf(e *store.RiskProfileEntry) *ProfileSide {
	if e == nil {
		return nil
	}
	out := &ProfileSide{Note: e.Note, SetBy: e.SetBy, SetAt: e.SetAt.UTC(), Version: e.Version}
	for _, m := range countMeasures {
		if v, ok := e.Profile.Figures[m]; ok {
			n := int64(v)
			*fieldOf(&out.ProfileFigures, m) = &n
		}
	}
	if v, ok := e.Profile.Figures[domain.MeasureMarketShare]; ok {
		out.MarketShare = &v
	}
	return out
}

// fieldOf returns the field of f that holds measure m (not market share).
func fieldOf(f *ProfileFigures, m domain.Measure) **int64 {
	switch m {
	case domain.MeasureCustomers:
		return &f.Customers
	case domain.MeasureActiveAccounts:
		return &f.ActiveAccounts
	case domain.MeasureTransactions:
		return &f.Transactions
	case domain.MeasureTransactionValue:
		return &f.TransactionValue
	case domain.MeasureAgents:
		return &f.Agents
	case domain.MeasureThirdParties:
		return &f.ThirdParties
	}
	return &f.Interconnections
}

type riskProfileOutput struct {
	Body RiskProfileBody
}

type putRiskProfileInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"This side's version as last read; required once the side exists, a stale one is refused with 412."`
	Body    struct {
		ProfileFigures
		Note string `json:"note,omitempty" maxLength:"4000" doc:"Where the figures come from, or why the supervisor corrected them."`
	}
}

func (a *API) registerRiskProfiles() {
	tags := []string{"Risk"}
	get := func(ctx context.Context, id string) (*riskProfileOutput, error) {
		stated, confirmed, err := a.app.RiskProfiles(ctx, actorFrom(ctx), id)
		if err != nil {
			return nil, err
		}
		return &riskProfileOutput{Body: RiskProfileBody{AssessmentID: id, Stated: profileSideOf(stated),
			Confirmed: profileSideOf(confirmed)}}, nil
	}
	register(a, huma.Operation{
		OperationID: "get-risk-profile", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/risk-profile", Tags: tags,
		Summary:     "Read an inherent-risk profile",
		Description: "The figures of the provider's size and exposure in this campaign, as stated and as confirmed.",
	}, func(ctx context.Context, in *IDParam) (*riskProfileOutput, error) { return get(ctx, in.ID) })
	set := func(source string) func(ctx context.Context, in *putRiskProfileInput) (*riskProfileOutput, error) {
		return func(ctx context.Context, in *putRiskProfileInput) (*riskProfileOutput, error) {
			version, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			if _, err := a.app.SetRiskProfile(ctx, actorFrom(ctx), in.ID, source, in.Body.profile(), in.Body.Note, version); err != nil {
				return nil, err
			}
			return get(ctx, in.ID)
		}
	}
	register(a, huma.Operation{
		OperationID: "put-risk-profile", Method: http.MethodPut, Path: "/api/v1/assessments/{id}/risk-profile", Tags: tags,
		Summary: "State an inherent-risk profile",
		Description: "A provider states its figures for the campaign; the assessment's inherent and residual risk follow at once. " +
			"The whole side is replaced: a figure left out is no longer stated.",
	}, set(store.ProfileStated))
	register(a, huma.Operation{
		OperationID: "put-risk-profile-confirmation", Method: http.MethodPut, Path: "/api/v1/assessments/{id}/risk-profile/confirmation",
		Tags: tags, Summary: "Confirm or correct an inherent-risk profile",
		Description: "A supervisor confirms the provider's figures, or corrects them; once confirmed, the risk method reads these.",
	}, set(store.ProfileConfirmed))
}

type calibrationOutput struct {
	Body struct {
		Method      string              `json:"method" doc:"The version of the risk method that reads this calibration."`
		Calibration *domain.Calibration `json:"calibration"`
	}
}

func (a *API) registerCalibration() {
	register(a, huma.Operation{
		OperationID: "get-framework-calibration", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/calibration",
		Tags: []string{"Catalog"}, Summary: "The risk calibration of a framework version",
		Description: "The data the risk method reads for the framework version: the profile table, credit factors, weights, " +
			"key controls, impact reduction and maturity. The default calibration (empty id) when none is published.",
	}, func(ctx context.Context, in *FrameworkParams) (*calibrationOutput, error) {
		c, _, err := a.app.Calibration(ctx, actorFrom(ctx), in.ref())
		if err != nil {
			return nil, err
		}
		out := &calibrationOutput{}
		out.Body.Method, out.Body.Calibration = domain.RiskMethod, c
		return out, nil
	})
}
