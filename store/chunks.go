package store

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Files (evidence content, finished reports) are stored as numbered chunks
// of chunkSize bytes, so that they go in and come out as streams and no file
// is ever held whole in memory.

// chunkSize is the size of the pieces files are stored in.
const chunkSize = 1 << 20

// storedFile names the chunks of one file: the table they are in, the
// columns (besides seq and data) that key them there, and the key's values,
// one per column.
type storedFile struct {
	table   string
	columns []string
	key     []any
}

// evidenceContent is where a provider's copy of the content with a SHA-256
// is stored. Content is keyed by provider as well as hash, so one provider
// never shares, and never learns of, another's.
func evidenceContent(providerID, sha256 string) storedFile {
	return storedFile{table: "blob_chunks", columns: []string{"provider_id", "sha256"}, key: []any{providerID, sha256}}
}

// reportFile is where the file a report job produced is stored.
func reportFile(jobID string) storedFile {
	return storedFile{table: "report_files", columns: []string{"job_id"}, key: []any{jobID}}
}

// copyChunks streams r into f's chunks and returns the number of bytes
// written.
func copyChunks(ctx context.Context, t *txn, f storedFile, r io.Reader) (int64, error) {
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
		return append(append(make([]any, 0, len(f.key)+2), f.key...), seq, buf[:n]), nil
	})
	columns := append(append(make([]string, 0, len(f.columns)+2), f.columns...), "seq", "data")
	if _, err := t.CopyFrom(ctx, pgx.Identifier{f.table}, columns, src); err != nil {
		if readErr != nil {
			return written, fmt.Errorf("read upload: %w", readErr)
		}
		return written, err
	}
	return written, nil
}

// writeChunks streams f's chunks to w, in order.
func (db *DB) writeChunks(ctx context.Context, f storedFile, w io.Writer) error {
	where := make([]string, len(f.columns))
	for i, c := range f.columns {
		where[i] = fmt.Sprintf("%s = $%d", pgx.Identifier{c}.Sanitize(), i+1)
	}
	rows, err := db.pool.Query(ctx, `select data from `+pgx.Identifier{f.table}.Sanitize()+
		` where `+strings.Join(where, " and ")+` order by seq`, f.key...)
	if err != nil {
		return translate(err, "read %s", f.table)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return translate(err, "read %s", f.table)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "read %s", f.table)
}
