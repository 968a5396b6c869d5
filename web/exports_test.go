package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"assure/app"
	"assure/demo"
	"assure/domain"
	"assure/store"
)

// assessmentOf finds the latest assessment of a demo provider by its short
// name.
func (s *site) assessmentOf(t *testing.T, provider string) domain.Assessment {
	t.Helper()
	list, _, err := s.db.Assessments(context.Background(), domain.System("test"), store.AssessmentFilter{}, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var found domain.Assessment
	for _, a := range list {
		if a.ProviderName == provider && (found.ID == "" || a.DueAt.After(found.DueAt)) {
			found = a
		}
	}
	if found.ID == "" {
		t.Fatalf("no assessment of %s in the demo data", provider)
	}
	return found
}

// pageHrefs lists the addresses of the links of a page, unescaped.
func pageHrefs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	return out
}

// linkTo returns the first link of a page whose address starts with prefix.
func linkTo(t *testing.T, a answer, prefix string) string {
	t.Helper()
	for _, h := range pageHrefs(a.body) {
		if strings.HasPrefix(h, prefix) {
			return h
		}
	}
	t.Fatalf("the page at %s has no link to %s…", a.path, prefix)
	return ""
}

var progressBar = regexp.MustCompile(`<progress id="job-progress" max="(\d+)" value="(\d+)">`)

func TestExportPages(t *testing.T) {
	s := newSite(t)
	// The background workers, as assure serve runs them, so report jobs
	// finish; started when a test needs them.
	startWorkers := func(t *testing.T) {
		jobs, err := s.app.NewJobs(slog.New(slog.NewTextHandler(io.Discard, nil)), app.JobOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		s.t.Cleanup(func() {
			stop, done := context.WithTimeout(context.Background(), 10*time.Second)
			defer done()
			jobs.Stop(stop)
			cancel()
		})
	}
	imara := s.assessmentOf(t, "Imara MFB")
	other := s.assessmentOf(t, "Nyota")

	auditor := s.browser(t)
	auditor.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")

	t.Run("the auditor reaches an assessment's reports from its page and downloads them", func(t *testing.T) {
		filing := auditor.get("/assessments/" + imara.ID)
		filing.want(t, http.StatusOK, "", `id="assessment-exports"`)
		filing.lacks(t, "Before you can submit", "This assessment cannot be changed now.")
		page := auditor.get(linkTo(t, filing, "/assessments/"+imara.ID+"/exports"))
		page.want(t, http.StatusOK, "/assessments/"+imara.ID+"/exports", "Download the PDF", "Download the workbook",
			"Download the questionnaire")
		pdf := auditor.get(linkTo(t, page, "/assessments/"+imara.ID+"/report.pdf"))
		if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
			t.Fatalf("the PDF link answers %d %s %.8q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
		}
		xlsx := auditor.get(linkTo(t, page, "/assessments/"+imara.ID+"/report.xlsx"))
		if xlsx.status != http.StatusOK || !strings.HasPrefix(xlsx.body, "PK") {
			t.Fatalf("the workbook link answers %d %.8q", xlsx.status, xlsx.body)
		}
		ar := auditor.get(linkTo(t, page, "/assessments/"+imara.ID+"/assessment-results.json"))
		if ar.status != http.StatusOK || ar.header.Get("Content-Type") != "application/json" ||
			!strings.HasPrefix(strings.TrimSpace(ar.body), `{`) || !strings.Contains(ar.body, `"assessment-results"`) {
			t.Fatalf("the OSCAL results link answers %d %s %.40q", ar.status, ar.header.Get("Content-Type"), ar.body)
		}
		// In French, the links ask for French.
		fr := auditor.get("/assessments/" + imara.ID + "/exports?lang=fr")
		if l := linkTo(t, fr, "/assessments/"+imara.ID+"/report.pdf"); !strings.HasSuffix(l, "lang=fr") {
			t.Errorf("the French page links to %s", l)
		}
		if n := countWhere(t, s, `select count(*) from audit_events where action = 'report.export' and object_id = $1`, imara.ID); n != 3 {
			t.Errorf("%d report exports audited, want 3", n)
		}
		auditor.get("/assessments/"+imara.ID+"/report.pdf?lang=xx").want(t, http.StatusBadRequest, "")
	})

	t.Run("a provider user exports only their own assessment and no sector report", func(t *testing.T) {
		p := s.browser(t)
		p.signIn("p05-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		p.get("/assessments/"+imara.ID+"/exports").want(t, http.StatusOK, "", "Download the PDF")
		p.get("/assessments/"+other.ID+"/exports").want(t, http.StatusNotFound, "")
		p.get("/assessments/"+other.ID+"/report.pdf").want(t, http.StatusNotFound, "")
		p.get("/campaigns/"+imara.CampaignID+"/exports").want(t, http.StatusForbidden, "")
		p.get("/assessments/" + imara.ID)
		p.post("/campaigns/"+imara.CampaignID+"/exports", url.Values{"format": {"pdf"}, "basis": {"filed"}}).
			want(t, http.StatusForbidden, "")
		if a := p.get("/campaigns/" + imara.CampaignID); strings.Contains(a.body, `id="campaign-exports"`) {
			t.Error("the campaign page offers a provider user the sector exports")
		}
	})

	t.Run("a job waiting to start polls; a failed one says why and stops", func(t *testing.T) {
		job, err := s.app.CreateReportJob(context.Background(), s.actor("auditor"+demoDomain), "pdf",
			store.ReportParams{CampaignID: imara.CampaignID})
		if err != nil {
			t.Fatal(err)
		}
		waiting := auditor.get("/reports/" + job.ID)
		waiting.want(t, http.StatusOK, "", "Waiting to start", `hx-trigger="every 1s"`, `<progress id="job-progress" max="1" value="0">`)
		waiting.lacks(t, `id="job-download"`)
		auditor.get("/reports/"+job.ID+"/download").want(t, http.StatusConflict, "")
		if err := s.db.FailReportJob(context.Background(), job.ID, "the report could not be made"); err != nil {
			t.Fatal(err)
		}
		failed := auditor.htmx("/reports/" + job.ID)
		failed.want(t, http.StatusOK, "", `id="job-error"`, "the report could not be made",
			`hx-swap-oob="innerHTML">The report could not be made.`)
		failed.lacks(t, "hx-trigger", `id="job-download"`)
	})

	t.Run("a sector report runs in the background, shows its progress and is downloaded", func(t *testing.T) {
		startWorkers(t)
		campaign := auditor.get("/campaigns/" + imara.CampaignID)
		page := auditor.get(linkTo(t, campaign, "/campaigns/"+imara.CampaignID+"/exports"))
		page.want(t, http.StatusOK, "/campaigns/"+imara.CampaignID+"/exports", "As filed", "As it stands",
			"Sector report (PDF, English, as filed)")

		bad := auditor.post("/campaigns/"+imara.CampaignID+"/exports", url.Values{"format": {"doc"}, "basis": {"filed"}})
		bad.want(t, http.StatusUnprocessableEntity, "", `href="#format-pdf"`, `id="format-error"`)
		auditor.post("/campaigns/"+imara.CampaignID+"/exports", url.Values{"format": {"pdf"}, "basis": {"filed"}, "lang": {"de"}}).
			want(t, http.StatusUnprocessableEntity, "", `id="lang-error"`, `href="#lang"`)

		started := auditor.post("/campaigns/"+imara.CampaignID+"/exports", url.Values{"format": {"xlsx"},
			"basis": {"current"}, "lang": {"fr"}})
		started.want(t, http.StatusOK, "", `id="job-status"`)
		if !strings.HasPrefix(started.path, "/reports/") {
			t.Fatalf("asking for a sector report ends on %s", started.path)
		}
		responses, err := s.db.CountResponses(context.Background(), imara.CampaignID)
		if err != nil {
			t.Fatal(err)
		}
		var status answer
		deadline := time.Now().Add(30 * time.Second)
		for {
			status = auditor.htmx(started.path)
			if strings.Contains(status.body, `id="job-download"`) || time.Now().After(deadline) {
				break
			}
			if !strings.Contains(status.body, `hx-trigger="every 1s"`) {
				t.Fatalf("an unfinished job's status does not poll:\n%s", status.body)
			}
			time.Sleep(200 * time.Millisecond)
		}
		m := progressBar.FindStringSubmatch(status.body)
		if m == nil {
			t.Fatalf("no progress bar in:\n%s", status.body)
		}
		if max, value := m[1], m[2]; max != strconv.Itoa(responses) || value != max {
			t.Errorf("the finished bar is %s of %s, want %d of %d", value, max, responses, responses)
		}
		if strings.Contains(status.body, "hx-trigger") {
			t.Error("a finished job's status still polls")
		}
		if !strings.Contains(status.body, `hx-swap-oob="innerHTML">The report is ready to download.`) {
			t.Errorf("the live region does not announce the report:\n%s", status.body)
		}
		file := auditor.get(linkTo(t, status, "/reports/"))
		if file.status != http.StatusOK || !strings.HasPrefix(file.body, "PK") ||
			!strings.Contains(file.header.Get("Content-Disposition"), "sector-") {
			t.Fatalf("the download answers %d %v", file.status, file.header)
		}
		// The exports page lists it, and it is the auditor's alone.
		auditor.get("/campaigns/"+imara.CampaignID+"/exports").want(t, http.StatusOK, "", "Sector report (Excel, French, as it stands)", "Ready")
		sup := s.browser(t)
		sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		sup.get(started.path).want(t, http.StatusNotFound, "")
		sup.get(started.path+"/download").want(t, http.StatusNotFound, "")
	})
}

// countWhere runs a query that counts.
func countWhere(t *testing.T, s *site, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
