package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"assure/domain"
	"assure/store"
)

// CheckpointFilePrefix starts the name of every checkpoint file written into
// a checkpoint directory; the zero-padded sequence number after it makes the
// newest file sort last.
const CheckpointFilePrefix = "checkpoint-"

// CheckpointStatus is the latest checkpoint in the configured directory and
// whether the chain still extends it.
type CheckpointStatus struct {
	Configured bool // a checkpoint directory and key are set
	Latest     *store.CheckpointCheck
	Chain      store.Verification
}

// LatestCheckpoint reads the newest checkpoint of the configured directory
// and verifies the chain against it. Without a directory and key, or with no
// checkpoint written yet, it says so in the status rather than failing. A
// file there that is not a checkpoint is EInvalid.
func (a *App) LatestCheckpoint(ctx context.Context, actor domain.Actor) (CheckpointStatus, error) {
	var st CheckpointStatus
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return st, err
	}
	configured, c, err := a.newestCheckpoint()
	st.Configured = configured
	if err != nil || c == nil {
		return st, err
	}
	v, checks, err := a.db.VerifyAuditCheckpoints(ctx, a.checkpointKey, []domain.Checkpoint{*c})
	if err != nil {
		return st, err
	}
	st.Chain, st.Latest = v, &checks[0]
	return st, nil
}

// NewestCheckpoint reads the newest checkpoint of the configured directory
// without checking the chain against it, which a background verification
// does. configured is false when the server has no checkpoint directory and
// key; latest is nil when none is written yet. A file there that is not a
// checkpoint is EInvalid.
func (a *App) NewestCheckpoint(ctx context.Context, actor domain.Actor) (configured bool, latest *domain.Checkpoint, err error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return false, nil, err
	}
	return a.newestCheckpoint()
}

// newestCheckpoint is where the server's checkpoints are found: only with
// both a directory and the key to check their signatures.
func (a *App) newestCheckpoint() (configured bool, latest *domain.Checkpoint, err error) {
	if a.checkpointDir == "" || a.checkpointKey == nil {
		return false, nil, nil
	}
	c, ok, err := latestCheckpointFile(a.checkpointDir)
	if err != nil || !ok {
		return true, nil, err
	}
	return true, &c, nil
}

// VerifyCheckpoints verifies the chain against checkpoints a caller kept,
// with the configured public key: EConflict when none is configured,
// EInvalid for more than store.MaxCheckpoints.
func (a *App) VerifyCheckpoints(ctx context.Context, actor domain.Actor, cps []domain.Checkpoint) (store.Verification, []store.CheckpointCheck, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return store.Verification{}, nil, err
	}
	if a.checkpointKey == nil {
		return store.Verification{}, nil, domain.Errorf(domain.EConflict, "no checkpoint key is configured on this server")
	}
	return a.db.VerifyAuditCheckpoints(ctx, a.checkpointKey, cps)
}

// AuditInclusionProof proves event seq in the Merkle tree of the first
// treeSize events, for a verifier holding a checkpoint of seq treeSize.
// Only who may verify the trail may ask, as the proof shows hashes of every
// provider's events. EInvalid and ENotFound as store.AuditInclusionProof.
func (a *App) AuditInclusionProof(ctx context.Context, actor domain.Actor, seq, treeSize int64) (store.InclusionProof, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return store.InclusionProof{}, err
	}
	return a.db.AuditInclusionProof(ctx, seq, treeSize)
}

// latestCheckpointFile reads the checkpoint file of dir whose name sorts
// last; ok is false when there is none.
func latestCheckpointFile(dir string) (domain.Checkpoint, bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return domain.Checkpoint{}, false, nil
	}
	if err != nil {
		return domain.Checkpoint{}, false, err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, CheckpointFilePrefix) && strings.HasSuffix(n, ".json") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return domain.Checkpoint{}, false, nil
	}
	sort.Strings(names)
	b, err := os.ReadFile(filepath.Join(dir, names[len(names)-1]))
	if err != nil {
		return domain.Checkpoint{}, false, err
	}
	c, err := domain.ParseCheckpoint(b)
	return c, err == nil, err
}

// CheckpointFileName is the name a checkpoint takes in a checkpoint
// directory: its sequence number, zero-padded so names sort by it, and the
// time it was signed.
func CheckpointFileName(c domain.Checkpoint) string {
	return fmt.Sprintf(CheckpointFilePrefix+"%012d-%s.json", c.Seq, c.At.UTC().Format("20060102T150405.000000Z"))
}

// WriteCheckpointFile writes c to file. The file appears whole or not at
// all: it is written beside its name and renamed over it, so a reader never
// meets half a checkpoint.
func WriteCheckpointFile(file string, c domain.Checkpoint) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".checkpoint-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// WriteCheckpoint signs the audit head with key and writes the checkpoint
// into the configured directory, unless the newest checkpoint there already
// names the head with this key: then nothing is written and path is "". It
// is the periodic job's work, a system act with no actor, and it is not
// audited: an event for it would move the head it has just signed. A chain
// that does not verify is never signed (EConflict); without a configured
// directory it is EConflict too.
func (a *App) WriteCheckpoint(ctx context.Context, key ed25519.PrivateKey) (c domain.Checkpoint, path string, err error) {
	if a.checkpointDir == "" || key == nil {
		return c, "", domain.Errorf(domain.EConflict, "no checkpoint directory and key are configured")
	}
	latest, ok, lerr := latestCheckpointFile(a.checkpointDir)
	if lerr != nil {
		// An unreadable newest file must not stop new checkpoints.
		a.log.WarnContext(ctx, "the newest audit checkpoint cannot be read; writing a new one", "dir", a.checkpointDir, "err", lerr)
	}
	seq, hash, err := a.db.AuditHead(ctx)
	if err != nil {
		return c, "", err
	}
	if ok && lerr == nil && latest.Seq == seq && latest.Hash == hash &&
		latest.KeyID == domain.KeyID(key.Public().(ed25519.PublicKey)) {
		return latest, "", nil
	}
	if c, err = a.db.SignAuditHead(ctx, key); err != nil {
		return c, "", err
	}
	if err := os.MkdirAll(a.checkpointDir, 0o755); err != nil {
		return c, "", err
	}
	path = filepath.Join(a.checkpointDir, CheckpointFileName(c))
	return c, path, WriteCheckpointFile(path, c)
}

// DefaultCheckpointEvery is how often the server signs a checkpoint of the
// audit head when it holds the signing key.
const DefaultCheckpointEvery = time.Hour

// checkpointArgs asks for a checkpoint of the audit head.
type checkpointArgs struct{}

func (checkpointArgs) Kind() string { return "audit_checkpoint" }

// checkpointJob runs the checkpoint worker every period. Only River's elected
// leader inserts periodic jobs, and each insert is unique within its period,
// so several servers on one database write one checkpoint a period between
// them, not one each.
func checkpointJob(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = DefaultCheckpointEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return checkpointArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{RunOnStart: true, ID: "audit_checkpoint"})
}

type checkpointWorker struct {
	river.WorkerDefaults[checkpointArgs]
	app *App
	log *slog.Logger
	key ed25519.PrivateKey
}

// Work writes a checkpoint when the head has moved. A chain that does not
// verify is an alarm, not a job to retry: it is logged as an error and the
// job cancelled; the next period tries again.
func (w *checkpointWorker) Work(ctx context.Context, _ *river.Job[checkpointArgs]) error {
	c, path, err := w.app.WriteCheckpoint(ctx, w.key)
	switch {
	case domain.ErrorCodeOf(err) == domain.EConflict:
		w.log.ErrorContext(ctx, "audit checkpoint not written", "err", err)
		return river.JobCancel(err)
	case err != nil:
		return err
	case path != "":
		w.log.InfoContext(ctx, "audit checkpoint written", "seq", c.Seq, "file", path)
	}
	return nil
}
