package store

import (
	"context"
	"errors"
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
	// Profile is where the inherent-risk figures come from: ProfileConfirmed,
	// ProfileStated, or "" when the provider has stated none.
	Profile string
	// Contradictions are attested controls of the assessment that the lab's
	// latest test of one of the provider's apps contradicts; the application
	// fills them in for those who may read the provider's apps.
	Contradictions []domain.LabContradiction
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
	reg := RiskRegister{Assessment: a, Framework: s.f.Framework, Basis: basis, Source: s.source[basis],
		Submission: s.input.submissions, Tier: s.input.tier, Result: r}
	switch {
	case s.input.figures == nil:
	case s.input.stated:
		reg.Profile = ProfileStated
	default:
		reg.Profile = ProfileConfirmed
	}
	return reg, nil
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
