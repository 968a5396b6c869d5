package reports

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
)

// AuditVerification is the chain check stated in an export.
type AuditVerification struct {
	OK        bool
	Checked   int64
	FirstBad  *int64 // the sequence number of the first event that breaks the chain
	HeadSeq   int64  // the chain's head when checked: the last event's sequence number
	HeadHash  string // and its hash
	CheckedAt time.Time
}

// Header states the verification in one line for an HTTP header such as
// Assure-Audit-Chain: "ok; checked=1234; head-seq=1234; head-hash=…;
// checked-at=2026-03-01T10:00:00Z", or "broken; first-bad=17; …".
func (v AuditVerification) Header() string {
	result := "ok"
	if !v.OK {
		result = "broken"
		if v.FirstBad != nil {
			result += "; first-bad=" + strconv.FormatInt(*v.FirstBad, 10)
		}
	}
	return fmt.Sprintf("%s; checked=%d; head-seq=%d; head-hash=%s; checked-at=%s", result, v.Checked, v.HeadSeq,
		v.HeadHash, v.CheckedAt.UTC().Format(time.RFC3339))
}

// statement says the result in one line, e.g. "audit chain verification:
// ok, 1234 events checked at 2026-03-01T10:00:00Z; head event 1234, hash …".
func (v AuditVerification) statement() string {
	result := "ok"
	if !v.OK {
		result = "BROKEN"
		if v.FirstBad != nil {
			result += " at event " + strconv.FormatInt(*v.FirstBad, 10)
		}
	}
	return fmt.Sprintf("audit chain verification: %s, %d events checked at %s; head event %d, hash %s",
		result, v.Checked, v.CheckedAt.UTC().Format(time.RFC3339), v.HeadSeq, v.HeadHash)
}

// auditColumns are the columns of an audit export, in order.
var auditColumns = []string{"seq", "at", "actor_id", "actor_email", "actor_role", "action", "object_type",
	"object_id", "provider_id", "request_id", "address", "summary", "prev_hash", "hash"}

// auditFields returns an event's text fields in column order after seq and at.
func auditFields(e domain.Event, out []string) []string {
	summary := string(e.Summary)
	if summary == "" {
		summary = "{}"
	}
	return append(out, e.ActorID, e.ActorEmail, e.ActorRole, e.Action, e.ObjectType, e.ObjectID, e.ProviderID,
		e.RequestID, e.Address, summary, e.PrevHash, e.Hash)
}

// WriteAuditCSV writes audit events as CSV (RFC 4180): line 1 names the
// columns, each further record is one event. The chain's verification is
// not in the file, where a CSV reader would take it for data; it travels
// beside it (an HTTP header, or verification.json in WriteAuditBundle).
// Text that a spreadsheet would read as a formula is prefixed with a single
// quote. It returns the number of events written and the first error of
// events or of writing to w.
func WriteAuditCSV(w io.Writer, events func(emit func(domain.Event) error) error) (int64, error) {
	var n int64
	cw := csv.NewWriter(w)
	if err := cw.Write(auditColumns); err != nil {
		return 0, err
	}
	record := make([]string, 0, len(auditColumns))
	err := events(func(e domain.Event) error {
		record = append(record[:0], strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano))
		record = auditFields(e, record)
		for i := 2; i < len(record); i++ {
			record[i] = xlSafe(record[i])
		}
		n++
		return cw.Write(record)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// WriteAuditXLSX writes audit events as a workbook: a "Verification" sheet
// stating the result, the period and scope, and the streamed "Audit trail".
// It returns the first error of events, of building the workbook or of
// writing to w.
func WriteAuditXLSX(w io.Writer, v AuditVerification, scope string, events func(emit func(domain.Event) error) error) error {
	b := newXLBook("Verification", "Audit trail")
	cols := make([]xlColumn, len(auditColumns))
	for i, name := range auditColumns {
		cols[i] = xlColumn{name, 16}
	}
	cols[0].width, cols[1].width, cols[11].width, cols[12].width, cols[13].width = 8, 19, 60, 66, 66

	s := b.table("Audit trail", cols)
	if s.err != nil {
		b.f.Close()
		return s.err
	}
	var from, to time.Time
	var count int64
	fields := make([]string, 0, len(auditColumns))
	row := make([]any, len(auditColumns))
	err := events(func(e domain.Event) error {
		if from.IsZero() || e.At.Before(from) {
			from = e.At
		}
		if e.At.After(to) {
			to = e.At
		}
		row[0], row[1] = e.Seq, e.At
		for i, f := range auditFields(e, fields[:0]) {
			row[2+i] = f
		}
		s.add(row...)
		count++
		return s.err
	})
	if err != nil {
		b.f.Close()
		return err
	}
	s.filter()
	s.close()

	s = b.sheet("Verification", 30, 80)
	label := func(name string, value any) { s.add(excelize.Cell{StyleID: b.bold, Value: name}, value) }
	s.add(excelize.Cell{StyleID: b.title, Value: "Audit trail export"})
	s.skip(1)
	label("Chain verification", v.statement())
	label("Chain intact", v.OK)
	label("Events checked", v.Checked)
	if v.FirstBad != nil {
		label("First broken event", *v.FirstBad)
	}
	label("Head event", v.HeadSeq)
	label("Head hash", v.HeadHash)
	label("Checked at (UTC)", v.CheckedAt)
	label("Scope", scope)
	label("Events exported", count)
	label("Period from (UTC)", from)
	label("Period to (UTC)", to)
	s.close()
	return b.write(w)
}

// AuditBundleCSV and AuditBundleVerification name the files of an audit
// bundle.
const (
	AuditBundleCSV          = "audit-trail.csv"
	AuditBundleVerification = "verification.json"
)

// AuditStatement is verification.json: the chain's verification at the
// time of an export, the filter the export applied, and the SHA-256 of the
// exported CSV, which binds the statement to those exact bytes.
type AuditStatement struct {
	Result         string            `json:"result"` // "ok" or "broken"
	Checked        int64             `json:"checked"`
	FirstBad       *int64            `json:"first_bad_seq"`
	HeadSeq        int64             `json:"head_seq"`
	HeadHash       string            `json:"head_hash"`
	CheckedAt      time.Time         `json:"checked_at"`
	Filter         map[string]string `json:"filter"`
	Scope          string            `json:"scope"`
	File           string            `json:"file"`
	FileSHA256     string            `json:"file_sha256"`
	FileBytes      int64             `json:"file_bytes"`
	Events         int64             `json:"events"`
	ThroughSeq     int64             `json:"through_seq"`
	HashMethod     string            `json:"hash_method"`
	FormulaGuarded string            `json:"formula_guard"`
}

// auditHashMethod says how an event's hash is made, so that anyone holding
// the CSV can recompute it (see domain.Event.ComputeHash).
var auditHashMethod = "hash = lower-case hex of SHA-256 over the fields prev_hash, seq, at, actor_id, actor_email, " +
	"actor_role, action, object_type, object_id, provider_id, request_id, address, summary, each written as " +
	"\"<length in bytes>:<value>;\" (UTF-8) and concatenated. at is written in UTC with exactly six decimals " +
	"(2006-01-02T15:04:05.000000Z); summary is the JSON re-encoded with object keys sorted, no insignificant space, " +
	"numbers as written, other characters as they are but <, >, &, U+2028 and U+2029 as \\u003c, \\u003e, " +
	"\\u0026, \\u2028 and \\u2029 (as Go's encoding/json writes it). The first event's prev_hash is " +
	domain.GenesisHash + "; each event's prev_hash is the hash of the event before it in the whole chain, so a " +
	"filtered export links only where its events are consecutive."

// WriteAuditBundle writes a ZIP archive of two files: audit-trail.csv, the
// events as WriteAuditCSV writes them, and verification.json, the
// AuditStatement naming the CSV's SHA-256, size and number of events. filter
// holds the filter's fields as the export applied them, scope says it in
// words, and through is the last sequence number the export could hold (the
// verified head). It returns the first error of events or of writing to w.
func WriteAuditBundle(w io.Writer, v AuditVerification, filter map[string]string, scope string, through int64,
	events func(emit func(domain.Event) error) error) error {
	z := zip.NewWriter(w)
	modified := v.CheckedAt.UTC()
	f, err := z.CreateHeader(&zip.FileHeader{Name: AuditBundleCSV, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	sum := sha256.New()
	size := &countingWriter{}
	n, err := WriteAuditCSV(io.MultiWriter(f, sum, size), events)
	if err != nil {
		return err
	}
	st := AuditStatement{Result: "ok", Checked: v.Checked, FirstBad: v.FirstBad, HeadSeq: v.HeadSeq, HeadHash: v.HeadHash,
		CheckedAt: v.CheckedAt.UTC(), Filter: filter, Scope: scope, File: AuditBundleCSV,
		FileSHA256: hex.EncodeToString(sum.Sum(nil)), FileBytes: size.n, Events: n, ThroughSeq: through,
		HashMethod: auditHashMethod,
		FormulaGuarded: "a text cell beginning with = + - @, a tab or a carriage return is written with a leading ' " +
			"that is not part of the value; remove it before recomputing a hash"}
	if !v.OK {
		st.Result = "broken"
	}
	if st.Filter == nil {
		st.Filter = map[string]string{}
	}
	j, err := z.CreateHeader(&zip.FileHeader{Name: AuditBundleVerification, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(j)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return err
	}
	return z.Close()
}

// countingWriter counts the bytes written through it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
