package domain

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password hashing uses argon2id with the parameters written into each hash
// (PHC string format), so parameters can be raised later without breaking
// stored hashes. The defaults follow OWASP's argon2id recommendation.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultPasswordParams are used for new hashes.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

// Password length bounds. The upper bound keeps hashing cheap to refuse.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// hashSlots bounds how many hashes and verifications run at once, so a flood
// of sign-ins cannot exhaust memory.
var hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

// HashPassword returns the argon2id hash of password in PHC format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("domain: password salt: %w", err)
	}
	p := DefaultPasswordParams
	key := derive(password, salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func derive(password string, salt []byte, p PasswordParams) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
}

// VerifyPassword reports whether password matches hash. A malformed hash never
// matches.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Memory > 1<<20 || p.Time == 0 || p.Time > 10 || p.Threads == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when an account does not exist, so that a
// login takes as long for an unknown email as for a wrong password.
// It is made on first use, not when the program starts.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("a password nobody has, used to even out timing")
	return h
})

// VerifyNothing spends the time of one password verification.
func VerifyNothing(password string) { VerifyPassword(dummyHash(), password) }

// CheckPassword returns the problems of a new password, located at field.
func CheckPassword(field, password, email string) []Problem {
	var problems []Problem
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		problems = append(problems, Problem{field, fmt.Sprintf("must be at least %d characters", MinPasswordLength)})
	case len(password) > MaxPasswordLength:
		problems = append(problems, Problem{field, fmt.Sprintf("must be at most %d bytes", MaxPasswordLength)})
	}
	if email != "" && strings.Contains(strings.ToLower(password), strings.ToLower(strings.Split(email, "@")[0])) &&
		len(strings.Split(email, "@")[0]) >= 4 {
		problems = append(problems, Problem{field, "must not contain the account's email name"})
	}
	if n >= MinPasswordLength && len(uniqueRunes(password)) < 5 {
		problems = append(problems, Problem{field, "is too repetitive"})
	}
	return problems
}

func uniqueRunes(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}
