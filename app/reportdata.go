package app

import (
	"context"
	"time"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// assessmentData gathers the report of an assessment the actor has been
// allowed to export. Its reads do not depend on one another, so they run
// side by side; each still checks the actor's scope itself.
func (a *App) assessmentData(ctx context.Context, actor domain.Actor, as domain.Assessment) (reports.AssessmentData, error) {
	db := a.db
	id := as.ID
	d := reports.AssessmentData{GeneratedAt: time.Now().UTC(), GeneratedBy: generatedBy(actor), Assessment: as,
		DecidedBy: as.DecidedBy, DecidedAt: as.DecidedAt}
	var (
		risk    store.RiskRegister
		subs    []store.Submission
		history []store.Transition
		trend   []store.TrendPoint
		peers   *Benchmark
	)
	err := gather(ctx,
		func(ctx context.Context) (err error) {
			risk, err = db.ProviderRisk(ctx, actor, as.ProviderID, as.CampaignID, "")
			return err
		},
		func(ctx context.Context) (err error) {
			d.Responses, err = store.All(func(p store.Page) ([]domain.Response, string, error) {
				return db.Responses(ctx, actor, id, store.ResponseFilter{}, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			d.Provider, err = db.Provider(ctx, actor, as.ProviderID)
			return err
		},
		func(ctx context.Context) (err error) {
			d.Campaign, err = db.Campaign(ctx, actor, as.CampaignID)
			return err
		},
		func(ctx context.Context) (err error) {
			d.Evidence, err = store.All(func(p store.Page) ([]domain.Evidence, string, error) {
				return db.EvidenceOf(ctx, actor, id, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			d.Findings, err = store.All(func(p store.Page) ([]domain.Finding, string, error) {
				return db.Findings(ctx, actor, store.FindingFilter{AssessmentID: id}, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			subs, err = db.Submissions(ctx, actor, id)
			return err
		},
		func(ctx context.Context) (err error) {
			history, err = db.Transitions(ctx, actor, id)
			return err
		},
		func(ctx context.Context) (err error) {
			trend, err = db.Trend(ctx, actor, as.ProviderID)
			return err
		},
		func(ctx context.Context) error {
			// The report may travel to the provider: its peer section is the
			// one the provider's users see, whoever exports it.
			if !a.may(actor, as.ProviderID, "benchmark", "read") {
				return nil
			}
			b, err := a.benchmark(ctx, actor, as.ProviderID, as.CampaignID, false)
			peers = &b
			return err
		},
	)
	if err != nil {
		return d, err
	}
	d.Framework, d.Basis, d.Source, d.Risk, d.Tier = risk.Framework, risk.Basis, risk.Source, risk.Result, risk.Tier
	if len(subs) > 0 {
		s := subs[0]
		d.Submission = &reports.SubmissionInfo{Version: s.Version, SubmittedAt: s.SubmittedAt.UTC(), SubmittedBy: s.SubmittedBy,
			Late: s.Late, Attestation: s.Attestation, Seal: s.Seal, Verified: s.Verified}
	}
	for _, t := range history {
		d.History = append(d.History, reports.StateChange{From: t.From, To: t.To, By: t.ActorName, ByEmail: t.ActorEmail,
			At: t.At.UTC(), Reason: t.Reason})
	}
	d.Previous = previousCampaign(trend, d.Campaign)
	d.Peers = peerBenchmarkOf(peers)
	return d, nil
}

// peerBenchmarkOf is the report's peer section of a benchmark shaped for a
// provider's users; nil for none.
func peerBenchmarkOf(b *Benchmark) *reports.PeerBenchmark {
	if b == nil {
		return nil
	}
	out := &reports.PeerBenchmark{Grouping: b.Grouping, Kind: b.Kind, Tier: b.Tier, Peers: b.Peers, Enough: b.Enough}
	line := func(l BenchmarkLine) reports.PeerLine {
		return reports.PeerLine{ID: l.ID, Name: l.Name, Own: l.Own, Count: l.Count, Quartiles: l.Quartiles}
	}
	for _, l := range b.Threats {
		out.Threats = append(out.Threats, line(l))
	}
	for _, l := range b.Dimensions {
		out.Dimensions = append(out.Dimensions, line(l))
	}
	return out
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

// sectorData gathers the sector report of campaign c, which the actor has
// been allowed to export. Its reads do not depend on one another, so they
// run side by side, width at a time; each still checks the actor's scope
// itself.
func (a *App) sectorData(ctx context.Context, actor domain.Actor, c domain.Campaign, basis string, width int) (reports.SectorData, error) {
	db := a.db
	campaignID := c.ID
	if basis == "" {
		basis = store.BasisFiled
	}
	d := reports.SectorData{GeneratedAt: time.Now().UTC(), GeneratedBy: generatedBy(actor), Campaign: c, Basis: basis}
	filter := store.SectorFilter{Basis: basis}
	var (
		m           store.RiskMatrix
		assessments []domain.Assessment
		rows        []store.HeatmapRow
		providers   []domain.Provider
		priorities  []store.Priority
	)
	err := gatherOn(ctx, width,
		func(ctx context.Context) (err error) {
			priorities, err = store.All(func(p store.Page) ([]store.Priority, string, error) {
				return db.Priorities(ctx, actor, campaignID, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			assessments, err = store.All(func(p store.Page) ([]domain.Assessment, string, error) {
				return db.Assessments(ctx, actor, store.AssessmentFilter{CampaignID: campaignID}, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			rows, err = store.All(func(p store.Page) ([]store.HeatmapRow, string, error) {
				return db.SectorHeatmap(ctx, actor, campaignID, filter, store.SortName, "", p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			providers, err = store.All(func(p store.Page) ([]domain.Provider, string, error) {
				return db.Providers(ctx, actor, store.ProviderFilter{}, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			d.Overdue, err = store.All(func(p store.Page) ([]domain.Finding, string, error) {
				return db.Findings(ctx, actor, store.FindingFilter{CampaignID: campaignID, Overdue: true}, p)
			})
			return err
		},
		func(ctx context.Context) (err error) {
			m, err = db.SectorRiskMatrix(ctx, actor, campaignID, filter, false)
			return err
		},
		func(ctx context.Context) (err error) {
			d.Framework, err = db.FrameworkOf(ctx, store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion})
			return err
		},
	)
	if err != nil {
		return d, err
	}
	d.Matrix, d.MatrixProviders, d.MatrixMissing = m.Counts, m.Providers, m.Missing

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

	dimNames := map[string]string{}
	for _, dim := range d.Framework.Dimensions {
		dimNames[dim.ID] = dim.Name
	}
	for _, p := range priorities {
		row := reports.PriorityRow{Rank: p.Rank, Name: p.ProviderName, Kind: p.Kind, Tier: p.Tier, Priority: p.Score,
			RiskIndex: p.Input.RiskIndex(), Filed: p.Filed, FilingOverdue: p.FilingOverdue, OverdueFindings: p.OverdueFindings,
			FindingsWeight: p.Drivers.FindingsWeight, LastOnSite: p.Drivers.LastOnSite, InspectionGap: p.Drivers.InspectionWeight}
		for _, t := range p.TopThreats {
			row.Threats = append(row.Threats, reports.ThreatScore{ThreatID: t.ThreatID, Score: t.Score, Level: t.Level})
		}
		for _, w := range p.WorstDimensions {
			row.Dimensions = append(row.Dimensions, reports.DimensionScore{DimensionID: w.DimensionID, Name: dimNames[w.DimensionID],
				Compliance: w.Compliance})
		}
		d.Priorities = append(d.Priorities, row)
	}
	return d, nil
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
