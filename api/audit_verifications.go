package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/store"
)

// AuditVerification is a verification of the whole audit chain run in the
// background: its progress while it runs, its result once done.
type AuditVerification struct {
	ID          string            `json:"id"`
	Status      string            `json:"status" enum:"queued,running,done,failed"`
	Checked     int64             `json:"checked" doc:"Events checked so far."`
	HeadSeq     int64             `json:"head_seq" doc:"The chain's last event when the walk started: the events to check."`
	HeadHash    string            `json:"head_hash,omitempty" doc:"The hash of that event, once done."`
	OK          *bool             `json:"ok" doc:"Whether every event and checkpoint holds; null until done."`
	FirstBad    *int64            `json:"first_bad" doc:"The first event that does not hold, or null."`
	Checkpoints []CheckpointCheck `json:"checkpoints" doc:"The server's newest signed checkpoint, checked against the chain, when it keeps any."`
	Error       string            `json:"error,omitempty"`
	RequestedBy string            `json:"requested_by,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	StartedAt   *time.Time        `json:"started_at"`
	FinishedAt  *time.Time        `json:"finished_at"`
}

func auditVerificationOf(v store.AuditVerification) AuditVerification {
	out := AuditVerification{ID: v.ID, Status: v.Status, Checked: v.Checked, HeadSeq: v.HeadSeq, OK: v.OK,
		FirstBad: v.FirstBad, Checkpoints: []CheckpointCheck{}, Error: v.Error, RequestedBy: v.RequestedBy,
		CreatedAt: v.CreatedAt.UTC(), StartedAt: v.StartedAt, FinishedAt: v.FinishedAt}
	if v.Status == "done" {
		out.HeadHash = v.HeadHash
	}
	for _, c := range v.Checkpoints {
		out.Checkpoints = append(out.Checkpoints, checkpointCheckOf(c))
	}
	return out
}

type auditVerificationOutput struct {
	Location string `header:"Location"`
	Body     AuditVerification
}

// registerAuditVerifications adds the background verifications. A
// verification is read at /api/v1/audit-verifications/{id}: under
// /api/v1/audit/ a second path segment is an event's sequence number
// (/api/v1/audit/{seq}/proof), which the router cannot tell from an id.
func (a *API) registerAuditVerifications() {
	tags := []string{"Audit"}
	register(a, huma.Operation{
		OperationID: "start-audit-verification", Method: http.MethodPost, Path: "/api/v1/audit/verifications", Tags: tags,
		DefaultStatus: http.StatusAccepted,
		Summary:       "Verify the audit chain in the background",
		Description: "Queues a walk of the whole chain, recomputing every event's hash and link; poll the " +
			"verification named by Location for its progress and result.",
	}, func(ctx context.Context, _ *struct{}) (*auditVerificationOutput, error) {
		v, err := a.app.StartAuditVerification(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		return &auditVerificationOutput{Location: "/api/v1/audit-verifications/" + v.ID, Body: auditVerificationOf(v)}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-audit-verification", Method: http.MethodGet, Path: "/api/v1/audit-verifications/{id}", Tags: tags,
		Summary: "Read a background verification", Description: "Its progress while it runs, its result once done.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		ID string `path:"id" maxLength:"36"`
	}) (*auditVerificationOutput, error) {
		v, err := a.app.AuditVerification(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &auditVerificationOutput{Body: auditVerificationOf(v)}, nil
	})
}
