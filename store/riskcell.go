package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// RiskPair is one provider–threat pair of a cell of a campaign's risk matrix.
type RiskPair struct {
	AssessmentID string
	ProviderID   string
	ProviderName string
	Tier         int
	ThreatID     string
	ThreatName   string
	Likelihood   int
	Impact       int
	Score        int
	Level        domain.RiskLevel
}

// RiskCell pages through the provider–threat pairs behind one cell of the
// campaign's matrix (see SectorRiskMatrix), by provider name and then
// threat, read from the same stored per-assessment rows the matrix sums.
// A likelihood or impact outside 1–5 is EInvalid; a campaign the actor may
// not see is ENotFound. Provider users get their own threats only.
func (db *DB) RiskCell(ctx context.Context, actor domain.Actor, campaignID string, f SectorFilter, inherent bool,
	likelihood, impact int, page Page) ([]RiskPair, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	var problems []domain.Problem
	if likelihood < domain.RiskScaleMin || likelihood > domain.RiskScaleMax {
		problems = append(problems, domain.Problem{Location: "query.likelihood", Message: "must be 1 to 5"})
	}
	if impact < domain.RiskScaleMin || impact > domain.RiskScaleMax {
		problems = append(problems, domain.Problem{Location: "query.impact", Message: "must be 1 to 5"})
	}
	if len(problems) > 0 {
		return nil, "", domain.Invalid("no such cell", problems)
	}
	if !isUUID(campaignID) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such campaign")
	}
	if _, err := getCampaign(ctx, db.pool, actor, campaignID, false); err != nil {
		return nil, "", translate(err, "risk cell")
	}
	afterName, afterID, afterOrdinal := "", "", -1
	if _, err := decodeCursor(page.Cursor, &afterName, &afterID, &afterOrdinal); err != nil {
		return nil, "", err
	}
	l, i := "tr.l1", "tr.i1"
	if inherent {
		l, i = "tr.l0", "tr.i0"
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select a.id::text, a.provider_id::text, p.short_name, a.provider_tier,
			tr.threat_id, t.name, t.ordinal
		from assessments a join providers p on p.id = a.provider_id
		join threat_risks tr on tr.assessment_id = a.id and tr.basis = @basis and tr.applicable
		join threats t on t.framework = a.framework and t.id = tr.threat_id
		where a.campaign_id = @campaign and (@kind = '' or a.provider_kind = @kind) and (@tier = 0 or a.provider_tier = @tier)
		and (@scope = '*' or a.provider_id::text = @scope)
		and `+l+` = @likelihood and `+i+` = @impact
		and (lower(p.short_name), a.id::text, t.ordinal) > (lower(@afterName), @afterID, @afterOrdinal)
		order by lower(p.short_name), a.id::text, t.ordinal limit @limit`,
		pgx.NamedArgs{"basis": f.basis(), "campaign": campaignID, "kind": string(f.Kind), "tier": f.Tier, "scope": scope,
			"likelihood": likelihood, "impact": impact, "afterName": afterName, "afterID": afterID,
			"afterOrdinal": afterOrdinal, "limit": limit + 1})
	if err != nil {
		return nil, "", translate(err, "risk cell")
	}
	type row struct {
		RiskPair
		ordinal int
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var out row
		err := r.Scan(&out.AssessmentID, &out.ProviderID, &out.ProviderName, &out.Tier, &out.ThreatID, &out.ThreatName,
			&out.ordinal)
		out.Likelihood, out.Impact, out.Score = likelihood, impact, likelihood*impact
		out.Level = domain.LevelOf(out.Score)
		return out, err
	})
	if err != nil {
		return nil, "", translate(err, "risk cell")
	}
	list, next := pageOf(list, limit, func(r row) []any { return []any{r.ProviderName, r.AssessmentID, r.ordinal} })
	out := make([]RiskPair, len(list))
	for k, r := range list {
		out[k] = r.RiskPair
	}
	return out, next, nil
}
