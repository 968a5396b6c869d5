package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

// pdfText extracts the text of a PDF with poppler's pdftotext, an
// independent reader.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (make test does)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// workbook opens an XLSX answer with excelize, an independent reader.
func workbook(t *testing.T, r response) *excelize.File {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("workbook = %d %.300s", r.status, r.body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// column returns the values of the column headed name on a sheet, below the header.
func column(t *testing.T, f *excelize.File, sheet, name string) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	for h, header := range rows {
		i := slices.Index(header, name)
		if i < 0 {
			continue
		}
		var out []string
		for _, row := range rows[h+1:] {
			if i < len(row) {
				out = append(out, row[i])
			} else {
				out = append(out, "")
			}
		}
		return out
	}
	t.Fatalf("sheet %s has no column %q", sheet, name)
	return nil
}

func TestAssessmentReports(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	var reg api.ProviderRisk
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk", &reg)
	var subs list[submissionBody]
	x.sup.getJSON("/api/v1/assessments/"+x.bankA+"/submissions", &subs)
	seal := subs.Items[0].Seal

	// PDF, read back as text.
	r := x.sup.get("/api/v1/reports/assessments/" + x.bankA + ".pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("pdf = %d %v", r.status, r.header)
	}
	text := pdfText(t, r.body)
	overall := fmt.Sprintf("%.1f%%", *reg.Compliance.Overall*100)
	for _, want := range []string{"Banco de Crédito", "2027 H1", seal, "Ama Mensah", "Page 1 of", overall} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	for _, resp := range x.bankResponses {
		if !strings.Contains(text, resp.ControlID+" ") && !strings.Contains(text, resp.ControlID+"\n") {
			t.Errorf("the PDF lacks control %s", resp.ControlID)
		}
	}
	// Every applicable threat of the register is in the report.
	for _, th := range reg.Threats {
		if th.Applicable && !regexp.MustCompile(`(?m)^\s*`+th.ThreatID+` .* — residual \d+`).MatchString(text) {
			t.Errorf("the PDF has no table for applicable threat %s", th.ThreatID)
		}
	}
	// A submitted assessment is a draft on every page; its sign-off names
	// the provider's admin who submitted it, from the assessment's history.
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	for i, page := range pages {
		if !strings.Contains(page, "DRAFT") {
			t.Errorf("page %d of a submitted assessment's report is not marked DRAFT", i+1)
		}
	}
	if !regexp.MustCompile(`provider_admin \d+ \(attested by Ama\s+Prepared by\s+Mensah`).MatchString(text) ||
		!strings.Contains(text, "The provider took part in no earlier campaign.") {
		t.Errorf("the PDF lacks its sign-off or trend:\n%s", text[strings.LastIndex(text, "Sign-off"):])
	}
	fr := pdfText(t, x.sup.get("/api/v1/reports/assessments/"+x.bankA+".pdf?lang=fr").body)
	for _, want := range []string{"Rapport d’évaluation de la cybersécurité", "Préparée par", "PROJET", "Synthèse"} {
		if !strings.Contains(fr, want) {
			t.Errorf("the French PDF lacks %q", want)
		}
	}

	// XLSX, read back with excelize: real content, real types.
	f := workbook(t, x.sup.get("/api/v1/reports/assessments/"+x.bankA+".xlsx"))
	ids := column(t, f, "Responses", "Control ID")
	var want []string
	for _, resp := range x.bankResponses {
		want = append(want, resp.ControlID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("Responses sheet ids = %v, want %v", ids, want)
	}
	scores := column(t, f, "Risk register", "Score")
	threats := column(t, f, "Risk register", "Threat ID")
	for i, th := range reg.Threats {
		if i >= len(threats) || threats[i] != th.ThreatID {
			t.Fatalf("risk register row %d is not %s", i, th.ThreatID)
		}
		if th.Applicable && scores[i] != strconv.Itoa(th.Residual.Score) {
			t.Errorf("risk register %s score = %q, API says %d", th.ThreatID, scores[i], th.Residual.Score)
		}
	}
	found := false
	rows, _ := f.GetRows("Summary")
	for n, row := range rows {
		if len(row) > 1 && strings.HasPrefix(strings.ToLower(row[0]), "overall compliance") {
			cell, _ := excelize.CoordinatesToCellName(2, n+1)
			raw, _ := f.GetCellValue("Summary", cell, excelize.Options{RawCellValue: true})
			v, err := strconv.ParseFloat(raw, 64)
			if err != nil || fmt.Sprintf("%.4f", v) != fmt.Sprintf("%.4f", *reg.Compliance.Overall) {
				t.Errorf("overall compliance cell = %q, API says %v", raw, *reg.Compliance.Overall)
			}
			found = true
		}
	}
	if !found {
		t.Error("the Summary sheet has no overall compliance")
	}

	// Providers get their own reports only; every export is audited.
	if r := x.bankEditor.get("/api/v1/reports/assessments/" + x.bankA + ".pdf"); r.status != http.StatusOK {
		t.Errorf("the bank's own report = %d", r.status)
	}
	wantProblem(t, x.mmoEditor.get("/api/v1/reports/assessments/"+x.bankA+".pdf"), http.StatusNotFound)
	wantProblem(t, x.sup.get("/api/v1/reports/assessments/"+x.bankA+".docx"), http.StatusNotFound)
	if n := x.s.events("report.export", x.bankA); n != 4 {
		t.Errorf("%d report.export events, want 4", n)
	}
}

func TestSectorReports(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	var m api.RiskHeatmap
	x.sup.getJSON("/api/v1/heatmaps/risk?basis=current&campaign="+x.campaign, &m)

	f := workbook(t, x.sup.get("/api/v1/reports/sector.xlsx?basis=current&campaign="+x.campaign))
	var total int
	x.s.queryRow(`select count(*) from responses r join assessments a on a.id = r.assessment_id where a.campaign_id = $1`,
		[]any{x.campaign}, &total)
	if got := len(column(t, f, "Responses", "Control ID")); got != total {
		t.Errorf("register rows = %d, want %d", got, total)
	}
	providers := column(t, f, "Submission status", "Provider")
	if len(providers) != 2 {
		t.Errorf("submission status lists %v", providers)
	}
	// The sector matrix in the workbook equals the API's.
	sum := 0
	for _, c := range m.Cells {
		sum += c.Count
	}
	if sum != m.Pairs || m.Pairs == 0 {
		t.Fatalf("API matrix = %+v", m)
	}
	matrix := sectorMatrixFromSummary(t, f)
	for _, c := range m.Cells {
		if matrix[c.Likelihood-1][c.Impact-1] != c.Count {
			t.Errorf("workbook cell L%d I%d = %d, API %d", c.Likelihood, c.Impact, matrix[c.Likelihood-1][c.Impact-1], c.Count)
		}
	}

	r := x.sup.get("/api/v1/reports/sector.pdf?basis=current&campaign=" + x.campaign)
	if r.status != http.StatusOK {
		t.Fatalf("sector pdf = %d %s", r.status, r.body)
	}
	text := pdfText(t, r.body)
	for _, want := range []string{"2027 H1", "BdC", "MoMo", "Page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sector PDF lacks %q", want)
		}
	}
	wantProblem(t, x.bankEditor.get("/api/v1/reports/sector.pdf?campaign="+x.campaign), http.StatusForbidden)
}

// sectorMatrixFromSummary finds the 5×5 grid on the Summary sheet: the row
// headed by likelihood 5 and the four below it.
func sectorMatrixFromSummary(t *testing.T, f *excelize.File) [5][5]int {
	t.Helper()
	// Raw values: a cell shows its count with its level ("3 · High"); the number is the count.
	rows, _ := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	var m [5][5]int
	for n, row := range rows {
		for c, cell := range row {
			if !strings.HasPrefix(cell, "Likelihood") || n+5 >= len(rows) {
				continue
			}
			// Expect five rows below, labelled 5 … 1, each with five counts after the label.
			ok := true
			for k := 0; k < 5 && ok; k++ {
				r := rows[n+1+k]
				if c >= len(r) || r[c] != strconv.Itoa(5-k) || len(r) < c+6 {
					ok = false
					break
				}
				for i := 0; i < 5; i++ {
					v, err := strconv.Atoi(r[c+1+i])
					if err != nil {
						ok = false
						break
					}
					m[4-k][i] = v
				}
			}
			if ok {
				return m
			}
		}
	}
	t.Fatal("no 5×5 matrix on the Summary sheet")
	return m
}

func TestReportJobs(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	s := serveWith(t, db, url, app.Options{SectorJobThreshold: 1}, api.Options{})
	jobs, err := s.app.NewJobs(slog.New(slog.NewTextHandler(io.Discard, nil)), app.JobOptions{KeepFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		jobs.Stop(stop)
		cancel()
	})
	p1, p2 := s.provider("Alpha Bank"), s.provider("Beta Bank")
	sup := s.supervisorActor()
	c, _ := s.openCampaign(sup, p1, p2)
	auditorUser := s.user(domain.RoleAuditor, "")
	auditor := s.as(s.tokenFor(auditorUser))

	// A campaign over the threshold is made in the background.
	r := auditor.get("/api/v1/reports/sector.xlsx?basis=current&campaign=" + c.ID)
	if r.status != http.StatusAccepted || !strings.HasPrefix(r.header.Get("Location"), "/api/v1/reports/jobs/") {
		t.Fatalf("large sector report = %d %v %s", r.status, r.header, r.body)
	}
	location := r.header.Get("Location")
	var job api.ReportJob
	deadline := time.Now().Add(60 * time.Second)
	for {
		auditor.getJSON(location, &job)
		if job.Status == "done" || job.Status == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if job.Status != "done" || job.Done != job.Total || job.Total == 0 || job.DownloadURL == "" || job.ExpiresAt == nil {
		t.Fatalf("job = %+v", job)
	}
	// A PDF job tells its progress in providers, up to all of them.
	r = auditor.get("/api/v1/reports/sector.pdf?basis=current&campaign=" + c.ID)
	if r.status != http.StatusAccepted {
		t.Fatalf("large sector pdf = %d %s", r.status, r.body)
	}
	var pdfJob api.ReportJob
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		auditor.getJSON(r.header.Get("Location"), &pdfJob)
		if pdfJob.Status == "done" || pdfJob.Status == "failed" || time.Now().After(deadline) {
			break
		}
	}
	if pdfJob.Status != "done" || pdfJob.Total != 2 || pdfJob.Done != 2 {
		t.Errorf("pdf job = %+v, want 2 of 2 providers done", pdfJob)
	}
	if text := pdfText(t, auditor.get(pdfJob.DownloadURL).body); !strings.Contains(text, "Alpha Bank") || !strings.Contains(text, "Beta Bank") {
		t.Error("the PDF job's report lacks its providers")
	}
	// Another user cannot follow or fetch it.
	other := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	wantProblem(t, other.get(location), http.StatusNotFound)
	wantProblem(t, other.get(job.DownloadURL), http.StatusNotFound)
	f := workbook(t, auditor.get(job.DownloadURL))
	if got := len(column(t, f, "Responses", "Control ID")); got != job.Total {
		t.Errorf("the job's register has %d rows, progress said %d", got, job.Total)
	}
	if s.events("report.download", job.ID) != 1 || s.events("report.completed", job.ID) != 1 {
		t.Error("the job's completion and download are not audited")
	}
	// Expired results are removed.
	s.exec(`update report_jobs set expires_at = now() - interval '1 second' where id = $1`, job.ID)
	if n, err := db.PurgeExpiredReports(context.Background()); err != nil || n != 1 {
		t.Fatalf("purge = %d %v", n, err)
	}
	auditor.getJSON(location, &job)
	if job.Status != "expired" || job.DownloadURL != "" {
		t.Errorf("after expiry: %+v", job)
	}
	wantProblem(t, auditor.get("/api/v1/reports/jobs/"+job.ID+"/download"), http.StatusConflict)
}

func TestAuditExport(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	p := s.provider("Exported Bank")
	s.user(domain.RoleProviderEditor, p)

	var events int
	s.queryRow(`select count(*) from audit_events`, nil, &events)
	r := auditor.get("/api/v1/audit/export.csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv = %d %v", r.status, r.header)
	}
	if chain := r.header.Get(api.AuditChainHeader); !strings.HasPrefix(chain, "ok; checked=") ||
		!strings.Contains(chain, fmt.Sprintf("head-seq=%d; head-hash=", events)) {
		t.Errorf("%s = %q, want ok up to event %d", api.AuditChainHeader, chain, events)
	}
	records, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Every event before the export follows the header; the export's own event comes after it.
	if len(records) != events+1 || records[0][0] != "seq" {
		t.Errorf("%d csv rows for %d events", len(records), events)
	}
	// Filtered by provider, and as a workbook.
	f := workbook(t, auditor.get("/api/v1/audit/export.xlsx?provider="+p))
	if _, err := f.GetRows("Verification"); err != nil {
		t.Error("no Verification sheet")
	}
	if s.events("audit.export", "") != 2 {
		t.Error("audit exports are not audited")
	}
	// Tampering shows in the next export.
	s.exec(`alter table audit_events disable trigger audit_events_immutable`)
	s.exec(`update audit_events set action = 'x' where seq = 2`)
	r = auditor.get("/api/v1/audit/export.csv")
	if chain := r.header.Get(api.AuditChainHeader); !strings.HasPrefix(chain, "broken; first-bad=2;") {
		t.Errorf("%s after tampering = %q", api.AuditChainHeader, chain)
	}
	// The bundle: the CSV and verification.json, which names the CSV's SHA-256.
	r = auditor.get("/api/v1/audit/export.zip?action=x")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("zip = %d %v", r.status, r.header)
	}
	z, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var st struct {
		Result     string `json:"result"`
		FirstBad   *int64 `json:"first_bad_seq"`
		FileSHA256 string `json:"file_sha256"`
		Events     int    `json:"events"`
	}
	if err := json.Unmarshal(files["verification.json"], &st); err != nil {
		t.Fatalf("verification.json: %v", err)
	}
	sum := sha256.Sum256(files["audit-trail.csv"])
	if st.Result != "broken" || st.FirstBad == nil || *st.FirstBad != 2 || st.Events != 1 || st.FileSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("verification.json = %+v; the CSV's SHA-256 is %x", st, sum)
	}
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	wantProblem(t, sup.get("/api/v1/audit/export.csv"), http.StatusForbidden)
}
