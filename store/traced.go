package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenTraced is Open with a tracer that sees every query the store runs. It
// is for measuring what a screen costs: tests count its queries, and
// benchmarks replay them bare to compare.
func OpenTraced(ctx context.Context, url string, tracer pgx.QueryTracer) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	cfg.ConnConfig.Tracer = tracer
	return openPool(ctx, cfg)
}
