package app_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/app"
	"assure/policies"
	"assure/store"
)

// queryLog records every query a store runs, to count what a screen costs
// and to replay the same queries bare.
type queryLog struct {
	mu      sync.Mutex
	queries []loggedQuery
}

type loggedQuery struct {
	sql  string
	args []any
}

func (l *queryLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	l.queries = append(l.queries, loggedQuery{sql: d.SQL, args: d.Args})
	l.mu.Unlock()
	return ctx
}

func (l *queryLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// take returns the queries recorded since the last take and forgets them.
func (l *queryLog) take() []loggedQuery {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queries
	l.queries = nil
	return q
}

// tracedApp is an application layer over a second store on db's database
// whose every query goes to the returned log.
func tracedApp(t testing.TB, db *store.DB) (*app.App, *queryLog) {
	t.Helper()
	log := &queryLog{}
	traced, err := store.OpenTraced(context.Background(), db.Pool().Config().ConnString(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(traced.Close)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	return app.New(traced, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{}), log
}
