package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// SendReminders writes, in one transaction, the reminders owed on day: for
// each assessment of an open campaign not yet filed (draft, or returned for
// changes), those of domain.AssessmentReminders; for each finding not yet
// resolved, those of domain.FindingReminders. Each is written once for its
// assessment or finding, kind and due date, however often this runs (a due
// date moved by an extension starts the assessment's reminders over). It
// returns how many reminders were owed, repeats included.
func (db *DB) SendReminders(ctx context.Context, day domain.Date) (int, error) {
	var owed int
	err := db.write(ctx, "send reminders", func(t *txn) error {
		last := day.AddDays(domain.FirstReminderDays).Time()
		rows, err := t.Query(ctx, `select `+assessmentColumns+`, coalesce(c.opened_at, c.created_at)`+assessmentFrom+`
			where c.status = 'open' and a.status in ('draft', 'changes_requested') and c.due_at <= $1
			order by a.id`, last)
		if err != nil {
			return err
		}
		var notices []domain.Notice
		_, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct{}, error) {
			var opened time.Time
			a, err := scanAssessmentWith(row, &opened)
			if err != nil {
				return struct{}{}, err
			}
			for _, kind := range domain.AssessmentReminders(domain.DateOf(opened), a.DueAt, day) {
				notices = append(notices, assessmentNotice(kind, a, fmt.Sprintf("reminder:%s:%s:%s", a.ID, a.DueAt, kind)))
			}
			return struct{}{}, nil
		})
		if err != nil {
			return err
		}
		rows, err = t.Query(ctx, `select `+findingColumns+findingFrom+`
			where f.status in ('open', 'in_progress') and f.due_at <= $1 order by f.id`, day.Time())
		if err != nil {
			return err
		}
		findings, err := pgx.CollectRows(rows, scanFinding)
		if err != nil {
			return err
		}
		for _, f := range findings {
			for _, kind := range domain.FindingReminders(f.DueAt, day) {
				notices = append(notices, findingNotice(kind, f, fmt.Sprintf("reminder:%s:%s:%s", f.ID, f.DueAt, kind)))
			}
		}
		owed = len(notices)
		return t.notify(ctx, notices...)
	})
	return owed, err
}

// SendIncidentClockWarnings writes, in one transaction, the warnings owed at
// the store's clock on incident report clocks: a phase due within
// domain.IncidentWarning, and one overdue. Each is written once for its
// incident, phase and kind, however often this runs. It returns how many
// were owed, repeats included.
func (db *DB) SendIncidentClockWarnings(ctx context.Context) (int, error) {
	clocks, err := db.IncidentClockWarnings(ctx, domain.System("reminders"), domain.IncidentWarning)
	if err != nil {
		return 0, err
	}
	var notices []domain.Notice
	for _, c := range clocks {
		if kind, ok := domain.IncidentNoticeOf(c); ok {
			notices = append(notices, domain.Notice{Kind: kind, ProviderID: c.ProviderID, ObjectType: "incident",
				ObjectID: c.IncidentID, Key: fmt.Sprintf("incident:%s:%s:%s", c.IncidentID, c.Phase, kind),
				Params: map[string]string{"title": c.Title, "provider": c.ProviderName, "phase": string(c.Phase),
					"deadline": c.Due.UTC().Format(time.RFC3339)}})
		}
	}
	if len(notices) == 0 {
		return 0, nil
	}
	return len(notices), db.write(ctx, "send incident clock warnings", func(t *txn) error { return t.notify(ctx, notices...) })
}
