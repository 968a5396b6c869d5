package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"assure/demo"
	"assure/domain"
)

var (
	eventRow = regexp.MustCompile(`<tr id="event-(\d+)" data-actor="([^"]*)" data-action="([^"]*)">`)
)

// auditRows reads the events a page of the audit log lists: sequence, actor and action.
func auditRows(a answer) [][3]string {
	var out [][3]string
	for _, m := range eventRow.FindAllStringSubmatch(a.body, -1) {
		out = append(out, [3]string{m[1], m[2], m[3]})
	}
	return out
}

func auditSeqOf(t *testing.T, row [3]string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(row[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAuditLogPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	auditor := s.browser(t)
	auditor.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")

	t.Run("the log is in the navigation, newest first, and pages both ways", func(t *testing.T) {
		home := auditor.get("/")
		first := auditor.get(linkTo(t, home, "/audit"))
		first.want(t, http.StatusOK, "/audit", "Verify the chain", `id="export-csv"`)
		top := auditRows(first)
		if len(top) != 50 {
			t.Fatalf("the first page lists %d events, want 50", len(top))
		}
		if strings.Contains(first.body, `id="audit-newer"`) {
			t.Error("the newest page links to newer events")
		}
		older := auditor.get(linkTo(t, first, "/audit?cursor="))
		next := auditRows(older)
		if len(next) == 0 || auditSeqOf(t, next[0]) != auditSeqOf(t, top[len(top)-1])-1 {
			t.Fatalf("the older page starts at %v after %v", next, top[len(top)-1])
		}
		back := auditor.get(regexp.MustCompile(`href="([^"]+)" rel="prev"`).FindStringSubmatch(older.body)[1])
		if got := auditRows(back); len(got) != len(top) || got[0] != top[0] {
			t.Errorf("back to newer shows %v…, want %v…", got[0], top[0])
		}
	})

	t.Run("the filter keeps only matching events and the pages carry it", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			if err := s.db.RecordEvent(ctx, s.actor("supervisor"+demoDomain), "report.export", "campaign", "", "", map[string]any{"n": i}); err != nil {
				t.Fatal(err)
			}
		}
		page := auditor.get("/audit?" + url.Values{"actor": {"supervisor" + demoDomain}, "action": {"report.export"}}.Encode())
		page.want(t, http.StatusOK, "", `<option value="report.export" selected>`, `<option value="supervisor@demo.assure.local">`)
		got := auditRows(page)
		if len(got) != 3 {
			t.Fatalf("the filter shows %d events, want 3", len(got))
		}
		for _, r := range got {
			if r[1] != "supervisor"+demoDomain || r[2] != "report.export" {
				t.Errorf("the filter shows %v", r)
			}
		}
		if !strings.Contains(page.body, `href="/audit/export.csv?action=report.export&amp;actor=supervisor%40demo.assure.local"`) {
			t.Error("the CSV export does not carry the filter")
		}
		bad := auditor.get("/audit?from=yesterday")
		bad.want(t, http.StatusUnprocessableEntity, "", `id="from-error"`, `href="#from"`)
		auditor.get("/audit?from=2027-03-02&to=2027-03-01").want(t, http.StatusUnprocessableEntity, "", "must be after from")
	})

	t.Run("an event's page shows it in full", func(t *testing.T) {
		var seq int64
		var hash, prev string
		if err := s.db.Pool().QueryRow(ctx, `select seq, hash, prev_hash from audit_events where object_type = 'assessment'
			order by seq desc limit 1`).Scan(&seq, &hash, &prev); err != nil {
			t.Fatal(err)
		}
		e, err := s.db.AuditEvent(ctx, domain.System("test"), seq)
		if err != nil {
			t.Fatal(err)
		}
		auditor.get("/audit/"+e.ObjectID).want(t, http.StatusNotFound, "")
		page := auditor.get("/audit/" + strconv.FormatInt(seq, 10))
		page.want(t, http.StatusOK, "", hash, prev, `href="/assessments/`+e.ObjectID+`"`, e.Action)
	})

	t.Run("verifying the chain shows the head", func(t *testing.T) {
		var before int64
		if err := s.db.Pool().QueryRow(ctx, `select seq from audit_head`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		v := verifyInBackground(t, s, auditor)
		v.want(t, http.StatusOK, "/audit", `id="verification-ok"`, "The chain was intact on")
		checked, seq, hash := verifiedHead(t, v)
		var want string
		if err := s.db.Pool().QueryRow(ctx, `select hash from audit_events where seq = $1`, seq).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if seq < before || checked != seq || hash != want {
			t.Errorf("the panel says %d events checked up to event %d with hash %s; the head was %d before, event %d's hash is %s",
				checked, seq, hash, before, seq, want)
		}
	})

	t.Run("the CSV export reads in Python with its header on line 1", func(t *testing.T) {
		csv := auditor.get("/audit/export.csv?action=report.export")
		if csv.status != http.StatusOK || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("the CSV export answers %d %v", csv.status, csv.header)
		}
		if chain := csv.header.Get("Assure-Audit-Chain"); !strings.HasPrefix(chain, "ok; checked=") || !strings.Contains(chain, "head-hash=") {
			t.Errorf("Assure-Audit-Chain = %q", chain)
		}
		file := filepath.Join(t.TempDir(), "audit.csv")
		if err := os.WriteFile(file, []byte(csv.body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("python3", "-c", `import csv, sys
r = csv.reader(open(sys.argv[1], newline=""))
h = next(r)
want = "seq at actor_id actor_email actor_role action object_type object_id provider_id request_id address summary prev_hash hash".split()
assert h == want, h
rows = list(r)
assert rows and all(row[h.index("action")] == "report.export" for row in rows), rows
print(len(rows))`, file).CombinedOutput()
		if err != nil {
			t.Fatalf("python3 does not read the export as wanted: %v\n%s", err, out)
		}
		if strings.TrimSpace(string(out)) != "3" {
			t.Errorf("python3 reads %s events, want 3", out)
		}
	})

	t.Run("the bundle's verification.json names the CSV's SHA-256", func(t *testing.T) {
		z := auditor.get("/audit/export.zip?action=report.export")
		if z.status != http.StatusOK || z.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("the bundle answers %d %v", z.status, z.header)
		}
		r, err := zip.NewReader(bytes.NewReader([]byte(z.body)), int64(len(z.body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range r.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		var st struct {
			Result     string            `json:"result"`
			HeadSeq    int64             `json:"head_seq"`
			HeadHash   string            `json:"head_hash"`
			FileSHA256 string            `json:"file_sha256"`
			Events     int               `json:"events"`
			Filter     map[string]string `json:"filter"`
		}
		if err := json.Unmarshal(files["verification.json"], &st); err != nil {
			t.Fatalf("verification.json: %v", err)
		}
		sum := sha256.Sum256(files["audit-trail.csv"])
		if st.FileSHA256 != hex.EncodeToString(sum[:]) || st.Result != "ok" || st.Events != 3 ||
			st.Filter["action"] != "report.export" || len(st.HeadHash) != 64 || st.HeadSeq == 0 {
			t.Errorf("verification.json = %+v, the CSV's SHA-256 is %x", st, sum)
		}
	})

	t.Run("a provider user may not read the audit log", func(t *testing.T) {
		p := s.browser(t)
		p.signIn("p05-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		if strings.Contains(p.get("/").body, `href="/audit"`) {
			t.Error("a provider user's navigation offers the audit log")
		}
		for _, path := range []string{"/audit", "/audit/1", "/audit/export.csv", "/audit/export.zip"} {
			p.get(path).want(t, http.StatusForbidden, "")
		}
	})
}
