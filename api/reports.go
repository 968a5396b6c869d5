package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Reports: an assessment's PDF or XLSX, a campaign's sector report (as a
// background job when the campaign is large), and the jobs themselves.

var reportFile = regexp.MustCompile(`^([0-9a-fA-F-]{36})\.(pdf|xlsx)$`)

type assessmentReportInput struct {
	File string `path:"file" maxLength:"42" example:"0b0e…-….pdf" doc:"The assessment id followed by .pdf or .xlsx."`
}

type sectorReportInput struct {
	Campaign string `query:"campaign" required:"true" maxLength:"36"`
	Basis    string `query:"basis" enum:"current,filed" doc:"filed (default) or current."`
}

// ReportJob is a report being made in the background.
type ReportJob struct {
	ID          string     `json:"id" format:"uuid"`
	Kind        string     `json:"kind"`
	Format      string     `json:"format"`
	CampaignID  string     `json:"campaign_id"`
	Status      string     `json:"status" enum:"queued,running,done,failed,expired"`
	Done        int        `json:"done" doc:"Units of work done (register rows or providers)."`
	Total       int        `json:"total"`
	Error       string     `json:"error,omitempty"`
	DownloadURL string     `json:"download_url,omitempty" doc:"Where to fetch the finished report."`
	Filename    string     `json:"filename,omitempty"`
	Size        int64      `json:"size,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty" doc:"When the finished report is deleted."`
}

func reportJobOf(j store.ReportJob) ReportJob {
	out := ReportJob{ID: j.ID, Kind: j.Kind, Format: j.Format, CampaignID: j.Params.CampaignID, Status: j.Status,
		Done: j.Done, Total: j.Total, Error: j.Error, Filename: j.Filename, Size: j.Size, CreatedAt: j.CreatedAt.UTC(),
		FinishedAt: j.FinishedAt, ExpiresAt: j.ExpiresAt}
	if j.Status == "done" {
		out.DownloadURL = "/api/v1/reports/jobs/" + j.ID + "/download"
	}
	return out
}

type reportJobOutput struct {
	Location string `header:"Location"`
	Body     ReportJob
}

type createReportJobInput struct {
	Body struct {
		Kind     string `json:"kind" enum:"sector" doc:"The report to make."`
		Campaign string `json:"campaign" maxLength:"36"`
		Format   string `json:"format" enum:"pdf,xlsx"`
		Basis    string `json:"basis,omitempty" enum:"current,filed"`
	}
}

// fileResponse answers a report as an attachment.
func fileResponse(filename, format string, size int64, write func(w io.Writer) error) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		hctx.SetHeader("Content-Type", mediaTypes[format])
		hctx.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
		if size > 0 {
			hctx.SetHeader("Content-Length", strconv.FormatInt(size, 10))
		}
		write(hctx.BodyWriter())
	}}
}

// spooled writes a report to a temporary file first, so a failure is a clean
// error and not half a download; once the file is made, record (the export's
// audit event) runs, and then the file is answered.
func (a *API) spooled(ctx context.Context, filename, format string, make func(w io.Writer) error,
	record func() error) (*huma.StreamResponse, error) {
	tmp, err := os.CreateTemp("", "assure-report-*")
	if err != nil {
		return nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if err := make(tmp); err != nil {
		cleanup()
		return nil, err
	}
	if err := record(); err != nil {
		cleanup()
		return nil, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, err
	}
	return fileResponse(filename, format, size, func(w io.Writer) error {
		defer cleanup()
		_, err := io.Copy(w, tmp)
		return err
	}), nil
}

func (a *API) registerReports() {
	tags := []string{"Reports"}
	export := Access{Object: "report", Action: "export"}
	sector := Access{Object: "sector_report", Action: "export"}
	binary := func(types ...string) map[string]*huma.Response {
		content := map[string]*huma.MediaType{}
		for _, t := range types {
			content[t] = &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
		}
		return map[string]*huma.Response{"200": {Description: "The report.", Content: content}}
	}

	register(a, huma.Operation{
		OperationID: "get-assessment-report", Method: http.MethodGet, Path: "/api/v1/reports/assessments/{file}", Tags: tags,
		Summary: "Assessment report (PDF or XLSX)",
		Description: "One provider's assessment: cover with seal and attestation, executive summary, risk matrix, " +
			"compliance by dimension and stage, controls by threat, findings. Name the file <assessment id>.pdf " +
			"or <assessment id>.xlsx. Every export is audited.",
		Responses: binary(mediaTypes["pdf"], mediaTypes["xlsx"]),
	}, export, func(ctx context.Context, in *assessmentReportInput) (*huma.StreamResponse, error) {
		m := reportFile.FindStringSubmatch(in.File)
		if m == nil {
			return nil, domain.Errorf(domain.ENotFound, "no such report: ask for <assessment id>.pdf or .xlsx")
		}
		id, format := m[1], m[2]
		actor := actorFrom(ctx)
		as, err := a.db.Assessment(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		if err := a.allowOn(ctx, actor, as.ProviderID, "report", "export", "assessment"); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("assessment-%s-%s.%s", slug(as.ProviderName), as.ID[:8], format)
		return a.spooled(ctx, name, format, func(w io.Writer) error {
			return a.reporter.WriteAssessment(ctx, actor, id, format, w)
		}, func() error {
			return a.db.RecordEvent(ctx, actor, "report.export", "assessment", id, as.ProviderID,
				map[string]any{"report": "assessment", "format": format})
		})
	})

	for _, format := range []string{"pdf", "xlsx"} {
		register(a, huma.Operation{
			OperationID: "get-sector-report-" + format, Method: http.MethodGet, Path: "/api/v1/reports/sector." + format, Tags: tags,
			Summary: "Sector report (" + format + ")",
			Description: "A campaign's sector report: risk matrix, providers × dimensions and × stages heatmaps, " +
				"supervisory ranking, submission status and overdue findings" + map[string]string{"pdf": ".",
				"xlsx": ", and the full response register of every provider."}[format] + fmt.Sprintf(" A campaign of "+
				"more than %d providers is made in the background: the answer is then 202 with the job "+
				"(see /api/v1/reports/jobs).", a.sectorJobThreshold),
			Responses: func() map[string]*huma.Response {
				r := binary(mediaTypes[format])
				r["202"] = &huma.Response{Description: "Queued as a background job; follow Location."}
				return r
			}(),
		}, sector, func(ctx context.Context, in *sectorReportInput) (*huma.StreamResponse, error) {
			actor := actorFrom(ctx)
			c, err := a.db.Campaign(ctx, actor, in.Campaign)
			if err != nil {
				return nil, err
			}
			if c.Assessments > a.sectorJobThreshold {
				job, err := a.db.CreateReportJob(ctx, actor, format, store.ReportParams{CampaignID: c.ID, Basis: in.Basis})
				if err != nil {
					return nil, err
				}
				return &huma.StreamResponse{Body: func(hctx huma.Context) {
					hctx.SetHeader("Location", "/api/v1/reports/jobs/"+job.ID)
					hctx.SetHeader("Content-Type", "application/json")
					hctx.SetStatus(http.StatusAccepted)
					writeJSON(hctx.BodyWriter(), reportJobOf(job))
				}}, nil
			}
			name := fmt.Sprintf("sector-%s.%s", slug(c.Name), format)
			return a.spooled(ctx, name, format, func(w io.Writer) error {
				return a.reporter.WriteSector(ctx, actor, c.ID, in.Basis, format, w, nil)
			}, func() error {
				return a.db.RecordEvent(ctx, actor, "report.export", "campaign", c.ID, "",
					map[string]any{"report": "sector", "format": format, "basis": in.Basis})
			})
		})
	}

	register(a, huma.Operation{
		OperationID: "create-report-job", Method: http.MethodPost, Path: "/api/v1/reports/jobs", Tags: tags,
		Summary: "Make a report in the background",
		Description: "Queues a sector report; follow the job at its Location for progress and, when done, the " +
			"download link. Results are kept for a limited time.",
		DefaultStatus: http.StatusAccepted,
	}, sector, func(ctx context.Context, in *createReportJobInput) (*reportJobOutput, error) {
		job, err := a.db.CreateReportJob(ctx, actorFrom(ctx), in.Body.Format,
			store.ReportParams{CampaignID: in.Body.Campaign, Basis: in.Body.Basis})
		if err != nil {
			return nil, err
		}
		return &reportJobOutput{Location: "/api/v1/reports/jobs/" + job.ID, Body: reportJobOf(job)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-report-job", Method: http.MethodGet, Path: "/api/v1/reports/jobs/{id}", Tags: tags,
		Summary: "Follow a report job", Description: "Progress (done of total) and, when finished, the download link. Only who asked sees it.",
	}, sector, func(ctx context.Context, in *IDParam) (*reportJobOutput, error) {
		job, err := a.db.ReportJob(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &reportJobOutput{Body: reportJobOf(job)}, nil
	})

	register(a, huma.Operation{
		OperationID: "download-report-job", Method: http.MethodGet, Path: "/api/v1/reports/jobs/{id}/download", Tags: tags,
		Summary: "Download a finished report", Description: "The file a finished job made. Audited.",
		Responses: binary(mediaTypes["pdf"], mediaTypes["xlsx"]),
	}, sector, func(ctx context.Context, in *IDParam) (*huma.StreamResponse, error) {
		actor := actorFrom(ctx)
		job, err := a.db.ReportJob(ctx, actor, in.ID)
		if err != nil {
			return nil, err
		}
		if job.Status != "done" {
			return nil, &domain.Error{Code: domain.EConflict, Message: fmt.Sprintf("the report is %s", job.Status)}
		}
		if err := a.db.RecordEvent(ctx, actor, "report.download", "report", job.ID, "",
			map[string]any{"filename": job.Filename}); err != nil {
			return nil, err
		}
		return fileResponse(job.Filename, job.Format, job.Size, func(w io.Writer) error {
			return a.db.WriteReportFile(ctx, job.ID, w)
		}), nil
	})
}

var unsafeSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a file-name-safe piece of text.
func slug(s string) string {
	out := unsafeSlug.ReplaceAllString(asciiLower(s), "-")
	if len(out) > 40 {
		out = out[:40]
	}
	if out == "" || out == "-" {
		return "report"
	}
	return out
}

func asciiLower(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r < 128:
			b = append(b, byte(r))
		default:
			b = append(b, '-')
		}
	}
	return string(b)
}
