package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestBackupRestoreRunbook follows README's "Backup and restore" step by
// step: a signed checkpoint, pg_dump in custom format, pg_restore into a
// fresh database owned by an ordinary role, then the chain must extend the
// checkpoint, the scores must check and the evidence must come back whole.
// A dump edited on the way is caught by the same verification.
func TestBackupRestoreRunbook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	major := storetest.ServerMajor(t, storetest.AdminURL())
	pgDump := storetest.ClientProgram(t, "pg_dump", major)
	pgRestore := storetest.ClientProgram(t, "pg_restore", major)
	psql := storetest.ClientProgram(t, "psql", major)

	src := storetest.Bare(t)
	if code, _, errOut := assure(t, "seed", "demo", "--database-url", src); code != 0 {
		t.Fatalf("seed demo = %d %s", code, errOut)
	}
	dir := t.TempDir()
	keyFile, pubFile, cpDir := filepath.Join(dir, "audit.key"), filepath.Join(dir, "audit.pub"), filepath.Join(dir, "checkpoints")
	code, out, errOut := assure(t, "audit", "keygen", "-o", keyFile)
	if code != 0 {
		t.Fatalf("keygen = %d %s", code, errOut)
	}
	if err := os.WriteFile(pubFile, []byte(out[strings.Index(out, "-----BEGIN"):]), 0o644); err != nil {
		t.Fatal(err)
	}

	// 1. Checkpoint, then dump: the dump holds at least the signed head.
	if code, _, errOut := assure(t, "audit", "checkpoint", "--database-url", src, "--audit-key", keyFile, "--dir", cpDir); code != 0 {
		t.Fatalf("checkpoint = %d %s", code, errOut)
	}
	dump := filepath.Join(dir, "assure.dump")
	runProgram(t, pgDump, "--format=custom", "--file="+dump, "--dbname="+src)

	// 2. Restore into a fresh database owned by the role Assure runs as,
	// connected as that role, so every object is that role's.
	role := storetest.Role(t)
	dst := storetest.OwnedDatabase(t, role)
	runProgram(t, pgRestore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--dbname="+dst, dump)

	// 3. Check: the schema is current, the chain extends the last
	// checkpoint, the stored scores match their data.
	if code, out, errOut := assure(t, "migrate", "--database-url", dst); code != 0 || !strings.Contains(out, "schema is at version") {
		t.Fatalf("migrate the restored database = %d %q %q", code, out, errOut)
	}
	checkpoints, _ := filepath.Glob(filepath.Join(cpDir, "checkpoint-*.json"))
	sort.Strings(checkpoints)
	if len(checkpoints) == 0 {
		t.Fatal("no checkpoint written")
	}
	latest := checkpoints[len(checkpoints)-1]
	code, out, errOut = assure(t, "audit", "verify", "--database-url", dst, "--public-key", pubFile, "--checkpoint", latest)
	if code != 0 || !strings.Contains(out, "audit chain ok") || !strings.Contains(out, " ok: the chain extends event") {
		t.Fatalf("verify the restored chain = %d %q %q", code, out, errOut)
	}
	code, out, errOut = assure(t, "scores", "check", "--database-url", dst)
	if code != 0 || !strings.Contains(out, "scores ok: 16 assessments checked") {
		t.Fatalf("scores check on the restored database = %d %q %q", code, out, errOut)
	}

	// Evidence content lives in the database and comes back with it, each
	// file still hashing to the SHA-256 its evidence and filings name.
	before, after := evidenceHashes(t, src), evidenceHashes(t, dst)
	if len(before) == 0 || strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Fatalf("evidence before the backup:\n%s\nafter the restore:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}

	// Everything belongs to the role, and the restored audit trail is as
	// append-only as the original: its triggers came back too.
	conn, err := pgx.Connect(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var foreign int
	if err := conn.QueryRow(ctx, `select count(*) from pg_tables where schemaname = 'public' and tableowner <> current_user`).Scan(&foreign); err != nil || foreign != 0 {
		t.Errorf("tables not owned by the restoring role: %d %v", foreign, err)
	}
	if _, err := conn.Exec(ctx, `update audit_events set action = 'edited' where seq = 1`); err == nil {
		t.Error("the restored audit trail accepted an update")
	}

	// A backup older than the newest checkpoint: the restore is told how
	// much history it lacks, not passed.
	live, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	err = live.RecordEvent(ctx, domain.System("test"), "test.after_backup", "thing", "", "", map[string]any{})
	live.Close()
	if err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.json")
	if code, _, errOut := assure(t, "audit", "checkpoint", "--database-url", src, "--audit-key", keyFile, "-o", newer); code != 0 {
		t.Fatalf("checkpoint after the backup = %d %s", code, errOut)
	}
	code, out, _ = assure(t, "audit", "verify", "--database-url", dst, "--public-key", pubFile, "--checkpoint", newer)
	if code != 1 || !strings.Contains(out, "FAILS") || !strings.Contains(out, "truncated") {
		t.Errorf("verify a restore older than the checkpoint = %d %q, want truncated", code, out)
	}

	// A dump edited on the way: one audit event's action changed in the
	// SQL the dump turns into. The chain no longer verifies from there.
	script := filepath.Join(dir, "assure.sql")
	runProgram(t, pgRestore, "--no-owner", "--no-privileges", "--file="+script, dump)
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	edited, seq := editAuditEvent(t, b, 10)
	if err := os.WriteFile(script, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	tampered := storetest.OwnedDatabase(t, role)
	runProgram(t, psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
		"--dbname="+tampered, "--file="+script)
	code, out, _ = assure(t, "audit", "verify", "--database-url", tampered, "--public-key", pubFile, "--checkpoint", latest)
	if code != 1 || !strings.Contains(out, "audit chain BROKEN") || !strings.Contains(out, "first bad event is "+seq) {
		t.Errorf("verify a restore of an edited dump = %d %q, want BROKEN at event %s", code, out, seq)
	}
}

// runProgram runs a PostgreSQL program and fails the test with its output
// when it fails.
func runProgram(t *testing.T, program string, args ...string) {
	t.Helper()
	out, err := exec.Command(program, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(program), strings.Join(args, " "), err, out)
	}
}

// evidenceHashes lists each evidence record with its SHA-256 and the
// SHA-256 of the content stored for it, sorted.
func evidenceHashes(t *testing.T, dbURL string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		select e.id::text || ' ' || e.sha256 || ' ' ||
			encode(sha256(coalesce((select string_agg(c.data, ''::bytea order by c.seq) from blob_chunks c
				where c.provider_id = e.provider_id and c.sha256 = e.sha256), ''::bytea)), 'hex')
		from evidence e order by e.id`)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if f := strings.Fields(l); f[1] != f[2] {
			t.Errorf("evidence %s: content hashes to %s, recorded %s", f[0], f[2], f[1])
		}
	}
	return lines
}

// editAuditEvent changes the action of the nth audit event in a plain SQL
// dump and returns the script and that event's seq.
func editAuditEvent(t *testing.T, script []byte, n int) ([]byte, string) {
	t.Helper()
	lines := bytes.Split(script, []byte("\n"))
	for i, l := range lines {
		if !bytes.HasPrefix(l, []byte("COPY public.audit_events ")) {
			continue
		}
		if i+n >= len(lines) {
			break
		}
		// The COPY line names the columns: find seq's and action's.
		open, end := bytes.IndexByte(l, '('), bytes.IndexByte(l, ')')
		if open < 0 || end < open {
			break
		}
		col := map[string]int{}
		for j, name := range strings.Split(string(l[open+1:end]), ", ") {
			col[name] = j
		}
		fields := bytes.Split(lines[i+n], []byte("\t"))
		if len(fields) != len(col) {
			break
		}
		fields[col["action"]] = append(fields[col["action"]], "-edited"...)
		lines[i+n] = bytes.Join(fields, []byte("\t"))
		return bytes.Join(lines, []byte("\n")), string(fields[col["seq"]])
	}
	t.Fatalf("no audit event %d in the dump's script", n)
	return nil, ""
}
