package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Checkpoint is a signed audit chain head, as `assure audit checkpoint`
// writes it.
type Checkpoint struct {
	Seq       int64     `json:"seq" minimum:"0" doc:"The sequence number of the signed head event."`
	Hash      string    `json:"hash" pattern:"^[0-9a-f]{64}$" doc:"That event's hash."`
	At        time.Time `json:"at" doc:"When the head was signed."`
	KeyID     string    `json:"key_id" maxLength:"64" doc:"Fingerprint of the signing key."`
	Signature string    `json:"signature" maxLength:"200" doc:"Ed25519 signature, base64."`
	TreeSize  int64     `json:"tree_size,omitempty" minimum:"0" doc:"Events in the signed Merkle tree (= seq), when the checkpoint signs one."`
	TreeRoot  string    `json:"tree_root,omitempty" pattern:"^([0-9a-f]{64})?$" doc:"Root of the RFC 6962 Merkle tree over the hashes of events 1 to tree_size."`
}

// CheckpointCheck says whether the chain still extends one checkpoint.
type CheckpointCheck struct {
	Checkpoint Checkpoint `json:"checkpoint"`
	OK         bool       `json:"ok"`
	Problem    string     `json:"problem,omitempty" doc:"Why the chain does not extend it."`
}

func checkpointOf(c domain.Checkpoint) Checkpoint {
	return Checkpoint{Seq: c.Seq, Hash: c.Hash, At: c.At.UTC(), KeyID: c.KeyID, Signature: c.Signature,
		TreeSize: c.TreeSize, TreeRoot: c.TreeRoot}
}

func checkpointCheckOf(c store.CheckpointCheck) CheckpointCheck {
	return CheckpointCheck{Checkpoint: checkpointOf(c.Checkpoint), OK: c.OK, Problem: c.Problem}
}

func verificationOf(v store.Verification) Verification {
	return Verification{OK: v.OK, Checked: v.Checked, FirstBad: v.FirstBad, HeadSeq: v.HeadSeq,
		HeadHash: v.HeadHash, CheckedAt: v.CheckedAt}
}

type latestCheckpointOutput struct {
	Body struct {
		Configured bool             `json:"configured" doc:"Whether this server writes and verifies checkpoints."`
		Latest     *CheckpointCheck `json:"latest" doc:"The newest checkpoint written, or null."`
		Chain      *Verification    `json:"chain" doc:"The chain verification made against it, or null."`
	}
}

type verifyCheckpointsInput struct {
	Body struct {
		Checkpoints []Checkpoint `json:"checkpoints" minItems:"1" maxItems:"100"`
	}
}

type verifyCheckpointsOutput struct {
	Body struct {
		OK          bool              `json:"ok" doc:"The chain verifies and extends every checkpoint."`
		Chain       Verification      `json:"chain"`
		Checkpoints []CheckpointCheck `json:"checkpoints"`
	}
}

type inclusionProofInput struct {
	Seq      int64 `path:"seq" minimum:"1" doc:"The event to prove."`
	TreeSize int64 `query:"tree_size" required:"true" minimum:"1" doc:"The size of the signed tree: the seq of the checkpoint to prove against."`
}

type inclusionProofOutput struct {
	Body store.InclusionProof
}

func (a *API) registerCheckpoints() {
	tags := []string{"Audit"}
	register(a, huma.Operation{
		OperationID: "get-audit-checkpoint", Method: http.MethodGet, Path: "/api/v1/audit/checkpoint", Tags: tags,
		Summary: "The latest signed audit checkpoint",
		Description: "The newest checkpoint the server wrote, and whether the chain still extends it: a chain " +
			"truncated or rewritten since, even with its head moved to match, does not.",
	}, func(ctx context.Context, _ *struct{}) (*latestCheckpointOutput, error) {
		st, err := a.app.LatestCheckpoint(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		out := &latestCheckpointOutput{}
		out.Body.Configured = st.Configured
		if st.Latest != nil {
			c, v := checkpointCheckOf(*st.Latest), verificationOf(st.Chain)
			out.Body.Latest, out.Body.Chain = &c, &v
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "verify-audit-checkpoints", Method: http.MethodPost, Path: "/api/v1/audit/checkpoint/verify", Tags: tags,
		Summary: "Verify the audit chain against checkpoints",
		Description: "Verifies the chain and, for each checkpoint kept from before, its signature with the server's " +
			"checkpoint key and that the event at its sequence number still has the signed hash. 409 when the " +
			"server has no checkpoint key.",
	}, func(ctx context.Context, in *verifyCheckpointsInput) (*verifyCheckpointsOutput, error) {
		cps := make([]domain.Checkpoint, len(in.Body.Checkpoints))
		for i, c := range in.Body.Checkpoints {
			cps[i] = domain.Checkpoint{Seq: c.Seq, Hash: c.Hash, At: c.At, KeyID: c.KeyID, Signature: c.Signature,
				TreeSize: c.TreeSize, TreeRoot: c.TreeRoot}
		}
		v, checks, err := a.app.VerifyCheckpoints(ctx, actorFrom(ctx), cps)
		if err != nil {
			return nil, err
		}
		out := &verifyCheckpointsOutput{}
		out.Body.OK, out.Body.Chain = v.OK, verificationOf(v)
		out.Body.Checkpoints = make([]CheckpointCheck, len(checks))
		for i, c := range checks {
			out.Body.Checkpoints[i] = checkpointCheckOf(c)
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "get-audit-event-proof", Method: http.MethodGet, Path: "/api/v1/audit/{seq}/proof", Tags: tags,
		Summary: "Prove one audit event in a signed Merkle tree head",
		Description: "The RFC 6962 inclusion proof of the event in the Merkle tree over events 1 to tree_size. Check it " +
			"against the tree_root of a checkpoint of seq tree_size, whose signature you verified, without reading " +
			"the chain: `assure audit prove` does. The tree_root answered here is computed from the stored events " +
			"and proves nothing alone.",
	}, func(ctx context.Context, in *inclusionProofInput) (*inclusionProofOutput, error) {
		p, err := a.app.AuditInclusionProof(ctx, actorFrom(ctx), in.Seq, in.TreeSize)
		if err != nil {
			return nil, err
		}
		return &inclusionProofOutput{Body: p}, nil
	})
}
