package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"assure/domain"
)

// translate turns driver errors into domain errors at the store boundary and
// wraps everything else with what was being done. Messages of translated
// errors are safe for clients; the driver's text stays in the wrapped chain.
func translate(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if _, ok := domain.AsError(err); ok {
		return err
	}
	if lostDatabase(err) {
		return fmt.Errorf("store: %s: %w (%w)", what, errUnavailable, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.ENotFound, "%s: not found", what)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return domain.Errorf(domain.EConflict, "%s: it already exists", what)
		case "23503", "23514", "23502", "22P02", "22001", "22007", "22008": // foreign key, check, not null, bad text/ length/ datetime
			return domain.Errorf(domain.EInvalid, "%s: the data breaks a rule of the database", what)
		case "22021", "22P05": // invalid UTF-8 or a NUL character
			return domain.Errorf(domain.EInvalid, "%s: the text holds a NUL character or bytes that are not UTF-8", what)
		case "55000": // object not in prerequisite state: refused by a trigger
			return domain.Errorf(domain.EConflict, "%s: %s", what, pgErr.Message)
		case "40001", "40P01": // serialization failure, deadlock
			return domain.Errorf(domain.EConflict, "%s: a concurrent change got there first; try again", what)
		}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// errUnavailable is what callers are told while the database cannot be reached.
var errUnavailable = domain.Errorf(domain.EUnavailable, "the database does not answer; try again in a few seconds")

// Unavailable returns err marked as an EUnavailable domain error when it says
// the database could not be reached, and err unchanged otherwise. translate
// does this for the errors it sees; the faces call it on any error that
// reaches them untranslated, so an outage is never told as an internal fault.
func Unavailable(err error) error {
	if err == nil || !lostDatabase(err) {
		return err
	}
	if e, ok := domain.AsError(err); ok && e.Code == domain.EUnavailable {
		return err
	}
	return fmt.Errorf("%w (%w)", errUnavailable, err)
}

// lostDatabase reports whether err means the database could not be reached
// or went away, rather than that it refused what was asked: a failed
// connection attempt (refused, timed out while connecting), a connection the
// server closed, a pool closed or out of time to hand a connection out, or
// SQLSTATE class 08 (connection exception), 57P01 (admin shutdown), 57P02
// (crash shutdown) and 57P03 (cannot connect now).
func lostDatabase(err error) bool {
	if _, ok := domain.AsError(err); ok {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03":
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08")
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, puddle.ErrClosedPool) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded)
}
