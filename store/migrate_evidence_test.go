package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"assure/domain"
	"assure/frameworks"
	"assure/migrations"
	"assure/store"
	"assure/store/storetest"
)

// sharedContentVersion is the last schema that stored evidence content once
// for every provider, keyed by its SHA-256 alone.
const sharedContentVersion = 8

// migrateTo applies the migrations up to version, and no further, to the
// database at url.
func migrateTo(t *testing.T, url string, version int32) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, "public.schema_version")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, version); err != nil {
		t.Fatal(err)
	}
}

// storedTheOldWay writes content as the shared store did: one blobs row per
// SHA-256, its chunks under that SHA-256 alone, and an evidence record of an
// assessment pointing at it. It returns the evidence's id.
func storedTheOldWay(t *testing.T, url string, s side, content []byte, name string) string {
	t.Helper()
	file := upload(name, "application/pdf", content)
	exec(t, url, `insert into blobs (sha256, size) values ($1, $2) on conflict do nothing`, file.SHA256, file.Size)
	if count(t, url, `select count(*) from blob_chunks where sha256 = $1`, file.SHA256) == 0 {
		for seq, at := 1, 0; at < len(content); seq, at = seq+1, at+1<<20 {
			exec(t, url, `insert into blob_chunks (sha256, seq, data) values ($1, $2, $3)`,
				file.SHA256, seq, content[at:min(at+1<<20, len(content))])
		}
	}
	var id string
	if err := queryRow(url, `insert into evidence (assessment_id, provider_id, filename, media_type, size, sha256)
		values ($1, $2, $3, 'application/pdf', $4, $5) returning id::text`,
		[]any{s.assessment.ID, s.id, name, file.Size, file.SHA256}, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestMigrationStoresEvidenceContentPerProvider: evidence stored while
// content was shared across providers comes through the migration with one
// copy of its content per provider that uses it. Every file still reads back
// byte for byte, its record (id, SHA-256, links) is what it was, and the
// stored content stays unchangeable.
func TestMigrationStoresEvidenceContentPerProvider(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.Bare(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	migrateTo(t, url, sharedContentVersion)
	// Today's store code sets up the old data, and it reads tables of later
	// migrations (identity requests, passkeys, the audit head's time, the
	// priority ranking, campaign openings, the progress counts, the
	// catalog's levels, derived answers, risk method 2, inspections and the
	// ranking's drivers, notifications, campaign series): they are made for the set-up and
	// dropped again before the migrations under test run, except the
	// columns of the audit head, the progress counts, the catalog, the
	// answers and the scores, whose migrations run again unchanged over them.
	later := []string{"010_identity_requests.sql", "011_passkeys.sql", "013_audit_time_order.sql", "015_priorities.sql", "016_campaign_openings.sql",
		"018_assessment_progress.sql", "019_framework_levels.sql", "021_derived_answers.sql", "023_risk_method_2.sql",
		"024_inspections.sql", "026_notifications.sql", "027_calendar.sql"}
	for _, name := range later {
		sql, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		exec(t, url, string(sql))
	}
	// Opening a campaign queues its e-mail on River's tables, which
	// Migrate makes too: made here already, they are left as they are.
	rm, err := rivermigrate.New(riverpgxv5.New(db.Pool()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	list, err := frameworks.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range list {
		if _, err := db.PublishFramework(ctx, domain.System("test"), fw); err != nil {
			t.Fatal(err)
		}
	}
	f := filingOn(t, db, url)

	shared := pdf(2<<20+4321, 11) // three chunks, held by both providers
	onlyA := pdf(5000, 12)
	onlyB := pdf(1<<20, 13) // exactly one chunk
	files := []struct {
		side    side
		content []byte
		id      string
	}{
		{side: f.a, content: shared},
		{side: f.b, content: shared},
		{side: f.a, content: onlyA},
		{side: f.b, content: onlyB},
	}
	for i := range files {
		files[i].id = storedTheOldWay(t, url, files[i].side, files[i].content, fmt.Sprintf("file-%d.pdf", i))
	}
	r := f.responses(t, f.a.editor, f.a.assessment.ID)[0]
	exec(t, url, `insert into response_evidence (assessment_id, control_id, evidence_id) values ($1, $2, $3)`,
		f.a.assessment.ID, r.ControlID, files[0].id)
	if n := count(t, url, `select count(*) from blob_chunks`); n != 3+1+1 {
		t.Fatalf("%d chunks stored the old way, want 5", n)
	}
	before := evidenceRows(t, url)

	exec(t, url, `drop table identity_requests, webauthn_ceremonies, passkeys, priorities, campaign_openings, inspections,
		mail_outbox, link_tokens, notifications, notice_keys, notification_preferences`)
	exec(t, url, `alter table campaigns drop column series_id, drop column occurrence;
		drop table campaign_series, calendar_feeds`)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	if after := evidenceRows(t, url); after != before {
		t.Errorf("the evidence records changed in the migration:\n%s\nbecame\n%s", before, after)
	}
	if n := count(t, url, `select count(*) from response_evidence where evidence_id = $1`, files[0].id); n != 1 {
		t.Errorf("the answer's link to its evidence: %d rows, want 1", n)
	}
	for _, want := range []struct {
		side   side
		chunks int
	}{{f.a, 3 + 1}, {f.b, 3 + 1}} {
		if n := count(t, url, `select count(*) from blob_chunks where provider_id = $1`, want.side.id); n != want.chunks {
			t.Errorf("provider %s holds %d chunks after the migration, want %d", want.side.id, n, want.chunks)
		}
	}
	for _, file := range files {
		e, err := db.Evidence(ctx, f.sup, file.id)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := db.WriteEvidence(ctx, e.ProviderID, e.SHA256, &out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), file.content) {
			t.Errorf("evidence %s reads back as %d different bytes after the migration (%d stored)",
				e.Filename, out.Len(), len(file.content))
		}
	}
	err = db.WriteEvidence(ctx, f.b.id, upload("x", "application/pdf", onlyA).SHA256, io.Discard)
	wantCode(t, "reading, as provider B, content only provider A used", err, domain.ENotFound)
	for _, sql := range []string{
		`update blobs set size = size + 1`,
		`delete from blobs`,
		`truncate blobs cascade`,
		`update blob_chunks set data = ''::bytea`,
		`delete from blob_chunks`,
		`truncate blob_chunks`,
		`update evidence set filename = 'x'`,
	} {
		if err := execErr(url, sql); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Errorf("after the migration, %s: %v, want it refused", sql, err)
		}
	}
}

// evidenceRows lists every evidence record as text, in a fixed order.
func evidenceRows(t *testing.T, url string) string {
	t.Helper()
	var rows string
	if err := queryRow(url, `select coalesce(string_agg(concat_ws(' ', id, assessment_id, provider_id, filename,
		media_type, size, sha256, uploaded_at), e'\n' order by id), '') from evidence`, nil, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}
