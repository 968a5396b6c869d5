package store

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

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
// not filed are taken at their inherent risk, have no weakest dimensions
// (no compliance without a filing, as the heatmaps show them n/a) and are
// ranked after every provider that has filed.
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
					where cs.assessment_id = a.id and cs.basis = f.basis and cs.facet = 'dimension'
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
	// Filed providers come first: a provider that has not filed has no
	// compliance to rank by, so it follows the filed ones (among themselves
	// by priority at their inherent risk) rather than topping the list.
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Filed != list[j].Filed {
			return list[i].Filed
		}
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
