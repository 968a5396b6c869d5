package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// UploadFile is one file of an upload, already checked, hashed and typed.
type UploadFile struct {
	Filename  string
	MediaType string
	Size      int64
	SHA256    string
	Content   io.Reader // read once, from the start
}

const evidenceColumns = `e.id::text, e.assessment_id::text, e.provider_id::text, e.filename, e.media_type, e.size,
	e.sha256, coalesce(u.email, ''), e.uploaded_at`

const evidenceFrom = ` from evidence e left join users u on u.id = e.uploaded_by `

func scanEvidence(row pgx.CollectableRow) (domain.Evidence, error) {
	var e domain.Evidence
	var at time.Time
	err := row.Scan(&e.ID, &e.AssessmentID, &e.ProviderID, &e.Filename, &e.MediaType, &e.Size, &e.SHA256,
		&e.UploadedBy, &at)
	e.UploadedAt = at.UTC().Format(time.RFC3339)
	return e, err
}

// UploadEvidence stores files as evidence of an assessment, all of them or
// none. Content the assessment's provider already stored (same SHA-256) is
// not stored again; content only other providers hold is stored anew, so that
// an upload takes as long whatever others have uploaded. A file already
// uploaded to the assessment returns its existing record.
func (db *DB) UploadEvidence(ctx context.Context, actor domain.Actor, assessmentID string, files []UploadFile) ([]domain.Evidence, error) {
	var out []domain.Evidence
	err := db.write(ctx, "upload evidence", func(t *txn) error {
		a, err := getAssessment(ctx, t, actor, assessmentID, "share")
		if err != nil {
			return err
		}
		if err := editable(ctx, t, a); err != nil {
			return err
		}
		for _, f := range files {
			tag, err := t.Exec(ctx, `insert into blobs (provider_id, sha256, size) values ($1, $2, $3) on conflict do nothing`,
				a.ProviderID, f.SHA256, f.Size)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				written, err := copyChunks(ctx, t, evidenceContent(a.ProviderID, f.SHA256), f.Content)
				if err != nil {
					return err
				}
				if written != f.Size {
					return fmt.Errorf("upload of %s: %d bytes stored, %d announced", f.Filename, written, f.Size)
				}
			}
			rows, err := t.Query(ctx, `with ins as (
					insert into evidence (assessment_id, provider_id, filename, media_type, size, sha256, uploaded_by)
					values ($1, $2, $3, $4, $5, $6, $7) on conflict (assessment_id, sha256) do nothing returning *)
				select `+evidenceColumns+` from ins e left join users u on u.id = e.uploaded_by`,
				assessmentID, a.ProviderID, f.Filename, f.MediaType, f.Size, f.SHA256, nullable(actor.UserID))
			if err != nil {
				return err
			}
			e, err := pgx.CollectExactlyOneRow(rows, scanEvidence)
			if errors.Is(err, pgx.ErrNoRows) {
				// The same content was uploaded to this assessment before.
				rows, err := t.Query(ctx, `select `+evidenceColumns+evidenceFrom+` where e.assessment_id = $1 and e.sha256 = $2`,
					assessmentID, f.SHA256)
				if err != nil {
					return err
				}
				if e, err = pgx.CollectExactlyOneRow(rows, scanEvidence); err != nil {
					return err
				}
				out = append(out, e)
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, e)
			if err := t.record(actor, "evidence.upload", "evidence", e.ID, a.ProviderID, map[string]any{
				"assessment_id": assessmentID, "filename": e.Filename, "media_type": e.MediaType,
				"size": e.Size, "sha256": e.SHA256}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Evidence returns one evidence record the actor may see.
func (db *DB) Evidence(ctx context.Context, actor domain.Actor, id string) (domain.Evidence, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.Evidence{}, err
	}
	if !isUUID(id) {
		return domain.Evidence{}, domain.Errorf(domain.ENotFound, "no such evidence")
	}
	rows, err := db.pool.Query(ctx, `select `+evidenceColumns+evidenceFrom+`
		where e.id = $1 and ($2 = '*' or e.provider_id = nullif($2, '*')::uuid)`, id, scope)
	if err != nil {
		return domain.Evidence{}, translate(err, "get evidence")
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEvidence)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, domain.Errorf(domain.ENotFound, "no such evidence")
	}
	return e, translate(err, "get evidence")
}

// EvidenceOf lists the evidence uploaded to an assessment, newest first.
func (db *DB) EvidenceOf(ctx context.Context, actor domain.Actor, assessmentID string, page Page) ([]domain.Evidence, string, error) {
	if _, err := db.Assessment(ctx, actor, assessmentID); err != nil {
		return nil, "", err
	}
	afterAt, afterID, err := decodeNewestCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+evidenceColumns+evidenceFrom+`
		where e.assessment_id = $1 and (e.uploaded_at, e.id) < ($2, $3::uuid)
		order by e.uploaded_at desc, e.id desc limit $4`, assessmentID, afterAt, afterID, limit+1)
	if err != nil {
		return nil, "", translate(err, "list evidence")
	}
	list, err := pgx.CollectRows(rows, scanEvidence)
	if err != nil {
		return nil, "", translate(err, "list evidence")
	}
	list, next := pageOf(list, limit, func(e domain.Evidence) []any {
		at, _ := time.Parse(time.RFC3339, e.UploadedAt)
		return []any{at, e.ID}
	})
	return list, next, nil
}

// WriteEvidence streams a provider's copy of the content with the given
// SHA-256 to w, one stored chunk at a time. A content the provider does not
// hold is not found.
func (db *DB) WriteEvidence(ctx context.Context, providerID, sha256 string, w io.Writer) error {
	var held bool
	if isUUID(providerID) {
		if err := db.pool.QueryRow(ctx, `select exists (select 1 from blobs where provider_id = $1 and sha256 = $2)`,
			providerID, sha256).Scan(&held); err != nil {
			return translate(err, "read evidence content")
		}
	}
	if !held {
		return domain.Errorf(domain.ENotFound, "no such evidence content")
	}
	return db.writeChunks(ctx, evidenceContent(providerID, sha256), w)
}
