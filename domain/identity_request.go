package domain

import (
	"strings"
	"time"
)

// IdentityRequestKind names a privileged identity change that waits for a
// second administrator.
type IdentityRequestKind string

// The kinds of identity request.
const (
	RequestUserCreate        IdentityRequestKind = "user.create"
	RequestUserEnable        IdentityRequestKind = "user.enable"
	RequestUserChange        IdentityRequestKind = "user.change"
	RequestPasswordReset     IdentityRequestKind = "user.reset_password"
	RequestSecondFactorReset IdentityRequestKind = "user.reset_second_factor"
)

// IdentityRequestKinds lists every kind.
var IdentityRequestKinds = []IdentityRequestKind{RequestUserCreate, RequestUserEnable, RequestUserChange,
	RequestPasswordReset, RequestSecondFactorReset}

// IdentityRequestState is where a request stands.
type IdentityRequestState string

// The states of an identity request. Only a pending request can be decided.
const (
	RequestPending   IdentityRequestState = "pending"
	RequestApproved  IdentityRequestState = "approved"
	RequestRejected  IdentityRequestState = "rejected"
	RequestCancelled IdentityRequestState = "cancelled"
	RequestExpired   IdentityRequestState = "expired"
)

// IdentityRequestStates lists every state.
var IdentityRequestStates = []IdentityRequestState{RequestPending, RequestApproved, RequestRejected,
	RequestCancelled, RequestExpired}

// Valid reports whether s is a known state.
func (s IdentityRequestState) Valid() bool {
	for _, x := range IdentityRequestStates {
		if s == x {
			return true
		}
	}
	return false
}

// IdentityRequestLifetime is how long a request waits for a decision before
// it expires.
const IdentityRequestLifetime = 72 * time.Hour

// MaxRequestReason is the longest reason a rejection may give.
const MaxRequestReason = 1000

// IdentityChange is what a request would do once approved. A creation sets
// Email, Name, Role and ProviderID; a change or re-enabling sets the fields
// that change, nil ones staying, and Version, the target's version when the
// request was made; a reset sets nothing.
type IdentityChange struct {
	Email      string      `json:"email,omitempty"`
	Name       *string     `json:"name,omitempty"`
	Role       *Role       `json:"role,omitempty"`
	ProviderID *string     `json:"provider_id,omitempty"`
	Status     *UserStatus `json:"status,omitempty"`
	Version    int         `json:"version,omitempty"`
	// Language is the language of a created account: of its pages and of
	// the invitation e-mailed to it.
	Language string `json:"language,omitempty"`
}

// IdentityRequest is a privileged identity change waiting for, or decided
// by, a second administrator.
type IdentityRequest struct {
	ID               string
	Kind             IdentityRequestKind
	TargetID         string // empty for a creation
	TargetEmail      string
	Change           IdentityChange
	RequestedBy      string // empty when the system asked
	RequestedByEmail string
	RequestedAt      time.Time
	ExpiresAt        time.Time
	State            IdentityRequestState
	DecidedBy        string
	DecidedByEmail   string
	DecidedAt        time.Time // zero while pending
	Reason           string
}

// StateAt returns the request's state at now: a pending request past its
// expiry is expired even before the store has recorded it.
func (r IdentityRequest) StateAt(now time.Time) IdentityRequestState {
	if r.State == RequestPending && !now.Before(r.ExpiresAt) {
		return RequestExpired
	}
	return r.State
}

// PrivilegedRole reports whether r is a regulator role whose accounts a
// single administrator may not create or take over: supervisor, admin and
// auditor.
func PrivilegedRole(r Role) bool {
	return r == RoleSupervisor || r == RoleAdmin || r == RoleAuditor
}

// NeedsSecondAdmin reports whether an identity change of kind, taking user
// before to after, takes effect only once a different administrator
// approves it. It is the one place that says which changes are privileged:
// creating, re-enabling, resetting the password or second factor of a
// supervisor, admin or auditor, and any change of role or provider to or
// from such a role. For a creation before is the zero User. Changes of
// provider roles alone, and disabling anyone, stay immediate.
func NeedsSecondAdmin(kind IdentityRequestKind, before, after User) bool {
	switch kind {
	case RequestUserCreate:
		return PrivilegedRole(after.Role)
	case RequestPasswordReset, RequestSecondFactorReset:
		return PrivilegedRole(before.Role)
	case RequestUserEnable, RequestUserChange:
		privileged := PrivilegedRole(before.Role) || PrivilegedRole(after.Role)
		moves := before.Role != after.Role || before.ProviderID != after.ProviderID
		reenables := before.Status != UserActive && after.Status == UserActive
		return privileged && (moves || reenables)
	}
	return false
}

// CheckDecider enforces the two-person rule on whoever approves or rejects
// r: neither the administrator who asked nor the user the change is about.
func CheckDecider(actor Actor, r IdentityRequest) error {
	switch {
	case actor.IsSystem():
		return Errorf(EForbidden, "an identity request is decided by an administrator, not by the system")
	case actor.UserID == "":
		return Errorf(EForbidden, "sign in to decide an identity request")
	case actor.UserID == r.RequestedBy:
		return Errorf(EForbidden, "you asked for this change; another administrator must decide it (you may cancel it)")
	case actor.UserID == r.TargetID || (r.TargetID == "" && NormalizeEmail(actor.Email) == r.TargetEmail):
		return Errorf(EForbidden, "this change is about your own account; another administrator must decide it")
	}
	return nil
}

// CheckCanceller allows only the administrator who asked to cancel r.
func CheckCanceller(actor Actor, r IdentityRequest) error {
	if actor.UserID == "" || actor.UserID != r.RequestedBy {
		return Errorf(EForbidden, "only the administrator who asked may cancel this request; others may reject it")
	}
	return nil
}

// ApplyUserChange returns u with the change applied: a role that belongs
// to no provider drops the provider unless one is given.
func ApplyUserChange(u User, ch IdentityChange) User {
	if ch.Name != nil {
		u.Name = strings.TrimSpace(*ch.Name)
	}
	if ch.Role != nil {
		u.Role = *ch.Role
		if !u.Role.ForProvider() && ch.ProviderID == nil {
			u.ProviderID = ""
		}
	}
	if ch.ProviderID != nil {
		u.ProviderID = *ch.ProviderID
	}
	if ch.Status != nil {
		u.Status = *ch.Status
	}
	return u
}
