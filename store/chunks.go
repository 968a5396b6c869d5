package store

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// Files (evidence content, finished reports) are stored as numbered chunks
// of chunkSize bytes, so that they go in and come out as streams and no file
// is ever held whole in memory.

// chunkSize is the size of the pieces files are stored in.
const chunkSize = 1 << 20

// copyChunks streams r into table (key column, seq, data) under key and
// returns the number of bytes written.
func copyChunks(ctx context.Context, t *txn, table, keyColumn, key string, r io.Reader) (int64, error) {
	seq, written := 0, int64(0)
	buf := make([]byte, chunkSize)
	var readErr error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		n, err := io.ReadFull(r, buf)
		if n == 0 {
			if err != nil && err != io.EOF {
				readErr = err
				return nil, err
			}
			return nil, nil
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			readErr = err
			return nil, err
		}
		seq++
		written += int64(n)
		return []any{key, seq, buf[:n]}, nil
	})
	if _, err := t.CopyFrom(ctx, pgx.Identifier{table}, []string{keyColumn, "seq", "data"}, src); err != nil {
		if readErr != nil {
			return written, fmt.Errorf("read upload: %w", readErr)
		}
		return written, err
	}
	return written, nil
}

// writeChunks streams the chunks stored under key in table to w, in order.
func (db *DB) writeChunks(ctx context.Context, table, keyColumn, key string, w io.Writer) error {
	rows, err := db.pool.Query(ctx, `select data from `+table+` where `+keyColumn+` = $1 order by seq`, key)
	if err != nil {
		return translate(err, "read %s", table)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return translate(err, "read %s", table)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "read %s", table)
}
