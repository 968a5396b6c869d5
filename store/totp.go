package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// StartTOTP begins enrolment of a second factor for the actor: a new secret
// is stored as pending and returned with its otpauth:// URL. EConflict when a
// confirmed factor exists already.
func (db *DB) StartTOTP(ctx context.Context, actor domain.Actor) (secret, url string, err error) {
	secret, url, err = domain.NewTOTP(actor.Email)
	if err != nil {
		return "", "", err
	}
	err = db.write(ctx, "start totp enrolment", func(t *txn) error {
		tag, err := t.Exec(ctx, `update users set totp_secret = $2, totp_confirmed_at = null, totp_last_step = 0,
			updated_at = now(), version = version + 1
			where id = $1 and totp_confirmed_at is null`, actor.UserID, secret)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return domain.Errorf(domain.EConflict, "a second factor is already enrolled; remove it before enrolling another")
		}
		return t.record(actor, "totp.enrolment_started", "user", actor.UserID, actor.ProviderID, nil)
	})
	return secret, url, err
}

// wrongCode is the answer to a one-time code that does not match.
var wrongCode = domain.Invalid("the one-time code is not right", []domain.Problem{{Location: "body.code", Message: "does not match"}})

// ConfirmTOTP completes enrolment with a code from the authenticator; from
// then on every sign-in needs a code. Wrong codes are throttled on the
// account's second-factor counter, never on its sign-in counters.
func (db *DB) ConfirmTOTP(ctx context.Context, actor domain.Actor, code string) error {
	return db.throttled(ctx, actor, "totp.confirm", secondFactorKey(actor.Email), func(t *txn) (string, error, error) {
		var secret string
		var confirmed bool
		var lastStep int64
		err := t.QueryRow(ctx, `select coalesce(totp_secret, ''), totp_confirmed_at is not null, totp_last_step
			from users where id = $1 for update`, actor.UserID).Scan(&secret, &confirmed, &lastStep)
		switch {
		case err != nil:
			return "", nil, err
		case confirmed:
			return "", nil, domain.Errorf(domain.EConflict, "the second factor is already enrolled")
		case secret == "":
			return "", nil, domain.Errorf(domain.EConflict, "no enrolment is in progress; start one first")
		}
		step, ok := domain.VerifyTOTP(secret, strings.TrimSpace(code), time.Now(), lastStep)
		if !ok {
			return "wrong one-time code", wrongCode, nil
		}
		if _, err := t.Exec(ctx, `update users set totp_confirmed_at = now(), totp_last_step = $2,
			updated_at = now(), version = version + 1 where id = $1`, actor.UserID, step); err != nil {
			return "", nil, err
		}
		return "", nil, t.record(actor, "totp.enabled", "user", actor.UserID, actor.ProviderID, nil)
	}, func() string { return actor.UserID })
}

// RemoveTOTP removes the actor's own second factor after checking a current
// code. EConflict when the actor's role requires one. Wrong codes are
// throttled on the account's second-factor counter, never on its sign-in
// counters.
func (db *DB) RemoveTOTP(ctx context.Context, actor domain.Actor, code string) error {
	settings, _, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	if settings.RequiresTOTP(actor.Role) {
		return domain.Errorf(domain.EConflict, "role %s requires a second factor; it cannot be removed", actor.Role)
	}
	return db.throttled(ctx, actor, "totp.disable", secondFactorKey(actor.Email), func(t *txn) (string, error, error) {
		var secret string
		var lastStep int64
		err := t.QueryRow(ctx, `select coalesce(totp_secret, ''), totp_last_step from users
			where id = $1 and totp_confirmed_at is not null for update`, actor.UserID).Scan(&secret, &lastStep)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", nil, domain.Errorf(domain.EConflict, "no second factor is enrolled")
		}
		if err != nil {
			return "", nil, err
		}
		if _, ok := domain.VerifyTOTP(secret, strings.TrimSpace(code), time.Now(), lastStep); !ok {
			return "wrong one-time code", wrongCode, nil
		}
		if _, err := t.Exec(ctx, `update users set totp_secret = null, totp_confirmed_at = null, totp_last_step = 0,
			updated_at = now(), version = version + 1 where id = $1`, actor.UserID); err != nil {
			return "", nil, err
		}
		return "", nil, t.record(actor, "totp.disabled", "user", actor.UserID, actor.ProviderID, nil)
	}, func() string { return actor.UserID })
}

// ResetTOTP removes a user's second factor (an admin's act, for a lost
// device): the one-time code and every passkey, in one transaction, and
// revokes the user's sessions and tokens.
func (db *DB) ResetTOTP(ctx context.Context, actor domain.Actor, userID string) error {
	u, err := db.User(ctx, actor, userID)
	if err != nil {
		return err
	}
	if err := domain.CheckUserManagement(actor, u.Role, u.ProviderID); err != nil {
		return err
	}
	return db.write(ctx, "reset totp", func(t *txn) error {
		return resetSecondFactor(ctx, t, actor, u)
	})
}

// resetSecondFactor removes u's second factor, revokes their sessions and
// tokens and records totp.reset. It is the one second-factor reset, which a
// direct reset and an approved request both use.
func resetSecondFactor(ctx context.Context, t *txn, actor domain.Actor, u domain.User) error {
	if _, err := t.Exec(ctx, `update users set totp_secret = null, totp_confirmed_at = null, totp_last_step = 0,
		updated_at = now(), version = version + 1 where id = $1`, u.ID); err != nil {
		return err
	}
	removed, err := removeAllPasskeys(ctx, t, u.ID)
	if err != nil {
		return err
	}
	if err := revokeTokens(ctx, t, u.ID, "second factor reset"); err != nil {
		return err
	}
	return t.record(actor, "totp.reset", "user", u.ID, u.ProviderID,
		map[string]any{"email": u.Email, "passkeys_removed": removed})
}
