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
	if _, err := db.Campaign(ctx, actor, campaignID); err != nil {
		return err
	}
	rows, err := db.pool.Query(ctx, `select p.short_name, p.licence_number, r.control_id, c.section, coalesce(r.status, ''),
			r.maturity::int, r.remediation_date, coalesce(r.verdict, ''),
			(select count(*) from response_evidence e where e.assessment_id = r.assessment_id and e.control_id = r.control_id),
			r.updated_at
		from responses r join assessments a on a.id = r.assessment_id join providers p on p.id = a.provider_id
		join controls c on c.framework = r.framework and c.id = r.control_id
		where a.campaign_id = $1 and ($2 = '' or a.provider_id::text = $2)
		order by lower(p.short_name), a.id, r.ordinal`, campaignID, actor.ProviderScope())
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
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		return domain.Invalid("bad audit filter", []domain.Problem{{Location: "query.provider", Message: "must be a provider id"}})
	}
	rows, err := db.pool.Query(ctx, `select `+auditColumns+` from audit_events
		where ($1 = '' or actor_id::text = $1 or actor_email = lower($1))
		and ($2 = '' or object_type = $2)
		and ($3 = '' or object_id = $3)
		and ($4 = '' or provider_id = $4::uuid)
		and ($5 = '' or action = $5)
		and ($6::timestamptz is null or at >= $6)
		and ($7::timestamptz is null or at < $7)
		and ($8 = '' or provider_id::text = $8)
		order by seq`, f.Actor, f.ObjectType, f.ObjectID, f.ProviderID, f.Action, nullTime(f.From), nullTime(f.To),
		actor.ProviderScope())
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
