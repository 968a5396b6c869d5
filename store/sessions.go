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

// SetSessionPolicy changes the session lifetimes, for existing sessions too.
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

// Login checks credentials and opens a session. Attempts are counted per
// account and address, per address and per account (even for unknown
// emails) while their counters are locked, so parallel guesses are counted
// one by one; every attempt is audited. Only the first two lock (see
// domain.AccountAddressThrottle): guesses from one address never refuse the
// owner's right password from another. A failed login returns a
// *LoginFailure wrapping ErrBadCredentials, ErrOTPRequired or ErrLocked.
func (db *DB) Login(ctx context.Context, actor domain.Actor, c Credentials) (Session, error) {
	email := domain.NormalizeEmail(c.Email)
	if len(email) > 254 {
		email = email[:254]
	}
	actor.Email = email
	keys := signInKeys(email, c.Address)
	token, tokenHash := domain.NewToken(domain.SessionTokenPrefix)
	var s Session
	var userID string
	err := db.throttled(ctx, actor, "session.login", keys, func(t *txn) (string, error, error) {
		var hash, secret string
		var status domain.UserStatus
		var lastStep int64
		var passkeys bool
		err := t.QueryRow(ctx, `select id::text, password_hash, status,
			case when totp_confirmed_at is not null then totp_secret else '' end, totp_last_step,
			exists (select 1 from passkeys p where p.user_id = users.id)
			from users where email = $1 for update`, email).Scan(&userID, &hash, &status, &secret, &lastStep, &passkeys)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			domain.VerifyNothing(c.Password)
			return "unknown account", nil, nil
		case err != nil:
			return "", nil, err
		case !domain.VerifyPassword(hash, c.Password):
			return "wrong password", nil, nil
		case status != domain.UserActive:
			return "account disabled", nil, nil
		case (secret != "" || passkeys) && c.OTP == "":
			// A right password, and the next step to take: no failure to count.
			return "", &SecondFactorNeeded{UserID: userID, TOTP: secret != "", Passkey: passkeys}, nil
		case secret == "" && c.OTP != "":
			// A code for an account without one: never a way round a passkey.
			return "wrong or reused one-time code", nil, nil
		}
		var step int64
		if secret != "" {
			var ok bool
			if secret, err = domain.OpenTOTPSecret(db.totpKey, userID, secret); err != nil {
				return "", nil, err
			}
			// Under the user's row lock, a code already used cannot be used again.
			if step, ok = domain.VerifyTOTP(secret, strings.TrimSpace(c.OTP), time.Now(), lastStep); !ok {
				return "wrong or reused one-time code", nil, nil
			}
			if _, err := t.Exec(ctx, `update users set totp_last_step = $2 where id = $1`, userID, step); err != nil {
				return "", nil, err
			}
		}
		if s, err = db.openSession(ctx, t, userID, tokenHash); err != nil {
			return "", nil, err
		}
		actor.UserID, actor.Role, actor.TokenID = userID, s.User.Role, s.ID
		return "", nil, t.record(actor, "session.login", "user", userID, s.User.ProviderID,
			map[string]any{"email": email, "second_factor": step > 0})
	}, func() string { return userID })
	if err != nil {
		return Session{}, err
	}
	s.Token = token
	return s, nil
}

// openSession inserts a browser session of userID whose token hashes to
// tokenHash, and returns it with the user (without the token).
func (db *DB) openSession(ctx context.Context, t *txn, userID string, tokenHash []byte) (Session, error) {
	var s Session
	err := t.QueryRow(ctx, `insert into tokens (user_id, kind, token_hash, expires_at)
		values ($1, 'session', $2, now() + $3 * interval '1 second') returning id::text, expires_at`,
		userID, tokenHash, seconds(db.sessions.Absolute)).Scan(&s.ID, &s.ExpiresAt)
	if err != nil {
		return Session{}, err
	}
	if s.User, err = getUser(ctx, t, domain.System("sign-in"), userID, false); err != nil {
		return Session{}, err
	}
	return s, nil
}

// SecondFactorNeeded follows a right password for an account with a second
// factor when no code came with it: which factors the account has, and
// whose the password was, so a passkey ceremony can be bound to that user.
// It wraps ErrOTPRequired, so errors.Is and errors.As see that error.
type SecondFactorNeeded struct {
	UserID  string
	TOTP    bool // a one-time code from an authenticator app will do
	Passkey bool // a passkey of the account will do
}

func (e *SecondFactorNeeded) Error() string { return ErrOTPRequired.Error() }
func (e *SecondFactorNeeded) Unwrap() error { return ErrOTPRequired }

// throttleKey is a throttle counter, the account it is about ("" for an
// address alone) and its rule.
type throttleKey struct {
	key     string
	account string
	rule    domain.ThrottleRule
}

// signInKeys are the counters of a sign-in at email from address: the pair
// first (a success clears it), then the address, then the account from
// everywhere, which only slows.
func signInKeys(email, address string) []throttleKey {
	return []throttleKey{
		{"pair:" + email + " from " + address, email, domain.AccountAddressThrottle},
		{"address:" + address, "", domain.AddressThrottle},
		{"account:" + email, email, domain.AccountThrottle},
	}
}

// passwordChangeKey counts wrong current passwords given to change the
// password of the account email, apart from its sign-in counters.
func passwordChangeKey(email string) []throttleKey {
	return []throttleKey{{"password:" + email, email, domain.SecretThrottle}}
}

// secondFactorKey counts wrong codes given to enrol or remove the second
// factor of the account email, apart from its sign-in counters.
func secondFactorKey(email string) []throttleKey {
	return []throttleKey{{"totp:" + email, email, domain.SecretThrottle}}
}

// throttled runs one attempt at a secret (a sign-in, a password or code
// check) in a transaction holding the throttle rows of keys, so attempts on
// one account or from one address are counted one at a time however many
// arrive together. When a key is locked the attempt does not run: the refusal
// is audited as <action>_locked and a *LoginFailure wrapping ErrLocked comes
// back. check returns why the attempt failed ("" when it succeeded) and,
// optionally, the error to give the caller instead of ErrBadCredentials; it
// writes nothing when it fails. An empty reason with an error asks for a
// further step (the one-time code): it is neither counted nor cleared. A
// failure counts against every key, locks those past their limits (rules
// that lock), is audited as <action>_failed (or <action>_locked)
// about subject(), and comes back as a *LoginFailure with the delay to hold
// the answer. A success clears the first key's count and keeps what check wrote.
func (db *DB) throttled(ctx context.Context, actor domain.Actor, action string, keys []throttleKey,
	check func(t *txn) (reason string, failure error, err error), subject func() string) error {
	var failure *LoginFailure
	err := db.write(ctx, action, func(t *txn) error {
		names, accounts := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			names[i], accounts[i] = k.key, k.account
		}
		if _, err := t.Exec(ctx, `insert into login_throttle (key, account, failures, window_start)
			select k, nullif(a, ''), 0, now() from unnest($1::text[], $2::text[]) as n(k, a)
			on conflict (key) do nothing`, names, accounts); err != nil {
			return err
		}
		var locked bool
		if err := t.QueryRow(ctx, `select coalesce(bool_or(locked_until > now()), false) from
			(select locked_until from login_throttle where key = any($1) order by key for update) l`, names).Scan(&locked); err != nil {
			return err
		}
		if locked {
			failure = &LoginFailure{Err: ErrLocked}
			return t.record(actor, action+"_locked", "user", "", actor.ProviderID, map[string]any{"email": actor.Email})
		}
		reason, refusal, err := check(t)
		if err == nil && reason == "" && refusal != nil {
			// Not a failure and not yet a success: the attempt asks for a further step.
			failure = &LoginFailure{Err: refusal}
			return nil
		}
		if err != nil || reason == "" {
			if err == nil {
				_, err = t.Exec(ctx, `update login_throttle set failures = 0, window_start = now() where key = $1`, keys[0].key)
			}
			return err
		}
		failure = &LoginFailure{Err: ErrBadCredentials}
		if refusal != nil {
			failure.Err = refusal
		}
		lockedNow := false
		for _, k := range keys {
			var failures int
			err := t.QueryRow(ctx, `update login_throttle l set
					failures = case when l.window_start < now() - $2 * interval '1 second' then 1 else l.failures + 1 end,
					window_start = case when l.window_start < now() - $2 * interval '1 second' then now() else l.window_start end
				where key = $1 returning failures`, k.key, seconds(k.rule.Window)).Scan(&failures)
			if err != nil {
				return err
			}
			if k.rule.Locks(failures) {
				if _, err := t.Exec(ctx, `update login_throttle set locked_until = now() + $2 * interval '1 second',
					failures = 0, window_start = now() where key = $1`, k.key, seconds(k.rule.LockFor)); err != nil {
					return err
				}
				lockedNow = true
			}
			failure.Delay = max(failure.Delay, k.rule.Delay(failures))
		}
		event := action + "_failed"
		if lockedNow {
			event = action + "_locked"
		}
		return t.record(actor, event, "user", subject(), actor.ProviderID, map[string]any{"email": actor.Email, "reason": reason})
	})
	if err != nil {
		return err
	}
	if failure != nil {
		return failure
	}
	return nil
}

// UnlockSignIn clears every throttle counter of a user's account: its locks
// from every address, its count from everywhere, and the counters of its
// password change and second factor; the user may then sign in at once from
// any address that is not itself locked. Counters of an address alone, which
// span accounts, stay. The act is audited even when nothing was locked.
// ENotFound for a user the actor may not see, EForbidden past the actor's
// role limits.
func (db *DB) UnlockSignIn(ctx context.Context, actor domain.Actor, userID string) error {
	u, err := db.User(ctx, actor, userID)
	if err != nil {
		return err
	}
	if err := domain.CheckUserManagement(actor, u.Role, u.ProviderID); err != nil {
		return err
	}
	return db.write(ctx, "unlock sign-in", func(t *txn) error {
		// Reset rather than delete: an attempt running now holds or awaits
		// these rows, and must find them still there.
		tag, err := t.Exec(ctx, `update login_throttle set failures = 0, window_start = now(), locked_until = null
			where account = $1 and (failures > 0 or locked_until > now())`, u.Email)
		if err != nil {
			return err
		}
		return t.record(actor, "user.unlock", "user", u.ID, u.ProviderID,
			map[string]any{"email": u.Email, "counters_cleared": tag.RowsAffected()})
	})
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
			coalesce(u.provider_id::text, ''),
			u.totp_confirmed_at is not null or exists (select 1 from passkeys p where p.user_id = u.id), u.must_change_password,
			u.role in (select jsonb_array_elements_text(s.value->'totp_required_roles') from settings s)
		from tokens t join users u on u.id = t.user_id
		where t.token_hash = $1 and t.revoked_at is null and t.expires_at > now() and u.status = 'active'
		and (t.kind = 'api' or (t.last_used_at > now() - $2 * interval '1 second'
			and t.created_at > now() - $3 * interval '1 second'))`,
		domain.HashToken(token), seconds(db.sessions.Idle), seconds(db.sessions.Absolute)).
		Scan(&a.TokenID, &lastUsed, &a.UserID, &a.Email, &a.Name, &a.Role, &providerID, &enrolled,
			&a.MustChangePassword, &required)
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
		from tokens where user_id = $1 and kind = 'api' and (created_at, id) < ($2, $3::uuid)
		order by created_at desc, id desc limit $4`, actor.UserID, afterAt, afterID, limit+1)
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
// token is ENotFound. Revoking a revoked token changes nothing and is not
// audited again.
func (db *DB) RevokeAPIToken(ctx context.Context, actor domain.Actor, id string) error {
	if !isUUID(id) {
		return domain.Errorf(domain.ENotFound, "no such token")
	}
	return db.write(ctx, "revoke api token", func(t *txn) error {
		var name string
		var revoked bool
		err := t.QueryRow(ctx, `select name, revoked_at is not null from tokens
			where id = $1 and user_id = $2 and kind = 'api' for update`, id, actor.UserID).Scan(&name, &revoked)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no such token")
		}
		if err != nil || revoked {
			return err
		}
		if _, err := t.Exec(ctx, `update tokens set revoked_at = now(), revoked_why = 'revoked' where id = $1`, id); err != nil {
			return err
		}
		return t.record(actor, "token.revoke", "token", id, actor.ProviderID, map[string]any{"name": name})
	})
}

// seconds renders a duration for SQL as a number of seconds.
func seconds(d time.Duration) float64 { return d.Seconds() }

// PurgeThrottle forgets throttle counters that no longer count: unlocked,
// and older than the longest throttle window. Guesses at made-up emails
// would otherwise pile up rows.
func (db *DB) PurgeThrottle(ctx context.Context) (int64, error) {
	window := max(domain.AccountAddressThrottle.Window, domain.AddressThrottle.Window, domain.AccountThrottle.Window,
		domain.SecretThrottle.Window, domain.ResetAccountThrottle.Window, domain.ResetAddressThrottle.Window,
		domain.LinkThrottle.Window)
	tag, err := db.pool.Exec(ctx, `delete from login_throttle
		where (locked_until is null or locked_until < now()) and window_start < now() - $1 * interval '1 second'`,
		seconds(window))
	return tag.RowsAffected(), translate(err, "purge login throttle")
}
