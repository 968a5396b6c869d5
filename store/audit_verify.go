package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// VerifyAuditProgress is VerifyAudit that calls progress with the events
// checked so far and the head's sequence number at the start, after every
// `every` events and once at the end. progress runs on the walk's
// goroutine, so it should be quick.
func (db *DB) VerifyAuditProgress(ctx context.Context, every int64, progress func(checked, head int64)) (Verification, error) {
	if every < 1 {
		every = 1
	}
	v, _, err := db.verifyChain(ctx, nil, nil, &chainProgress{every: every, report: progress})
	return v, err
}

// chainProgress is how often a walk reports how far it got, and to whom.
type chainProgress struct {
	every  int64
	report func(checked, head int64)
}

// chainColumns are the columns a verifier reads, in the order chainWalker
// decodes them from binary COPY.
const chainColumns = `seq, at, actor_id, actor_email, actor_role, action, object_type, object_id,
	provider_id, request_id, address, summary, prev_hash, hash`

// verifyChain is VerifyAudit that also returns the hashes of the events
// whose sequence numbers are in want, as it met them (0 is the genesis),
// and, when leaves is not nil, appends the Merkle leaf of every event that
// holds, in order. It streams the chain out with one binary COPY and hashes
// each row as it arrives, from the row's bytes, while PostgreSQL writes the
// next ones.
func (db *DB) verifyChain(ctx context.Context, want map[int64]bool, leaves *[]domain.MerkleHash,
	progress *chainProgress) (Verification, map[int64]string, error) {
	var v Verification
	found := map[int64]string{}
	if want[0] {
		found[0] = domain.GenesisHash
	}
	// One snapshot for the head and every event, so events written meanwhile
	// are not taken for tampering.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return v, nil, translate(err, "verify audit")
	}
	defer tx.Rollback(ctx)
	var headSeq int64
	var headHash string
	if err := tx.QueryRow(ctx, `select seq, hash from audit_head`).Scan(&headSeq, &headHash); err != nil {
		return v, nil, translate(err, "verify audit: read head")
	}
	v.HeadSeq, v.HeadHash, v.CheckedAt = headSeq, headHash, time.Now().UTC()
	w := &chainWalker{want: want, found: found, leaves: leaves, prev: []byte(domain.GenesisHash),
		progress: progress, head: headSeq}
	_, err = tx.Conn().PgConn().CopyTo(ctx, w, `copy (select `+chainColumns+` from audit_events order by seq) to stdout (format binary)`)
	if err == nil {
		err = w.finish()
	}
	if err != nil {
		return v, nil, translate(err, "verify audit")
	}
	v.Checked = w.checked
	if progress != nil {
		progress.report(w.checked, headSeq)
	}
	if w.bad == 0 && (w.after != headSeq || string(w.prev) != headHash) {
		w.bad = w.after + 1
	}
	if w.bad != 0 {
		v.FirstBad = &w.bad
		return v, found, nil
	}
	v.OK = true
	return v, found, nil
}

// chainWalker is the io.Writer that binary COPY output streams into: it cuts
// the stream into rows, recomputes each event's hash and checks its link to
// the one before. Once an event does not hold it only drains the rest, so
// the connection stays usable.
type chainWalker struct {
	want     map[int64]bool
	found    map[int64]string
	leaves   *[]domain.MerkleHash
	progress *chainProgress
	head     int64

	header  bool   // the COPY header was read
	ended   bool   // the trailer was read
	pending []byte // the start of a row split across writes
	hasher  domain.EventHasher
	fields  [14][]byte
	prev    []byte // the last good event's hash
	after   int64  // the last good event's sequence number
	checked int64
	bad     int64 // the first event that does not hold, 0 while all do
	err     error
}

var copyBinarySignature = []byte("PGCOPY\n\xff\r\n\x00")

// errCopyFormat is COPY output the walker cannot read: a server bug, never
// the chain's content.
var errCopyFormat = errors.New("store: verify audit: unexpected binary COPY output")

func (w *chainWalker) Write(p []byte) (int, error) {
	n := len(p)
	if w.err != nil {
		return n, nil
	}
	if len(w.pending) > 0 {
		w.pending = append(w.pending, p...)
		p = w.pending
	}
	used := w.consume(p)
	rest := p[used:]
	if len(w.pending) > 0 {
		w.pending = append(w.pending[:0], rest...)
	} else if len(rest) > 0 {
		w.pending = append(w.pending, rest...)
	}
	return n, nil
}

// consume reads every whole row at the start of p and returns how many
// bytes it used.
func (w *chainWalker) consume(p []byte) int {
	used := 0
	if !w.header {
		if len(p) < len(copyBinarySignature)+8 {
			return 0
		}
		if !bytes.Equal(p[:len(copyBinarySignature)], copyBinarySignature) {
			w.err = errCopyFormat
			return len(p)
		}
		ext := int(binary.BigEndian.Uint32(p[len(copyBinarySignature)+4:]))
		used = len(copyBinarySignature) + 8 + ext
		if len(p) < used {
			return 0
		}
		w.header = true
	}
	for used < len(p) && w.err == nil {
		n, ok := w.row(p[used:])
		if !ok {
			break
		}
		used += n
	}
	return used
}

// row reads one row at the start of p into w.fields and checks it; ok is
// false when p holds only part of it.
func (w *chainWalker) row(p []byte) (n int, ok bool) {
	if len(p) < 2 {
		return 0, false
	}
	count := int16(binary.BigEndian.Uint16(p))
	if count == -1 {
		w.ended = true
		return len(p), true
	}
	if int(count) != len(w.fields) {
		w.err = errCopyFormat
		return len(p), true
	}
	i := 2
	for f := range w.fields {
		if len(p) < i+4 {
			return 0, false
		}
		size := int32(binary.BigEndian.Uint32(p[i:]))
		i += 4
		if size < 0 {
			w.fields[f] = nil
			continue
		}
		if len(p) < i+int(size) {
			return 0, false
		}
		w.fields[f] = p[i : i+int(size)]
		i += int(size)
	}
	if w.bad == 0 {
		w.check()
	}
	return i, true
}

// postgresEpoch is 2000-01-01 UTC in Unix microseconds: binary timestamps
// count from it.
const postgresEpoch = 946684800 * 1000000

// check verifies the event in w.fields against the one before it.
func (w *chainWalker) check() {
	f := &w.fields
	if len(f[0]) != 8 || len(f[1]) != 8 || len(f[11]) < 1 || f[11][0] != 1 {
		w.err = errCopyFormat
		return
	}
	seq := int64(binary.BigEndian.Uint64(f[0]))
	if seq != w.after+1 || !bytes.Equal(f[12], w.prev) {
		w.bad = w.after + 1
		if seq == w.after+1 {
			w.bad = seq
		}
		return
	}
	var actor, provider [36]byte
	actorID, ok1 := uuidText(actor[:], f[2])
	providerID, ok2 := uuidText(provider[:], f[8])
	if !ok1 || !ok2 {
		w.err = errCopyFormat
		return
	}
	at := time.UnixMicro(int64(binary.BigEndian.Uint64(f[1])) + postgresEpoch)
	sum, err := w.hasher.Sum(&domain.EventFields{PrevHash: f[12], Seq: seq, At: at, ActorID: actorID,
		ActorEmail: f[3], ActorRole: f[4], Action: f[5], ObjectType: f[6], ObjectID: f[7], ProviderID: providerID,
		RequestID: f[9], Address: f[10], Summary: f[11][1:]})
	if err != nil || !domain.HashMatches(sum, f[13]) {
		w.bad = seq
		return
	}
	if w.want[seq] {
		w.found[seq] = string(f[13])
	}
	if w.leaves != nil {
		*w.leaves = append(*w.leaves, domain.MerkleLeaf(sum[:]))
	}
	w.prev = append(w.prev[:0], f[13]...)
	w.after = seq
	w.checked++
	if w.progress != nil && w.checked%w.progress.every == 0 {
		w.progress.report(w.checked, w.head)
	}
}

// uuidText writes a binary uuid as PostgreSQL prints it into dst (36 bytes);
// a NULL is "", as the chain hashes it.
func uuidText(dst, b []byte) ([]byte, bool) {
	if b == nil {
		return dst[:0], true
	}
	if len(b) != 16 {
		return nil, false
	}
	hex.Encode(dst[0:8], b[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], b[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], b[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], b[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:36], b[10:16])
	return dst[:36], true
}

// finish reports COPY output that ended early or could not be read.
func (w *chainWalker) finish() error {
	if w.err != nil {
		return w.err
	}
	if !w.header || !w.ended {
		return fmt.Errorf("%w: it ended in the middle", errCopyFormat)
	}
	return nil
}

// verifyCheckpoints is VerifyAuditCheckpoints reporting its progress.
func (db *DB) verifyCheckpoints(ctx context.Context, pub ed25519.PublicKey, cps []domain.Checkpoint, progress *chainProgress) (Verification, []CheckpointCheck, error) {
	if len(cps) > MaxCheckpoints {
		return Verification{}, nil, domain.Errorf(domain.EInvalid, "at most %d checkpoints at once, not %d", MaxCheckpoints, len(cps))
	}
	want := map[int64]bool{}
	var leaves *[]domain.MerkleHash
	for _, c := range cps {
		want[c.Seq] = true
		if c.TreeRoot != "" {
			leaves = &[]domain.MerkleHash{}
		}
	}
	v, found, err := db.verifyChain(ctx, want, leaves, progress)
	if err != nil {
		return v, nil, err
	}
	checks := make([]CheckpointCheck, len(cps))
	for i, c := range cps {
		checks[i] = checkCheckpoint(c, pub, v, found)
		if checks[i].OK && c.TreeRoot != "" {
			// The chain holds up to the checkpoint, so every leaf up to it
			// was gathered.
			if root := domain.MerkleRoot((*leaves)[:c.TreeSize]).String(); root != c.TreeRoot {
				checks[i].OK = false
				checks[i].Problem = fmt.Sprintf("the Merkle tree of events 1 to %d has root %s, not the signed %s", c.TreeSize, root, c.TreeRoot)
			}
		}
		if !checks[i].OK {
			v.OK = false
		}
	}
	return v, checks, nil
}

// VerifyAuditCheckpointsProgress is VerifyAuditCheckpoints that reports its
// progress like VerifyAuditProgress.
func (db *DB) VerifyAuditCheckpointsProgress(ctx context.Context, pub ed25519.PublicKey, cps []domain.Checkpoint,
	every int64, progress func(checked, head int64)) (Verification, []CheckpointCheck, error) {
	return db.verifyCheckpoints(ctx, pub, cps, &chainProgress{every: max(every, 1), report: progress})
}
