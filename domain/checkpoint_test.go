package domain

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCheckpointSignature(t *testing.T) {
	key, pemKey, err := NewAuditKey()
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseAuditKey(pemKey)
	if err != nil || !again.Equal(key) {
		t.Fatalf("PEM key does not read back: %v", err)
	}
	fromSeed, err := ParseAuditKey([]byte(base64.StdEncoding.EncodeToString(key.Seed()) + "\n"))
	if err != nil || !fromSeed.Equal(key) {
		t.Fatalf("seed key does not read back: %v", err)
	}
	pub := key.Public().(ed25519.PublicKey)
	pubAgain, err := ParsePublicKey(PublicKeyPEM(pub))
	if err != nil || !pubAgain.Equal(pub) {
		t.Fatalf("public key does not read back: %v", err)
	}

	c := SignCheckpoint(key, 42, strings.Repeat("ab", 32), time.Date(2026, 12, 2, 8, 0, 0, 123456789, time.UTC))
	b, _ := json.Marshal(c)
	read, err := ParseCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := read.Verify(pub); err != nil {
		t.Fatalf("a fresh checkpoint does not verify: %v", err)
	}

	other, _, _ := NewAuditKey()
	if err := read.Verify(other.Public().(ed25519.PublicKey)); err == nil {
		t.Error("a checkpoint verifies with another key")
	}
	for name, forge := range map[string]func(*Checkpoint){
		"seq":       func(c *Checkpoint) { c.Seq = 41 },
		"hash":      func(c *Checkpoint) { c.Hash = strings.Repeat("cd", 32) },
		"time":      func(c *Checkpoint) { c.At = c.At.Add(time.Microsecond) },
		"signature": func(c *Checkpoint) { c.Signature = base64.StdEncoding.EncodeToString(make([]byte, 64)) },
		"key id": func(c *Checkpoint) {
			// Signed by another key that claims to be ours.
			*c = SignCheckpoint(other, c.Seq, c.Hash, c.At)
			c.KeyID = KeyID(pub)
		},
	} {
		f := read
		forge(&f)
		if err := f.Verify(pub); ErrorCodeOf(err) != EInvalid {
			t.Errorf("forged %s: Verify = %v, want invalid", name, err)
		}
	}
}

func TestParseCheckpointRefusesBadForms(t *testing.T) {
	for _, doc := range []string{
		`not json`,
		`{"seq":-1,"hash":"` + strings.Repeat("a", 64) + `","at":"2026-12-02T08:00:00Z","key_id":"k","signature":"s"}`,
		`{"seq":1,"hash":"short","at":"2026-12-02T08:00:00Z","key_id":"k","signature":"s"}`,
		`{"seq":1,"hash":"` + strings.Repeat("a", 64) + `","key_id":"k","signature":"s"}`,
		`{"seq":1,"hash":"` + strings.Repeat("a", 64) + `","at":"2026-12-02T08:00:00Z","key_id":"k"}`,
		`{"seq":1,"hash":"` + strings.Repeat("a", 64) + `","at":"2026-12-02T08:00:00Z","key_id":"k","signature":"s","extra":1}`,
	} {
		if _, err := ParseCheckpoint([]byte(doc)); ErrorCodeOf(err) != EInvalid {
			t.Errorf("ParseCheckpoint(%s) = %v, want invalid", doc, err)
		}
	}
	for _, k := range []string{"", "bm90IGEga2V5", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParseAuditKey([]byte(k)); err == nil {
			t.Errorf("ParseAuditKey(%q) accepted", k)
		}
	}
}
