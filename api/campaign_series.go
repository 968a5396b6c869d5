package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// CampaignSeries is a campaign that recurs.
type CampaignSeries struct {
	ID               string    `json:"id" format:"uuid"`
	Name             string    `json:"name" doc:"Each campaign is named after it, with its year (or year and month)."`
	Framework        string    `json:"framework" example:"x1150"`
	FrameworkVersion string    `json:"framework_version,omitempty" doc:"Absent: each campaign takes the latest version published when it is made."`
	Level            string    `json:"level,omitempty"`
	ProviderIDs      []string  `json:"provider_ids,omitempty"`
	Scope            *Scope    `json:"scope,omitempty"`
	Instructions     string    `json:"instructions"`
	EveryMonths      int       `json:"every_months" enum:"1,3,6,12"`
	FirstOpensOn     string    `json:"first_opens_on" format:"date"`
	DueAfterDays     int       `json:"due_after_days"`
	LeadDays         int       `json:"lead_days"`
	Status           string    `json:"status" enum:"active,paused"`
	NextOpensOn      string    `json:"next_opens_on" format:"date" doc:"The day the next campaign not yet made opens (if the series is active)."`
	Campaigns        int       `json:"campaigns" doc:"Campaigns the series has made."`
	LastError        string    `json:"last_error,omitempty" doc:"Why the latest campaign could not be made or opened, until it can."`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version"`
	Allowed          []string  `json:"allowed_actions" doc:"What the caller may do to the series now: pause or resume."`
}

func (a *API) seriesOf(ctx context.Context, s store.Series) CampaignSeries {
	out := CampaignSeries{ID: s.ID, Name: s.Name, Framework: s.FrameworkID, FrameworkVersion: s.FrameworkVersion,
		Level: s.Level, Instructions: s.Instructions, EveryMonths: s.EveryMonths, FirstOpensOn: s.FirstOpensOn.String(),
		DueAfterDays: s.DueAfterDays, LeadDays: s.LeadDays, Status: string(s.Status),
		NextOpensOn: s.OpensOn(s.Next(a.app.Today())).String(), Campaigns: s.Campaigns, LastError: s.LastError,
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), Version: s.Version,
		Allowed: nonNil(a.app.SeriesActions(actorFrom(ctx), s))}
	if len(s.ProviderIDs) > 0 {
		out.ProviderIDs = s.ProviderIDs
	} else {
		out.Scope = &Scope{Kinds: []string{}, Tiers: nonNil(s.Tiers)}
		for _, k := range s.Kinds {
			out.Scope.Kinds = append(out.Scope.Kinds, string(k))
		}
	}
	return out
}

type seriesOutput struct {
	ETag string `header:"ETag"`
	Body CampaignSeries
}

func (a *API) seriesResponse(ctx context.Context, s store.Series) *seriesOutput {
	return &seriesOutput{ETag: etag(s.Version), Body: a.seriesOf(ctx, s)}
}

type createSeriesInput struct {
	Body struct {
		Name             string   `json:"name" maxLength:"180"`
		Framework        string   `json:"framework" maxLength:"100" example:"x1150"`
		FrameworkVersion string   `json:"framework_version,omitempty" maxLength:"100" doc:"Absent: each campaign takes the latest version published when it is made."`
		Level            string   `json:"level,omitempty" maxLength:"100"`
		ProviderIDs      []string `json:"provider_ids,omitempty" maxItems:"10000" doc:"Choose providers one by one, or give scope."`
		Scope            *struct {
			Kinds []string `json:"kinds,omitempty" maxItems:"9" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
			Tiers []int    `json:"tiers,omitempty" maxItems:"3"`
		} `json:"scope,omitempty" doc:"Choose providers by kind and tier; empty lists mean any. Each campaign covers the providers active when it opens."`
		Instructions string `json:"instructions,omitempty" maxLength:"20000"`
		EveryMonths  int    `json:"every_months" enum:"1,3,6,12" doc:"12 for a yearly campaign, 6 half-yearly, 3 quarterly, 1 monthly."`
		FirstOpensOn string `json:"first_opens_on" format:"date" doc:"The day the first campaign opens, today or later; the next ones open on the same day of the month."`
		DueAfterDays int    `json:"due_after_days" minimum:"1" maximum:"366" doc:"Each campaign is due this many days after it opens."`
		LeadDays     *int   `json:"lead_days,omitempty" minimum:"0" maximum:"90" doc:"Each campaign is made, as a draft to read over, this many days before it opens (14 when absent)."`
	}
}

type updateSeriesInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The series' ETag as last read; a stale one is refused with 412."`
	Body    updateSeriesBody
}

// updateSeriesBody is a change of a series: the fields given replace its own.
type updateSeriesBody struct {
	Name        *string   `json:"name,omitempty" maxLength:"180"`
	ProviderIDs *[]string `json:"provider_ids,omitempty" maxItems:"10000" doc:"Given, or scope given: the providers chosen replace the series' scope."`
	Scope       *struct {
		Kinds []string `json:"kinds,omitempty" maxItems:"9" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
		Tiers []int    `json:"tiers,omitempty" maxItems:"3"`
	} `json:"scope,omitempty" doc:"Given, or provider_ids given: the kinds and tiers replace the series' scope; empty lists mean any."`
	Instructions *string `json:"instructions,omitempty" maxLength:"20000"`
	EveryMonths  *int    `json:"every_months,omitempty" enum:"1,3,6,12"`
	FirstOpensOn *string `json:"first_opens_on,omitempty" format:"date" doc:"The day occurrence 0 opens (or opened); the others open every every_months months from it."`
	DueAfterDays *int    `json:"due_after_days,omitempty" minimum:"1" maximum:"366"`
	LeadDays     *int    `json:"lead_days,omitempty" minimum:"0" maximum:"90"`
}

// change is the change the body asks for, and the problem of a date that
// does not read as one.
func (b updateSeriesBody) change() (domain.SeriesChange, []domain.Problem) {
	c := domain.SeriesChange{Name: b.Name, Instructions: b.Instructions, EveryMonths: b.EveryMonths,
		DueAfterDays: b.DueAfterDays, LeadDays: b.LeadDays}
	if b.FirstOpensOn != nil {
		d, problems := dates(map[string]string{"body.first_opens_on": *b.FirstOpensOn})
		if len(problems) > 0 {
			return c, problems
		}
		first := d["body.first_opens_on"]
		c.FirstOpensOn = &first
	}
	if b.ProviderIDs != nil || b.Scope != nil {
		c.Scope = &domain.SeriesScope{}
		if b.ProviderIDs != nil {
			c.Scope.ProviderIDs = *b.ProviderIDs
		}
		if b.Scope != nil {
			c.Scope.Tiers = b.Scope.Tiers
			for _, k := range b.Scope.Kinds {
				c.Scope.Kinds = append(c.Scope.Kinds, domain.ProviderKind(k))
			}
		}
	}
	return c, nil
}

type listSeriesInput struct {
	ListParams
	Status string `query:"status" enum:"active,paused"`
}

type seriesCampaignsInput struct {
	IDParam
	ListParams
}

func (a *API) registerCampaignSeries() {
	tags := []string{"Campaigns"}
	register(a, huma.Operation{
		OperationID: "create-campaign-series", Method: http.MethodPost, Path: "/api/v1/campaign-series", Tags: tags,
		Summary: "Start a campaign series",
		Description: "A campaign that recurs: every every_months months from first_opens_on, a campaign over the same " +
			"framework and scope, due due_after_days after it opens. Each day Assure makes the next campaign as a " +
			"draft lead_days before it opens, and opens it on its day as a supervisor would.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createSeriesInput) (*seriesOutput, error) {
		b := in.Body
		d, problems := dates(map[string]string{"body.first_opens_on": b.FirstOpensOn})
		if len(problems) > 0 {
			return nil, domain.Invalid("the campaign series cannot be created", problems)
		}
		s := domain.CampaignSeries{Name: b.Name, FrameworkID: b.Framework, FrameworkVersion: b.FrameworkVersion,
			Level: b.Level, ProviderIDs: b.ProviderIDs, Instructions: b.Instructions, EveryMonths: b.EveryMonths,
			FirstOpensOn: d["body.first_opens_on"], DueAfterDays: b.DueAfterDays, LeadDays: domain.DefaultSeriesLeadDays}
		if b.LeadDays != nil {
			s.LeadDays = *b.LeadDays
		}
		if b.Scope != nil {
			s.Tiers = b.Scope.Tiers
			for _, k := range b.Scope.Kinds {
				s.Kinds = append(s.Kinds, domain.ProviderKind(k))
			}
		}
		out, err := a.app.CreateCampaignSeries(ctx, actorFrom(ctx), s)
		if err != nil {
			return nil, err
		}
		return a.seriesResponse(ctx, out), nil
	})

	registerList(a, huma.Operation{
		OperationID: "list-campaign-series", Method: http.MethodGet, Path: "/api/v1/campaign-series", Tags: tags,
		Summary: "List campaign series", Description: "Newest first. Supervisors and auditors only.",
	}, func(ctx context.Context, in *listSeriesInput) ([]store.Series, string, error) {
		return a.app.CampaignSeriesList(ctx, actorFrom(ctx), domain.SeriesStatus(in.Status), in.page())
	}, a.seriesOf)

	registerOne(a, huma.Operation{
		OperationID: "get-campaign-series", Method: http.MethodGet, Path: "/api/v1/campaign-series/{id}", Tags: tags,
		Summary: "Get a campaign series", Description: "One series.", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *IDParam) (store.Series, error) {
		return a.app.CampaignSeries(ctx, actorFrom(ctx), in.ID)
	}, a.seriesResponse)

	registerOne(a, huma.Operation{
		OperationID: "update-campaign-series", Method: http.MethodPatch, Path: "/api/v1/campaign-series/{id}", Tags: tags,
		Summary: "Change a campaign series",
		Description: "Changes the given fields; the framework stays. The campaigns the series made stay as they are, " +
			"a draft not yet opened included: the change applies to the campaigns it makes from its next one on. " +
			"A new first_opens_on or every_months must have the next campaign open today or later and after the " +
			"latest one made.",
		Errors: []int{http.StatusNotFound, http.StatusPreconditionFailed},
	}, func(ctx context.Context, in *updateSeriesInput) (store.Series, error) {
		c, problems := in.Body.change()
		if len(problems) > 0 {
			return store.Series{}, domain.Invalid("the campaign series cannot be changed", problems)
		}
		return versioned(in.IfMatch, func(version int) (store.Series, error) {
			return a.app.UpdateCampaignSeries(ctx, actorFrom(ctx), in.ID, c, version)
		})
	}, a.seriesResponse)

	registerList(a, huma.Operation{
		OperationID: "list-series-campaigns", Method: http.MethodGet, Path: "/api/v1/campaign-series/{id}/campaigns", Tags: tags,
		Summary: "List a series' campaigns", Description: "The campaigns the series made, the latest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *seriesCampaignsInput) ([]domain.Campaign, string, error) {
		if _, err := a.app.CampaignSeries(ctx, actorFrom(ctx), in.ID); err != nil {
			return nil, "", err
		}
		return a.app.SeriesCampaigns(ctx, actorFrom(ctx), in.ID, in.page())
	}, a.campaignOf)

	registerOne(a, huma.Operation{
		OperationID: "pause-campaign-series", Method: http.MethodPost, Path: "/api/v1/campaign-series/{id}/pause", Tags: tags,
		Summary: "Pause a campaign series",
		Description: "The series makes no campaign until it is resumed, and a draft it made is not opened on its day. " +
			"Pausing a paused series changes nothing.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *IDParam) (store.Series, error) {
		return a.app.PauseCampaignSeries(ctx, actorFrom(ctx), in.ID)
	}, a.seriesResponse)

	registerOne(a, huma.Operation{
		OperationID: "resume-campaign-series", Method: http.MethodPost, Path: "/api/v1/campaign-series/{id}/resume", Tags: tags,
		Summary: "Resume a campaign series",
		Description: "The series makes campaigns again, from the next one whose due date has not passed. " +
			"Resuming an active series changes nothing.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *IDParam) (store.Series, error) {
		return a.app.ResumeCampaignSeries(ctx, actorFrom(ctx), in.ID)
	}, a.seriesResponse)
}
