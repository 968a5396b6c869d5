package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
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
	// Input is what the priority was computed from, but for the overdue
	// findings themselves: a stored row keeps their count and weight, which
	// Drivers holds with every other term.
	Input           domain.PriorityInput
	Drivers         domain.PriorityDrivers
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
// domain.PriorityInput), with the drivers of each rank, a page at a time.
// Providers that have not filed are taken at their inherent risk, have no
// weakest dimensions (no compliance without a filing, as the heatmaps show
// them n/a) and are ranked after every provider that has filed. The ranking
// is read from the stored rows every write keeps current (refreshPriorities);
// rows whose overdue state a passing day has changed are recomputed first,
// so a page never shows yesterday's. A provider user sees its own row only,
// ranked 1. It returns ENotFound for a campaign the actor cannot see and
// EInvalid for a cursor it did not make.
func (db *DB) Priorities(ctx context.Context, actor domain.Actor, campaignID string, page Page) ([]Priority, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	if !isUUID(campaignID) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such campaign")
	}
	var after priorityKey
	from, err := decodeCursor(page.Cursor, &after.Unfiled, &after.RankScore, &after.Tier, &after.Name, &after.ID, &after.Rank)
	if err != nil {
		return nil, "", err
	}
	if from && (!isUUID(after.ID) || after.Rank < 1 || after.Tier < 1 || after.Tier > 3) {
		return nil, "", domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", page.Cursor)
	}
	limit := page.limit()
	args := pgx.StrictNamedArgs{"campaign": campaignID, "scope": scope}
	// Only the conditions in use, and the limit as a literal, so the page's
	// statement keeps one plan (see pageLimit).
	keyset := ""
	if scope != allProviders {
		keyset = ` and r.provider_id = @scope::uuid`
	}
	if from {
		keyset += ` and (r.unfiled, r.rank_score, r.tier, r.provider_name, r.assessment_id) > (@unfiled, @rank_score, @tier, @name, @id::uuid)`
		args["unfiled"], args["rank_score"], args["tier"], args["name"], args["id"] =
			after.Unfiled, after.RankScore, after.Tier, after.Name, after.ID
	}
	// Each row also says whether the actor may see the campaign and whether
	// a passing day has made any of its rows stale (each checked once per
	// statement), so a page is one statement; it is read again only on the
	// first read after such a day. No row at all leaves both to ask apart.
	pageSQL := `select r.assessment_id, r.provider_id, r.provider_name, r.provider_kind, r.tier,
			r.status, r.unfiled, r.rank_score, r.filing_overdue, r.overdue_findings, r.threats, r.max_score, r.sum_score,
			r.findings_weight::float8, r.last_on_site, coalesce(@today::date, current_date),
			r.top_threats, r.worst_dimensions, (` + campaignSeenSQL + `), (` + campaignStaleSQL + `)
		from priorities r where r.campaign_id = @campaign::uuid` + keyset + `
		order by r.unfiled, r.rank_score, r.tier, r.provider_name, r.assessment_id limit ` + pageLimit(limit)
	args["today"] = db.todayArg()
	read := func() ([]Priority, []priorityKey, bool, bool, error) {
		rows, err := db.pool.Query(ctx, pageSQL, args)
		if err != nil {
			return nil, nil, false, false, err
		}
		list, keys, err := scanPriorities(rows)
		if err != nil || len(list) > 0 {
			return list, keys, len(list) > 0 && keys[0].seen, len(list) > 0 && keys[0].stale, err
		}
		var seen, stale bool
		err = db.pool.QueryRow(ctx, `select (`+campaignSeenSQL+`), (`+campaignStaleSQL+`)`,
			pgx.NamedArgs{"campaign": campaignID, "scope": scope, "today": args["today"]}).Scan(&seen, &stale)
		return nil, nil, seen, stale, err
	}
	list, keys, seen, stale, err := read()
	if err != nil {
		return nil, "", translate(err, "priorities")
	}
	if !seen {
		return nil, "", domain.Errorf(domain.ENotFound, "no such campaign")
	}
	if stale {
		if err := db.refreshStalePriorities(ctx, campaignID); err != nil {
			return nil, "", translate(err, "priorities")
		}
		if list, keys, _, _, err = read(); err != nil {
			return nil, "", translate(err, "priorities")
		}
	}
	for i := range list {
		list[i].Rank = after.Rank + i + 1
	}
	if len(list) <= limit {
		return list, "", nil
	}
	last := keys[limit-1]
	return list[:limit], encodeCursor(last.Unfiled, last.RankScore, last.Tier, last.Name, last.ID, after.Rank+limit), nil
}

// scanPriorities reads a page of stored ranking rows and their keys.
func scanPriorities(rows pgx.Rows) ([]Priority, []priorityKey, error) {
	var keys []priorityKey
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Priority, error) {
		var p Priority
		var k priorityKey
		var top, worst []byte
		var findingsWeight float64
		var lastOnSite *time.Time
		var today time.Time
		err := r.Scan(&p.AssessmentID, &p.ProviderID, &p.ProviderName, &p.Kind, &p.Tier, &p.Status, &k.Unfiled,
			&k.RankScore, &p.FilingOverdue, &p.OverdueFindings, &p.Input.Threats, &p.Input.MaxScore, &p.Input.SumScore,
			&findingsWeight, &lastOnSite, &today, &top, &worst, &k.seen, &k.stale)
		if err != nil {
			return p, err
		}
		if err := json.Unmarshal(top, &p.TopThreats); err != nil {
			return p, err
		}
		if err := json.Unmarshal(worst, &p.WorstDimensions); err != nil {
			return p, err
		}
		p.Filed = !k.Unfiled
		p.Input.Tier, p.Input.FilingOverdue = p.Tier, p.FilingOverdue
		if lastOnSite != nil {
			p.Input.LastOnSite = domain.DateOf(*lastOnSite)
		}
		// The row is current for today (a stale one is recomputed before it
		// is read), so today's drivers are the ones it was ranked by.
		p.Drivers = p.Input.DriversWith(p.OverdueFindings, findingsWeight, domain.DateOf(today))
		p.Score = -float64(k.RankScore) / 10
		k.Tier, k.Name, k.ID = p.Tier, p.ProviderName, p.AssessmentID
		keys = append(keys, k)
		return p, nil
	})
	return list, keys, err
}

// priorityKey is a row's place in the stored ranking's order, and the rank
// of the last row of a page (carried in the cursor, so later pages number on).
type priorityKey struct {
	Unfiled   bool
	RankScore int
	Tier      int
	Name      string
	ID        string
	Rank      int

	seen, stale bool // what the page's statement said of its campaign
}

// campaignSeenSQL says whether the actor (@scope) may see the campaign.
var campaignSeenSQL = `select exists (select 1 from campaigns c where c.id = @campaign::uuid` +
	strings.ReplaceAll(campaignVisible, "$SCOPE", "@scope") + `)`

// campaignStaleSQL says whether a passing day may have changed the overdue
// state of any row of the campaign's ranking.
const campaignStaleSQL = `select exists (select 1 from priorities where campaign_id = @campaign::uuid
	and stale_from <= coalesce(@today::date, current_date))`

// todayArg is the day date-dependent state is computed for: the injected
// day, or null for the database's current_date.
func (db *DB) todayArg() any {
	if db.today == nil {
		return nil
	}
	return db.today().Time()
}

// refreshStalePriorities recomputes, in one transaction, the rows of a
// campaign's ranking whose overdue state may have changed since they were
// computed.
func (db *DB) refreshStalePriorities(ctx context.Context, campaignID string) error {
	return db.write(ctx, "refresh priorities", func(t *txn) error {
		return db.refreshPrioritiesWhere(ctx, t, `select assessment_id::text from priorities where campaign_id = $1::uuid
			and stale_from <= coalesce($2::date, current_date)`, campaignID, db.todayArg())
	})
}

// RefreshStalePriorities recomputes, in one transaction, every ranking row
// of every campaign that a passing day may have changed, and returns how
// many there were. Housekeeping runs it, so the first read of a ranking after
// midnight finds its rows current; a read still refreshes what it finds stale.
func (db *DB) RefreshStalePriorities(ctx context.Context) (int, error) {
	var n int
	err := db.write(ctx, "refresh stale priorities", func(t *txn) error {
		rows, err := t.Query(ctx, `select assessment_id::text from priorities
			where stale_from <= coalesce($1::date, current_date)`, db.todayArg())
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		n = len(ids)
		return db.refreshPriorities(ctx, t, ids...)
	})
	return n, err
}

// refreshProviderPriorities recomputes the ranking rows of every assessment
// of a provider: its overdue findings and its latest on-site inspection
// count in all its campaigns, and its name sorts them.
func (db *DB) refreshProviderPriorities(ctx context.Context, t *txn, providerID string) error {
	return db.refreshPrioritiesWhere(ctx, t, `select id::text from assessments where provider_id = $1::uuid`, providerID)
}

// refreshCampaignPriorities recomputes the ranking rows a change of the
// campaign's due date moves: those of its assessments still to be filed,
// the only ones whose overdue state the due date enters.
func (db *DB) refreshCampaignPriorities(ctx context.Context, t *txn, campaignID string) error {
	return db.refreshPrioritiesWhere(ctx, t, `select id::text from assessments where campaign_id = $1::uuid
		and status = any($2)`, campaignID, editableStatuses())
}

// refreshPrioritiesWhere recomputes the ranking rows of the assessments a
// query selects.
func (db *DB) refreshPrioritiesWhere(ctx context.Context, t *txn, sql string, args ...any) error {
	rows, err := t.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return db.refreshPriorities(ctx, t, ids...)
}

// priorityInputsSQL gathers everything the ranking of the given assessments
// depends on, for the day @today (null: current_date).
const priorityInputsSQL = `with d as (select coalesce(@today::date, current_date) today)
	select a.id::text, a.campaign_id::text, a.provider_id::text, p.short_name, a.provider_kind, a.provider_tier,
		a.status, f.assessment_id is not null, d.today,
		a.status in ('draft', 'changes_requested') and c.due_at < d.today,
		case when a.status in ('draft', 'changes_requested') and c.due_at >= d.today then c.due_at + 1 end,
		od.severities, od.due, od.next_due + 1, ins.last_on_site,
		coalesce(f.threats, cur.threats), coalesce(f.max_score, cur.max_inherent), coalesce(f.sum_score, cur.sum_inherent),
		coalesce((select json_agg(json_build_object('threat_id', x.threat_id, 'score', x.score, 'level', x.level))
			from (select tr.threat_id, case when f.assessment_id is null then tr.l0 * tr.i0 else tr.score end score,
				tr.level from threat_risks tr
				where tr.assessment_id = a.id and tr.basis = coalesce(f.basis, cur.basis) and tr.applicable
				order by 2 desc, tr.threat_id limit 3) x), '[]'),
		coalesce((select json_agg(json_build_object('dimension_id', y.key, 'compliance', y.v))
			from (select cs.key, cs.credit::float8 / cs.weight v from compliance_scores cs
				where cs.assessment_id = a.id and cs.basis = f.basis and cs.facet = 'dimension'
				and cs.weight > 0 order by 2, cs.key limit 2) y), '[]')
	from d cross join assessments a join providers p on p.id = a.provider_id join campaigns c on c.id = a.campaign_id
	join assessment_risk cur on cur.assessment_id = a.id and cur.basis = 'current'
	left join assessment_risk f on f.assessment_id = a.id and f.basis = 'filed'
	cross join lateral (select coalesce(array_agg(fi.severity::text order by fi.due_at, fi.id) filter (where fi.due_at < d.today), '{}') severities,
		coalesce(array_agg(fi.due_at order by fi.due_at, fi.id) filter (where fi.due_at < d.today), '{}') due,
		min(fi.due_at) filter (where fi.due_at >= d.today) next_due
		from findings fi where fi.provider_id = a.provider_id and fi.status in ('open', 'in_progress')) od
	cross join lateral (select max(i.held_on) last_on_site from inspections i
		where i.provider_id = a.provider_id and i.kind = 'on_site'
		and not exists (select 1 from inspections r where r.replaces = i.id)) ins
	where a.id = any(@ids::uuid[])`

var priorityColumns = []string{"assessment_id", "campaign_id", "provider_id", "unfiled", "rank_score", "tier",
	"provider_name", "provider_kind", "status", "threats", "max_score", "sum_score", "overdue_findings",
	"filing_overdue", "top_threats", "worst_dimensions", "computed_for", "stale_from", "findings_weight", "last_on_site"}

// refreshPriorities recomputes and stores the ranking rows of the given
// assessments in the caller's transaction, set-based: one read of their
// inputs, one write of their rows, however many there are (a campaign's
// opening passes them all). Every write that changes an input calls it.
// It locks the existing rows first, so of two transactions refreshing one
// row the later reads its inputs after the earlier commits and neither
// change is lost.
func (db *DB) refreshPriorities(ctx context.Context, t *txn, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := t.Exec(ctx, `select 1 from priorities where assessment_id = any($1::uuid[])
		order by assessment_id for update`, ids); err != nil {
		return fmt.Errorf("lock priorities: %w", err)
	}
	rows, err := t.Query(ctx, priorityInputsSQL, pgx.StrictNamedArgs{"ids": ids, "today": db.todayArg()})
	if err != nil {
		return fmt.Errorf("read priority inputs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) {
		var id, campaign, provider, name, kind, status string
		var tier int
		var filed, filingOverdue bool
		var today time.Time
		var filingDue, findingDue, lastOnSite *time.Time
		var severities []string
		var due []time.Time
		var in domain.PriorityInput
		var top, worst []byte
		if err := r.Scan(&id, &campaign, &provider, &name, &kind, &tier, &status, &filed, &today, &filingOverdue,
			&filingDue, &severities, &due, &findingDue, &lastOnSite, &in.Threats, &in.MaxScore, &in.SumScore, &top,
			&worst); err != nil {
			return nil, err
		}
		in.Tier, in.FilingOverdue = tier, filingOverdue
		for i := range severities {
			in.OverdueFindings = append(in.OverdueFindings, domain.OverdueFinding{Severity: domain.Severity(severities[i]),
				DueAt: domain.DateOf(due[i])})
		}
		if lastOnSite != nil {
			in.LastOnSite = domain.DateOf(*lastOnSite)
		}
		day := domain.DateOf(today)
		d := in.Drivers(day)
		var threats []ThreatScore
		if err := json.Unmarshal(top, &threats); err != nil {
			return nil, err
		}
		if !filed {
			for i := range threats {
				threats[i].Level = domain.LevelOf(threats[i].Score)
			}
		}
		if top, err = json.Marshal(threats); err != nil {
			return nil, err
		}
		// The row is stale from the first day its state may differ: the filing
		// or a finding falls overdue, a finding ages, an anniversary of the last
		// on-site inspection comes.
		stale := filingDue
		for _, next := range []*time.Time{findingDue, dateTime(in.NextChange(day))} {
			if next != nil && (stale == nil || next.Before(*stale)) {
				stale = next
			}
		}
		return []any{id, campaign, provider, !filed, -int(math.Round(d.Priority() * 10)), tier, name, kind, status,
			in.Threats, in.MaxScore, in.SumScore, d.OverdueFindings, filingOverdue, json.RawMessage(top),
			json.RawMessage(worst), today, stale, d.FindingsWeight, lastOnSite}, nil
	})
	if err != nil {
		return fmt.Errorf("read priority inputs: %w", err)
	}
	return upsertPriorities(ctx, t, out)
}

// dateTime is d's midnight, or nil for the zero Date.
func dateTime(d domain.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := d.Time()
	return &t
}

// upsertPriorities writes ranking rows in one statement, replacing any
// stored row of the same assessment. Rows are never deleted: a refresher
// that waited on a row's lock finds the row still there and then reads the
// inputs the earlier refresher committed, and two refreshers that both meet
// a missing row do not collide on its key.
func upsertPriorities(ctx context.Context, t *txn, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	types := []string{"uuid", "uuid", "uuid", "bool", "int", "smallint", "text", "text", "text", "int", "int", "int",
		"int", "bool", "jsonb", "jsonb", "date", "date", "numeric", "date"}
	cols := make([][]any, len(priorityColumns))
	for _, r := range rows {
		for i, v := range r {
			if raw, ok := v.(json.RawMessage); ok {
				v = string(raw)
			}
			cols[i] = append(cols[i], v)
		}
	}
	args := make([]any, len(cols))
	params := make([]string, len(cols))
	set := make([]string, 0, len(cols)-1)
	for i, c := range cols {
		args[i] = c
		cast := types[i]
		if cast == "jsonb" {
			cast = "text[]::jsonb"
		}
		params[i] = fmt.Sprintf("$%d::%s[]", i+1, cast)
		if i > 0 {
			set = append(set, priorityColumns[i]+" = excluded."+priorityColumns[i])
		}
	}
	_, err := t.Exec(ctx, `insert into priorities (`+strings.Join(priorityColumns, ", ")+`)
		select * from unnest(`+strings.Join(params, ", ")+`)
		on conflict (assessment_id) do update set `+strings.Join(set, ", "), args...)
	if err != nil {
		return fmt.Errorf("store priorities: %w", err)
	}
	return nil
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
	Method       string // the risk method the numbers were computed with
	Calibration  string
	Recomputed   bool // computed now under the current method, not read as stored
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
			r.submission, case when r.weight > 0 then r.credit::float8 / r.weight end, r.threats, r.max_score,
			case when r.threats > 0 then r.sum_score::float8 / r.threats else 0 end, r.low, r.medium, r.high, r.critical,
			r.method, r.calibration
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
			&t.Submission, &t.Compliance, &t.Threats, &t.MaxScore, &t.MeanScore, &low, &medium, &high, &critical,
			&t.Method, &t.Calibration)
		t.OpensAt, t.DueAt = domain.DateOf(opens), domain.DateOf(due)
		t.Levels = map[domain.RiskLevel]int{domain.LevelLow: low, domain.LevelMedium: medium, domain.LevelHigh: high,
			domain.LevelCritical: critical}
		return t, err
	})
	return list, translate(err, "trend")
}
