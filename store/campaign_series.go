package store

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Campaign series: campaigns that recur. A series is a supervisor's
// standing instruction; the daily job (app.RunCampaignSeries) makes each
// occurrence's draft campaign and, on its day, asks for it to be opened the
// way a supervisor would (QueueOpening). Series, like drafts, are seen only
// by those who see the whole sector.

const seriesColumns = `s.id::text, s.name, s.framework_id, s.framework_version, s.level, s.provider_ids::text[], s.kinds,
	s.tiers::int[], s.instructions, s.every_months, s.first_opens_on, s.due_after_days, s.lead_days, s.status,
	coalesce((select max(c.occurrence) + 1 from campaigns c where c.series_id = s.id), 0),
	(select count(*) from campaigns c where c.series_id = s.id),
	coalesce(s.created_by::text, ''), s.created_at, s.updated_at, s.version, s.last_error`

// Series is a campaign series with the latest failure of its job, if any.
type Series struct {
	domain.CampaignSeries
	// LastError says why the job could not make or open the series'
	// latest campaign; "" once it could.
	LastError string
}

func scanSeries(row pgx.CollectableRow) (Series, error) {
	var s Series
	var kinds []string
	var first time.Time
	err := row.Scan(&s.ID, &s.Name, &s.FrameworkID, &s.FrameworkVersion, &s.Level, &s.ProviderIDs, &kinds, &s.Tiers,
		&s.Instructions, &s.EveryMonths, &first, &s.DueAfterDays, &s.LeadDays, &s.Status, &s.NextOccurrence,
		&s.Campaigns, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt, &s.Version, &s.LastError)
	for _, k := range kinds {
		s.Kinds = append(s.Kinds, domain.ProviderKind(k))
	}
	s.FirstOpensOn = domain.DateOf(first)
	return s, err
}

// sectorOnly refuses, as not found, an actor who does not see the whole
// sector: series are none of a provider's business.
func sectorOnly(actor domain.Actor) error {
	if _, err := scopeArg(actor.Scope()); err != nil {
		return err
	}
	if !actor.Scope().All() {
		return domain.Errorf(domain.ENotFound, "no such campaign series")
	}
	return nil
}

func getSeries(ctx context.Context, q querier, id string, lock bool) (Series, error) {
	if !isUUID(id) {
		return Series{}, domain.Errorf(domain.ENotFound, "no such campaign series")
	}
	if lock {
		// The row is locked first and read by a statement of its own, so
		// what it counts of the series' campaigns is read after any run
		// that held the lock before has committed.
		rows, err := q.Query(ctx, `select id::text from campaign_series where id = $1 for update`, id)
		if err != nil {
			return Series{}, err
		}
		if ids, err := pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(ids) == 0 {
			if err == nil {
				err = domain.Errorf(domain.ENotFound, "no such campaign series")
			}
			return Series{}, err
		}
	}
	rows, err := q.Query(ctx, `select `+seriesColumns+` from campaign_series s where s.id = $1`, id)
	if err != nil {
		return Series{}, err
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanSeries)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, domain.Errorf(domain.ENotFound, "no such campaign series")
	}
	return s, err
}

// CreateCampaignSeries records a campaign series, checked as of day today
// (its first campaign may not open earlier). Its framework must be
// published and its providers known; EInvalid lists every problem. Its
// first campaign is made by the daily job.
func (db *DB) CreateCampaignSeries(ctx context.Context, actor domain.Actor, s domain.CampaignSeries, today domain.Date) (Series, error) {
	if err := sectorOnly(actor); err != nil {
		return Series{}, domain.Errorf(domain.EForbidden, "only the sector's supervisors keep campaign series")
	}
	s.Name = strings.TrimSpace(s.Name)
	problems := s.Check(today)
	problems = append(problems, providerIDProblems(s.ProviderIDs)...)
	if len(problems) > 0 {
		return Series{}, domain.Invalid("the campaign series cannot be created", problems)
	}
	var out Series
	err := db.write(ctx, "create campaign series", func(t *txn) error {
		if _, err := db.publishedFramework(ctx, t, s.FrameworkID, s.FrameworkVersion, s.Level); err != nil {
			return err
		}
		if err := knownProviders(ctx, t, s.ProviderIDs); err != nil {
			return err
		}
		var id string
		err := t.QueryRow(ctx, `insert into campaign_series (name, framework_id, framework_version, level, provider_ids,
			kinds, tiers, instructions, every_months, first_opens_on, due_after_days, lead_days, created_by)
			values (@name, @framework_id, @framework_version, @level, @provider_ids, @kinds, @tiers, @instructions,
				@every_months, @first_opens_on, @due_after_days, @lead_days, @created_by) returning id::text`,
			pgx.StrictNamedArgs{"name": s.Name, "framework_id": s.FrameworkID, "framework_version": s.FrameworkVersion,
				"level": s.Level, "provider_ids": orEmpty(s.ProviderIDs), "kinds": kindStrings(s.Kinds),
				"tiers": orEmpty(s.Tiers), "instructions": s.Instructions, "every_months": s.EveryMonths,
				"first_opens_on": s.FirstOpensOn.Time(), "due_after_days": s.DueAfterDays, "lead_days": s.LeadDays,
				"created_by": nullable(actor.UserID)}).Scan(&id)
		if err != nil {
			return err
		}
		if out, err = getSeries(ctx, t, id, false); err != nil {
			return err
		}
		return t.record(actor, "campaign_series.create", "campaign_series", id, "", map[string]any{"name": out.Name,
			"framework": out.FrameworkID, "framework_version": out.FrameworkVersion, "level": out.Level,
			"provider_ids": out.ProviderIDs, "kinds": out.Kinds, "tiers": out.Tiers, "every_months": out.EveryMonths,
			"first_opens_on": out.FirstOpensOn.String(), "due_after_days": out.DueAfterDays, "lead_days": out.LeadDays})
	})
	return out, err
}

// CampaignSeries returns one series; ENotFound for anyone who does not see
// the whole sector.
func (db *DB) CampaignSeries(ctx context.Context, actor domain.Actor, id string) (Series, error) {
	if err := sectorOnly(actor); err != nil {
		return Series{}, err
	}
	s, err := getSeries(ctx, db.pool, id, false)
	return s, translate(err, "get campaign series")
}

// CampaignSeriesList lists series, newest first. status, when not "", keeps
// the series in that state.
func (db *DB) CampaignSeriesList(ctx context.Context, actor domain.Actor, status domain.SeriesStatus, page Page) ([]Series, string, error) {
	if err := sectorOnly(actor); err != nil {
		return nil, "", domain.Errorf(domain.EForbidden, "only the sector's supervisors keep campaign series")
	}
	afterAt, afterID, err := decodeNewestCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+seriesColumns+` from campaign_series s
		where (s.created_at, s.id) < (@at, @id::uuid) and (@status = '' or s.status = @status)
		order by s.created_at desc, s.id desc limit @limit`,
		pgx.StrictNamedArgs{"at": afterAt, "id": afterID, "status": string(status), "limit": limit + 1})
	if err != nil {
		return nil, "", translate(err, "list campaign series")
	}
	list, err := pgx.CollectRows(rows, scanSeries)
	if err != nil {
		return nil, "", translate(err, "list campaign series")
	}
	list, next := pageOf(list, limit, func(s Series) []any { return []any{s.CreatedAt, s.ID} })
	return list, next, nil
}

// UpdateCampaignSeries changes a series, checked as of day today
// (domain.CampaignSeries.CheckChange). ifVersion, when not zero, must be
// the series' version. Only the series' row changes: the campaigns it made,
// a draft not yet opened included, stay as they are, and the change shapes
// the campaigns the daily job makes from the series' next occurrence on. It
// returns ENotFound for anyone who does not see the whole sector or for no
// such series, EPrecondition for a stale ifVersion and EInvalid listing
// every problem.
func (db *DB) UpdateCampaignSeries(ctx context.Context, actor domain.Actor, id string, c domain.SeriesChange, ifVersion int,
	today domain.Date) (Series, error) {
	if err := sectorOnly(actor); err != nil {
		return Series{}, err
	}
	var out Series
	err := db.write(ctx, "change campaign series", func(t *txn) error {
		before, err := getSeries(ctx, t, id, true)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != before.Version {
			return domain.Errorf(domain.EPrecondition, "the campaign series has changed since version %d (now %d); reload and retry",
				ifVersion, before.Version)
		}
		after := c.Apply(before.CampaignSeries)
		problems := after.CheckChange(before.CampaignSeries, today)
		problems = append(problems, providerIDProblems(after.ProviderIDs)...)
		if len(problems) > 0 {
			return domain.Invalid("the campaign series cannot be changed", problems)
		}
		if err := knownProviders(ctx, t, after.ProviderIDs); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `update campaign_series set name = @name, instructions = @instructions,
			every_months = @every_months, first_opens_on = @first_opens_on, due_after_days = @due_after_days,
			lead_days = @lead_days, provider_ids = @provider_ids, kinds = @kinds, tiers = @tiers, updated_at = now(),
			version = version + 1 where id = @id`,
			pgx.StrictNamedArgs{"id": id, "name": after.Name, "instructions": after.Instructions,
				"every_months": after.EveryMonths, "first_opens_on": after.FirstOpensOn.Time(),
				"due_after_days": after.DueAfterDays, "lead_days": after.LeadDays, "provider_ids": orEmpty(after.ProviderIDs),
				"kinds": kindStrings(after.Kinds), "tiers": orEmpty(after.Tiers)}); err != nil {
			return err
		}
		if out, err = getSeries(ctx, t, id, false); err != nil {
			return err
		}
		return t.record(actor, "campaign_series.update", "campaign_series", id, "", map[string]any{
			"before": seriesSummary(before), "after": seriesSummary(out), "next_occurrence": out.NextOccurrence})
	})
	return out, err
}

// seriesSummary is what the audit trail keeps of a series' settings.
func seriesSummary(s Series) map[string]any {
	return map[string]any{"name": s.Name, "provider_ids": s.ProviderIDs, "kinds": s.Kinds, "tiers": s.Tiers,
		"every_months": s.EveryMonths, "first_opens_on": s.FirstOpensOn.String(), "due_after_days": s.DueAfterDays,
		"lead_days": s.LeadDays, "instructions": s.Instructions}
}

// SetCampaignSeriesStatus pauses or resumes a series. A series already in
// that state is returned as it is, and nothing is recorded.
func (db *DB) SetCampaignSeriesStatus(ctx context.Context, actor domain.Actor, id string, status domain.SeriesStatus) (Series, error) {
	if err := sectorOnly(actor); err != nil {
		return Series{}, err
	}
	if status != domain.SeriesActive && status != domain.SeriesPaused {
		return Series{}, domain.Invalid("no such state", []domain.Problem{{Location: "body.status", Message: "must be active or paused"}})
	}
	var out Series
	err := db.write(ctx, "change campaign series", func(t *txn) error {
		s, err := getSeries(ctx, t, id, true)
		if err != nil {
			return err
		}
		if s.Status == status {
			out = s
			return nil
		}
		if _, err := t.Exec(ctx, `update campaign_series set status = $2, updated_at = now(), version = version + 1
			where id = $1`, id, string(status)); err != nil {
			return err
		}
		if out, err = getSeries(ctx, t, id, false); err != nil {
			return err
		}
		action := "campaign_series.pause"
		if status == domain.SeriesActive {
			action = "campaign_series.resume"
		}
		return t.record(actor, action, "campaign_series", id, "", map[string]any{"name": s.Name})
	})
	return out, err
}

// SeriesCampaigns lists the campaigns a series made, the latest occurrence
// first.
func (db *DB) SeriesCampaigns(ctx context.Context, actor domain.Actor, id string, page Page) ([]domain.Campaign, string, error) {
	if err := sectorOnly(actor); err != nil {
		return nil, "", err
	}
	if !isUUID(id) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such campaign series")
	}
	after := int64(math.MaxInt32) // above every occurrence
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+campaignColumns+campaignFrom+`
		where c.series_id = @series and c.occurrence < @after order by c.occurrence desc limit @limit`,
		pgx.StrictNamedArgs{"series": id, "after": after, "limit": limit + 1})
	if err != nil {
		return nil, "", translate(err, "list series campaigns")
	}
	list, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, "", translate(err, "list series campaigns")
	}
	list, next := pageOf(list, limit, func(c domain.Campaign) []any { return []any{c.Occurrence} })
	return list, next, nil
}

// ActiveCampaignSeries lists the ids of the series that make campaigns.
func (db *DB) ActiveCampaignSeries(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `select id::text from campaign_series where status = 'active' order by created_at, id`)
	if err != nil {
		return nil, translate(err, "list active campaign series")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, translate(err, "list active campaign series")
}

// MakeSeriesCampaign makes the draft campaign of the series' occurrence due
// to be made on day today (domain.CampaignSeries.ToCreate), if any, and
// reports whether it made one. The series' row is locked while it decides
// and the pair (series, occurrence) is unique, so an occurrence is made once
// however many instances run the job at once. The campaign is recorded as
// made by actor, with its series; the series' last failure is cleared.
func (db *DB) MakeSeriesCampaign(ctx context.Context, actor domain.Actor, id string, today domain.Date) (domain.Campaign, bool, error) {
	var out domain.Campaign
	var made bool
	err := db.write(ctx, "make series campaign", func(t *txn) error {
		s, err := getSeries(ctx, t, id, true)
		if err != nil {
			return err
		}
		k, ok := s.ToCreate(today)
		if !ok {
			return nil
		}
		c := s.Campaign(k)
		if problems := campaignProblems(c); len(problems) > 0 {
			return domain.Invalid("the series' campaign cannot be made", problems)
		}
		if out, err = db.insertCampaign(ctx, t, actor, c); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `update campaign_series set last_error = '' where id = $1 and last_error <> ''`, id); err != nil {
			return err
		}
		made = true
		return nil
	})
	return out, made, err
}

// SeriesOpening is a series' campaign whose opening day has come.
type SeriesOpening struct {
	CampaignID, SeriesID string
}

// SeriesCampaignsToOpen lists the draft campaigns of active series whose
// opening day has come (today or before) and that were never asked to
// open: asked once, by the job or a supervisor, an opening is followed on
// its own page, and one that failed is asked for again by hand.
func (db *DB) SeriesCampaignsToOpen(ctx context.Context, today domain.Date) ([]SeriesOpening, error) {
	rows, err := db.pool.Query(ctx, `select c.id::text, s.id::text from campaigns c join campaign_series s on s.id = c.series_id
		where s.status = 'active' and c.status = 'draft' and c.opens_at <= $1
		and not exists (select 1 from campaign_openings o where o.campaign_id = c.id)
		order by c.opens_at, c.id`, today.Time())
	if err != nil {
		return nil, translate(err, "list series campaigns to open")
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[SeriesOpening])
	return list, translate(err, "list series campaigns to open")
}

// RecordSeriesFailure keeps why the job could not make or open a series'
// campaign, for its supervisors to read, and records it in the audit trail
// when the reason is new: a failure repeated each day is recorded once.
func (db *DB) RecordSeriesFailure(ctx context.Context, id, reason string) error {
	return db.write(ctx, "record campaign series failure", func(t *txn) error {
		tag, err := t.Exec(ctx, `update campaign_series set last_error = $2 where id = $1 and last_error <> $2`, id, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return t.record(domain.System("campaign-series"), "campaign_series.failed", "campaign_series", id, "",
			map[string]any{"error": reason})
	})
}
