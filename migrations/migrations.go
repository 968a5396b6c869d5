// Package migrations holds Assure's database schema as numbered SQL files,
// embedded in the binary and applied in order by the store.
package migrations

import "embed"

// FS holds the migration files, named NNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
