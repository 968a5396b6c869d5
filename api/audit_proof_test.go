package api_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"testing"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// TestAuditEventProofAPI: an event is proved against a signed tree head
// with what the API answers, checked by the caller alone; bad requests are
// 4xx problems.
func TestAuditEventProofAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := storetest.New(t)
	key, _, err := domain.NewAuditKey()
	if err != nil {
		t.Fatal(err)
	}
	s := serveWith(t, db, dbURL, app.Options{CheckpointDir: t.TempDir(), CheckpointKey: key.Public().(ed25519.PublicKey)}, api.Options{})
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	for i := range 5 {
		s.must(db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"i": i}))
	}
	cp, err := db.SignAuditHead(ctx, key)
	s.must(err)
	s.must(db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"after": true}))

	for _, seq := range []int64{1, cp.Seq / 2, cp.Seq} {
		var p store.InclusionProof
		auditor.getJSON(fmt.Sprintf("/api/v1/audit/%d/proof?tree_size=%d", seq, cp.TreeSize), &p)
		if p.Seq != seq || p.TreeSize != cp.TreeSize {
			t.Fatalf("proof of %d: %+v", seq, p)
		}
		if err := cp.VerifyEventInclusion(seq, p.EventHash, p.Proof); err != nil {
			t.Errorf("event %d against the checkpoint: %v", seq, err)
		}
	}
	wantProblem(t, auditor.do(http.MethodGet, fmt.Sprintf("/api/v1/audit/%d/proof?tree_size=%d", cp.Seq+1, cp.Seq), nil), http.StatusUnprocessableEntity)
	wantProblem(t, auditor.do(http.MethodGet, "/api/v1/audit/1/proof?tree_size=999999", nil), http.StatusNotFound)
	wantProblem(t, auditor.do(http.MethodGet, "/api/v1/audit/1/proof", nil), http.StatusUnprocessableEntity)
	wantProblem(t, auditor.do(http.MethodGet, "/api/v1/audit/0/proof?tree_size=3", nil), http.StatusUnprocessableEntity)
}
