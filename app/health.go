package app

import "context"

// SchemaStatus returns the schema version applied and the one the binary
// carries, for readiness checks; it needs no actor.
func (a *App) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	return a.db.SchemaStatus(ctx)
}
