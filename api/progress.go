package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// CampaignProgress is where the filings of a campaign stand.
type CampaignProgress struct {
	CampaignID       string  `json:"campaign_id" format:"uuid"`
	Name             string  `json:"name"`
	Status           string  `json:"status" enum:"draft,open,closed"`
	DueAt            string  `json:"due_at" format:"date"`
	Assessments      int     `json:"assessments" doc:"Filings counted (a provider user's own only)."`
	NotStarted       int     `json:"not_started" doc:"Drafts with no answer yet."`
	Draft            int     `json:"draft" doc:"Drafts with at least one answer."`
	Submitted        int     `json:"submitted"`
	InReview         int     `json:"in_review"`
	ChangesRequested int     `json:"changes_requested"`
	Approved         int     `json:"approved"`
	Rejected         int     `json:"rejected"`
	Applicable       int     `json:"applicable_controls" doc:"Controls to answer, summed over the filings."`
	Answered         int     `json:"answered_controls"`
	AnsweredShare    float64 `json:"answered_share" doc:"answered_controls / applicable_controls, 0–1."`
	Overdue          int     `json:"overdue" doc:"Filings still owed after the due date."`
}

type progressOutput struct {
	Body CampaignProgress
}

func (a *API) registerProgress() {
	register(a, huma.Operation{
		OperationID: "get-campaign-progress", Method: http.MethodGet, Path: "/api/v1/campaigns/{id}/progress",
		Tags: []string{"Campaigns"}, Summary: "Campaign progress",
		Description: "Counts the campaign's filings by state (drafts with no answer yet apart as not_started), " +
			"the share of its controls answered and the filings overdue. Provider users count their own filing only.",
	}, func(ctx context.Context, in *IDParam) (*progressOutput, error) {
		list, err := a.app.CampaignProgress(ctx, actorFrom(ctx), []string{in.ID})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, domain.Errorf(domain.ENotFound, "no such campaign")
		}
		return &progressOutput{Body: progressOf(list[0])}, nil
	})
}

func progressOf(p store.CampaignProgress) CampaignProgress {
	out := CampaignProgress{CampaignID: p.CampaignID, Name: p.CampaignName, Status: string(p.Status), DueAt: p.DueAt.String(),
		Assessments: p.Assessments, NotStarted: p.NotStarted, Draft: p.Draft, Submitted: p.Submitted, InReview: p.InReview,
		ChangesRequested: p.ChangesRequested, Approved: p.Approved, Rejected: p.Rejected, Applicable: p.Applicable,
		Answered: p.Answered, Overdue: p.Overdue}
	if p.Applicable > 0 {
		out.AnsweredShare = float64(int(float64(p.Answered)/float64(p.Applicable)*10000+0.5)) / 10000
	}
	return out
}
