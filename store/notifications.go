package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// A notification centre belongs to one user: every query here is filtered
// by the actor's own id, so another user's notifications are not found.

func scanNotification(row pgx.CollectableRow) (domain.Notification, error) {
	var n domain.Notification
	var params []byte
	if err := row.Scan(&n.ID, &n.Kind, &n.ProviderID, &n.ObjectType, &n.ObjectID, &params, &n.CreatedAt, &n.ReadAt); err != nil {
		return n, err
	}
	return n, json.Unmarshal(params, &n.Params)
}

// NotificationFilter narrows the notification centre.
type NotificationFilter struct {
	Unread bool // only those not read yet
}

// Notifications lists the actor's own notifications, newest first.
// EInvalid for a cursor it did not make.
func (db *DB) Notifications(ctx context.Context, actor domain.Actor, f NotificationFilter, page Page) ([]domain.Notification, string, error) {
	if !isUUID(actor.UserID) {
		return nil, "", nil
	}
	afterAt, afterID, err := decodeNewestCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select id::text, kind, coalesce(provider_id::text, ''), object_type, object_id, params,
			created_at, read_at
		from notifications where user_id = $1 and (created_at, id) < ($2, $3::uuid) and (not $4 or read_at is null)
		order by created_at desc, id desc limit $5`, actor.UserID, afterAt, afterID, f.Unread, limit+1)
	if err != nil {
		return nil, "", translate(err, "list notifications")
	}
	list, err := pgx.CollectRows(rows, scanNotification)
	if err != nil {
		return nil, "", translate(err, "list notifications")
	}
	list, next := pageOf(list, limit, func(n domain.Notification) []any { return []any{n.CreatedAt, n.ID} })
	return list, next, nil
}

// UnreadNotifications counts the actor's notifications not yet read.
func (db *DB) UnreadNotifications(ctx context.Context, actor domain.Actor) (int, error) {
	if !isUUID(actor.UserID) {
		return 0, nil
	}
	var n int
	err := db.pool.QueryRow(ctx, `select count(*) from notifications where user_id = $1 and read_at is null`,
		actor.UserID).Scan(&n)
	return n, translate(err, "count notifications")
}

// MarkNotificationsRead marks some of the actor's own notifications read
// (every unread one when ids is empty) and returns how many it marked; an
// id that is not the actor's is ENotFound. Marking is audited once per call.
func (db *DB) MarkNotificationsRead(ctx context.Context, actor domain.Actor, ids []string) (int, error) {
	for _, id := range ids {
		if !isUUID(id) {
			return 0, domain.Errorf(domain.ENotFound, "no such notification")
		}
	}
	var marked int
	err := db.write(ctx, "mark notifications read", func(t *txn) error {
		if len(ids) > 0 {
			var mine int
			if err := t.QueryRow(ctx, `select count(*) from notifications where user_id = $1 and id = any($2::uuid[])`,
				actor.UserID, ids).Scan(&mine); err != nil {
				return err
			}
			if mine != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
				return domain.Errorf(domain.ENotFound, "no such notification")
			}
		}
		tag, err := t.Exec(ctx, `update notifications set read_at = now()
			where user_id = $1 and read_at is null and (cardinality($2::uuid[]) = 0 or id = any($2::uuid[]))`,
			actor.UserID, orEmpty(ids))
		if err != nil {
			return err
		}
		if marked = int(tag.RowsAffected()); marked == 0 {
			return nil
		}
		return t.record(actor, "notification.read", "user", actor.UserID, actor.ProviderID, map[string]any{"marked": marked,
			"all": len(ids) == 0})
	})
	return marked, err
}

// NotificationPreferences returns the actor's preference for every kind
// their role may receive, in the order of domain.NoticeRules: what they
// chose, or the default.
func (db *DB) NotificationPreferences(ctx context.Context, actor domain.Actor) ([]domain.NoticePreference, error) {
	rows, err := db.pool.Query(ctx, `select kind, in_app, email from notification_preferences where user_id = $1`,
		nullable(actor.UserID))
	if err != nil {
		return nil, translate(err, "read notification preferences")
	}
	chosen := map[domain.NoticeKind][2]bool{}
	var kind domain.NoticeKind
	var inApp, email bool
	if _, err := pgx.ForEachRow(rows, []any{&kind, &inApp, &email}, func() error {
		chosen[kind] = [2]bool{inApp, email}
		return nil
	}); err != nil {
		return nil, translate(err, "read notification preferences")
	}
	var out []domain.NoticePreference
	for _, r := range domain.NoticeRules() {
		if !r.Audience.Reaches(actor.Role) {
			continue
		}
		p := domain.DefaultNoticePreference(r)
		if c, ok := chosen[r.Kind]; ok && !r.Mandatory {
			p.InApp, p.Email = c[0] && !r.EmailOnly, c[1]
		}
		out = append(out, p)
	}
	return out, nil
}

// SetNotificationPreferences records the actor's choices. Every kind must
// be one the actor's role may receive (EInvalid otherwise, with the
// location of each); a kind that cannot be turned off must stay on. Kinds
// not given keep their setting.
func (db *DB) SetNotificationPreferences(ctx context.Context, actor domain.Actor, prefs []domain.NoticePreference) error {
	var problems []domain.Problem
	var kinds []string
	var inApp, email []bool
	for i, p := range prefs {
		loc := fmt.Sprintf("body.preferences[%d]", i)
		r, ok := domain.NoticeRuleOf(p.Kind)
		switch {
		case !ok || !r.Audience.Reaches(actor.Role):
			problems = append(problems, domain.Problem{Location: loc + ".kind", Message: "is not a kind of notice you receive"})
			continue
		case r.Mandatory && !p.Email:
			problems = append(problems, domain.Problem{Location: loc + ".email", Message: "this notice cannot be turned off"})
			continue
		case slices.Contains(kinds, string(p.Kind)):
			problems = append(problems, domain.Problem{Location: loc + ".kind", Message: "given twice"})
			continue
		}
		kinds, inApp, email = append(kinds, string(p.Kind)), append(inApp, p.InApp && !r.EmailOnly), append(email, p.Email)
	}
	if len(problems) > 0 {
		return domain.Invalid("the preferences cannot be saved", problems)
	}
	if len(kinds) == 0 {
		return nil
	}
	return db.write(ctx, "save notification preferences", func(t *txn) error {
		if _, err := t.Exec(ctx, `insert into notification_preferences (user_id, kind, in_app, email)
			select $1, k, a, e from unnest($2::text[], $3::boolean[], $4::boolean[]) as p(k, a, e)
			on conflict (user_id, kind) do update set in_app = excluded.in_app, email = excluded.email`,
			actor.UserID, kinds, inApp, email); err != nil {
			return err
		}
		changes := map[string]any{}
		for i, k := range kinds {
			changes[k] = map[string]bool{"in_app": inApp[i], "email": email[i]}
		}
		return t.record(actor, "user.notification_preferences", "user", actor.UserID, actor.ProviderID,
			map[string]any{"preferences": changes})
	})
}

// PurgeNotifications removes notifications read more than keep ago,
// e-mails finished (sent, logged, failed, dropped) more than keep ago, and
// links dead for longer that no e-mail names; it returns how many rows
// went. The once-only keys of notices stay: a reminder must not come again.
func (db *DB) PurgeNotifications(ctx context.Context, keep time.Duration) (int64, error) {
	var n int64
	for _, q := range []string{
		`delete from notifications where read_at < now() - $1 * interval '1 second'`,
		`delete from mail_outbox where state in ('sent', 'logged', 'failed', 'dropped')
			and created_at < now() - $1 * interval '1 second'`,
		`delete from link_tokens l where coalesce(l.used_at, l.revoked_at, l.expires_at) < now() - $1 * interval '1 second'
			and not exists (select 1 from mail_outbox m where m.link_token = l.id)`,
	} {
		tag, err := db.pool.Exec(ctx, q, seconds(keep))
		if err != nil {
			return n, translate(err, "purge notifications")
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
