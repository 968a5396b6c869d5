package reports

import (
	"encoding/csv"
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
	CheckedAt time.Time
}

// statement says the result in one line, e.g. "audit chain verification:
// ok, 1234 events checked at 2026-03-01T10:00:00Z".
func (v AuditVerification) statement() string {
	result := "ok"
	if !v.OK {
		result = "BROKEN"
		if v.FirstBad != nil {
			result += " at event " + strconv.FormatInt(*v.FirstBad, 10)
		}
	}
	return fmt.Sprintf("audit chain verification: %s, %d events checked at %s",
		result, v.Checked, v.CheckedAt.UTC().Format(time.RFC3339))
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

// WriteAuditCSV writes audit events as CSV; the first line states the chain
// verification result as a comment ("# audit chain verification: …"), the
// second names the columns. Text that a spreadsheet would read as a formula
// is prefixed with a single quote. It returns the first error of events or
// of writing to w.
func WriteAuditCSV(w io.Writer, v AuditVerification, events func(emit func(domain.Event) error) error) error {
	if _, err := io.WriteString(w, "# "+v.statement()+"\n"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(auditColumns); err != nil {
		return err
	}
	record := make([]string, 0, len(auditColumns))
	err := events(func(e domain.Event) error {
		record = append(record[:0], strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano))
		record = auditFields(e, record)
		for i := 2; i < len(record); i++ {
			record[i] = xlSafe(record[i])
		}
		return cw.Write(record)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
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
	label("Checked at (UTC)", v.CheckedAt)
	label("Scope", scope)
	label("Events exported", count)
	label("Period from (UTC)", from)
	label("Period to (UTC)", to)
	s.close()
	return b.write(w)
}
