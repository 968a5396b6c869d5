package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// SSOIdentity is who the regulator's identity provider says signed in: the
// issuer and subject it knows them by and their verified e-mail.
type SSOIdentity struct {
	Issuer  string
	Subject string
	Email   string
}

// Answers to a single sign-on whose identity Assure cannot take in.
var (
	// ErrSSOUnknownAccount: no Assure account has the identity's e-mail.
	ErrSSOUnknownAccount = domain.Errorf(domain.EUnauthorized, "no Assure account has this e-mail address")
	// ErrSSODisabled: the account with the identity's e-mail is disabled.
	ErrSSODisabled = domain.Errorf(domain.EForbidden, "the Assure account of this e-mail address is disabled")
)

// SignInSSO opens a session for the active user whose e-mail is the
// identity's (compared case-insensitively), exactly as a password sign-in
// does: the same token kind and session lifetime, audited as session.login,
// with method sso. The identity provider has already checked who the person
// is, so nothing here is throttled. An unknown e-mail is ErrSSOUnknownAccount
// and a disabled account ErrSSODisabled; both are audited as
// session.login_failed, in their own transaction.
func (db *DB) SignInSSO(ctx context.Context, actor domain.Actor, id SSOIdentity) (Session, error) {
	email := domain.NormalizeEmail(id.Email)
	if len(email) > 254 {
		email = email[:254]
	}
	actor.Email = email
	token, tokenHash := domain.NewToken(domain.SessionTokenPrefix)
	var s Session
	var refusal error
	err := db.write(ctx, "sso sign-in", func(t *txn) error {
		var userID string
		var status domain.UserStatus
		err := t.QueryRow(ctx, `select id::text, status from users where email = $1 for update`, email).
			Scan(&userID, &status)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			refusal = ErrSSOUnknownAccount
			return t.record(actor, "session.login_failed", "user", "", "", ssoSummary(id, email, "unknown account"))
		case err != nil:
			return err
		case status != domain.UserActive:
			refusal = ErrSSODisabled
			return t.record(actor, "session.login_failed", "user", userID, "", ssoSummary(id, email, "account disabled"))
		}
		err = t.QueryRow(ctx, `insert into tokens (user_id, kind, token_hash, expires_at)
			values ($1, 'session', $2, now() + $3 * interval '1 second') returning id::text, expires_at`,
			userID, tokenHash, seconds(db.sessions.Absolute)).Scan(&s.ID, &s.ExpiresAt)
		if err != nil {
			return err
		}
		// An invited user who signs in by single sign-on has joined: the
		// invitation's link has served its purpose.
		joinedBySSO, err := t.Exec(ctx, `update link_tokens set revoked_at = now() where user_id = $1
			and purpose = 'invitation' and used_at is null and revoked_at is null`, userID)
		if err != nil {
			return err
		}
		if s.User, err = getUser(ctx, t, domain.System("sign-in"), userID, false); err != nil {
			return err
		}
		actor.UserID, actor.Role, actor.TokenID, actor.ProviderID = userID, s.User.Role, s.ID, s.User.ProviderID
		summary := ssoSummary(id, email, "")
		if joinedBySSO.RowsAffected() > 0 {
			summary["invitation"] = "accepted by single sign-on"
		}
		return t.record(actor, "session.login", "user", userID, s.User.ProviderID, summary)
	})
	if err != nil {
		return Session{}, err
	}
	if refusal != nil {
		return Session{}, refusal
	}
	s.Token = token
	return s, nil
}

// RecordSSOFailure audits a single sign-on refused before any account was
// looked at (a mismatched state, an error from the identity provider, an ID
// token that does not verify, an unverified e-mail) as session.login_failed
// with method sso and the reason.
func (db *DB) RecordSSOFailure(ctx context.Context, actor domain.Actor, id SSOIdentity, reason string) error {
	email := domain.NormalizeEmail(id.Email)
	if len(email) > 254 {
		email = email[:254]
	}
	actor.Email = email
	return db.write(ctx, "record sso failure", func(t *txn) error {
		return t.record(actor, "session.login_failed", "user", "", "", ssoSummary(id, email, reason))
	})
}

// ssoSummary is the audit summary of a single sign-on; reason is empty for
// a success.
func ssoSummary(id SSOIdentity, email, reason string) map[string]any {
	m := map[string]any{"email": email, "method": "sso", "issuer": id.Issuer, "subject": id.Subject}
	if reason != "" {
		m["reason"] = reason
	}
	return m
}
