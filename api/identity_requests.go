package api

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// IdentityRequest is a privileged identity change waiting for, or decided
// by, a second administrator.
type IdentityRequest struct {
	ID               string         `json:"id" format:"uuid"`
	Kind             string         `json:"kind" enum:"user.create,user.enable,user.change,user.reset_password,user.reset_second_factor"`
	TargetID         string         `json:"target_id,omitempty" format:"uuid" doc:"The user concerned; absent for a creation, whose user exists only once approved."`
	TargetEmail      string         `json:"target_email" format:"email"`
	Change           IdentityChange `json:"change" doc:"What approval would do; empty for a reset."`
	RequestedBy      string         `json:"requested_by,omitempty" format:"uuid" doc:"The administrator who asked; absent when the command line did."`
	RequestedByEmail string         `json:"requested_by_email"`
	RequestedAt      time.Time      `json:"requested_at"`
	ExpiresAt        time.Time      `json:"expires_at"`
	State            string         `json:"state" enum:"pending,approved,rejected,cancelled,expired"`
	DecidedBy        string         `json:"decided_by,omitempty" format:"uuid"`
	DecidedByEmail   string         `json:"decided_by_email,omitempty"`
	DecidedAt        *time.Time     `json:"decided_at,omitempty"`
	Reason           string         `json:"reason,omitempty" doc:"Why it was rejected, if the administrator said."`
}

// IdentityChange is the change a request carries.
type IdentityChange struct {
	Email      string  `json:"email,omitempty"`
	Name       *string `json:"name,omitempty"`
	Role       *string `json:"role,omitempty"`
	ProviderID *string `json:"provider_id,omitempty"`
	Status     *string `json:"status,omitempty"`
	Version    int     `json:"version,omitempty" doc:"The user's version when asked; approval needs it unchanged."`
}

func identityRequestOf(r domain.IdentityRequest) IdentityRequest {
	out := IdentityRequest{ID: r.ID, Kind: string(r.Kind), TargetID: r.TargetID, TargetEmail: r.TargetEmail,
		RequestedBy: r.RequestedBy, RequestedByEmail: r.RequestedByEmail, RequestedAt: r.RequestedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), State: string(r.StateAt(time.Now())), DecidedBy: r.DecidedBy,
		DecidedByEmail: r.DecidedByEmail, Reason: r.Reason}
	if !r.DecidedAt.IsZero() {
		at := r.DecidedAt.UTC()
		out.DecidedAt = &at
	}
	c := r.Change
	out.Change = IdentityChange{Email: c.Email, Name: c.Name, ProviderID: c.ProviderID, Version: c.Version}
	if c.Role != nil {
		role := string(*c.Role)
		out.Change.Role = &role
	}
	if c.Status != nil {
		status := string(*c.Status)
		out.Change.Status = &status
	}
	return out
}

// pendingOutput answers an operation whose change may wait for a second
// administrator: its usual answer, or 202 with the request filed.
type pendingOutput struct {
	Status int
	ETag   string `header:"ETag"`
	Body   any
}

func pendingResponse(r *domain.IdentityRequest) *pendingOutput {
	return &pendingOutput{Status: http.StatusAccepted, Body: identityRequestOf(*r)}
}

// pendingDescription ends the description of every such operation.
const pendingDescription = " A privileged change — creating, re-enabling, resetting the password or second factor of a " +
	"supervisor, admin or auditor, or moving a user into or out of those roles — does not take effect: the answer is " +
	"202 Accepted with the identity request filed, which another administrator approves " +
	"(see approve-identity-request); that administrator, never the requester, receives any temporary password."

// documentPending writes the two answers of an operation registered with a
// pendingOutput: status with the schema of immediate (nil for no body), and
// 202 with the identity request.
func documentPending(a *API, method, path string, status int, immediate reflect.Type) {
	item := a.huma.OpenAPI().Paths[path]
	var op *huma.Operation
	switch method {
	case http.MethodPost:
		op = item.Post
	case http.MethodPut:
		op = item.Put
	case http.MethodPatch:
		op = item.Patch
	case http.MethodDelete:
		op = item.Delete
	}
	registry := a.huma.OpenAPI().Components.Schemas
	code := http.StatusText(status)
	r := op.Responses[strconv.Itoa(status)]
	if r == nil {
		r = &huma.Response{Description: code}
		op.Responses[strconv.Itoa(status)] = r
	}
	if immediate == nil {
		r.Content = nil
	} else {
		r.Content = map[string]*huma.MediaType{"application/json": {Schema: registry.Schema(immediate, true, "")}}
	}
	op.Responses[strconv.Itoa(http.StatusAccepted)] = &huma.Response{
		Description: "Accepted: the change waits for another administrator's approval.",
		Content: map[string]*huma.MediaType{"application/json": {
			Schema: registry.Schema(reflect.TypeFor[IdentityRequest](), true, "")}},
	}
}

type listIdentityRequestsInput struct {
	ListParams
	State string `query:"state" enum:"pending,approved,rejected,cancelled,expired" doc:"Only requests in this state."`
	User  string `query:"user" maxLength:"36" doc:"Only requests about this user."`
}

type IdentityRequestIDParam struct {
	ID string `path:"id" maxLength:"64" doc:"Identity request id."`
}

type identityRequestOutput struct {
	Body IdentityRequest
}

type approvalOutput struct {
	Body struct {
		Request           IdentityRequest `json:"request"`
		User              User            `json:"user" doc:"The user as the change left them."`
		TemporaryPassword string          `json:"temporary_password,omitempty" doc:"For a creation or password reset: the user's first password, shown this once to the approver; the user must change it at first sign-in."`
	}
}

type rejectInput struct {
	IdentityRequestIDParam
	Body struct {
		Reason string `json:"reason,omitempty" maxLength:"1000" doc:"Why, for the requester; optional."`
	}
}

func (a *API) registerIdentityRequests() {
	tags := []string{"Identity requests"}
	register(a, huma.Operation{
		OperationID: "list-identity-requests", Method: http.MethodGet, Path: "/api/v1/identity-requests", Tags: tags,
		Summary:     "List identity requests",
		Description: "Privileged identity changes waiting for, or decided by, a second administrator, newest first. Admins only.",
	}, func(ctx context.Context, in *listIdentityRequestsInput) (*ListOutput[IdentityRequest], error) {
		list, next, err := a.app.IdentityRequests(ctx, actorFrom(ctx),
			store.IdentityRequestFilter{State: domain.IdentityRequestState(in.State), TargetID: in.User}, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, identityRequestOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-identity-request", Method: http.MethodGet, Path: "/api/v1/identity-requests/{id}", Tags: tags,
		Summary: "Get an identity request", Description: "One identity request. A pending one past its expiry reads as expired.",
	}, func(ctx context.Context, in *IdentityRequestIDParam) (*identityRequestOutput, error) {
		r, err := a.app.IdentityRequest(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &identityRequestOutput{Body: identityRequestOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "approve-identity-request", Method: http.MethodPost, Path: "/api/v1/identity-requests/{id}/approve", Tags: tags,
		Summary: "Approve an identity request",
		Description: "Applies a pending request. The approver must be an administrator other than the requester and " +
			"than the user concerned (403). The rules are checked again now: 409 when the request is no longer pending " +
			"(approved, rejected, cancelled or expired), when the user changed since, when the email is now taken, or " +
			"when the change would leave no active admin. For a creation or password reset the answer carries the " +
			"temporary password, shown this once.",
	}, func(ctx context.Context, in *IdentityRequestIDParam) (*approvalOutput, error) {
		r, u, password, err := a.app.ApproveIdentityRequest(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &approvalOutput{}
		out.Body.Request, out.Body.User, out.Body.TemporaryPassword = identityRequestOf(r), userOf(u), password
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "reject-identity-request", Method: http.MethodPost, Path: "/api/v1/identity-requests/{id}/reject", Tags: tags,
		Summary: "Reject an identity request",
		Description: "Refuses a pending request, with an optional reason. Neither the requester (who cancels instead) " +
			"nor the user concerned may reject (403); 409 when it is no longer pending.",
	}, func(ctx context.Context, in *rejectInput) (*identityRequestOutput, error) {
		r, err := a.app.RejectIdentityRequest(ctx, actorFrom(ctx), in.ID, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return &identityRequestOutput{Body: identityRequestOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "cancel-identity-request", Method: http.MethodPost, Path: "/api/v1/identity-requests/{id}/cancel", Tags: tags,
		Summary:     "Cancel an identity request",
		Description: "Withdraws a pending request; only the administrator who made it may (403); 409 when it is no longer pending.",
	}, func(ctx context.Context, in *IdentityRequestIDParam) (*identityRequestOutput, error) {
		r, err := a.app.CancelIdentityRequest(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &identityRequestOutput{Body: identityRequestOf(r)}, nil
	})
}
