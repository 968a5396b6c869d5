package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store/storetest"
)

func TestAuditCheckpointCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	record := func(n int) {
		for i := range n {
			if err := db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"i": i}); err != nil {
				t.Fatal(err)
			}
		}
	}
	record(5)
	dir := t.TempDir()
	keyFile, pubFile := filepath.Join(dir, "audit.key"), filepath.Join(dir, "audit.pub")
	code, out, errOut := assure(t, "audit", "keygen", "-o", keyFile)
	if code != 0 || !strings.Contains(out, "BEGIN PUBLIC KEY") {
		t.Fatalf("keygen = %d %q %q", code, out, errOut)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if err := os.WriteFile(pubFile, []byte(out[strings.Index(out, "-----BEGIN"):]), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := assure(t, "audit", "keygen", "-o", keyFile); code != 1 || !strings.Contains(errOut, "never overwritten") {
		t.Errorf("keygen over a key = %d %q", code, errOut)
	}
	if code, _, _ := assure(t, "audit", "checkpoint", "--database-url", url); code != 2 {
		t.Errorf("checkpoint without a key = %d, want 2", code)
	}

	cpDir := filepath.Join(dir, "checkpoints")
	code, out, errOut = assure(t, "audit", "checkpoint", "--database-url", url, "--audit-key", keyFile, "--dir", cpDir)
	if code != 0 || !strings.Contains(out, "checkpoint of event 5 written") {
		t.Fatalf("checkpoint = %d %q %q", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(cpDir, "checkpoint-*.json"))
	if len(files) != 1 {
		t.Fatalf("checkpoint files: %v", files)
	}
	record(2)
	later := filepath.Join(dir, "later.json")
	if code, _, errOut := assure(t, "audit", "checkpoint", "--database-url", url, "--audit-key", keyFile, "-o", later); code != 0 {
		t.Fatalf("checkpoint -o = %d %q", code, errOut)
	}
	record(1)

	// A grown chain extends both, checked with the public key alone.
	code, out, errOut = assure(t, "audit", "verify", "--database-url", url, "--public-key", pubFile, "--checkpoint", files[0], later)
	if code != 0 || strings.Count(out, " ok: the chain extends event") != 2 {
		t.Fatalf("verify against checkpoints = %d %q %q", code, out, errOut)
	}
	if code, _, errOut := assure(t, "audit", "verify", "--database-url", url, "--checkpoint", later); code != 2 || !strings.Contains(errOut, "--public-key") {
		t.Errorf("verify with checkpoints and no key = %d %q", code, errOut)
	}
	otherKey := filepath.Join(dir, "other.key")
	assure(t, "audit", "keygen", "-o", otherKey)
	code, out, _ = assure(t, "audit", "verify", "--database-url", url, "--audit-key", otherKey, "--checkpoint", later)
	if code != 1 || !strings.Contains(out, "FAILS") || !strings.Contains(out, "signed by key") {
		t.Errorf("verify with another key = %d %q", code, out)
	}

	// A superuser deletes the last three events and moves the head back:
	// the chain verifies alone, not against the later checkpoint.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `set session_replication_role = replica; delete from audit_events where seq > 5;
		update audit_head set seq = 5, hash = (select hash from audit_events where seq = 5)`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := assure(t, "audit", "verify", "--database-url", url); code != 0 {
		t.Fatalf("plain verify of the truncated chain = %d %q; it should hold alone", code, out)
	}
	code, out, errOut = assure(t, "audit", "verify", "--database-url", url, "--public-key", pubFile, "--checkpoint", files[0], "--checkpoint", later)
	if code != 1 || !strings.Contains(out, "later.json FAILS") || !strings.Contains(out, "truncated") ||
		!strings.Contains(errOut, "does not extend 1 of 2 checkpoints") {
		t.Errorf("verify the truncated chain against checkpoints = %d %q %q", code, out, errOut)
	}

	// A broken chain is not signed.
	conn, _ = pgx.Connect(ctx, url)
	_, err = conn.Exec(ctx, `set session_replication_role = replica; delete from audit_events where seq = 2`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := assure(t, "audit", "checkpoint", "--database-url", url, "--audit-key", keyFile); code != 1 || !strings.Contains(errOut, "not signed") {
		t.Errorf("checkpoint of a broken chain = %d %q", code, errOut)
	}
}
