package domain

import (
	"slices"
	"testing"
)

func TestAssessmentStateMachine(t *testing.T) {
	cases := []struct {
		from   AssessmentStatus
		action string
		to     AssessmentStatus // "" when refused
	}{
		{StatusDraft, ActionEdit, StatusDraft},
		{StatusDraft, ActionSubmit, StatusSubmitted},
		{StatusDraft, ActionApprove, ""},
		{StatusSubmitted, ActionSubmit, ""},
		{StatusSubmitted, ActionEdit, ""},
		{StatusSubmitted, ActionStartReview, StatusInReview},
		{StatusInReview, ActionVerdict, StatusInReview},
		{StatusInReview, ActionRequestChanges, StatusChangesRequested},
		{StatusInReview, ActionApprove, StatusApproved},
		{StatusInReview, ActionReject, StatusRejected},
		{StatusInReview, ActionEdit, ""},
		{StatusChangesRequested, ActionEdit, StatusChangesRequested},
		{StatusChangesRequested, ActionSubmit, StatusSubmitted},
		{StatusChangesRequested, ActionApprove, ""},
		{StatusApproved, ActionReject, ""},
		{StatusApproved, ActionEdit, ""},
		{StatusRejected, ActionSubmit, ""},
	}
	for _, c := range cases {
		to, err := Transition(c.from, c.action)
		if c.to == "" {
			e, ok := AsError(err)
			if !ok || e.Code != EConflict || !slices.Equal(e.Allowed, AllowedActions(c.from)) {
				t.Errorf("%s from %s = %v, %v; want a conflict naming %v", c.action, c.from, to, err, AllowedActions(c.from))
			}
			continue
		}
		if err != nil || to != c.to {
			t.Errorf("%s from %s = %v, %v; want %s", c.action, c.from, to, err, c.to)
		}
	}
	for _, s := range []AssessmentStatus{StatusApproved, StatusRejected} {
		if !s.Final() || len(AllowedActions(s)) != 0 {
			t.Errorf("%s is not final", s)
		}
	}
}

func TestResponseCompleteness(t *testing.T) {
	today, _ := ParseDate("2027-03-01")
	past, _ := ParseDate("2027-02-28")
	later, _ := ParseDate("2027-06-30")
	cases := []struct {
		r    Response
		want int
	}{
		{Response{ControlID: "C1"}, 1},
		{Response{ControlID: "C1", Status: Implemented, Narrative: "yes"}, 0},
		{Response{ControlID: "C1", Status: Implemented, EvidenceIDs: []string{"e"}}, 0},
		{Response{ControlID: "C1", Status: Implemented, Narrative: "  "}, 1},
		{Response{ControlID: "C1", Status: NotApplicable}, 1},
		{Response{ControlID: "C1", Status: NotApplicable, Justification: "No USSD."}, 0},
		{Response{ControlID: "C1", Status: Partial}, 1},
		{Response{ControlID: "C1", Status: Partial, RemediationDate: &past}, 1},
		{Response{ControlID: "C1", Status: NotImplemented, RemediationDate: &later}, 0},
	}
	for _, c := range cases {
		if got := len(c.r.CheckComplete(today)); got != c.want {
			t.Errorf("%+v: %d problems, want %d", c.r, got, c.want)
		}
	}
}

func TestFindingStateMachine(t *testing.T) {
	for _, c := range []struct {
		from   FindingStatus
		action string
		to     FindingStatus
	}{
		{FindingOpen, FindingStart, FindingInProgress},
		{FindingInProgress, FindingResolve, FindingResolved},
		{FindingOpen, FindingResolve, FindingResolved},
		{FindingResolved, FindingVerify, FindingVerified},
		{FindingVerified, FindingReopen, FindingOpen},
		{FindingOpen, FindingVerify, ""},
		{FindingVerified, FindingStart, ""},
	} {
		to, err := FindingTransition(c.from, c.action)
		if (c.to == "") != (err != nil) || to != c.to {
			t.Errorf("%s from %s = %v, %v", c.action, c.from, to, err)
		}
	}
}
