package api_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

type latestCheckpoint struct {
	Configured bool                 `json:"configured"`
	Latest     *api.CheckpointCheck `json:"latest"`
	Chain      *verification        `json:"chain"`
}

type checkpointsVerified struct {
	OK          bool                  `json:"ok"`
	Chain       verification          `json:"chain"`
	Checkpoints []api.CheckpointCheck `json:"checkpoints"`
}

func TestAuditCheckpointAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := storetest.New(t)
	key, _, err := domain.NewAuditKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := serveWith(t, db, dbURL, app.Options{CheckpointDir: dir, CheckpointKey: key.Public().(ed25519.PublicKey)}, api.Options{})
	supervisor := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	for i := range 3 {
		s.must(db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"i": i}))
	}

	var latest latestCheckpoint
	supervisor.getJSON("/api/v1/audit/checkpoint", &latest)
	if !latest.Configured || latest.Latest != nil {
		t.Fatalf("before any checkpoint: %+v", latest)
	}

	cp, err := db.SignAuditHead(ctx, key)
	s.must(err)
	b, _ := json.Marshal(cp)
	// Only checkpoint files count, and the one whose name sorts last is the latest.
	s.must(os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a checkpoint"), 0o644))
	s.must(os.WriteFile(filepath.Join(dir, app.CheckpointFilePrefix+"000000000000-a.json"), []byte(`{}`), 0o644))
	s.must(os.WriteFile(filepath.Join(dir, app.CheckpointFilePrefix+"999999999999-z.json"), b, 0o644))
	s.must(db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"after": true}))

	supervisor.getJSON("/api/v1/audit/checkpoint", &latest)
	if latest.Latest == nil || !latest.Latest.OK || latest.Latest.Checkpoint.Seq != cp.Seq || !latest.Chain.OK {
		t.Fatalf("latest on a grown chain: %+v", latest)
	}
	posted := map[string]any{"checkpoints": []api.Checkpoint{latest.Latest.Checkpoint}}
	var verified checkpointsVerified
	supervisor.json(http.MethodPost, "/api/v1/audit/checkpoint/verify", posted, http.StatusOK, &verified)
	if !verified.OK || len(verified.Checkpoints) != 1 || !verified.Checkpoints[0].OK {
		t.Fatalf("verify a kept checkpoint: %+v", verified)
	}

	// A superuser deletes the last events and moves the head back.
	conn, err := pgx.Connect(ctx, dbURL)
	s.must(err)
	_, err = conn.Exec(ctx, fmt.Sprintf(`set session_replication_role = replica; delete from audit_events where seq >= %d;
		update audit_head set seq = (select max(seq) from audit_events), hash = (select hash from audit_events order by seq desc limit 1)`,
		cp.Seq))
	conn.Close(ctx)
	s.must(err)

	var v verification
	supervisor.getJSON("/api/v1/audit/verify", &v)
	if !v.OK {
		t.Fatalf("the truncated chain should verify alone: %+v", v)
	}
	supervisor.getJSON("/api/v1/audit/checkpoint", &latest)
	if latest.Latest == nil || latest.Latest.OK || !strings.Contains(latest.Latest.Problem, "truncated") || latest.Chain.OK {
		t.Errorf("latest on the truncated chain: %+v", latest)
	}
	supervisor.json(http.MethodPost, "/api/v1/audit/checkpoint/verify", posted, http.StatusOK, &verified)
	if verified.OK || verified.Checkpoints[0].OK {
		t.Errorf("verify the truncated chain against a kept checkpoint: %+v", verified)
	}

	// Bad input is a 422, and a server without a key answers 409.
	bad := map[string]any{"checkpoints": []map[string]any{{"seq": -1, "hash": "nope"}}}
	if r := supervisor.do(http.MethodPost, "/api/v1/audit/checkpoint/verify", bad); r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad checkpoint = %d %s", r.status, r.body)
	}
	bare := serve(t, db, dbURL)
	if r := bare.as(bare.tokenFor(bare.user(domain.RoleAuditor, ""))).do(http.MethodPost, "/api/v1/audit/checkpoint/verify", posted); r.status != http.StatusConflict {
		t.Errorf("verify on a server without a key = %d %s", r.status, r.body)
	}
}
