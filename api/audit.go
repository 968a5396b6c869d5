package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// AuditEvent is one entry of the audit trail.
type AuditEvent struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id,omitempty"`
	ActorEmail string          `json:"actor_email,omitempty"`
	ActorRole  string          `json:"actor_role,omitempty"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id,omitempty"`
	ProviderID string          `json:"provider_id,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
	Address    string          `json:"address,omitempty"`
	Summary    json.RawMessage `json:"summary" doc:"What changed."`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

func auditEventOf(e domain.Event) AuditEvent {
	return AuditEvent{Seq: e.Seq, At: e.At.UTC(), ActorID: e.ActorID, ActorEmail: e.ActorEmail, ActorRole: e.ActorRole,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, ProviderID: e.ProviderID,
		RequestID: e.RequestID, Address: e.Address, Summary: e.Summary, PrevHash: e.PrevHash, Hash: e.Hash}
}

type listAuditInput struct {
	ListParams
	Actor      string    `query:"actor" maxLength:"254" doc:"A user id or email."`
	ObjectType string    `query:"object_type" maxLength:"100"`
	ObjectID   string    `query:"object_id" maxLength:"200"`
	Provider   string    `query:"provider" maxLength:"36" doc:"A provider id."`
	Action     string    `query:"action" maxLength:"100" doc:"e.g. session.login_failed"`
	From       time.Time `query:"from" doc:"Events at or after this time (RFC 3339)."`
	To         time.Time `query:"to" doc:"Events before this time (RFC 3339)."`
}

// Verification is the result of checking the audit chain.
type Verification struct {
	OK        bool      `json:"ok"`
	Checked   int64     `json:"checked" doc:"Events whose hash and link were checked."`
	FirstBad  *int64    `json:"first_bad" doc:"The first event that does not hold, or null."`
	HeadSeq   int64     `json:"head_seq" doc:"The sequence number of the chain's last event when checked."`
	HeadHash  string    `json:"head_hash" doc:"The hash of that event: keep it to show later that nothing before it changed."`
	CheckedAt time.Time `json:"checked_at"`
	// Verification is set, with status 202, when the chain was too long to
	// verify within the request.
	Verification string `json:"verification,omitempty" doc:"When the chain is too long to verify within a request (202): the background verification queued instead, to poll."`
}

type verifyOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     Verification
}

func (a *API) registerAudit() {
	tags := []string{"Audit"}
	register(a, huma.Operation{
		OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit", Tags: tags,
		Summary: "Read the audit trail", Description: "Events newest first, filtered by actor, object, provider, action and time.",
	}, func(ctx context.Context, in *listAuditInput) (*ListOutput[AuditEvent], error) {
		list, next, err := a.app.AuditEvents(ctx, actorFrom(ctx), store.AuditFilter{Actor: in.Actor, ObjectType: in.ObjectType,
			ObjectID: in.ObjectID, ProviderID: in.Provider, Action: in.Action, From: in.From, To: in.To}, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, auditEventOf), nil
	})

	register(a, huma.Operation{
		OperationID: "verify-audit", Method: http.MethodGet, Path: "/api/v1/audit/verify", Tags: tags,
		Summary: "Verify the audit chain",
		Description: "Recomputes every event's hash and link in order and reports the first event that does not " +
			"hold: altered, removed or inserted behind Assure's back. A chain too long to walk within a request " +
			"is verified in the background instead: 202, with Location naming the verification to poll.",
	}, func(ctx context.Context, _ *struct{}) (*verifyOutput, error) {
		v, queued, err := a.app.VerifyAuditWithin(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		if queued != nil {
			path := "/api/v1/audit-verifications/" + queued.ID
			return &verifyOutput{Status: http.StatusAccepted, Location: path,
				Body: Verification{HeadSeq: queued.HeadSeq, Verification: path}}, nil
		}
		return &verifyOutput{Status: http.StatusOK, Body: Verification{OK: v.OK, Checked: v.Checked, FirstBad: v.FirstBad,
			HeadSeq: v.HeadSeq, HeadHash: v.HeadHash, CheckedAt: v.CheckedAt}}, nil
	})
	a.registerAuditVerifications()
	a.registerCheckpoints()
}
