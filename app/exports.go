package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// RecentReportJobsShown is how many of a user's report jobs an exports
// page lists.
const RecentReportJobsShown = 10

// ExportableAssessment returns an assessment whose reports the actor may
// export: another provider's is ENotFound, a role that exports nothing
// EForbidden.
func (a *App) ExportableAssessment(ctx context.Context, actor domain.Actor, id string) (domain.Assessment, error) {
	return a.assessment(ctx, actor, id, "report", "export")
}

// CampaignExports is a campaign whose sector reports the actor may export,
// with the report jobs the actor asked for about it, newest first.
type CampaignExports struct {
	Campaign domain.Campaign
	Jobs     []store.ReportJob
}

// CampaignExports gathers a campaign's exports page: EForbidden for a role
// that may not export sector reports, ENotFound for a campaign the actor
// does not see.
func (a *App) CampaignExports(ctx context.Context, actor domain.Actor, id string) (CampaignExports, error) {
	var e CampaignExports
	if err := a.permit(ctx, actor, "sector_report", "export"); err != nil {
		return e, err
	}
	var err error
	if e.Campaign, err = a.db.Campaign(ctx, actor, id); err != nil {
		return e, err
	}
	e.Jobs, err = a.db.RecentReportJobs(ctx, actor, id, RecentReportJobsShown)
	return e, err
}
