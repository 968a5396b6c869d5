package app

import (
	"context"
	"time"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// assessmentData gathers one assessment's report.
func (a *App) assessmentData(ctx context.Context, actor domain.Actor, id string) (reports.AssessmentData, error) {
	db := a.db
	as, err := db.Assessment(ctx, actor, id)
	if err != nil {
		return reports.AssessmentData{}, err
	}
	d := reports.AssessmentData{GeneratedAt: time.Now().UTC(), GeneratedBy: generatedBy(actor), Assessment: as,
		DecidedBy: as.DecidedBy, DecidedAt: as.DecidedAt}
	if d.Provider, err = db.Provider(ctx, actor, as.ProviderID); err != nil {
		return d, err
	}
	if d.Campaign, err = db.Campaign(ctx, actor, as.CampaignID); err != nil {
		return d, err
	}
	risk, err := db.ProviderRisk(ctx, actor, as.ProviderID, as.CampaignID, "")
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
	history, err := db.Transitions(ctx, actor, id)
	if err != nil {
		return d, err
	}
	for _, t := range history {
		d.History = append(d.History, reports.StateChange{From: t.From, To: t.To, By: t.ActorName, ByEmail: t.ActorEmail,
			At: t.At.UTC(), Reason: t.Reason})
	}
	trend, err := db.Trend(ctx, actor, as.ProviderID)
	if err != nil {
		return d, err
	}
	d.Previous = previousCampaign(trend, d.Campaign)
	return d, nil
}

// previousCampaign picks, from a provider's trend (oldest first), its
// standing in the latest campaign that opened before c; nil when none did.
func previousCampaign(trend []store.TrendPoint, c domain.Campaign) *reports.TrendPoint {
	var prev *reports.TrendPoint
	for _, t := range trend {
		if t.CampaignID == c.ID || !t.OpensAt.Before(c.OpensAt) {
			continue
		}
		prev = &reports.TrendPoint{CampaignID: t.CampaignID, CampaignName: t.CampaignName, OpensAt: t.OpensAt, DueAt: t.DueAt,
			Status: t.Status}
		// A draft was never filed: its blanks are no standing to compare with.
		if t.Status != domain.StatusDraft {
			prev.Source, prev.Compliance, prev.Threats, prev.MaxScore = t.Source, t.Compliance, t.Threats, t.MaxScore
			prev.MeanScore, prev.Levels = t.MeanScore, t.Levels
		}
	}
	return prev
}

// sectorData gathers a campaign's sector report.
func (a *App) sectorData(ctx context.Context, actor domain.Actor, campaignID, basis string) (reports.SectorData, error) {
	db := a.db
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
	for _, as := range assessments {
		p := byProvider[as.ProviderID]
		sp := reports.SectorProvider{ProviderID: as.ProviderID, Name: as.ProviderName, LegalName: p.LegalName,
			Licence: p.LicenceNumber, Kind: p.Kind, Tier: p.Tier, AssessmentID: as.ID, Status: as.Status,
			SubmittedAt: as.SubmittedAt, Filing: filing(as)}
		if row, ok := byAssessment[as.ID]; ok {
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
			row.Threats = append(row.Threats, reports.ThreatScore{ThreatID: t.ThreatID, Score: t.Score, Level: t.Level})
		}
		for _, w := range p.WorstDimensions {
			row.Dimensions = append(row.Dimensions, reports.DimensionScore{DimensionID: w.DimensionID, Name: dimNames[w.DimensionID],
				Compliance: w.Compliance})
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

// responseSource streams a campaign's response register to a report writer.
func (a *App) responseSource(ctx context.Context, actor domain.Actor, campaignID string) reports.ResponseSource {
	return func(emit func(reports.ResponseRow) error) error {
		return a.db.EachResponse(ctx, actor, campaignID, func(row store.RegisterRow) error {
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
