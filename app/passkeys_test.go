package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/jackc/pgx/v5"

	"assure/app"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
)

const passkeyOrigin = "http://localhost:8080"

// authenticator is a software passkey authenticator for one relying party:
// it makes P-256 keys, answers ceremonies as a platform authenticator that
// verified its user would, and counts its signatures. It lets the tests run
// the relying party's real verification without a browser.
type authenticator struct {
	t      *testing.T
	origin string // the origin its client data names
	rpID   string
	keys   map[string]*softKey // by credential id
	noUV   bool                // answers without verifying its user (presence only)
}

type softKey struct {
	id     []byte
	key    *ecdsa.PrivateKey
	handle []byte // the user handle it was made for
	count  uint32
}

func newAuthenticator(t *testing.T) *authenticator {
	return &authenticator{t: t, origin: passkeyOrigin, rpID: "localhost", keys: map[string]*softKey{}}
}

var b64 = base64.RawURLEncoding

func (a *authenticator) clientData(kind, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

func (a *authenticator) authData(flags byte, count uint32, attested []byte) []byte {
	rp := sha256.Sum256([]byte(a.rpID))
	out := append(rp[:], flags)
	out = binary.BigEndian.AppendUint32(out, count)
	return append(out, attested...)
}

const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// create answers registration options (as BeginPasskeyRegistration gives
// them) with a new key, returning the JSON a browser would post and the key.
func (a *authenticator) create(options []byte) ([]byte, *softKey) {
	a.t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		a.t.Fatal(err)
	}
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		a.t.Fatal(err)
	}
	k := &softKey{id: make([]byte, 32), key: priv, handle: handle}
	rand.Read(k.id)
	a.keys[string(k.id)] = k
	pub, err := priv.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		a.t.Fatal(err)
	}
	enc, _ := cbor.CoreDetEncOptions().EncMode()
	cose, err := enc.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pub[1:33], -3: pub[33:]})
	if err != nil {
		a.t.Fatal(err)
	}
	attested := make([]byte, 16) // no AAGUID
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), cose...)
	att, err := enc.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{},
		"authData": a.authData(flagUP|flagUV|flagAT, 0, attested)})
	if err != nil {
		a.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id),
		"type": "public-key", "authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att), "transports": []string{"internal"}}})
	return body, k
}

// get answers sign-in options with key k, counting one more signature.
func (a *authenticator) get(options []byte, k *softKey) []byte {
	a.t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		a.t.Fatal(err)
	}
	k.count++
	flags := byte(flagUP | flagUV)
	if a.noUV {
		flags = flagUP
	}
	data := a.authData(flags, k.count, nil)
	client := a.clientData("webauthn.get", o.PublicKey.Challenge)
	sum := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, data...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id),
		"type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(client), "authenticatorData": b64.EncodeToString(data),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(k.handle)}})
	return body
}

// passkeyApp is an application with passkeys bound to localhost and two
// users.
type passkeyApp struct {
	app      *app.App
	db       *store.DB
	url      string
	me, them domain.Actor
}

func newPasskeyApp(t *testing.T) *passkeyApp {
	t.Helper()
	db, url := storetest.Empty(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	rp, err := app.RelyingPartyFor(passkeyOrigin)
	if err != nil {
		t.Fatal(err)
	}
	pa := &passkeyApp{db: db, url: url,
		app: app.New(db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Passkeys: rp})}
	user := func(email string) domain.Actor {
		u, err := db.CreateUser(context.Background(), domain.System("test"), store.NewUser{Email: email, Name: email,
			Role: domain.RoleSupervisor, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return domain.ActorFor(u)
	}
	pa.me, pa.them = user("me@regulator.test"), user("them@regulator.test")
	return pa
}

// register adds a passkey named name to actor's account through the app.
func (pa *passkeyApp) register(t *testing.T, auth *authenticator, actor domain.Actor, name string) (*softKey, domain.Passkey) {
	t.Helper()
	ctx := context.Background()
	options, token, err := pa.app.BeginPasskeyRegistration(ctx, actor, name)
	if err != nil {
		t.Fatal(err)
	}
	body, key := auth.create(options)
	p, err := pa.app.FinishPasskeyRegistration(ctx, actor, token, body)
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return key, p
}

// TestPasskeyRegistration: the relying party verifies a new passkey made
// for the challenge it gave, for the user who asked, from its own origin,
// and keeps it under the name given first; each challenge serves once.
func TestPasskeyRegistration(t *testing.T) {
	t.Parallel()
	pa := newPasskeyApp(t)
	ctx := context.Background()
	auth := newAuthenticator(t)

	if _, _, err := pa.app.BeginPasskeyRegistration(ctx, pa.me, "  "); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a blank name: %v", err)
	}
	key, p := pa.register(t, auth, pa.me, " Laptop ")
	if p.Name != "Laptop" || string(p.CredentialID) != string(key.id) || !p.UserVerified || p.UserID != pa.me.UserID {
		t.Errorf("registered %+v", p)
	}

	// The answer to one user's challenge does not register for another,
	// nor twice.
	options, token, err := pa.app.BeginPasskeyRegistration(ctx, pa.me, "Second")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := auth.create(options)
	if _, err := pa.app.FinishPasskeyRegistration(ctx, pa.them, token, body); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("my ceremony finished by another user: %v", err)
	}
	if _, err := pa.app.FinishPasskeyRegistration(ctx, pa.me, token, body); !errors.Is(err, store.ErrCeremonyGone) {
		t.Errorf("a ceremony used twice: %v", err)
	}

	// An answer from another origin, or to another challenge, is refused.
	for _, c := range []struct {
		name  string
		spoil func(a *authenticator, options []byte) []byte
	}{
		{"another origin", func(a *authenticator, options []byte) []byte {
			a.origin = "http://evil.test:8080"
			defer func() { a.origin = passkeyOrigin }()
			body, _ := a.create(options)
			return body
		}},
		{"another challenge", func(a *authenticator, _ []byte) []byte {
			other, _, err := pa.app.BeginPasskeyRegistration(ctx, pa.me, "Other")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := a.create(other)
			return body
		}},
	} {
		options, token, err := pa.app.BeginPasskeyRegistration(ctx, pa.me, "Spoilt")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pa.app.FinishPasskeyRegistration(ctx, pa.me, token, c.spoil(auth, options)); domain.ErrorCodeOf(err) != domain.EInvalid {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	list, err := pa.app.Passkeys(ctx, pa.me)
	if err != nil || len(list) != 1 {
		t.Errorf("after the refusals I have %d passkeys (%v), want 1", len(list), err)
	}
	if n := count(t, pa.url, `select count(*) from audit_events where action = 'passkey.registration_failed'`); n != 3 {
		t.Errorf("%d failed registrations are audited, want 3", n)
	}
}

// TestPasskeySignInThroughApp: a registered passkey signs its user in with
// no password, and is the second factor after the password; an answer
// signed by another key, replayed, or given for a second factor of
// another account is refused and audited.
func TestPasskeySignInThroughApp(t *testing.T) {
	t.Parallel()
	pa := newPasskeyApp(t)
	ctx := context.Background()
	auth := newAuthenticator(t)
	mine, _ := pa.register(t, auth, pa.me, "Mine")
	theirs, _ := pa.register(t, auth, pa.them, "Theirs")
	visitor := domain.Actor{RequestID: "req", Address: "192.0.2.1"}

	options, token, err := pa.app.BeginPasskeySignIn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer := auth.get(options, mine)
	s, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, answer)
	if err != nil || s.User.ID != pa.me.UserID {
		t.Fatalf("sign in with my passkey: %+v, %v", s.User, err)
	}
	if _, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, answer); !errors.Is(err, store.ErrCeremonyGone) {
		t.Errorf("the same answer twice: %v", err)
	}

	// The same answer to a new challenge does not verify.
	_, token, err = pa.app.BeginPasskeySignIn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, answer); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("a replayed answer: %v", err)
	}

	// My credential id with a signature by a key of mine that is not it.
	options, token, _ = pa.app.BeginPasskeySignIn(ctx)
	forged := &softKey{id: mine.id, key: theirs.key, handle: mine.handle, count: 100}
	if _, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, auth.get(options, forged)); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("a signature by the wrong key: %v", err)
	}

	// A passkey that did not verify its user (a touch, no PIN or
	// fingerprint) does not sign in alone.
	options, token, _ = pa.app.BeginPasskeySignIn(ctx)
	auth.noUV = true
	if _, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, auth.get(options, mine)); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("an answer without user verification: %v", err)
	}
	auth.noUV = false

	// After my password, their passkey is not my second factor; mine is.
	_, err = pa.app.Login(ctx, visitor, store.Credentials{Email: pa.me.Email, Password: "a long enough password", Address: "192.0.2.1"})
	var need *store.SecondFactorNeeded
	if !errors.As(err, &need) || !need.Passkey {
		t.Fatalf("my password: %v", err)
	}
	options, token, err = pa.app.BeginPasskeySecondFactor(ctx, need)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, auth.get(options, theirs)); !errors.Is(err, store.ErrPasskeyRefused) {
		t.Errorf("their passkey after my password: %v", err)
	}
	options, token, _ = pa.app.BeginPasskeySecondFactor(ctx, need)
	if s, err := pa.app.FinishPasskeySignIn(ctx, visitor, token, auth.get(options, mine)); err != nil || s.User.ID != pa.me.UserID {
		t.Errorf("my passkey after my password: %+v, %v", s.User, err)
	}
	if n := count(t, pa.url, `select count(*) from audit_events where action = 'session.passkey_failed'`); n != 4 {
		t.Errorf("%d refused passkey sign-ins are audited, want 4", n)
	}
	if n := count(t, pa.url, `select count(*) from audit_events where action = 'session.login' and summary->>'method' like '%passkey'`); n != 2 {
		t.Errorf("%d passkey sign-ins are audited, want 2", n)
	}
}

// TestRelyingPartyConfiguration: passkeys need a host name, never an IP
// address, and origins on it.
func TestRelyingPartyConfiguration(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"http://127.0.0.1:8080", "http://[::1]:8080", "ftp://assure.test", "assure.test", "https://assure.test/sub"} {
		if _, err := app.RelyingPartyFor(bad); err == nil {
			t.Errorf("the public URL %q is accepted", bad)
		}
	}
	rp, err := app.RelyingPartyFor("https://Assure.Example.org")
	if err != nil || rp.ID != "assure.example.org" || len(rp.Origins) != 1 || rp.Origins[0] != "https://assure.example.org" {
		t.Errorf("relying party %+v (%v)", rp, err)
	}
	if err := (app.RelyingParty{ID: "example.org", Origins: []string{"https://other.org"}}).Check(); err == nil {
		t.Error("an origin off the relying party's host is accepted")
	}
}

// count runs a counting query against the test's database.
func count(t *testing.T, url, sql string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestResetOfferedForPasskeys: an administrator is offered the reset of a
// user's second factor when the user has only passkeys, and the reset
// removes them.
func TestResetOfferedForPasskeys(t *testing.T) {
	t.Parallel()
	pa := newPasskeyApp(t)
	ctx := context.Background()
	u, err := pa.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "admin@regulator.test", Name: "Admin",
		Role: domain.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	admin := domain.ActorFor(u)
	them, err := pa.app.User(ctx, admin, pa.them.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if pa.app.UserActionsOn(admin, them).ResetTOTP {
		t.Error("a reset is offered for a user with no second factor")
	}
	pa.register(t, newAuthenticator(t), pa.them, "Theirs")
	if them, err = pa.app.User(ctx, admin, pa.them.UserID); err != nil || them.Passkeys != 1 {
		t.Fatalf("the user has %d passkeys (%v)", them.Passkeys, err)
	}
	if !pa.app.UserActionsOn(admin, them).ResetTOTP {
		t.Error("no reset is offered for a user whose only second factor is a passkey")
	}
	// Them being a supervisor, the reset waits for a second administrator.
	req, err := pa.app.ResetTOTP(ctx, admin, them.ID)
	if err != nil || req == nil {
		t.Fatalf("reset = %v, %v; want a request", req, err)
	}
	u2, err := pa.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "admin2@regulator.test", Name: "Admin 2",
		Role: domain.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := pa.app.ApproveIdentityRequest(ctx, domain.ActorFor(u2), req.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := pa.db.PasskeysOfUser(ctx, them.ID); len(list) != 0 {
		t.Errorf("%d passkeys are left after the reset", len(list))
	}
}
