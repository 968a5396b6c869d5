package reports

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
	n, err := WriteAuditCSV(&buf, auditSource(events))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(events)) {
		t.Errorf("%d events written, want %d", n, len(events))
	}
	// Line 1 is the header: a plain reader, told nothing, reads it first.
	records, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(records[0], auditColumns) {
		t.Errorf("header = %q", records[0])
	}
	if first, _, _ := strings.Cut(buf.String(), "\n"); first != strings.Join(auditColumns, ",") {
		t.Errorf("line 1 = %q, want the column names", first)
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
}

func TestAuditVerificationHeader(t *testing.T) {
	ok := AuditVerification{OK: true, Checked: 40, HeadSeq: 40, HeadHash: "ab12", CheckedAt: auditCheckedAt}
	if got, want := ok.Header(), "ok; checked=40; head-seq=40; head-hash=ab12; checked-at=2027-03-02T12:00:00Z"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	bad := int64(17)
	broken := AuditVerification{Checked: 16, FirstBad: &bad, HeadSeq: 40, HeadHash: "ab12", CheckedAt: auditCheckedAt}
	if got, want := broken.Header(), "broken; first-bad=17; checked=16; head-seq=40; head-hash=ab12; checked-at=2027-03-02T12:00:00Z"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
}

// TestAuditBundle opens the archive: the CSV is the one WriteAuditCSV
// writes, and verification.json names its SHA-256, size and events beside
// the chain's verification and the filter.
func TestAuditBundle(t *testing.T) {
	events := auditEvents(t)
	var buf bytes.Buffer
	v := AuditVerification{OK: true, Checked: 3, HeadSeq: 3, HeadHash: events[2].Hash, CheckedAt: auditCheckedAt}
	filter := map[string]string{"action": "assessment.submit"}
	if err := WriteAuditBundle(&buf, v, filter, "action assessment.submit", 3, auditSource(events)); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	var plain bytes.Buffer
	if _, err := WriteAuditCSV(&plain, auditSource(events)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files[AuditBundleCSV], plain.Bytes()) {
		t.Fatalf("the bundle's CSV differs from the plain export")
	}
	var st AuditStatement
	if err := json.Unmarshal(files[AuditBundleVerification], &st); err != nil {
		t.Fatalf("verification.json: %v", err)
	}
	sum := sha256.Sum256(plain.Bytes())
	if st.FileSHA256 != hex.EncodeToString(sum[:]) || st.FileBytes != int64(plain.Len()) || st.Events != 3 {
		t.Errorf("statement of the file = %s %d bytes %d events, want %x %d 3", st.FileSHA256, st.FileBytes, st.Events,
			sum, plain.Len())
	}
	if st.Result != "ok" || st.Checked != 3 || st.HeadSeq != 3 || st.HeadHash != events[2].Hash ||
		!st.CheckedAt.Equal(auditCheckedAt) || st.Filter["action"] != "assessment.submit" || st.ThroughSeq != 3 ||
		st.File != AuditBundleCSV || st.HashMethod == "" {
		t.Errorf("statement = %+v", st)
	}
}

func TestAuditSourceErrors(t *testing.T) {
	boom := errors.New("connection reset")
	fail := func(emit func(domain.Event) error) error { return boom }
	if _, err := WriteAuditCSV(io.Discard, fail); !errors.Is(err, boom) {
		t.Errorf("CSV: %v", err)
	}
	if err := WriteAuditXLSX(io.Discard, AuditVerification{}, "all", fail); !errors.Is(err, boom) {
		t.Errorf("XLSX: %v", err)
	}
}

func TestAuditXLSX(t *testing.T) {
	events := auditEvents(t)
	var buf bytes.Buffer
	v := AuditVerification{OK: true, Checked: 3, HeadSeq: 3, HeadHash: events[2].Hash, CheckedAt: auditCheckedAt}
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
	if got := xlNumber(t, f, "Verification", cell("Head event")); got != 3 {
		t.Errorf("head event = %v", got)
	}
	if got, _ := f.GetCellValue("Verification", cell("Head hash")); got != events[2].Hash {
		t.Errorf("head hash = %q", got)
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

// TestAuditCSVReadByPython has Python's standard csv module read an export:
// it must take line 1 for the header, with every column, and read each
// event as one record.
func TestAuditCSVReadByPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed to check the CSV is read as Python reads it: %v", err)
	}
	events := auditEvents(t)
	file := filepath.Join(t.TempDir(), "audit.csv")
	var buf bytes.Buffer
	if _, err := WriteAuditCSV(&buf, auditSource(events)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", `import csv, json, sys
r = csv.reader(open(sys.argv[1], newline=""))
h = next(r)
rows = list(r)
print(json.dumps({"header": h, "rows": len(rows), "seq": [row[h.index("seq")] for row in rows]}))`, file).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	var got struct {
		Header []string
		Rows   int
		Seq    []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python3 said %s: %v", out, err)
	}
	if !slices.Equal(got.Header, auditColumns) {
		t.Errorf("python reads the header as %q, want %q", got.Header, auditColumns)
	}
	if got.Rows != len(events) || !slices.Equal(got.Seq, []string{"1", "2", "3"}) {
		t.Errorf("python reads %d rows with seq %q, want 3 rows 1 2 3", got.Rows, got.Seq)
	}
}

// TestAuditBundleCheckedByPython has Python, knowing only the bundle and
// the method verification.json states, do what an examiner would: check the
// CSV's SHA-256 against verification.json, recompute every event's hash from
// its row and follow the links from one event to the next.
func TestAuditBundleCheckedByPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed to check the bundle as an examiner would: %v", err)
	}
	events := auditEvents(t)
	last := events[len(events)-1]
	extra := domain.Event{Seq: last.Seq + 1, At: last.At.Add(time.Second), PrevHash: last.Hash, ActorEmail: "ana@crédit.example",
		ActorRole: "supervisor", Action: "provider.update", ObjectType: "provider", ObjectID: "p-9",
		Summary: json.RawMessage(`{"name": "Crédit <Rural> & Co", "share": 1.50, "tags": ["a", "b"]}`)}
	if extra.Hash, err = extra.ComputeHash(); err != nil {
		t.Fatal(err)
	}
	events = append(events, extra)
	var buf bytes.Buffer
	v := AuditVerification{OK: true, Checked: 4, HeadSeq: 4, HeadHash: extra.Hash, CheckedAt: auditCheckedAt}
	if err := WriteAuditBundle(&buf, v, nil, "all events", 4, auditSource(events)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "audit.zip")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", `import csv, hashlib, io, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
raw = z.read("audit-trail.csv")
st = json.loads(z.read("verification.json"))
assert hashlib.sha256(raw).hexdigest() == st["file_sha256"], "sha256"
assert len(raw) == st["file_bytes"], "size"
def unguard(s):
    return s[1:] if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r" else s
class Num(str):
    pass
def encode(v):
    if isinstance(v, Num):
        return v
    if isinstance(v, dict):
        return "{" + ",".join(encode(k) + ":" + encode(v[k]) for k in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(encode(x) for x in v) + "]"
    if isinstance(v, str):
        text = json.dumps(v, ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return json.dumps(v)
def canonical(s):
    return encode(json.loads(s, parse_int=Num, parse_float=Num))
prev, n = None, 0
for row in csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")):
    row = {k: (v if k in ("seq", "at") else unguard(v)) for k, v in row.items()}
    base, _, frac = row["at"].rstrip("Z").partition(".")
    at = base + "." + (frac + "000000")[:6] + "Z"
    fields = [row["prev_hash"], row["seq"], at] + [row[k] for k in ("actor_id", "actor_email", "actor_role", "action",
        "object_type", "object_id", "provider_id", "request_id", "address")] + [canonical(row["summary"])]
    digest = hashlib.sha256("".join("%d:%s;" % (len(f.encode()), f) for f in fields).encode()).hexdigest()
    assert digest == row["hash"], "event %s: %s, the row says %s" % (row["seq"], digest, row["hash"])
    assert prev is None or row["prev_hash"] == prev, "event %s does not link" % row["seq"]
    prev, n = row["hash"], n + 1
assert prev == st["head_hash"] and n == st["events"], "head"
print(n)`, file).CombinedOutput()
	if err != nil {
		t.Fatalf("python3 could not check the bundle: %v\n%s", err, out)
	}
	if strings.TrimSpace(string(out)) != "4" {
		t.Errorf("python3 checked %s events, want 4", out)
	}
}
