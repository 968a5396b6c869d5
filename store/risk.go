package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// RiskRegister is one provider's risk in one campaign, with everything that
// produced each number.
type RiskRegister struct {
	Assessment domain.Assessment
	Framework  *domain.Framework
	Basis      string // BasisCurrent or BasisFiled
	Source     string // the state the numbers come from: draft, submitted, approved …
	Submission int
	Tier       int
	Result     domain.RiskResult
}

// ProviderRisk computes a provider's risk register for a campaign (its
// latest campaign when campaignID is empty). basis "" means the latest
// filing when there is one, else the assessment as it stands.
func (db *DB) ProviderRisk(ctx context.Context, actor domain.Actor, providerID, campaignID, basis string) (RiskRegister, error) {
	if _, err := db.Provider(ctx, actor, providerID); err != nil {
		return RiskRegister{}, err
	}
	if campaignID != "" && !isUUID(campaignID) {
		return RiskRegister{}, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	var id string
	err := db.pool.QueryRow(ctx, `select a.id::text from assessments a join campaigns c on c.id = a.campaign_id
		where a.provider_id = $1 and ($2 = '' or a.campaign_id::text = $2)
		order by c.opens_at desc, c.created_at desc limit 1`, providerID, campaignID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return RiskRegister{}, domain.Errorf(domain.ENotFound, "the provider has no assessment in this campaign")
	}
	if err != nil {
		return RiskRegister{}, translate(err, "provider risk")
	}
	a, err := db.Assessment(ctx, actor, id)
	if err != nil {
		return RiskRegister{}, err
	}
	all, err := db.computeScores(ctx, db.pool, []string{id})
	if err != nil {
		return RiskRegister{}, translate(err, "provider risk")
	}
	s := all[0]
	if basis == "" {
		basis = BasisCurrent
		if _, ok := s.bases[BasisFiled]; ok {
			basis = BasisFiled
		}
	}
	r, ok := s.bases[basis]
	if !ok {
		return RiskRegister{}, domain.Errorf(domain.EConflict, "the assessment has not been submitted yet; ask for basis=current")
	}
	return RiskRegister{Assessment: a, Framework: s.f.Framework, Basis: basis, Source: s.source[basis],
		Submission: s.input.submissions, Tier: s.input.tier, Result: r}, nil
}

// OverrideEntry is a supervisor's override of a threat's inherent values.
type OverrideEntry struct {
	ProviderID string
	Framework  string
	Version    string
	ThreatID   string
	Likelihood *int
	Impact     *int
	Reason     string
	SetBy      string
	SetAt      time.Time
}

// Overrides lists a provider's overrides.
func (db *DB) Overrides(ctx context.Context, actor domain.Actor, providerID string) ([]OverrideEntry, error) {
	if _, err := db.Provider(ctx, actor, providerID); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `select o.provider_id::text, f.id, f.version, o.threat_id, o.likelihood::int,
		o.impact::int, o.reason, coalesce(u.email, ''), o.set_at
		from risk_overrides o join frameworks f on f.pk = o.framework left join users u on u.id = o.set_by
		where o.provider_id = $1 order by f.id, f.version, o.threat_id`, providerID)
	if err != nil {
		return nil, translate(err, "list overrides")
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OverrideEntry])
	return list, translate(err, "list overrides")
}

// SetOverride sets (or, with both values nil, removes, if there is one) a
// supervisor's override of a threat's inherent likelihood and impact for a provider, and
// refreshes the scores of the provider's assessments under that framework in
// the same transaction.
func (db *DB) SetOverride(ctx context.Context, actor domain.Actor, providerID string, ref FrameworkRef, threatID string,
	likelihood, impact *int, reason string) error {
	reason = strings.TrimSpace(reason)
	remove := likelihood == nil && impact == nil
	var problems []domain.Problem
	for _, v := range []struct {
		loc string
		v   *int
	}{{"body.likelihood", likelihood}, {"body.impact", impact}} {
		if v.v != nil && (*v.v < domain.RiskScaleMin || *v.v > domain.RiskScaleMax) {
			problems = append(problems, domain.Problem{Location: v.loc, Message: "must be 1 to 5"})
		}
	}
	if reason == "" || len(reason) > 2000 {
		problems = append(problems, domain.Problem{Location: "body.reason", Message: "say why (at most 2000 characters)"})
	}
	if len(problems) > 0 {
		return domain.Invalid("the override cannot be set", problems)
	}
	p, err := db.Provider(ctx, actor, providerID)
	if err != nil {
		return err
	}
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return err
	}
	return db.write(ctx, "set risk override", func(t *txn) error {
		var exists bool
		if err := t.QueryRow(ctx, `select exists (select 1 from threats where framework = $1 and id = $2)`, key, threatID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return domain.Errorf(domain.ENotFound, "threat %s is not in framework %s", threatID, ref)
		}
		var before *OverrideEntry
		var b OverrideEntry
		err := t.QueryRow(ctx, `select likelihood::int, impact::int, reason from risk_overrides
			where provider_id = $1 and framework = $2 and threat_id = $3 for update`, providerID, key, threatID).
			Scan(&b.Likelihood, &b.Impact, &b.Reason)
		if err == nil {
			before = &b
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		action := "risk.override"
		if remove {
			if before == nil {
				return nil // nothing to remove, nothing changed
			}
			action = "risk.override_removed"
			if _, err := t.Exec(ctx, `delete from risk_overrides where provider_id = $1 and framework = $2 and threat_id = $3`,
				providerID, key, threatID); err != nil {
				return err
			}
		} else if _, err := t.Exec(ctx, `insert into risk_overrides (provider_id, framework, threat_id, likelihood, impact,
			reason, set_by) values ($1, $2, $3, $4, $5, $6, $7)
			on conflict (provider_id, framework, threat_id) do update set likelihood = excluded.likelihood,
			impact = excluded.impact, reason = excluded.reason, set_by = excluded.set_by, set_at = now()`,
			providerID, key, threatID, likelihood, impact, reason, nullable(actor.UserID)); err != nil {
			return err
		}
		// Lock the assessments whose scores change, in one order, like any other writer of them.
		rows, err := t.Query(ctx, `select id::text from assessments where provider_id = $1 and framework = $2
			order by id for update`, providerID, key)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if err := db.refreshScores(ctx, t, ids...); err != nil {
			return err
		}
		summary := map[string]any{"threat_id": threatID, "framework": ref.String(), "likelihood": likelihood,
			"impact": impact, "reason": reason, "provider": p.ShortName}
		if before != nil {
			summary["before"] = map[string]any{"likelihood": before.Likelihood, "impact": before.Impact, "reason": before.Reason}
		}
		return t.record(actor, action, "provider", providerID, providerID, summary)
	})
}

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
			and ($5 = '*' or a.provider_id::text = $5))
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
	sortKey := `0::float8`
	switch {
	case order == SortWorst && worstBy == "score":
		sortKey = `-r.max_score::float8`
	case order == SortWorst:
		sortKey = `coalesce(r.quarters::float8 / nullif(4 * r.counted, 0), 2)`
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select a.id::text, a.provider_id::text, p.short_name, a.provider_kind, a.provider_tier,
			r.source, `+sortKey+` as k,
			case when r.counted > 0 then r.quarters::float8 / (4 * r.counted) end, r.max_score,
			coalesce((select json_object_agg(cs.key, case when cs.counted > 0 then cs.quarters::float8 / (4 * cs.counted) end)
				from compliance_scores cs where cs.assessment_id = a.id and cs.basis = r.basis and cs.facet = 'dimension'), '{}'),
			coalesce((select json_object_agg(x.stage_id, x.level) from (
				select ts.stage_id, (array['low','medium','high','critical'])[max(case tr.level when 'low' then 1
					when 'medium' then 2 when 'high' then 3 else 4 end)] as level
				from threat_risks tr join threat_stages ts on ts.framework = a.framework and ts.threat_id = tr.threat_id
				where tr.assessment_id = a.id and tr.basis = r.basis and tr.applicable group by ts.stage_id) x), '{}')
		from assessments a join providers p on p.id = a.provider_id
		join assessment_risk r on r.assessment_id = a.id and r.basis = $2
		where a.campaign_id = $1 and ($3 = '' or a.provider_kind = $3) and ($4 = 0 or a.provider_tier = $4)
		and ($5 = '*' or a.provider_id::text = $5)
		and (`+sortKey+`, lower(p.short_name), a.id::text) > ($6, lower($7), $8)
		order by k, lower(p.short_name), a.id::text limit $9`,
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

// Priority is one provider's place in a campaign's supervisory ranking.
type Priority struct {
	Rank            int
	AssessmentID    string
	ProviderID      string
	ProviderName    string
	Kind            domain.ProviderKind
	Tier            int
	Status          domain.AssessmentStatus
	Filed           bool
	FilingOverdue   bool
	OverdueFindings int
	Input           domain.PriorityInput
	Score           float64
	TopThreats      []ThreatScore
	WorstDimensions []DimensionScore
}

// ThreatScore is a threat's residual score in a ranking's drivers.
type ThreatScore struct {
	ThreatID string           `json:"threat_id"`
	Score    int              `json:"score"`
	Level    domain.RiskLevel `json:"level"`
}

// DimensionScore is a dimension's compliance in a ranking's drivers.
type DimensionScore struct {
	DimensionID string  `json:"dimension_id"`
	Compliance  float64 `json:"compliance"`
}

// Priorities ranks the providers of a campaign by supervisory priority (see
// domain.PriorityInput), with the drivers of each rank. Providers that have
// not filed are taken at their inherent risk.
func (db *DB) Priorities(ctx context.Context, actor domain.Actor, campaignID string, page Page) ([]Priority, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	if !isUUID(campaignID) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such campaign")
	}
	if _, err := getCampaign(ctx, db.pool, actor, campaignID, false); err != nil {
		return nil, "", translate(err, "priorities")
	}
	offset := 0
	if _, err := decodeCursor(page.Cursor, &offset); err != nil {
		return nil, "", err
	}
	if offset < 0 {
		return nil, "", domain.Errorf(domain.EInvalid, "cursor %q is not valid here", page.Cursor)
	}
	rows, err := db.pool.Query(ctx, `select a.id::text, a.provider_id::text, p.short_name, a.provider_kind, a.provider_tier,
			a.status, f.assessment_id is not null,
			a.status in ('draft', 'changes_requested') and c.due_at < current_date,
			(select count(*) from findings fi where fi.provider_id = a.provider_id
				and fi.status in ('open', 'in_progress') and fi.due_at < current_date),
			coalesce(f.threats, cur.threats), coalesce(f.max_score, cur.max_inherent), coalesce(f.sum_score, cur.sum_inherent),
			coalesce((select json_agg(json_build_object('threat_id', x.threat_id, 'score', x.score, 'level', x.level))
				from (select tr.threat_id, case when f.assessment_id is null then tr.l0 * tr.i0 else tr.score end score,
					tr.level from threat_risks tr
					where tr.assessment_id = a.id and tr.basis = coalesce(f.basis, cur.basis) and tr.applicable
					order by 2 desc, tr.threat_id limit 3) x), '[]'),
			coalesce((select json_agg(json_build_object('dimension_id', y.key, 'compliance', y.v))
				from (select cs.key, cs.quarters::float8 / (4 * cs.counted) v from compliance_scores cs
					where cs.assessment_id = a.id and cs.basis = coalesce(f.basis, cur.basis) and cs.facet = 'dimension'
					and cs.counted > 0 order by 2, cs.key limit 2) y), '[]')
		from assessments a join providers p on p.id = a.provider_id join campaigns c on c.id = a.campaign_id
		join assessment_risk cur on cur.assessment_id = a.id and cur.basis = 'current'
		left join assessment_risk f on f.assessment_id = a.id and f.basis = 'filed'
		where a.campaign_id = $1 and ($2 = '*' or a.provider_id::text = $2)`, campaignID, scope)
	if err != nil {
		return nil, "", translate(err, "priorities")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Priority, error) {
		var p Priority
		var top, worst []byte
		err := r.Scan(&p.AssessmentID, &p.ProviderID, &p.ProviderName, &p.Kind, &p.Tier, &p.Status, &p.Filed,
			&p.FilingOverdue, &p.OverdueFindings, &p.Input.Threats, &p.Input.MaxScore, &p.Input.SumScore, &top, &worst)
		if err != nil {
			return p, err
		}
		if err := json.Unmarshal(top, &p.TopThreats); err != nil {
			return p, err
		}
		if !p.Filed {
			for i := range p.TopThreats {
				p.TopThreats[i].Level = domain.LevelOf(p.TopThreats[i].Score)
			}
		}
		if err := json.Unmarshal(worst, &p.WorstDimensions); err != nil {
			return p, err
		}
		p.Input.Tier, p.Input.OverdueFindings, p.Input.FilingOverdue = p.Tier, p.OverdueFindings, p.FilingOverdue
		p.Score = p.Input.Priority()
		return p, nil
	})
	if err != nil {
		return nil, "", translate(err, "priorities")
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Score != list[j].Score {
			return list[i].Score > list[j].Score
		}
		if list[i].Tier != list[j].Tier {
			return list[i].Tier < list[j].Tier
		}
		return list[i].ProviderName < list[j].ProviderName
	})
	for i := range list {
		list[i].Rank = i + 1
	}
	limit := page.limit()
	if offset > len(list) {
		offset = len(list)
	}
	end := min(offset+limit, len(list))
	next := ""
	if end < len(list) {
		next = encodeCursor(end)
	}
	return list[offset:end], next, nil
}

// TrendPoint is a provider's standing in one campaign.
type TrendPoint struct {
	CampaignID   string
	CampaignName string
	OpensAt      domain.Date
	DueAt        domain.Date
	AssessmentID string
	Status       domain.AssessmentStatus
	Basis        string
	Source       string
	Submission   int
	Compliance   *float64
	Threats      int
	MaxScore     int
	MeanScore    float64
	Levels       map[domain.RiskLevel]int
}

// Trend returns a provider's compliance and residual risk across campaigns,
// oldest first, each from its latest filing when there is one.
func (db *DB) Trend(ctx context.Context, actor domain.Actor, providerID string) ([]TrendPoint, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, err
	}
	if _, err := db.Provider(ctx, actor, providerID); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `select c.id::text, c.name, c.opens_at, c.due_at, a.id::text, a.status, r.basis, r.source,
			r.submission, case when r.counted > 0 then r.quarters::float8 / (4 * r.counted) end, r.threats, r.max_score,
			case when r.threats > 0 then r.sum_score::float8 / r.threats else 0 end, r.low, r.medium, r.high, r.critical
		from assessments a join campaigns c on c.id = a.campaign_id
		join lateral (select * from assessment_risk x where x.assessment_id = a.id
			order by (x.basis = 'filed') desc limit 1) r on true
		where a.provider_id = $1 and ($2 = '*' or a.provider_id::text = $2)
		order by c.opens_at, c.created_at`, providerID, scope)
	if err != nil {
		return nil, translate(err, "trend")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrendPoint, error) {
		var t TrendPoint
		var opens, due time.Time
		var low, medium, high, critical int
		err := r.Scan(&t.CampaignID, &t.CampaignName, &opens, &due, &t.AssessmentID, &t.Status, &t.Basis, &t.Source,
			&t.Submission, &t.Compliance, &t.Threats, &t.MaxScore, &t.MeanScore, &low, &medium, &high, &critical)
		t.OpensAt, t.DueAt = domain.DateOf(opens), domain.DateOf(due)
		t.Levels = map[domain.RiskLevel]int{domain.LevelLow: low, domain.LevelMedium: medium, domain.LevelHigh: high,
			domain.LevelCritical: critical}
		return t, err
	})
	return list, translate(err, "trend")
}
