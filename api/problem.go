package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
)

// Problem is the RFC 9457 problem+json body of every error Assure answers.
type Problem struct {
	Type      string              `json:"type,omitempty" doc:"A URI reference naming the problem type; about:blank when the status says it all."`
	Title     string              `json:"title" doc:"A short summary of the problem type."`
	Status    int                 `json:"status" doc:"The HTTP status code."`
	Detail    string              `json:"detail,omitempty" doc:"What went wrong with this request."`
	Errors    []*huma.ErrorDetail `json:"errors,omitempty" doc:"Every individual problem found, each with its location."`
	Allowed   []string            `json:"allowed,omitempty" doc:"The states or actions that would have been accepted."`
	RequestID string              `json:"request_id,omitempty" doc:"The id of this request in Assure's logs."`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes JSON errors problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// newProblem replaces huma.NewError so that the errors huma raises itself
// (validation, unreadable bodies) have the same shape as ours.
func newProblem(status int, msg string, errs ...error) huma.StatusError {
	p := &Problem{Status: status, Title: http.StatusText(status), Detail: msg}
	for _, err := range errs {
		if err == nil {
			continue
		}
		if d, ok := err.(huma.ErrorDetailer); ok {
			p.Errors = append(p.Errors, d.ErrorDetail())
		} else if status < 500 {
			p.Errors = append(p.Errors, &huma.ErrorDetail{Message: err.Error()})
		}
	}
	if status >= 500 {
		// Never pass internal error text to the client.
		p.Detail = "internal error"
		p.Errors = nil
	}
	return p
}

func init() {
	huma.NewError = newProblem
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		p := newProblem(status, msg, errs...).(*Problem)
		p.RequestID = RequestIDFrom(ctx.Context())
		return p
	}
}

// statusOf maps each domain error code to its HTTP status; this is the one
// place where that mapping lives.
func statusOf(code domain.ErrorCode) int {
	switch code {
	case domain.EInvalid:
		return http.StatusUnprocessableEntity
	case domain.ENotFound:
		return http.StatusNotFound
	case domain.EConflict:
		return http.StatusConflict
	case domain.EPrecondition:
		return http.StatusPreconditionFailed
	case domain.EPreconditionRequired:
		return http.StatusPreconditionRequired
	case domain.EForbidden:
		return http.StatusForbidden
	case domain.EUnauthorized:
		return http.StatusUnauthorized
	case domain.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.EUnsupported:
		return http.StatusUnsupportedMediaType
	case domain.ETooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// problemFor turns any error from below into a problem. Domain errors keep
// their message; anything else is logged in full and shown as "internal error".
func problemFor(ctx context.Context, log *slog.Logger, err error) *Problem {
	rid := RequestIDFrom(ctx)
	if se, ok := err.(*Problem); ok {
		return se
	}
	e, ok := domain.AsError(err)
	if !ok || e.Code == domain.EInternal {
		log.ErrorContext(ctx, "internal error", "request_id", rid, "err", err)
		return &Problem{Status: http.StatusInternalServerError, Title: http.StatusText(http.StatusInternalServerError),
			Detail: fmt.Sprintf("internal error; quote request id %s to support", rid), RequestID: rid}
	}
	status := statusOf(e.Code)
	p := &Problem{Status: status, Title: http.StatusText(status), Detail: e.Message, Allowed: e.Allowed, RequestID: rid}
	for _, pr := range e.Problems {
		p.Errors = append(p.Errors, &huma.ErrorDetail{Location: pr.Location, Message: pr.Message})
	}
	return p
}
