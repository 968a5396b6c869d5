package web

import (
	"context"

	"assure/domain"
	"assure/store"
)

// providerChoiceLimit is the most providers a provider select offers at
// once, one page of the register. A sector can hold tens of thousands: past
// this many the users pages offer a search, and the select then lists the
// providers it finds; the filters of other lists keep the chosen one.
const providerChoiceLimit = store.MaxLimit

// providerChoice is what a provider select offers: the providers whose name
// or licence number contains search (every provider when it is empty), at
// most providerChoiceLimit of them by name, always with the chosen ones
// first, so a choice already made survives a search that leaves it out.
type providerChoice struct {
	Providers []domain.Provider
	Search    string
	More      bool // more providers match than are offered: the page says to search
}

func (ui *UI) providerChoices(ctx context.Context, v *visit, search string, chosen ...string) (providerChoice, error) {
	c := providerChoice{Search: search}
	list, next, err := ui.app.Providers(ctx, v.actor, store.ProviderFilter{Query: search}, store.Page{Limit: providerChoiceLimit})
	if err != nil {
		return c, err
	}
	c.More = next != ""
	listed := map[string]bool{}
	for _, p := range list {
		listed[p.ID] = true
	}
	var missing []string
	for _, id := range chosen {
		if id != "" && !listed[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		extra, _, err := ui.app.Providers(ctx, v.actor, store.ProviderFilter{IDs: missing}, store.Page{Limit: len(missing)})
		if err != nil {
			return c, err
		}
		list = append(extra, list...)
	}
	c.Providers = list
	return c, nil
}

// providerNames returns the short names of the given providers the actor
// may read, by id, in one query whatever the size of the sector.
func (ui *UI) providerNames(ctx context.Context, v *visit, ids []string) (map[string]string, error) {
	names := map[string]string{}
	var want []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id], want = true, append(want, id)
		}
	}
	if len(want) == 0 {
		return names, nil
	}
	list, _, err := ui.app.Providers(ctx, v.actor, store.ProviderFilter{IDs: want}, store.Page{Limit: len(want)})
	for _, p := range list {
		names[p.ID] = p.ShortName
	}
	return names, err
}
