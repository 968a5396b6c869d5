package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// MaxProviderBatch bounds the providers registered in one batch.
const MaxProviderBatch = 5000

// ProviderBatch is a set of providers to register together, and where they
// came from, for the audit trail.
type ProviderBatch struct {
	Providers []domain.Provider
	Source    string // the file's name
	SHA256    string // the file's digest
}

// batchLocation locates a problem of the i-th provider of a batch:
// "providers[3].licence_number" for the domain's "body.licence_number".
func batchLocation(i int, loc string) string {
	return fmt.Sprintf("providers[%d].%s", i, strings.TrimPrefix(loc, "body."))
}

// CreateProviders registers every provider of a batch or none, in one
// transaction, with a provider.create event for each and one
// provider.import event for the batch. EInvalid lists every problem at once,
// located providers[i].field: what Provider.Check finds, a licence number
// given twice in the batch, and one already registered. An empty or
// oversize batch is EInvalid too.
func (db *DB) CreateProviders(ctx context.Context, actor domain.Actor, b ProviderBatch) ([]domain.Provider, error) {
	switch {
	case len(b.Providers) == 0:
		return nil, domain.Invalid("there is nothing to register", []domain.Problem{{Location: "providers",
			Message: "give at least one provider"}})
	case len(b.Providers) > MaxProviderBatch:
		return nil, domain.Invalid("the batch is too large", []domain.Problem{{Location: "providers",
			Message: fmt.Sprintf("at most %d providers at once", MaxProviderBatch)}})
	}
	list := make([]domain.Provider, len(b.Providers))
	var problems []domain.Problem
	first := map[string]int{}
	for i, p := range b.Providers {
		normalizeProvider(&p)
		list[i] = p
		for _, pr := range p.Check() {
			problems = append(problems, domain.Problem{Location: batchLocation(i, pr.Location), Message: pr.Message})
		}
		key := strings.ToLower(p.LicenceNumber)
		if key == "" {
			continue
		}
		if j, twice := first[key]; twice {
			problems = append(problems, domain.Problem{Location: batchLocation(i, "licence_number"),
				Message: fmt.Sprintf("licence number %s is also given to providers[%d]", p.LicenceNumber, j)})
		} else {
			first[key] = i
		}
	}
	if len(problems) > 0 {
		return nil, domain.Invalid("the providers cannot be registered", problems)
	}
	out := make([]domain.Provider, 0, len(list))
	err := db.write(ctx, "create providers", func(t *txn) error {
		batch := &pgx.Batch{}
		for _, p := range list {
			contacts, _ := json.Marshal(p.Contacts)
			batch.Queue(`insert into providers as p (legal_name, short_name, licence_number, kind, tier,
				channels, status, contacts) values ($1, $2, $3, $4, $5, $6, $7, $8)
				on conflict (lower(licence_number)) do nothing returning `+providerColumns,
				p.LegalName, p.ShortName, p.LicenceNumber, p.Kind, p.Tier, p.Channels, p.Status, contacts)
		}
		results := t.SendBatch(ctx, batch)
		for i, p := range list {
			rows, err := results.Query()
			if err != nil {
				results.Close()
				return err
			}
			created, err := pgx.CollectExactlyOneRow(rows, scanProvider)
			switch {
			case err == pgx.ErrNoRows:
				problems = append(problems, domain.Problem{Location: batchLocation(i, "licence_number"),
					Message: fmt.Sprintf("a provider with licence number %s is already registered", p.LicenceNumber)})
			case err != nil:
				results.Close()
				return err
			default:
				out = append(out, created)
			}
		}
		if err := results.Close(); err != nil {
			return err
		}
		if len(problems) > 0 {
			// Nothing is kept: the transaction rolls back every insert.
			return domain.Invalid("the providers cannot be registered", problems)
		}
		for _, p := range out {
			if err := t.record(actor, "provider.create", "provider", p.ID, p.ID, providerSummary(p)); err != nil {
				return err
			}
		}
		return t.record(actor, "provider.import", "provider", "", "", map[string]any{"count": len(out),
			"source": b.Source, "sha256": b.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LicencesTaken returns, of the given licence numbers, those already
// registered to a provider the actor may see, keyed by the number in lower
// case, with the short name of the provider holding each.
func (db *DB) LicencesTaken(ctx context.Context, actor domain.Actor, licences []string) (map[string]string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(licences))
	for _, l := range licences {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			keys = append(keys, l)
		}
	}
	taken := map[string]string{}
	if len(keys) == 0 {
		return taken, nil
	}
	rows, err := db.pool.Query(ctx, `select lower(p.licence_number), p.short_name from providers p
		where lower(p.licence_number) = any($1) and ($2 = '*' or p.id = nullif($2, '*')::uuid)`, keys, scope)
	if err != nil {
		return nil, translate(err, "look up licence numbers")
	}
	var licence, name string
	_, err = pgx.ForEachRow(rows, []any{&licence, &name}, func() error {
		taken[licence] = name
		return nil
	})
	return taken, translate(err, "look up licence numbers")
}
