package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// lockedBuffer is a bytes.Buffer a running server writes to while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingOn = regexp.MustCompile(`serving on (http://\S+)`)

// startServe runs assure serve with args until the test ends and returns
// its address.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := servingOn.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve ended with %d: %s", code, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// post sends a JSON body and decodes the answer into out (when not nil).
func post(t *testing.T, url, token string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// TestTOTPKeysThroughServe enrols and signs in with a second factor through
// a real assure serve holding a key file, rotates the key with the command
// and signs in again; a server with the wrong key refuses to start.
func TestTOTPKeysThroughServe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	u, err := db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "two@factor.test", Name: "Two Factor",
		Role: domain.RoleSupervisor, Password: "a fine long password"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	oldKey, newKey := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")
	code, out, errOut := assure(t, "totp", "keygen", "-o", oldKey)
	if code != 0 || !strings.Contains(out, "key id ") {
		t.Fatalf("keygen = %d %q %q", code, out, errOut)
	}
	if fi, err := os.Stat(oldKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if code, _, errOut := assure(t, "totp", "keygen", "-o", oldKey); code != 1 || !strings.Contains(errOut, "never overwritten") {
		t.Errorf("keygen over a key = %d %q", code, errOut)
	}
	assure(t, "totp", "keygen", "-o", newKey)
	keyID := func(file string) string {
		b, _ := os.ReadFile(file)
		k, err := domain.ParseTOTPKey(b)
		if err != nil {
			t.Fatal(err)
		}
		return k.ID()
	}
	stored := func() string {
		var s string
		if err := db.Pool().QueryRow(ctx, `select coalesce(totp_secret, '') from users where id = $1`, u.ID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	signIn := func(base, otp string) (int, string) {
		var s struct {
			Token  string `json:"token"`
			Detail string `json:"detail"`
		}
		status := post(t, base+"/api/v1/session", "", map[string]string{"email": u.Email, "password": "a fine long password", "otp": otp}, &s)
		return status, s.Token + s.Detail
	}

	first := startServe(t, "--database-url", url, "--totp-key-file", oldKey)
	status, token := signIn(first, "")
	if status != http.StatusOK {
		t.Fatalf("sign in = %d %s", status, token)
	}
	var enrol struct {
		Secret string `json:"secret"`
	}
	if status := post(t, first+"/api/v1/me/totp", token, nil, &enrol); status != http.StatusOK || enrol.Secret == "" {
		t.Fatalf("enrol = %d %+v", status, enrol)
	}
	otp, _ := domain.TOTPCode(enrol.Secret, time.Now())
	if status := post(t, first+"/api/v1/me/totp/confirm", token, map[string]string{"code": otp}, nil); status != http.StatusNoContent {
		t.Fatalf("confirm = %d", status)
	}
	if s := stored(); strings.Contains(s, enrol.Secret) || !strings.HasPrefix(s, "totp1:"+keyID(oldKey)+":") {
		t.Fatalf("stored secret %q", s)
	}
	otp, _ = domain.TOTPCode(enrol.Secret, time.Now().Add(30*time.Second))
	if status, detail := signIn(first, otp); status != http.StatusOK {
		t.Fatalf("sign in with the code = %d %s", status, detail)
	}

	// The new key does not open the secrets until they are rotated to it.
	code, _, errOut = assure(t, "serve", "--addr", "127.0.0.1:0", "--database-url", url, "--totp-key-file", newKey)
	if code != 1 || !strings.Contains(errOut, "sealed with TOTP key "+keyID(oldKey)) {
		t.Errorf("serve with the wrong key = %d %q", code, errOut)
	}
	code, out, errOut = assure(t, "totp", "rotate-key", "--database-url", url, "--old-key-file", oldKey, "--new-key-file", newKey)
	if code != 0 || !strings.Contains(out, "1 re-sealed from the old key") {
		t.Fatalf("rotate-key = %d %q %q", code, out, errOut)
	}
	if s := stored(); !strings.HasPrefix(s, "totp1:"+keyID(newKey)+":") {
		t.Fatalf("stored secret after rotation %q", s)
	}
	code, _, errOut = assure(t, "serve", "--addr", "127.0.0.1:0", "--database-url", url, "--totp-key-file", oldKey)
	if code != 1 || !strings.Contains(errOut, "not with this server's key "+keyID(oldKey)) {
		t.Errorf("serve with the old key after rotation = %d %q", code, errOut)
	}
	second := startServe(t, "--database-url", url, "--totp-key-file", newKey)
	// The code steps already used are forgotten, so the test need not wait
	// for the next 30 seconds.
	if _, err := db.Pool().Exec(ctx, `update users set totp_last_step = 0 where id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	otp, _ = domain.TOTPCode(enrol.Secret, time.Now())
	if status, detail := signIn(second, otp); status != http.StatusOK {
		t.Errorf("sign in after rotation = %d %s", status, detail)
	}
	var events int
	db.Pool().QueryRow(ctx, `select count(*) from audit_events where action = 'totp.key_rotated'`).Scan(&events)
	if events != 1 {
		t.Errorf("%d rotation events, want 1", events)
	}
}
