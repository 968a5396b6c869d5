package domain

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHashing(t *testing.T) {
	hash, err := HashPassword("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not carry its parameters", hash)
	}
	if !VerifyPassword(hash, "a long enough passphrase") {
		t.Error("the right password does not verify")
	}
	if VerifyPassword(hash, "a long enough passphrasE") {
		t.Error("a wrong password verifies")
	}
	other, _ := HashPassword("a long enough passphrase")
	if other == hash {
		t.Error("two hashes of one password are equal: no salt")
	}
	// Hashes made with other parameters still verify: they are read from the hash.
	old := DefaultPasswordParams
	DefaultPasswordParams = PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1}
	weak, _ := HashPassword("another passphrase here")
	DefaultPasswordParams = old
	if !strings.Contains(weak, "m=8192,t=1,p=1") || !VerifyPassword(weak, "another passphrase here") {
		t.Errorf("hash with other parameters: %q", weak)
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA", "$bcrypt$x$y$z$w",
		strings.Replace(hash, "$v=19$", "$v=18$", 1), "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA"} {
		if VerifyPassword(bad, "a long enough passphrase") {
			t.Errorf("malformed hash %q verifies", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	cases := map[string]int{
		"short":                     1,
		"correct horse battery":     0,
		"aaaaaaaaaaaaaaaa":          1,
		"alice-is-my-password-2026": 1, // contains the email name
		strings.Repeat("xyzuv", 60): 1, // too long
	}
	for pw, want := range cases {
		if got := len(CheckPassword("body.password", pw, "alice@example.test")); got != want {
			t.Errorf("CheckPassword(%q) = %d problems, want %d", pw, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken(SessionTokenPrefix)
	b, _ := NewToken(SessionTokenPrefix)
	if a == b || !strings.HasPrefix(a, SessionTokenPrefix) || len(a) < len(SessionTokenPrefix)+40 {
		t.Errorf("tokens %q %q", a, b)
	}
	if string(HashToken(a)) != string(ha) || !LooksLikeToken(a) || LooksLikeToken("Basic abc") {
		t.Error("token hashing or shape check is wrong")
	}
}

func TestTOTP(t *testing.T) {
	secret, url, err := NewTOTP("alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "otpauth://totp/Assure:alice@example.test?") || !strings.Contains(url, "secret="+secret) {
		t.Errorf("url = %q", url)
	}
	now := time.Unix(1_800_000_000, 0)
	code, _ := TOTPCode(secret, now)
	step, ok := VerifyTOTP(secret, code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("current code refused: %v %d", ok, step)
	}
	if _, ok := VerifyTOTP(secret, code, now, step); ok {
		t.Error("a used code is accepted again")
	}
	if _, ok := VerifyTOTP(secret, code, now.Add(31*time.Second), 0); !ok {
		t.Error("one step of clock drift is refused")
	}
	if _, ok := VerifyTOTP(secret, code, now.Add(5*time.Minute), 0); ok {
		t.Error("a code five minutes old is accepted")
	}
	if _, ok := VerifyTOTP(secret, "12345", now, 0); ok {
		t.Error("a short code is accepted")
	}
}
