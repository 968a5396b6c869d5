package store

import (
	"errors"

	"assure/domain"
)

// errNoScope is a programming fault: a provider-scoped query was asked
// without saying whose rows it may read.
var errNoScope = errors.New("store: a provider-scoped query was called without a valid provider scope")

// allProviders is what scopeArg hands a query for a scope over every provider.
// Provider-scoped queries compare with it as
// ($n = '*' or provider_id = nullif($n, '*')::uuid), or add the provider
// condition only when the scope is not allProviders, so an empty argument
// matches no row (or fails as no uuid): the SQL fails closed too.
const allProviders = "*"

// scopeArg turns a scope into the argument of a provider-scoped query.
func scopeArg(s domain.Scope) (string, error) {
	switch {
	case !s.Valid():
		return "", errNoScope
	case s.All():
		return allProviders, nil
	}
	return s.Provider(), nil
}
