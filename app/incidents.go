package app

import (
	"context"
	"time"

	"assure/domain"
	"assure/store"
)

// Incidents: a provider's users report their provider's security incidents
// and file the updates and the final report each phase's clock asks for;
// supervisors request more information and close them; auditors read them.
// Supervisors and auditors also read the sector's incident statistics.

// incidentPolicy maps each action on an incident to the policy action it
// needs.
var incidentPolicy = map[string]string{
	domain.IncidentUpdate:             "report",
	domain.IncidentFileFinal:          "report",
	domain.IncidentRequestInformation: "review",
	domain.IncidentClose:              "review",
}

// ReportIncident files a provider's initial report, which opens the
// incident. A provider user reports for their own provider when the report
// names none.
func (a *App) ReportIncident(ctx context.Context, actor domain.Actor, n domain.NewIncident) (domain.Incident, error) {
	if err := a.permit(ctx, actor, "incident", "report"); err != nil {
		return domain.Incident{}, err
	}
	if n.ProviderID == "" {
		n.ProviderID = actor.ProviderID
	}
	if n.ProviderID == "" {
		return domain.Incident{}, domain.Invalid("the incident cannot be reported", []domain.Problem{{Location: "body.provider_id",
			Message: "name the provider whose incident it is"}})
	}
	if err := a.permitOn(ctx, actor, n.ProviderID, "incident", "report", "provider"); err != nil {
		return domain.Incident{}, err
	}
	return a.db.ReportIncident(ctx, actor, n)
}

// Incidents lists the incidents the actor may read, the clock that runs out
// first first: the overdue lead.
func (a *App) Incidents(ctx context.Context, actor domain.Actor, f store.IncidentFilter, page store.Page) ([]domain.Incident, string, error) {
	if err := a.permit(ctx, actor, "incident", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Incidents(ctx, actor, f, page)
}

// Incident returns one incident with its reports and requests.
func (a *App) Incident(ctx context.Context, actor domain.Actor, id string) (domain.Incident, error) {
	return a.incident(ctx, actor, id, "read")
}

// incident loads an incident the actor may see and checks act on it.
func (a *App) incident(ctx context.Context, actor domain.Actor, id, act string) (domain.Incident, error) {
	if err := a.permit(ctx, actor, "incident", act); err != nil {
		return domain.Incident{}, err
	}
	i, err := a.db.Incident(ctx, actor, id)
	if err != nil {
		return i, err
	}
	return i, a.permitOn(ctx, actor, i.ProviderID, "incident", act, "incident")
}

// IncidentActions lists what the actor may do to the incident now.
func (a *App) IncidentActions(actor domain.Actor, i domain.Incident) []string {
	var out []string
	for _, action := range domain.IncidentActions(i) {
		if a.may(actor, i.ProviderID, "incident", incidentPolicy[action]) {
			out = append(out, action)
		}
	}
	return out
}

// FileIncidentReport files an intermediate or final report; it answers the
// supervisor's request for information awaiting one. ifVersion, when not
// zero, must be the incident's version.
func (a *App) FileIncidentReport(ctx context.Context, actor domain.Actor, id string, phase domain.IncidentPhase,
	facts domain.IncidentFacts, ifVersion int) (domain.Incident, error) {
	if _, err := a.incident(ctx, actor, id, "report"); err != nil {
		return domain.Incident{}, err
	}
	return a.db.FileIncidentReport(ctx, actor, id, phase, facts, ifVersion)
}

// RequestIncidentInformation asks the provider for more, with a comment.
func (a *App) RequestIncidentInformation(ctx context.Context, actor domain.Actor, id, comment string, ifVersion int) (domain.Incident, error) {
	if _, err := a.incident(ctx, actor, id, "review"); err != nil {
		return domain.Incident{}, err
	}
	return a.db.RequestIncidentInformation(ctx, actor, id, comment, ifVersion)
}

// CloseIncident closes an incident, stopping its clocks.
func (a *App) CloseIncident(ctx context.Context, actor domain.Actor, id, comment string, ifVersion int) (domain.Incident, error) {
	if _, err := a.incident(ctx, actor, id, "review"); err != nil {
		return domain.Incident{}, err
	}
	return a.db.CloseIncident(ctx, actor, id, comment, ifVersion)
}

// IncidentRules returns the deadlines and thresholds in force, which every
// reader of incidents may see: they say when reports are due and what makes
// an incident major.
func (a *App) IncidentRules(ctx context.Context, actor domain.Actor) (domain.IncidentDeadlines, domain.IncidentThresholds, error) {
	if err := a.permit(ctx, actor, "incident", "read"); err != nil {
		return domain.IncidentDeadlines{}, domain.IncidentThresholds{}, err
	}
	s, _, err := a.db.Settings(ctx)
	return s.Deadlines(), s.Thresholds(), err
}

// IncidentStatistics counts the sector's incidents detected from day from to
// day to, both included, and each threat's observed frequency over the
// twelve months up to day to. A zero to is today, a zero from the first day
// of the twelve months up to to.
func (a *App) IncidentStatistics(ctx context.Context, actor domain.Actor, from, to domain.Date) (domain.IncidentStatistics, error) {
	if err := a.permit(ctx, actor, "incident", "statistics"); err != nil {
		return domain.IncidentStatistics{}, err
	}
	if to.IsZero() {
		to = domain.DateOf(a.db.Now())
	}
	if from.IsZero() {
		from = domain.FrequencyWindow(to)
	}
	return a.db.IncidentStatistics(ctx, actor, from, to)
}

// IncidentDeadlines lists the phase deadlines falling in [from, to) of the
// incidents the actor may read, filed or not, earliest first, each with its
// clock: a provider user's own provider's; a supervisor's or an auditor's
// (or the system's) every provider's, or only providerID's when it is set.
// For the obligations calendar: it reads at most limit incidents and, when
// there were more, gives the instant before which the list is complete
// (zero when it is whole).
func (a *App) IncidentDeadlines(ctx context.Context, actor domain.Actor, providerID string, from, to time.Time,
	limit int) ([]domain.IncidentClock, time.Time, error) {
	if err := a.permit(ctx, actor, "incident", "read"); err != nil {
		return nil, time.Time{}, err
	}
	if providerID != "" {
		if err := a.permitOn(ctx, actor, providerID, "incident", "read", "provider"); err != nil {
			return nil, time.Time{}, err
		}
	}
	return a.db.IncidentDeadlines(ctx, actor, providerID, from, to, limit)
}

// IncidentClockWarnings lists the clocks of the incidents the actor may read
// that have expired (overdue) or will expire within the duration given,
// earliest deadline first. For incident clock warnings; the system actor
// reads every provider's.
func (a *App) IncidentClockWarnings(ctx context.Context, actor domain.Actor, within time.Duration) ([]domain.IncidentClock, error) {
	if err := a.permit(ctx, actor, "incident", "read"); err != nil {
		return nil, err
	}
	return a.db.IncidentClockWarnings(ctx, actor, within)
}

// Now is the instant incident clocks are read at: what the pages offer as
// the latest time of a report.
func (a *App) Now() time.Time { return a.db.Now() }
