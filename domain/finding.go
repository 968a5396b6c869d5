package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Severity of a finding.
type Severity string

// Severities, lowest first.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists every severity, lowest first.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return slices.Contains(Severities, s) }

// FindingStatus is where remediation of a finding stands.
type FindingStatus string

// Finding states: open → in_progress → resolved → verified, or reopened.
const (
	FindingOpen       FindingStatus = "open"
	FindingInProgress FindingStatus = "in_progress"
	FindingResolved   FindingStatus = "resolved"
	FindingVerified   FindingStatus = "verified"
)

// FindingStatuses lists every state.
var FindingStatuses = []FindingStatus{FindingOpen, FindingInProgress, FindingResolved, FindingVerified}

// Valid reports whether s is a known state.
func (s FindingStatus) Valid() bool { return slices.Contains(FindingStatuses, s) }

// Closed reports whether remediation is done (resolved or verified).
func (s FindingStatus) Closed() bool { return s == FindingResolved || s == FindingVerified }

// Finding actions and who takes them.
const (
	FindingRespond = "respond" // provider: give a plan or a progress note while the finding is not closed
	FindingStart   = "start"   // provider: open → in_progress
	FindingResolve = "resolve" // provider: open | in_progress → resolved
	FindingVerify  = "verify"  // supervisor: resolved → verified
	FindingReopen  = "reopen"  // supervisor: resolved | verified → open
)

var findingTransitions = map[string]struct {
	from []FindingStatus
	to   FindingStatus
}{
	FindingStart:   {[]FindingStatus{FindingOpen}, FindingInProgress},
	FindingResolve: {[]FindingStatus{FindingOpen, FindingInProgress}, FindingResolved},
	FindingVerify:  {[]FindingStatus{FindingResolved}, FindingVerified},
	FindingReopen:  {[]FindingStatus{FindingResolved, FindingVerified}, FindingOpen},
}

// FindingActions lists the actions possible on a finding in state s, in a
// fixed order.
func FindingActions(s FindingStatus) []string {
	var out []string
	if !s.Closed() {
		out = append(out, FindingRespond)
	}
	for _, a := range []string{FindingStart, FindingResolve, FindingVerify, FindingReopen} {
		if slices.Contains(findingTransitions[a].from, s) {
			out = append(out, a)
		}
	}
	return out
}

// FindingTransition returns the state action leads to from s, or EConflict
// naming the allowed actions.
func FindingTransition(s FindingStatus, action string) (FindingStatus, error) {
	t, ok := findingTransitions[action]
	if !ok {
		return "", Errorf(EInvalid, "unknown finding action %q", action)
	}
	if !slices.Contains(t.from, s) {
		var allowed []string
		for _, a := range FindingActions(s) {
			if a != FindingRespond {
				allowed = append(allowed, a)
			}
		}
		return "", &Error{Code: EConflict, Allowed: allowed,
			Message: fmt.Sprintf("cannot %s a finding that is %s; allowed now: %s", action, s, strings.Join(allowed, ", "))}
	}
	return t.to, nil
}

// Finding is a weakness a supervisor raised that the provider must remediate.
type Finding struct {
	ID              string
	AssessmentID    string
	CampaignID      string
	ProviderID      string
	ProviderName    string
	ControlID       string
	Title           string
	Severity        Severity
	Description     string
	DueAt           Date
	Status          FindingStatus
	RemediationPlan string
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
	Updates         []FindingUpdate
}

// FindingUpdate is one entry of a finding's history.
type FindingUpdate struct {
	At         time.Time
	ActorID    string
	ActorEmail string
	Note       string
	From, To   FindingStatus
	ActorName  string
}

// Overdue reports whether remediation is late.
func (f Finding) Overdue(today Date) bool { return !f.Status.Closed() && f.DueAt.Before(today) }

// CheckNewFinding returns the problems of a new finding.
func CheckNewFinding(title string, severity Severity, description string, due Date, today Date) []Problem {
	var problems []Problem
	if n := len(strings.TrimSpace(title)); n == 0 || n > 300 {
		problems = append(problems, Problem{"body.title", "must be 1 to 300 characters"})
	}
	if !severity.Valid() {
		problems = append(problems, Problem{"body.severity", "must be low, medium, high or critical"})
	}
	if n := len(strings.TrimSpace(description)); n == 0 || n > 20000 {
		problems = append(problems, Problem{"body.description", "must be 1 to 20000 characters"})
	}
	if !due.After(today) {
		problems = append(problems, Problem{"body.due_at", "must be in the future"})
	}
	return problems
}
