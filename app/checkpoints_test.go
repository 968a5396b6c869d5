package app_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/app"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
)

// checkpointSetup is an app on an empty database whose checkpoints go to a
// directory of the test's own, with the key that signs them.
func checkpointSetup(t *testing.T) (*store.DB, string, *app.App, string, ed25519.PrivateKey) {
	t.Helper()
	db, url := storetest.Empty(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := domain.NewAuditKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "checkpoints")
	a := app.New(db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{
		CheckpointDir: dir, CheckpointKey: key.Public().(ed25519.PublicKey)})
	return db, url, a, dir, key
}

func recordEvents(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		if err := db.RecordEvent(context.Background(), domain.System("test"), "test.event", "thing", "", "", map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkpointFiles lists the directory: checkpoint files by the seq they
// sign, and every other name (a temporary file left behind would be one).
func checkpointFiles(t *testing.T, dir string) (map[int64]int, []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return map[int64]int{}, nil
	}
	if err != nil {
		t.Fatal(err)
	}
	bySeq, other := map[int64]int{}, []string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		c, err := domain.ParseCheckpoint(b)
		if err != nil || filepath.Base(e.Name()) != app.CheckpointFileName(c) {
			other = append(other, e.Name())
			continue
		}
		bySeq[c.Seq]++
	}
	return bySeq, other
}

func TestWriteCheckpointOnlyWhenTheHeadMoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url, a, dir, key := checkpointSetup(t)
	recordEvents(t, db, 3)
	c, path, err := a.WriteCheckpoint(ctx, key)
	if err != nil || path == "" || c.Seq != 3 {
		t.Fatalf("first checkpoint: %+v %q %v", c, path, err)
	}
	if err := c.Verify(key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if _, path, err := a.WriteCheckpoint(ctx, key); err != nil || path != "" {
		t.Errorf("an unmoved head was signed again: %q %v", path, err)
	}
	// Another key's checkpoint of the same head does not count as this one's.
	other, _, _ := domain.NewAuditKey()
	if _, path, err := a.WriteCheckpoint(ctx, other); err != nil || path == "" {
		t.Errorf("another key found the head signed already: %q %v", path, err)
	}
	recordEvents(t, db, 2)
	if c, path, err := a.WriteCheckpoint(ctx, key); err != nil || path == "" || c.Seq != 5 {
		t.Errorf("moved head: %+v %q %v", c, path, err)
	}
	bySeq, other2 := checkpointFiles(t, dir)
	if len(other2) != 0 || bySeq[3] != 2 || bySeq[5] != 1 || len(bySeq) != 2 {
		t.Errorf("directory: %v, other files %v", bySeq, other2)
	}

	// A broken chain is not signed, and nothing is written.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `set session_replication_role = replica; delete from audit_events where seq = 2`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recordEvents(t, db, 1)
	if _, path, err := a.WriteCheckpoint(ctx, key); domain.ErrorCodeOf(err) != domain.EConflict || path != "" {
		t.Errorf("checkpoint of a broken chain: %q %v, want conflict", path, err)
	}
	if bySeq, _ := checkpointFiles(t, dir); len(bySeq) != 2 {
		t.Errorf("a broken chain left a checkpoint: %v", bySeq)
	}
}

// TestCheckpointJobOnTwoServers runs the periodic job for real on two job
// clients over one database and one directory, as two servers would: the
// head is signed once when it moves, by one of them, and not again while it
// stays put.
func TestCheckpointJobOnTwoServers(t *testing.T) {
	t.Parallel()
	db, _, a, dir, key := checkpointSetup(t)
	recordEvents(t, db, 2)
	for range 2 {
		runJobs(t, a, app.JobOptions{CheckpointKey: key, CheckpointEvery: time.Second})
	}
	waitFor := func(seq int64) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			bySeq, other := checkpointFiles(t, dir)
			if len(other) > 0 {
				t.Fatalf("stray files in the checkpoint directory: %v", other)
			}
			if bySeq[seq] > 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no checkpoint of seq %d written: %v", seq, bySeq)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFor(2)
	recordEvents(t, db, 3)
	waitFor(5)
	time.Sleep(3 * time.Second) // three more periods with the head unmoved
	bySeq, _ := checkpointFiles(t, dir)
	if len(bySeq) != 2 || bySeq[2] != 1 || bySeq[5] != 1 {
		t.Errorf("checkpoints by seq: %v, want one of seq 2 and one of seq 5", bySeq)
	}
}
