package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"

	"assure/domain"
)

// Scope chooses a campaign's providers by kind and tier.
type Scope struct {
	Kinds []string `json:"kinds" doc:"Provider kinds; empty means every kind."`
	Tiers []int    `json:"tiers" doc:"Systemic tiers; empty means every tier."`
}

// Campaign is a supervisory cycle.
type Campaign struct {
	ID               string     `json:"id" format:"uuid"`
	Name             string     `json:"name"`
	Framework        string     `json:"framework" example:"x1150"`
	FrameworkVersion string     `json:"framework_version" example:"1.0"`
	Level            string     `json:"level,omitempty" doc:"The framework's level of assessment the campaign asks; every control when absent."`
	ProviderIDs      []string   `json:"provider_ids,omitempty" doc:"The providers in scope, when chosen one by one."`
	Scope            *Scope     `json:"scope,omitempty" doc:"The providers in scope by kind and tier, when not chosen one by one."`
	OpensAt          string     `json:"opens_at" format:"date"`
	DueAt            string     `json:"due_at" format:"date"`
	Instructions     string     `json:"instructions"`
	Status           string     `json:"status" enum:"draft,open,closed"`
	Assessments      int        `json:"assessments" doc:"Assessments created when the campaign opened."`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	OpenedAt         *time.Time `json:"opened_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	Version          int        `json:"version"`
	Allowed          []string   `json:"allowed_actions" doc:"What the caller may do to the campaign now: open, extend, close."`
	SeriesID         string     `json:"series_id,omitempty" format:"uuid" doc:"The campaign series that made the campaign, if one did."`
	Occurrence       *int       `json:"occurrence,omitempty" doc:"Which of its series' campaigns it is, from 0."`
}

// campaignOf is a campaign as the caller sees it, with what the caller may do to it.
func (a *API) campaignOf(ctx context.Context, c domain.Campaign) Campaign {
	out := Campaign{Allowed: nonNil(a.app.CampaignActions(actorFrom(ctx), c)), ID: c.ID, Name: c.Name, Framework: c.FrameworkID, FrameworkVersion: c.FrameworkVersion,
		Level: c.Level, OpensAt: c.OpensAt.String(), DueAt: c.DueAt.String(), Instructions: c.Instructions, Status: string(c.Status),
		Assessments: c.Assessments, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), OpenedAt: c.OpenedAt,
		ClosedAt: c.ClosedAt, Version: c.Version}
	if c.SeriesID != "" && actorFrom(ctx).Scope().All() {
		k := c.Occurrence
		out.SeriesID, out.Occurrence = c.SeriesID, &k
	}
	if len(c.ProviderIDs) > 0 {
		out.ProviderIDs = c.ProviderIDs
	} else {
		out.Scope = &Scope{Kinds: []string{}, Tiers: nonNil(c.Tiers)}
		for _, k := range c.Kinds {
			out.Scope.Kinds = append(out.Scope.Kinds, string(k))
		}
	}
	return out
}

type createCampaignInput struct {
	Body struct {
		Name             string   `json:"name" maxLength:"200"`
		Framework        string   `json:"framework" maxLength:"100" example:"x1150"`
		FrameworkVersion string   `json:"framework_version,omitempty" maxLength:"100" doc:"The latest published version when absent."`
		Level            string   `json:"level,omitempty" maxLength:"100" doc:"Ask only the controls of this level of the framework (such as a testing profile)."`
		ProviderIDs      []string `json:"provider_ids,omitempty" maxItems:"10000" doc:"Choose providers one by one, or give scope."`
		Scope            *struct {
			Kinds []string `json:"kinds,omitempty" maxItems:"9" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
			Tiers []int    `json:"tiers,omitempty" maxItems:"3"`
		} `json:"scope,omitempty" doc:"Choose providers by kind and tier; empty lists mean any."`
		OpensAt      string `json:"opens_at" format:"date" doc:"YYYY-MM-DD"`
		DueAt        string `json:"due_at" format:"date" doc:"YYYY-MM-DD"`
		Instructions string `json:"instructions,omitempty" maxLength:"20000"`
	}
}

type campaignOutput struct {
	ETag string `header:"ETag"`
	Body Campaign
}

func (a *API) campaignResponse(ctx context.Context, c domain.Campaign) *campaignOutput {
	return &campaignOutput{ETag: etag(c.Version), Body: a.campaignOf(ctx, c)}
}

type listCampaignsInput struct {
	ListParams
	Status string `query:"status" enum:"draft,open,closed"`
}

type extendCampaignInput struct {
	IDParam
	Body struct {
		DueAt  string `json:"due_at" format:"date" doc:"The new due date, later than the current one."`
		Reason string `json:"reason" maxLength:"2000"`
	}
}

// dates parses YYYY-MM-DD fields, collecting a problem for each bad one.
func dates(fields map[string]string) (map[string]domain.Date, []domain.Problem) {
	out := map[string]domain.Date{}
	var problems []domain.Problem
	for loc, v := range fields {
		if v == "" {
			continue
		}
		d, err := domain.ParseDate(v)
		if err != nil {
			problems = append(problems, domain.Problem{Location: loc, Message: err.Error()})
			continue
		}
		out[loc] = d
	}
	return out, problems
}

func (a *API) registerCampaigns() {
	tags := []string{"Campaigns"}
	register(a, huma.Operation{
		OperationID: "create-campaign", Method: http.MethodPost, Path: "/api/v1/campaigns", Tags: tags,
		Summary: "Prepare a campaign",
		Description: "Creates a draft campaign over one framework version and a scope of providers. Nothing is " +
			"sent to providers until it is opened.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createCampaignInput) (*campaignOutput, error) {
		b := in.Body
		d, problems := dates(map[string]string{"body.opens_at": b.OpensAt, "body.due_at": b.DueAt})
		if len(problems) > 0 {
			return nil, domain.Invalid("the campaign cannot be created", problems)
		}
		c := domain.Campaign{Name: b.Name, FrameworkID: b.Framework, FrameworkVersion: b.FrameworkVersion, Level: b.Level,
			ProviderIDs: b.ProviderIDs, OpensAt: d["body.opens_at"], DueAt: d["body.due_at"], Instructions: b.Instructions}
		if b.Scope != nil {
			c.Tiers = b.Scope.Tiers
			for _, k := range b.Scope.Kinds {
				c.Kinds = append(c.Kinds, domain.ProviderKind(k))
			}
		}
		out, err := a.app.CreateCampaign(ctx, actorFrom(ctx), c)
		if err != nil {
			return nil, err
		}
		return a.campaignResponse(ctx, out), nil
	})

	register(a, huma.Operation{
		OperationID: "list-campaigns", Method: http.MethodGet, Path: "/api/v1/campaigns", Tags: tags,
		Summary: "List campaigns", Description: "Newest first. Provider users see the campaigns they take part in.",
	}, func(ctx context.Context, in *listCampaignsInput) (*ListOutput[Campaign], error) {
		list, next, err := a.app.Campaigns(ctx, actorFrom(ctx), domain.CampaignStatus(in.Status), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, func(c domain.Campaign) Campaign { return a.campaignOf(ctx, c) }), nil
	})

	register(a, huma.Operation{
		OperationID: "get-campaign", Method: http.MethodGet, Path: "/api/v1/campaigns/{id}", Tags: tags,
		Summary: "Get a campaign", Description: "One campaign.",
	}, func(ctx context.Context, in *IDParam) (*campaignOutput, error) {
		c, err := a.app.Campaign(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return a.campaignResponse(ctx, c), nil
	})

	register(a, huma.Operation{
		OperationID: "open-campaign", Method: http.MethodPost, Path: "/api/v1/campaigns/{id}/open", Tags: tags,
		Summary: "Open a campaign",
		Description: "Queues the opening of a draft campaign and answers at once, whatever its size. A background " +
			"job then creates, in one transaction, one assessment per active provider in scope, each with one " +
			"response per control that applies to the provider: all of them, or none if it fails. Follow it at " +
			"the Location given; asking again while it is queued or running returns the same opening.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *IDParam) (*openingOutput, error) {
		o, err := a.app.StartOpeningCampaign(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return a.openingResponse(ctx, o), nil
	})

	register(a, huma.Operation{
		OperationID: "get-campaign-opening", Method: http.MethodGet, Path: "/api/v1/campaigns/{id}/opening", Tags: tags,
		Summary: "Follow a campaign's opening",
		Description: "Where the opening of a campaign stands: queued, running (phase and rows written of the total), " +
			"done (the campaign is open) or failed (nothing was created; the reason says why). Only those who run " +
			"campaigns see openings.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *IDParam) (*openingOutput, error) {
		o, err := a.app.CampaignOpeningState(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		if o.Opening.Status == "" {
			return nil, domain.Errorf(domain.ENotFound, "the campaign has not been asked to open")
		}
		return a.openingResponse(ctx, o), nil
	})

	register(a, huma.Operation{
		OperationID: "extend-campaign", Method: http.MethodPost, Path: "/api/v1/campaigns/{id}/extend", Tags: tags,
		Summary: "Extend a campaign", Description: "Moves the due date of an open campaign later, with a reason.",
	}, func(ctx context.Context, in *extendCampaignInput) (*campaignOutput, error) {
		due, err := domain.ParseDate(in.Body.DueAt)
		if err != nil {
			return nil, domain.Invalid("the campaign cannot be extended",
				[]domain.Problem{{Location: "body.due_at", Message: err.Error()}})
		}
		c, err := a.app.ExtendCampaign(ctx, actorFrom(ctx), in.ID, due, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return a.campaignResponse(ctx, c), nil
	})

	register(a, huma.Operation{
		OperationID: "close-campaign", Method: http.MethodPost, Path: "/api/v1/campaigns/{id}/close", Tags: tags,
		Summary: "Close a campaign", Description: "Nothing more can be filed in a closed campaign.",
	}, func(ctx context.Context, in *IDParam) (*campaignOutput, error) {
		c, err := a.app.CloseCampaign(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return a.campaignResponse(ctx, c), nil
	})
}

// CampaignOpening is where the opening of a campaign stands.
type CampaignOpening struct {
	CampaignID string     `json:"campaign_id" format:"uuid"`
	Status     string     `json:"status" enum:"queued,running,done,failed"`
	Phase      string     `json:"phase" enum:",preparing,assessments,responses,scores,finishing,done" doc:"What a running opening is doing."`
	Done       int        `json:"done" doc:"Rows written so far: assessments and responses."`
	Total      int        `json:"total" doc:"Rows the opening writes in all; 0 until it has read the scope."`
	Percent    int        `json:"percent" minimum:"0" maximum:"100"`
	Error      string     `json:"error,omitempty" doc:"Why a failed opening stopped. Nothing of it was kept."`
	Attempt    int        `json:"attempt" doc:"How many times the job has started; a job interrupted starts again from the beginning."`
	CreatedAt  time.Time  `json:"created_at" doc:"When the opening was asked for."`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Campaign   Campaign   `json:"campaign" doc:"The campaign as it stands: open once the opening is done."`
}

type openingOutput struct {
	Location string `header:"Location" doc:"Where to follow the opening."`
	Body     CampaignOpening
}

func (a *API) openingResponse(ctx context.Context, o app.CampaignOpening) *openingOutput {
	p := o.Opening
	return &openingOutput{Location: "/api/v1/campaigns/" + o.Campaign.ID + "/opening", Body: CampaignOpening{
		CampaignID: o.Campaign.ID, Status: p.Status, Phase: p.Phase, Done: p.Done, Total: p.Total, Percent: p.Percent(),
		Error: p.Error, Attempt: p.Attempt, CreatedAt: p.CreatedAt.UTC(), StartedAt: p.StartedAt, FinishedAt: p.FinishedAt,
		Campaign: a.campaignOf(ctx, o.Campaign)}}
}
