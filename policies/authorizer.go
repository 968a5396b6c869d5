// Package policies holds Assure's access-control model and policy (casbin,
// RBAC with domains, embedded) and the Authorizer every API operation and UI
// route asks.
package policies

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/casbin/casbin/v2/util"

	"assure/domain"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Domains of a request.
const (
	Sector = "sector" // an object of no provider
	Own    = "own"    // an object of the actor's provider
	Other  = "other"  // an object of another provider
)

// Domains lists every request domain.
var Domains = []string{Sector, Own, Other}

// Authorizer answers whether an actor may perform an action on an object.
type Authorizer struct {
	e *casbin.SyncedEnforcer
	// decided remembers every answer given, by request: the policy is
	// fixed once New has loaded it, and evaluating casbin's matcher costs
	// more than the rest of a list whose items each say what may be done
	// to them. There are few requests: roles × domains × the objects and
	// actions the code names.
	decided sync.Map // request → bool
}

type request struct {
	role          domain.Role
	dom, obj, act string
}

// New loads the embedded model and policy.
func New() (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("policies: model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(policyLines()))
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	// Role links written with domain * hold in every domain.
	e.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	if err := e.BuildRoleLinks(); err != nil {
		return nil, fmt.Errorf("policies: role links: %w", err)
	}
	return &Authorizer{e: e}, nil
}

// policyLines drops comments and blank lines from the policy file.
func policyLines() string {
	var out []string
	for _, line := range strings.Split(policyText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// Allowed reports whether role may perform act on obj in dom.
func (a *Authorizer) Allowed(role domain.Role, dom, obj, act string) bool {
	r := request{role, dom, obj, act}
	if ok, known := a.decided.Load(r); known {
		return ok.(bool)
	}
	ok, err := a.e.Enforce(string(role), dom, obj, act)
	if err != nil {
		return false
	}
	a.decided.Store(r, ok)
	return ok
}

// DomainOf classifies an object of providerID ("" for none) relative to actor.
func DomainOf(actor domain.Actor, providerID string) string {
	switch {
	case providerID == "":
		return Sector
	case actor.Role.ForProvider() && providerID == actor.ProviderID:
		return Own
	}
	return Other
}

// Can reports whether actor may perform act on obj in at least one domain:
// the check made before the object is known.
func (a *Authorizer) Can(actor domain.Actor, obj, act string) bool {
	for _, d := range Domains {
		if a.Allowed(actor.Role, d, obj, act) {
			return true
		}
	}
	return false
}

// CanOn reports whether actor may perform act on obj belonging to providerID
// ("" for an object of no provider).
func (a *Authorizer) CanOn(actor domain.Actor, providerID, obj, act string) bool {
	return a.Allowed(actor.Role, DomainOf(actor, providerID), obj, act)
}

// SeesAllProviders reports whether actor may perform act on obj of any
// provider; when false, lists are confined to the actor's own provider.
func (a *Authorizer) SeesAllProviders(actor domain.Actor, obj, act string) bool {
	return a.Allowed(actor.Role, Other, obj, act)
}
