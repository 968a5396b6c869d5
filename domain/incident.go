package domain

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Providers report their security incidents in three phases: an initial
// report, intermediate updates and a final report with the root cause. Each
// phase has a deadline that runs from the incident's detection or from its
// classification, whichever the jurisdiction's settings name (the earliest
// when both are set). The deadlines are fixed when the incident is reported,
// with the settings then in force; a later change of the settings moves the
// clocks of new incidents only.
//
// A phase is filed by its first report, or by the first report of a later
// phase (a final report filed before any intermediate one files both). A
// phase filed after its deadline is late; a phase not filed by its deadline
// is overdue until it is filed, or until a supervisor closes the incident.
//
// The figures of the latest report classify the incident: it is major when
// any criterion meets its threshold (at or above it).

// IncidentFramework is the framework whose threats incidents name: the
// latest published version of X.1150.
const IncidentFramework = "x1150"

// IncidentPhase is one of the three reports a provider owes.
type IncidentPhase string

// The phases, in the order they are due.
const (
	PhaseInitial      IncidentPhase = "initial"
	PhaseIntermediate IncidentPhase = "intermediate"
	PhaseFinal        IncidentPhase = "final"
)

// IncidentPhases lists every phase in order.
var IncidentPhases = []IncidentPhase{PhaseInitial, PhaseIntermediate, PhaseFinal}

// Valid reports whether p is a known phase.
func (p IncidentPhase) Valid() bool { return slices.Contains(IncidentPhases, p) }

// order is the position of p among the phases.
func (p IncidentPhase) order() int { return slices.Index(IncidentPhases, p) }

// MaxDeadlineHours bounds each deadline of the settings: a year.
const MaxDeadlineHours = 365 * 24

// DeadlineRule says when one phase is due: so many hours after the
// incident's classification, after its detection, or both, in which case
// the earlier instant is the deadline. Zero leaves an anchor out.
type DeadlineRule struct {
	AfterClassificationHours int `json:"after_classification_hours,omitempty"`
	AfterDetectionHours      int `json:"after_detection_hours,omitempty"`
}

// Due returns the deadline of a phase for an incident detected and
// classified at the instants given.
func (r DeadlineRule) Due(detected, classified time.Time) time.Time {
	var due time.Time
	if r.AfterClassificationHours > 0 {
		due = classified.Add(time.Duration(r.AfterClassificationHours) * time.Hour)
	}
	if r.AfterDetectionHours > 0 {
		d := detected.Add(time.Duration(r.AfterDetectionHours) * time.Hour)
		if due.IsZero() || d.Before(due) {
			due = d
		}
	}
	return due
}

// IncidentDeadlines are the jurisdiction's deadlines of the three phases.
type IncidentDeadlines struct {
	Initial      DeadlineRule `json:"initial"`
	Intermediate DeadlineRule `json:"intermediate"`
	Final        DeadlineRule `json:"final"`
}

// DefaultIncidentDeadlines are the deadlines when the settings name none:
// the initial report within 4 hours of classification and at most 24 hours
// of detection, the intermediate within 72 hours of classification, the
// final within 30 days of classification.
var DefaultIncidentDeadlines = IncidentDeadlines{
	Initial:      DeadlineRule{AfterClassificationHours: 4, AfterDetectionHours: 24},
	Intermediate: DeadlineRule{AfterClassificationHours: 72},
	Final:        DeadlineRule{AfterClassificationHours: 30 * 24},
}

// Rule returns the rule of phase p.
func (d IncidentDeadlines) Rule(p IncidentPhase) DeadlineRule {
	switch p {
	case PhaseInitial:
		return d.Initial
	case PhaseIntermediate:
		return d.Intermediate
	}
	return d.Final
}

// For returns the deadlines of an incident detected and classified at the
// instants given, in phase order and none filed yet.
func (d IncidentDeadlines) For(detected, classified time.Time) []PhaseDeadline {
	out := make([]PhaseDeadline, len(IncidentPhases))
	for i, p := range IncidentPhases {
		out[i] = PhaseDeadline{Phase: p, Due: d.Rule(p).Due(detected, classified)}
	}
	return out
}

// Check returns the problems of the deadlines: each phase needs at least
// one anchor, each anchor is 1 to MaxDeadlineHours hours, and for an
// incident classified as it is detected no phase falls due before the one
// it follows.
func (d IncidentDeadlines) Check() []Problem {
	var out []Problem
	for _, p := range IncidentPhases {
		r := d.Rule(p)
		loc := "body.incident_deadlines." + string(p)
		if r.AfterClassificationHours == 0 && r.AfterDetectionHours == 0 {
			out = append(out, Problem{loc, "give the hours after classification, after detection or both"})
		}
		for _, a := range []struct {
			hours int
			field string
		}{{r.AfterClassificationHours, "after_classification_hours"}, {r.AfterDetectionHours, "after_detection_hours"}} {
			if a.hours < 0 || a.hours > MaxDeadlineHours {
				out = append(out, Problem{loc + "." + a.field, "must be from 1 to 8760 hours, or left out"})
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	t0 := time.Unix(0, 0).UTC()
	due := d.For(t0, t0)
	for i := 1; i < len(due); i++ {
		if due[i].Due.Before(due[i-1].Due) {
			out = append(out, Problem{"body.incident_deadlines." + string(due[i].Phase),
				fmt.Sprintf("falls due before the %s report", due[i-1].Phase)})
		}
	}
	return out
}

// Services a DFS incident may affect.
const (
	ServiceTransfers        = "p2p_transfers"
	ServiceMerchantPayments = "merchant_payments"
	ServiceBillPayments     = "bill_payments"
	ServiceCashInOut        = "cash_in_out"
	ServiceRemittances      = "remittances"
	ServiceSavingsCredit    = "savings_credit"
	ServiceAccountAccess    = "account_access"
)

// IncidentServices lists every service in display order.
var IncidentServices = []string{ServiceTransfers, ServiceMerchantPayments, ServiceBillPayments, ServiceCashInOut,
	ServiceRemittances, ServiceSavingsCredit, ServiceAccountAccess}

// IncidentCriterion is one criterion of the classification.
type IncidentCriterion string

// The classification's criteria.
const (
	CriterionCustomers   IncidentCriterion = "customers_affected"
	CriterionDuration    IncidentCriterion = "duration"
	CriterionValue       IncidentCriterion = "transaction_value"
	CriterionDataBreach  IncidentCriterion = "data_breach"
	CriterionChannels    IncidentCriterion = "channels"
	CriterionServices    IncidentCriterion = "services"
	CriterionCrossBorder IncidentCriterion = "cross_border"
)

// IncidentCriteria lists the criteria in display order.
var IncidentCriteria = []IncidentCriterion{CriterionCustomers, CriterionDuration, CriterionValue, CriterionDataBreach,
	CriterionChannels, CriterionServices, CriterionCrossBorder}

// IncidentThresholds make an incident major: a figure at or above its
// threshold, or a yes where the yes counts. A zero threshold (or false)
// leaves the criterion out.
type IncidentThresholds struct {
	CustomersAffected int64   `json:"customers_affected"`
	DurationHours     float64 `json:"duration_hours"`
	TransactionValue  int64   `json:"transaction_value"`
	DataBreach        bool    `json:"data_breach"`
	ChannelsAffected  int     `json:"channels_affected"`
	ServicesAffected  int     `json:"services_affected"`
	CrossBorder       bool    `json:"cross_border"`
}

// DefaultIncidentThresholds are the thresholds when the settings name none:
// 10,000 customers, 4 hours, 10,000,000 in the reporting currency, any data
// breach, 2 channels, 2 services, any cross-border effect.
var DefaultIncidentThresholds = IncidentThresholds{CustomersAffected: 10000, DurationHours: 4,
	TransactionValue: 10_000_000, DataBreach: true, ChannelsAffected: 2, ServicesAffected: 2, CrossBorder: true}

// Check returns the problems of the thresholds.
func (t IncidentThresholds) Check() []Problem {
	var out []Problem
	loc := "body.incident_thresholds."
	if t.CustomersAffected < 0 {
		out = append(out, Problem{loc + "customers_affected", "must be 0 (not a criterion) or more"})
	}
	if t.DurationHours < 0 || t.DurationHours > MaxDeadlineHours || math.IsNaN(t.DurationHours) {
		out = append(out, Problem{loc + "duration_hours", "must be from 0 (not a criterion) to 8760 hours"})
	}
	if t.TransactionValue < 0 {
		out = append(out, Problem{loc + "transaction_value", "must be 0 (not a criterion) or more"})
	}
	if t.ChannelsAffected < 0 || t.ChannelsAffected > len(Channels) {
		out = append(out, Problem{loc + "channels_affected", fmt.Sprintf("must be from 0 (not a criterion) to %d", len(Channels))})
	}
	if t.ServicesAffected < 0 || t.ServicesAffected > len(IncidentServices) {
		out = append(out, Problem{loc + "services_affected", fmt.Sprintf("must be from 0 (not a criterion) to %d", len(IncidentServices))})
	}
	return out
}

// Classify returns the criteria whose thresholds the facts meet, in the
// criteria's order; the incident is major when there is any.
func Classify(f IncidentFacts, t IncidentThresholds) []IncidentCriterion {
	var out []IncidentCriterion
	met := func(c IncidentCriterion, ok bool) {
		if ok {
			out = append(out, c)
		}
	}
	met(CriterionCustomers, t.CustomersAffected > 0 && f.CustomersAffected >= t.CustomersAffected)
	met(CriterionDuration, t.DurationHours > 0 && f.DurationHours >= t.DurationHours)
	met(CriterionValue, t.TransactionValue > 0 && f.ValueAffected >= t.TransactionValue)
	met(CriterionDataBreach, t.DataBreach && f.DataBreach)
	met(CriterionChannels, t.ChannelsAffected > 0 && len(f.Channels) >= t.ChannelsAffected)
	met(CriterionServices, t.ServicesAffected > 0 && len(f.Services) >= t.ServicesAffected)
	met(CriterionCrossBorder, t.CrossBorder && f.CrossBorder)
	return out
}

// IncidentFacts are what a report says of an incident: its impact, the
// X.1150 threats involved, and what caused it, cost and restored it. Every
// report restates them whole; the latest report's are the incident's.
type IncidentFacts struct {
	Description       string   `json:"description"`
	CustomersAffected int64    `json:"customers_affected"`
	DurationHours     float64  `json:"duration_hours"`
	ValueAffected     int64    `json:"value_affected"`
	DataBreach        bool     `json:"data_breach"`
	Channels          []string `json:"channels"`
	Services          []string `json:"services"`
	CrossBorder       bool     `json:"cross_border"`
	Threats           []string `json:"threats"`
	RootCause         string   `json:"root_cause"`
	Losses            int64    `json:"losses"`
	Recovery          string   `json:"recovery"`
}

// Limits of an incident's texts, in characters.
const (
	IncidentTitleMax = 200
	IncidentTextMax  = 4000
)

// Trimmed returns f with the spaces around its texts removed and its lists
// never nil.
func (f IncidentFacts) Trimmed() IncidentFacts {
	f.Description, f.RootCause, f.Recovery = strings.TrimSpace(f.Description), strings.TrimSpace(f.RootCause),
		strings.TrimSpace(f.Recovery)
	for _, l := range []*[]string{&f.Channels, &f.Services, &f.Threats} {
		if *l == nil {
			*l = []string{}
		}
	}
	return f
}

// CheckIncidentFacts returns the problems of the facts a report of phase
// states; known says whether a threat id is one of the framework's. A final
// report names the threats involved, the root cause and the recovery.
func CheckIncidentFacts(f IncidentFacts, phase IncidentPhase, known func(threat string) bool) []Problem {
	var out []Problem
	add := func(loc, msg string) { out = append(out, Problem{"body." + loc, msg}) }
	if c := utf8.RuneCountInString(strings.TrimSpace(f.Description)); c == 0 || c > IncidentTextMax {
		add("description", "describe the incident (at most 4000 characters)")
	}
	if f.CustomersAffected < 0 {
		add("customers_affected", "must be 0 or more")
	}
	if f.DurationHours < 0 || f.DurationHours > MaxDeadlineHours || math.IsNaN(f.DurationHours) {
		add("duration_hours", "must be from 0 to 8760 hours")
	}
	if f.ValueAffected < 0 {
		add("value_affected", "must be 0 or more")
	}
	if f.Losses < 0 {
		add("losses", "must be 0 or more")
	}
	out = append(out, checkList(f.Channels, "channels", ValidChannel)...)
	out = append(out, checkList(f.Services, "services", func(s string) bool { return slices.Contains(IncidentServices, s) })...)
	out = append(out, checkList(f.Threats, "threats", known)...)
	for _, t := range []struct {
		text, field string
	}{{f.RootCause, "root_cause"}, {f.Recovery, "recovery"}} {
		if utf8.RuneCountInString(t.text) > IncidentTextMax {
			add(t.field, "at most 4000 characters")
		}
	}
	if phase == PhaseFinal {
		if len(f.Threats) == 0 {
			add("threats", "a final report names the threats involved")
		}
		if strings.TrimSpace(f.RootCause) == "" {
			add("root_cause", "a final report gives the root cause")
		}
		if strings.TrimSpace(f.Recovery) == "" {
			add("recovery", "a final report says how service was recovered")
		}
	}
	return out
}

// checkList returns the problems of a list of codes: each known, none twice.
func checkList(list []string, field string, known func(string) bool) []Problem {
	var out []Problem
	seen := map[string]bool{}
	for i, v := range list {
		loc := fmt.Sprintf("body.%s[%d]", field, i)
		switch {
		case !known(v):
			out = append(out, Problem{loc, "is not one of the choices"})
		case seen[v]:
			out = append(out, Problem{loc, "is listed twice"})
		}
		seen[v] = true
	}
	return out
}

// NewIncident is a provider's initial report of an incident.
type NewIncident struct {
	ProviderID   string
	Title        string
	DetectedAt   time.Time
	ClassifiedAt time.Time
	Facts        IncidentFacts
}

// Trimmed returns n with the spaces around its texts removed.
func (n NewIncident) Trimmed() NewIncident {
	n.Title, n.Facts = strings.TrimSpace(n.Title), n.Facts.Trimmed()
	return n
}

// CheckNewIncident returns the problems of an initial report made at now:
// a title, a detection and a classification no later than now, the
// classification at or after the detection, and facts a report may state.
func CheckNewIncident(n NewIncident, now time.Time, known func(threat string) bool) []Problem {
	var out []Problem
	if c := utf8.RuneCountInString(strings.TrimSpace(n.Title)); c == 0 || c > IncidentTitleMax {
		out = append(out, Problem{"body.title", "give the incident a title (at most 200 characters)"})
	}
	switch {
	case n.DetectedAt.IsZero():
		out = append(out, Problem{"body.detected_at", "say when the incident was detected"})
	case n.DetectedAt.After(now):
		out = append(out, Problem{"body.detected_at", "the detection is in the future"})
	}
	switch {
	case n.ClassifiedAt.IsZero():
		out = append(out, Problem{"body.classified_at", "say when the incident was classified"})
	case n.ClassifiedAt.After(now):
		out = append(out, Problem{"body.classified_at", "the classification is in the future"})
	case !n.DetectedAt.IsZero() && n.ClassifiedAt.Before(n.DetectedAt):
		out = append(out, Problem{"body.classified_at", "the classification comes before the detection"})
	}
	return append(out, CheckIncidentFacts(n.Facts, PhaseInitial, known)...)
}

// IncidentStatus is where an incident stands.
type IncidentStatus string

// Incident states. A provider's initial report opens the incident; its
// final report closes the provider's side; a supervisor's request for
// information waits for the provider's update; a supervisor closes it.
const (
	IncidentOpen                 IncidentStatus = "open"
	IncidentInformationRequested IncidentStatus = "information_requested"
	IncidentFinalFiled           IncidentStatus = "final_filed"
	IncidentClosed               IncidentStatus = "closed"
)

// IncidentStatuses lists every state.
var IncidentStatuses = []IncidentStatus{IncidentOpen, IncidentInformationRequested, IncidentFinalFiled, IncidentClosed}

// Valid reports whether s is a known state.
func (s IncidentStatus) Valid() bool { return slices.Contains(IncidentStatuses, s) }

// Actions on an incident after its initial report.
const (
	IncidentUpdate             = "update"              // provider: an intermediate report, or the answer to a request
	IncidentFileFinal          = "file_final"          // provider: the final report
	IncidentRequestInformation = "request_information" // supervisor: ask the provider for more, with a comment
	IncidentClose              = "close"               // supervisor: close the incident
)

// ReportAction is the action that files a report of phase p.
func ReportAction(p IncidentPhase) string {
	if p == PhaseFinal {
		return IncidentFileFinal
	}
	return IncidentUpdate
}

// Incident is a provider's reported security incident as it stands.
type Incident struct {
	ID           string
	ProviderID   string
	ProviderName string
	ProviderKind ProviderKind
	Title        string
	DetectedAt   time.Time
	ClassifiedAt time.Time
	Status       IncidentStatus
	Facts        IncidentFacts       // as the latest report states them
	MajorBy      []IncidentCriterion // the criteria the latest report's figures meet
	Deadlines    []PhaseDeadline     // in phase order
	ReportedBy   string              // the reporter's email
	ReportedAt   time.Time
	UpdatedAt    time.Time
	ClosedAt     time.Time // zero while open
	ClosedBy     string
	Closing      string // the supervisor's comment on closing
	PendingID    string // the request for information awaiting an answer, or ""
	Pending      string // its comment
	Version      int
	Reports      []IncidentReport  // the reports filed, oldest first (one incident's page only)
	Requests     []IncidentRequest // the supervisors' requests, oldest first (one incident's page only)
	// AsOf is the instant the clocks are read at: the store's clock when the
	// incident was read.
	AsOf time.Time
}

// PhaseDeadline is when a phase is due and when it was filed.
type PhaseDeadline struct {
	Phase   IncidentPhase
	Due     time.Time
	FiledAt time.Time // zero while not filed
}

// IncidentReport is one report filed on an incident.
type IncidentReport struct {
	ID       string
	Seq      int
	Phase    IncidentPhase
	Facts    IncidentFacts
	MajorBy  []IncidentCriterion
	Answers  string // the id of the request it answers, or ""
	FiledBy  string
	FiledAt  time.Time
	Deadline time.Time // the deadline of its phase
}

// IncidentRequest is a supervisor's request for more information.
type IncidentRequest struct {
	ID          string
	Comment     string
	RequestedBy string
	RequestedAt time.Time
	AnsweredBy  string // the id of the report that answered it, or ""
	AnsweredAt  time.Time
}

// Major reports whether the latest figures make the incident major.
func (i Incident) Major() bool { return len(i.MajorBy) > 0 }

// Deadline returns the deadline of phase p.
func (i Incident) Deadline(p IncidentPhase) PhaseDeadline {
	for _, d := range i.Deadlines {
		if d.Phase == p {
			return d
		}
	}
	return PhaseDeadline{Phase: p}
}

// Filed reports whether phase p is filed.
func (i Incident) Filed(p IncidentPhase) bool { return !i.Deadline(p).FiledAt.IsZero() }

// FileReport marks phase p, and every earlier phase not filed yet, as filed
// at the instant given: a later report stands for the earlier ones missed.
func FileReport(deadlines []PhaseDeadline, p IncidentPhase, at time.Time) []PhaseDeadline {
	out := slices.Clone(deadlines)
	for k := range out {
		if out[k].Phase.order() <= p.order() && out[k].FiledAt.IsZero() {
			out[k].FiledAt = at
		}
	}
	return out
}

// NextDue returns the earliest deadline of a phase not filed while the
// incident is not closed: the clock that runs out first, overdue or not.
func (i Incident) NextDue() (time.Time, bool) {
	if i.Status == IncidentClosed {
		return time.Time{}, false
	}
	// Phases run from different instants (detection, classification), so
	// a later phase's deadline may fall before an earlier one's.
	var next time.Time
	for _, d := range i.Deadlines {
		if d.FiledAt.IsZero() && (next.IsZero() || d.Due.Before(next)) {
			next = d.Due
		}
	}
	return next, !next.IsZero()
}

// Overdue reports whether a phase is past its deadline and not filed at now.
func (i Incident) Overdue(now time.Time) bool {
	due, ok := i.NextDue()
	return ok && now.After(due)
}

// ClockState says where a phase's clock stands.
type ClockState string

// Clock states.
const (
	ClockRunning ClockState = "running" // not filed, deadline not passed
	ClockOverdue ClockState = "overdue" // not filed, deadline passed
	ClockMet     ClockState = "met"     // filed by the deadline
	ClockLate    ClockState = "late"    // filed after the deadline
	ClockStopped ClockState = "stopped" // not filed, and the incident is closed
)

// PhaseClock is one phase's clock as read at an instant.
type PhaseClock struct {
	Phase   IncidentPhase
	Due     time.Time
	FiledAt time.Time
	State   ClockState
	// Left is the time from the instant read (or from the filing, once filed)
	// to the deadline: negative when past it.
	Left time.Duration
}

// Clocks returns the phases' clocks as read at i.AsOf.
func (i Incident) Clocks() []PhaseClock { return i.ClocksAt(i.AsOf) }

// NextClock returns, as read at i.AsOf, the clock of the phase NextDue
// names: the unfiled one that runs out first. False when none runs.
func (i Incident) NextClock() (PhaseClock, bool) {
	due, ok := i.NextDue()
	if !ok {
		return PhaseClock{}, false
	}
	for _, c := range i.Clocks() {
		if c.FiledAt.IsZero() && c.Due.Equal(due) {
			return c, true
		}
	}
	return PhaseClock{}, false
}

// ClocksAt returns the phases' clocks as read at now. A report filed at the
// very instant of its deadline is on time; a clock read at that instant
// still runs.
func (i Incident) ClocksAt(now time.Time) []PhaseClock {
	out := make([]PhaseClock, 0, len(i.Deadlines))
	for _, d := range i.Deadlines {
		c := PhaseClock{Phase: d.Phase, Due: d.Due, FiledAt: d.FiledAt}
		switch {
		case !d.FiledAt.IsZero():
			c.Left = d.Due.Sub(d.FiledAt)
			c.State = ClockMet
			if d.FiledAt.After(d.Due) {
				c.State = ClockLate
			}
		case i.Status == IncidentClosed:
			c.State, c.Left = ClockStopped, d.Due.Sub(i.ClosedAt)
		default:
			c.Left = d.Due.Sub(now)
			c.State = ClockRunning
			if now.After(d.Due) {
				c.State = ClockOverdue
			}
		}
		out = append(out, c)
	}
	return out
}

// IncidentClock is one phase's clock of one incident, for lists across
// incidents: the obligations calendar and clock warnings.
type IncidentClock struct {
	IncidentID   string
	ProviderID   string
	ProviderName string
	Title        string
	PhaseClock
}

// clocksOf wraps the incident's clocks, as read at i.AsOf, that keep says to.
func (i Incident) clocksOf(keep func(PhaseClock) bool) []IncidentClock {
	var out []IncidentClock
	for _, c := range i.Clocks() {
		if keep(c) {
			out = append(out, IncidentClock{IncidentID: i.ID, ProviderID: i.ProviderID, ProviderName: i.ProviderName,
				Title: i.Title, PhaseClock: c})
		}
	}
	return out
}

// ClocksBetween returns the clocks whose deadline falls in [from, to),
// filed or not, leaving out those a closing stopped: they are no
// obligation any more.
func (i Incident) ClocksBetween(from, to time.Time) []IncidentClock {
	return i.clocksOf(func(c PhaseClock) bool {
		return c.State != ClockStopped && !c.Due.Before(from) && c.Due.Before(to)
	})
}

// ClockWarnings returns the clocks, as read at i.AsOf, that are overdue or
// still run and expire within the duration given.
func (i Incident) ClockWarnings(within time.Duration) []IncidentClock {
	return i.clocksOf(func(c PhaseClock) bool {
		return c.State == ClockOverdue || (c.State == ClockRunning && c.Left <= within)
	})
}

// incidentMoves are the states each action may start from.
var incidentMoves = map[string][]IncidentStatus{
	IncidentUpdate:             {IncidentOpen, IncidentInformationRequested},
	IncidentFileFinal:          {IncidentOpen, IncidentInformationRequested},
	IncidentRequestInformation: {IncidentOpen, IncidentFinalFiled},
	IncidentClose:              {IncidentOpen, IncidentInformationRequested, IncidentFinalFiled},
}

// incidentActionOrder is the order actions are offered in.
var incidentActionOrder = []string{IncidentUpdate, IncidentFileFinal, IncidentRequestInformation, IncidentClose}

// IncidentActions lists what may be done to the incident now, in a fixed
// order. The final report is filed once; after it the provider's side is
// closed, and an update only answers a supervisor's request.
func IncidentActions(i Incident) []string {
	var out []string
	for _, a := range incidentActionOrder {
		if !slices.Contains(incidentMoves[a], i.Status) {
			continue
		}
		if a == IncidentFileFinal && i.Filed(PhaseFinal) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// IncidentTransition returns the state action leads the incident to, or
// EConflict naming the actions allowed now.
func IncidentTransition(i Incident, action string) (IncidentStatus, error) {
	if _, ok := incidentMoves[action]; !ok {
		return "", Errorf(EInvalid, "unknown incident action %q", action)
	}
	allowed := IncidentActions(i)
	if !slices.Contains(allowed, action) {
		msg := fmt.Sprintf("cannot %s an incident that is %s", strings.ReplaceAll(action, "_", " "), i.Status)
		if action == IncidentFileFinal && i.Filed(PhaseFinal) {
			msg = "the final report is filed already; answer a request for information with an update"
		}
		if len(allowed) > 0 {
			msg += "; allowed now: " + strings.Join(allowed, ", ")
		}
		return "", &Error{Code: EConflict, Message: msg, Allowed: allowed}
	}
	switch action {
	case IncidentFileFinal:
		return IncidentFinalFiled, nil
	case IncidentRequestInformation:
		return IncidentInformationRequested, nil
	case IncidentClose:
		return IncidentClosed, nil
	}
	if i.Filed(PhaseFinal) {
		return IncidentFinalFiled, nil
	}
	return IncidentOpen, nil
}

// CheckInformationRequest returns the problems of a supervisor's request
// for more information: it says what is wanted.
func CheckInformationRequest(comment string) []Problem {
	if c := utf8.RuneCountInString(strings.TrimSpace(comment)); c == 0 || c > IncidentTextMax {
		return []Problem{{"body.comment", "say what information is needed (at most 4000 characters)"}}
	}
	return nil
}

// CheckClosing returns the problems of closing the incident with comment:
// closing before the final report is filed says why.
func CheckClosing(i Incident, comment string) []Problem {
	c := utf8.RuneCountInString(strings.TrimSpace(comment))
	switch {
	case c > IncidentTextMax:
		return []Problem{{"body.comment", "at most 4000 characters"}}
	case c == 0 && !i.Filed(PhaseFinal):
		return []Problem{{"body.comment", "the final report is not filed: say why the incident is closed"}}
	}
	return nil
}
