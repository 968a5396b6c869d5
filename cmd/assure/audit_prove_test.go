package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"assure/domain"
	"assure/store/storetest"
)

// TestAuditProve proves events against a checkpoint's signed Merkle root
// with the command, and fails an event whose stored hash was changed.
func TestAuditProve(t *testing.T) {
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
	keyFile, cpFile := filepath.Join(dir, "audit.key"), filepath.Join(dir, "cp.json")
	assure(t, "audit", "keygen", "-o", keyFile)
	if code, _, errOut := assure(t, "audit", "checkpoint", "--database-url", url, "--audit-key", keyFile, "-o", cpFile); code != 0 {
		t.Fatalf("checkpoint = %d %q", code, errOut)
	}
	record(2)
	for _, seq := range []string{"1", "3", "5"} {
		code, out, errOut := assure(t, "audit", "prove", "--database-url", url, "--audit-key", keyFile, "--checkpoint", cpFile, "--seq", seq)
		if code != 0 || !strings.Contains(out, "event "+seq+" (hash ") {
			t.Errorf("prove %s = %d %q %q", seq, code, out, errOut)
		}
	}
	if code, _, errOut := assure(t, "audit", "prove", "--database-url", url, "--audit-key", keyFile, "--checkpoint", cpFile, "--seq", "6"); code != 1 ||
		!strings.Contains(errOut, "not in a tree of 5") {
		t.Errorf("prove an event after the checkpoint = %d %q", code, errOut)
	}
	if code, _, _ := assure(t, "audit", "prove", "--database-url", url, "--checkpoint", cpFile); code != 2 {
		t.Errorf("prove without --seq = %d, want 2", code)
	}
	// A superuser changes event 3's stored hash.
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `set local session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `update audit_events set hash = repeat('0', 64) where seq = 3`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := assure(t, "audit", "prove", "--database-url", url, "--audit-key", keyFile, "--checkpoint", cpFile, "--seq", "3")
	if code != 1 || !strings.Contains(errOut, "event 3 is not proved in the checkpoint of seq 5") {
		t.Errorf("prove a changed event = %d %q", code, errOut)
	}
}
