package domain

// Scope says whose provider-scoped objects a query may touch: those of one
// provider, or those of every provider. It can only be made by AllProviders
// or OnlyProvider; the zero Scope is invalid, and every provider-scoped query
// refuses it rather than reading every provider's rows.
type Scope struct {
	provider string
	all      bool
}

// AllProviders is the scope of supervisors, auditors, admins and the system.
func AllProviders() Scope { return Scope{all: true} }

// OnlyProvider is the scope of one provider's users. An empty id makes an
// invalid scope.
func OnlyProvider(id string) Scope { return Scope{provider: id} }

// Valid reports whether the scope names one provider or all of them.
func (s Scope) Valid() bool { return s.all || s.provider != "" }

// All reports whether the scope reaches every provider.
func (s Scope) All() bool { return s.all }

// Provider returns the one provider of a confined scope, or "".
func (s Scope) Provider() string { return s.provider }

// Includes reports whether an object of providerID lies within the scope.
func (s Scope) Includes(providerID string) bool {
	return s.all || (s.provider != "" && s.provider == providerID)
}
