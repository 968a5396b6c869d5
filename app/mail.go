package app

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"assure/notices"
	"assure/store"
)

// The outbox is sent in batches: each worker claims mailBatch messages for
// mailLease, sends them over one connection, and stops sending when
// mailLease less mailMargin has passed, so its claim never runs out while
// it still sends (which could send a message twice). One run claims
// batches for mailRun, then leaves the rest to the next run, well within
// the time River gives a job before it takes it for lost.
const (
	mailBatch  = 20
	mailLease  = 5 * time.Minute
	mailMargin = time.Minute
	mailRun    = 4 * time.Minute
)

// DefaultMailEvery is how often the outbox is looked at without being
// asked: for retries, and for claims whose worker died.
const DefaultMailEvery = time.Minute

// DeliverMail sends the e-mails that are due, batch after batch, until none
// is left, ctx ends or a few minutes have passed, and returns how many the SMTP server accepted (or,
// without a server, were written to the log). Each message is marked sent
// as soon as the server accepted it; a refusal or a lost connection queues
// it again with a growing delay, and a server's refusal for good (5xx)
// fails it.
func (a *App) DeliverMail(ctx context.Context) (int, error) {
	sent := 0
	for start := time.Now(); ctx.Err() == nil && time.Since(start) < mailRun; {
		batch, err := a.db.ClaimMail(ctx, a.now(), mailLease, mailBatch, a.mailHost())
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		n, err := a.deliver(ctx, batch)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// mailHost is the domain of Message-IDs: the sender's.
func (a *App) mailHost() string {
	if a.smtp != nil {
		return a.smtp.Host()
	}
	if u, err := url.Parse(a.publicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// deliver writes and sends one claimed batch.
func (a *App) deliver(ctx context.Context, batch []store.Mail) (int, error) {
	// What is recorded after a message went out is recorded even when the
	// work's time is up: a message sent and not marked would go again.
	record, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var emails []notices.Email
	var claimed []store.Mail
	for _, m := range batch {
		e, err := notices.Compose(notices.Letter{MessageID: m.MessageID, To: m.Address, Name: m.Name, Language: m.Language,
			Kind: m.Kind, Params: m.Params, ObjectType: m.ObjectType, ObjectID: m.ObjectID, Link: m.Link},
			a.mailFrom(), a.publicURL, a.now())
		if err != nil {
			a.log.ErrorContext(ctx, "an e-mail could not be written", "message_id", m.MessageID, "kind", m.Kind, "err", err)
			if err := a.db.MailFailed(record, m, a.now(), "the message could not be written", true); err != nil {
				return 0, err
			}
			continue
		}
		emails, claimed = append(emails, e), append(claimed, m)
	}
	if a.smtp == nil {
		for i, e := range emails {
			m := claimed[i]
			a.log.InfoContext(ctx, "e-mail not sent: no SMTP server is configured", "to", m.Address, "subject", e.Subject(),
				"kind", m.Kind, "message_id", m.MessageID)
			if err := a.db.MailSent(record, m, a.now(), true); err != nil {
				return i, err
			}
		}
		return len(emails), nil
	}
	sending, stop := context.WithTimeout(ctx, mailLease-mailMargin)
	defer stop()
	done := make([]bool, len(emails))
	sent := 0
	var recordErr error
	err := a.smtp.Send(sending, emails, func(i int, err error) {
		done[i] = true
		m := claimed[i]
		if err == nil {
			sent++
			if rerr := a.db.MailSent(record, m, a.now(), false); rerr != nil && recordErr == nil {
				recordErr = rerr
			}
			return
		}
		a.log.WarnContext(ctx, "the SMTP server refused an e-mail", "to", m.Address, "message_id", m.MessageID,
			"attempt", m.Attempt, "err", err)
		if rerr := a.db.MailFailed(record, m, a.now(), err.Error(), notices.Permanent(err)); rerr != nil && recordErr == nil {
			recordErr = rerr
		}
	})
	if err != nil {
		a.log.WarnContext(ctx, "the SMTP server could not be reached", "err", err)
		for i, m := range claimed {
			if done[i] {
				continue
			}
			if rerr := a.db.MailFailed(record, m, a.now(), err.Error(), false); rerr != nil && recordErr == nil {
				recordErr = rerr
			}
		}
	}
	if recordErr != nil {
		// A message the server accepted may now go twice: its claim runs
		// out unmarked and another worker sends it with the same Message-ID.
		a.log.ErrorContext(ctx, "record sent e-mails", "err", recordErr)
	}
	return sent, recordErr
}

// mailWorker sends the outbox.
type mailWorker struct {
	river.WorkerDefaults[store.MailJobArgs]
	app *App
	log *slog.Logger
}

// Work sends every e-mail that is due. Failures of single messages are the
// outbox's to retry, not the job's; only a database that went away fails
// the job.
func (w *mailWorker) Work(ctx context.Context, _ *river.Job[store.MailJobArgs]) error {
	_, err := w.app.DeliverMail(ctx)
	return err
}

// Timeout lets a run finish the last batch it claimed.
func (w *mailWorker) Timeout(*river.Job[store.MailJobArgs]) time.Duration { return mailRun + mailLease }
