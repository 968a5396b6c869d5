package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
