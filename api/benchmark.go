package api

import (
	"context"
	"math"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
)

// PeerGroup says which providers a benchmark compares with.
type PeerGroup struct {
	Grouping string `json:"grouping" enum:"kind_tier,kind,tier" doc:"The regulator's setting peer_grouping."`
	Kind     string `json:"kind,omitempty" doc:"The kind peers share (the provider's when its assessment was opened); absent when grouping by tier alone."`
	Tier     int    `json:"tier,omitempty" doc:"The tier peers share; absent when grouping by kind alone."`
}

// PeerValue is one named peer's value, shown to supervisors and auditors.
type PeerValue struct {
	ProviderID   string  `json:"provider_id"`
	ProviderName string  `json:"provider_name"`
	Value        float64 `json:"value"`
}

// BenchmarkLine is one threat's or dimension's figures among the peers.
type BenchmarkLine struct {
	Name         string      `json:"name"`
	Own          *float64    `json:"own" doc:"The provider's own figure on file; null when it has none."`
	Count        int         `json:"count" doc:"Peers with a figure, the provider included."`
	Q1           *float64    `json:"q1" doc:"Null when no peer has a figure, or, for a provider's users, fewer than the five peers needed."`
	Median       *float64    `json:"median"`
	Q3           *float64    `json:"q3"`
	Distribution []PeerValue `json:"distribution,omitempty" doc:"Every peer with its figure, lowest first: supervisors and auditors only."`
}

// ThreatBenchmark is a threat's residual score (1–25) among the peers.
type ThreatBenchmark struct {
	ThreatID string `json:"threat_id"`
	BenchmarkLine
}

// DimensionBenchmark is a security dimension's compliance (0–1) among the peers.
type DimensionBenchmark struct {
	DimensionID string `json:"dimension_id"`
	BenchmarkLine
}

// ProviderBenchmark is a provider's standing among its peers in a campaign.
type ProviderBenchmark struct {
	ProviderID   string               `json:"provider_id"`
	CampaignID   string               `json:"campaign_id"`
	CampaignName string               `json:"campaign_name"`
	PeerGroup    PeerGroup            `json:"peer_group"`
	Peers        int                  `json:"peers" doc:"Providers of the group with a filing in the campaign, the provider included when it has filed."`
	MinPeers     int                  `json:"min_peers" doc:"The fewest peers a provider's users need to see any figure."`
	Enough       bool                 `json:"enough" doc:"False: too few peers, and a provider's users get no figure at all."`
	Threats      []ThreatBenchmark    `json:"threats"`
	Dimensions   []DimensionBenchmark `json:"dimensions"`
}

type benchmarkInput struct {
	IDParam
	Campaign string `query:"campaign" maxLength:"36" doc:"The campaign; the provider's latest when absent."`
}

type benchmarkOutput struct {
	Body ProviderBenchmark
}

// rounded keeps four decimals of a figure, nil staying nil.
func rounded(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := math.Round(*v*10000) / 10000
	return &r
}

func benchmarkLineOf(l app.BenchmarkLine) BenchmarkLine {
	out := BenchmarkLine{Name: l.Name, Own: rounded(l.Own), Count: l.Count}
	if q := l.Quartiles; q != nil {
		out.Q1, out.Median, out.Q3 = rounded(&q.Q1), rounded(&q.Median), rounded(&q.Q3)
	}
	for _, p := range l.Peers {
		out.Distribution = append(out.Distribution, PeerValue{ProviderID: p.ProviderID, ProviderName: p.Name,
			Value: *rounded(&p.Value)})
	}
	return out
}

func providerBenchmarkOf(b app.Benchmark) ProviderBenchmark {
	out := ProviderBenchmark{ProviderID: b.ProviderID, CampaignID: b.CampaignID, CampaignName: b.CampaignName,
		PeerGroup: PeerGroup{Grouping: string(b.Grouping)}, Peers: b.Peers, MinPeers: domain.MinPeers, Enough: b.Enough,
		Threats: []ThreatBenchmark{}, Dimensions: []DimensionBenchmark{}}
	if b.Grouping.ByKind() {
		out.PeerGroup.Kind = string(b.Kind)
	}
	if b.Grouping.ByTier() {
		out.PeerGroup.Tier = b.Tier
	}
	for _, l := range b.Threats {
		out.Threats = append(out.Threats, ThreatBenchmark{ThreatID: l.ID, BenchmarkLine: benchmarkLineOf(l)})
	}
	for _, l := range b.Dimensions {
		out.Dimensions = append(out.Dimensions, DimensionBenchmark{DimensionID: l.ID, BenchmarkLine: benchmarkLineOf(l)})
	}
	return out
}

func (a *API) registerBenchmark() {
	register(a, huma.Operation{
		OperationID: "get-provider-benchmark", Method: http.MethodGet, Path: "/api/v1/providers/{id}/benchmark",
		Tags: []string{"Risk"}, Summary: "A provider's peer benchmark",
		Description: "Where the provider's filed residual scores (applicable threats) and compliance by dimension stand " +
			"among its peers: the providers of the same campaign, grouped by kind and tier as the regulator's setting " +
			"peer_grouping says, whose assessment has been filed. Each line gives the provider's own figure and the " +
			"group's quartiles (linear interpolation between closest ranks, as PostgreSQL's percentile_cont). " +
			"Supervisors and auditors also get every peer by name. A provider's users get figures only when the group, " +
			"and the line, count at least five peers with a filing, themselves included; otherwise only how many there are, " +
			"and never another provider's name or figure.",
	}, func(ctx context.Context, in *benchmarkInput) (*benchmarkOutput, error) {
		b, err := a.app.Benchmark(ctx, actorFrom(ctx), in.ID, in.Campaign)
		if err != nil {
			return nil, err
		}
		return &benchmarkOutput{Body: providerBenchmarkOf(b)}, nil
	})
}
