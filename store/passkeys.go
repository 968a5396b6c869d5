package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Ceremony kinds: what a pending WebAuthn challenge is for.
const (
	CeremonyRegister     = "register"      // a signed-in user adds a passkey
	CeremonySignIn       = "sign_in"       // anyone signs in with a passkey alone
	CeremonySecondFactor = "second_factor" // a user who gave the right password confirms with a passkey
)

// Ceremony is the state kept between the two requests of a WebAuthn
// ceremony. Session is the relying party library's session data, opaque to
// the store.
type Ceremony struct {
	Kind    string
	UserID  string // the user registering or past the password; "" for a sign-in with a passkey alone
	Name    string // the name of the passkey being registered
	Session json.RawMessage
}

// ErrCeremonyGone answers a passkey response whose challenge is unknown,
// expired or already used.
var ErrCeremonyGone = domain.Errorf(domain.EInvalid, "the passkey request has expired or was already used; try again")

// StartCeremony keeps a ceremony's challenge for domain.PasskeyCeremonyLife
// and returns the random token that finds it again, for an HttpOnly cookie;
// only the token's hash is stored. Expired ceremonies are cleared on the
// way. A ceremony is a pending challenge, not a change to any account: its
// outcome is what the audit trail records.
func (db *DB) StartCeremony(ctx context.Context, c Ceremony) (string, error) {
	token, hash := ceremonyToken()
	err := db.write(ctx, "start passkey ceremony", func(t *txn) error {
		if _, err := t.Exec(ctx, `delete from webauthn_ceremonies where expires_at < now()`); err != nil {
			return err
		}
		_, err := t.Exec(ctx, `insert into webauthn_ceremonies (token_hash, kind, user_id, name, session, expires_at)
			values (@hash, @kind, nullif(@user, '')::uuid, @name, @session, now() + @life * interval '1 second')`,
			pgx.StrictNamedArgs{"hash": hash, "kind": c.Kind, "user": c.UserID, "name": c.Name,
				"session": []byte(c.Session), "life": seconds(domain.PasskeyCeremonyLife)})
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// TakeCeremony removes and returns the live ceremony of token if it is of
// one of kinds, so each challenge is answered at most once. ErrCeremonyGone
// when there is none.
func (db *DB) TakeCeremony(ctx context.Context, token string, kinds ...string) (Ceremony, error) {
	if token == "" {
		return Ceremony{}, ErrCeremonyGone
	}
	sum := sha256.Sum256([]byte(token))
	var c Ceremony
	err := db.write(ctx, "take passkey ceremony", func(t *txn) error {
		var session []byte
		err := t.QueryRow(ctx, `delete from webauthn_ceremonies
			where token_hash = $1 and kind = any($2) and expires_at > now()
			returning kind, coalesce(user_id::text, ''), name, session`, sum[:], kinds).
			Scan(&c.Kind, &c.UserID, &c.Name, &session)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrCeremonyGone
		}
		c.Session = session
		return err
	})
	return c, err
}

func ceremonyToken() (string, []byte) {
	token, _ := domain.NewToken("wa_")
	sum := sha256.Sum256([]byte(token))
	return token, sum[:]
}

const passkeyColumns = `id::text, user_id::text, credential_id, public_key, attestation_type, attestation_format,
	aaguid, sign_count, transports, attachment, user_present, user_verified, backup_eligible, backup_state,
	clone_warning, name, created_at, last_used_at`

func scanPasskey(row pgx.Row) (domain.Passkey, error) {
	var p domain.Passkey
	var count int64
	err := row.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.PublicKey, &p.AttestationType, &p.AttestationFormat,
		&p.AAGUID, &count, &p.Transports, &p.Attachment, &p.UserPresent, &p.UserVerified, &p.BackupEligible,
		&p.BackupState, &p.CloneWarning, &p.Name, &p.CreatedAt, &p.LastUsedAt)
	p.SignCount = uint32(count)
	return p, err
}

// Passkeys lists the actor's own passkeys, oldest first.
func (db *DB) Passkeys(ctx context.Context, actor domain.Actor) ([]domain.Passkey, error) {
	return db.PasskeysOfUser(ctx, actor.UserID)
}

// PasskeysOfUser lists the passkeys of one user, oldest first: what a
// sign-in checks an assertion against. userID must not be empty.
func (db *DB) PasskeysOfUser(ctx context.Context, userID string) ([]domain.Passkey, error) {
	if userID == "" {
		return nil, domain.Errorf(domain.EInvalid, "no user to list passkeys of")
	}
	rows, err := db.pool.Query(ctx, `select `+passkeyColumns+` from passkeys where user_id = $1
		order by created_at, id`, userID)
	if err != nil {
		return nil, translate(err, "list passkeys")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Passkey, error) { return scanPasskey(r) })
	return list, translate(err, "list passkeys")
}

// PasskeyOwner returns the id of the active user a credential id belongs
// to. EUnauthorized when no active user has it, so a discoverable sign-in
// with an unknown or removed passkey gets the one answer.
func (db *DB) PasskeyOwner(ctx context.Context, credentialID []byte) (string, error) {
	var userID string
	err := db.pool.QueryRow(ctx, `select p.user_id::text from passkeys p join users u on u.id = p.user_id
		where p.credential_id = $1 and u.status = 'active'`, credentialID).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrPasskeyRefused
	}
	return userID, translate(err, "find passkey")
}

// ErrPasskeyRefused is the one answer to every failed sign-in with a
// passkey, whatever the cause.
var ErrPasskeyRefused = domain.Errorf(domain.EUnauthorized, "the passkey was not accepted")

// AddPasskey registers a passkey, verified by the caller, to the actor's
// own account. EConflict when the credential is registered already (to
// anyone) or the account has domain.MaxPasskeysPerUser.
func (db *DB) AddPasskey(ctx context.Context, actor domain.Actor, p domain.Passkey) (domain.Passkey, error) {
	var saved domain.Passkey
	err := db.write(ctx, "add passkey", func(t *txn) error {
		// The user's row lock counts this account's passkeys one at a time.
		var count int
		if err := t.QueryRow(ctx, `select (select count(*) from passkeys where user_id = u.id) from users u
			where u.id = $1 for update`, actor.UserID).Scan(&count); err != nil {
			return err
		}
		if count >= domain.MaxPasskeysPerUser {
			return domain.Errorf(domain.EConflict, "an account may have at most %d passkeys; remove one first",
				domain.MaxPasskeysPerUser)
		}
		var err error
		saved, err = scanPasskey(t.QueryRow(ctx, `insert into passkeys (user_id, credential_id, public_key,
				attestation_type, attestation_format, aaguid, sign_count, transports, attachment, user_present,
				user_verified, backup_eligible, backup_state, name)
			values (@user, @credential, @key, @atype, @aformat, @aaguid, @count, @transports, @attachment,
				@up, @uv, @be, @bs, @name)
			returning `+passkeyColumns, pgx.StrictNamedArgs{"user": actor.UserID, "credential": p.CredentialID,
			"key": p.PublicKey, "atype": p.AttestationType, "aformat": p.AttestationFormat, "aaguid": p.AAGUID,
			"count": int64(p.SignCount), "transports": nonNil(p.Transports), "attachment": p.Attachment,
			"up": p.UserPresent, "uv": p.UserVerified, "be": p.BackupEligible, "bs": p.BackupState, "name": p.Name}))
		if err != nil {
			var e *domain.Error
			if errors.As(translate(err, "add passkey"), &e) && e.Code == domain.EConflict {
				return domain.Errorf(domain.EConflict, "this passkey is registered already")
			}
			return err
		}
		return t.record(actor, "passkey.registered", "passkey", saved.ID, actor.ProviderID,
			map[string]any{"name": saved.Name, "backup_eligible": saved.BackupEligible, "aaguid": aaguidText(saved.AAGUID)})
	})
	return saved, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// aaguidText shows an authenticator model id as hex, for the audit trail.
func aaguidText(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// RemovePasskey removes one of the actor's own passkeys. ENotFound for a
// passkey of anyone else or none.
func (db *DB) RemovePasskey(ctx context.Context, actor domain.Actor, id string) error {
	if !isUUID(id) {
		return domain.Errorf(domain.ENotFound, "no such passkey")
	}
	return db.write(ctx, "remove passkey", func(t *txn) error {
		var name string
		err := t.QueryRow(ctx, `delete from passkeys where id = $1 and user_id = $2 returning name`,
			id, actor.UserID).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no such passkey")
		}
		if err != nil {
			return err
		}
		return t.record(actor, "passkey.removed", "passkey", id, actor.ProviderID, map[string]any{"name": name})
	})
}

// removeAllPasskeys deletes every passkey of a user (a reset of the second
// factor) and says how many there were.
func removeAllPasskeys(ctx context.Context, t *txn, userID string) (int64, error) {
	tag, err := t.Exec(ctx, `delete from passkeys where user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	if _, err := t.Exec(ctx, `delete from webauthn_ceremonies where user_id = $1`, userID); err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// PasskeyUse is a verified assertion of a passkey, as the relying party
// library saw it.
type PasskeyUse struct {
	CredentialID []byte
	SignCount    uint32
	UserVerified bool
	BackupState  bool
	// AfterPasswordOf is the user who gave the right password when the
	// passkey is the second factor; the passkey must be theirs. "" for a
	// sign-in with the passkey alone.
	AfterPasswordOf string
}

// SignInWithPasskey opens a session for the owner of a verified passkey
// assertion. Under the passkey's row lock the signature counter must
// advance (see domain.SignCountAdvances): one that does not flags the
// passkey as possibly cloned, which is committed and audited, and no
// passkey so flagged signs anyone in again. A passkey of a disabled user,
// of another user than the one past the password, or gone meanwhile is
// refused too. Every outcome is audited; every refusal is ErrPasskeyRefused.
func (db *DB) SignInWithPasskey(ctx context.Context, actor domain.Actor, use PasskeyUse) (Session, error) {
	token, tokenHash := domain.NewToken(domain.SessionTokenPrefix)
	var s Session
	var refused bool
	err := db.write(ctx, "sign in with passkey", func(t *txn) error {
		var id, userID, email, providerID string
		var stored int64
		var cloned bool
		var status domain.UserStatus
		err := t.QueryRow(ctx, `select p.id::text, p.user_id::text, u.email, coalesce(u.provider_id::text, ''),
				p.sign_count, p.clone_warning, u.status
			from passkeys p join users u on u.id = p.user_id where p.credential_id = $1 for update of p`,
			use.CredentialID).Scan(&id, &userID, &email, &providerID, &stored, &cloned, &status)
		refuse := func(reason string) error {
			refused = true
			return t.record(actor, "session.passkey_failed", "user", userID, providerID,
				map[string]any{"email": email, "reason": reason, "passkey_id": id})
		}
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return refuse("unknown passkey")
		case err != nil:
			return err
		case use.AfterPasswordOf != "" && use.AfterPasswordOf != userID:
			return refuse("passkey of another account")
		case status != domain.UserActive:
			return refuse("account disabled")
		case cloned:
			return refuse("passkey flagged as possibly cloned")
		case !domain.SignCountAdvances(uint32(stored), use.SignCount):
			refused = true
			if _, err := t.Exec(ctx, `update passkeys set clone_warning = true where id = $1`, id); err != nil {
				return err
			}
			return t.record(actor, "passkey.clone_warning", "passkey", id, providerID,
				map[string]any{"email": email, "stored_count": stored, "given_count": use.SignCount})
		}
		if _, err := t.Exec(ctx, `update passkeys set sign_count = $2, backup_state = $3,
			user_verified = user_verified or $4, last_used_at = now() where id = $1`,
			id, int64(use.SignCount), use.BackupState, use.UserVerified); err != nil {
			return err
		}
		if s, err = db.openSession(ctx, t, userID, tokenHash); err != nil {
			return err
		}
		actor.UserID, actor.Email, actor.Role, actor.ProviderID, actor.TokenID = userID, email, s.User.Role, providerID, s.ID
		method := "passkey"
		if use.AfterPasswordOf != "" {
			method = "password and passkey"
		}
		return t.record(actor, "session.login", "user", userID, providerID,
			map[string]any{"email": email, "second_factor": true, "method": method, "passkey_id": id})
	})
	if err != nil {
		return Session{}, err
	}
	if refused {
		return Session{}, ErrPasskeyRefused
	}
	s.Token = token
	return s, nil
}

// RecordPasskeyFailure audits a passkey response that failed verification
// before it reached an account's passkey (a bad signature, a wrong origin,
// an expired challenge). userID is "" when no account is known.
func (db *DB) RecordPasskeyFailure(ctx context.Context, actor domain.Actor, action, userID, reason string) error {
	return db.write(ctx, "record passkey failure", func(t *txn) error {
		return t.record(actor, action, "user", userID, actor.ProviderID, map[string]any{"reason": reason})
	})
}
