package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// IncidentFacts are what a report says of an incident; every report
// restates them whole.
type IncidentFacts struct {
	Description       string   `json:"description" maxLength:"4000" doc:"What happened, as known now."`
	CustomersAffected int64    `json:"customers_affected,omitempty" minimum:"0" doc:"Customers affected."`
	DurationHours     float64  `json:"duration_hours,omitempty" minimum:"0" maximum:"8760" doc:"How long service was disrupted, in hours (decimals allowed)."`
	ValueAffected     int64    `json:"value_affected,omitempty" minimum:"0" doc:"Value of the transactions affected, in the regulator's reporting currency."`
	DataBreach        bool     `json:"data_breach,omitempty" doc:"Customer or payment data was exposed."`
	Channels          []string `json:"channels,omitempty" maxItems:"10" enum:"app,ussd,sms,stk,agents,cards,qr,open_api,web,ivr" doc:"Channels affected."`
	Services          []string `json:"services,omitempty" maxItems:"7" enum:"p2p_transfers,merchant_payments,bill_payments,cash_in_out,remittances,savings_credit,account_access" doc:"Services affected."`
	CrossBorder       bool     `json:"cross_border,omitempty" doc:"Customers, systems or counterparts in another country were affected."`
	Threats           []string `json:"threats,omitempty" maxItems:"50" doc:"The X.1150 threats involved, by id (T1 … T17); a final report names at least one."`
	RootCause         string   `json:"root_cause,omitempty" maxLength:"4000" doc:"What caused the incident; required in a final report."`
	Losses            int64    `json:"losses,omitempty" minimum:"0" doc:"Losses, in the reporting currency."`
	Recovery          string   `json:"recovery,omitempty" maxLength:"4000" doc:"How service was restored and customers made whole; required in a final report."`
}

func (f IncidentFacts) domain() domain.IncidentFacts {
	return domain.IncidentFacts{Description: f.Description, CustomersAffected: f.CustomersAffected,
		DurationHours: f.DurationHours, ValueAffected: f.ValueAffected, DataBreach: f.DataBreach, Channels: f.Channels,
		Services: f.Services, CrossBorder: f.CrossBorder, Threats: f.Threats, RootCause: f.RootCause, Losses: f.Losses,
		Recovery: f.Recovery}
}

func incidentFactsOf(f domain.IncidentFacts) IncidentFacts {
	return IncidentFacts{Description: f.Description, CustomersAffected: f.CustomersAffected, DurationHours: f.DurationHours,
		ValueAffected: f.ValueAffected, DataBreach: f.DataBreach, Channels: nonNil(f.Channels), Services: nonNil(f.Services),
		CrossBorder: f.CrossBorder, Threats: nonNil(f.Threats), RootCause: f.RootCause, Losses: f.Losses, Recovery: f.Recovery}
}

// IncidentClock is where one phase's clock stands.
type IncidentClock struct {
	Phase       string     `json:"phase" enum:"initial,intermediate,final"`
	Due         time.Time  `json:"due"`
	FiledAt     *time.Time `json:"filed_at,omitempty" doc:"When the phase was filed: by its first report, or by a later phase's report."`
	State       string     `json:"state" enum:"running,overdue,met,late,stopped" doc:"running: not filed, time left; overdue: not filed, past the deadline; met: filed on time; late: filed after the deadline; stopped: not filed and the incident is closed."`
	SecondsLeft int64      `json:"seconds_left" doc:"Seconds from as_of (or from the filing, once filed) to the deadline; negative when past it."`
}

func incidentClockOf(c domain.PhaseClock) IncidentClock {
	out := IncidentClock{Phase: string(c.Phase), Due: c.Due.UTC(), State: string(c.State), SecondsLeft: int64(c.Left / time.Second)}
	if !c.FiledAt.IsZero() {
		at := c.FiledAt.UTC()
		out.FiledAt = &at
	}
	return out
}

// IncidentReport is one report filed on an incident.
type IncidentReport struct {
	ID      string        `json:"id" format:"uuid"`
	Seq     int           `json:"seq"`
	Phase   string        `json:"phase" enum:"initial,intermediate,final"`
	Facts   IncidentFacts `json:"facts"`
	MajorBy []string      `json:"major_by" doc:"The criteria this report's figures met."`
	Answers string        `json:"answers,omitempty" doc:"The request for information it answers."`
	FiledBy string        `json:"filed_by,omitempty"`
	FiledAt time.Time     `json:"filed_at"`
}

// IncidentRequest is a supervisor's request for more information.
type IncidentRequest struct {
	ID          string     `json:"id" format:"uuid"`
	Comment     string     `json:"comment"`
	RequestedBy string     `json:"requested_by,omitempty"`
	RequestedAt time.Time  `json:"requested_at"`
	AnsweredBy  string     `json:"answered_by,omitempty" doc:"The report that answered it."`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
}

// Incident is a provider's security incident as it stands.
type Incident struct {
	ID             string            `json:"id" format:"uuid"`
	ProviderID     string            `json:"provider_id" format:"uuid"`
	ProviderName   string            `json:"provider_name"`
	ProviderKind   string            `json:"provider_kind"`
	Title          string            `json:"title"`
	DetectedAt     time.Time         `json:"detected_at"`
	ClassifiedAt   time.Time         `json:"classified_at"`
	Status         string            `json:"status" enum:"open,information_requested,final_filed,closed"`
	Major          bool              `json:"major" doc:"The latest report's figures meet at least one threshold of the settings."`
	MajorBy        []string          `json:"major_by" doc:"The criteria met: customers_affected, duration, transaction_value, data_breach, channels, services, cross_border."`
	Facts          IncidentFacts     `json:"facts" doc:"As the latest report states them."`
	Clocks         []IncidentClock   `json:"clocks" doc:"The three phases' clocks, read at as_of."`
	Overdue        bool              `json:"overdue" doc:"A phase is past its deadline and not filed."`
	AsOf           time.Time         `json:"as_of" doc:"The instant the clocks are read at."`
	PendingRequest *IncidentRequest  `json:"pending_request,omitempty" doc:"The supervisor's request awaiting the provider's update."`
	ReportedBy     string            `json:"reported_by,omitempty"`
	ReportedAt     time.Time         `json:"reported_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	ClosedAt       *time.Time        `json:"closed_at,omitempty"`
	ClosedBy       string            `json:"closed_by,omitempty"`
	ClosingComment string            `json:"closing_comment,omitempty"`
	Version        int               `json:"version" doc:"Send it back as If-Match to change the incident."`
	Actions        []string          `json:"actions" doc:"What the caller may do now: update, file_final, request_information, close."`
	Reports        []IncidentReport  `json:"reports,omitempty" doc:"Every report filed, oldest first (one incident only)."`
	Requests       []IncidentRequest `json:"requests,omitempty" doc:"Every request for information, oldest first (one incident only)."`
}

func (a *API) incidentOf(actor domain.Actor, i domain.Incident) Incident {
	out := Incident{ID: i.ID, ProviderID: i.ProviderID, ProviderName: i.ProviderName, ProviderKind: string(i.ProviderKind),
		Title: i.Title, DetectedAt: i.DetectedAt.UTC(), ClassifiedAt: i.ClassifiedAt.UTC(), Status: string(i.Status),
		Major: i.Major(), MajorBy: []string{}, Facts: incidentFactsOf(i.Facts), Overdue: i.Overdue(i.AsOf), AsOf: i.AsOf.UTC(),
		ReportedBy: i.ReportedBy, ReportedAt: i.ReportedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC(), ClosedBy: i.ClosedBy,
		ClosingComment: i.Closing, Version: i.Version, Actions: nonNil(a.app.IncidentActions(actor, i))}
	for _, c := range i.MajorBy {
		out.MajorBy = append(out.MajorBy, string(c))
	}
	for _, c := range i.Clocks() {
		out.Clocks = append(out.Clocks, incidentClockOf(c))
	}
	if i.PendingID != "" {
		out.PendingRequest = &IncidentRequest{ID: i.PendingID, Comment: i.Pending}
	}
	if !i.ClosedAt.IsZero() {
		at := i.ClosedAt.UTC()
		out.ClosedAt = &at
	}
	for _, r := range i.Reports {
		rb := IncidentReport{ID: r.ID, Seq: r.Seq, Phase: string(r.Phase), Facts: incidentFactsOf(r.Facts), MajorBy: []string{},
			Answers: r.Answers, FiledBy: r.FiledBy, FiledAt: r.FiledAt.UTC()}
		for _, c := range r.MajorBy {
			rb.MajorBy = append(rb.MajorBy, string(c))
		}
		out.Reports = append(out.Reports, rb)
	}
	for _, q := range i.Requests {
		qb := IncidentRequest{ID: q.ID, Comment: q.Comment, RequestedBy: q.RequestedBy, RequestedAt: q.RequestedAt.UTC(),
			AnsweredBy: q.AnsweredBy}
		if !q.AnsweredAt.IsZero() {
			at := q.AnsweredAt.UTC()
			qb.AnsweredAt = &at
		}
		if q.ID == i.PendingID {
			out.PendingRequest = &qb
		}
		out.Requests = append(out.Requests, qb)
	}
	return out
}

type incidentOutput struct {
	ETag string `header:"ETag"`
	Body Incident
}

func (a *API) incidentOutput(ctx context.Context, i domain.Incident) *incidentOutput {
	return &incidentOutput{ETag: etag(i.Version), Body: a.incidentOf(actorFrom(ctx), i)}
}

type reportIncidentInput struct {
	Body struct {
		ProviderID   string    `json:"provider_id,omitempty" maxLength:"36" doc:"The provider whose incident it is; a provider user's own when absent."`
		Title        string    `json:"title" maxLength:"200"`
		DetectedAt   time.Time `json:"detected_at" doc:"When the provider detected the incident."`
		ClassifiedAt time.Time `json:"classified_at" doc:"When the provider classified it, at or after detection: the deadlines run from both."`
		IncidentFacts
	}
}

type fileIncidentReportInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The incident's ETag as last read; a stale one is refused with 412."`
	Body    struct {
		Phase string `json:"phase" enum:"intermediate,final" doc:"intermediate: an update, also the answer to a request for information; final: the final report, which closes the provider's side."`
		IncidentFacts
	}
}

type incidentCommentInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The incident's ETag as last read; a stale one is refused with 412."`
	Body    struct {
		Comment string `json:"comment,omitempty" maxLength:"4000"`
	}
}

type listIncidentsInput struct {
	ListParams
	Provider string `query:"provider" maxLength:"36"`
	Status   string `query:"status" enum:"open,information_requested,final_filed,closed"`
	Open     bool   `query:"open" doc:"Only incidents not closed: the supervisor's queue."`
	Major    bool   `query:"major" doc:"Only major incidents."`
	Overdue  bool   `query:"overdue" doc:"Only incidents with a phase past its deadline and not filed."`
	Threat   string `query:"threat" maxLength:"20" doc:"Only incidents naming this X.1150 threat."`
	Channel  string `query:"channel" enum:"app,ussd,sms,stk,agents,cards,qr,open_api,web,ivr"`
}

func (a *API) registerIncidents() {
	tags := []string{"Incidents"}
	registerOne(a, huma.Operation{
		OperationID: "report-incident", Method: http.MethodPost, Path: "/api/v1/incidents", Tags: tags,
		Summary: "Report an incident",
		Description: "A provider's initial report, which opens the incident. Its deadlines are fixed from the detection, " +
			"the classification and the settings in force; its figures are classified against the thresholds.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *reportIncidentInput) (domain.Incident, error) {
		b := in.Body
		return a.app.ReportIncident(ctx, actorFrom(ctx), domain.NewIncident{ProviderID: b.ProviderID, Title: b.Title,
			DetectedAt: b.DetectedAt, ClassifiedAt: b.ClassifiedAt, Facts: b.IncidentFacts.domain()})
	}, a.incidentOutput)

	registerList(a, huma.Operation{
		OperationID: "list-incidents", Method: http.MethodGet, Path: "/api/v1/incidents", Tags: tags,
		Summary: "List incidents",
		Description: "The clock that runs out first first, so the overdue lead; then the incidents with no clock running. " +
			"Provider users see their own provider's only.",
	}, func(ctx context.Context, in *listIncidentsInput) ([]domain.Incident, string, error) {
		return a.app.Incidents(ctx, actorFrom(ctx), store.IncidentFilter{ProviderID: in.Provider,
			Status: domain.IncidentStatus(in.Status), Open: in.Open, Major: in.Major, Overdue: in.Overdue, Threat: in.Threat,
			Channel: in.Channel}, in.page())
	}, func(ctx context.Context, i domain.Incident) Incident { return a.incidentOf(actorFrom(ctx), i) })

	registerOne(a, huma.Operation{
		OperationID: "get-incident", Method: http.MethodGet, Path: "/api/v1/incidents/{id}", Tags: tags,
		Summary: "Get an incident", Description: "With its clocks, every report filed and every request for information.",
	}, func(ctx context.Context, in *IDParam) (domain.Incident, error) {
		return a.app.Incident(ctx, actorFrom(ctx), in.ID)
	}, a.incidentOutput)

	registerOne(a, huma.Operation{
		OperationID: "file-incident-report", Method: http.MethodPost, Path: "/api/v1/incidents/{id}/reports", Tags: tags,
		Summary: "File an intermediate or final report",
		Description: "The report restates the incident's facts whole. It files its phase (and an earlier one not yet filed) " +
			"and answers the supervisor's request for information awaiting one.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *fileIncidentReportInput) (domain.Incident, error) {
		return versioned(in.IfMatch, func(version int) (domain.Incident, error) {
			return a.app.FileIncidentReport(ctx, actorFrom(ctx), in.ID, domain.IncidentPhase(in.Body.Phase),
				in.Body.IncidentFacts.domain(), version)
		})
	}, a.incidentOutput)

	registerOne(a, huma.Operation{
		OperationID: "request-incident-information", Method: http.MethodPost, Path: "/api/v1/incidents/{id}/request-information",
		Tags: tags, Summary: "Request more information",
		Description: "A supervisor asks the provider for more, saying what in the comment; the provider answers with an update.",
	}, func(ctx context.Context, in *incidentCommentInput) (domain.Incident, error) {
		return versioned(in.IfMatch, func(version int) (domain.Incident, error) {
			return a.app.RequestIncidentInformation(ctx, actorFrom(ctx), in.ID, in.Body.Comment, version)
		})
	}, a.incidentOutput)

	registerOne(a, huma.Operation{
		OperationID: "close-incident", Method: http.MethodPost, Path: "/api/v1/incidents/{id}/close", Tags: tags,
		Summary:     "Close an incident",
		Description: "A supervisor closes the incident and its clocks stop; closing before the final report needs a comment.",
	}, func(ctx context.Context, in *incidentCommentInput) (domain.Incident, error) {
		return versioned(in.IfMatch, func(version int) (domain.Incident, error) {
			return a.app.CloseIncident(ctx, actorFrom(ctx), in.ID, in.Body.Comment, version)
		})
	}, a.incidentOutput)

	a.registerIncidentStatistics()
}
