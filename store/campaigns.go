package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const campaignColumns = `c.id::text, c.name, f.id, f.version, c.level, c.provider_ids::text[], c.kinds, c.tiers::int[],
	c.opens_at, c.due_at, c.instructions, c.status,
	(select count(*) from assessments a where a.campaign_id = c.id),
	c.created_at, c.updated_at, c.opened_at, c.closed_at, c.version, coalesce(c.series_id::text, ''),
	coalesce(c.occurrence, 0)`

const campaignFrom = ` from campaigns c join frameworks f on f.pk = c.framework `

func scanCampaign(row pgx.CollectableRow) (domain.Campaign, error) {
	var c domain.Campaign
	dest, finish := campaignTargets(&c)
	err := row.Scan(dest...)
	finish()
	return c, err
}

// campaignTargets are the scan targets of campaignColumns into c, and what
// turns them into c's fields once scanned; for queries that read more
// columns after the campaign's.
func campaignTargets(c *domain.Campaign) ([]any, func()) {
	var kinds []string
	var opens, due time.Time
	dest := []any{&c.ID, &c.Name, &c.FrameworkID, &c.FrameworkVersion, &c.Level, &c.ProviderIDs, &kinds, &c.Tiers,
		&opens, &due, &c.Instructions, &c.Status, &c.Assessments, &c.CreatedAt, &c.UpdatedAt, &c.OpenedAt,
		&c.ClosedAt, &c.Version, &c.SeriesID, &c.Occurrence}
	return dest, func() {
		c.Kinds = nil
		for _, k := range kinds {
			c.Kinds = append(c.Kinds, domain.ProviderKind(k))
		}
		c.OpensAt, c.DueAt = domain.DateOf(opens), domain.DateOf(due)
	}
}

// campaignVisible limits provider users to campaigns they take part in.
const campaignVisible = ` and ($SCOPE = '*' or (c.status <> 'draft' and exists (select 1 from assessments a
	where a.campaign_id = c.id and a.provider_id::text = $SCOPE))) `

func visible(sql string, param int) string {
	return strings.ReplaceAll(sql, "$SCOPE", fmt.Sprintf("$%d", param))
}

// CreateCampaign prepares a campaign as a draft. EInvalid lists every problem.
func (db *DB) CreateCampaign(ctx context.Context, actor domain.Actor, c domain.Campaign) (domain.Campaign, error) {
	c.Name = strings.TrimSpace(c.Name)
	c.SeriesID, c.Occurrence = "", 0 // only a series makes its own campaigns
	if problems := campaignProblems(c); len(problems) > 0 {
		return domain.Campaign{}, domain.Invalid("the campaign cannot be created", problems)
	}
	var out domain.Campaign
	err := db.write(ctx, "create campaign", func(t *txn) error {
		var err error
		out, err = db.insertCampaign(ctx, t, actor, c)
		return err
	})
	return out, err
}

// providerIDProblems names each of a body's provider_ids that is no id.
func providerIDProblems(ids []string) []domain.Problem {
	var problems []domain.Problem
	for i, id := range ids {
		if !isUUID(id) {
			problems = append(problems, domain.Problem{Location: fmt.Sprintf("body.provider_ids[%d]", i), Message: "must be a provider id"})
		}
	}
	return problems
}

// campaignProblems returns the problems of a campaign to create that need
// no database: the campaign's own check, and provider ids that are no ids.
func campaignProblems(c domain.Campaign) []domain.Problem {
	return append(c.Check(), providerIDProblems(c.ProviderIDs)...)
}

// publishedFramework returns the key of the framework version a campaign or
// a series names ("" for the latest published), checking the level asked
// of it; EInvalid when either is not published.
func (db *DB) publishedFramework(ctx context.Context, t *txn, id, version, level string) (int64, error) {
	var fw int64
	err := t.QueryRow(ctx, `select pk from frameworks where id = $1 and ($2 = '' or version = $2)
		order by pk desc limit 1`, id, version).Scan(&fw)
	if err == pgx.ErrNoRows {
		return 0, domain.Invalid("no such framework", []domain.Problem{{Location: "body.framework",
			Message: fmt.Sprintf("framework %s %s is not published", id, version)}})
	}
	if err != nil {
		return 0, err
	}
	if level != "" {
		f, err := db.framework(ctx, t, fw)
		if err != nil {
			return 0, err
		}
		if ps := domain.CheckLevel(f.Framework, level, "body.level"); len(ps) > 0 {
			return 0, domain.Invalid("no such level", ps)
		}
	}
	return fw, nil
}

// knownProviders checks that every id names a provider; EInvalid otherwise.
func knownProviders(ctx context.Context, t *txn, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var missing []string
	err := t.QueryRow(ctx, `select coalesce(array_agg(x::text), '{}') from unnest($1::uuid[]) x
		where not exists (select 1 from providers p where p.id = x)`, ids).Scan(&missing)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return domain.Invalid("unknown providers", []domain.Problem{{Location: "body.provider_ids",
			Message: "no provider has id " + strings.Join(missing, ", ")}})
	}
	return nil
}

// insertCampaign writes a draft campaign checked by campaignProblems, and
// its audit event; a campaign of a series names it and its occurrence.
func (db *DB) insertCampaign(ctx context.Context, t *txn, actor domain.Actor, c domain.Campaign) (domain.Campaign, error) {
	fw, err := db.publishedFramework(ctx, t, c.FrameworkID, c.FrameworkVersion, c.Level)
	if err != nil {
		return domain.Campaign{}, err
	}
	if err := knownProviders(ctx, t, c.ProviderIDs); err != nil {
		return domain.Campaign{}, err
	}
	var occurrence any
	if c.SeriesID != "" {
		occurrence = c.Occurrence
	}
	var id string
	err = t.QueryRow(ctx, `insert into campaigns (name, framework, provider_ids, kinds, tiers, opens_at, due_at,
		instructions, created_by, level, series_id, occurrence)
		values (@name, @framework, @provider_ids, @kinds, @tiers, @opens_at, @due_at, @instructions, @created_by,
			@level, @series_id, @occurrence) returning id::text`,
		pgx.StrictNamedArgs{"name": c.Name, "framework": fw, "provider_ids": orEmpty(c.ProviderIDs),
			"kinds": kindStrings(c.Kinds), "tiers": orEmpty(c.Tiers), "opens_at": c.OpensAt.Time(), "due_at": c.DueAt.Time(),
			"instructions": c.Instructions, "created_by": nullable(actor.UserID), "level": c.Level,
			"series_id": nullable(c.SeriesID), "occurrence": occurrence}).Scan(&id)
	if err != nil {
		return domain.Campaign{}, err
	}
	out, err := getCampaign(ctx, t, actor, id, false)
	if err != nil {
		return domain.Campaign{}, err
	}
	summary := map[string]any{"name": out.Name,
		"framework": out.FrameworkID + "@" + out.FrameworkVersion, "level": out.Level, "provider_ids": out.ProviderIDs,
		"kinds": out.Kinds, "tiers": out.Tiers, "opens_at": out.OpensAt.String(), "due_at": out.DueAt.String()}
	if out.SeriesID != "" {
		summary["series_id"], summary["occurrence"] = out.SeriesID, out.Occurrence
	}
	return out, t.record(actor, "campaign.create", "campaign", id, "", summary)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// redact keeps from a provider user what the campaign says of other
// providers: who else is in scope and how many there are.
func redact(c domain.Campaign, actor domain.Actor) domain.Campaign {
	if scope := actor.Scope(); !scope.All() {
		if len(c.ProviderIDs) > 0 {
			c.ProviderIDs = []string{scope.Provider()}
		}
		c.Assessments = 1
	}
	return c
}

func getCampaign(ctx context.Context, q querier, actor domain.Actor, id string, lock bool) (domain.Campaign, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.Campaign{}, err
	}
	if !isUUID(id) {
		return domain.Campaign{}, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	sql := `select ` + campaignColumns + campaignFrom + ` where c.id = $1` + visible(campaignVisible, 2)
	if lock {
		sql += ` for update of c`
	}
	rows, err := q.Query(ctx, sql, id, scope)
	if err != nil {
		return domain.Campaign{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err == pgx.ErrNoRows {
		return c, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	return redact(c, actor), err
}

// Campaign returns one campaign the actor may see.
func (db *DB) Campaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	c, err := getCampaign(ctx, db.pool, actor, id, false)
	return c, translate(err, "get campaign")
}

// Campaigns lists campaigns, newest first, optionally by status.
func (db *DB) Campaigns(ctx context.Context, actor domain.Actor, status domain.CampaignStatus, page Page) ([]domain.Campaign, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	afterAt, afterID, err := decodeNewestCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+campaignColumns+campaignFrom+`
		where (c.created_at, c.id::text) < ($1, $2) and ($3 = '' or c.status = $3)`+visible(campaignVisible, 4)+`
		order by c.created_at desc, c.id::text desc limit $5`, afterAt, afterID, status, scope, limit+1)
	if err != nil {
		return nil, "", translate(err, "list campaigns")
	}
	list, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, "", translate(err, "list campaigns")
	}
	list, next := pageOf(list, limit, func(c domain.Campaign) []any { return []any{c.CreatedAt, c.ID} })
	for i := range list {
		list[i] = redact(list[i], actor)
	}
	return list, next, nil
}

// OpenCampaign opens a draft campaign here and now, in one transaction:
// OpenCampaignTracked without watching. The application opens campaigns
// through a job (QueueOpening); this is for seeding and tests.
func (db *DB) OpenCampaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	return db.OpenCampaignTracked(ctx, actor, id, nil)
}

func kindStrings(kinds []domain.ProviderKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// ExtendCampaign moves an open campaign's due date later, with a reason.
func (db *DB) ExtendCampaign(ctx context.Context, actor domain.Actor, id string, due domain.Date, reason string) (domain.Campaign, error) {
	reason = strings.TrimSpace(reason)
	var out domain.Campaign
	err := db.write(ctx, "extend campaign", func(t *txn) error {
		c, err := getCampaign(ctx, t, actor, id, true)
		if err != nil {
			return err
		}
		if c.Status != domain.CampaignOpen {
			return &domain.Error{Code: domain.EConflict, Allowed: domain.CampaignActions(c.Status),
				Message: fmt.Sprintf("the campaign is %s; only an open campaign can be extended", c.Status)}
		}
		var problems []domain.Problem
		if !due.After(c.DueAt) {
			problems = append(problems, domain.Problem{Location: "body.due_at", Message: "must be after the current due date " + c.DueAt.String()})
		}
		if reason == "" || len(reason) > 2000 {
			problems = append(problems, domain.Problem{Location: "body.reason", Message: "is required (at most 2000 characters)"})
		}
		if len(problems) > 0 {
			return domain.Invalid("the campaign cannot be extended so", problems)
		}
		if _, err := t.Exec(ctx, `update campaigns set due_at = $2, updated_at = now(), version = version + 1
			where id = $1`, id, due.Time()); err != nil {
			return err
		}
		if err := db.refreshCampaignPriorities(ctx, t, id); err != nil {
			return err
		}
		if out, err = getCampaign(ctx, t, actor, id, false); err != nil {
			return err
		}
		return t.record(actor, "campaign.extend", "campaign", id, "", map[string]any{"from": c.DueAt.String(),
			"to": due.String(), "reason": reason})
	})
	return out, err
}

// CloseCampaign closes an open campaign: nothing more can be filed in it.
func (db *DB) CloseCampaign(ctx context.Context, actor domain.Actor, id string) (domain.Campaign, error) {
	var out domain.Campaign
	err := db.write(ctx, "close campaign", func(t *txn) error {
		c, err := getCampaign(ctx, t, actor, id, true)
		if err != nil {
			return err
		}
		if c.Status != domain.CampaignOpen {
			return &domain.Error{Code: domain.EConflict, Allowed: domain.CampaignActions(c.Status),
				Message: fmt.Sprintf("the campaign is %s; only an open campaign can be closed", c.Status)}
		}
		if _, err := t.Exec(ctx, `update campaigns set status = 'closed', closed_at = now(), updated_at = now(),
			version = version + 1 where id = $1`, id); err != nil {
			return err
		}
		if out, err = getCampaign(ctx, t, actor, id, false); err != nil {
			return err
		}
		var open int
		t.QueryRow(ctx, `select count(*) from assessments where campaign_id = $1 and status in ('draft', 'changes_requested')`, id).Scan(&open)
		return t.record(actor, "campaign.close", "campaign", id, "", map[string]any{"unfiled_assessments": open})
	})
	return out, err
}
