package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Finding is a weakness the provider must remediate by a date.
type Finding struct {
	ID              string          `json:"id" format:"uuid"`
	AssessmentID    string          `json:"assessment_id" format:"uuid"`
	CampaignID      string          `json:"campaign_id" format:"uuid"`
	ProviderID      string          `json:"provider_id" format:"uuid"`
	ProviderName    string          `json:"provider_name"`
	ControlID       string          `json:"control_id,omitempty"`
	Title           string          `json:"title"`
	Severity        string          `json:"severity" enum:"low,medium,high,critical"`
	Description     string          `json:"description"`
	DueAt           string          `json:"due_at" format:"date"`
	Status          string          `json:"status" enum:"open,in_progress,resolved,verified"`
	Overdue         bool            `json:"overdue"`
	RemediationPlan string          `json:"remediation_plan"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	Version         int             `json:"version"`
	Allowed         []string        `json:"allowed_actions" doc:"What the caller may do to the finding now: respond (plan or note), start, resolve, verify, reopen."`
	History         []FindingUpdate `json:"history,omitempty" doc:"Every step, oldest first (single finding only)."`
}

// FindingUpdate is one step of a finding's history.
type FindingUpdate struct {
	At         time.Time `json:"at"`
	ActorEmail string    `json:"actor_email,omitempty"`
	ActorName  string    `json:"actor_name,omitempty"`
	Note       string    `json:"note,omitempty"`
	From       string    `json:"from"`
	To         string    `json:"to"`
}

// findingOf is a finding as the caller sees it, with what the caller may do to it.
func (a *API) findingOf(ctx context.Context, f domain.Finding) Finding {
	out := Finding{Allowed: nonNil(a.app.FindingActions(actorFrom(ctx), f)), ID: f.ID, AssessmentID: f.AssessmentID, CampaignID: f.CampaignID, ProviderID: f.ProviderID,
		ProviderName: f.ProviderName, ControlID: f.ControlID, Title: f.Title, Severity: string(f.Severity),
		Description: f.Description, DueAt: f.DueAt.String(), Status: string(f.Status), Overdue: f.Overdue(domain.Today()),
		RemediationPlan: f.RemediationPlan, CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC(), Version: f.Version}
	for _, u := range f.Updates {
		out.History = append(out.History, FindingUpdate{At: u.At.UTC(), ActorEmail: u.ActorEmail, ActorName: u.ActorName, Note: u.Note,
			From: string(u.From), To: string(u.To)})
	}
	return out
}

type findingOutput struct {
	Body Finding
}

func (a *API) findingResponse(ctx context.Context, f domain.Finding) *findingOutput {
	return &findingOutput{Body: a.findingOf(ctx, f)}
}

type createFindingInput struct {
	Body struct {
		AssessmentID string `json:"assessment_id" maxLength:"36"`
		ControlID    string `json:"control_id,omitempty" maxLength:"100" doc:"The control concerned, if one."`
		Title        string `json:"title" maxLength:"300"`
		Severity     string `json:"severity" enum:"low,medium,high,critical"`
		Description  string `json:"description" maxLength:"20000"`
		DueAt        string `json:"due_at" format:"date" doc:"Remediation due date, in the future."`
	}
}

type listFindingsInput struct {
	ListParams
	Campaign   string `query:"campaign" maxLength:"36"`
	Provider   string `query:"provider" maxLength:"36"`
	Assessment string `query:"assessment" maxLength:"36"`
	Status     string `query:"status" enum:"open,in_progress,resolved,verified"`
	Severity   string `query:"severity" enum:"low,medium,high,critical"`
	Overdue    bool   `query:"overdue" doc:"Only findings not resolved after their due date."`
}

type respondFindingInput struct {
	IDParam
	Body struct {
		RemediationPlan *string `json:"remediation_plan,omitempty" maxLength:"20000" doc:"Replaces the remediation plan."`
		Note            string  `json:"note,omitempty" maxLength:"20000" doc:"A progress note."`
		Action          string  `json:"action,omitempty" enum:"start,resolve" doc:"start: open → in_progress; resolve: → resolved."`
	}
}

type findingNoteInput struct {
	IDParam
	Body struct {
		Note string `json:"note,omitempty" maxLength:"20000"`
	}
}

type findingReasonInput struct {
	IDParam
	Body struct {
		Reason string `json:"reason" maxLength:"20000"`
	}
}

func (a *API) registerFindings() {
	tags := []string{"Findings"}
	register(a, huma.Operation{
		OperationID: "create-finding", Method: http.MethodPost, Path: "/api/v1/findings", Tags: tags,
		Summary: "Raise a finding", Description: "A supervisor raises a finding against an assessment or one of its controls.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createFindingInput) (*findingOutput, error) {
		b := in.Body
		due, err := domain.ParseDate(b.DueAt)
		if err != nil {
			return nil, domain.Invalid("the finding cannot be raised", []domain.Problem{{Location: "body.due_at", Message: err.Error()}})
		}
		f, err := a.app.CreateFinding(ctx, actorFrom(ctx), store.NewFinding{AssessmentID: b.AssessmentID, ControlID: b.ControlID,
			Title: b.Title, Severity: domain.Severity(b.Severity), Description: b.Description, DueAt: due})
		if err != nil {
			return nil, err
		}
		return a.findingResponse(ctx, f), nil
	})

	registerList(a, huma.Operation{
		OperationID: "list-findings", Method: http.MethodGet, Path: "/api/v1/findings", Tags: tags,
		Summary: "List findings", Description: "The earliest due first. Provider users see their own provider's only.",
	}, func(ctx context.Context, in *listFindingsInput) ([]domain.Finding, string, error) {
		return a.app.Findings(ctx, actorFrom(ctx), store.FindingFilter{CampaignID: in.Campaign,
			ProviderID: in.Provider, AssessmentID: in.Assessment, Status: domain.FindingStatus(in.Status),
			Severity: domain.Severity(in.Severity), Overdue: in.Overdue}, in.page())
	}, a.findingOf)

	registerOne(a, huma.Operation{
		OperationID: "get-finding", Method: http.MethodGet, Path: "/api/v1/findings/{id}", Tags: tags,
		Summary: "Get a finding", Description: "One finding with its history.",
	}, func(ctx context.Context, in *IDParam) (domain.Finding, error) {
		return a.app.Finding(ctx, actorFrom(ctx), in.ID)
	}, a.findingResponse)

	registerOne(a, huma.Operation{
		OperationID: "respond-to-finding", Method: http.MethodPost, Path: "/api/v1/findings/{id}/respond", Tags: tags,
		Summary: "Answer a finding",
		Description: "The provider gives or replaces its remediation plan, adds a progress note, and may move the " +
			"finding to in_progress (start) or resolved (resolve).",
	}, func(ctx context.Context, in *respondFindingInput) (domain.Finding, error) {
		return a.app.RespondToFinding(ctx, actorFrom(ctx), in.ID, store.FindingResponse{
			RemediationPlan: in.Body.RemediationPlan, Note: in.Body.Note, Action: in.Body.Action})
	}, a.findingResponse)

	registerOne(a, huma.Operation{
		OperationID: "verify-finding", Method: http.MethodPost, Path: "/api/v1/findings/{id}/verify", Tags: tags,
		Summary: "Verify a finding", Description: "A supervisor confirms a resolved finding is remediated.",
	}, func(ctx context.Context, in *findingNoteInput) (domain.Finding, error) {
		return a.app.VerifyFinding(ctx, actorFrom(ctx), in.ID, in.Body.Note)
	}, a.findingResponse)

	registerOne(a, huma.Operation{
		OperationID: "reopen-finding", Method: http.MethodPost, Path: "/api/v1/findings/{id}/reopen", Tags: tags,
		Summary: "Reopen a finding", Description: "A supervisor sends a resolved or verified finding back to open, with the reason.",
	}, func(ctx context.Context, in *findingReasonInput) (domain.Finding, error) {
		return a.app.ReopenFinding(ctx, actorFrom(ctx), in.ID, in.Body.Reason)
	}, a.findingResponse)
}
