package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"assure/domain"
	"assure/store"
)

// ReminderHour is the hour of the day (UTC) reminders are written at; the
// job also runs when a server starts, and each reminder goes once.
const ReminderHour = 6

// SendReminders writes the reminders owed today, by the application's
// clock: due dates 14 and 3 days ahead and today, overdue assessments and
// their escalation to the provider's administrators, findings due and
// overdue. Each goes once however often this runs. It returns how many
// were owed, repeats included.
func (a *App) SendReminders(ctx context.Context) (int, error) {
	return a.db.SendReminders(ctx, domain.DateOf(a.now()))
}

// daily is the schedule of a job that runs once a day at hour (UTC).
type daily struct{ hour int }

// Next is the next hour o'clock after current.
func (d daily) Next(current time.Time) time.Time {
	u := current.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day(), d.hour, 0, 0, 0, time.UTC)
	if !next.After(u) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// reminderArgs asks for the day's reminders.
type reminderArgs struct{}

func (reminderArgs) Kind() string { return "reminders" }

// InsertOpts put the job with the e-mail's, away from long reports.
func (reminderArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: store.NoticeQueue} }

// reminderJob is the daily periodic job. Only River's elected leader inserts
// periodic jobs, and the reminders' keys make a second run harmless.
func reminderJob() *river.PeriodicJob {
	return river.NewPeriodicJob(daily{hour: ReminderHour},
		func() (river.JobArgs, *river.InsertOpts) { return reminderArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "reminders"})
}

type reminderWorker struct {
	river.WorkerDefaults[reminderArgs]
	app *App
	log *slog.Logger
}

func (w *reminderWorker) Work(ctx context.Context, _ *river.Job[reminderArgs]) error {
	n, err := w.app.SendReminders(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, "reminders", "owed", n)
	}
	return err
}
