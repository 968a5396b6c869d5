package domain_test

import (
	"strings"
	"testing"
	"time"

	"assure/domain"
)

func totpKey(t *testing.T) *domain.TOTPKey {
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

func TestTOTPSecretSealing(t *testing.T) {
	k, other := totpKey(t), totpKey(t)
	if k.ID() == other.ID() || len(k.ID()) != 16 {
		t.Fatalf("key ids %q and %q", k.ID(), other.ID())
	}
	secret, _, err := domain.NewTOTP("a@b.test")
	if err != nil {
		t.Fatal(err)
	}
	const user, stranger = "0b7c2a52-8f33-4c2e-9a1d-1f4b8c9d0e21", "5d1e0c3a-2b4f-4e6a-8c7d-9e0f1a2b3c4d"
	stored, err := k.Seal(user, secret)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := k.Seal(user, secret)
	if strings.Contains(stored, secret) || !strings.HasPrefix(stored, "totp1:"+k.ID()+":") || stored == again {
		t.Fatalf("sealed %q (again %q) from %q", stored, again, secret)
	}
	if domain.TOTPSealedWith(stored) != k.ID() || domain.TOTPSealedWith(secret) != "" {
		t.Errorf("sealed with: %q, plaintext: %q", domain.TOTPSealedWith(stored), domain.TOTPSealedWith(secret))
	}
	if got, err := domain.OpenTOTPSecret(k, user, stored); err != nil || got != secret {
		t.Fatalf("open = %q %v, want %q", got, err, secret)
	}
	// A secret stored before sealing began reads as it is, with a key or not.
	for _, key := range []*domain.TOTPKey{k, nil} {
		if got, err := domain.OpenTOTPSecret(key, user, secret); err != nil || got != secret {
			t.Errorf("plaintext with key %v = %q %v", key != nil, got, err)
		}
	}
	tampered := []byte(stored)
	if i := len(tampered) - 3; tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	for _, tc := range []struct {
		name   string
		key    *domain.TOTPKey
		user   string
		stored string
		want   string
	}{
		{"another key", other, user, stored, "not with this server's key " + other.ID()},
		{"no key", nil, user, stored, "this server has no TOTP key"},
		{"another user's row", k, stranger, stored, "another user"},
		{"altered", k, user, string(tampered), "altered"},
		{"cut short", k, user, "totp1:" + k.ID() + ":AAAA", "not a sealed value"},
	} {
		got, err := domain.OpenTOTPSecret(tc.key, tc.user, tc.stored)
		if got != "" || domain.ErrorCodeOf(err) != domain.EInternal || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q %v, want an internal error saying %q", tc.name, got, err, tc.want)
		}
	}
	code, _ := domain.TOTPCode(secret, time.Now())
	opened, _ := domain.OpenTOTPSecret(k, user, stored)
	if _, ok := domain.VerifyTOTP(opened, code, time.Now(), 0); !ok {
		t.Error("the opened secret does not check its code")
	}
}

func TestParseTOTPKey(t *testing.T) {
	for _, bad := range []string{"", "not base64!", "c2hvcnQ=", strings.Repeat("A", 44) + "AAAA"} {
		if _, err := domain.ParseTOTPKey([]byte(bad)); domain.ErrorCodeOf(err) != domain.EInvalid {
			t.Errorf("ParseTOTPKey(%q) = %v, want invalid", bad, err)
		}
	}
	text, _ := domain.NewTOTPKeyText()
	a, err := domain.ParseTOTPKey([]byte("  " + string(text) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := domain.ParseTOTPKey(text)
	if a.ID() != b.ID() {
		t.Error("the same key text gives two ids")
	}
}
