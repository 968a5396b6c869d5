package app

import (
	"context"
	"fmt"
	"io"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// The OSCAL exports of an assessment, as AssessmentReport formats.
const (
	FormatOSCALResults = "oscal-ar"   // OSCAL assessment-results
	FormatOSCALPOAM    = "oscal-poam" // OSCAL plan of action and milestones
)

// assessmentReportFiles are the endings of the files of an assessment's
// reports, by format.
var assessmentReportFiles = map[string]string{
	"pdf":              "pdf",
	"xlsx":             "xlsx",
	FormatOSCALResults: "assessment-results.json",
	FormatOSCALPOAM:    "poam.json",
}

// AssessmentReport makes one assessment's report and records its export:
// format pdf or xlsx, or an OSCAL document (FormatOSCALResults, or
// FormatOSCALPOAM of its findings; EConflict when it has none). OSCAL
// documents have no language. Another provider's assessment is ENotFound.
func (a *App) AssessmentReport(ctx context.Context, actor domain.Actor, id, format string, lang domain.Language) (*File, error) {
	ending, ok := assessmentReportFiles[format]
	if !ok {
		return nil, domain.Errorf(domain.ENotFound, "no such report: ask for pdf, xlsx, or OSCAL assessment results or POA&M")
	}
	oscal := format == FormatOSCALResults || format == FormatOSCALPOAM
	if oscal {
		lang = ""
	}
	if err := validLanguage(lang); err != nil {
		return nil, err
	}
	as, err := a.assessment(ctx, actor, id, "report", "export")
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("assessment-%s-%s.%s", slug(as.ProviderName), as.ID[:8], ending)
	event := map[string]any{"report": "assessment", "format": format, "language": lang}
	if oscal {
		event = map[string]any{"report": "assessment", "format": format, "oscal_version": domain.OSCALVersion}
	}
	return spool(name, format, func(w io.Writer) error {
		// The PDF's fonts load while the data is read: they need none of it.
		var blank chan *reports.PDFBlank
		if format == "pdf" {
			blank = make(chan *reports.PDFBlank, 1)
			go func() { blank <- reports.NewPDFBlank("P") }()
		}
		d, err := a.assessmentData(ctx, actor, as)
		if err != nil {
			return err
		}
		d.Lang = lang
		switch format {
		case "pdf":
			return reports.WriteAssessmentPDFOn(w, <-blank, d)
		case FormatOSCALResults:
			return reports.WriteAssessmentResults(w, d)
		case FormatOSCALPOAM:
			return reports.WritePOAM(w, d)
		}
		return reports.WriteAssessmentXLSX(w, d)
	}, func() error {
		return a.db.RecordEvent(ctx, actor, "report.export", "assessment", id, as.ProviderID, event)
	})
}

// SectorReport is a sector report made at once, or the background job that
// will make it.
type SectorReport struct {
	File *File            // the report, when made at once
	Job  *store.ReportJob // the job, when queued
}

// SectorReport makes a campaign's sector report (pdf or xlsx) and records
// its export, or queues it as a background job when the campaign has more
// assessments than the threshold.
func (a *App) SectorReport(ctx context.Context, actor domain.Actor, format string, params store.ReportParams) (SectorReport, error) {
	c, err := a.reportableCampaign(ctx, actor, params)
	if err != nil {
		return SectorReport{}, err
	}
	if c.Assessments > a.sectorJobThreshold {
		job, err := a.db.CreateReportJob(ctx, actor, format, params)
		return SectorReport{Job: &job}, err
	}
	name := fmt.Sprintf("sector-%s.%s", slug(c.Name), format)
	f, err := spool(name, format, func(w io.Writer) error {
		return a.writeCampaignSector(ctx, actor, c, format, params, w, nil)
	}, func() error {
		return a.db.RecordEvent(ctx, actor, "report.export", "campaign", c.ID, "",
			map[string]any{"report": "sector", "format": format, "basis": params.Basis, "language": params.Language})
	})
	return SectorReport{File: f}, err
}

// writeSector writes a campaign's sector report, telling progress when
// progress is not nil: in response rows written (xlsx), or in providers
// written (pdf).
func (a *App) writeSector(ctx context.Context, actor domain.Actor, format string, params store.ReportParams, w io.Writer,
	progress func(done int)) error {
	c, err := a.db.Campaign(ctx, actor, params.CampaignID)
	if err != nil {
		return err
	}
	return a.writeCampaignSector(ctx, actor, c, format, params, w, progress)
}

// writeCampaignSector is writeSector once the campaign is read.
func (a *App) writeCampaignSector(ctx context.Context, actor domain.Actor, c domain.Campaign, format string,
	params store.ReportParams, w io.Writer, progress func(done int)) error {
	if format == "pdf" {
		d, err := a.sectorData(ctx, actor, c, params.Basis, gatherWidth)
		if err != nil {
			return err
		}
		d.Lang = params.Language
		return reports.WriteSectorPDF(w, d, progress)
	}
	// The register, the workbook's long sheet, is read from the start on a
	// connection of its own, so the database sorts it while the other
	// sheets are gathered and written.
	register := a.prefetchRegister(ctx, actor, c.ID)
	defer register.stop()
	d, err := a.sectorData(ctx, actor, c, params.Basis, gatherWidth-1)
	if err != nil {
		return err
	}
	d.Lang = params.Language
	return reports.WriteSectorXLSX(w, d, register.source, progress)
}

// CreateReportJob queues a sector report in the background.
func (a *App) CreateReportJob(ctx context.Context, actor domain.Actor, format string, params store.ReportParams) (store.ReportJob, error) {
	if _, err := a.reportableCampaign(ctx, actor, params); err != nil {
		return store.ReportJob{}, err
	}
	return a.db.CreateReportJob(ctx, actor, format, params)
}

// reportableCampaign checks a sector report may be asked for: the actor may
// export sector reports, the language is one Assure speaks, and the campaign
// has been opened (a draft campaign has no assessments to report on).
func (a *App) reportableCampaign(ctx context.Context, actor domain.Actor, params store.ReportParams) (domain.Campaign, error) {
	if err := a.permit(ctx, actor, "sector_report", "export"); err != nil {
		return domain.Campaign{}, err
	}
	if err := validLanguage(params.Language); err != nil {
		return domain.Campaign{}, err
	}
	c, err := a.db.Campaign(ctx, actor, params.CampaignID)
	if err != nil {
		return c, err
	}
	if c.Status == domain.CampaignDraft {
		return c, domain.Errorf(domain.EConflict, "the campaign is a draft: open it before asking for its sector report")
	}
	return c, nil
}

// ReportJob returns a report job the actor asked for.
func (a *App) ReportJob(ctx context.Context, actor domain.Actor, id string) (store.ReportJob, error) {
	if err := a.permit(ctx, actor, "sector_report", "export"); err != nil {
		return store.ReportJob{}, err
	}
	return a.db.ReportJob(ctx, actor, id)
}

// DownloadReportJob records the download of a finished job's file and
// returns the job and a function streaming the file. EConflict while the job
// is not done.
func (a *App) DownloadReportJob(ctx context.Context, actor domain.Actor, id string) (store.ReportJob, func(w io.Writer) error, error) {
	job, err := a.ReportJob(ctx, actor, id)
	if err != nil {
		return job, nil, err
	}
	if job.Status != "done" {
		return job, nil, &domain.Error{Code: domain.EConflict, Message: fmt.Sprintf("the report is %s", job.Status)}
	}
	if err := a.db.RecordEvent(ctx, actor, "report.download", "report", job.ID, "",
		map[string]any{"filename": job.Filename}); err != nil {
		return job, nil, err
	}
	return job, func(w io.Writer) error { return a.db.WriteReportFile(ctx, job.ID, w) }, nil
}

// validLanguage refuses a report language other than English (or empty) and
// French.
func validLanguage(l domain.Language) error {
	if l == "" || l.Valid() {
		return nil
	}
	return domain.Invalid("unknown language", []domain.Problem{{Location: "query.lang", Message: "must be en or fr"}})
}
