package app

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
	if a.checkpointDir == "" || a.checkpointKey == nil {
		return st, nil
	}
	st.Configured = true
	c, ok, err := latestCheckpointFile(a.checkpointDir)
	if err != nil || !ok {
		return st, err
	}
	v, checks, err := a.db.VerifyAuditCheckpoints(ctx, a.checkpointKey, []domain.Checkpoint{c})
	if err != nil {
		return st, err
	}
	st.Chain, st.Latest = v, &checks[0]
	return st, nil
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
