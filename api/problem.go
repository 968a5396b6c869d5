package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
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

	retryAfter int // seconds, sent as Retry-After when positive
}

// GetHeaders gives huma the headers of the problem: Retry-After when the
// client should try again later.
func (p *Problem) GetHeaders() http.Header {
	h := http.Header{}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	return h
}

// unavailable is the problem answered while the database does not answer.
func unavailable(rid, detail string) *Problem {
	return &Problem{Status: http.StatusServiceUnavailable, Title: http.StatusText(http.StatusServiceUnavailable),
		Detail: detail, RequestID: rid, retryAfter: domain.RetryUnavailableSeconds}
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

// fromHuma is the API's transformer for the errors huma raises itself
// (validation, unreadable bodies, unacceptable types): it gives them the
// shape and request id of every other problem, without touching huma's
// process-wide error constructors.
func fromHuma(ctx huma.Context, _ string, v any) (any, error) {
	e, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	p := &Problem{Type: e.Type, Title: e.Title, Status: e.Status, Detail: e.Detail, Errors: e.Errors,
		RequestID: RequestIDFrom(ctx.Context())}
	if p.Type == "about:blank" {
		p.Type = ""
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Status >= 500 {
		// Never pass internal error text to the client.
		p.Detail, p.Errors = "internal error", nil
	}
	return p, nil
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
	case domain.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// problemFor turns any error into the problem answered for it: the one place
// where errors become problem+json. Domain errors keep their message;
// anything else is logged in full and shown as "internal error".
func problemFor(ctx context.Context, log *slog.Logger, err error) *Problem {
	rid := RequestIDFrom(ctx)
	if se, ok := err.(*Problem); ok {
		return se
	}
	if he, ok := err.(*huma.ErrorModel); ok && he.Status != http.StatusInternalServerError {
		// An error made with huma's helpers in a handler (readyz's 503).
		return &Problem{Status: he.Status, Title: http.StatusText(he.Status), Detail: he.Detail, Errors: he.Errors, RequestID: rid}
	}
	if err = store.Unavailable(err); domain.ErrorCodeOf(err) == domain.EUnavailable {
		log.WarnContext(ctx, "database unavailable", "request_id", rid, "err", err)
		return unavailable(rid, "the database does not answer; try again in a few seconds")
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
