package store

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// The row lock on audit_head orders concurrent writers: each reads the
// head, extends it and moves it, so the chain never forks. Every event of a
// transaction carries the transaction's time, or the head's when that is
// later (a transaction that began before the one it waited for), so times
// never go back along the sequence and a time window is a range of sequence
// numbers (AuditFilter.where).
const lockAuditHead = `select seq, hash, greatest(now(), at) from audit_head for update`

// auditHead is the end of the chain a transaction extends.
type auditHead struct {
	seq  int64
	hash string
	at   time.Time
}

// eventsByValues is the most events one INSERT carries; more go by COPY,
// which costs a round trip more but no parameters.
const eventsByValues = 64

var eventColumns = []string{"seq", "at", "actor_id", "actor_email", "actor_role", "action", "object_type", "object_id",
	"provider_id", "request_id", "address", "summary", "prev_hash", "hash"}

// appendEvents chains events after head, locked by this transaction, and
// writes them with the head's new place: one round trip for a few events.
func appendEvents(ctx context.Context, tx pgx.Tx, head auditHead, events []domain.Event) error {
	seq, prev, now := head.seq, head.hash, head.at
	rows := make([][]any, len(events))
	for i, e := range events {
		seq++
		e.Seq, e.At, e.PrevHash = seq, now, prev
		summary, err := domain.CanonicalJSON(e.Summary)
		if err != nil {
			return err
		}
		e.Summary = summary
		if e.Hash, err = e.ComputeHash(); err != nil {
			return err
		}
		prev = e.Hash
		rows[i] = []any{e.Seq, e.At, nullable(e.ActorID), e.ActorEmail, e.ActorRole, e.Action, e.ObjectType,
			e.ObjectID, nullable(e.ProviderID), e.RequestID, e.Address, string(e.Summary), e.PrevHash, e.Hash}
	}
	b := &pgx.Batch{}
	if len(rows) > eventsByValues {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_events"}, eventColumns, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("insert audit events: %w", err)
		}
	} else {
		values, args := make([]string, len(rows)), make([]any, 0, len(rows)*len(eventColumns))
		for i, r := range rows {
			marks := make([]string, len(r))
			for j := range r {
				marks[j] = fmt.Sprintf("$%d", len(args)+j+1)
			}
			values[i] = "(" + strings.Join(marks, ", ") + ")"
			args = append(args, r...)
		}
		b.Queue(`insert into audit_events (`+strings.Join(eventColumns, ", ")+`) values `+strings.Join(values, ", "), args...)
	}
	b.Queue(`update audit_head set seq = $1, hash = $2, at = $3`, seq, prev, now)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert audit events: %w", err)
	}
	return nil
}

// nullable maps "" to NULL for uuid columns.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RecordEvent writes an event that stands alone: a denied request, an
// export. It has its own transaction because nothing else changes.
func (db *DB) RecordEvent(ctx context.Context, actor domain.Actor, action, objectType, objectID, providerID string, summary any) error {
	return db.write(ctx, "record "+action, func(t *txn) error {
		return t.record(actor, action, objectType, objectID, providerID, summary)
	})
}

// AuditFilter narrows the audit trail. Every field is optional.
type AuditFilter struct {
	Actor      string // user id or email
	ObjectType string
	ObjectID   string
	ProviderID string
	Action     string
	From, To   time.Time // From inclusive, To exclusive
	// Through, when not 0, keeps events up to this sequence number: an
	// export stops at the head its verification checked.
	Through int64
}

const auditColumns = `seq, at, coalesce(actor_id::text, ''), actor_email, actor_role, action, object_type, object_id,
	coalesce(provider_id::text, ''), request_id, address, summary::text, prev_hash, hash`

func scanEvent(row pgx.CollectableRow) (domain.Event, error) {
	var e domain.Event
	var summary string
	err := row.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorEmail, &e.ActorRole, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.ProviderID, &e.RequestID, &e.Address, &summary, &e.PrevHash, &e.Hash)
	e.Summary = json.RawMessage(summary)
	return e, err
}

// where renders the filter as SQL conditions on audit_events with their
// arguments, numbered from $1. Only the filters in use appear, so each query
// can use the index that fits it (actor, object, provider, action, time) on
// a trail of millions of events.
func (f AuditFilter) where(actor domain.Actor) (string, []any, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return "", nil, err
	}
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		return "", nil, domain.Invalid("bad audit filter", []domain.Problem{{Location: "query.provider", Message: "must be a provider id"}})
	}
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Actor != "" {
		if isUUID(f.Actor) {
			add("actor_id = $?::uuid", f.Actor)
		} else {
			add("actor_email = lower($?)", f.Actor)
		}
	}
	if f.ObjectType != "" {
		add("object_type = $?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $?", f.ObjectID)
	}
	if f.ProviderID != "" {
		add("provider_id = $?::uuid", f.ProviderID)
	}
	if scope != allProviders {
		add("provider_id = $?::uuid", scope)
	}
	if f.Action != "" {
		add("action = $?", f.Action)
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		conds = append(conds, f.window(func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		}))
	}
	if f.Through > 0 {
		add("seq <= $?", f.Through)
	}
	if len(conds) == 0 {
		return "true", nil, nil
	}
	return strings.Join(conds, " and "), args, nil
}

// window renders the time range as conditions: the plain time filter, and
// the first and last sequence numbers of events in the range, so that a
// page walks the primary key only inside the window instead of from the
// head of the trail. From audit_head.monotone_from on, times never go back
// along the sequence: there the bounds are the first and last entries of
// the (at, seq) index in the range. Before it, events are found by their
// time alone (only when there are such events). arg adds an argument and
// returns its placeholder.
func (f AuditFilter) window(arg func(any) string) string {
	const mono = `(select h.monotone_from from audit_head h)`
	var inRange []string
	var from, to string
	if !f.From.IsZero() {
		from = arg(f.From)
		inRange = append(inRange, "e.at >= "+from)
	}
	if !f.To.IsZero() {
		to = arg(f.To)
		inRange = append(inRange, "e.at < "+to)
	}
	r := strings.Join(inRange, " and ")
	bound := func(fn, order string) string {
		return fmt.Sprintf(`%[1]s(
			(select e.seq from audit_events e where %[3]s and e.seq >= %[4]s order by %[2]s limit 1),
			case when %[4]s > 1 then (select %[5]s(e.seq) from audit_events e where %[3]s and e.seq < %[4]s) end)`,
			fn, order, r, mono, map[string]string{"least": "min", "greatest": "max"}[fn])
	}
	var conds []string
	if from != "" {
		conds = append(conds, "at >= "+from, "seq >= "+bound("least", "e.at, e.seq"))
	}
	if to != "" {
		conds = append(conds, "at < "+to, "seq <= "+bound("greatest", "e.at desc, e.seq desc"))
	}
	return strings.Join(conds, " and ")
}

// AuditEvents lists events matching filter, newest first. An actor confined
// to a provider sees only that provider's events.
func (db *DB) AuditEvents(ctx context.Context, actor domain.Actor, f AuditFilter, page Page) ([]domain.Event, string, error) {
	before := int64(1<<63 - 1)
	if _, err := decodeCursor(page.Cursor, &before); err != nil {
		return nil, "", err
	}
	where, args, err := f.where(actor)
	if err != nil {
		return nil, "", err
	}
	limit := page.limit()
	args = append(args, before, limit+1)
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`select `+auditColumns+` from audit_events
		where %s and seq < $%d order by seq desc limit $%d`, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, "", translate(err, "list audit events")
	}
	list, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, "", translate(err, "list audit events")
	}
	list, next := pageOf(list, limit, func(e domain.Event) []any { return []any{e.Seq} })
	return list, next, nil
}

// Verification is the result of checking the audit chain.
type Verification struct {
	OK       bool
	Checked  int64
	FirstBad *int64 // the first event whose hash or link does not hold
	// HeadSeq and HeadHash are the chain's head as recorded when the check
	// began: the last event's sequence number and hash, which the check
	// compared with the events it recomputed.
	HeadSeq   int64
	HeadHash  string
	CheckedAt time.Time // when the check's snapshot was taken
}

// VerifyAudit walks the whole chain in order, recomputing every hash, and
// reports the first event that does not hold: altered content, a broken link,
// a gap, or a head that does not match the last event.
func (db *DB) VerifyAudit(ctx context.Context) (Verification, error) {
	v, _, err := db.verifyChain(ctx, nil, nil, nil)
	return v, err
}

// MaxCheckpoints bounds the checkpoints one verification checks.
const MaxCheckpoints = 100

// CheckpointCheck is what verification found for one checkpoint.
type CheckpointCheck struct {
	Checkpoint domain.Checkpoint
	OK         bool
	Problem    string // why it does not hold, when not OK
}

// VerifyAuditCheckpoints verifies the chain like VerifyAudit and proves that
// it still extends every checkpoint: the checkpoint is signed by pub, and the
// event at its sequence number is in the verified chain with exactly the
// signed hash. As every hash covers all history before it, this catches a
// chain truncated before the checkpoint, a tail rewritten with a new head, a
// chain re-made from an older event, and altered or re-ordered events before
// the checkpoint, even when the rewritten chain verifies on its own. The
// result is OK only when the chain and every checkpoint hold. More than
// MaxCheckpoints checkpoints is EInvalid.
func (db *DB) VerifyAuditCheckpoints(ctx context.Context, pub ed25519.PublicKey, cps []domain.Checkpoint) (Verification, []CheckpointCheck, error) {
	return db.verifyCheckpoints(ctx, pub, cps, nil)
}

func checkCheckpoint(c domain.Checkpoint, pub ed25519.PublicKey, v Verification, found map[int64]string) CheckpointCheck {
	check := CheckpointCheck{Checkpoint: c}
	if err := c.Verify(pub); err != nil {
		check.Problem = err.Error()
		return check
	}
	hash, seen := found[c.Seq]
	switch {
	case seen && hash == c.Hash:
		if v.FirstBad != nil {
			check.Problem = fmt.Sprintf("the chain breaks at event %d, after the checkpoint", *v.FirstBad)
			return check
		}
		check.OK = true
	case seen:
		check.Problem = fmt.Sprintf("event %d has hash %s, not the signed %s: history up to the checkpoint was rewritten", c.Seq, hash, c.Hash)
	case v.FirstBad != nil && *v.FirstBad <= c.Seq:
		check.Problem = fmt.Sprintf("the chain breaks at event %d, before the checkpoint's event %d", *v.FirstBad, c.Seq)
	default:
		check.Problem = fmt.Sprintf("the chain ends at event %d, before the checkpoint's event %d: history was truncated", v.HeadSeq, c.Seq)
	}
	return check
}

// AuditEvent returns the event with sequence number seq. An event the actor
// may not see is ENotFound, like one that does not exist.
func (db *DB) AuditEvent(ctx context.Context, actor domain.Actor, seq int64) (domain.Event, error) {
	where, args, err := AuditFilter{}.where(actor)
	if err != nil {
		return domain.Event{}, err
	}
	args = append(args, seq)
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`select `+auditColumns+` from audit_events where %s and seq = $%d`,
		where, len(args)), args...)
	if err != nil {
		return domain.Event{}, translate(err, "get audit event")
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEvent)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, domain.Errorf(domain.ENotFound, "no such audit event")
	}
	return e, translate(err, "get audit event")
}

// AuditWindow is one page of the audit trail, newest first, with the
// cursors of the pages either side ("" where there is none).
type AuditWindow struct {
	Events       []domain.Event
	Older, Newer string
}

// AuditWindow returns a page of the events matching filter, newest first.
// The cursor, made by an earlier window, says which way to go: to older
// events or back to newer ones; "" is the newest page.
func (db *DB) AuditWindow(ctx context.Context, actor domain.Actor, f AuditFilter, cursor string, limit int) (AuditWindow, error) {
	limit = Page{Limit: limit}.limit()
	var w AuditWindow
	dir, from := "older", int64(1<<63-1)
	if _, err := decodeCursor(cursor, &dir, &from); err != nil {
		return w, err
	}
	if dir != "older" && dir != "newer" {
		return w, domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", cursor)
	}
	where, args, err := f.where(actor)
	if err != nil {
		return w, err
	}
	args = append(args, from, limit+1)
	query := `select ` + auditColumns + ` from audit_events where %s and seq < $%d order by seq desc limit $%d`
	if dir == "newer" {
		query = `select ` + auditColumns + ` from audit_events where %s and seq > $%d order by seq limit $%d`
	}
	rows, err := db.pool.Query(ctx, fmt.Sprintf(query, where, len(args)-1, len(args)), args...)
	if err != nil {
		return w, translate(err, "list audit events")
	}
	list, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return w, translate(err, "list audit events")
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	if dir == "newer" {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	w.Events = list
	if len(list) == 0 {
		return w, nil
	}
	// Going older, there are newer events whenever a cursor led here; going
	// newer, older ones always lie behind.
	hasOlder, hasNewer := more, cursor != ""
	if dir == "newer" {
		hasOlder, hasNewer = true, more
	}
	if hasOlder {
		w.Older = encodeCursor("older", list[len(list)-1].Seq)
	}
	if hasNewer {
		w.Newer = encodeCursor("newer", list[0].Seq)
	}
	return w, nil
}

// MaxAuditChoices bounds the distinct values AuditChoices returns.
const MaxAuditChoices = 300

// auditChoiceColumns are the columns whose distinct values a filter offers,
// each the leading column of an index.
var auditChoiceColumns = map[string]bool{"action": true, "object_type": true, "actor_email": true}

// AuditChoices returns the distinct values of column (action, object_type
// or actor_email) among the events the actor may see, in order, at most
// MaxAuditChoices. It skips through the column's index one value at a time,
// so it reads a few rows per value however long the trail is.
func (db *DB) AuditChoices(ctx context.Context, actor domain.Actor, column string) ([]string, error) {
	if !auditChoiceColumns[column] {
		return nil, fmt.Errorf("store: audit choices: no column %q", column)
	}
	where, args, err := AuditFilter{}.where(actor)
	if err != nil {
		return nil, err
	}
	args = append(args, MaxAuditChoices)
	// column is one of the names above, never input.
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`with recursive v(value, n) as (
			(select %[1]s, 1 from audit_events where %[2]s and %[1]s <> '' order by %[1]s limit 1)
			union all
			select (select %[1]s from audit_events where %[2]s and %[1]s > v.value order by %[1]s limit 1), v.n + 1
			from v where v.value is not null and v.n < $%[3]d)
		select value from v where value is not null`, column, where, len(args)), args...)
	if err != nil {
		return nil, translate(err, "audit choices")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return list, translate(err, "audit choices")
}

// SignAuditHead verifies the chain and signs its head with key. A chain that
// does not verify is never signed: that is EConflict, naming the first bad
// event.
func (db *DB) SignAuditHead(ctx context.Context, key ed25519.PrivateKey) (domain.Checkpoint, error) {
	var leaves []domain.MerkleHash
	v, _, err := db.verifyChain(ctx, nil, &leaves, nil)
	if err != nil {
		return domain.Checkpoint{}, err
	}
	if !v.OK {
		return domain.Checkpoint{}, domain.Errorf(domain.EConflict,
			"the audit chain does not verify (first bad event is %d); a broken chain is not signed", *v.FirstBad)
	}
	return domain.SignTreeCheckpoint(key, v.HeadSeq, v.HeadHash, domain.MerkleRoot(leaves), v.CheckedAt), nil
}

// InclusionProof proves one event in the Merkle tree of the first TreeSize
// events, which a checkpoint of seq TreeSize signs.
type InclusionProof struct {
	Seq       int64    `json:"seq"`
	EventHash string   `json:"event_hash"`
	TreeSize  int64    `json:"tree_size"`
	TreeRoot  string   `json:"tree_root"` // as the stored events give it; the checkpoint's signed root is what counts
	Proof     []string `json:"proof"`     // hashes in hex, nearest the event first
}

// AuditInclusionProof returns the proof that event seq is in the tree of
// the first treeSize events, from the events as stored: a verifier checks
// it against the root a checkpoint signed, so the database is not trusted
// here. EInvalid when seq is not in 1..treeSize; ENotFound when the trail
// holds fewer than treeSize events.
func (db *DB) AuditInclusionProof(ctx context.Context, seq, treeSize int64) (InclusionProof, error) {
	var p InclusionProof
	if seq < 1 || seq > treeSize {
		return p, domain.Invalid("bad inclusion proof request", []domain.Problem{{Location: "query.tree_size",
			Message: fmt.Sprintf("event %d is not in a tree of %d events", seq, treeSize)}})
	}
	rows, err := db.pool.Query(ctx, `select hash from audit_events where seq <= $1 order by seq`, treeSize)
	if err != nil {
		return p, translate(err, "audit inclusion proof")
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return p, translate(err, "audit inclusion proof")
	}
	if int64(len(hashes)) != treeSize {
		return p, domain.Errorf(domain.ENotFound, "the audit trail holds %d events, not %d", len(hashes), treeSize)
	}
	leaves := make([]domain.MerkleHash, len(hashes))
	for i, h := range hashes {
		if leaves[i], err = domain.EventLeaf(h); err != nil {
			return p, err
		}
	}
	path, err := domain.MerkleInclusionProof(leaves, int(seq-1))
	if err != nil {
		return p, err
	}
	p = InclusionProof{Seq: seq, EventHash: hashes[seq-1], TreeSize: treeSize, TreeRoot: domain.MerkleRoot(leaves).String(),
		Proof: make([]string, len(path))}
	for i, h := range path {
		p.Proof[i] = h.String()
	}
	return p, nil
}

// AuditHead returns the chain's head as recorded: the last event's sequence
// number and hash (0 and the genesis hash for an empty chain). It reads one
// row and checks nothing; VerifyAudit checks.
func (db *DB) AuditHead(ctx context.Context) (seq int64, hash string, err error) {
	err = db.pool.QueryRow(ctx, `select seq, hash from audit_head`).Scan(&seq, &hash)
	return seq, hash, translate(err, "read audit head")
}
