package domain

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an error for the faces of the system. The API maps each
// code to one HTTP status in one place.
type ErrorCode string

// The error codes Assure uses. Anything else is an internal error.
const (
	EInvalid              ErrorCode = "invalid"               // the request is malformed or breaks a rule
	ENotFound             ErrorCode = "not_found"             // no such object, or the caller may not see it
	EConflict             ErrorCode = "conflict"              // the object's state does not allow the change
	EPrecondition         ErrorCode = "precondition_failed"   // the caller's copy is stale (If-Match)
	EPreconditionRequired ErrorCode = "precondition_required" // the write needs If-Match
	EForbidden            ErrorCode = "forbidden"             // the caller may see the object but not do this
	EUnauthorized         ErrorCode = "unauthorized"          // no valid credentials
	ETooLarge             ErrorCode = "too_large"             // the upload or body exceeds a limit
	EUnsupported          ErrorCode = "unsupported_type"      // the upload's content is not an allowed type
	ETooMany              ErrorCode = "too_many_requests"     // throttled
	EUnavailable          ErrorCode = "unavailable"           // the database does not answer for now; try again shortly
	EInternal             ErrorCode = "internal"              // a fault of ours; never shown to clients
)

// RetryUnavailableSeconds is how long a client is asked to wait (Retry-After)
// before trying again after an EUnavailable error.
const RetryUnavailableSeconds = 5

// Problem is one precise complaint about the input: where it is and what is wrong.
type Problem struct {
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
}

func (p Problem) String() string {
	if p.Location == "" {
		return p.Message
	}
	return p.Location + ": " + p.Message
}

// Error is the error type of Assure's rules and stores. Message is safe to show
// to the caller; Problems lists every individual complaint when there are
// several; Allowed names the states or actions that would have been accepted.
type Error struct {
	Code     ErrorCode
	Message  string
	Problems []Problem
	Allowed  []string
}

func (e *Error) Error() string {
	msg := e.Message
	if len(e.Problems) > 0 {
		msg = fmt.Sprintf("%s (%d problems)", msg, len(e.Problems))
	}
	return string(e.Code) + ": " + msg
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error carrying every problem found.
func Invalid(message string, problems []Problem) *Error {
	return &Error{Code: EInvalid, Message: message, Problems: problems}
}

// ErrorCodeOf returns the code of err, or EInternal when err is not an *Error.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// AsError returns err as an *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
