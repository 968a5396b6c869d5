package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// Reports: an assessment's PDF, XLSX or OSCAL documents, a campaign's sector
// report (as a background job when the campaign is large), and the jobs
// themselves.

var reportFile = regexp.MustCompile(`^([0-9a-fA-F-]{36})\.(pdf|xlsx|assessment-results\.json|poam\.json)$`)

// reportFormats are the app's formats of the endings of reportFile.
var reportFormats = map[string]string{"pdf": "pdf", "xlsx": "xlsx",
	"assessment-results.json": app.FormatOSCALResults, "poam.json": app.FormatOSCALPOAM}

type assessmentReportInput struct {
	File string `path:"file" maxLength:"64" example:"0b0e…-….pdf" doc:"The assessment id followed by .pdf, .xlsx, .assessment-results.json (OSCAL assessment results) or .poam.json (OSCAL plan of action and milestones)."`
	Lang string `query:"lang" enum:"en,fr" doc:"The report's language: en (default) or fr. OSCAL documents have none."`
}

type sectorReportInput struct {
	Campaign string `query:"campaign" required:"true" maxLength:"36"`
	Basis    string `query:"basis" enum:"current,filed" doc:"filed (default) or current."`
	Lang     string `query:"lang" enum:"en,fr" doc:"The report's language: en (default) or fr."`
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
		Lang     string `json:"lang,omitempty" enum:"en,fr" doc:"The report's language: en (default) or fr."`
	}
}

// fileResponse streams a finished export as an attachment and removes it.
func fileResponse(f *app.File) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer f.Close()
		attachment(hctx, f.Name, f.MediaType, f.Size)
		f.WriteTo(hctx.BodyWriter())
	}}
}

// attachment sets the headers of a file download.
func attachment(hctx huma.Context, filename, mediaType string, size int64) {
	hctx.SetHeader("Content-Type", mediaType)
	hctx.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename)) // names made by slug: no quotes or controls
	if size > 0 {
		hctx.SetHeader("Content-Length", strconv.FormatInt(size, 10))
	}
}

// binaryResponse documents a 200 answer of files of the given media types.
func binaryResponse(types ...string) map[string]*huma.Response {
	content := map[string]*huma.MediaType{}
	for _, t := range types {
		content[t] = &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
	}
	return map[string]*huma.Response{"200": {Description: "The file.", Content: content}}
}

// assessmentReportResponses documents the files of an assessment's report:
// PDF and XLSX, and OSCAL's JSON documents.
func assessmentReportResponses() map[string]*huma.Response {
	r := binaryResponse(app.MediaType("pdf"), app.MediaType("xlsx"))
	r["200"].Content[app.MediaType(app.FormatOSCALResults)] = &huma.MediaType{Schema: &huma.Schema{Type: "object",
		Description: "An OSCAL " + domain.OSCALVersion + " document: {\"assessment-results\": …} or " +
			"{\"plan-of-action-and-milestones\": …}, valid against the OSCAL complete schema."}}
	return r
}

func (a *API) registerReports() {
	tags := []string{"Reports"}
	register(a, huma.Operation{
		OperationID: "get-assessment-report", Method: http.MethodGet, Path: "/api/v1/reports/assessments/{file}", Tags: tags,
		Summary: "Assessment report (PDF, XLSX or OSCAL)",
		Description: "One provider's assessment. <assessment id>.pdf or <assessment id>.xlsx: cover with seal and " +
			"attestation, executive summary, risk matrix, compliance by dimension and stage, controls by threat, " +
			"findings. <assessment id>.assessment-results.json: the assessment as an OSCAL " + domain.OSCALVersion +
			" assessment-results document (an observation and a finding per response, evidence files named with " +
			"their SHA-256 in the back matter, never their content). <assessment id>.poam.json: its supervisory " +
			"findings as an OSCAL " + domain.OSCALVersion + " plan of action and milestones (an item and a risk " +
			"per finding, with severity, due date, status and remediation plan); 409 when it has no findings. " +
			"Providers get their own assessments only. Every export is audited.",
		Responses: assessmentReportResponses(),
	}, func(ctx context.Context, in *assessmentReportInput) (*huma.StreamResponse, error) {
		m := reportFile.FindStringSubmatch(in.File)
		if m == nil {
			return nil, domain.Errorf(domain.ENotFound,
				"no such report: ask for <assessment id>.pdf, .xlsx, .assessment-results.json or .poam.json")
		}
		f, err := a.app.AssessmentReport(ctx, actorFrom(ctx), m[1], reportFormats[m[2]], domain.Language(in.Lang))
		if err != nil {
			return nil, err
		}
		return fileResponse(f), nil
	})

	sectorDescription := "A campaign's sector report: risk matrix, providers × dimensions and × stages heatmaps, " +
		"supervisory ranking, submission status and overdue findings%s " + fmt.Sprintf("A campaign of more than %d "+
		"providers is made in the background: the answer is then 202 with the job (see /api/v1/reports/jobs).",
		a.app.SectorJobThreshold())
	sectorResponses := func(format string) map[string]*huma.Response {
		r := binaryResponse(app.MediaType(format))
		r["202"] = &huma.Response{Description: "Queued as a background job; follow Location."}
		return r
	}
	sector := func(format string) func(ctx context.Context, in *sectorReportInput) (*huma.StreamResponse, error) {
		return func(ctx context.Context, in *sectorReportInput) (*huma.StreamResponse, error) {
			r, err := a.app.SectorReport(ctx, actorFrom(ctx), format,
				store.ReportParams{CampaignID: in.Campaign, Basis: in.Basis, Language: domain.Language(in.Lang)})
			if err != nil {
				return nil, err
			}
			if r.Job != nil {
				return &huma.StreamResponse{Body: func(hctx huma.Context) {
					hctx.SetHeader("Location", "/api/v1/reports/jobs/"+r.Job.ID)
					hctx.SetHeader("Content-Type", "application/json")
					hctx.SetStatus(http.StatusAccepted)
					json.NewEncoder(hctx.BodyWriter()).Encode(reportJobOf(*r.Job))
				}}, nil
			}
			return fileResponse(r.File), nil
		}
	}
	register(a, huma.Operation{
		OperationID: "get-sector-report-pdf", Method: http.MethodGet, Path: "/api/v1/reports/sector.pdf", Tags: tags,
		Summary: "Sector report (pdf)", Description: fmt.Sprintf(sectorDescription, "."),
		Responses: sectorResponses("pdf"),
	}, sector("pdf"))
	register(a, huma.Operation{
		OperationID: "get-sector-report-xlsx", Method: http.MethodGet, Path: "/api/v1/reports/sector.xlsx", Tags: tags,
		Summary: "Sector report (xlsx)", Description: fmt.Sprintf(sectorDescription, ", and the full response register of every provider."),
		Responses: sectorResponses("xlsx"),
	}, sector("xlsx"))

	register(a, huma.Operation{
		OperationID: "create-report-job", Method: http.MethodPost, Path: "/api/v1/reports/jobs", Tags: tags,
		Summary: "Make a report in the background",
		Description: "Queues a sector report; follow the job at its Location for progress and, when done, the " +
			"download link. Results are kept for a limited time.",
		DefaultStatus: http.StatusAccepted,
	}, func(ctx context.Context, in *createReportJobInput) (*reportJobOutput, error) {
		job, err := a.app.CreateReportJob(ctx, actorFrom(ctx), in.Body.Format,
			store.ReportParams{CampaignID: in.Body.Campaign, Basis: in.Body.Basis, Language: domain.Language(in.Body.Lang)})
		if err != nil {
			return nil, err
		}
		return &reportJobOutput{Location: "/api/v1/reports/jobs/" + job.ID, Body: reportJobOf(job)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-report-job", Method: http.MethodGet, Path: "/api/v1/reports/jobs/{id}", Tags: tags,
		Summary: "Follow a report job", Description: "Progress (done of total) and, when finished, the download link. Only who asked sees it.",
	}, func(ctx context.Context, in *IDParam) (*reportJobOutput, error) {
		job, err := a.app.ReportJob(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &reportJobOutput{Body: reportJobOf(job)}, nil
	})

	register(a, huma.Operation{
		OperationID: "download-report-job", Method: http.MethodGet, Path: "/api/v1/reports/jobs/{id}/download", Tags: tags,
		Summary: "Download a finished report", Description: "The file a finished job made. Audited.",
		Responses: binaryResponse(app.MediaType("pdf"), app.MediaType("xlsx")),
	}, func(ctx context.Context, in *IDParam) (*huma.StreamResponse, error) {
		job, write, err := a.app.DownloadReportJob(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			attachment(hctx, job.Filename, app.MediaType(job.Format), job.Size)
			if err := write(hctx.BodyWriter()); err != nil {
				a.log.ErrorContext(ctx, "stream report", "request_id", RequestIDFrom(ctx), "job", job.ID, "err", err)
			}
		}}, nil
	})
}
