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

// IncidentClockEvery is how often incident report clocks are read for
// warnings: a clock runs by the hour, so a daily reading would warn too
// late.
const IncidentClockEvery = 15 * time.Minute

// SendReminders writes the reminders owed today, by the application's
// clock: due dates 14 and 3 days ahead and today, overdue assessments and
// their escalation to the provider's administrators, findings due and
// overdue. Each goes once however often this runs. It returns how many
// were owed, repeats included.
func (a *App) SendReminders(ctx context.Context) (int, error) {
	return a.db.SendReminders(ctx, domain.DateOf(a.now()))
}

// SendIncidentClockWarnings writes the warnings owed now on incident report
// clocks: due within domain.IncidentWarning, and overdue. Each goes once
// however often this runs.
func (a *App) SendIncidentClockWarnings(ctx context.Context) (int, error) {
	return a.db.SendIncidentClockWarnings(ctx)
}

// reminderArgs asks for the day's reminders.
type reminderArgs struct{}

func (reminderArgs) Kind() string { return "reminders" }

// InsertOpts put the job with the e-mail's, away from long reports.
func (reminderArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: store.NoticeQueue} }

// reminderJob is the daily periodic job. Only River's elected leader inserts
// periodic jobs, and the reminders' keys make a second run harmless.
func reminderJob() *river.PeriodicJob {
	return river.NewPeriodicJob(dailyAt{hour: ReminderHour},
		func() (river.JobArgs, *river.InsertOpts) { return reminderArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "reminders"})
}

// incidentClockArgs asks for the incident clock warnings owed now.
type incidentClockArgs struct{}

func (incidentClockArgs) Kind() string { return "incident_clocks" }

func (incidentClockArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: store.NoticeQueue}
}

func incidentClockJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(IncidentClockEvery),
		func() (river.JobArgs, *river.InsertOpts) { return incidentClockArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "incident_clocks"})
}

// noticeWorker runs one sweep that writes notices owed (reminders, clock
// warnings) and logs how many were, repeats included.
type noticeWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	what  string
	sweep func(context.Context) (int, error)
	log   *slog.Logger
}

func (w *noticeWorker[T]) Work(ctx context.Context, _ *river.Job[T]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, w.what, "owed", n)
	}
	return err
}
