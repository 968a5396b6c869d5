package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Calendar feeds: each user may keep one secret address at which calendar
// applications read their calendar without signing in. Only the secret's
// SHA-256 is kept, as for API tokens, but in a table of its own: a feed's
// secret reads a calendar and nothing else.

// CalendarFeed describes a user's live feed (never its secret).
type CalendarFeed struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// feedTouchEvery limits how often a feed's last read is written: calendar
// applications poll.
const feedTouchEvery = 10 * time.Minute

// CalendarFeed returns the actor's live feed, and false when they have none.
func (db *DB) CalendarFeed(ctx context.Context, actor domain.Actor) (CalendarFeed, bool, error) {
	if !isUUID(actor.UserID) {
		return CalendarFeed{}, false, nil
	}
	var f CalendarFeed
	err := db.pool.QueryRow(ctx, `select id::text, created_at, last_used_at from calendar_feeds
		where user_id = $1 and revoked_at is null`, actor.UserID).Scan(&f.ID, &f.CreatedAt, &f.LastUsedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, false, nil
	}
	return f, err == nil, translate(err, "get calendar feed")
}

// CreateCalendarFeed makes a new secret address for the actor's calendar
// and returns its secret, once. A live feed is revoked in the same
// transaction, so rotating leaves one address that works. Both are audited.
func (db *DB) CreateCalendarFeed(ctx context.Context, actor domain.Actor) (string, CalendarFeed, error) {
	if !isUUID(actor.UserID) {
		return "", CalendarFeed{}, domain.Errorf(domain.EForbidden, "only a user has a calendar feed")
	}
	token, hash := domain.NewToken(domain.CalendarFeedPrefix)
	var f CalendarFeed
	err := db.write(ctx, "create calendar feed", func(t *txn) error {
		if err := revokeFeed(ctx, t, actor, "rotated"); err != nil {
			return err
		}
		if err := t.QueryRow(ctx, `insert into calendar_feeds (user_id, token_hash) values ($1, $2)
			returning id::text, created_at`, actor.UserID, hash).Scan(&f.ID, &f.CreatedAt); err != nil {
			return err
		}
		return t.record(actor, "calendar_feed.create", "calendar_feed", f.ID, actor.ProviderID, nil)
	})
	if err != nil {
		return "", CalendarFeed{}, err
	}
	return token, f, nil
}

// RevokeCalendarFeed revokes the actor's live feed: its address answers
// nothing from now on. Without one it does nothing, and records nothing.
func (db *DB) RevokeCalendarFeed(ctx context.Context, actor domain.Actor) error {
	if !isUUID(actor.UserID) {
		return nil
	}
	return db.write(ctx, "revoke calendar feed", func(t *txn) error { return revokeFeed(ctx, t, actor, "revoked") })
}

// revokeFeed revokes the actor's live feed, if any, and records why.
func revokeFeed(ctx context.Context, t *txn, actor domain.Actor, why string) error {
	rows, err := t.Query(ctx, `update calendar_feeds set revoked_at = now(), revoked_why = $2
		where user_id = $1 and revoked_at is null returning id::text`, actor.UserID, why)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.record(actor, "calendar_feed.revoke", "calendar_feed", id, actor.ProviderID,
			map[string]any{"why": why}); err != nil {
			return err
		}
	}
	return nil
}

// FeedReader is who reads a calendar through a feed's address: the feed's
// owner, as they stand now, and the language they chose ("" for none).
type FeedReader struct {
	Actor    domain.Actor
	Language string
}

// CalendarFeedReader resolves a feed's secret to its owner, read afresh
// (role, provider) as Authenticate does. An unknown or revoked secret, and
// the feed of a disabled user, are ENotFound: the address tells nothing.
func (db *DB) CalendarFeedReader(ctx context.Context, token string) (FeedReader, error) {
	notFound := domain.Errorf(domain.ENotFound, "no such calendar")
	if !domain.LooksLikeFeedToken(token) {
		return FeedReader{}, notFound
	}
	var r FeedReader
	var feedID, providerID string
	var lastUsed *time.Time
	var enrolled, required bool
	a := &r.Actor
	err := db.pool.QueryRow(ctx, `select f.id::text, f.last_used_at, u.id::text, u.email, u.name, u.role,
			coalesce(u.provider_id::text, ''), coalesce(u.language, ''),
			u.totp_confirmed_at is not null or exists (select 1 from passkeys p where p.user_id = u.id), u.must_change_password,
			u.role in (select jsonb_array_elements_text(s.value->'totp_required_roles') from settings s)
		from calendar_feeds f join users u on u.id = f.user_id
		where f.token_hash = $1 and f.revoked_at is null and u.status = 'active'`, domain.HashToken(token)).
		Scan(&feedID, &lastUsed, &a.UserID, &a.Email, &a.Name, &a.Role, &providerID, &r.Language, &enrolled,
			&a.MustChangePassword, &required)
	if errors.Is(err, pgx.ErrNoRows) {
		return FeedReader{}, notFound
	}
	if err != nil {
		return FeedReader{}, translate(err, "read calendar feed")
	}
	a.ProviderID = providerID
	a.MustEnrolTOTP = required && !enrolled
	a.RequestID = "feed:" + feedID
	if lastUsed == nil || time.Since(*lastUsed) > feedTouchEvery {
		if _, err := db.pool.Exec(ctx, `update calendar_feeds set last_used_at = now() where id = $1`, feedID); err != nil {
			return FeedReader{}, translate(err, "read calendar feed: touch")
		}
	}
	return r, nil
}
