package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Token prefixes tell what a credential is when it shows up in a log or a
// secret scanner.
const (
	SessionTokenPrefix = "assure_s_"
	APITokenPrefix     = "assure_pat_"
	// CalendarFeedPrefix starts the secret of a calendar feed's address.
	// LooksLikeToken refuses it: a feed's secret reads one calendar and
	// signs nobody in.
	CalendarFeedPrefix = "assure_cal_"
)

// NewToken returns a new random token (256 bits) with the given prefix and the
// hash under which it is stored.
func NewToken(prefix string) (token string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("domain: no randomness: " + err.Error())
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token. Tokens carry 256 random bits, so
// a fast hash is enough: there is nothing to guess.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// LooksLikeToken reports whether s has the shape of one of our tokens, so
// garbage is refused before it reaches the database.
func LooksLikeToken(s string) bool {
	if len(s) > 100 {
		return false
	}
	return strings.HasPrefix(s, SessionTokenPrefix) || strings.HasPrefix(s, APITokenPrefix)
}

// LooksLikeFeedToken reports whether s has the shape of a calendar feed's
// secret.
func LooksLikeFeedToken(s string) bool {
	return len(s) <= 100 && strings.HasPrefix(s, CalendarFeedPrefix) && len(s) > len(CalendarFeedPrefix)
}
