package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// SessionPolicy bounds the life of browser sessions.
type SessionPolicy struct {
	Idle     time.Duration // a session unused this long expires
	Absolute time.Duration // a session expires this long after sign-in, used or not
}

// DefaultSessionPolicy is 12 hours idle, 7 days absolute.
var DefaultSessionPolicy = SessionPolicy{Idle: 12 * time.Hour, Absolute: 7 * 24 * time.Hour}

// SetSessionPolicy changes the session lifetimes for new and existing sessions.
func (db *DB) SetSessionPolicy(p SessionPolicy) { db.sessions = p }

// touchEvery limits how often a token's last use is written.
const touchEvery = time.Minute

// Credentials is a sign-in attempt.
type Credentials struct {
	Email    string
	Password string
	OTP      string
	Address  string // the client's network address
}

// Session is a signed-in session.
type Session struct {
	ID        string
	Token     string // shown once
	User      domain.User
	ExpiresAt time.Time
}

// ErrBadCredentials is the one answer to every failed sign-in, whatever the
// cause, so that no answer tells whether an account exists.
var ErrBadCredentials = domain.Errorf(domain.EUnauthorized, "the email, password or one-time code is not right")

// ErrOTPRequired asks for the one-time code; it follows a right password.
var ErrOTPRequired = domain.Errorf(domain.EUnauthorized, "the email, password or one-time code is not right; a one-time code is required for this account")

// ErrLocked answers sign-ins while an account or address is locked.
var ErrLocked = domain.Errorf(domain.ETooMany, "too many failed sign-in attempts; try again later")

// LoginFailure reports a failed sign-in and how long the answer should be
// held back.
type LoginFailure struct {
	Err   error
	Delay time.Duration
}

func (f *LoginFailure) Error() string { return f.Err.Error() }
func (f *LoginFailure) Unwrap() error { return f.Err }

// Login checks credentials and opens a session. Failures are counted per
// account and per address (even for unknown emails) and every attempt is
// audited. A failed login returns a *LoginFailure wrapping ErrBadCredentials,
// ErrOTPRequired or ErrLocked.
func (db *DB) Login(ctx context.Context, actor domain.Actor, c Credentials) (Session, error) {
	email := domain.NormalizeEmail(c.Email)
	if len(email) > 254 {
		email = email[:254]
	}
	accountKey, addressKey := "account:"+email, "address:"+c.Address
	actor.Email = email

	locked, err := db.throttleLocked(ctx, accountKey, addressKey)
	if err != nil {
		return Session{}, err
	}
	if locked {
		err := db.RecordEvent(ctx, actor, "session.login_locked", "user", "", "", map[string]any{"email": email})
		if err != nil {
			return Session{}, err
		}
		return Session{}, &LoginFailure{Err: ErrLocked}
	}

	var userID, hash, secret string
	var status domain.UserStatus
	var lastStep int64
	err = db.pool.QueryRow(ctx, `select id::text, password_hash, status,
		case when totp_confirmed_at is not null then totp_secret else '' end, totp_last_step
		from users where email = $1`, email).Scan(&userID, &hash, &status, &secret, &lastStep)
	reason := ""
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		domain.VerifyNothing(c.Password)
		reason = "unknown account"
	case err != nil:
		return Session{}, translate(err, "login")
	case !domain.VerifyPassword(hash, c.Password):
		reason = "wrong password"
	case status != domain.UserActive:
		reason = "account disabled"
	case secret != "" && c.OTP == "":
		reason = "one-time code missing"
	}
	var step int64
	if reason == "" && secret != "" {
		var ok bool
		if step, ok = domain.VerifyTOTP(secret, strings.TrimSpace(c.OTP), time.Now(), lastStep); !ok {
			reason = "wrong one-time code"
		}
	}
	if reason != "" {
		return Session{}, db.loginFailed(ctx, actor, userID, accountKey, addressKey, reason)
	}

	token, tokenHash := domain.NewToken(domain.SessionTokenPrefix)
	var s Session
	err = db.write(ctx, "login", func(t *txn) error {
		if step > 0 {
			// Under the row lock, a code already used cannot be used again.
			tag, err := t.Exec(ctx, `update users set totp_last_step = $2 where id = $1 and totp_last_step < $2`, userID, step)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return errOTPReplay
			}
		}
		if _, err := t.Exec(ctx, `delete from login_throttle where key = $1`, accountKey); err != nil {
			return err
		}
		err := t.QueryRow(ctx, `insert into tokens (user_id, kind, token_hash, expires_at)
			values ($1, 'session', $2, now() + $3 * interval '1 second') returning id::text, expires_at`,
			userID, tokenHash, seconds(db.sessions.Absolute)).Scan(&s.ID, &s.ExpiresAt)
		if err != nil {
			return err
		}
		if s.User, err = getUser(ctx, t, domain.Actor{}, userID, false); err != nil {
			return err
		}
		actor.UserID, actor.Role, actor.TokenID = userID, s.User.Role, s.ID
		return t.record(actor, "session.login", "user", userID, s.User.ProviderID,
			map[string]any{"email": email, "second_factor": step > 0})
	})
	if errors.Is(err, errOTPReplay) {
		return Session{}, db.loginFailed(ctx, actor, userID, accountKey, addressKey, "one-time code reused")
	}
	if err != nil {
		return Session{}, err
	}
	s.Token = token
	return s, nil
}

var errOTPReplay = errors.New("one-time code already used")

// throttleLocked reports whether either key is locked now.
func (db *DB) throttleLocked(ctx context.Context, keys ...string) (bool, error) {
	var locked bool
	err := db.pool.QueryRow(ctx, `select exists (select 1 from login_throttle
		where key = any($1) and locked_until > now())`, keys).Scan(&locked)
	return locked, translate(err, "check login throttle")
}

// loginFailed counts a failure against the account and the address, locks
// them past their limits and audits the attempt.
func (db *DB) loginFailed(ctx context.Context, actor domain.Actor, userID, accountKey, addressKey, reason string) error {
	failure := &LoginFailure{Err: ErrBadCredentials}
	if reason == "one-time code missing" {
		failure.Err = ErrOTPRequired
	}
	err := db.write(ctx, "record failed login", func(t *txn) error {
		lockedNow := false
		for _, k := range []struct {
			key  string
			rule domain.ThrottleRule
		}{{accountKey, domain.AccountThrottle}, {addressKey, domain.AddressThrottle}} {
			var failures int
			var locked bool
			err := t.QueryRow(ctx, `insert into login_throttle as l (key, failures, window_start)
				values ($1, 1, now())
				on conflict (key) do update set
					failures = case when l.window_start < now() - $2 * interval '1 second' then 1 else l.failures + 1 end,
					window_start = case when l.window_start < now() - $2 * interval '1 second' then now() else l.window_start end
				returning failures, coalesce(locked_until > now(), false)`,
				k.key, seconds(k.rule.Window)).Scan(&failures, &locked)
			if err != nil {
				return err
			}
			if failures >= k.rule.LockAfter && !locked {
				if _, err := t.Exec(ctx, `update login_throttle set locked_until = now() + $2 * interval '1 second',
					failures = 0, window_start = now() where key = $1`, k.key, seconds(k.rule.LockFor)); err != nil {
					return err
				}
				lockedNow = true
			}
			failure.Delay = max(failure.Delay, k.rule.Delay(failures))
		}
		action := "session.login_failed"
		if lockedNow {
			action = "session.login_locked"
		}
		return t.record(actor, action, "user", userID, "", map[string]any{"email": actor.Email, "reason": reason})
	})
	if err != nil {
		return err
	}
	return failure
}

// Authenticate resolves a session or API token to its actor. Expired,
// revoked or unknown tokens, and tokens of disabled users, are EUnauthorized.
// The user's role and provider are read afresh each time, so a change made
// through any instance holds at once.
func (db *DB) Authenticate(ctx context.Context, token string) (domain.Actor, error) {
	unauthorized := domain.Errorf(domain.EUnauthorized, "the credentials are not valid or have expired; sign in again")
	if !domain.LooksLikeToken(token) {
		return domain.Actor{}, unauthorized
	}
	var a domain.Actor
	var lastUsed time.Time
	var providerID string
	var enrolled, required bool
	err := db.pool.QueryRow(ctx, `select t.id::text, t.last_used_at, u.id::text, u.email, u.name, u.role,
			coalesce(u.provider_id::text, ''), u.totp_confirmed_at is not null,
			u.role in (select jsonb_array_elements_text(s.value->'totp_required_roles') from settings s)
		from tokens t join users u on u.id = t.user_id
		where t.token_hash = $1 and t.revoked_at is null and t.expires_at > now() and u.status = 'active'
		and (t.kind = 'api' or t.last_used_at > now() - $2 * interval '1 second')`,
		domain.HashToken(token), seconds(db.sessions.Idle)).
		Scan(&a.TokenID, &lastUsed, &a.UserID, &a.Email, &a.Name, &a.Role, &providerID, &enrolled, &required)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Actor{}, unauthorized
	}
	if err != nil {
		return domain.Actor{}, translate(err, "authenticate")
	}
	a.ProviderID = providerID
	a.MustEnrolTOTP = required && !enrolled
	if time.Since(lastUsed) > touchEvery {
		if _, err := db.pool.Exec(ctx, `update tokens set last_used_at = now() where id = $1`, a.TokenID); err != nil {
			return domain.Actor{}, translate(err, "authenticate: touch token")
		}
	}
	return a, nil
}

// Logout revokes the session or token the actor signed in with.
func (db *DB) Logout(ctx context.Context, actor domain.Actor) error {
	return db.write(ctx, "logout", func(t *txn) error {
		if _, err := t.Exec(ctx, `update tokens set revoked_at = now(), revoked_why = 'logout'
			where id = $1 and revoked_at is null`, actor.TokenID); err != nil {
			return err
		}
		return t.record(actor, "session.logout", "user", actor.UserID, actor.ProviderID, map[string]any{"token_id": actor.TokenID})
	})
}

// APIToken describes a personal API token (never the token itself).
type APIToken struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// MaxAPITokenLife bounds how long a personal API token may live.
const MaxAPITokenLife = 366 * 24 * time.Hour

// CreateAPIToken issues a named personal API token for the actor, valid until
// expiresAt; the token is returned once and stored only as a hash.
func (db *DB) CreateAPIToken(ctx context.Context, actor domain.Actor, name string, expiresAt time.Time) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	var problems []domain.Problem
	if name == "" || len(name) > 100 {
		problems = append(problems, domain.Problem{Location: "body.name", Message: "must be 1 to 100 characters"})
	}
	now := time.Now()
	if !expiresAt.After(now) || expiresAt.Sub(now) > MaxAPITokenLife {
		problems = append(problems, domain.Problem{Location: "body.expires_at",
			Message: fmt.Sprintf("must be in the future and at most %d days away", int(MaxAPITokenLife.Hours()/24))})
	}
	if len(problems) > 0 {
		return "", APIToken{}, domain.Invalid("the token cannot be created", problems)
	}
	token, hash := domain.NewToken(domain.APITokenPrefix)
	var tok APIToken
	err := db.write(ctx, "create api token", func(t *txn) error {
		err := t.QueryRow(ctx, `insert into tokens (user_id, kind, name, token_hash, expires_at)
			values ($1, 'api', $2, $3, $4) returning id::text, name, created_at, last_used_at, expires_at`,
			actor.UserID, name, hash, expiresAt).Scan(&tok.ID, &tok.Name, &tok.CreatedAt, &tok.LastUsedAt, &tok.ExpiresAt)
		if err != nil {
			return err
		}
		return t.record(actor, "token.create", "token", tok.ID, actor.ProviderID,
			map[string]any{"name": name, "expires_at": tok.ExpiresAt})
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return token, tok, nil
}

// APITokens lists the actor's own personal API tokens, newest first.
func (db *DB) APITokens(ctx context.Context, actor domain.Actor, page Page) ([]APIToken, string, error) {
	afterAt, afterID, err := decodeNewestCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select id::text, name, created_at, last_used_at, expires_at, revoked_at
		from tokens where user_id = $1 and kind = 'api' and (created_at, id::text) < ($2, $3)
		order by created_at desc, id::text desc limit $4`, actor.UserID, afterAt, afterID, limit+1)
	if err != nil {
		return nil, "", translate(err, "list api tokens")
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[APIToken])
	if err != nil {
		return nil, "", translate(err, "list api tokens")
	}
	list, next := pageOf(list, limit, func(t APIToken) []any { return []any{t.CreatedAt, t.ID} })
	return list, next, nil
}

// RevokeAPIToken revokes one of the actor's own API tokens; another user's
// token is ENotFound.
func (db *DB) RevokeAPIToken(ctx context.Context, actor domain.Actor, id string) error {
	if !isUUID(id) {
		return domain.Errorf(domain.ENotFound, "no such token")
	}
	return db.write(ctx, "revoke api token", func(t *txn) error {
		var name string
		err := t.QueryRow(ctx, `update tokens set revoked_at = coalesce(revoked_at, now()), revoked_why = coalesce(revoked_why, 'revoked')
			where id = $1 and user_id = $2 and kind = 'api' returning name`, id, actor.UserID).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no such token")
		}
		if err != nil {
			return err
		}
		return t.record(actor, "token.revoke", "token", id, actor.ProviderID, map[string]any{"name": name})
	})
}

// seconds renders a duration for SQL as a number of seconds.
func seconds(d time.Duration) float64 { return d.Seconds() }
