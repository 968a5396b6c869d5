package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Passkey is a WebAuthn credential a user registered to sign in: with it
// alone (it verifies the user on the device) or as the second factor after
// a password.
type Passkey struct {
	ID                string
	UserID            string
	CredentialID      []byte
	PublicKey         []byte // COSE key, as the authenticator gave it
	AttestationType   string
	AttestationFormat string
	AAGUID            []byte // the authenticator model
	SignCount         uint32
	Transports        []string
	Attachment        string // "platform", "cross-platform" or ""
	UserPresent       bool
	UserVerified      bool
	BackupEligible    bool // may be synced to other devices; never changes
	BackupState       bool // is synced now
	CloneWarning      bool // a counter went backwards: the key may be copied
	Name              string
	CreatedAt         time.Time
	LastUsedAt        *time.Time
}

// MaxPasskeyName is the longest name a user may give a passkey, in characters.
const MaxPasskeyName = 100

// MaxPasskeysPerUser bounds how many passkeys one account may register.
const MaxPasskeysPerUser = 20

// PasskeyCeremonyLife is how long a registration or sign-in with a passkey
// may take between its two requests.
const PasskeyCeremonyLife = 5 * time.Minute

// PasskeyName checks and trims the name a user gives a passkey. EInvalid at
// location when it is empty, too long or holds control characters.
func PasskeyName(name, location string) (string, error) {
	name = strings.TrimSpace(name)
	var msg string
	switch {
	case name == "":
		msg = "give the passkey a name, such as the device it is on"
	case utf8.RuneCountInString(name) > MaxPasskeyName:
		msg = "at most 100 characters"
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		msg = "only printable characters"
	default:
		return name, nil
	}
	return "", Invalid("the passkey's name is not valid", []Problem{{Location: location, Message: msg}})
}

// SignCountAdvances reports whether an assertion's signature counter is
// acceptable after the stored one: it must grow, unless the authenticator
// keeps no counter at all (both zero, as synced passkeys do). A counter that
// stays or goes back means two copies of the key may be in use.
func SignCountAdvances(stored, got uint32) bool {
	if stored == 0 && got == 0 {
		return true
	}
	return got > stored
}
