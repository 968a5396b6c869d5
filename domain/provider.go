package domain

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Provider is a supervised digital financial services provider.
type Provider struct {
	ID            string
	LegalName     string
	ShortName     string
	LicenceNumber string
	Kind          ProviderKind
	Tier          int // systemic tier: 1 high … 3 low
	Channels      []string
	Status        ProviderStatus
	Contacts      []Contact
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// Contact is a person the regulator reaches at a provider.
type Contact struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// ProviderKind is the kind of licence a provider holds.
type ProviderKind string

// Provider kinds.
const (
	KindBank                ProviderKind = "bank"
	KindMobileMoneyOperator ProviderKind = "mobile_money_operator"
	KindPSP                 ProviderKind = "psp"
	KindEMI                 ProviderKind = "emi"
	KindMFI                 ProviderKind = "mfi"
	KindFintech             ProviderKind = "fintech"
	KindAgentNetwork        ProviderKind = "agent_network"
	KindPaymentSwitch       ProviderKind = "payment_switch"
	// KindMNO is a mobile network operator that offers no DFS itself but
	// carries others': a telecom regulator assesses it on the controls
	// mobile network operators implement.
	KindMNO ProviderKind = "mno"
)

// ProviderKinds lists every kind.
var ProviderKinds = []ProviderKind{KindBank, KindMobileMoneyOperator, KindPSP, KindEMI, KindMFI, KindFintech,
	KindAgentNetwork, KindPaymentSwitch, KindMNO}

// Valid reports whether k is a known kind.
func (k ProviderKind) Valid() bool { return slices.Contains(ProviderKinds, k) }

// ProviderStatus says whether a provider is supervised now.
type ProviderStatus string

// Provider statuses. An exited provider keeps its history.
const (
	ProviderActive    ProviderStatus = "active"
	ProviderSuspended ProviderStatus = "suspended"
	ProviderExited    ProviderStatus = "exited"
)

// Valid reports whether s is a known status.
func (s ProviderStatus) Valid() bool {
	return s == ProviderActive || s == ProviderSuspended || s == ProviderExited
}

// Check returns every problem of p, located at body fields.
func (p Provider) Check() []Problem {
	var problems []Problem
	add := func(loc, format string, args ...any) {
		problems = append(problems, Problem{loc, fmt.Sprintf(format, args...)})
	}
	if n := len(strings.TrimSpace(p.LegalName)); n == 0 || n > 300 {
		add("body.legal_name", "must be 1 to 300 characters")
	}
	if n := len(strings.TrimSpace(p.ShortName)); n == 0 || n > 100 {
		add("body.short_name", "must be 1 to 100 characters")
	}
	if n := len(strings.TrimSpace(p.LicenceNumber)); n == 0 || n > 100 {
		add("body.licence_number", "must be 1 to 100 characters")
	}
	if !p.Kind.Valid() {
		add("body.kind", "%q is not one of %s", p.Kind, joinKinds())
	}
	if p.Tier < 1 || p.Tier > 3 {
		add("body.tier", "must be 1, 2 or 3")
	}
	seen := map[string]bool{}
	for i, c := range p.Channels {
		if !ValidChannel(c) {
			add(fmt.Sprintf("body.channels[%d]", i), "%q is not one of %s", c, strings.Join(Channels, ", "))
		} else if seen[c] {
			add(fmt.Sprintf("body.channels[%d]", i), "%q is listed twice", c)
		}
		seen[c] = true
	}
	if !p.Status.Valid() {
		add("body.status", "must be active, suspended or exited")
	}
	if len(p.Contacts) > 20 {
		add("body.contacts", "at most 20 contacts")
	}
	for i, c := range p.Contacts {
		if strings.TrimSpace(c.Name) == "" || len(c.Name) > 200 {
			add(fmt.Sprintf("body.contacts[%d].name", i), "must be 1 to 200 characters")
		}
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				add(fmt.Sprintf("body.contacts[%d].email", i), "%q is not an email address", c.Email)
			}
		}
		if len(c.Position) > 200 || len(c.Phone) > 50 {
			add(fmt.Sprintf("body.contacts[%d]", i), "position or phone is too long")
		}
	}
	return problems
}

func joinKinds() string {
	var s []string
	for _, k := range ProviderKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// Offers reports whether the provider offers channel c.
func (p Provider) Offers(c string) bool { return slices.Contains(p.Channels, c) }
