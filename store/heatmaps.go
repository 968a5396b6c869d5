package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// SectorFilter narrows a sector view. Every field is optional.
type SectorFilter struct {
	Basis string // BasisFiled (default) or BasisCurrent
	Kind  domain.ProviderKind
	Tier  int
}

func (f SectorFilter) basis() string {
	if f.Basis == "" {
		return BasisFiled
	}
	return f.Basis
}

// RiskMatrix counts provider–threat pairs per residual (or inherent)
// likelihood and impact for a campaign.
type RiskMatrix struct {
	Counts    [5][5]int // [likelihood-1][impact-1]
	Pairs     int
	Providers int // providers counted
	Missing   int // providers in scope without numbers on this basis (not yet filed)
}

// SectorRiskMatrix builds the campaign's 5×5 matrix in one query over the
// stored scores. Provider users count only their own provider's threats.
func (db *DB) SectorRiskMatrix(ctx context.Context, actor domain.Actor, campaignID string, f SectorFilter, inherent bool) (RiskMatrix, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return RiskMatrix{}, err
	}
	var m RiskMatrix
	if !isUUID(campaignID) {
		return m, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	cells := "r.residual_cells"
	if inherent {
		cells = "r.inherent_cells"
	}
	sums := make([]string, 25)
	for k := range sums {
		sums[k] = fmt.Sprintf("coalesce(sum(%s[%d]), 0)", cells, k+1)
	}
	var found bool
	var counts [25]int
	dst := []any{&found, &m.Providers, &m.Missing}
	for k := range counts {
		dst = append(dst, &counts[k])
	}
	// One query over the stored per-assessment matrices: the sector matrix is their sum.
	err = db.pool.QueryRow(ctx, `with c as (
			select c.id from campaigns c where c.id = $1`+visible(campaignVisible, 5)+`),
		a as (
			select a.id from assessments a join c on c.id = a.campaign_id
			where ($2 = '' or a.provider_kind = $2) and ($3 = 0 or a.provider_tier = $3)
			and ($5 = '*' or a.provider_id = nullif($5, '*')::uuid))
		select exists (select 1 from c), count(r.assessment_id), (select count(*) from a), `+strings.Join(sums, ", ")+`
		from a left join assessment_risk r on r.assessment_id = a.id and r.basis = $4`,
		campaignID, f.Kind, f.Tier, f.basis(), scope).Scan(dst...)
	if err != nil {
		return m, translate(err, "risk matrix")
	}
	if !found {
		return m, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	m.Missing -= m.Providers
	for k, n := range counts {
		m.Counts[k/5][k%5] = n
		m.Pairs += n
	}
	return m, nil
}

// HeatmapRow is one provider's row of a sector heatmap.
type HeatmapRow struct {
	AssessmentID string
	ProviderID   string
	ProviderName string
	Kind         domain.ProviderKind
	Tier         int
	Source       string
	Compliance   map[string]*float64         // by dimension: fraction, nil when no control counts
	Levels       map[string]domain.RiskLevel // by stage: worst residual level, "" when none applies
	Overall      *float64
	MaxScore     int
}

// HeatmapSort orders heatmap rows.
type HeatmapSort string

// Orders of heatmap rows.
const (
	SortName  HeatmapSort = "name"  // by provider name
	SortWorst HeatmapSort = "worst" // lowest compliance (dimensions) or highest residual score (stages) first
)

// SectorHeatmap pages through the providers of a campaign with their
// compliance by dimension and worst residual level by stage, read from the
// stored scores. worstBy says what "worst first" means: "compliance" (lowest
// first) or "score" (highest residual score first). Provider users get only
// their own row.
func (db *DB) SectorHeatmap(ctx context.Context, actor domain.Actor, campaignID string, f SectorFilter, order HeatmapSort,
	worstBy string, page Page) ([]HeatmapRow, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	if !isUUID(campaignID) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such campaign")
	}
	if _, err := getCampaign(ctx, db.pool, actor, campaignID, false); err != nil {
		return nil, "", translate(err, "heatmap")
	}
	var afterKey float64
	afterName, afterID := "", ""
	if ok, err := decodeCursor(page.Cursor, &afterKey, &afterName, &afterID); err != nil {
		return nil, "", err
	} else if !ok {
		afterKey = -1e9
	}
	if afterID, err = cursorID(page.Cursor, afterID, lowestID); err != nil {
		return nil, "", err
	}
	sortKey := `0::float8`
	switch {
	case order == SortWorst && worstBy == "score":
		sortKey = `-r.max_score::float8`
	case order == SortWorst:
		sortKey = `coalesce(r.credit::float8 / nullif(r.weight, 0), 2)`
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select a.id::text, a.provider_id::text, p.short_name, a.provider_kind, a.provider_tier,
			r.source, `+sortKey+` as k,
			case when r.weight > 0 then r.credit::float8 / r.weight end, r.max_score,
			coalesce((select json_object_agg(cs.key, case when cs.weight > 0 then cs.credit::float8 / cs.weight end)
				from compliance_scores cs where cs.assessment_id = a.id and cs.basis = r.basis and cs.facet = 'dimension'), '{}'),
			coalesce((select json_object_agg(x.stage_id, x.level) from (
				select ts.stage_id, (array['low','medium','high','critical'])[max(case tr.level when 'low' then 1
					when 'medium' then 2 when 'high' then 3 else 4 end)] as level
				from threat_risks tr join threat_stages ts on ts.framework = a.framework and ts.threat_id = tr.threat_id
				where tr.assessment_id = a.id and tr.basis = r.basis and tr.applicable group by ts.stage_id) x), '{}')
		from assessments a join providers p on p.id = a.provider_id
		join assessment_risk r on r.assessment_id = a.id and r.basis = $2
		where a.campaign_id = $1 and ($3 = '' or a.provider_kind = $3) and ($4 = 0 or a.provider_tier = $4)
		and ($5 = '*' or a.provider_id = nullif($5, '*')::uuid)
		and (`+sortKey+`, lower(p.short_name), a.id) > ($6, lower($7), $8::uuid)
		order by k, lower(p.short_name), a.id limit $9`,
		campaignID, f.basis(), f.Kind, f.Tier, scope, afterKey, afterName, afterID, limit+1)
	if err != nil {
		return nil, "", translate(err, "heatmap")
	}
	type row struct {
		HeatmapRow
		key float64
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var out row
		var dims, stages []byte
		err := r.Scan(&out.AssessmentID, &out.ProviderID, &out.ProviderName, &out.Kind, &out.Tier, &out.Source, &out.key,
			&out.Overall, &out.MaxScore, &dims, &stages)
		if err == nil {
			err = json.Unmarshal(dims, &out.Compliance)
		}
		if err == nil {
			err = json.Unmarshal(stages, &out.Levels)
		}
		return out, err
	})
	if err != nil {
		return nil, "", translate(err, "heatmap")
	}
	list, next := pageOf(list, limit, func(r row) []any { return []any{r.key, r.ProviderName, r.AssessmentID} })
	out := make([]HeatmapRow, len(list))
	for i, r := range list {
		out[i] = r.HeatmapRow
	}
	return out, next, nil
}
