package app

import "assure/domain"

// OffersEveryProvider reports, without auditing, whether the actor may
// perform act on obj of every provider, not only of its own: whether a face
// offers the whole register, or only the actor's own provider.
func (a *App) OffersEveryProvider(actor domain.Actor, obj, act string) bool {
	if actor.IsSystem() {
		return true
	}
	return enrolled(actor, obj) == nil && a.authz.SeesAllProviders(actor, obj, act)
}
