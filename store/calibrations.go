package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// PublishCalibration writes a risk calibration version on behalf of actor,
// after checking it against the framework version it calibrates; the
// outcome is Waiting while that version is not published. Publishing the
// same content again changes nothing; other content under a published id
// and version is EConflict. Scores keep the calibration they were computed
// with until RescoreOutdated (or any write) recomputes them.
func (db *DB) PublishCalibration(ctx context.Context, actor domain.Actor, c *domain.Calibration) (PublishOutcome, error) {
	digest := c.Digest()
	outcome := Published
	err := db.write(ctx, fmt.Sprintf("publish calibration %s %s", c.ID, c.Version), func(t *txn) error {
		if _, err := t.Exec(ctx, `select pg_advisory_xact_lock($1)`, catalogLock); err != nil {
			return err
		}
		var stored string
		switch err := t.QueryRow(ctx, `select content_sha256 from calibrations where id = $1 and version = $2`,
			c.ID, c.Version).Scan(&stored); {
		case err == nil && stored == digest:
			outcome = AlreadyUpToDate
			return nil
		case err == nil:
			return domain.Errorf(domain.EConflict, "calibration %s version %s is already published with different content; "+
				"a published version is immutable, so publish the change under a new version", c.ID, c.Version)
		case err != pgx.ErrNoRows:
			return err
		}
		var key int64
		err := t.QueryRow(ctx, `select pk from frameworks where id = $1 and version = $2`, c.Framework.ID, c.Framework.Version).Scan(&key)
		if err == pgx.ErrNoRows {
			outcome = Waiting
			return nil
		}
		if err != nil {
			return err
		}
		f, err := db.framework(ctx, t, key)
		if err != nil {
			return err
		}
		if ps := c.CheckAgainst(f.Framework); len(ps) > 0 {
			return domain.Invalid(fmt.Sprintf("the calibration has %d problem(s) against its framework", len(ps)), ps)
		}
		content, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `insert into calibrations (id, version, framework, title, content, content_sha256)
			values ($1, $2, $3, $4, $5, $6)`, c.ID, c.Version, key, c.Title, content, digest); err != nil {
			return err
		}
		return t.record(actor, "calibration.publish", "calibration", c.Ref(), "", map[string]any{"id": c.ID,
			"version": c.Version, "content_sha256": digest, "framework": c.Framework.ID + "@" + c.Framework.Version})
	})
	if err != nil {
		return "", err
	}
	return outcome, nil
}

// calibration returns the published calibration with key, from the cache
// when it was read before (a published version never changes), or the
// default calibration for key 0.
func (db *DB) calibration(ctx context.Context, q querier, key int64) (*domain.Calibration, error) {
	if key == 0 {
		return domain.DefaultCalibration(), nil
	}
	db.frameworksMu.RLock()
	c, ok := db.calibrations[key]
	db.frameworksMu.RUnlock()
	if ok {
		return c, nil
	}
	rows, err := q.Query(ctx, `select content from calibrations where pk = $1`, key)
	if err != nil {
		return nil, err
	}
	raw, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	c = &domain.Calibration{}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("read calibration %d: %w", key, err)
	}
	db.frameworksMu.Lock()
	db.calibrations[key] = c
	db.frameworksMu.Unlock()
	return c, nil
}

// currentCalibrationSQL is the key of the calibration in force for the
// framework of assessment row a: the latest published for it, 0 for none.
const currentCalibrationSQL = `coalesce((select max(c.pk) from calibrations c where c.framework = a.framework), 0)`

// scoringCalibrationSQL is the key of the calibration assessment row a is
// scored with: the one in force, except in a closed campaign, which keeps
// the calibration its stored scores were computed with (when they were
// computed with this method), so that its decided scores stay as decided.
// $2 is the method.
const scoringCalibrationSQL = `case when exists (select 1 from campaigns cc where cc.id = a.campaign_id and cc.status = 'closed')
	then coalesce((select x.pk from assessment_risk r join calibrations x on x.id || '@' || x.version = r.calibration
		where r.assessment_id = a.id and r.basis = 'current' and r.method = $2), ` + currentCalibrationSQL + `)
	else ` + currentCalibrationSQL + ` end`

// Calibration returns the calibration that applies to a framework version
// now: the latest published for it, or the default.
func (db *DB) Calibration(ctx context.Context, ref FrameworkRef) (*domain.Calibration, error) {
	key, err := db.frameworkKey(ctx, ref)
	if err != nil {
		return nil, err
	}
	var pk int64
	if err := db.pool.QueryRow(ctx, `select coalesce(max(pk), 0) from calibrations where framework = $1`, key).Scan(&pk); err != nil {
		return nil, translate(err, "calibration")
	}
	c, err := db.calibration(ctx, db.pool, pk)
	return c, translate(err, "calibration")
}

// RescoreOutdated recomputes the stored scores of the assessments of
// campaigns not yet closed that were computed with another method or
// calibration than the current one. Closed campaigns keep the scores they
// were decided on; a trend can recompute them on request.
func (db *DB) RescoreOutdated(ctx context.Context, actor domain.Actor) (int, error) {
	rows, err := db.pool.Query(ctx, `select a.id::text from assessments a join campaigns c on c.id = a.campaign_id
		where c.status <> 'closed' and exists (select 1 from assessment_risk r where r.assessment_id = a.id
			and (r.method <> $1 or r.calibration <> coalesce((select x.id || '@' || x.version from calibrations x
				where x.pk = `+currentCalibrationSQL+`), '')))
		order by a.id`, domain.RiskMethod)
	if err != nil {
		return 0, translate(err, "rescore")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, translate(err, "rescore")
	}
	return len(ids), db.rebuild(ctx, actor, "", ids)
}
