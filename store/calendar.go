package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// The calendar's queries: each reads the dated rows of one kind of object
// that fall in a window, within the caller's scope, the earliest first, and
// at most a limit of them.

// CalendarFilter is what a calendar query reads: a window of days and,
// optionally, one provider. The caller's scope still bounds it: a provider
// user's calendar is always their own provider's.
type CalendarFilter struct {
	Window     domain.CalendarWindow
	ProviderID string // "" for every provider the caller sees
	Limit      int    // at most this many rows; 0, or more than domain.MaxCalendarEntries, is that many
}

func (f CalendarFilter) limit() int {
	if f.Limit <= 0 || f.Limit > domain.MaxCalendarEntries {
		return domain.MaxCalendarEntries
	}
	return f.Limit
}

// provider resolves whose rows the query reads: the filter's provider, or
// the provider of a confined scope, or "" for the whole sector. A confined
// caller naming another provider reads nothing (ok false).
func (f CalendarFilter) provider(actor domain.Actor) (string, bool, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return "", false, err
	}
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		return "", false, domain.Invalid("bad calendar filter", []domain.Problem{{Location: "query.provider", Message: "must be an id"}})
	}
	switch {
	case scope == allProviders:
		return f.ProviderID, true, nil
	case f.ProviderID != "" && f.ProviderID != scope:
		return "", false, nil
	}
	return scope, true, nil
}

// CampaignDate is a campaign on a calendar. On the sector's calendar it is
// the campaign itself, with Unfiled counting its assessments still owed; on
// one provider's it is that provider's assessment in the campaign.
type CampaignDate struct {
	Campaign         domain.Campaign
	Unfiled          int
	AssessmentID     string // "" on the sector's calendar
	AssessmentStatus domain.AssessmentStatus
	ProviderID       string
	ProviderName     string
}

// CampaignDates returns the campaigns that open or are due in the window,
// by the first of those days in it, and whether there were more than the
// limit. The sector's calendar holds every campaign the caller sees, drafts
// too; a provider's holds the campaigns it takes part in.
func (db *DB) CampaignDates(ctx context.Context, actor domain.Actor, f CalendarFilter) ([]CampaignDate, bool, error) {
	provider, ok, err := f.provider(actor)
	if err != nil || !ok {
		return nil, false, err
	}
	limit := f.limit()
	args := pgx.StrictNamedArgs{"from": f.Window.From.Time(), "to": f.Window.To.Time(), "limit": limit + 1,
		"editable": editableStatuses()}
	// The first day of the campaign's in the window: its opening when that
	// is in it, else its due date.
	const inWindow = `(c.opens_at between @from and @to or c.due_at between @from and @to)`
	const firstDay = `case when c.opens_at >= @from then c.opens_at else c.due_at end`
	var rows pgx.Rows
	if provider == "" {
		rows, err = db.pool.Query(ctx, `select `+campaignColumns+`,
				(select count(*) from assessments a where a.campaign_id = c.id and a.status = any(@editable)),
				'', '', '', ''`+campaignFrom+`
			where `+inWindow+` order by `+firstDay+`, c.id limit @limit`, args)
	} else {
		args["provider"] = provider
		rows, err = db.pool.Query(ctx, `select `+campaignColumns+`,
				case when a.status = any(@editable) then 1 else 0 end, a.id::text, a.status, p.id::text, p.short_name
			`+campaignFrom+` join assessments a on a.campaign_id = c.id join providers p on p.id = a.provider_id
			where a.provider_id = @provider::uuid and c.status <> 'draft' and `+inWindow+`
			order by `+firstDay+`, c.id limit @limit`, args)
	}
	if err != nil {
		return nil, false, translate(err, "calendar campaigns")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CampaignDate, error) {
		var d CampaignDate
		var c domain.Campaign
		// The campaign's columns first, then the calendar's own.
		var extra struct {
			unfiled                            int
			assessment, status, provider, name string
		}
		dest, finish := campaignTargets(&c)
		dest = append(dest, &extra.unfiled, &extra.assessment, &extra.status, &extra.provider, &extra.name)
		if err := row.Scan(dest...); err != nil {
			return d, err
		}
		finish()
		d.Campaign = redact(c, actor)
		d.Unfiled, d.AssessmentID, d.AssessmentStatus = extra.unfiled, extra.assessment, domain.AssessmentStatus(extra.status)
		d.ProviderID, d.ProviderName = extra.provider, extra.name
		return d, nil
	})
	if err != nil {
		return nil, false, translate(err, "calendar campaigns")
	}
	more := len(list) > limit
	return list[:min(len(list), limit)], more, nil
}

// FindingDates returns the findings due in the window, the earliest due
// first, and whether there were more than the limit; provider users see
// only their own provider's.
func (db *DB) FindingDates(ctx context.Context, actor domain.Actor, f CalendarFilter) ([]domain.Finding, bool, error) {
	provider, ok, err := f.provider(actor)
	if err != nil || !ok {
		return nil, false, err
	}
	limit := f.limit()
	rows, err := db.pool.Query(ctx, `select `+findingColumns+findingFrom+`
		where f.due_at between @from and @to and (@provider = '' or f.provider_id = nullif(@provider, '')::uuid)
		order by f.due_at, f.id limit @limit`,
		pgx.StrictNamedArgs{"from": f.Window.From.Time(), "to": f.Window.To.Time(), "provider": provider, "limit": limit + 1})
	if err != nil {
		return nil, false, translate(err, "calendar findings")
	}
	list, err := pgx.CollectRows(rows, scanFinding)
	if err != nil {
		return nil, false, translate(err, "calendar findings")
	}
	more := len(list) > limit
	return list[:min(len(list), limit)], more, nil
}
