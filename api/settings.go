package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
)

// Settings are the regulator's configuration.
type Settings struct {
	TOTPRequiredRoles  []domain.Role              `json:"totp_required_roles" doc:"Roles whose users must sign in with a second factor."`
	FourEyes           bool                       `json:"four_eyes" doc:"The supervisor who recorded an assessment's verdicts cannot also approve it."`
	PeerGrouping       domain.PeerGrouping        `json:"peer_grouping,omitempty" enum:"kind_tier,kind,tier" doc:"Who a provider's peer benchmark compares it with: providers of the same kind and tier (kind_tier, the default when absent), of the same kind, or of the same tier, in the same campaign."`
	IncidentDeadlines  *domain.IncidentDeadlines  `json:"incident_deadlines,omitempty" doc:"When each incident report is due: for initial, intermediate and final, after_classification_hours, after_detection_hours or both (the earlier instant wins), each 1 to 8760. Absent: initial 4 hours after classification and at most 24 after detection, intermediate 72 hours, final 720 hours (30 days) after classification. Fixed for each incident when it is reported."`
	IncidentThresholds *domain.IncidentThresholds `json:"incident_thresholds,omitempty" doc:"What makes an incident major, at or above: customers_affected, duration_hours, transaction_value (reporting currency), channels_affected, services_affected (counts), and data_breach, cross_border (true: a yes counts). 0 or false leaves a criterion out. Absent: 10000 customers, 4 hours, 10000000, any data breach, 2 channels, 2 services, any cross-border effect."`
}

type settingsOutput struct {
	ETag string `header:"ETag"`
	Body Settings
}

type updateSettingsInput struct {
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The ETag of the settings as last read."`
	Body    Settings
}

func (a *API) registerSettings() {
	tags := []string{"Settings"}
	register(a, huma.Operation{
		OperationID: "get-settings", Method: http.MethodGet, Path: "/api/v1/settings", Tags: tags,
		Summary: "Get the settings", Description: "The regulator's configuration of Assure.",
	}, func(ctx context.Context, _ *struct{}) (*settingsOutput, error) {
		s, version, err := a.app.Settings(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		return &settingsOutput{ETag: etag(version), Body: Settings(s)}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-settings", Method: http.MethodPut, Path: "/api/v1/settings", Tags: tags,
		Summary: "Change the settings", Description: "Replaces the configuration; send If-Match to avoid overwriting a concurrent change.",
	}, func(ctx context.Context, in *updateSettingsInput) (*settingsOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		s := domain.Settings(in.Body)
		version, err = a.app.UpdateSettings(ctx, actorFrom(ctx), s, version)
		if err != nil {
			return nil, err
		}
		return &settingsOutput{ETag: etag(version), Body: Settings(s.WithDefaults())}, nil
	})
}
