package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// Peer benchmarks: where a provider's filed residual scores and compliance
// stand among its peers in a campaign. Supervisors and auditors compare a
// provider with every peer by name; a provider's users see their own figures
// beside the group's quartiles, and only when the group and the line are
// large enough (domain.MinPeers) that no peer's figure can be read back.

// Benchmark is a provider's peer benchmark as the actor may see it.
type Benchmark struct {
	ProviderID   string
	AssessmentID string
	CampaignID   string
	CampaignName string
	Grouping     domain.PeerGrouping
	Kind         domain.ProviderKind
	Tier         int
	Peers        int  // providers of the group with a filing, the provider included when it has one
	Enough       bool // the group is large enough to be shown to the provider's users
	Named        bool // the lines carry every peer's name and value
	// Threats and Dimensions are empty for a provider's users while the
	// group is too small: then they learn its size and nothing else.
	Threats    []BenchmarkLine
	Dimensions []BenchmarkLine
}

// BenchmarkLine is one threat's residual score or one dimension's
// compliance among the peers.
type BenchmarkLine struct {
	ID, Name  string
	Own       *float64          // the provider's own; nil when it has none on file
	Count     int               // peers with a value, the provider included
	Quartiles *domain.Quartiles // nil when there is no value, or too few for the actor to see them
	Min, Max  *float64          // only when Named
	Peers     []store.PeerValue // every peer with its value, lowest first; only when Named
}

// Benchmark returns a provider's peer benchmark in a campaign (its latest
// when campaignID is empty). ENotFound when the provider is not the actor's
// to read or has no assessment in the campaign.
func (a *App) Benchmark(ctx context.Context, actor domain.Actor, providerID, campaignID string) (Benchmark, error) {
	if err := a.permit(ctx, actor, "benchmark", "read"); err != nil {
		return Benchmark{}, err
	}
	if _, err := a.db.Provider(ctx, actor, providerID); err != nil {
		return Benchmark{}, err
	}
	if err := a.permitOn(ctx, actor, providerID, "benchmark", "read", "provider"); err != nil {
		return Benchmark{}, err
	}
	return a.benchmark(ctx, actor, providerID, campaignID, a.may(actor, providerID, "benchmark", "compare"))
}

// benchmark reads a benchmark the actor has been allowed to read and shapes
// it: with every peer named, or as a provider's users may see it.
func (a *App) benchmark(ctx context.Context, actor domain.Actor, providerID, campaignID string, named bool) (Benchmark, error) {
	settings, _, err := a.db.Settings(ctx)
	if err != nil {
		return Benchmark{}, err
	}
	raw, err := a.db.Benchmark(ctx, actor, store.BenchmarkQuery{ProviderID: providerID, CampaignID: campaignID,
		Grouping: settings.Peers(), Named: named})
	if err != nil {
		return Benchmark{}, err
	}
	return benchmarkOf(raw, named), nil
}

// benchmarkOf shapes the stored figures for a reader who sees every peer by
// name (named) or for a provider's users, who see quartiles only of a group
// and of a line with enough peers, and never a peer's value.
func benchmarkOf(raw store.Benchmark, named bool) Benchmark {
	b := Benchmark{ProviderID: raw.ProviderID, AssessmentID: raw.AssessmentID, CampaignID: raw.CampaignID,
		CampaignName: raw.CampaignName, Grouping: raw.Grouping, Kind: raw.Kind, Tier: raw.Tier, Peers: raw.Peers,
		Enough: domain.EnoughPeers(raw.Peers), Named: named, Threats: []BenchmarkLine{}, Dimensions: []BenchmarkLine{}}
	if !named && !b.Enough {
		return b
	}
	names := map[string]string{}
	for _, t := range raw.Framework.Threats {
		names["threat:"+t.ID] = t.Name
	}
	for _, d := range raw.Framework.Dimensions {
		names["dimension:"+d.ID] = d.Name
	}
	line := func(facet string, pf store.PeerFigures) BenchmarkLine {
		l := BenchmarkLine{ID: pf.ID, Name: names[facet+":"+pf.ID], Own: pf.Own, Count: len(pf.Values)}
		if q, ok := domain.QuartilesOf(pf.Values); ok && (named || domain.EnoughPeers(len(pf.Values))) {
			l.Quartiles = &q
		}
		if named && len(pf.Values) > 0 {
			lo, hi := pf.Values[0], pf.Values[len(pf.Values)-1]
			l.Min, l.Max, l.Peers = &lo, &hi, pf.Named
		}
		return l
	}
	for _, pf := range raw.Threats {
		b.Threats = append(b.Threats, line("threat", pf))
	}
	for _, pf := range raw.Dimensions {
		b.Dimensions = append(b.Dimensions, line("dimension", pf))
	}
	return b
}
