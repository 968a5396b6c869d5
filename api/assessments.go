package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Assessment is one provider's filing in one campaign.
type Assessment struct {
	ID           string     `json:"id" format:"uuid"`
	CampaignID   string     `json:"campaign_id" format:"uuid"`
	CampaignName string     `json:"campaign_name"`
	ProviderID   string     `json:"provider_id" format:"uuid"`
	ProviderName string     `json:"provider_name"`
	Status       string     `json:"status" enum:"draft,submitted,in_review,changes_requested,approved,rejected"`
	Allowed      []string   `json:"allowed_actions" doc:"What the caller may do to the assessment now: its state, the caller's role and provider, and the four-eyes rule all count."`
	DueAt        string     `json:"due_at" format:"date"`
	Overdue      bool       `json:"overdue" doc:"Still unfiled after the due date."`
	Submission   int        `json:"submission" doc:"The number of the latest submission; 0 before the first."`
	Applicable   int        `json:"applicable_controls"`
	Answered     int        `json:"answered_controls"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	Version      int        `json:"version" doc:"Changes with every change of the assessment's state."`
	Changes      string     `json:"changes_requested_reason,omitempty" doc:"The supervisor's reason, while changes are requested."`
	ETag         string     `json:"etag"`
}

func assessmentOf(a domain.Assessment, allowed []string) Assessment {
	return Assessment{ID: a.ID, CampaignID: a.CampaignID, CampaignName: a.CampaignName, ProviderID: a.ProviderID,
		ProviderName: a.ProviderName, Status: string(a.Status), Allowed: nonNil(allowed),
		DueAt: a.DueAt.String(), Overdue: a.Overdue(domain.Today()), Submission: a.Submissions,
		Applicable: a.Applicable, Answered: a.Answered, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		SubmittedAt: a.SubmittedAt, DecidedAt: a.DecidedAt, Version: a.Version, ETag: etag(a.Version),
		Changes: a.ChangesReason}
}

type assessmentOutput struct {
	ETag string `header:"ETag"`
	Body Assessment
}

// assessmentResponse answers one assessment with what the caller may do to it.
func (a *API) assessmentResponse(ctx context.Context, as domain.Assessment) (*assessmentOutput, error) {
	allowed, err := a.app.AllowedActions(ctx, actorFrom(ctx), as)
	if err != nil {
		return nil, err
	}
	return &assessmentOutput{ETag: etag(as.Version), Body: assessmentOf(as, allowed[0])}, nil
}

type listAssessmentsInput struct {
	ListParams
	Campaign string `query:"campaign" maxLength:"36" doc:"Only this campaign's assessments."`
	Provider string `query:"provider" maxLength:"36" doc:"Only this provider's assessments."`
	Status   string `query:"status" enum:"draft,submitted,in_review,changes_requested,approved,rejected"`
	Overdue  bool   `query:"overdue" doc:"Only assessments still unfiled after their due date."`
}

// Transition is one recorded change of an assessment's state.
type Transition struct {
	From       string    `json:"from"`
	To         string    `json:"to"`
	ActorID    string    `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor_name,omitempty" doc:"Who made the change."`
	ActorEmail string    `json:"actor_email,omitempty"`
	At         time.Time `json:"at"`
	Reason     string    `json:"reason,omitempty"`
}

type submitInput struct {
	IDParam
	Body struct {
		Attestation domain.Attestation `json:"attestation" doc:"Who attests the filing is true and complete, in what position, and the statement."`
	}
}

type reasonInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The assessment's ETag as last read."`
	Body    struct {
		Reason string `json:"reason" maxLength:"20000"`
	}
}

type approveInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The assessment's ETag as last read."`
	Body    *struct {
		Comment string `json:"comment,omitempty" maxLength:"20000"`
	}
}

type transitionInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The assessment's ETag as last read."`
}

// Submission is one sealed filing.
type Submission struct {
	Version     int                `json:"version"`
	SubmittedAt time.Time          `json:"submitted_at"`
	SubmittedBy string             `json:"submitted_by,omitempty" doc:"The email of who submitted."`
	Late        bool               `json:"late" doc:"Filed after the due date."`
	Attestation domain.Attestation `json:"attestation"`
	Seal        string             `json:"seal_sha256" doc:"SHA-256 of the canonical encoding of the sealed content."`
	Verified    bool               `json:"verified" doc:"The stored content still hashes to the seal."`
	Content     json.RawMessage    `json:"content,omitempty" doc:"Exactly what was filed: responses and evidence hashes (single submission only)."`
}

func submissionOf(s store.Submission) Submission {
	return Submission{Version: s.Version, SubmittedAt: s.SubmittedAt.UTC(), SubmittedBy: s.SubmittedBy, Late: s.Late,
		Attestation: s.Attestation, Seal: s.Seal, Verified: s.Verified}
}

type submissionOutput struct {
	Body Submission
}

// ResponseChange is how one control's filed answer changed between two submissions.
type ResponseChange struct {
	ControlID string                    `json:"control_id"`
	Fields    []string                  `json:"fields" doc:"Fields of the answer that differ: status, maturity, narrative, remediation_date, justification."`
	Added     []domain.SnapshotEvidence `json:"evidence_added" doc:"Files (by content) filed now and not before."`
	Removed   []domain.SnapshotEvidence `json:"evidence_removed" doc:"Files (by content) filed before and not now."`
	Before    *domain.SnapshotResponse  `json:"before" doc:"The earlier answer; null for a control new in the later filing."`
	After     *domain.SnapshotResponse  `json:"after" doc:"The later answer; null for a control no longer filed."`
}

type diffInput struct {
	IDParam
	Version int `path:"version" minimum:"1" maximum:"100000" doc:"The later submission's number."`
	Against int `query:"against" minimum:"0" maximum:"100000" doc:"The earlier submission; the one before when absent."`
}

type submissionInput struct {
	IDParam
	Version int `path:"version" minimum:"1" maximum:"100000" doc:"Submission number."`
}

func (a *API) registerAssessments() {
	tags := []string{"Assessments"}
	register(a, huma.Operation{
		OperationID: "list-assessments", Method: http.MethodGet, Path: "/api/v1/assessments", Tags: tags,
		Summary: "List assessments", Description: "By provider name. Provider users see their own provider's only.",
	}, func(ctx context.Context, in *listAssessmentsInput) (*ListOutput[Assessment], error) {
		list, next, err := a.app.Assessments(ctx, actorFrom(ctx), store.AssessmentFilter{CampaignID: in.Campaign,
			ProviderID: in.Provider, Status: domain.AssessmentStatus(in.Status), Overdue: in.Overdue}, in.page())
		if err != nil {
			return nil, err
		}
		allowed, err := a.app.AllowedActions(ctx, actorFrom(ctx), list...)
		if err != nil {
			return nil, err
		}
		out := &ListOutput[Assessment]{Body: ListBody[Assessment]{Items: make([]Assessment, len(list)), Next: next}}
		for i, as := range list {
			out.Body.Items[i] = assessmentOf(as, allowed[i])
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "get-assessment", Method: http.MethodGet, Path: "/api/v1/assessments/{id}", Tags: tags,
		Summary: "Get an assessment", Description: "One assessment, with what can happen to it next.",
	}, func(ctx context.Context, in *IDParam) (*assessmentOutput, error) {
		as, err := a.app.Assessment(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return a.assessmentResponse(ctx, as)
	})

	register(a, huma.Operation{
		OperationID: "list-assessment-transitions", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/transitions", Tags: tags,
		Summary: "Assessment history", Description: "Every change of state: who, when and why, oldest first.",
	}, func(ctx context.Context, in *IDParam) (*ListOutput[Transition], error) {
		list, err := a.app.Transitions(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return listOf(list, "", func(t store.Transition) Transition {
			return Transition{From: string(t.From), To: string(t.To), ActorID: t.ActorID, ActorName: t.ActorName,
				ActorEmail: t.ActorEmail, At: t.At.UTC(), Reason: t.Reason}
		}), nil
	})

	register(a, huma.Operation{
		OperationID: "submit-assessment", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/submit", Tags: tags,
		Summary: "Submit an assessment",
		Description: "A provider_admin files the assessment with an attestation. Every problem that keeps it from " +
			"being filed is listed at once. The responses and the hashes of their evidence are sealed into a new " +
			"submission version, and the assessment is read-only for the provider until a supervisor sends it back.",
	}, func(ctx context.Context, in *submitInput) (*submissionOutput, error) {
		s, err := a.app.Submit(ctx, actorFrom(ctx), in.ID, in.Body.Attestation)
		if err != nil {
			return nil, err
		}
		return &submissionOutput{Body: submissionOf(s)}, nil
	})

	register(a, huma.Operation{
		OperationID: "start-review", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/start-review", Tags: tags,
		Summary: "Start reviewing", Description: "A supervisor takes a submitted assessment into review.",
	}, func(ctx context.Context, in *transitionInput) (*assessmentOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		as, err := a.app.StartReview(ctx, actorFrom(ctx), in.ID, version)
		if err != nil {
			return nil, err
		}
		return a.assessmentResponse(ctx, as)
	})

	register(a, huma.Operation{
		OperationID: "request-changes", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/request-changes", Tags: tags,
		Summary: "Send back for changes", Description: "Returns an assessment under review to the provider, with the reasons.",
	}, func(ctx context.Context, in *reasonInput) (*assessmentOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		as, err := a.app.RequestChanges(ctx, actorFrom(ctx), in.ID, in.Body.Reason, version)
		if err != nil {
			return nil, err
		}
		return a.assessmentResponse(ctx, as)
	})

	register(a, huma.Operation{
		OperationID: "approve-assessment", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/approve", Tags: tags,
		Summary: "Approve",
		Description: "Approves an assessment under review once every response has a verdict and none still needs " +
			"information. Under the four-eyes rule a supervisor who recorded verdicts cannot approve. Final.",
	}, func(ctx context.Context, in *approveInput) (*assessmentOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		comment := ""
		if in.Body != nil {
			comment = in.Body.Comment
		}
		as, err := a.app.Approve(ctx, actorFrom(ctx), in.ID, comment, version)
		if err != nil {
			return nil, err
		}
		return a.assessmentResponse(ctx, as)
	})

	register(a, huma.Operation{
		OperationID: "reject-assessment", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/reject", Tags: tags,
		Summary: "Reject", Description: "Rejects an assessment under review, with the reasons. Final.",
	}, func(ctx context.Context, in *reasonInput) (*assessmentOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		as, err := a.app.Reject(ctx, actorFrom(ctx), in.ID, in.Body.Reason, version)
		if err != nil {
			return nil, err
		}
		return a.assessmentResponse(ctx, as)
	})

	register(a, huma.Operation{
		OperationID: "list-submissions", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/submissions", Tags: tags,
		Summary: "List submissions", Description: "Every sealed filing of the assessment, newest first, each re-verified against its seal.",
	}, func(ctx context.Context, in *IDParam) (*ListOutput[Submission], error) {
		list, err := a.app.Submissions(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return listOf(list, "", submissionOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-submission", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/submissions/{version}", Tags: tags,
		Summary: "Get a submission", Description: "Exactly what the provider filed in that submission, re-verified against its seal.",
	}, func(ctx context.Context, in *submissionInput) (*submissionOutput, error) {
		s, err := a.app.Submission(ctx, actorFrom(ctx), in.ID, in.Version)
		if err != nil {
			return nil, err
		}
		out := submissionOf(s)
		out.Content = s.Content
		return &submissionOutput{Body: out}, nil
	})

	register(a, huma.Operation{
		OperationID: "diff-submissions", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/submissions/{version}/diff", Tags: tags,
		Summary: "What changed between two submissions",
		Description: "The controls whose sealed answer or evidence differs between an earlier submission and this one, " +
			"with both answers. Evidence is compared by content, so a file uploaded again unchanged is no change.",
	}, func(ctx context.Context, in *diffInput) (*ListOutput[ResponseChange], error) {
		list, err := a.app.SubmissionDiff(ctx, actorFrom(ctx), in.ID, in.Version, in.Against)
		if err != nil {
			return nil, err
		}
		return listOf(list, "", func(c domain.ResponseChange) ResponseChange {
			return ResponseChange{ControlID: c.ControlID, Fields: nonNil(c.Fields), Added: nonNil(c.Added),
				Removed: nonNil(c.Removed), Before: c.Before, After: c.After}
		}), nil
	})
}
