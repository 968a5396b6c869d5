package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const inspectionColumns = `i.id::text, i.provider_id::text, i.held_on, i.kind, i.lead_inspector, i.summary,
	coalesce(i.replaces::text, ''), coalesce(r.id::text, ''), coalesce(u.email, ''), i.recorded_at`

const inspectionFrom = ` from inspections i left join inspections r on r.replaces = i.id
	left join users u on u.id = i.recorded_by `

func scanInspection(row pgx.CollectableRow) (domain.Inspection, error) {
	var i domain.Inspection
	var held time.Time
	err := row.Scan(&i.ID, &i.ProviderID, &held, &i.Kind, &i.LeadInspector, &i.Summary, &i.Replaces, &i.ReplacedBy,
		&i.RecordedBy, &i.RecordedAt)
	i.HeldOn = domain.DateOf(held)
	return i, err
}

// RecordInspection records an inspection of a provider and, in the same
// transaction, recomputes the provider's ranking rows, whose inspection term
// an on-site inspection (or the replacement of one) moves. It returns
// ENotFound for a provider the actor cannot see and EInvalid listing every
// problem, among them a replaced record that is not the provider's or is
// replaced already.
func (db *DB) RecordInspection(ctx context.Context, actor domain.Actor, n domain.NewInspection) (domain.Inspection, error) {
	n = n.Trimmed()
	var out domain.Inspection
	err := db.write(ctx, "record inspection", func(t *txn) error {
		if _, err := getProvider(ctx, t, actor, n.ProviderID, false); err != nil {
			return err
		}
		var today time.Time
		if err := t.QueryRow(ctx, `select coalesce($1::date, current_date)`, db.todayArg()).Scan(&today); err != nil {
			return err
		}
		problems := domain.CheckNewInspection(n, domain.DateOf(today))
		if n.Replaces != "" {
			var mine, replaced bool
			if isUUID(n.Replaces) {
				if err := t.QueryRow(ctx, `select exists (select 1 from inspections where id = $1 and provider_id = $2),
					exists (select 1 from inspections where replaces = $1)`, n.Replaces, n.ProviderID).Scan(&mine, &replaced); err != nil {
					return err
				}
			}
			switch {
			case !mine:
				problems = append(problems, domain.Problem{Location: "body.replaces", Message: "is not an inspection of this provider"})
			case replaced:
				problems = append(problems, domain.Problem{Location: "body.replaces",
					Message: "that record is replaced already: replace the record that replaced it"})
			}
		}
		if len(problems) > 0 {
			return domain.Invalid("the inspection cannot be recorded", problems)
		}
		var id string
		if err := t.QueryRow(ctx, `insert into inspections (provider_id, held_on, kind, lead_inspector, summary, replaces, recorded_by)
			values ($1, $2, $3, $4, $5, $6, $7) returning id::text`, n.ProviderID, n.HeldOn.Time(), n.Kind, n.LeadInspector,
			n.Summary, nullable(n.Replaces), nullable(actor.UserID)).Scan(&id); err != nil {
			return err
		}
		if err := db.refreshProviderPriorities(ctx, t, n.ProviderID); err != nil {
			return err
		}
		rows, err := t.Query(ctx, `select `+inspectionColumns+inspectionFrom+` where i.id = $1`, id)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, scanInspection); err != nil {
			return err
		}
		return t.record(actor, "inspection.record", "inspection", id, n.ProviderID, map[string]any{
			"held_on": n.HeldOn.String(), "kind": n.Kind, "lead_inspector": n.LeadInspector, "replaces": n.Replaces})
	})
	return out, err
}

// Inspections lists a provider's inspections, the latest held first (of one
// day, the latest recorded first), each saying which record replaced it, if
// any. It returns ENotFound for a provider the actor cannot see and EInvalid
// for a cursor it did not make.
func (db *DB) Inspections(ctx context.Context, actor domain.Actor, providerID string, page Page) ([]domain.Inspection, string, error) {
	if _, err := getProvider(ctx, db.pool, actor, providerID, false); err != nil {
		return nil, "", err
	}
	var afterHeld, afterID string
	var afterAt time.Time
	from, err := decodeCursor(page.Cursor, &afterHeld, &afterAt, &afterID)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	var c conditions
	c.add("i.provider_id = $?::uuid", providerID)
	if from {
		held, err := domain.ParseDate(afterHeld)
		if err != nil || !isUUID(afterID) {
			return nil, "", domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", page.Cursor)
		}
		c.add("(i.held_on, i.recorded_at, i.id) < ($?::date, $?, $?::uuid)", held.Time(), afterAt, afterID)
	}
	rows, err := db.pool.Query(ctx, `select `+inspectionColumns+inspectionFrom+` where `+c.where()+`
		order by i.held_on desc, i.recorded_at desc, i.id desc limit `+pageLimit(limit), c.args...)
	if err != nil {
		return nil, "", translate(err, "list inspections")
	}
	list, err := pgx.CollectRows(rows, scanInspection)
	if err != nil {
		return nil, "", translate(err, "list inspections")
	}
	list, next := pageOf(list, limit, func(i domain.Inspection) []any { return []any{i.HeldOn.String(), i.RecordedAt, i.ID} })
	return list, next, nil
}
