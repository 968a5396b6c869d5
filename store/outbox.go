package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// The e-mail outbox is sent by workers that each claim a few due messages
// in a short transaction of its own, send them, and mark each one sent as
// soon as the SMTP server has accepted it. A claim is a lease: when its
// worker dies, the lease runs out and another worker takes the message up,
// so none is lost. The one case that sends a message twice is a worker that
// dies after the server accepted a message and before it could write so;
// the window is one short statement, and the second copy carries the same
// Message-ID, by which mail systems and readers drop duplicates.

// Mail is an e-mail claimed for sending, with what its words need.
type Mail struct {
	ID        string
	MessageID string
	Claim     string // the claim this attempt holds it under
	Attempt   int    // 1 for the first
	UserID    string
	Address   string
	Name      string
	Language  domain.Language // "" when the recipient chose none
	Kind      domain.NoticeKind
	ObjectType,
	ObjectID string
	Params map[string]string
	// Link is the single-use token made for this attempt, "" for a message
	// without one. It exists only in this value and in the message sent.
	Link string
}

// ClaimMail claims up to limit e-mails due at now, for lease: queued ones
// whose time has come, oldest first, and ones whose claim's lease ran out.
// Each gets its Message-ID (<id@host>) at its first claim and keeps it, so
// a copy sent twice (its worker died after the server took it) is known as
// one by the mail systems that drop duplicates. A message carrying a link
// gets a new token now, replacing the hash of any earlier attempt's, so
// only the copy last sent works; it is another message, so each attempt
// after the first has a Message-ID of its own (<id.N@host>), lest the
// copy with the dead link be the one kept. A link that expired
// or was replaced meanwhile, or a recipient disabled, drops the message
// instead. Messages claimed more than domain.MailAttempts times are failed.
func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int, host string) ([]Mail, error) {
	claim := newClaim()
	var out []Mail
	err := db.write(ctx, "claim e-mail", func(t *txn) error {
		rows, err := t.Query(ctx, `with due as (
				select id from mail_outbox
				where (state = 'queued' and (due_at is null or due_at <= @now)) or (state = 'sending' and claimed_until <= @now)
				order by due_at nulls first, created_at
				limit @limit for update skip locked
			)
			update mail_outbox m set state = 'sending', claim = @claim::uuid, claimed_until = @until, attempts = m.attempts + 1,
				message_id = case when m.link_token is not null and m.attempts > 0
					then '<' || m.id::text || '.' || (m.attempts + 1) || '@' || @host || '>'
					else coalesce(m.message_id, '<' || m.id::text || '@' || @host || '>') end
			from due, users u where m.id = due.id and u.id = m.user_id
			returning m.id::text, m.message_id, m.attempts, m.user_id::text, u.email, u.name, coalesce(u.language, ''),
				u.status, m.kind, m.object_type, m.object_id, m.params, coalesce(m.link_token::text, '')`,
			pgx.StrictNamedArgs{"now": now, "limit": limit, "claim": claim, "until": now.Add(lease), "host": host})
		if err != nil {
			return err
		}
		type claimed struct {
			Mail
			status domain.UserStatus
			linkID string
		}
		var list []claimed
		for rows.Next() {
			var c claimed
			var params []byte
			if err := rows.Scan(&c.ID, &c.MessageID, &c.Attempt, &c.UserID, &c.Address, &c.Name, &c.Language, &c.status,
				&c.Kind, &c.ObjectType, &c.ObjectID, &params, &c.linkID); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal(params, &c.Params); err != nil {
				rows.Close()
				return err
			}
			c.Claim = claim
			list = append(list, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range list {
			switch {
			case c.Attempt > domain.MailAttempts:
				if err := endMail(ctx, t, c.ID, "failed", "the worker sending it was lost too many times"); err != nil {
					return err
				}
				continue
			case c.status != domain.UserActive:
				if err := endMail(ctx, t, c.ID, "dropped", "the recipient's account is disabled"); err != nil {
					return err
				}
				continue
			}
			if c.linkID != "" {
				token, hash := domain.NewToken(domain.LinkTokenPrefix)
				tag, err := t.Exec(ctx, `update link_tokens set token_hash = $2
					where id = $1 and used_at is null and revoked_at is null and expires_at > $3`, c.linkID, hash, now)
				if err != nil {
					return err
				}
				if tag.RowsAffected() == 0 {
					if err := endMail(ctx, t, c.ID, "dropped", "the link it carried expired, was used or was replaced before it could be sent"); err != nil {
						return err
					}
					continue
				}
				c.Link = token
			}
			out = append(out, c.Mail)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func newClaim() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// endMail ends a message that will never be sent, saying why.
func endMail(ctx context.Context, t *txn, id, state, why string) error {
	_, err := t.Exec(ctx, `update mail_outbox set state = $2, error = $3, claim = null, claimed_until = null where id = $1`,
		id, state, why)
	return err
}

// MailSent records that the SMTP server accepted a message (state sent),
// or, with logged, that it was written to the log for want of a server.
// A message is marked whatever claim it is under now: it went out. A
// message that carried a link is audited, as the security event it is.
func (db *DB) MailSent(ctx context.Context, m Mail, now time.Time, logged bool) error {
	state := "sent"
	if logged {
		state = "logged"
	}
	return db.write(ctx, "record e-mail sent", func(t *txn) error {
		tag, err := t.Exec(ctx, `update mail_outbox set state = $2, sent_at = $3, claim = null, claimed_until = null,
			error = '' where id = $1 and state in ('sending', 'queued')`, m.ID, state, now)
		if err != nil || tag.RowsAffected() == 0 || m.Link == "" {
			return err
		}
		return t.record(domain.System("mail"), "mail."+state, "user", m.UserID, "", map[string]any{"kind": m.Kind,
			"address": m.Address, "message_id": m.MessageID})
	})
}

// MailFailed records a failed attempt at a message still claimed by the
// failed attempt's claim: it is queued again after domain.MailRetryDelay,
// or failed for good when permanent (the server refused it outright) or
// after domain.MailAttempts attempts, audited then. why is kept for the
// administrator; it holds no part of the message.
func (db *DB) MailFailed(ctx context.Context, m Mail, now time.Time, why string, permanent bool) error {
	if len(why) > 500 {
		why = why[:500]
	}
	return db.write(ctx, "record e-mail failure", func(t *txn) error {
		final := permanent || m.Attempt >= domain.MailAttempts
		state, due := "queued", now.Add(domain.MailRetryDelay(m.Attempt))
		if final {
			state = "failed"
		}
		tag, err := t.Exec(ctx, `update mail_outbox set state = $3, due_at = $4, error = $5, claim = null, claimed_until = null
			where id = $1 and claim = $2::uuid`, m.ID, m.Claim, state, due, why)
		if err != nil || tag.RowsAffected() == 0 || !final {
			return err
		}
		return t.record(domain.System("mail"), "mail.failed", "user", m.UserID, "", map[string]any{"kind": m.Kind,
			"address": m.Address, "message_id": m.MessageID, "attempts": m.Attempt, "error": why})
	})
}

// OutboxEntry is an e-mail as the outbox keeps it, for the administrator
// and for tests.
type OutboxEntry struct {
	ID        string
	Kind      domain.NoticeKind
	Address   string
	State     string
	Attempts  int
	MessageID string
	Error     string
	SentAt    *time.Time
}

// Outbox lists the e-mails to an address, newest first (every e-mail when
// address is ""), at most limit.
func (db *DB) Outbox(ctx context.Context, address string, limit int) ([]OutboxEntry, error) {
	rows, err := db.pool.Query(ctx, `select id::text, kind, address, state, attempts, coalesce(message_id, ''), error, sent_at
		from mail_outbox where $1 = '' or address = $1 order by created_at desc, id desc limit $2`,
		domain.NormalizeEmail(address), limit)
	if err != nil {
		return nil, translate(err, "list the outbox")
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OutboxEntry])
	return list, translate(err, "list the outbox")
}
