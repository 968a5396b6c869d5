package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
)

// IncidentCount is the incidents under one key and how many are major.
type IncidentCount struct {
	Key       string `json:"key" doc:"A threat id, a channel, a kind of provider or a month (YYYY-MM)."`
	Name      string `json:"name,omitempty" doc:"The threat's name."`
	Incidents int    `json:"incidents"`
	Major     int    `json:"major"`
}

// IncidentKindCount is the incidents of a kind of provider beside how many
// providers of that kind are supervised.
type IncidentKindCount struct {
	IncidentCount
	Providers int `json:"providers"`
}

// ThreatFrequency is a threat's observed frequency beside its default
// likelihood.
type ThreatFrequency struct {
	ThreatID           string  `json:"threat_id"`
	Name               string  `json:"name"`
	Incidents          int     `json:"incidents" doc:"Incidents of the window naming the threat."`
	PerProviderYear    float64 `json:"per_provider_year" doc:"Incidents over the providers supervised, per year."`
	DefaultLikelihood  int     `json:"default_likelihood" doc:"The framework's default inherent likelihood (1–5)."`
	ObservedLikelihood int     `json:"observed_likelihood" doc:"The likelihood the frequency reads as: below 0.05 a provider a year 1, below 0.2 2, below 0.5 3, below 1 4, else 5."`
}

// IncidentStatistics are the sector's incidents of a period.
type IncidentStatistics struct {
	From       string              `json:"from" format:"date"`
	To         string              `json:"to" format:"date"`
	Total      int                 `json:"total"`
	Major      int                 `json:"major"`
	ByThreat   []IncidentCount     `json:"by_threat" doc:"Every X.1150 threat, in the catalog's order, then any threat an incident names that the latest version dropped (without a name); an incident naming two threats counts under each."`
	ByChannel  []IncidentCount     `json:"by_channel"`
	ByKind     []IncidentKindCount `json:"by_provider_kind"`
	ByMonth    []IncidentCount     `json:"by_month" doc:"Every month of the period, by the day of detection (UTC)."`
	WindowFrom string              `json:"window_from" format:"date" doc:"The first day of the twelve months up to to, over which frequencies are counted."`
	WindowTo   string              `json:"window_to" format:"date"`
	Providers  int                 `json:"providers" doc:"Providers supervised (not exited), over whom frequencies are counted."`
	Frequency  []ThreatFrequency   `json:"frequency"`
}

func incidentCountsOf(list []domain.IncidentCount) []IncidentCount {
	out := make([]IncidentCount, len(list))
	for k, c := range list {
		out[k] = IncidentCount{Key: c.Key, Name: c.Name, Incidents: c.Incidents, Major: c.Major}
	}
	return out
}

func incidentStatisticsOf(s domain.IncidentStatistics) IncidentStatistics {
	out := IncidentStatistics{From: s.From.String(), To: s.To.String(), Total: s.Total, Major: s.Major,
		ByThreat: incidentCountsOf(s.ByThreat), ByChannel: incidentCountsOf(s.ByChannel), ByMonth: incidentCountsOf(s.ByMonth),
		WindowFrom: s.WindowFrom.String(), WindowTo: s.WindowTo.String(), Providers: s.Providers,
		ByKind: []IncidentKindCount{}, Frequency: []ThreatFrequency{}}
	for _, k := range s.ByKind {
		out.ByKind = append(out.ByKind, IncidentKindCount{IncidentCount: IncidentCount{Key: k.Key, Incidents: k.Incidents,
			Major: k.Major}, Providers: k.Providers})
	}
	for _, f := range s.Frequency {
		out.Frequency = append(out.Frequency, ThreatFrequency{ThreatID: f.ThreatID, Name: f.Name, Incidents: f.Incidents,
			PerProviderYear: f.PerProviderYear, DefaultLikelihood: f.Default, ObservedLikelihood: f.Observed})
	}
	return out
}

type incidentStatisticsInput struct {
	From string `query:"from" format:"date" doc:"The first day of the period, YYYY-MM-DD; by default the first day of the twelve months up to to."`
	To   string `query:"to" format:"date" doc:"The last day of the period, YYYY-MM-DD; today by default."`
}

type incidentStatisticsOutput struct {
	Body IncidentStatistics
}

func (a *API) registerIncidentStatistics() {
	register(a, huma.Operation{
		OperationID: "get-incident-statistics", Method: http.MethodGet, Path: "/api/v1/incident-statistics",
		Tags: []string{"Incidents"}, Summary: "Sector incident statistics",
		Description: "The incidents detected in the period by threat, channel, kind of provider and month, and each threat's " +
			"observed frequency over the twelve months up to the period's end beside its default inherent likelihood.",
	}, func(ctx context.Context, in *incidentStatisticsInput) (*incidentStatisticsOutput, error) {
		var problems []domain.Problem
		day := func(s, loc string) domain.Date {
			if s == "" {
				return domain.Date{}
			}
			d, err := domain.ParseDate(s)
			if err != nil {
				problems = append(problems, domain.Problem{Location: loc, Message: err.Error()})
			}
			return d
		}
		from, to := day(in.From, "query.from"), day(in.To, "query.to")
		if len(problems) > 0 {
			return nil, domain.Invalid("bad period", problems)
		}
		s, err := a.app.IncidentStatistics(ctx, actorFrom(ctx), from, to)
		if err != nil {
			return nil, err
		}
		return &incidentStatisticsOutput{Body: incidentStatisticsOf(s)}, nil
	})
}
