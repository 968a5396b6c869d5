package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Sources of a risk profile.
const (
	ProfileStated    = "stated"    // the provider's figures
	ProfileConfirmed = "confirmed" // a supervisor's confirmation or correction of them
)

// profileMeasures are the measures a profile row stores, in column order.
var profileMeasures = []domain.Measure{domain.MeasureCustomers, domain.MeasureActiveAccounts, domain.MeasureTransactions,
	domain.MeasureTransactionValue, domain.MeasureAgents, domain.MeasureThirdParties, domain.MeasureInterconnections,
	domain.MeasureMarketShare}

// profileFigureColumns selects a profile row's figures, as float8, in the
// order of profileMeasures.
var profileFigureColumns = func() string {
	cols := make([]string, len(profileMeasures))
	for i, m := range profileMeasures {
		cols[i] = string(m) + "::float8"
	}
	return strings.Join(cols, ", ")
}()

// scanProfileFigures scans the columns before the figures into head, then
// the figures.
func scanProfileFigures(rows pgx.Rows, head ...any) (*domain.RiskProfile, error) {
	values := make([]*float64, len(profileMeasures))
	dest := head
	for i := range values {
		dest = append(dest, &values[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	p := &domain.RiskProfile{Figures: map[domain.Measure]float64{}}
	for i, v := range values {
		if v != nil {
			p.Figures[profileMeasures[i]] = *v
		}
	}
	return p, nil
}

// RiskProfileEntry is one side of an assessment's inherent-risk profile.
type RiskProfileEntry struct {
	Source  string
	Profile domain.RiskProfile
	Note    string
	SetBy   string // e-mail of who set it
	SetAt   time.Time
	Version int
}

// RiskProfiles returns an assessment's profile as stated and as confirmed
// (nil when absent).
func (db *DB) RiskProfiles(ctx context.Context, actor domain.Actor, assessmentID string) (stated, confirmed *RiskProfileEntry, err error) {
	if _, err := db.Assessment(ctx, actor, assessmentID); err != nil {
		return nil, nil, err
	}
	rows, err := db.pool.Query(ctx, `select p.source, p.note, coalesce(u.email, ''), p.set_at, p.version, `+profileFigureColumns+`
		from risk_profiles p left join users u on u.id = p.set_by where p.assessment_id = $1`, assessmentID)
	if err != nil {
		return nil, nil, translate(err, "risk profile")
	}
	defer rows.Close()
	for rows.Next() {
		var e RiskProfileEntry
		p, err := scanProfileFigures(rows, &e.Source, &e.Note, &e.SetBy, &e.SetAt, &e.Version)
		if err != nil {
			return nil, nil, translate(err, "risk profile")
		}
		e.Profile = *p
		if e.Source == ProfileStated {
			stated = &e
		} else {
			confirmed = &e
		}
	}
	return stated, confirmed, translate(rows.Err(), "risk profile")
}

// SetRiskProfile writes one side of an assessment's profile: the provider
// states its figures, a supervisor confirms or corrects them. version is the
// side's current version (0 when it has none yet); a different one is
// EPrecondition. The assessment's scores are recomputed in the same
// transaction.
func (db *DB) SetRiskProfile(ctx context.Context, actor domain.Actor, assessmentID, source string, p domain.RiskProfile,
	note string, version int) (RiskProfileEntry, error) {
	note = strings.TrimSpace(note)
	problems := domain.CheckRiskProfile(p)
	if len(note) > 4000 {
		problems = append(problems, domain.Problem{Location: "body.note", Message: "must be at most 4000 characters"})
	}
	if len(problems) > 0 {
		return RiskProfileEntry{}, domain.Invalid("the profile cannot be saved", problems)
	}
	if source != ProfileStated && source != ProfileConfirmed {
		return RiskProfileEntry{}, fmt.Errorf("store: profile source %q", source)
	}
	err := db.write(ctx, "set risk profile", func(t *txn) error {
		a, err := getAssessment(ctx, t, actor, assessmentID, "update")
		if err != nil {
			return err
		}
		status, _, _, err := campaignState(ctx, t, assessmentID)
		if err != nil {
			return err
		}
		if status == domain.CampaignClosed {
			return domain.Errorf(domain.EConflict, "the campaign is closed: its profiles stand as they were")
		}
		if source == ProfileStated && !a.Status.Editable() {
			return domain.Errorf(domain.EConflict, "the filing is %s: the provider's figures stand with it; a supervisor may still correct them",
				a.Status)
		}
		var current int
		rows, err := t.Query(ctx, `select version, `+profileFigureColumns+` from risk_profiles
			where assessment_id = $1 and source = $2 for update`, assessmentID, source)
		if err != nil {
			return err
		}
		var before *domain.RiskProfile
		for rows.Next() {
			if before, err = scanProfileFigures(rows, &current); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if current != version {
			return domain.Errorf(domain.EPrecondition, "the profile has changed since version %d (now %d); reload it", version, current)
		}
		args := []any{assessmentID, source, note, nullable(actor.UserID)}
		cols := []string{"assessment_id", "source", "note", "set_by"}
		summary := map[string]any{"source": source, "note": note}
		if before != nil {
			was := map[string]any{}
			for m, v := range before.Figures {
				was[string(m)] = v
			}
			summary["before"] = was
		}
		for _, m := range profileMeasures {
			var v any
			if x, ok := p.Figures[m]; ok {
				v = x
				summary[string(m)] = x
			}
			args, cols = append(args, v), append(cols, string(m))
		}
		marks := make([]string, len(cols))
		set := make([]string, 0, len(cols))
		for i, c := range cols {
			marks[i] = fmt.Sprintf("$%d", i+1)
			if i >= 2 {
				set = append(set, c+" = excluded."+c)
			}
		}
		if _, err := t.Exec(ctx, `insert into risk_profiles (`+strings.Join(cols, ", ")+`) values (`+strings.Join(marks, ", ")+`)
			on conflict (assessment_id, source) do update set `+strings.Join(set, ", ")+`, set_at = now(),
			version = risk_profiles.version + 1`, args...); err != nil {
			return err
		}
		if err := db.refreshScores(ctx, t, assessmentID); err != nil {
			return err
		}
		return t.record(actor, "risk_profile."+source, "assessment", assessmentID, a.ProviderID, summary)
	})
	if err != nil {
		return RiskProfileEntry{}, err
	}
	stated, confirmed, err := db.RiskProfiles(ctx, actor, assessmentID)
	if source == ProfileStated && stated != nil {
		return *stated, err
	}
	if confirmed != nil {
		return *confirmed, err
	}
	return RiskProfileEntry{}, err
}
