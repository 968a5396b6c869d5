package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"assure/domain"
)

// TestTranslateTellsAnOutage checks which driver errors say the database is
// unreachable (EUnavailable) and which say it refused the request.
func TestTranslateTellsAnOutage(t *testing.T) {
	for _, c := range []struct {
		err  error
		want domain.ErrorCode
	}{
		{&pgconn.PgError{Code: "08006"}, domain.EUnavailable}, // connection failure
		{&pgconn.PgError{Code: "08001"}, domain.EUnavailable}, // cannot establish a connection
		{&pgconn.PgError{Code: "57P01"}, domain.EUnavailable}, // terminated by an administrator
		{&pgconn.PgError{Code: "57P03"}, domain.EUnavailable}, // the server is starting up
		{fmt.Errorf("query: %w", pgconn.ErrConnClosed), domain.EUnavailable},
		{fmt.Errorf("acquire: %w", context.DeadlineExceeded), domain.EUnavailable},
		{&pgconn.PgError{Code: "57014"}, domain.EInternal}, // a query cancelled is not an outage
		{&pgconn.PgError{Code: "23505"}, domain.EConflict},
		{pgx.ErrNoRows, domain.ENotFound},
		{errors.New("something else"), domain.EInternal},
	} {
		if got := domain.ErrorCodeOf(translate(c.err, "read")); got != c.want {
			t.Errorf("translate(%v) = %s, want %s", c.err, got, c.want)
		}
		if c.want == domain.EUnavailable {
			err := Unavailable(c.err)
			if domain.ErrorCodeOf(err) != domain.EUnavailable || !errors.Is(err, c.err) {
				t.Errorf("Unavailable(%v) = %v", c.err, err)
			}
		} else if err := Unavailable(c.err); err != c.err {
			t.Errorf("Unavailable(%v) changed it to %v", c.err, err)
		}
	}
}
