package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const providerColumns = `p.id::text, p.legal_name, p.short_name, p.licence_number, p.kind, p.tier, p.channels,
	p.status, p.contacts, p.created_at, p.updated_at, p.version`

func scanProvider(row pgx.CollectableRow) (domain.Provider, error) {
	var p domain.Provider
	var contacts []byte
	err := row.Scan(&p.ID, &p.LegalName, &p.ShortName, &p.LicenceNumber, &p.Kind, &p.Tier, &p.Channels,
		&p.Status, &contacts, &p.CreatedAt, &p.UpdatedAt, &p.Version)
	if err == nil {
		err = json.Unmarshal(contacts, &p.Contacts)
	}
	return p, err
}

func normalizeProvider(p *domain.Provider) {
	p.LegalName = strings.TrimSpace(p.LegalName)
	p.ShortName = strings.TrimSpace(p.ShortName)
	p.LicenceNumber = strings.TrimSpace(p.LicenceNumber)
	if p.Status == "" {
		p.Status = domain.ProviderActive
	}
	if p.Channels == nil {
		p.Channels = []string{}
	}
	if p.Contacts == nil {
		p.Contacts = []domain.Contact{}
	}
	// Channels are kept in the catalog's order, so equal sets compare equal.
	slices.SortFunc(p.Channels, func(a, b string) int {
		return slices.Index(domain.Channels, a) - slices.Index(domain.Channels, b)
	})
}

// CreateProvider registers a provider. EInvalid lists every problem;
// EConflict when the licence number is taken.
func (db *DB) CreateProvider(ctx context.Context, actor domain.Actor, p domain.Provider) (domain.Provider, error) {
	normalizeProvider(&p)
	if problems := p.Check(); len(problems) > 0 {
		return domain.Provider{}, domain.Invalid("the provider cannot be registered", problems)
	}
	var out domain.Provider
	err := db.write(ctx, "create provider", func(t *txn) error {
		contacts, _ := json.Marshal(p.Contacts)
		rows, err := t.Query(ctx, `insert into providers as p (legal_name, short_name, licence_number, kind, tier,
			channels, status, contacts) values ($1, $2, $3, $4, $5, $6, $7, $8)
			on conflict (lower(licence_number)) do nothing returning `+providerColumns,
			p.LegalName, p.ShortName, p.LicenceNumber, p.Kind, p.Tier, p.Channels, p.Status, contacts)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, scanProvider)
		if err == pgx.ErrNoRows {
			return domain.Errorf(domain.EConflict, "a provider with licence number %s is already registered", p.LicenceNumber)
		}
		if err != nil {
			return err
		}
		return t.record(actor, "provider.create", "provider", out.ID, out.ID, providerSummary(out))
	})
	return out, err
}

func providerSummary(p domain.Provider) map[string]any {
	return map[string]any{"legal_name": p.LegalName, "short_name": p.ShortName, "licence_number": p.LicenceNumber,
		"kind": p.Kind, "tier": p.Tier, "channels": p.Channels, "status": p.Status, "contacts": p.Contacts}
}

// ProviderFilter narrows a list of providers. Every field is optional.
type ProviderFilter struct {
	Kind    domain.ProviderKind
	Tier    int
	Status  domain.ProviderStatus
	Channel string   // a channel the provider offers
	Query   string   // part of a name or licence number
	IDs     []string // only these providers (ids that are not uuids match none)
	Sort    ProviderSort
}

// ProviderSort orders a list of providers. Every order ends with the short
// name and the id, so it is total and keyset paging works in each.
type ProviderSort string

// Orders of a list of providers.
const (
	SortByName ProviderSort = ""     // short name
	SortByTier ProviderSort = "tier" // tier 1 first, then short name
	SortByKind ProviderSort = "kind" // kind code, then short name
)

// Valid reports whether s is a known order.
func (s ProviderSort) Valid() bool { return s == SortByName || s == SortByTier || s == SortByKind }

// providerSortKey is the leading sort column of each order (none for name),
// as SQL ahead of the name and id, and as the value the cursor carries.
var providerSortKey = map[ProviderSort]struct {
	sql string
	of  func(domain.Provider) string
}{
	SortByName: {``, func(domain.Provider) string { return "" }},
	SortByTier: {`p.tier::text, `, func(p domain.Provider) string { return strconv.Itoa(p.Tier) }},
	SortByKind: {`p.kind, `, func(p domain.Provider) string { return string(p.Kind) }},
}

// Providers lists providers in the filter's order (by short name unless it
// says otherwise), a page at a time. A provider user sees only its own.
// A cursor of one order is EInvalid in another.
func (db *DB) Providers(ctx context.Context, actor domain.Actor, f ProviderFilter, page Page) ([]domain.Provider, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	key, ok := providerSortKey[f.Sort]
	if !ok {
		return nil, "", domain.Errorf(domain.EInvalid, "sort %q is not one of name, tier, kind", f.Sort)
	}
	afterName, afterID, afterKey := "", "", ""
	if f.Sort == SortByName {
		_, err = decodeCursor(page.Cursor, &afterName, &afterID)
	} else {
		// The order's name is in the cursor, so a cursor of another order is refused.
		sorted := ""
		if _, err = decodeCursor(page.Cursor, &sorted, &afterKey, &afterName, &afterID); err == nil && page.Cursor != "" &&
			sorted != string(f.Sort) {
			err = domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", page.Cursor)
		}
	}
	if err != nil {
		return nil, "", err
	}
	if afterID, err = cursorID(page.Cursor, afterID, lowestID); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	// The tier is one digit, so its text sorts as the number does.
	after := "lower(@after_name), @after_id::uuid"
	if key.sql != "" {
		after = "@after_key, " + after
	}
	rows, err := db.pool.Query(ctx, `select `+providerColumns+` from providers p
		where (`+key.sql+`lower(p.short_name), p.id) > (`+after+`)
		and (@scope = '*' or p.id = nullif(@scope, '*')::uuid)
		and (@kind = '' or p.kind = @kind)
		and (@tier = 0 or p.tier = @tier)
		and (@status = '' or p.status = @status)
		and (@channel = '' or @channel = any(p.channels))
		and (@query = '' or strpos(lower(p.legal_name || ' ' || p.short_name || ' ' || p.licence_number), lower(@query)) > 0)
		and (not @only or p.id = any(@ids::uuid[]))
		order by `+key.sql+`lower(p.short_name), p.id limit @limit`,
		pgx.NamedArgs{"after_key": afterKey, "after_name": afterName, "after_id": afterID, "scope": scope,
			"kind": string(f.Kind), "tier": f.Tier, "status": string(f.Status), "channel": f.Channel, "query": f.Query,
			"only": f.IDs != nil, "ids": validUUIDs(f.IDs),
			"limit": limit + 1})
	if err != nil {
		return nil, "", translate(err, "list providers")
	}
	list, err := pgx.CollectRows(rows, scanProvider)
	if err != nil {
		return nil, "", translate(err, "list providers")
	}
	list, next := pageOf(list, limit, func(p domain.Provider) []any {
		if f.Sort == SortByName {
			return []any{p.ShortName, p.ID}
		}
		return []any{string(f.Sort), key.of(p), p.ShortName, p.ID}
	})
	return list, next, nil
}

// Provider returns one provider the actor may see; ENotFound otherwise.
func (db *DB) Provider(ctx context.Context, actor domain.Actor, id string) (domain.Provider, error) {
	return getProvider(ctx, db.pool, actor, id, false)
}

func getProvider(ctx context.Context, q querier, actor domain.Actor, id string, lock bool) (domain.Provider, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.Provider{}, err
	}
	if !isUUID(id) {
		return domain.Provider{}, domain.Errorf(domain.ENotFound, "no such provider")
	}
	sql := `select ` + providerColumns + ` from providers p where p.id = $1 and ($2 = '*' or p.id = nullif($2, '*')::uuid)`
	if lock {
		sql += ` for update`
	}
	rows, err := q.Query(ctx, sql, id, scope)
	if err != nil {
		return domain.Provider{}, translate(err, "get provider")
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanProvider)
	if err == pgx.ErrNoRows {
		return p, domain.Errorf(domain.ENotFound, "no such provider")
	}
	return p, translate(err, "get provider")
}

// ProviderChange is a partial update of a provider; nil fields stay.
type ProviderChange struct {
	LegalName     *string
	ShortName     *string
	LicenceNumber *string
	Kind          *domain.ProviderKind
	Tier          *int
	Channels      *[]string
	Status        *domain.ProviderStatus
	Contacts      *[]domain.Contact
}

// UpdateProvider changes a provider. ifVersion must match when not zero
// (EPrecondition otherwise). The change is audited with what it changed.
func (db *DB) UpdateProvider(ctx context.Context, actor domain.Actor, id string, ch ProviderChange, ifVersion int) (domain.Provider, error) {
	var out domain.Provider
	err := db.write(ctx, "update provider", func(t *txn) error {
		before, err := getProvider(ctx, t, actor, id, true)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != before.Version {
			return domain.Errorf(domain.EPrecondition, "the provider has changed since version %d (now %d); reload and retry",
				ifVersion, before.Version)
		}
		after := before
		set(&after.LegalName, ch.LegalName)
		set(&after.ShortName, ch.ShortName)
		set(&after.LicenceNumber, ch.LicenceNumber)
		set(&after.Kind, ch.Kind)
		set(&after.Tier, ch.Tier)
		set(&after.Status, ch.Status)
		if ch.Channels != nil {
			after.Channels = slices.Clone(*ch.Channels)
		}
		set(&after.Contacts, ch.Contacts)
		normalizeProvider(&after)
		if problems := after.Check(); len(problems) > 0 {
			return domain.Invalid("the provider cannot be changed so", problems)
		}
		if len(diff(providerSummary(before), providerSummary(after))) == 0 {
			out = before // nothing changes: no new version, no event
			return nil
		}
		contacts, _ := json.Marshal(after.Contacts)
		rows, err := t.Query(ctx, `update providers p set legal_name = $2, short_name = $3, licence_number = $4,
			kind = $5, tier = $6, channels = $7, status = $8, contacts = $9, updated_at = now(), version = version + 1
			where id = $1 returning `+providerColumns,
			id, after.LegalName, after.ShortName, after.LicenceNumber, after.Kind, after.Tier, after.Channels,
			after.Status, contacts)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, scanProvider); err != nil {
			return err
		}
		if err := db.refreshProviderPriorities(ctx, t, id); err != nil {
			return err
		}
		changes := diff(providerSummary(before), providerSummary(out))
		if len(changes) == 0 {
			return nil
		}
		return t.record(actor, "provider.update", "provider", id, id, map[string]any{"changes": changes})
	})
	return out, err
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// diff returns {field: {from, to}} for the fields whose JSON differs.
func diff(before, after map[string]any) map[string]any {
	changes := map[string]any{}
	for k, a := range after {
		ab, _ := json.Marshal(a)
		bb, _ := json.Marshal(before[k])
		if string(ab) != string(bb) {
			changes[k] = map[string]any{"from": before[k], "to": a}
		}
	}
	return changes
}
