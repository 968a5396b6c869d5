package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// MappingVersion is a published mapping without its links.
type MappingVersion struct {
	key         int64
	ID          string
	Version     string
	Title       string
	Notes       string
	Source      domain.MappedFramework
	SourceTitle string
	Target      domain.MappedFramework
	TargetTitle string
	Digest      string
	PublishedAt time.Time
	Links       int
}

// MappingLink is one link of a mapping with the titles of both controls.
type MappingLink struct {
	domain.ControlLink
	Mapping     MappingRef // the mapping it belongs to, for a control's links
	SourceTitle string
	TargetTitle string
}

// MappingRef names a mapping version; an empty Version is the latest.
type MappingRef struct {
	ID      string
	Version string
}

// Waiting is the outcome of publishing a mapping one of whose framework
// versions is not published yet: nothing is written; publishing it again
// once the framework is there writes it.
const Waiting PublishOutcome = "waiting"

// PublishMapping writes a validated mapping version on behalf of actor.
// Both framework versions must hold every control the links name; when one
// is not published the outcome is Waiting. Publishing the same content again
// changes nothing; other content under a published id and version is
// EConflict.
func (db *DB) PublishMapping(ctx context.Context, actor domain.Actor, m *domain.Mapping) (PublishOutcome, error) {
	digest := m.Digest()
	outcome := Published
	err := db.write(ctx, fmt.Sprintf("publish mapping %s %s", m.ID, m.Version), func(t *txn) error {
		if _, err := t.Exec(ctx, `select pg_advisory_xact_lock($1)`, catalogLock); err != nil {
			return err
		}
		var stored string
		switch err := t.QueryRow(ctx, `select content_sha256 from mappings where id = $1 and version = $2`,
			m.ID, m.Version).Scan(&stored); {
		case err == nil && stored == digest:
			outcome = AlreadyUpToDate
			return nil
		case err == nil:
			return domain.Errorf(domain.EConflict, "mapping %s version %s is already published with different content; "+
				"a published version is immutable, so publish the change under a new version", m.ID, m.Version)
		case err != pgx.ErrNoRows:
			return err
		}
		keys := [2]int64{}
		sides := [2]*cachedFramework{}
		for i, side := range []domain.MappedFramework{m.Source, m.Target} {
			err := t.QueryRow(ctx, `select pk from frameworks where id = $1 and version = $2`, side.ID, side.Version).Scan(&keys[i])
			if err == pgx.ErrNoRows {
				outcome = Waiting
				return nil
			}
			if err != nil {
				return err
			}
			if sides[i], err = db.framework(ctx, t, keys[i]); err != nil {
				return err
			}
		}
		if ps := m.CheckAgainst(sides[0].Framework, sides[1].Framework); len(ps) > 0 {
			return domain.Invalid(fmt.Sprintf("the mapping names %d control(s) its frameworks lack", len(ps)), ps)
		}
		var key int64
		if err := t.QueryRow(ctx, `insert into mappings (id, version, title, notes, source_framework, target_framework, content_sha256)
			values ($1, $2, $3, $4, $5, $6, $7) returning pk`, m.ID, m.Version, m.Title, m.Notes, keys[0], keys[1], digest).Scan(&key); err != nil {
			return err
		}
		rows := make([][]any, len(m.Links))
		for i, l := range m.Links {
			rows[i] = []any{key, i, keys[0], l.Source, keys[1], l.Target, string(l.Relationship), l.Strength, l.Rationale}
		}
		if err := copyRows(ctx, t, "mapping_links", []string{"mapping", "ordinal", "source_framework", "source_control",
			"target_framework", "target_control", "relationship", "strength", "rationale"}, rows); err != nil {
			return err
		}
		return t.record(actor, "mapping.publish", "mapping", m.ID+"@"+m.Version, "", map[string]any{"id": m.ID,
			"version": m.Version, "content_sha256": digest, "source": m.Source.ID + "@" + m.Source.Version,
			"target": m.Target.ID + "@" + m.Target.Version, "links": len(m.Links)})
	})
	if err != nil {
		return "", err
	}
	return outcome, nil
}

const mappingColumns = `m.pk, m.id, m.version, m.title, m.notes, s.id, s.version, s.title, g.id, g.version, g.title,
	m.content_sha256, m.published_at, (select count(*) from mapping_links l where l.mapping = m.pk)`

const mappingFrom = ` from mappings m join frameworks s on s.pk = m.source_framework join frameworks g on g.pk = m.target_framework `

func scanMapping(row pgx.CollectableRow) (MappingVersion, error) {
	var v MappingVersion
	err := row.Scan(&v.key, &v.ID, &v.Version, &v.Title, &v.Notes, &v.Source.ID, &v.Source.Version, &v.SourceTitle,
		&v.Target.ID, &v.Target.Version, &v.TargetTitle, &v.Digest, &v.PublishedAt, &v.Links)
	return v, err
}

// Mappings lists the published mapping versions, oldest first.
func (db *DB) Mappings(ctx context.Context, page Page) ([]MappingVersion, string, error) {
	after := int64(0)
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+mappingColumns+mappingFrom+` where m.pk > $1 order by m.pk limit $2`, after, limit+1)
	if err != nil {
		return nil, "", translate(err, "list mappings")
	}
	list, err := pgx.CollectRows(rows, scanMapping)
	if err != nil {
		return nil, "", translate(err, "list mappings")
	}
	list, next := pageOf(list, limit, func(v MappingVersion) []any { return []any{v.key} })
	return list, next, nil
}

// Mapping returns one mapping version, the latest when ref names none.
func (db *DB) Mapping(ctx context.Context, ref MappingRef) (MappingVersion, error) {
	rows, err := db.pool.Query(ctx, `select `+mappingColumns+mappingFrom+`
		where m.id = $1 and ($2 = '' or m.version = $2) order by m.pk desc limit 1`, ref.ID, ref.Version)
	if err != nil {
		return MappingVersion{}, translate(err, "get mapping")
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanMapping)
	if err == pgx.ErrNoRows {
		return v, domain.Errorf(domain.ENotFound, "mapping %s is not published", ref.ID)
	}
	return v, translate(err, "get mapping")
}

// LinkFilter narrows a mapping's links to those of one control of a side.
type LinkFilter struct {
	Source, Target string
}

const linkColumns = `l.ordinal, l.source_control, l.target_control, l.relationship, l.strength, l.rationale,
	m.id, m.version, sc.title, tc.title`

const linkFrom = ` from mapping_links l join mappings m on m.pk = l.mapping
	join controls sc on sc.framework = l.source_framework and sc.id = l.source_control
	join controls tc on tc.framework = l.target_framework and tc.id = l.target_control `

type linkRow struct {
	ordinal int
	MappingLink
}

func scanLink(row pgx.CollectableRow) (linkRow, error) {
	var l linkRow
	err := row.Scan(&l.ordinal, &l.Source, &l.Target, &l.Relationship, &l.Strength, &l.Rationale,
		&l.Mapping.ID, &l.Mapping.Version, &l.SourceTitle, &l.TargetTitle)
	return l, err
}

// MappingLinks lists a mapping version's links in their order, narrowed by f.
func (db *DB) MappingLinks(ctx context.Context, ref MappingRef, f LinkFilter, page Page) ([]MappingLink, string, error) {
	v, err := db.Mapping(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	after := -1
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+linkColumns+linkFrom+`
		where l.mapping = $1 and l.ordinal > $2 and ($3 = '' or l.source_control = $3) and ($4 = '' or l.target_control = $4)
		order by l.ordinal limit $5`, v.key, after, f.Source, f.Target, limit+1)
	if err != nil {
		return nil, "", translate(err, "list mapping links")
	}
	list, err := pgx.CollectRows(rows, scanLink)
	if err != nil {
		return nil, "", translate(err, "list mapping links")
	}
	list, next := pageOf(list, limit, func(l linkRow) []any { return []any{l.ordinal} })
	out := make([]MappingLink, len(list))
	for i, l := range list {
		out[i] = l.MappingLink
	}
	return out, next, nil
}

// ControlLinks lists the links of every published mapping that name one
// control of a framework version, on either side, at most MaxLimit.
func (db *DB) ControlLinks(ctx context.Context, ref FrameworkRef, controlID string) ([]MappingLink, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `select `+linkColumns+linkFrom+`
		where (l.source_framework = $1 and l.source_control = $2) or (l.target_framework = $1 and l.target_control = $2)
		order by m.pk, l.ordinal limit $3`, key, controlID, MaxLimit)
	if err != nil {
		return nil, translate(err, "list control links")
	}
	list, err := pgx.CollectRows(rows, scanLink)
	if err != nil {
		return nil, translate(err, "list control links")
	}
	out := make([]MappingLink, len(list))
	for i, l := range list {
		out[i] = l.MappingLink
	}
	return out, nil
}

// ApprovedAssessment is an approved assessment with its framework version,
// as a source to carry answers from.
type ApprovedAssessment struct {
	ID             string
	CampaignName   string
	DecidedAt      *time.Time
	Framework      domain.MappedFramework
	FrameworkTitle string
}

// ApprovedAssessments lists a provider's approved assessments, the latest
// decided first, at most MaxLimit; provider users see only their own.
func (db *DB) ApprovedAssessments(ctx context.Context, actor domain.Actor, providerID string) ([]ApprovedAssessment, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, err
	}
	if !isUUID(providerID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `select a.id::text, c.name, a.decided_at, f.id, f.version, f.title
		from assessments a join campaigns c on c.id = a.campaign_id join frameworks f on f.pk = a.framework
		where a.provider_id = $1 and a.status = 'approved' and ($2 = '*' or a.provider_id = nullif($2, '*')::uuid)
		order by a.decided_at desc nulls last, a.id limit $3`, providerID, scope, MaxLimit)
	if err != nil {
		return nil, translate(err, "list approved assessments")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ApprovedAssessment, error) {
		var a ApprovedAssessment
		err := r.Scan(&a.ID, &a.CampaignName, &a.DecidedAt, &a.Framework.ID, &a.Framework.Version, &a.FrameworkTitle)
		return a, err
	})
}
