package store_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"assure/domain"
	"assure/store/storetest"
)

// TestEventsProvedAgainstASignedTreeHead: a checkpoint signs the Merkle tree
// over the events; each event is proved in it with an inclusion proof
// alone, also after the trail grew; an event rewritten since is not.
func TestEventsProvedAgainstASignedTreeHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := storetest.Empty(t)
	key, _, _ := domain.NewAuditKey()
	pub := key.Public().(ed25519.PublicKey)
	recordN(t, db, 7, "a")
	cp, err := db.SignAuditHead(ctx, key)
	if err != nil || cp.TreeSize != 7 || cp.TreeRoot == "" {
		t.Fatalf("checkpoint: %+v %v", cp, err)
	}
	if err := cp.Verify(pub); err != nil {
		t.Fatal(err)
	}
	recordN(t, db, 3, "b")
	for seq := int64(1); seq <= 7; seq++ {
		p, err := db.AuditInclusionProof(ctx, seq, cp.TreeSize)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := db.AuditEvent(ctx, domain.System("test"), seq)
		if p.EventHash != e.Hash || p.TreeRoot != cp.TreeRoot {
			t.Errorf("proof of %d: %+v, event hash %s", seq, p, e.Hash)
		}
		if err := cp.VerifyEventInclusion(seq, p.EventHash, p.Proof); err != nil {
			t.Errorf("event %d: %v", seq, err)
		}
		if err := cp.VerifyEventInclusion(seq, strings.Repeat("0", 64), p.Proof); err == nil {
			t.Errorf("event %d proves with another hash", seq)
		}
	}
	if v, checks, err := db.VerifyAuditCheckpoints(ctx, pub, []domain.Checkpoint{cp}); err != nil || !v.OK || !checks[0].OK {
		t.Fatalf("the grown chain against the tree checkpoint: %+v %+v %v", v, checks, err)
	}
	// A checkpoint signed over a tree the events do not make fails, even
	// with its head right.
	wrongTree := domain.SignTreeCheckpoint(key, cp.Seq, cp.Hash, domain.MerkleLeaf([]byte("other")), cp.At)
	if _, checks, err := db.VerifyAuditCheckpoints(ctx, pub, []domain.Checkpoint{wrongTree}); err != nil || checks[0].OK ||
		!strings.Contains(checks[0].Problem, "Merkle tree of events 1 to 7") {
		t.Errorf("a checkpoint of another tree: %+v %v", checks, err)
	}
	// The tree head is signed: another root breaks the signature.
	forged := cp
	forged.TreeRoot = strings.Repeat("ab", 32)
	if err := forged.Verify(pub); err == nil {
		t.Error("a checkpoint with another tree root verifies")
	}
	if _, err := db.AuditInclusionProof(ctx, 0, 7); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("proof of event 0 = %v", err)
	}
	if _, err := db.AuditInclusionProof(ctx, 8, 7); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("proof of an event past the tree = %v", err)
	}
	if _, err := db.AuditInclusionProof(ctx, 1, 50); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("proof in a tree larger than the trail = %v", err)
	}

	// Event 3 rewritten and the chain recomputed: its new hash proves
	// nothing against the signed root.
	events := allEvents(t, db)
	events[2].Summary = []byte(`{"i": 99}`)
	rewrite(t, url, events)
	p, err := db.AuditInclusionProof(ctx, 3, cp.TreeSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.VerifyEventInclusion(3, p.EventHash, p.Proof); err == nil {
		t.Error("a rewritten event proves against the checkpoint")
	}
}
