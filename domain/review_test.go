package domain

import (
	"slices"
	"testing"
	"time"
)

func TestUnchangedAccepted(t *testing.T) {
	filed := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	before, after := filed.Add(-24*time.Hour), filed.Add(time.Hour)
	resp := func(id string, v Verdict, at *time.Time) Response {
		return Response{ControlID: id, Status: Implemented, Verdict: v, VerdictAt: at}
	}
	responses := []Response{
		resp("C1", Accepted, &before),                            // accepted last round, unchanged: a candidate
		resp("C2", Accepted, &before),                            // accepted last round but changed since (see Changes)
		resp("C3", NeedsInfo, &before),                           // unchanged, but last round asked for more
		resp("C4", Accepted, &after),                             // accepted again in this round already
		resp("C5", "", nil),                                      // no verdict: cleared by an edit
		{ControlID: "C6", Verdict: Accepted, VerdictAt: &before}, // unanswered
		resp("C7", Rejected, &before),
	}
	round := ReviewRound{Submission: 2, SubmittedAt: filed, Changes: []ResponseChange{{ControlID: "C2", Fields: []string{"narrative"}}}}
	var got []string
	for _, r := range round.UnchangedAccepted(responses) {
		got = append(got, r.ControlID)
	}
	if !slices.Equal(got, []string{"C1"}) {
		t.Errorf("candidates = %v, want [C1]", got)
	}
	if !round.CarriedOver(responses[2]) || round.CarriedOver(responses[3]) || round.CarriedOver(responses[4]) {
		t.Error("CarriedOver tells this round's verdicts from the last round's wrongly")
	}
	first := ReviewRound{Submission: 1, SubmittedAt: filed}
	if c := first.UnchangedAccepted(responses); len(c) != 0 {
		t.Errorf("a first submission has candidates: %v", c)
	}
	if round.Changed("C2") == nil || round.Changed("C1") != nil {
		t.Error("Changed does not find the changes by control")
	}
}
