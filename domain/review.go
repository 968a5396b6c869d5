package domain

import "time"

// ReviewRound is what a supervisor reviews: the latest submission of an
// assessment and how its sealed answers differ from the submission before.
type ReviewRound struct {
	Submission  int              // the latest submission's number; 0 before the first
	SubmittedAt time.Time        // when it was filed
	Changes     []ResponseChange // against submission Submission-1; nil for the first
}

// Changed returns the change of one control since the previous submission,
// or nil when its sealed answer and evidence are the same.
func (r ReviewRound) Changed(controlID string) *ResponseChange {
	for i := range r.Changes {
		if r.Changes[i].ControlID == controlID {
			return &r.Changes[i]
		}
	}
	return nil
}

// CarriedOver reports whether a response's verdict was recorded in an
// earlier round: before the latest submission. A changed answer loses its
// verdict, so a verdict that still stands from before the submission is the
// verdict on the same answer.
func (r ReviewRound) CarriedOver(resp Response) bool {
	return r.Submission > 1 && resp.Verdict != "" && resp.VerdictAt != nil && resp.VerdictAt.Before(r.SubmittedAt)
}

// UnchangedAccepted returns the responses a supervisor may accept in one
// go: answered controls whose sealed answer and evidence did not change
// since the previous submission, and whose verdict from that earlier round
// was accepted and has not been given again in this one. It is empty for a
// first submission, which has nothing to compare with.
func (r ReviewRound) UnchangedAccepted(responses []Response) []Response {
	if r.Submission < 2 {
		return nil
	}
	var out []Response
	for _, resp := range responses {
		if resp.Status != "" && resp.Verdict == Accepted && r.CarriedOver(resp) && r.Changed(resp.ControlID) == nil {
			out = append(out, resp)
		}
	}
	return out
}
