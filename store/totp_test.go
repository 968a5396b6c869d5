package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

func newTOTPKey(t *testing.T) *domain.TOTPKey {
	t.Helper()
	text, err := domain.NewTOTPKeyText()
	if err != nil {
		t.Fatal(err)
	}
	k, err := domain.ParseTOTPKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// enrol gives the user a confirmed second factor and returns its secret.
func enrol(t *testing.T, db *store.DB, u domain.User) string {
	t.Helper()
	ctx := context.Background()
	secret, _, err := db.StartTOTP(ctx, actorOf(u))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := domain.TOTPCode(secret, time.Now())
	if err := db.ConfirmTOTP(ctx, actorOf(u), code); err != nil {
		t.Fatal(err)
	}
	return secret
}

// storedSecret reads the user's totp_secret column as it is.
func storedSecret(t *testing.T, url, userID string) string {
	t.Helper()
	var s string
	if err := queryRow(url, `select coalesce(totp_secret, '') from users where id = $1`, []any{userID}, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// totpLogin signs in with the password and a fresh code; the last used step
// is forgotten first, so one test can sign in many times within 30 seconds.
func totpLogin(t *testing.T, db *store.DB, url string, u domain.User, secret string) error {
	t.Helper()
	exec(t, url, `update users set totp_last_step = 0 where id = $1`, u.ID)
	code, _ := domain.TOTPCode(secret, time.Now())
	_, err := db.Login(context.Background(), visitor(), store.Credentials{Email: u.Email, Password: "a fine long password",
		OTP: code, Address: "192.0.2.7"})
	return err
}

func TestTOTPSecretsAreSealedAtRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	key := storetest.TOTPKey()
	u := newUser(t, db, "sealed@reg.test", domain.RoleSupervisor, "")
	secret := enrol(t, db, u)
	stored := storedSecret(t, url, u.ID)
	if stored == secret || strings.Contains(stored, secret) || !strings.HasPrefix(stored, "totp1:"+key.ID()+":") {
		t.Fatalf("stored %q for secret %q", stored, secret)
	}
	if err := totpLogin(t, db, url, u, secret); err != nil {
		t.Fatalf("sign in with the sealed secret: %v", err)
	}

	// A server with another key fails clearly, naming both keys, and lets
	// no one in.
	other := newTOTPKey(t)
	db.SetTOTPKey(other)
	err := totpLogin(t, db, url, u, secret)
	if domain.ErrorCodeOf(err) != domain.EInternal || !strings.Contains(err.Error(), "sealed with TOTP key "+key.ID()) ||
		!strings.Contains(err.Error(), other.ID()) {
		t.Errorf("sign in with the wrong key = %v", err)
	}
	keys, err := db.TOTPSecretKeys(ctx)
	if err != nil || keys[key.ID()] != 1 || len(keys) != 1 {
		t.Errorf("TOTPSecretKeys = %v %v", keys, err)
	}

	// Without a key nothing is enrolled in plaintext.
	db.SetTOTPKey(nil)
	v := newUser(t, db, "nokey@reg.test", domain.RoleSupervisor, "")
	if _, _, err := db.StartTOTP(ctx, actorOf(v)); domain.ErrorCodeOf(err) != domain.EConflict || !strings.Contains(err.Error(), "no TOTP key") {
		t.Errorf("enrol without a key = %v, want a conflict", err)
	}
	if s := storedSecret(t, url, v.ID); s != "" {
		t.Errorf("an enrolment refused stored %q", s)
	}

	// The database takes only the two forms of a secret.
	if err := execErr(url, `update users set totp_secret = 'not a secret' where email = 'nokey@reg.test'`); err == nil ||
		!strings.Contains(err.Error(), "users_totp_secret_form") {
		t.Errorf("a malformed secret was stored: %v", err)
	}
}

func TestRotateTOTPKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	old := storetest.TOTPKey()
	a := newUser(t, db, "a@reg.test", domain.RoleSupervisor, "")
	b := newUser(t, db, "b@reg.test", domain.RoleAuditor, "")
	secretA, secretB := enrol(t, db, a), enrol(t, db, b)
	// c enrolled before sealing: a plaintext secret, still readable.
	c := newUser(t, db, "c@reg.test", domain.RoleSupervisor, "")
	secretC, _, _ := domain.NewTOTP(c.Email)
	exec(t, url, `update users set totp_secret = $2, totp_confirmed_at = now() where id = $1`, c.ID, secretC)
	if err := totpLogin(t, db, url, c, secretC); err != nil {
		t.Fatalf("sign in with a plaintext secret: %v", err)
	}
	beforeA := storedSecret(t, url, a.ID)

	// A secret sealed with a third key stops the rotation; nothing changes.
	d := newUser(t, db, "d@reg.test", domain.RoleSupervisor, "")
	stray := newTOTPKey(t)
	db.SetTOTPKey(stray)
	enrol(t, db, d)
	db.SetTOTPKey(old)
	next := newTOTPKey(t)
	admin := domain.System("totp rotate-key")
	if _, err := db.RotateTOTPKey(ctx, admin, old, next); domain.ErrorCodeOf(err) != domain.EConflict ||
		!strings.Contains(err.Error(), stray.ID()) {
		t.Fatalf("rotation over a stray key = %v, want a conflict naming %s", err, stray.ID())
	}
	if storedSecret(t, url, a.ID) != beforeA || storedSecret(t, url, c.ID) != secretC {
		t.Fatal("a failed rotation changed secrets")
	}
	exec(t, url, `update users set totp_secret = null, totp_confirmed_at = null where id = $1`, d.ID)

	r, err := db.RotateTOTPKey(ctx, admin, old, next)
	if err != nil || r != (store.TOTPRotation{Resealed: 2, Sealed: 1}) {
		t.Fatalf("rotation = %+v %v", r, err)
	}
	for _, u := range []domain.User{a, b, c} {
		if s := storedSecret(t, url, u.ID); !strings.HasPrefix(s, "totp1:"+next.ID()+":") {
			t.Errorf("%s's secret after rotation: %q", u.Email, s)
		}
	}
	db.SetTOTPKey(next)
	for u, secret := range map[domain.User]string{a: secretA, b: secretB, c: secretC} {
		if err := totpLogin(t, db, url, u, secret); err != nil {
			t.Errorf("%s signs in after rotation: %v", u.Email, err)
		}
	}
	// The old key opens nothing any more.
	db.SetTOTPKey(old)
	if err := totpLogin(t, db, url, a, secretA); domain.ErrorCodeOf(err) != domain.EInternal {
		t.Errorf("sign in with the old key after rotation = %v", err)
	}
	// Run again, the rotation finds everything done.
	if r, err := db.RotateTOTPKey(ctx, admin, old, next); err != nil || r != (store.TOTPRotation{Already: 3}) {
		t.Errorf("second rotation = %+v %v", r, err)
	}
	events, _, err := db.AuditEvents(ctx, domain.System("test"), store.AuditFilter{Action: "totp.key_rotated"}, store.Page{})
	if err != nil || len(events) != 2 {
		t.Fatalf("rotation events: %+v %v", events, err)
	}
	var first map[string]any
	if err := json.Unmarshal(events[1].Summary, &first); err != nil || events[1].ObjectID != next.ID() ||
		first["from"] != old.ID() || first["to"] != next.ID() || first["resealed"] != 2.0 || first["sealed"] != 1.0 {
		t.Errorf("the rotation's event: %s %s %v", events[1].ObjectID, events[1].Summary, err)
	}
	if v, err := db.VerifyAudit(ctx); err != nil || !v.OK {
		t.Errorf("chain after rotation: %+v %v", v, err)
	}
}
