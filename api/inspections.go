package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
)

// Inspection is one recorded inspection of a provider.
type Inspection struct {
	ID            string    `json:"id" format:"uuid"`
	ProviderID    string    `json:"provider_id" format:"uuid"`
	HeldOn        string    `json:"held_on" format:"date"`
	Kind          string    `json:"kind" enum:"on_site,off_site"`
	LeadInspector string    `json:"lead_inspector"`
	Summary       string    `json:"summary"`
	Replaces      string    `json:"replaces,omitempty" doc:"The earlier record this one puts right."`
	ReplacedBy    string    `json:"replaced_by,omitempty" doc:"The later record that put this one right."`
	Counts        bool      `json:"counts" doc:"True for an on-site inspection that no later record replaces: what the supervisory priority counts."`
	RecordedBy    string    `json:"recorded_by,omitempty"`
	RecordedAt    time.Time `json:"recorded_at"`
}

func inspectionOf(i domain.Inspection) Inspection {
	return Inspection{ID: i.ID, ProviderID: i.ProviderID, HeldOn: i.HeldOn.String(), Kind: string(i.Kind),
		LeadInspector: i.LeadInspector, Summary: i.Summary, Replaces: i.Replaces, ReplacedBy: i.ReplacedBy,
		Counts: i.Counts(), RecordedBy: i.RecordedBy, RecordedAt: i.RecordedAt.UTC()}
}

type inspectionOutput struct {
	Body Inspection
}

type recordInspectionInput struct {
	IDParam
	Body struct {
		HeldOn        string `json:"held_on" format:"date" doc:"The day of the inspection, YYYY-MM-DD: today or before."`
		Kind          string `json:"kind" enum:"on_site,off_site" doc:"on_site counts in the supervisory priority; off_site is recorded only."`
		LeadInspector string `json:"lead_inspector" maxLength:"200"`
		Summary       string `json:"summary" maxLength:"4000"`
		Replaces      string `json:"replaces,omitempty" maxLength:"36" doc:"The id of an earlier record of this provider that this one puts right; the replaced record stays on file and no longer counts."`
	}
}

type listInspectionsInput struct {
	IDParam
	ListParams
}

func (a *API) registerInspections() {
	tags := []string{"Inspections"}
	register(a, huma.Operation{
		OperationID: "record-inspection", Method: http.MethodPost, Path: "/api/v1/providers/{id}/inspections", Tags: tags,
		Summary: "Record an inspection",
		Description: "A supervisor records an on-site inspection or an off-site review of the provider. A record " +
			"never changes: a mistake is put right by a new record naming the one it replaces. The provider's " +
			"places in the supervisory ranking are recomputed with it.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *recordInspectionInput) (*inspectionOutput, error) {
		b := in.Body
		held, err := domain.ParseDate(b.HeldOn)
		if err != nil {
			return nil, domain.Invalid("the inspection cannot be recorded", []domain.Problem{{Location: "body.held_on", Message: err.Error()}})
		}
		i, err := a.app.RecordInspection(ctx, actorFrom(ctx), domain.NewInspection{ProviderID: in.ID, HeldOn: held,
			Kind: domain.InspectionKind(b.Kind), LeadInspector: b.LeadInspector, Summary: b.Summary, Replaces: b.Replaces})
		if err != nil {
			return nil, err
		}
		return &inspectionOutput{Body: inspectionOf(i)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-inspections", Method: http.MethodGet, Path: "/api/v1/providers/{id}/inspections", Tags: tags,
		Summary:     "List a provider's inspections",
		Description: "The latest held first, replaced records included and marked. Provider users see their own provider's only.",
	}, func(ctx context.Context, in *listInspectionsInput) (*ListOutput[Inspection], error) {
		list, next, err := a.app.Inspections(ctx, actorFrom(ctx), in.ID, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, inspectionOf), nil
	})
}
