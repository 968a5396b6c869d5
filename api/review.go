package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// ReviewCandidate is a control a reviewer may accept together with the
// others: its sealed answer and evidence are the same as in the previous
// submission, where it was accepted.
type ReviewCandidate struct {
	ControlID     string     `json:"control_id" example:"C52"`
	Version       int        `json:"version" doc:"The response's version: send it with the verdict."`
	ETag          string     `json:"etag" doc:"Send as If-Match with the verdict."`
	VerdictAt     *time.Time `json:"verdict_at,omitempty" doc:"When it was accepted in the earlier round."`
	VerdictByName string     `json:"verdict_by_name,omitempty" doc:"Who accepted it then."`
}

type reviewCandidatesOutput struct {
	Body struct {
		Submission int               `json:"submission" doc:"The latest submission, whose answers are compared."`
		ComparedTo int               `json:"compared_to,omitempty" doc:"The submission they are compared with; absent for a first submission."`
		Items      []ReviewCandidate `json:"items"`
	}
}

func (a *API) registerReview() {
	register(a, huma.Operation{
		OperationID: "list-review-candidates", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/review-candidates",
		Tags:    []string{"Responses"},
		Summary: "Controls to accept at once",
		Description: "The answered controls whose sealed answer and evidence did not change since the previous submission and " +
			"whose verdict there was accepted and not yet given again: what a reviewer may accept in one bulk verdict " +
			"(PUT /api/v1/assessments/{id}/verdicts, each with its version). Empty for a first submission. Reviewers only.",
	}, func(ctx context.Context, in *IDParam) (*reviewCandidatesOutput, error) {
		list, round, err := a.app.ReviewCandidates(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &reviewCandidatesOutput{}
		out.Body.Submission = round.Submission
		if round.Submission > 1 {
			out.Body.ComparedTo = round.Submission - 1
		}
		out.Body.Items = make([]ReviewCandidate, 0, len(list))
		for _, r := range list {
			out.Body.Items = append(out.Body.Items, ReviewCandidate{ControlID: r.ControlID, Version: r.Version,
				ETag: etag(r.Version), VerdictAt: r.VerdictAt, VerdictByName: r.VerdictByName})
		}
		return out, nil
	})
}
