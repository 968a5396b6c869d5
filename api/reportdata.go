package api

import (
	"context"
	"fmt"
	"io"
	"time"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// The report writers take plain data; this file gathers it from the store,
// within the caller's scope, for the API, the background jobs and the
// command line alike.

// Reporter gathers report data and writes reports.
type Reporter struct {
	db *store.DB
}

// NewReporter returns a Reporter over db.
func NewReporter(db *store.DB) *Reporter { return &Reporter{db: db} }

// AssessmentData gathers one assessment's report.
func (r *Reporter) AssessmentData(ctx context.Context, actor domain.Actor, id string) (reports.AssessmentData, error) {
	db := r.db
	a, err := db.Assessment(ctx, actor, id)
	if err != nil {
		return reports.AssessmentData{}, err
	}
	d := reports.AssessmentData{GeneratedAt: time.Now().UTC(), GeneratedBy: generatedBy(actor), Assessment: a,
		DecidedBy: a.DecidedBy, DecidedAt: a.DecidedAt}
	if d.Provider, err = db.Provider(ctx, actor, a.ProviderID); err != nil {
		return d, err
	}
	if d.Campaign, err = db.Campaign(ctx, actor, a.CampaignID); err != nil {
		return d, err
	}
	risk, err := db.ProviderRisk(ctx, actor, a.ProviderID, a.CampaignID, "")
	if err != nil {
		return d, err
	}
	d.Framework, d.Basis, d.Source, d.Risk, d.Tier = risk.Framework, risk.Basis, risk.Source, risk.Result, risk.Tier
	if d.Responses, err = store.All(func(p store.Page) ([]domain.Response, string, error) {
		return db.Responses(ctx, actor, id, store.ResponseFilter{}, p)
	}); err != nil {
		return d, err
	}
	if d.Evidence, err = store.All(func(p store.Page) ([]domain.Evidence, string, error) {
		return db.EvidenceOf(ctx, actor, id, p)
	}); err != nil {
		return d, err
	}
	if d.Findings, err = store.All(func(p store.Page) ([]domain.Finding, string, error) {
		return db.Findings(ctx, actor, store.FindingFilter{AssessmentID: id}, p)
	}); err != nil {
		return d, err
	}
	subs, err := db.Submissions(ctx, actor, id)
	if err != nil {
		return d, err
	}
	if len(subs) > 0 {
		s := subs[0]
		d.Submission = &reports.SubmissionInfo{Version: s.Version, SubmittedAt: s.SubmittedAt.UTC(), SubmittedBy: s.SubmittedBy,
			Late: s.Late, Attestation: s.Attestation, Seal: s.Seal, Verified: s.Verified}
	}
	return d, nil
}

// SectorData gathers a campaign's sector report.
func (r *Reporter) SectorData(ctx context.Context, actor domain.Actor, campaignID, basis string) (reports.SectorData, error) {
	db := r.db
	c, err := db.Campaign(ctx, actor, campaignID)
	if err != nil {
		return reports.SectorData{}, err
	}
	if basis == "" {
		basis = store.BasisFiled
	}
	d := reports.SectorData{GeneratedAt: time.Now().UTC(), GeneratedBy: generatedBy(actor), Campaign: c, Basis: basis}
	if d.Framework, err = db.FrameworkOf(ctx, store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion}); err != nil {
		return d, err
	}
	filter := store.SectorFilter{Basis: basis}
	m, err := db.SectorRiskMatrix(ctx, actor, campaignID, filter, false)
	if err != nil {
		return d, err
	}
	d.Matrix, d.MatrixProviders, d.MatrixMissing = m.Counts, m.Providers, m.Missing

	assessments, err := store.All(func(p store.Page) ([]domain.Assessment, string, error) {
		return db.Assessments(ctx, actor, store.AssessmentFilter{CampaignID: campaignID}, p)
	})
	if err != nil {
		return d, err
	}
	rows, err := store.All(func(p store.Page) ([]store.HeatmapRow, string, error) {
		return db.SectorHeatmap(ctx, actor, campaignID, filter, store.SortName, "", p)
	})
	if err != nil {
		return d, err
	}
	providers, err := store.All(func(p store.Page) ([]domain.Provider, string, error) {
		return db.Providers(ctx, actor, store.ProviderFilter{}, p)
	})
	if err != nil {
		return d, err
	}
	byProvider := map[string]domain.Provider{}
	for _, p := range providers {
		byProvider[p.ID] = p
	}
	byAssessment := map[string]store.HeatmapRow{}
	for _, row := range rows {
		byAssessment[row.AssessmentID] = row
	}
	for _, a := range assessments {
		p := byProvider[a.ProviderID]
		sp := reports.SectorProvider{ProviderID: a.ProviderID, Name: a.ProviderName, LegalName: p.LegalName,
			Licence: p.LicenceNumber, Kind: p.Kind, Tier: p.Tier, AssessmentID: a.ID, Status: a.Status,
			SubmittedAt: a.SubmittedAt, Filing: filing(a)}
		if row, ok := byAssessment[a.ID]; ok {
			sp.Kind, sp.Tier = row.Kind, row.Tier
			sp.Source, sp.Overall, sp.Dimensions, sp.Stages, sp.MaxScore = row.Source, row.Overall, row.Compliance, row.Levels, row.MaxScore
		}
		d.Providers = append(d.Providers, sp)
	}

	priorities, err := store.All(func(p store.Page) ([]store.Priority, string, error) {
		return db.Priorities(ctx, actor, campaignID, p)
	})
	if err != nil {
		return d, err
	}
	dimNames := map[string]string{}
	for _, dim := range d.Framework.Dimensions {
		dimNames[dim.ID] = dim.Name
	}
	for _, p := range priorities {
		row := reports.PriorityRow{Rank: p.Rank, Name: p.ProviderName, Kind: p.Kind, Tier: p.Tier, Priority: p.Score,
			RiskIndex: p.Input.RiskIndex(), Filed: p.Filed, FilingOverdue: p.FilingOverdue, OverdueFindings: p.OverdueFindings}
		for _, t := range p.TopThreats {
			row.TopThreats = append(row.TopThreats, fmt.Sprintf("%s (%d, %s)", t.ThreatID, t.Score, t.Level))
		}
		for _, w := range p.WorstDimensions {
			row.WorstDimensions = append(row.WorstDimensions, fmt.Sprintf("%s %.0f%%", dimNames[w.DimensionID], w.Compliance*100))
		}
		d.Priorities = append(d.Priorities, row)
	}
	if d.Overdue, err = store.All(func(p store.Page) ([]domain.Finding, string, error) {
		return db.Findings(ctx, actor, store.FindingFilter{CampaignID: campaignID, Overdue: true}, p)
	}); err != nil {
		return d, err
	}
	return d, nil
}

// ResponseSource streams a campaign's response register to a report writer.
func (r *Reporter) ResponseSource(ctx context.Context, actor domain.Actor, campaignID string) reports.ResponseSource {
	return func(emit func(reports.ResponseRow) error) error {
		return r.db.EachResponse(ctx, actor, campaignID, func(row store.RegisterRow) error {
			out := reports.ResponseRow{Provider: row.Provider, Licence: row.Licence, ControlID: row.ControlID,
				Section: row.Section, Status: row.Status, Maturity: row.Maturity, Verdict: row.Verdict,
				Evidence: row.Evidence, UpdatedAt: row.UpdatedAt}
			if row.RemediationDate != nil {
				date := domain.DateOf(*row.RemediationDate)
				out.RemediationDate = &date
			}
			return emit(out)
		})
	}
}

func filing(a domain.Assessment) reports.FilingState {
	switch {
	case a.Submissions == 0:
		return reports.NotFiled
	case a.FiledLate:
		return reports.FiledLate
	}
	return reports.FiledOnTime
}

func generatedBy(actor domain.Actor) string {
	if actor.Email != "" {
		return actor.Email
	}
	return "Assure"
}

// Media types of report formats.
var mediaTypes = map[string]string{
	"pdf":  "application/pdf",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
}

// WriteAssessment writes one assessment's report in format (pdf or xlsx).
func (r *Reporter) WriteAssessment(ctx context.Context, actor domain.Actor, id, format string, w io.Writer) error {
	d, err := r.AssessmentData(ctx, actor, id)
	if err != nil {
		return err
	}
	if format == "pdf" {
		return reports.WriteAssessmentPDF(w, d)
	}
	return reports.WriteAssessmentXLSX(w, d)
}

// WriteSector writes a campaign's sector report in format (pdf or xlsx).
// progress, when not nil, hears how many register rows have been written.
func (r *Reporter) WriteSector(ctx context.Context, actor domain.Actor, campaignID, basis, format string, w io.Writer,
	progress func(done int)) error {
	d, err := r.SectorData(ctx, actor, campaignID, basis)
	if err != nil {
		return err
	}
	if format == "pdf" {
		return reports.WriteSectorPDF(w, d)
	}
	return reports.WriteSectorXLSX(w, d, r.ResponseSource(ctx, actor, campaignID), progress)
}
