package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// BenchmarkQuery says whose peer benchmark to read.
type BenchmarkQuery struct {
	ProviderID string
	CampaignID string              // "" for the provider's latest campaign
	Grouping   domain.PeerGrouping // which peers: domain.PeerGroupings
	// Named asks for every peer's name beside its value. Only an actor whose
	// scope reaches every provider gets them; for anyone else the query
	// leaves them out whatever is asked.
	Named bool
}

// Benchmark is the material of a provider's peer benchmark in one
// campaign: the values of every provider of its group with a filing there,
// the provider's own among them when it has filed. It holds no judgement of
// what may be shown; the application layer decides that.
type Benchmark struct {
	ProviderID   string
	AssessmentID string
	CampaignID   string
	CampaignName string
	Framework    *domain.Framework
	Grouping     domain.PeerGrouping
	Kind         domain.ProviderKind // of the provider when its assessment was opened
	Tier         int
	Filed        bool // the provider itself has a filing in the campaign
	Peers        int  // providers of the group with a filing, the provider included when it has one
	Threats      []PeerFigures
	Dimensions   []PeerFigures
}

// PeerFigures are one threat's residual scores (applicable threats only) or
// one dimension's compliance fractions (dimensions where a control counts)
// across a peer group, from each provider's latest filing.
type PeerFigures struct {
	ID     string
	Own    *float64    // the provider's own; nil when it has none
	Values []float64   // every peer's, the provider's included, ascending
	Named  []PeerValue // the same with whose they are, lowest first; only when named and allowed
}

// PeerValue is one provider's value in a peer group.
type PeerValue struct {
	ProviderID string
	Name       string
	Value      float64
}

// benchmarkSQL reads a provider's assessment in a campaign (its latest when
// none is named), the providers of its group with a filing there, and their
// filed figures, one row per threat or dimension that has any; the first
// columns repeat the provider's own facts on every row, and a group without
// figures still gives one row with an empty facet. Names and provider ids
// are aggregated only for a scope over every provider that asked for them.
const benchmarkSQL = `with own as (
		select a.id, a.campaign_id, c.name as campaign_name, a.framework, a.provider_kind, a.provider_tier
		from assessments a join campaigns c on c.id = a.campaign_id
		where a.provider_id = @provider::uuid and (@campaign = '' or a.campaign_id::text = @campaign)
		and (@scope = '*' or a.provider_id = nullif(@scope, '*')::uuid)
		order by c.opens_at desc, c.created_at desc limit 1),
	peers as (
		select a.id, a.provider_id, p.short_name
		from own join assessments a on a.campaign_id = own.campaign_id
		join assessment_risk r on r.assessment_id = a.id and r.basis = 'filed'
		join providers p on p.id = a.provider_id
		where (not @by_kind or a.provider_kind = own.provider_kind)
		and (not @by_tier or a.provider_tier = own.provider_tier)),
	figures as (
		select 'threat' as facet, t.threat_id as key, pe.id as assessment_id, pe.provider_id, pe.short_name,
			t.score::bigint as score, 0::bigint as credit, 0::bigint as weight
		from peers pe join threat_risks t on t.assessment_id = pe.id and t.basis = 'filed' and t.applicable
		union all
		select 'dimension', s.key, pe.id, pe.provider_id, pe.short_name, 0, s.credit, s.weight
		from peers pe join compliance_scores s on s.assessment_id = pe.id and s.basis = 'filed'
			and s.facet = 'dimension' and s.weight > 0)
	select own.id::text, own.campaign_id::text, own.campaign_name, own.framework, own.provider_kind, own.provider_tier,
		exists (select 1 from peers where peers.id = own.id), (select count(*) from peers),
		coalesce(f.facet, ''), coalesce(f.key, ''),
		coalesce(array_agg(f.score order by f.provider_id) filter (where f.facet is not null), '{}'),
		coalesce(array_agg(f.credit order by f.provider_id) filter (where f.facet is not null), '{}'),
		coalesce(array_agg(f.weight order by f.provider_id) filter (where f.facet is not null), '{}'),
		coalesce(array_agg(f.assessment_id = own.id order by f.provider_id) filter (where f.facet is not null), '{}'),
		case when @named and @scope = '*' then
			coalesce(array_agg(f.provider_id::text order by f.provider_id) filter (where f.facet is not null), '{}') end,
		case when @named and @scope = '*' then
			coalesce(array_agg(f.short_name order by f.provider_id) filter (where f.facet is not null), '{}') end
	from own left join figures f on true
	group by own.id, own.campaign_id, own.campaign_name, own.framework, own.provider_kind, own.provider_tier, f.facet, f.key`

// Benchmark reads, in one query over the stored scores, a provider's figures
// and those of its peers in a campaign: the providers of the same campaign
// whose assessments were opened with the same kind and/or tier (as q.Grouping
// says) and have been filed. ENotFound when the provider has no assessment
// in the campaign or lies outside the actor's scope.
func (db *DB) Benchmark(ctx context.Context, actor domain.Actor, q BenchmarkQuery) (Benchmark, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return Benchmark{}, err
	}
	if !q.Grouping.Valid() {
		return Benchmark{}, domain.Errorf(domain.EInvalid, "%q is not a peer grouping", q.Grouping)
	}
	if !isUUID(q.ProviderID) {
		return Benchmark{}, domain.Errorf(domain.ENotFound, "no such provider")
	}
	if q.CampaignID != "" && !isUUID(q.CampaignID) {
		return Benchmark{}, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	rows, err := db.pool.Query(ctx, benchmarkSQL, pgx.StrictNamedArgs{"provider": q.ProviderID, "campaign": q.CampaignID,
		"scope": scope, "by_kind": q.Grouping.ByKind(), "by_tier": q.Grouping.ByTier(), "named": q.Named})
	if err != nil {
		return Benchmark{}, translate(err, "benchmark")
	}
	b := Benchmark{ProviderID: q.ProviderID, Grouping: q.Grouping}
	var frameworkKey int64
	threats, dimensions := map[string]PeerFigures{}, map[string]PeerFigures{}
	found := false
	for rows.Next() {
		found = true
		var facet, key string
		var scores, credits, weights []int64
		var own []bool
		var ids, names []string
		if err := rows.Scan(&b.AssessmentID, &b.CampaignID, &b.CampaignName, &frameworkKey, &b.Kind, &b.Tier, &b.Filed,
			&b.Peers, &facet, &key, &scores, &credits, &weights, &own, &ids, &names); err != nil {
			rows.Close()
			return Benchmark{}, translate(err, "benchmark")
		}
		switch facet {
		case "threat":
			threats[key] = peerFigures(key, own, ids, names, func(i int) float64 { return float64(scores[i]) })
		case "dimension":
			dimensions[key] = peerFigures(key, own, ids, names, func(i int) float64 {
				v, _ := domain.ComplianceScore{Credit: credits[i], Weight: weights[i]}.Value()
				return v
			})
		}
	}
	if err := rows.Err(); err != nil {
		return Benchmark{}, translate(err, "benchmark")
	}
	if !found {
		return Benchmark{}, domain.Errorf(domain.ENotFound, "the provider has no assessment in this campaign")
	}
	f, err := db.framework(ctx, db.pool, frameworkKey)
	if err != nil {
		return Benchmark{}, translate(err, "benchmark framework")
	}
	b.Framework = f.Framework
	figuresOf := func(found map[string]PeerFigures, id string) PeerFigures {
		if pf, ok := found[id]; ok {
			return pf
		}
		return PeerFigures{ID: id}
	}
	for _, t := range f.Threats {
		b.Threats = append(b.Threats, figuresOf(threats, t.ID))
	}
	for _, d := range f.Dimensions {
		b.Dimensions = append(b.Dimensions, figuresOf(dimensions, d.ID))
	}
	return b, nil
}

// peerFigures sorts one row's values, picking out the provider's own and,
// when the row carries them, who each belongs to.
func peerFigures(key string, own []bool, ids, names []string, value func(i int) float64) PeerFigures {
	pf := PeerFigures{ID: key, Values: make([]float64, len(own))}
	for i := range own {
		v := value(i)
		pf.Values[i] = v
		if own[i] {
			pf.Own = &v
		}
		if ids != nil {
			pf.Named = append(pf.Named, PeerValue{ProviderID: ids[i], Name: names[i], Value: v})
		}
	}
	slices.Sort(pf.Values)
	slices.SortFunc(pf.Named, func(a, b PeerValue) int {
		return cmp.Or(cmp.Compare(a.Value, b.Value), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ProviderID, b.ProviderID))
	})
	return pf
}
