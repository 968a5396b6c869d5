package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// FrameworkVersion describes one published version of a framework.
type FrameworkVersion struct {
	key          int64
	ID           string
	Version      string
	Title        string
	Source       string
	Notes        string
	Licence      string
	Digest       string
	PublishedAt  time.Time
	Dimensions   int
	Stages       int
	Threats      int
	Controls     int
	Implementers []domain.Implementer
	AuditGroups  []domain.AuditGroup
	Levels       []domain.Level // in the list too: a campaign's form offers them
}

// PublishOutcome says what PublishFramework did.
type PublishOutcome string

// Outcomes of PublishFramework.
const (
	Published       PublishOutcome = "published"         // a new version was written
	AlreadyUpToDate PublishOutcome = "already_published" // the same content was already there
)

// catalogLock serialises publications across instances starting together.
const catalogLock = 0x61737375726501 // "assure" 01

// PublishFramework writes a validated framework version on behalf of actor.
// Publishing the same content again changes nothing; different content under
// a published id and version is refused with EConflict, because a published
// version is immutable.
func (db *DB) PublishFramework(ctx context.Context, actor domain.Actor, f *domain.Framework) (PublishOutcome, error) {
	digest := f.Digest()
	outcome := Published
	err := db.write(ctx, fmt.Sprintf("publish framework %s %s", f.ID, f.Version), func(t *txn) error {
		if _, err := t.Exec(ctx, `select pg_advisory_xact_lock($1)`, catalogLock); err != nil {
			return err
		}
		var stored string
		err := t.QueryRow(ctx, `select content_sha256 from frameworks where id = $1 and version = $2`,
			f.ID, f.Version).Scan(&stored)
		switch {
		case err == nil && stored == digest:
			outcome = AlreadyUpToDate
			return nil
		case err == nil:
			return domain.Errorf(domain.EConflict,
				"framework %s version %s is already published with different content (stored sha256 %s, new %s); "+
					"a published version is immutable, so publish the change under a new version",
				f.ID, f.Version, stored[:12], digest[:12])
		case err != pgx.ErrNoRows:
			return err
		}
		if err := insertFramework(ctx, t, f, digest); err != nil {
			return err
		}
		return t.record(actor, "framework.publish", "framework", f.ID+"@"+f.Version, "",
			map[string]any{"id": f.ID, "version": f.Version, "content_sha256": digest,
				"threats": len(f.Threats), "controls": len(f.Controls)})
	})
	if err != nil {
		return "", err
	}
	return outcome, nil
}

func insertFramework(ctx context.Context, tx *txn, f *domain.Framework, digest string) error {
	var key int64
	err := tx.QueryRow(ctx,
		`insert into frameworks (id, version, title, source, notes, licence, content_sha256)
		 values ($1, $2, $3, $4, $5, $6, $7) returning pk`,
		f.ID, f.Version, f.Title, f.Source, f.Notes, f.Licence, digest).Scan(&key)
	if err != nil {
		return err
	}
	type entry struct{ id, name, description string }
	entries := func(table string, list []entry) error {
		rows := make([][]any, len(list))
		for i, e := range list {
			rows[i] = []any{key, e.id, i, e.name, e.description}
		}
		return copyRows(ctx, tx, table, []string{"framework", "id", "ordinal", "name", "description"}, rows)
	}
	var dims, stages, impls, groups, levels []entry
	for _, d := range f.Dimensions {
		dims = append(dims, entry{d.ID, d.Name, d.Description})
	}
	for _, s := range f.Stages {
		stages = append(stages, entry{s.ID, s.Name, s.Description})
	}
	for _, m := range f.Implementers {
		impls = append(impls, entry{m.ID, m.Name, m.Description})
	}
	for _, g := range f.AuditGroups {
		groups = append(groups, entry{g.ID, g.Name, g.Description})
	}
	for _, l := range f.Levels {
		levels = append(levels, entry{l.ID, l.Name, l.Description})
	}
	for table, list := range map[string][]entry{"dimensions": dims, "stages": stages, "implementers": impls,
		"audit_groups": groups, "levels": levels} {
		if err := entries(table, list); err != nil {
			return err
		}
	}

	var threats, threatStages, threatDims [][]any
	for i, t := range f.Threats {
		threats = append(threats, []any{key, t.ID, i, t.Number, t.Name, t.Description,
			t.Likelihood, t.LikelihoodRationale, t.Impact, t.ImpactRationale})
		for j, s := range t.Stages {
			threatStages = append(threatStages, []any{key, t.ID, s, j})
		}
		for j, d := range t.Dimensions {
			threatDims = append(threatDims, []any{key, t.ID, d, j})
		}
	}
	var controls, controlDims, controlImpls, controlThreats [][]any
	for i, c := range f.Controls {
		channels := c.Channels
		if channels == nil {
			channels = []string{}
		}
		levels := c.Levels
		if levels == nil {
			levels = []string{}
		}
		controls = append(controls, []any{key, c.ID, i, c.Section, c.Title, c.Description,
			c.AuditGroup, c.Question, c.Evidence, channels, levels, c.PolicyArea})
		for j, d := range c.Dimensions {
			controlDims = append(controlDims, []any{key, c.ID, d, j})
		}
		for j, m := range c.Implementers {
			controlImpls = append(controlImpls, []any{key, c.ID, m, j})
		}
		for j, t := range c.Threats() {
			controlThreats = append(controlThreats, []any{key, c.ID, t, j == 0, j})
		}
	}
	// Parents before children, so foreign keys hold at every step.
	steps := []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"threats", []string{"framework", "id", "ordinal", "number", "name", "description",
			"likelihood", "likelihood_rationale", "impact", "impact_rationale"}, threats},
		{"threat_stages", []string{"framework", "threat_id", "stage_id", "ordinal"}, threatStages},
		{"threat_dimensions", []string{"framework", "threat_id", "dimension_id", "ordinal"}, threatDims},
		{"controls", []string{"framework", "id", "ordinal", "section", "title", "description",
			"audit_group", "question", "evidence", "channels", "levels", "policy_area"}, controls},
		{"control_dimensions", []string{"framework", "control_id", "dimension_id", "ordinal"}, controlDims},
		{"control_implementers", []string{"framework", "control_id", "implementer_id", "ordinal"}, controlImpls},
		{"control_threats", []string{"framework", "control_id", "threat_id", "is_primary", "ordinal"}, controlThreats},
	}
	for _, s := range steps {
		if err := copyRows(ctx, tx, s.table, s.columns, s.rows); err != nil {
			return err
		}
	}
	return nil
}

func copyRows(ctx context.Context, tx *txn, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}

const frameworkColumns = `f.pk, f.id, f.version, f.title, f.source, f.notes, f.licence, f.content_sha256, f.published_at,
	(select count(*) from dimensions x where x.framework = f.pk),
	(select count(*) from stages x where x.framework = f.pk),
	(select count(*) from threats x where x.framework = f.pk),
	(select count(*) from controls x where x.framework = f.pk),
	(select coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'name', l.name, 'description', l.description)
		order by l.ordinal), '[]') from levels l where l.framework = f.pk)`

func scanFramework(row pgx.CollectableRow) (FrameworkVersion, error) {
	var v FrameworkVersion
	err := row.Scan(&v.key, &v.ID, &v.Version, &v.Title, &v.Source, &v.Notes, &v.Licence, &v.Digest, &v.PublishedAt,
		&v.Dimensions, &v.Stages, &v.Threats, &v.Controls, &v.Levels)
	return v, err
}

// Frameworks lists the published framework versions, oldest first.
func (db *DB) Frameworks(ctx context.Context, page Page) ([]FrameworkVersion, string, error) {
	after := int64(0)
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+frameworkColumns+` from frameworks f
		where f.pk > $1 order by f.pk limit $2`, after, limit+1)
	if err != nil {
		return nil, "", translate(err, "list frameworks")
	}
	list, err := pgx.CollectRows(rows, scanFramework)
	if err != nil {
		return nil, "", translate(err, "list frameworks")
	}
	list, next := pageOf(list, limit, func(v FrameworkVersion) []any { return []any{v.key} })
	return list, next, nil
}

// FrameworkRef names a framework version; an empty Version means the latest
// published one.
type FrameworkRef struct {
	ID      string
	Version string
}

func (r FrameworkRef) String() string {
	if r.Version == "" {
		return r.ID
	}
	return r.ID + " version " + r.Version
}

// Framework returns one framework version with its implementers, audit
// groups and levels. ENotFound when no such version is published.
func (db *DB) Framework(ctx context.Context, ref FrameworkRef) (FrameworkVersion, error) {
	rows, err := db.pool.Query(ctx, `select `+frameworkColumns+` from frameworks f
		where f.id = $1 and ($2 = '' or f.version = $2) order by f.pk desc limit 1`, ref.ID, ref.Version)
	if err != nil {
		return FrameworkVersion{}, translate(err, "get framework %s", ref)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanFramework)
	if err == pgx.ErrNoRows {
		return v, domain.Errorf(domain.ENotFound, "framework %s is not published", ref)
	}
	if err != nil {
		return v, translate(err, "get framework %s", ref)
	}
	batch := &pgx.Batch{}
	batch.Queue(`select id, name, description from implementers where framework = $1 order by ordinal`, v.key).
		Query(func(rows pgx.Rows) error {
			v.Implementers, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Implementer])
			return err
		})
	batch.Queue(`select id, name, description from audit_groups where framework = $1 order by ordinal`, v.key).
		Query(func(rows pgx.Rows) error {
			v.AuditGroups, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.AuditGroup])
			return err
		})
	if err := db.pool.SendBatch(ctx, batch).Close(); err != nil {
		return v, translate(err, "get framework %s", ref)
	}
	return v, nil
}

// frameworkKey resolves a reference to the framework's key.
func (db *DB) frameworkKey(ctx context.Context, ref FrameworkRef) (int64, error) {
	var key int64
	err := db.pool.QueryRow(ctx, `select pk from frameworks where id = $1 and ($2 = '' or version = $2)
		order by pk desc limit 1`, ref.ID, ref.Version).Scan(&key)
	if err == pgx.ErrNoRows {
		return 0, domain.Errorf(domain.ENotFound, "framework %s is not published", ref)
	}
	return key, translate(err, "resolve framework %s", ref)
}

// Dimensions lists a framework's security dimensions in catalog order.
func (db *DB) Dimensions(ctx context.Context, ref FrameworkRef, page Page) ([]domain.Dimension, string, error) {
	list, next, err := db.listEntries(ctx, ref, "dimensions", page)
	out := make([]domain.Dimension, len(list))
	for i, e := range list {
		out[i] = domain.Dimension{ID: e.id, Name: e.name, Description: e.description}
	}
	return out, next, err
}

// Stages lists a framework's value-chain stages in catalog order.
func (db *DB) Stages(ctx context.Context, ref FrameworkRef, page Page) ([]domain.Stage, string, error) {
	list, next, err := db.listEntries(ctx, ref, "stages", page)
	out := make([]domain.Stage, len(list))
	for i, e := range list {
		out[i] = domain.Stage{ID: e.id, Name: e.name, Description: e.description}
	}
	return out, next, err
}

type entryRow struct {
	ordinal               int
	id, name, description string
}

// listEntries pages through one of the id/name/description tables.
func (db *DB) listEntries(ctx context.Context, ref FrameworkRef, table string, page Page) ([]entryRow, string, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	after := -1
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select ordinal, id, name, description from `+table+`
		where framework = $1 and ordinal > $2::bigint order by ordinal limit $3`, key, after, limit+1)
	if err != nil {
		return nil, "", translate(err, "list %s", table)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (entryRow, error) {
		var e entryRow
		err := r.Scan(&e.ordinal, &e.id, &e.name, &e.description)
		return e, err
	})
	if err != nil {
		return nil, "", translate(err, "list %s", table)
	}
	list, next := pageOf(list, limit, func(e entryRow) []any { return []any{e.ordinal} })
	return list, next, nil
}

// ThreatControl is a control as seen from a threat it mitigates.
type ThreatControl struct {
	ID      string
	Section string
	Title   string
	Primary bool
}

// ThreatDetail is a threat with the controls that mitigate it.
type ThreatDetail struct {
	domain.Threat
	Controls []ThreatControl
}

const threatColumns = `t.ordinal, t.id, t.number, t.name, t.description, t.likelihood, t.likelihood_rationale,
	t.impact, t.impact_rationale,
	array(select stage_id from threat_stages s where s.framework = t.framework and s.threat_id = t.id order by s.ordinal),
	array(select dimension_id from threat_dimensions d where d.framework = t.framework and d.threat_id = t.id order by d.ordinal)`

type threatRow struct {
	ordinal int
	domain.Threat
}

func scanThreat(row pgx.CollectableRow) (threatRow, error) {
	var t threatRow
	err := row.Scan(&t.ordinal, &t.ID, &t.Number, &t.Name, &t.Description, &t.Likelihood, &t.LikelihoodRationale,
		&t.Impact, &t.ImpactRationale, &t.Stages, &t.Dimensions)
	return t, err
}

// Threats lists a framework's threats in catalog order.
func (db *DB) Threats(ctx context.Context, ref FrameworkRef, page Page) ([]domain.Threat, string, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	after := -1
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+threatColumns+` from threats t
		where t.framework = $1 and t.ordinal > $2::bigint order by t.ordinal limit $3`, key, after, limit+1)
	if err != nil {
		return nil, "", translate(err, "list threats")
	}
	list, err := pgx.CollectRows(rows, scanThreat)
	if err != nil {
		return nil, "", translate(err, "list threats")
	}
	list, next := pageOf(list, limit, func(t threatRow) []any { return []any{t.ordinal} })
	out := make([]domain.Threat, len(list))
	for i, t := range list {
		out[i] = t.Threat
	}
	return out, next, nil
}

// Threat returns one threat with its mitigating controls, primary links
// first. ENotFound when the framework or the threat does not exist.
func (db *DB) Threat(ctx context.Context, ref FrameworkRef, id string) (ThreatDetail, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return ThreatDetail{}, err
	}
	rows, err := db.pool.Query(ctx, `select `+threatColumns+` from threats t where t.framework = $1 and t.id = $2`, key, id)
	if err != nil {
		return ThreatDetail{}, translate(err, "get threat %s", id)
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanThreat)
	if err == pgx.ErrNoRows {
		return ThreatDetail{}, domain.Errorf(domain.ENotFound, "threat %q is not in framework %s", id, ref)
	}
	if err != nil {
		return ThreatDetail{}, translate(err, "get threat %s", id)
	}
	rows, err = db.pool.Query(ctx, `select c.id, c.section, c.title, ct.is_primary
		from control_threats ct join controls c on c.framework = ct.framework and c.id = ct.control_id
		where ct.framework = $1 and ct.threat_id = $2
		order by ct.is_primary desc, c.ordinal`, key, id)
	if err != nil {
		return ThreatDetail{}, translate(err, "get threat %s", id)
	}
	controls, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ThreatControl])
	if err != nil {
		return ThreatDetail{}, translate(err, "get threat %s", id)
	}
	return ThreatDetail{Threat: t.Threat, Controls: controls}, nil
}

// ControlFilter narrows a list of controls. Every field is optional.
type ControlFilter struct {
	Dimension   string // controls tagged with this dimension
	Stage       string // controls whose primary threat targets this stage
	Threat      string // controls that mitigate this threat, primarily or not
	Implementer string // controls this party implements
	AuditGroup  string // controls of this audit group
	Level       string // controls of this level of assessment
	Query       string // words searched in id, section, title, description, question and evidence
}

// ControlThreat is a threat as seen from a control that mitigates it.
type ControlThreat struct {
	ID      string
	Name    string
	Primary bool
}

// ControlDetail is a control with the threats it mitigates.
type ControlDetail struct {
	domain.Control
	Threats []ControlThreat
}

const controlColumns = `c.ordinal, c.id, c.section, c.title, c.description, c.audit_group, c.question, c.evidence, c.channels, c.levels, c.policy_area,
	array(select dimension_id from control_dimensions d where d.framework = c.framework and d.control_id = c.id order by d.ordinal),
	array(select implementer_id from control_implementers m where m.framework = c.framework and m.control_id = c.id order by m.ordinal),
	array(select jsonb_build_object('id', t.id, 'name', t.name, 'primary', ct.is_primary)
		from control_threats ct join threats t on t.framework = ct.framework and t.id = ct.threat_id
		where ct.framework = c.framework and ct.control_id = c.id order by ct.ordinal)`

type controlRow struct {
	ordinal int
	ControlDetail
}

func scanControl(row pgx.CollectableRow) (controlRow, error) {
	var c controlRow
	var threats []struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Primary bool   `json:"primary"`
	}
	err := row.Scan(&c.ordinal, &c.ID, &c.Section, &c.Title, &c.Description, &c.AuditGroup, &c.Question, &c.Evidence,
		&c.Channels, &c.Levels, &c.PolicyArea, &c.Dimensions, &c.Implementers, &threats)
	for _, t := range threats {
		c.Threats = append(c.Threats, ControlThreat(t))
		if t.Primary {
			c.PrimaryThreat = t.ID
		} else {
			c.OtherThreats = append(c.OtherThreats, t.ID)
		}
	}
	return c, err
}

// Controls lists a framework's controls in catalog order, narrowed by filter.
// A filter naming a dimension, stage, threat, implementer, audit group or
// level the framework does not define is EInvalid, so a typo never reads as "no controls".
func (db *DB) Controls(ctx context.Context, ref FrameworkRef, filter ControlFilter, page Page) ([]ControlDetail, string, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	if err := db.checkControlFilter(ctx, key, filter); err != nil {
		return nil, "", err
	}
	after := -1
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+controlColumns+` from controls c
		where c.framework = $1 and c.ordinal > $2::bigint
		and ($3 = '' or exists (select 1 from control_dimensions d
			where d.framework = c.framework and d.control_id = c.id and d.dimension_id = $3))
		and ($4 = '' or exists (select 1 from control_threats ct join threat_stages s
			on s.framework = ct.framework and s.threat_id = ct.threat_id
			where ct.framework = c.framework and ct.control_id = c.id and ct.is_primary and s.stage_id = $4))
		and ($5 = '' or exists (select 1 from control_threats ct
			where ct.framework = c.framework and ct.control_id = c.id and ct.threat_id = $5))
		and ($6 = '' or exists (select 1 from control_implementers m
			where m.framework = c.framework and m.control_id = c.id and m.implementer_id = $6))
		and ($7 = '' or c.search @@ websearch_to_tsquery('english', $7) or lower(c.id) = lower($7))
		and ($8 = '' or c.audit_group = $8)
		and ($9 = '' or $9 = any(c.levels))
		order by c.ordinal limit $10`,
		key, after, filter.Dimension, filter.Stage, filter.Threat, filter.Implementer,
		strings.TrimSpace(filter.Query), filter.AuditGroup, filter.Level, limit+1)
	if err != nil {
		return nil, "", translate(err, "list controls")
	}
	list, err := pgx.CollectRows(rows, scanControl)
	if err != nil {
		return nil, "", translate(err, "list controls")
	}
	list, next := pageOf(list, limit, func(c controlRow) []any { return []any{c.ordinal} })
	out := make([]ControlDetail, len(list))
	for i, c := range list {
		out[i] = c.ControlDetail
	}
	return out, next, nil
}

func (db *DB) checkControlFilter(ctx context.Context, key int64, f ControlFilter) error {
	var dimOK, stageOK, threatOK, implOK, groupOK, levelOK bool
	err := db.pool.QueryRow(ctx, `select
		$2 = '' or exists (select 1 from dimensions where framework = $1 and id = $2),
		$3 = '' or exists (select 1 from stages where framework = $1 and id = $3),
		$4 = '' or exists (select 1 from threats where framework = $1 and id = $4),
		$5 = '' or exists (select 1 from implementers where framework = $1 and id = $5),
		$6 = '' or exists (select 1 from audit_groups where framework = $1 and id = $6),
		$7 = '' or exists (select 1 from levels where framework = $1 and id = $7)`,
		key, f.Dimension, f.Stage, f.Threat, f.Implementer, f.AuditGroup, f.Level).
		Scan(&dimOK, &stageOK, &threatOK, &implOK, &groupOK, &levelOK)
	if err != nil {
		return translate(err, "check control filter")
	}
	var problems []domain.Problem
	for _, c := range []struct {
		ok          bool
		param, what string
		value       string
	}{
		{dimOK, "dimension", "dimension", f.Dimension},
		{stageOK, "stage", "stage", f.Stage},
		{threatOK, "threat", "threat", f.Threat},
		{implOK, "implementer", "implementer", f.Implementer},
		{groupOK, "group", "audit group", f.AuditGroup},
		{levelOK, "level", "level", f.Level},
	} {
		if !c.ok {
			problems = append(problems, domain.Problem{Location: "query." + c.param,
				Message: fmt.Sprintf("%s %q is not defined by this framework", c.what, c.value)})
		}
	}
	if len(problems) > 0 {
		return domain.Invalid("the control filter names things this framework does not define", problems)
	}
	return nil
}

// Control returns one control with the threats it mitigates. ENotFound when
// the framework or the control does not exist.
func (db *DB) Control(ctx context.Context, ref FrameworkRef, id string) (ControlDetail, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return ControlDetail{}, err
	}
	rows, err := db.pool.Query(ctx, `select `+controlColumns+` from controls c where c.framework = $1 and c.id = $2`, key, id)
	if err != nil {
		return ControlDetail{}, translate(err, "get control %s", id)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanControl)
	if err == pgx.ErrNoRows {
		return ControlDetail{}, domain.Errorf(domain.ENotFound, "control %q is not in framework %s", id, ref)
	}
	if err != nil {
		return ControlDetail{}, translate(err, "get control %s", id)
	}
	return c.ControlDetail, nil
}

// PreviousVersion returns the version of ref's framework published just
// before ref's, "" when it is the first.
func (db *DB) PreviousVersion(ctx context.Context, ref FrameworkRef) (string, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return "", err
	}
	var v string
	err = db.pool.QueryRow(ctx, `select version from frameworks where id = $1 and pk < $2 order by pk desc limit 1`,
		ref.ID, key).Scan(&v)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return v, translate(err, "previous version of %s", ref)
}
