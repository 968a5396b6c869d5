package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// FrameworkOf returns a published framework version in full.
func (db *DB) FrameworkOf(ctx context.Context, ref FrameworkRef) (*domain.Framework, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return nil, err
	}
	f, err := db.framework(ctx, db.pool, key)
	if err != nil {
		return nil, translate(err, "read framework %s", ref)
	}
	return f.Framework, nil
}

// RegisterRow is one response of a campaign's response register.
type RegisterRow struct {
	Provider        string
	Licence         string
	ControlID       string
	Section         string
	Status          domain.ResponseStatus
	Maturity        *int
	RemediationDate *time.Time
	Verdict         domain.Verdict
	Evidence        int
	UpdatedAt       time.Time
}

// EachResponse streams every response of a campaign, by provider and catalog
// order, to fn; rows are read as they are sent, so memory stays flat.
// Provider users get their own provider's only.
func (db *DB) EachResponse(ctx context.Context, actor domain.Actor, campaignID string, fn func(RegisterRow) error) error {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return err
	}
	if _, err := db.Campaign(ctx, actor, campaignID); err != nil {
		return err
	}
	// The evidence is counted once for the whole campaign and joined, not
	// counted again for every response.
	rows, err := db.pool.Query(ctx, `select p.short_name, p.licence_number, r.control_id, c.section, coalesce(r.status, ''),
			r.maturity::int, r.remediation_date, coalesce(r.verdict, ''), coalesce(ev.n, 0), r.updated_at
		from responses r join assessments a on a.id = r.assessment_id join providers p on p.id = a.provider_id
		join controls c on c.framework = r.framework and c.id = r.control_id
		left join (select e.assessment_id, e.control_id, count(*) as n from response_evidence e
			join assessments ea on ea.id = e.assessment_id where ea.campaign_id = @campaign group by 1, 2) ev
			on ev.assessment_id = r.assessment_id and ev.control_id = r.control_id
		where a.campaign_id = @campaign and (@scope = '*' or a.provider_id = nullif(@scope, '*')::uuid)
		order by lower(p.short_name), a.id, r.ordinal`, pgx.StrictNamedArgs{"campaign": campaignID, "scope": scope})
	if err != nil {
		return translate(err, "read response register")
	}
	var row RegisterRow
	_, err = pgx.ForEachRow(rows, []any{&row.Provider, &row.Licence, &row.ControlID, &row.Section, &row.Status,
		&row.Maturity, &row.RemediationDate, &row.Verdict, &row.Evidence, &row.UpdatedAt}, func() error { return fn(row) })
	return translate(err, "read response register")
}

// CountResponses returns how many responses a campaign has, for progress.
func (db *DB) CountResponses(ctx context.Context, campaignID string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `select count(*) from responses r join assessments a on a.id = r.assessment_id
		where a.campaign_id = $1`, campaignID).Scan(&n)
	return n, translate(err, "count responses")
}

// EachAuditEvent streams the audit events matching filter, oldest first, to
// fn. An actor confined to a provider sees only that provider's events.
func (db *DB) EachAuditEvent(ctx context.Context, actor domain.Actor, f AuditFilter, fn func(domain.Event) error) error {
	where, args, err := f.where(actor)
	if err != nil {
		return err
	}
	rows, err := db.pool.Query(ctx, `select `+auditColumns+` from audit_events where `+where+` order by seq`, args...)
	if err != nil {
		return translate(err, "export audit events")
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return translate(err, "export audit events")
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "export audit events")
}
