package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Single-use links let someone who is not signed in set a password: an
// invited user their first, a user who forgot theirs a new one. A link is a
// row of link_tokens; its token is made only when the e-mail that carries
// it is sent (see ClaimMail), and only its hash is kept.

// AdminResetLifetime is how long the link lasts that an administrator's
// reset of a password e-mails: the user may not be at their desk within
// the hour a reset they asked for themselves lasts.
const AdminResetLifetime = 24 * time.Hour

// ErrBadLink answers every link that does not work, whatever the reason, so
// that no answer tells a used link from one that never existed.
var ErrBadLink = domain.Invalid("this link does not work", []domain.Problem{{Location: "body.token",
	Message: "is not a valid link: it may have expired, been used already, or been replaced by a newer one"}})

// ErrLinksLocked answers links tried from an address that tried too many
// that did not work.
var ErrLinksLocked = domain.Errorf(domain.ETooMany, "too many links that do not work were tried from this address; try again later")

// ErrTooManyResets answers password-reset requests from an address that
// asked too often.
var ErrTooManyResets = domain.Errorf(domain.ETooMany, "too many password resets asked from this address; try again later")

// newLink makes a live link of purpose for a user, lasting lifetime, and
// revokes the user's earlier live links of that purpose: only the newest
// invitation or reset works.
// It returns the link's id and its expiry, for the e-mail to say.
func newLink(ctx context.Context, t *txn, actor domain.Actor, userID string, purpose domain.LinkPurpose, lifetime time.Duration) (string, string, error) {
	if _, err := t.Exec(ctx, `update link_tokens set revoked_at = now()
		where user_id = $1 and purpose = $2 and used_at is null and revoked_at is null`, userID, purpose); err != nil {
		return "", "", err
	}
	var id string
	var expires time.Time
	err := t.QueryRow(ctx, `insert into link_tokens (user_id, purpose, created_by, expires_at)
		values ($1, $2, $3, now() + $4 * interval '1 second') returning id::text, expires_at`,
		userID, purpose, nullable(actor.UserID), seconds(lifetime)).Scan(&id, &expires)
	return id, expires.UTC().Format(time.RFC3339), err
}

// invite e-mails an invited user the link that sets their first password.
func invite(ctx context.Context, t *txn, actor domain.Actor, u domain.User) error {
	link, expires, err := newLink(ctx, t, actor, u.ID, domain.LinkInvitation, domain.LinkInvitation.Lifetime())
	if err != nil {
		return err
	}
	return t.notify(ctx, domain.Notice{Kind: domain.NoticeInvitation, UserID: u.ID, ProviderID: u.ProviderID,
		ObjectType: "user", ObjectID: u.ID, LinkID: link,
		Params: map[string]string{"name": u.Name, "by": firstNonEmpty(actor.Name, actor.Email), "expires": expires}})
}

// InviteUser creates a user without a password and, in the same
// transaction, the invitation e-mailed to them: a single-use link, valid a
// week, to set their own password. CreateUser's rules hold: EInvalid lists
// every problem, EForbidden past the actor's role limits, EConflict for a
// taken email.
func (db *DB) InviteUser(ctx context.Context, actor domain.Actor, nu NewUser) (domain.User, error) {
	nu.Password = ""
	nu, err := checkNewUser(actor, nu, false)
	if err != nil {
		return domain.User{}, err
	}
	var u domain.User
	err = db.write(ctx, "invite user", func(t *txn) error {
		var err error
		if u, err = createUser(ctx, t, actor, nu, "", false, map[string]any{"invited": true}); err != nil {
			return err
		}
		return invite(ctx, t, actor, u)
	})
	return u, err
}

// Reinvite sends a user who has not yet set a password a new invitation;
// the earlier link stops working. EConflict when the user has a password or
// is disabled; ENotFound and EForbidden as for any change of the user.
func (db *DB) Reinvite(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	var u domain.User
	err := db.write(ctx, "invite user again", func(t *txn) error {
		var err error
		if u, err = getUser(ctx, t, actor, id, true); err != nil {
			return err
		}
		if err := domain.CheckUserManagement(actor, u.Role, u.ProviderID); err != nil {
			return err
		}
		switch {
		case !u.AwaitingPassword:
			return domain.Errorf(domain.EConflict, "%s has set a password already; there is nothing to accept", u.Email)
		case u.Status != domain.UserActive:
			return domain.Errorf(domain.EConflict, "%s is disabled; enable the account first", u.Email)
		}
		if err := invite(ctx, t, actor, u); err != nil {
			return err
		}
		return t.record(actor, "user.invite", "user", u.ID, u.ProviderID, map[string]any{"email": u.Email})
	})
	return u, err
}

// resetByLink takes a user's password away, revokes their sessions and
// tokens, and e-mails them a link to set a new one: an administrator's
// reset on a server that sends e-mail, where nobody else learns the
// password.
func resetByLink(ctx context.Context, t *txn, actor domain.Actor, u domain.User) error {
	if _, err := t.Exec(ctx, `update users set password_hash = '', must_change_password = false, password_changed_at = now(),
		updated_at = now(), version = version + 1 where id = $1`, u.ID); err != nil {
		return err
	}
	if err := revokeTokens(ctx, t, u.ID, "password reset"); err != nil {
		return err
	}
	link, expires, err := newLink(ctx, t, actor, u.ID, domain.LinkPasswordReset, AdminResetLifetime)
	if err != nil {
		return err
	}
	if err := t.notify(ctx, domain.Notice{Kind: domain.NoticeAdminReset, UserID: u.ID, ProviderID: u.ProviderID,
		ObjectType: "user", ObjectID: u.ID, LinkID: link,
		Params: map[string]string{"name": u.Name, "by": firstNonEmpty(actor.Name, actor.Email), "expires": expires}}); err != nil {
		return err
	}
	return t.record(actor, "user.password_reset", "user", u.ID, u.ProviderID, map[string]any{"email": u.Email, "by_link": true})
}

// ResetPasswordByLink is an administrator's reset of a user's password on a
// server that sends e-mail: the password stops working at once, every
// session and token is revoked, and the user is e-mailed a link, valid a
// day, to choose a new one. ENotFound and EForbidden as for any change of
// the user.
func (db *DB) ResetPasswordByLink(ctx context.Context, actor domain.Actor, id string) error {
	return db.write(ctx, "reset password", func(t *txn) error {
		u, err := getUser(ctx, t, actor, id, true)
		if err != nil {
			return err
		}
		if err := domain.CheckUserManagement(actor, u.Role, u.ProviderID); err != nil {
			return err
		}
		return resetByLink(ctx, t, actor, u)
	})
}

// resetKeys are the counters of a password reset asked for email from
// address: the address, which locks, then the account, which only stops
// e-mails going out.
func resetKeys(email, address string) []throttleKey {
	return []throttleKey{
		{"reset-address:" + address, "", domain.ResetAddressThrottle},
		{"reset:" + email, email, domain.ResetAccountThrottle},
	}
}

// linkKeys count the links that did not work from one address.
func linkKeys(address string) []throttleKey {
	return []throttleKey{{"link-address:" + address, "", domain.LinkThrottle}}
}

// count adds one to a counter under its row lock and reports whether the
// counter was locked already (the attempt is not counted then) or is now
// past its limit.
func count(ctx context.Context, t *txn, k throttleKey) (locked, over bool, err error) {
	if _, err := t.Exec(ctx, `insert into login_throttle (key, account, failures, window_start) values ($1, nullif($2, ''), 0, now())
		on conflict (key) do nothing`, k.key, k.account); err != nil {
		return false, false, err
	}
	if err := t.QueryRow(ctx, `select coalesce(locked_until > now(), false) from login_throttle where key = $1 for update`,
		k.key).Scan(&locked); err != nil || locked {
		return locked, locked, err
	}
	var n int
	if err := t.QueryRow(ctx, `update login_throttle l set
			failures = case when l.window_start < now() - $2 * interval '1 second' then 1 else l.failures + 1 end,
			window_start = case when l.window_start < now() - $2 * interval '1 second' then now() else l.window_start end
		where key = $1 returning failures`, k.key, seconds(k.rule.Window)).Scan(&n); err != nil {
		return false, false, err
	}
	if k.rule.LockAfter > 0 && n > k.rule.LockAfter {
		if _, err := t.Exec(ctx, `update login_throttle set locked_until = now() + $2 * interval '1 second',
			failures = 0, window_start = now() where key = $1`, k.key, seconds(k.rule.LockFor)); err != nil {
			return false, false, err
		}
		return false, true, nil
	}
	return false, false, nil
}

// RequestPasswordReset e-mails the active account with email, if there is
// one, a link to set a new password, valid an hour; an earlier link stops
// working. The answer is the same whether or not the account exists, and
// every request is audited. Requests are counted per address, which is
// locked past domain.ResetAddressThrottle (ErrTooManyResets), and per
// email, known or not: past domain.ResetAccountThrottle nothing more is
// sent for a while, and the answer still says nothing.
func (db *DB) RequestPasswordReset(ctx context.Context, actor domain.Actor, email string) error {
	email = domain.NormalizeEmail(email)
	if len(email) > 254 {
		email = email[:254]
	}
	actor.Email = email
	var refused error
	err := db.write(ctx, "request password reset", func(t *txn) error {
		keys := resetKeys(email, actor.Address)
		locked, over, err := count(ctx, t, keys[0])
		if err != nil {
			return err
		}
		if locked || over {
			refused = ErrTooManyResets
			return t.record(actor, "user.password_reset_request_locked", "user", "", "", map[string]any{"email": email})
		}
		_, quiet, err := count(ctx, t, keys[1])
		if err != nil {
			return err
		}
		rows, err := t.Query(ctx, `select `+userColumns+` from users u where u.email = $1 and u.status = 'active' for update`, email)
		if err != nil {
			return err
		}
		u, err := pgx.CollectExactlyOneRow(rows, scanUser)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return t.record(actor, "user.password_reset_request", "user", "", "", map[string]any{"email": email,
				"outcome": "unknown account"})
		case err != nil:
			return err
		case quiet:
			return t.record(actor, "user.password_reset_request", "user", u.ID, u.ProviderID, map[string]any{"email": email,
				"outcome": "not sent: asked too often"})
		}
		link, expires, err := newLink(ctx, t, actor, u.ID, domain.LinkPasswordReset, domain.LinkPasswordReset.Lifetime())
		if err != nil {
			return err
		}
		if err := t.notify(ctx, domain.Notice{Kind: domain.NoticePasswordReset, UserID: u.ID, ProviderID: u.ProviderID,
			ObjectType: "user", ObjectID: u.ID, LinkID: link,
			Params: map[string]string{"name": u.Name, "expires": expires}}); err != nil {
			return err
		}
		return t.record(actor, "user.password_reset_request", "user", u.ID, u.ProviderID, map[string]any{"email": email,
			"outcome": "link sent"})
	})
	if err != nil {
		return err
	}
	return refused
}

// UseLink sets a password through a single-use link: an invitation's
// (purpose invitation, for an account that has no password yet) or a
// reset's. The link is used up, every other live link of the user dies, and
// every session and token of the user is revoked; a second factor stays as
// it is. A link that does not work is ErrBadLink, counted against the
// caller's address (domain.LinkThrottle): the answers slow down and then
// the address is locked (ErrLinksLocked). A password that breaks the rules is
// EInvalid and leaves the link as it was. It returns the user.
func (db *DB) UseLink(ctx context.Context, actor domain.Actor, purpose domain.LinkPurpose, token, password string) (domain.User, error) {
	action := "user.invitation_accept"
	if purpose == domain.LinkPasswordReset {
		action = "user.password_reset_by_link"
	}
	var u domain.User
	err := db.throttled(ctx, actor, action, linkKeys(actor.Address), func(t *txn) (string, error, error) {
		if !domain.LooksLikeLinkToken(token) {
			return "malformed link", ErrBadLink, nil
		}
		var linkID, userID string
		err := t.QueryRow(ctx, `select l.id::text, l.user_id::text from link_tokens l join users u on u.id = l.user_id
			where l.token_hash = $1 and l.purpose = $2 and l.used_at is null and l.revoked_at is null
			and l.expires_at > now() and u.status = 'active' for update of l, u`,
			domain.HashToken(token), purpose).Scan(&linkID, &userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return "unknown, used or expired link", ErrBadLink, nil
		}
		if err != nil {
			return "", nil, err
		}
		if u, err = getUser(ctx, t, domain.System("link"), userID, false); err != nil {
			return "", nil, err
		}
		if purpose == domain.LinkInvitation && !u.AwaitingPassword {
			return "invitation already accepted", ErrBadLink, nil
		}
		if problems := domain.CheckPassword("body.password", password, u.Email); len(problems) > 0 {
			return "", nil, domain.Invalid("the password cannot be used", problems)
		}
		hash, err := domain.HashPassword(password)
		if err != nil {
			return "", nil, err
		}
		if _, err := t.Exec(ctx, `update link_tokens set used_at = now() where id = $1`, linkID); err != nil {
			return "", nil, err
		}
		who := actor
		who.UserID, who.Email, who.Name, who.Role, who.ProviderID = u.ID, u.Email, u.Name, u.Role, u.ProviderID
		if err := setPassword(ctx, t, who, u, hash, false, action); err != nil {
			return "", nil, err
		}
		u, err = getUser(ctx, t, domain.System("link"), userID, false)
		return "", nil, err
	}, func() string { return u.ID })
	var failure *LoginFailure
	if errors.As(err, &failure) && failure.Err == ErrLocked {
		failure.Err = ErrLinksLocked
	}
	return u, err
}
