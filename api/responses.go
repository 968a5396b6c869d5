package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Response is a provider's answer for one control and the supervisor's verdict.
type Response struct {
	ControlID       string             `json:"control_id" example:"C52"`
	ControlTitle    string             `json:"control_title,omitempty" doc:"The control's title (lists and single reads)."`
	ControlQuestion string             `json:"control_question,omitempty" doc:"The control's audit question (lists and single reads)."`
	Status          string             `json:"status,omitempty" enum:"implemented,partial,not_implemented,not_applicable" doc:"Absent while unanswered."`
	Maturity        *int               `json:"maturity,omitempty" minimum:"0" maximum:"5"`
	Narrative       string             `json:"narrative"`
	RemediationDate string             `json:"remediation_date,omitempty" format:"date"`
	Justification   string             `json:"justification"`
	EvidenceIDs     []string           `json:"evidence_ids"`
	Verdict         string             `json:"verdict,omitempty" enum:"accepted,needs_info,rejected"`
	VerdictComment  string             `json:"verdict_comment,omitempty"`
	Grade           string             `json:"grade,omitempty" enum:"self_attested,documented,tested,verified" doc:"The supervisor's assurance grade of an accepted answer."`
	VerdictAt       *time.Time         `json:"verdict_at,omitempty"`
	VerdictByName   string             `json:"verdict_by_name,omitempty" doc:"The name of the supervisor who gave the verdict."`
	UpdatedAt       time.Time          `json:"updated_at"`
	Version         int                `json:"version"`
	ETag            string             `json:"etag" doc:"Send as If-Match when saving this response."`
	Derived         *domain.Derivation `json:"derived,omitempty" doc:"Where a mapping carried this answer from, until the provider confirms it by saving the answer (changed or not); a filing cannot be submitted with such answers."`
}

func responseOf(r domain.Response) Response {
	out := Response{ControlID: r.ControlID, Status: string(r.Status), Maturity: r.Maturity, Narrative: r.Narrative,
		Justification: r.Justification, EvidenceIDs: nonNil(r.EvidenceIDs), Verdict: string(r.Verdict),
		VerdictComment: r.VerdictComment, Grade: string(r.Grade), VerdictAt: r.VerdictAt, VerdictByName: r.VerdictByName, UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		ETag: etag(r.Version), Derived: r.Derived}
	if r.RemediationDate != nil {
		out.RemediationDate = r.RemediationDate.String()
	}
	return out
}

// withControl adds the control's title and question to a response.
func withControl(r Response, controls map[string]domain.Control) Response {
	c := controls[r.ControlID]
	r.ControlTitle, r.ControlQuestion = c.Title, c.Question
	return r
}

// ResponseBody is what a provider sends for one control.
type ResponseBody struct {
	Status          string   `json:"status" enum:"implemented,partial,not_implemented,not_applicable"`
	Maturity        *int     `json:"maturity,omitempty" minimum:"0" maximum:"5" doc:"Optional maturity 0–5."`
	Narrative       string   `json:"narrative,omitempty" maxLength:"20000" doc:"How the control is met; needed for implemented unless evidence is linked."`
	RemediationDate string   `json:"remediation_date,omitempty" format:"date" doc:"Planned remediation date, needed for partial and not_implemented."`
	Justification   string   `json:"justification,omitempty" maxLength:"5000" doc:"Why the control does not apply; needed for not_applicable."`
	EvidenceIDs     []string `json:"evidence_ids,omitempty" maxItems:"50" doc:"Evidence uploaded to this assessment that backs the answer."`
}

func (b ResponseBody) input() domain.ResponseInput {
	return domain.ResponseInput{Status: domain.ResponseStatus(b.Status), Maturity: b.Maturity, Narrative: b.Narrative,
		RemediationDate: b.RemediationDate, Justification: b.Justification, EvidenceIDs: b.EvidenceIDs}
}

type responseOutput struct {
	ETag string `header:"ETag"`
	Body Response
}

// ResponseParams name one response of an assessment.
type ResponseParams struct {
	ID      string `path:"id" maxLength:"64" doc:"Assessment id."`
	Control string `path:"control" maxLength:"100" doc:"Control id." example:"C52"`
}

type putResponseInput struct {
	ResponseParams
	IfMatch string `header:"If-Match" ifMatch:"required" maxLength:"64" doc:"The response's ETag as last read. Required: without it the answer is 428, and a stale one is 412."`
	Body    ResponseBody
}

type listResponsesInput struct {
	IDParam
	ListParams
	Status   string `query:"status" enum:"implemented,partial,not_implemented,not_applicable"`
	Verdict  string `query:"verdict" enum:"accepted,needs_info,rejected"`
	Answered string `query:"answered" enum:"true,false" doc:"Only answered (true) or unanswered (false) controls."`
}

// BulkResponse is one control's answer in a bulk save.
type BulkResponse struct {
	ControlID string `json:"control_id" maxLength:"100"`
	Version   int    `json:"version" minimum:"1" doc:"The version last read; a stale one makes the whole save fail with 412."`
	ResponseBody
}

type putResponsesInput struct {
	IDParam
	Body struct {
		Responses []BulkResponse `json:"responses" minItems:"1" maxItems:"500"`
	}
}

// VerdictBody is a supervisor's verdict on one control.
type VerdictBody struct {
	Verdict string `json:"verdict" enum:"accepted,needs_info,rejected"`
	Comment string `json:"comment,omitempty" maxLength:"20000" doc:"Required for needs_info and rejected."`
	Grade   string `json:"grade,omitempty" enum:"self_attested,documented,tested,verified" doc:"With accepted only: how well the answer is shown to be true. Absent: documented when evidence is attached, else self-attested."`
}

type putVerdictInput struct {
	ResponseParams
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The response's ETag as last read; a stale one is refused with 412."`
	Body    VerdictBody
}

// BulkVerdict is one control's verdict in a bulk review.
type BulkVerdict struct {
	ControlID string `json:"control_id" maxLength:"100"`
	Version   int    `json:"version,omitempty" minimum:"0" doc:"The response's version as last read (see review-candidates); when given, a stale one makes the whole set fail with 412."`
	VerdictBody
}

type putVerdictsInput struct {
	IDParam
	Body struct {
		Verdicts []BulkVerdict `json:"verdicts" minItems:"1" maxItems:"500"`
	}
}

func (a *API) registerResponses() {
	tags := []string{"Responses"}
	register(a, huma.Operation{
		OperationID: "list-responses", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/responses", Tags: tags,
		Summary: "List responses", Description: "The assessment's responses in catalog order, each with its ETag.",
	}, func(ctx context.Context, in *listResponsesInput) (*ListOutput[Response], error) {
		f := store.ResponseFilter{Status: domain.ResponseStatus(in.Status), Verdict: domain.Verdict(in.Verdict)}
		if in.Answered != "" {
			answered := in.Answered == "true"
			f.Answered = &answered
		}
		list, next, err := a.app.Responses(ctx, actorFrom(ctx), in.ID, f, in.page())
		if err != nil {
			return nil, err
		}
		controls, err := a.app.ControlsOf(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return listOf(list, next, func(r domain.Response) Response { return withControl(responseOf(r), controls) }), nil
	})

	register(a, huma.Operation{
		OperationID: "get-response", Method: http.MethodGet, Path: "/api/v1/assessments/{id}/responses/{control}", Tags: tags,
		Summary: "Get a response", Description: "One control's response, with its ETag.",
	}, func(ctx context.Context, in *ResponseParams) (*responseOutput, error) {
		r, err := a.app.Response(ctx, actorFrom(ctx), in.ID, in.Control)
		if err != nil {
			return nil, err
		}
		controls, err := a.app.ControlsOf(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &responseOutput{ETag: etag(r.Version), Body: withControl(responseOf(r), controls)}, nil
	})

	register(a, huma.Operation{
		OperationID: "put-response", Method: http.MethodPut, Path: "/api/v1/assessments/{id}/responses/{control}", Tags: tags,
		Summary: "Save a response",
		Description: "Saves the provider's answer for one control. If-Match with the response's ETag is required; " +
			"a stale one is 412, so concurrent edits are never lost. A changed answer clears its verdict.",
	}, func(ctx context.Context, in *putResponseInput) (*responseOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		r, err := a.app.SaveResponse(ctx, actorFrom(ctx), in.ID, in.Control, in.Body.input(), version)
		if err != nil {
			return nil, err
		}
		return &responseOutput{ETag: etag(r.Version), Body: responseOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "put-responses", Method: http.MethodPut, Path: "/api/v1/assessments/{id}/responses", Tags: tags,
		Summary: "Save many responses",
		Description: "For providers filing from their own systems: saves many controls in one transaction, all or " +
			"nothing. Every problem of every control is listed at once; a stale version anywhere is 412.",
	}, func(ctx context.Context, in *putResponsesInput) (*ListOutput[Response], error) {
		updates := make([]store.ResponseUpdate, len(in.Body.Responses))
		for i, r := range in.Body.Responses {
			updates[i] = store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version, Input: r.ResponseBody.input()}
		}
		list, err := a.app.SaveResponses(ctx, actorFrom(ctx), in.ID, updates, "body.responses")
		if err != nil {
			return nil, err
		}
		return listOf(list, "", responseOf), nil
	})

	register(a, huma.Operation{
		OperationID: "apply-mapping", Method: http.MethodPost, Path: "/api/v1/assessments/{id}/apply-mapping", Tags: tags,
		Summary: "Pre-fill from another framework",
		Description: "Fills the controls of this assessment still unanswered from an approved assessment of the same " +
			"provider in another framework, through a published mapping between the two framework versions (either way " +
			"round): a control gets the answer 'implemented' when a link says an accepted, implemented control of the " +
			"approved assessment meets it (equal or superset). Each such answer is marked as derived until the provider " +
			"confirms or changes it. Answers given already are left alone.",
	}, func(ctx context.Context, in *applyMappingInput) (*applyMappingOutput, error) {
		res, err := a.app.ApplyMapping(ctx, actorFrom(ctx), in.ID, in.Body.FromAssessment,
			store.MappingRef{ID: in.Body.Mapping, Version: in.Body.MappingVersion})
		if err != nil {
			return nil, err
		}
		out := &applyMappingOutput{}
		out.Body.Mapping, out.Body.Derived = mappingOf(res.Mapping), make([]Response, len(res.Derived))
		for i, r := range res.Derived {
			out.Body.Derived[i] = responseOf(r)
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "put-verdict", Method: http.MethodPut, Path: "/api/v1/assessments/{id}/responses/{control}/verdict", Tags: tags,
		Summary: "Record a verdict", Description: "A supervisor's verdict on one control of an assessment under review.",
	}, func(ctx context.Context, in *putVerdictInput) (*responseOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		list, err := a.app.SetVerdicts(ctx, actorFrom(ctx), in.ID, []store.VerdictInput{{ControlID: in.Control,
			Verdict: domain.Verdict(in.Body.Verdict), Comment: in.Body.Comment, Grade: domain.Grade(in.Body.Grade), Version: version}}, "body")
		if err != nil {
			return nil, err
		}
		return &responseOutput{ETag: etag(list[0].Version), Body: responseOf(list[0])}, nil
	})

	register(a, huma.Operation{
		OperationID: "put-verdicts", Method: http.MethodPut, Path: "/api/v1/assessments/{id}/verdicts", Tags: tags,
		Summary: "Record many verdicts", Description: "Verdicts on many controls at once, all or none.",
	}, func(ctx context.Context, in *putVerdictsInput) (*ListOutput[Response], error) {
		verdicts := make([]store.VerdictInput, len(in.Body.Verdicts))
		for i, v := range in.Body.Verdicts {
			verdicts[i] = store.VerdictInput{ControlID: v.ControlID, Verdict: domain.Verdict(v.Verdict), Comment: v.Comment,
				Grade: domain.Grade(v.Grade), Version: v.Version}
		}
		list, err := a.app.SetVerdicts(ctx, actorFrom(ctx), in.ID, verdicts, "body.verdicts")
		if err != nil {
			return nil, err
		}
		return listOf(list, "", responseOf), nil
	})
}

type applyMappingInput struct {
	IDParam
	Body struct {
		Mapping        string `json:"mapping" maxLength:"100" doc:"The mapping's id."`
		MappingVersion string `json:"mapping_version,omitempty" maxLength:"100" doc:"The latest published one when absent."`
		FromAssessment string `json:"from_assessment" format:"uuid" doc:"An approved assessment of the same provider."`
	}
}

type applyMappingOutput struct {
	Body struct {
		Mapping Mapping    `json:"mapping"`
		Derived []Response `json:"derived" doc:"The answers the mapping filled, each marked as derived."`
	}
}
