package domain

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// User is a person who signs in to Assure.
type User struct {
	ID          string
	Email       string
	Name        string
	Role        Role
	ProviderID  string
	Status      UserStatus
	TOTPEnabled bool
	Language    string // the user's language for the web pages; "" follows the browser
	// MustChangePassword is set while a password chosen by someone else
	// (an admin, a provider_admin) has not been changed by its user.
	MustChangePassword bool
	// AwaitingPassword is set while the user has no password: invited and
	// not yet joined, or reset by an administrator by e-mail. Until they set
	// one through the link they were sent, they cannot sign in with one.
	AwaitingPassword bool
	Passkeys         int // how many passkeys the user registered
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          int
}

// UserStatus says whether a user may sign in.
type UserStatus string

// User statuses.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// Valid reports whether s is a known status.
func (s UserStatus) Valid() bool { return s == UserActive || s == UserDisabled }

// NormalizeEmail lower-cases and trims an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CheckUser returns the problems of a user's email, name, role and provider.
func CheckUser(email, name string, role Role, providerID string) []Problem {
	var problems []Problem
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		problems = append(problems, Problem{"body.email", fmt.Sprintf("%q is not a valid email address", email)})
	}
	if n := len(strings.TrimSpace(name)); n == 0 || n > 200 {
		problems = append(problems, Problem{"body.name", "must be 1 to 200 characters"})
	}
	switch {
	case !role.Valid():
		problems = append(problems, Problem{"body.role", fmt.Sprintf("%q is not one of %s", role, rolesList())})
	case role.ForProvider() && providerID == "":
		problems = append(problems, Problem{"body.provider_id", fmt.Sprintf("role %s needs a provider", role)})
	case !role.ForProvider() && providerID != "":
		problems = append(problems, Problem{"body.provider_id", fmt.Sprintf("role %s belongs to no provider", role)})
	}
	return problems
}

func rolesList() string {
	var s []string
	for _, r := range Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// CheckUserManagement enforces who may create, change or disable whom: admins
// manage everyone; a provider_admin manages only provider_editor users of its
// own provider; nobody else manages users.
func CheckUserManagement(actor Actor, targetRole Role, targetProvider string) error {
	switch actor.Role {
	case RoleAdmin:
		return nil
	case RoleProviderAdmin:
		if targetRole == RoleProviderEditor && targetProvider == actor.ProviderID {
			return nil
		}
		return Errorf(EForbidden, "a provider_admin manages only provider_editor users of its own provider")
	}
	if actor.IsSystem() {
		return nil
	}
	return Errorf(EForbidden, "role %s does not manage users", actor.Role)
}
