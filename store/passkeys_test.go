package store_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"

	"assure/domain"
	"assure/store"
)

// passkeyFor makes a verified passkey record with a fresh credential id, as
// the application hands it over after checking the browser's answer.
func passkeyFor(name string, count uint32) domain.Passkey {
	id := make([]byte, 32)
	rand.Read(id)
	return domain.Passkey{CredentialID: id, PublicKey: []byte("cose key"), AttestationType: "none",
		AttestationFormat: "none", AAGUID: make([]byte, 16), SignCount: count, Transports: []string{"internal"},
		UserPresent: true, UserVerified: true, BackupEligible: true, Name: name}
}

func addPasskey(t *testing.T, db *store.DB, actor domain.Actor, p domain.Passkey) domain.Passkey {
	t.Helper()
	saved, err := db.AddPasskey(context.Background(), actor, p)
	if err != nil {
		t.Fatalf("add passkey %s: %v", p.Name, err)
	}
	return saved
}

// TestPasskeysBelongToTheirUser: a passkey is stored as given and listed
// only to its user; a credential id is registered once, to anyone; only its
// user removes it, and each change is audited.
func TestPasskeysBelongToTheirUser(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	me := actorOf(p.user)

	want := passkeyFor("Laptop", 7)
	got := addPasskey(t, p.db, me, want)
	p.audit.one(t, ev{"passkey.registered", "passkey", got.ID})
	if got.UserID != p.user.ID || string(got.CredentialID) != string(want.CredentialID) || got.SignCount != 7 ||
		!got.BackupEligible || got.BackupState || !got.UserVerified || got.Name != "Laptop" ||
		len(got.Transports) != 1 || got.Transports[0] != "internal" || len(got.AAGUID) != 16 || got.LastUsedAt != nil {
		t.Errorf("stored %+v", got)
	}

	for _, who := range []domain.Actor{me, p.other} {
		_, err := p.db.AddPasskey(ctx, who, want)
		wantCode(t, "registering the same credential again for "+who.Email, err, domain.EConflict)
	}
	p.audit.expect(t)

	mine, err := p.db.Passkeys(ctx, me)
	if err != nil || len(mine) != 1 || mine[0].ID != got.ID {
		t.Fatalf("my passkeys %+v (%v)", mine, err)
	}
	if theirs, err := p.db.Passkeys(ctx, p.other); err != nil || len(theirs) != 0 {
		t.Errorf("another user lists %+v (%v)", theirs, err)
	}

	wantCode(t, "removing someone else's passkey", p.db.RemovePasskey(ctx, p.other, got.ID), domain.ENotFound)
	wantCode(t, "removing a made-up passkey", p.db.RemovePasskey(ctx, me, "not-an-id"), domain.ENotFound)
	p.audit.expect(t)
	if err := p.db.RemovePasskey(ctx, me, got.ID); err != nil {
		t.Fatal(err)
	}
	p.audit.one(t, ev{"passkey.removed", "passkey", got.ID})
	if left, _ := p.db.Passkeys(ctx, me); len(left) != 0 {
		t.Errorf("after the removal %d passkeys are left", len(left))
	}
}

// TestCeremonyAnswersOnce: a ceremony is found by its token once, only as
// the kind it was started as, and not after it expired.
func TestCeremonyAnswersOnce(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	c := store.Ceremony{Kind: store.CeremonyRegister, UserID: p.user.ID, Name: "Key", Session: json.RawMessage(`{"challenge":"abc"}`)}
	token, err := p.db.StartCeremony(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.TakeCeremony(ctx, token, store.CeremonySignIn, store.CeremonySecondFactor); !errors.Is(err, store.ErrCeremonyGone) {
		t.Errorf("a registration taken as a sign-in: %v", err)
	}
	got, err := p.db.TakeCeremony(ctx, token, store.CeremonyRegister)
	if err != nil {
		t.Fatal(err)
	}
	var session map[string]string
	if json.Unmarshal(got.Session, &session); got.UserID != p.user.ID || got.Name != "Key" || session["challenge"] != "abc" {
		t.Errorf("took %+v", got)
	}
	if _, err := p.db.TakeCeremony(ctx, token, store.CeremonyRegister); !errors.Is(err, store.ErrCeremonyGone) {
		t.Errorf("a ceremony answered twice: %v", err)
	}
	if _, err := p.db.TakeCeremony(ctx, "", store.CeremonyRegister); !errors.Is(err, store.ErrCeremonyGone) {
		t.Errorf("no token found a ceremony: %v", err)
	}

	old, err := p.db.StartCeremony(ctx, store.Ceremony{Kind: store.CeremonySignIn, Session: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, p.url, `update webauthn_ceremonies set expires_at = now() - interval '1 second'`)
	if _, err := p.db.TakeCeremony(ctx, old, store.CeremonySignIn); !errors.Is(err, store.ErrCeremonyGone) {
		t.Errorf("an expired ceremony answered: %v", err)
	}
	if n := count(t, p.url, `select count(*) from webauthn_ceremonies where token_hash = sha256($1::bytea)`, []byte(old)); n != 1 {
		t.Fatalf("the expired ceremony is not stored by its token's hash (%d)", n)
	}
	if _, err := p.db.StartCeremony(ctx, store.Ceremony{Kind: store.CeremonySignIn, Session: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, p.url, `select count(*) from webauthn_ceremonies where expires_at < now()`); n != 0 {
		t.Errorf("%d expired ceremonies are kept after a new one starts", n)
	}
}

// TestPasskeySignInCounter: a passkey signs its user in while its counter
// advances; a counter that stays or goes back is refused, flags the passkey
// (committed and audited) and from then on the passkey signs no one in.
// Counters that are always zero (synced passkeys) are fine.
func TestPasskeySignInCounter(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	me := actorOf(p.user)
	key := addPasskey(t, p.db, me, passkeyFor("Key", 5))
	p.audit.expect(t, ev{"passkey.registered", "passkey", key.ID})

	s, err := p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: key.CredentialID, SignCount: 6, UserVerified: true, BackupState: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.User.ID != p.user.ID || !authenticates(t, p.db, s.Token) {
		t.Fatalf("the session %+v does not sign %s in", s, p.user.Email)
	}
	e := p.audit.one(t, ev{"session.login", "user", p.user.ID})
	if summaryString(e, "method") != "passkey" || e.ActorID != p.user.ID {
		t.Errorf("the sign-in is audited as %+v", e)
	}
	mine, _ := p.db.Passkeys(ctx, me)
	if mine[0].SignCount != 6 || mine[0].LastUsedAt == nil || !mine[0].BackupState {
		t.Errorf("after the sign-in the passkey is %+v", mine[0])
	}

	for _, replay := range []uint32{6, 3} {
		_, err := p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: key.CredentialID, SignCount: replay})
		if !errors.Is(err, store.ErrPasskeyRefused) {
			t.Fatalf("a counter of %d after 6 signed in: %v", replay, err)
		}
		if replay == 6 {
			p.audit.one(t, ev{"passkey.clone_warning", "passkey", key.ID})
		} else {
			p.audit.one(t, ev{"session.passkey_failed", "user", p.user.ID})
		}
	}
	_, err = p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: key.CredentialID, SignCount: 100})
	if !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("a passkey flagged as cloned signed in again: %v", err)
	}
	if mine, _ := p.db.Passkeys(ctx, me); !mine[0].CloneWarning || mine[0].SignCount != 6 {
		t.Errorf("after the replay the passkey is %+v", mine[0])
	}

	synced := addPasskey(t, p.db, me, passkeyFor("Phone", 0))
	for range 2 {
		if _, err := p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: synced.CredentialID}); err != nil {
			t.Errorf("a passkey without a counter: %v", err)
		}
	}
	if _, err := p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: []byte("unknown")}); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("an unknown credential: %v", err)
	}
}

// TestPasskeySecondFactor: after a right password, an account with a
// passkey must give a second factor; a one-time code is no way round it;
// the passkey must be that account's own; a disabled account's passkey
// signs no one in.
func TestPasskeySecondFactor(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	me := actorOf(p.user)
	key := addPasskey(t, p.db, me, passkeyFor("Key", 0))
	theirs := addPasskey(t, p.db, p.other, passkeyFor("Theirs", 0))

	_, err := p.db.Login(ctx, visitor(), store.Credentials{Email: p.user.Email, Password: password, Address: "192.0.2.7"})
	var need *store.SecondFactorNeeded
	if !errors.As(err, &need) || !need.Passkey || need.TOTP || need.UserID != p.user.ID || !errors.Is(err, store.ErrOTPRequired) {
		t.Fatalf("the right password of an account with a passkey: %v (%+v)", err, need)
	}
	_, err = p.db.Login(ctx, visitor(), store.Credentials{Email: p.user.Email, Password: password, OTP: "123456", Address: "192.0.2.7"})
	if !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("a one-time code for an account with only a passkey: %v", err)
	}

	_, err = p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: theirs.CredentialID, AfterPasswordOf: p.user.ID})
	if !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("another user's passkey as my second factor: %v", err)
	}
	s, err := p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: key.CredentialID, AfterPasswordOf: p.user.ID})
	if err != nil || s.User.ID != p.user.ID {
		t.Fatalf("my passkey after my password: %+v, %v", s, err)
	}

	if _, err := p.db.DisableUser(ctx, p.admin, p.user.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.SignInWithPasskey(ctx, visitor(), store.PasskeyUse{CredentialID: key.CredentialID}); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("a disabled user's passkey: %v", err)
	}
	if _, err := p.db.PasskeyOwner(ctx, key.CredentialID); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("a disabled user's passkey has an owner: %v", err)
	}
}

// TestResetSecondFactorRemovesPasskeys: an administrator's reset of a
// user's second factor removes the user's passkeys in the same transaction,
// and only theirs.
func TestResetSecondFactorRemovesPasskeys(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	addPasskey(t, p.db, actorOf(p.user), passkeyFor("One", 0))
	addPasskey(t, p.db, actorOf(p.user), passkeyFor("Two", 0))
	addPasskey(t, p.db, p.other, passkeyFor("Theirs", 0))
	p.audit = newTrail(t, p.url)

	if err := p.db.ResetTOTP(ctx, p.admin, p.user.ID); err != nil {
		t.Fatal(err)
	}
	events := p.audit.expect(t, ev{"totp.reset", "user", p.user.ID})
	if n, _ := events[0].Summary["passkeys_removed"].(float64); n != 2 {
		t.Errorf("the reset is audited with %v passkeys removed, want 2", events[0].Summary["passkeys_removed"])
	}
	if mine, _ := p.db.Passkeys(ctx, actorOf(p.user)); len(mine) != 0 {
		t.Errorf("%d passkeys are left after the reset", len(mine))
	}
	if theirs, _ := p.db.Passkeys(ctx, p.other); len(theirs) != 1 {
		t.Errorf("the reset of one user removed another's passkeys (%d left)", len(theirs))
	}
}
