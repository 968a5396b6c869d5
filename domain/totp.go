package domain

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238): 30-second steps, six digits, SHA-1, as authenticator apps expect.
const (
	totpPeriod = 30
	totpSkew   = 1 // steps accepted either side of now, for clock drift
	// TOTPIssuer names Assure in authenticator apps.
	TOTPIssuer = "Assure"
)

// NewTOTP returns a new secret (base32) for account and its otpauth:// URL.
func NewTOTP(account string) (secret, url string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: account,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// VerifyTOTP checks code against secret at now and returns the time step it
// matched. A step at or before lastStep is refused, so a code cannot be
// replayed.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for s := step - totpSkew; s <= step+totpSkew; s++ {
		if s <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the code for secret at t (for enrolment tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPKey seals second-factor secrets at rest with AES-256-GCM. The key is
// kept outside the database (a file or the environment), so a copy of the
// database alone does not give anyone's second factor away. Each sealed
// value names the key that sealed it and is bound to its user: a value
// moved to another user's row does not open.
type TOTPKey struct {
	id   string
	aead cipher.AEAD
}

// totpSealPrefix starts every sealed secret; a plaintext secret is base32
// (upper case letters and digits 2–7), so the two cannot be confused.
const totpSealPrefix = "totp1:"

// totpKeyDomain separates the key's fingerprint from any other hash of it.
const totpKeyDomain = "assure totp key v1\n"

// NewTOTPKeyText makes 32 random bytes for a TOTPKey, in standard base64 as
// a key file or ASSURE_TOTP_KEY holds them.
func NewTOTPKeyText() ([]byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("domain: totp key: %w", err)
	}
	return []byte(base64.StdEncoding.EncodeToString(raw) + "\n"), nil
}

// ParseTOTPKey reads a key: 32 bytes in standard base64, surrounding space
// ignored. Anything else is EInvalid.
func ParseTOTPKey(text []byte) (*TOTPKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(raw) != 32 {
		return nil, Errorf(EInvalid, "totp key: want 32 bytes in base64 (assure totp keygen makes one)")
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, Errorf(EInvalid, "totp key: %v", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, Errorf(EInvalid, "totp key: %v", err)
	}
	sum := sha256.Sum256(append([]byte(totpKeyDomain), raw...))
	return &TOTPKey{id: hex.EncodeToString(sum[:8]), aead: aead}, nil
}

// ID is the key's fingerprint, which every value it seals carries. It says
// which key is which without giving the key away.
func (k *TOTPKey) ID() string { return k.id }

// totpAssociated binds a sealed secret to its user.
func totpAssociated(userID string) []byte { return []byte("assure totp secret v1\n" + userID) }

// Seal encrypts the secret of user userID under a fresh random nonce:
// "totp1:<key id>:<base64url of nonce and ciphertext>".
func (k *TOTPKey) Seal(userID, secret string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("domain: seal totp secret: %w", err)
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(secret), totpAssociated(userID))
	return totpSealPrefix + k.id + ":" + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// TOTPSealedWith returns the id of the key that sealed a stored secret, or
// "" for a plaintext secret stored before secrets were sealed.
func TOTPSealedWith(stored string) string {
	rest, ok := strings.CutPrefix(stored, totpSealPrefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return id
}

// OpenTOTPSecret returns the secret a stored value holds for user userID. A
// plaintext value (stored before sealing) is returned as it is. A sealed one
// needs key k, the key that sealed it: with no key, another key, or a value
// altered or moved from another user, it is EInternal, naming the keys, as
// the server's configuration is at fault and not the person signing in.
func OpenTOTPSecret(k *TOTPKey, userID, stored string) (string, error) {
	id := TOTPSealedWith(stored)
	if id == "" && !strings.HasPrefix(stored, totpSealPrefix) {
		return stored, nil
	}
	switch {
	case k == nil:
		return "", Errorf(EInternal, "the second-factor secret of user %s is sealed with TOTP key %s, and this server has no TOTP key", userID, id)
	case id != k.id:
		return "", Errorf(EInternal, "the second-factor secret of user %s is sealed with TOTP key %s, not with this server's key %s", userID, id, k.id)
	}
	sealed, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(stored, totpSealPrefix+id+":"))
	n := k.aead.NonceSize()
	if err != nil || len(sealed) < n {
		return "", Errorf(EInternal, "the second-factor secret of user %s is not a sealed value", userID)
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], totpAssociated(userID))
	if err != nil {
		return "", Errorf(EInternal, "the second-factor secret of user %s does not open with TOTP key %s: it was altered or belongs to another user", userID, k.id)
	}
	return string(plain), nil
}
