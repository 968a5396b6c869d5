package domain

import "slices"

// Role is what a user may do in Assure.
type Role string

// The roles. Provider roles belong to exactly one provider; the others to none.
const (
	RoleAdmin          Role = "admin"           // manages users, settings and catalogs; takes no supervisory decision
	RoleSupervisor     Role = "supervisor"      // regulator staff: register, campaigns, review, findings
	RoleProviderAdmin  Role = "provider_admin"  // a provider's compliance lead: files and submits, manages editors
	RoleProviderEditor Role = "provider_editor" // a provider's staff member: fills responses, uploads evidence
	RoleAuditor        Role = "auditor"         // reads and exports everything, changes nothing
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleProviderAdmin, RoleProviderEditor, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ForProvider reports whether the role belongs to a provider.
func (r Role) ForProvider() bool { return r == RoleProviderAdmin || r == RoleProviderEditor }

// Actor is who performs an action: a signed-in user, or the system itself
// (the command line, start-up). It travels with every store call so that the
// store can scope queries and attribute audit events.
type Actor struct {
	UserID     string // empty for the system
	Email      string
	Name       string
	Role       Role
	ProviderID string // set for provider roles only
	TokenID    string // the session or API token used, if any
	RequestID  string
	Address    string // the client's network address
	// MustEnrolTOTP is set when the actor's role requires a second factor the
	// actor has not enrolled yet; until then only enrolment is allowed.
	MustEnrolTOTP bool
	// MustChangePassword is set while the actor's password was chosen by
	// someone else; until it is changed only that change is allowed.
	MustChangePassword bool

	system bool // set by System only
}

// System returns the actor for work done by Assure itself or an operator at
// the command line; label says which (e.g. "cli:root").
func System(label string) Actor {
	return Actor{Email: label, system: true}
}

// ActorFor returns the actor for a signed-in user.
func ActorFor(u User) Actor {
	return Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, ProviderID: u.ProviderID}
}

// IsSystem reports whether the actor is Assure itself rather than a user.
// An anonymous caller is not the system.
func (a Actor) IsSystem() bool { return a.system }

// Scope returns the providers whose objects the actor may reach: its own
// provider for provider roles, every provider for the other roles and the
// system. An actor without a known role, or a provider role without a
// provider, reaches none.
func (a Actor) Scope() Scope {
	switch {
	case a.system:
		return AllProviders()
	case a.Role.ForProvider():
		return OnlyProvider(a.ProviderID)
	case a.Role.Valid():
		return AllProviders()
	}
	return Scope{}
}
