package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
)

// auditEvents is a small chained trail; the second event carries text a
// spreadsheet would run as a formula.
func auditEvents(t *testing.T) []domain.Event {
	t.Helper()
	at := time.Date(2027, 3, 1, 8, 0, 0, 123456000, time.UTC)
	var out []domain.Event
	prev := domain.GenesisHash
	for i, e := range []domain.Event{
		{ActorEmail: "admin@bank.example", ActorRole: "admin", Action: "user.create", ObjectType: "user", ObjectID: "u-2",
			Summary: json.RawMessage(`{"email":"a@b.example","role":"supervisor"}`)},
		{ActorEmail: "=cmd|' /C calc'!A0", ActorRole: "provider_admin", Action: "assessment.submit", ObjectType: "assessment",
			ObjectID: "+a-1", ProviderID: "p-1", Address: "@10.0.0.1", Summary: json.RawMessage(`{"note":"a, \"quoted\"\nline"}`)},
		{ActorRole: "system", Action: "session.login_failed", ObjectType: "session", ObjectID: "-1", RequestID: "req-3"},
	} {
		e.Seq, e.At, e.PrevHash = int64(i+1), at.Add(time.Duration(i)*time.Minute), prev
		h, err := e.ComputeHash()
		if err != nil {
			t.Fatal(err)
		}
		e.Hash, prev = h, h
		out = append(out, e)
	}
	return out
}

func auditSource(events []domain.Event) func(emit func(domain.Event) error) error {
	return func(emit func(domain.Event) error) error {
		for _, e := range events {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	}
}

var auditCheckedAt = time.Date(2027, 3, 2, 12, 0, 0, 0, time.UTC)

func TestAuditCSV(t *testing.T) {
	events := auditEvents(t)
	var buf bytes.Buffer
	v := AuditVerification{OK: true, Checked: 1234, CheckedAt: auditCheckedAt}
	if err := WriteAuditCSV(&buf, v, auditSource(events)); err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(buf.String(), "\n")
	if want := "# audit chain verification: ok, 1234 events checked at 2027-03-02T12:00:00Z"; first != want {
		t.Errorf("first line = %q, want %q", first, want)
	}
	r := csv.NewReader(strings.NewReader(rest))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(records[0], auditColumns) {
		t.Errorf("header = %q", records[0])
	}
	if len(records) != 1+len(events) {
		t.Fatalf("%d records, want %d", len(records), 1+len(events))
	}
	for i, e := range events {
		rec := records[i+1]
		if rec[0] != strconv.FormatInt(e.Seq, 10) || rec[1] != e.At.Format(time.RFC3339Nano) || rec[13] != e.Hash || rec[12] != e.PrevHash {
			t.Errorf("record %d = %q", i+1, rec)
		}
	}
	second := records[2]
	for col, want := range map[int]string{3: "'=cmd|' /C calc'!A0", 7: "'+a-1", 10: "'@10.0.0.1", 11: `{"note":"a, \"quoted\"\nline"}`} {
		if second[col] != want {
			t.Errorf("%s = %q, want %q", auditColumns[col], second[col], want)
		}
	}
	if got := records[3][7]; got != "'-1" {
		t.Errorf("object_id = %q, want it guarded", got)
	}
	if got := records[3][11]; got != "{}" {
		t.Errorf("empty summary = %q, want {}", got)
	}

	// The comment line is skipped by a reader told about it.
	r = csv.NewReader(strings.NewReader(buf.String()))
	r.Comment = '#'
	if all, err := r.ReadAll(); err != nil || len(all) != len(records) {
		t.Errorf("reading with Comment '#': %d records, %v", len(all), err)
	}
}

func TestAuditCSVStatesABrokenChain(t *testing.T) {
	var buf bytes.Buffer
	bad := int64(17)
	v := AuditVerification{OK: false, Checked: 40, FirstBad: &bad, CheckedAt: auditCheckedAt}
	if err := WriteAuditCSV(&buf, v, auditSource(nil)); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(buf.String(), "\n"); first != "# audit chain verification: BROKEN at event 17, 40 events checked at 2027-03-02T12:00:00Z" {
		t.Errorf("first line = %q", first)
	}
}

func TestAuditSourceErrors(t *testing.T) {
	boom := errors.New("connection reset")
	fail := func(emit func(domain.Event) error) error { return boom }
	if err := WriteAuditCSV(io.Discard, AuditVerification{}, fail); !errors.Is(err, boom) {
		t.Errorf("CSV: %v", err)
	}
	if err := WriteAuditXLSX(io.Discard, AuditVerification{}, "all", fail); !errors.Is(err, boom) {
		t.Errorf("XLSX: %v", err)
	}
}

func TestAuditXLSX(t *testing.T) {
	events := auditEvents(t)
	var buf bytes.Buffer
	v := AuditVerification{OK: true, Checked: 3, CheckedAt: auditCheckedAt}
	if err := WriteAuditXLSX(&buf, v, "provider p-1, March 2027", auditSource(events)); err != nil {
		t.Fatal(err)
	}
	f := xlOpen(t, buf.Bytes())
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Verification", "Audit trail"}) {
		t.Fatalf("sheets = %q", got)
	}
	rows := xlRows(t, f, "Audit trail")
	if !slices.Equal(rows[0], auditColumns) || len(rows) != 1+len(events) {
		t.Fatalf("audit trail: header %q, %d rows", rows[0], len(rows))
	}
	xlFrozen(t, f, "Audit trail")
	if got := xlNumber(t, f, "Audit trail", "A3"); got != 2 {
		t.Errorf("seq = %v", got)
	}
	if got := xlDateCell(t, f, "Audit trail", "B2", xlDateTimeFormat); got.Sub(events[0].At).Abs() > time.Second {
		t.Errorf("at = %v, want %v", got, events[0].At)
	}
	if got := rows[2][3]; got != "'=cmd|' /C calc'!A0" {
		t.Errorf("actor_email = %q, want it guarded", got)
	}

	ver := xlRows(t, f, "Verification")
	cell := func(label string) string { return "B" + strconv.Itoa(xlLabelRow(t, ver, label)) }
	if got, _ := f.GetCellValue("Verification", cell("Chain verification")); !strings.HasPrefix(got, "audit chain verification: ok, 3 events") {
		t.Errorf("verification = %q", got)
	}
	if typ, _ := f.GetCellType("Verification", cell("Chain intact")); typ != excelize.CellTypeBool {
		t.Errorf("chain intact is not a boolean")
	}
	if got, _ := f.GetCellValue("Verification", cell("Scope")); got != "provider p-1, March 2027" {
		t.Errorf("scope = %q", got)
	}
	if got := xlNumber(t, f, "Verification", cell("Events exported")); got != 3 {
		t.Errorf("events exported = %v", got)
	}
	from := xlDateCell(t, f, "Verification", cell("Period from (UTC)"), xlDateTimeFormat)
	to := xlDateCell(t, f, "Verification", cell("Period to (UTC)"), xlDateTimeFormat)
	if from.Sub(events[0].At).Abs() > time.Second || to.Sub(events[2].At).Abs() > time.Second {
		t.Errorf("period = %v – %v", from, to)
	}
}
