package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// providersInScope returns the active providers a campaign covers, by id:
// the one selection both opening a campaign and previewing it make.
func providersInScope(ctx context.Context, q querier, c domain.Campaign) ([]domain.Provider, error) {
	rows, err := q.Query(ctx, `select `+providerColumns+` from providers p where p.status = 'active'
		and (cardinality($1::uuid[]) = 0 or p.id = any($1))
		and (cardinality($2::text[]) = 0 or p.kind = any($2))
		and (cardinality($3::smallint[]) = 0 or p.tier = any($3))
		order by p.id`, orEmpty(c.ProviderIDs), kindStrings(c.Kinds), orEmpty(c.Tiers))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanProvider)
}

// CampaignScope returns the active providers a campaign, stored or only
// drafted, would cover if it were opened now, by id. Only an actor who sees
// the whole sector may ask (EForbidden otherwise); ids that are not provider
// ids are EInvalid.
func (db *DB) CampaignScope(ctx context.Context, actor domain.Actor, c domain.Campaign) ([]domain.Provider, error) {
	if _, err := scopeArg(actor.Scope()); err != nil {
		return nil, err
	}
	if !actor.Scope().All() {
		return nil, domain.Errorf(domain.EForbidden, "only the sector's supervisors see a campaign's scope")
	}
	if problems := providerIDProblems(c.ProviderIDs); len(problems) > 0 {
		return nil, domain.Invalid("the scope names unknown providers", problems)
	}
	list, err := providersInScope(ctx, db.pool, c)
	return list, translate(err, "campaign scope")
}
