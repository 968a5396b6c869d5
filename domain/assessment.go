package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// AssessmentStatus is where a provider's filing stands.
type AssessmentStatus string

// Assessment states: draft → submitted → in_review → (changes_requested →
// submitted …) → approved | rejected. Approved and rejected are final.
const (
	StatusDraft            AssessmentStatus = "draft"
	StatusSubmitted        AssessmentStatus = "submitted"
	StatusInReview         AssessmentStatus = "in_review"
	StatusChangesRequested AssessmentStatus = "changes_requested"
	StatusApproved         AssessmentStatus = "approved"
	StatusRejected         AssessmentStatus = "rejected"
)

// AssessmentStatuses lists every state.
var AssessmentStatuses = []AssessmentStatus{StatusDraft, StatusSubmitted, StatusInReview, StatusChangesRequested,
	StatusApproved, StatusRejected}

// Valid reports whether s is a known state.
func (s AssessmentStatus) Valid() bool { return slices.Contains(AssessmentStatuses, s) }

// Final reports whether nothing more can happen to the assessment.
func (s AssessmentStatus) Final() bool { return s == StatusApproved || s == StatusRejected }

// Editable reports whether the provider may change responses and evidence.
func (s AssessmentStatus) Editable() bool { return slices.Contains(EditableStatuses(), s) }

// EditableStatuses are the states in which the provider may change
// responses and evidence.
func EditableStatuses() []AssessmentStatus {
	return []AssessmentStatus{StatusDraft, StatusChangesRequested}
}

// Actions on an assessment.
const (
	ActionEdit           = "edit"
	ActionSubmit         = "submit"
	ActionStartReview    = "start-review"
	ActionVerdict        = "verdict"
	ActionRequestChanges = "request-changes"
	ActionApprove        = "approve"
	ActionReject         = "reject"
)

// transitions maps each action to the states it may start from and the state
// it leads to ("" for actions that keep the state).
var transitions = map[string]struct {
	from []AssessmentStatus
	to   AssessmentStatus
}{
	ActionEdit:           {[]AssessmentStatus{StatusDraft, StatusChangesRequested}, ""},
	ActionSubmit:         {[]AssessmentStatus{StatusDraft, StatusChangesRequested}, StatusSubmitted},
	ActionStartReview:    {[]AssessmentStatus{StatusSubmitted}, StatusInReview},
	ActionVerdict:        {[]AssessmentStatus{StatusInReview}, ""},
	ActionRequestChanges: {[]AssessmentStatus{StatusInReview}, StatusChangesRequested},
	ActionApprove:        {[]AssessmentStatus{StatusInReview}, StatusApproved},
	ActionReject:         {[]AssessmentStatus{StatusInReview}, StatusRejected},
}

// AllowedActions lists the actions possible in state s, in a fixed order.
func AllowedActions(s AssessmentStatus) []string {
	var out []string
	for _, a := range []string{ActionEdit, ActionSubmit, ActionStartReview, ActionVerdict, ActionRequestChanges,
		ActionApprove, ActionReject} {
		if slices.Contains(transitions[a].from, s) {
			out = append(out, a)
		}
	}
	return out
}

// Transition returns the state action leads to from s. An action not allowed
// in s is EConflict, naming the actions that are allowed.
func Transition(s AssessmentStatus, action string) (AssessmentStatus, error) {
	t, ok := transitions[action]
	if !ok {
		return "", Errorf(EInvalid, "unknown action %q", action)
	}
	if !slices.Contains(t.from, s) {
		allowed := AllowedActions(s)
		next := "nothing: it is final"
		if len(allowed) > 0 {
			next = strings.Join(allowed, ", ")
		}
		return "", &Error{Code: EConflict, Allowed: allowed,
			Message: fmt.Sprintf("cannot %s an assessment that is %s; allowed now: %s", action, s, next)}
	}
	if t.to == "" {
		return s, nil
	}
	return t.to, nil
}

// Assessment is one provider's filing in one campaign.
type Assessment struct {
	ID           string
	CampaignID   string
	CampaignName string
	ProviderID   string
	ProviderName string
	Status       AssessmentStatus
	DueAt        Date
	Submissions  int // the number of the latest submission; 0 before the first
	Applicable   int // number of applicable controls
	Answered     int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SubmittedAt  *time.Time
	DecidedAt    *time.Time
	DecidedBy    string // the email of who approved or rejected it
	FiledLate    bool   // the first submission came after the due date
	Version      int
	// CampaignStatus is the state of the assessment's campaign: only an open
	// campaign takes answers and filings.
	CampaignStatus CampaignStatus
	// ChangesReason is the supervisor's reason while changes are requested.
	ChangesReason string
}

// Actions lists what can happen to the assessment now: what its state allows,
// less editing and filing once its campaign is no longer open.
func (a Assessment) Actions() []string {
	var out []string
	for _, action := range AllowedActions(a.Status) {
		if (action == ActionEdit || action == ActionSubmit) && a.CampaignStatus != CampaignOpen {
			continue
		}
		out = append(out, action)
	}
	return out
}

// Overdue reports whether the provider still owes a filing after its due date.
func (a Assessment) Overdue(today Date) bool {
	return a.Status.Editable() && a.DueAt.Before(today)
}
