package reports

import (
	"cmp"
	"slices"
	"time"

	"assure/domain"
	"assure/texts"
)

// SignOffLine is one role of a report's sign-off block: who held it and
// when. Name is "" and At nil while the role is not yet filled, so the block
// prints blank lines to sign on.
type SignOffLine struct {
	Role string
	Name string
	At   *time.Time
}

// AssessmentSignOff returns the sign-off of an assessment report, in p's
// language: prepared by the provider's submitter (the latest submission),
// reviewed by the supervisors who recorded verdicts (with the latest
// verdict's date), and approved or rejected by who decided.
func AssessmentSignOff(p texts.Printer, d AssessmentData) []SignOffLine {
	prepared := SignOffLine{Role: p.T("Prepared by")}
	if d.Submission != nil {
		at := d.Submission.SubmittedAt
		prepared.Name, prepared.At = d.Submission.SubmittedBy, &at
		if c, ok := lastChange(d.History, domain.StatusSubmitted); ok {
			prepared.Name = personName(c.By, c.ByEmail)
		}
		if a := d.Submission.Attestation; a.Name != "" && a.Name != prepared.Name {
			prepared.Name = p.T("%s (attested by %s, %s)", prepared.Name, a.Name, a.Position)
		}
	}

	reviewed := SignOffLine{Role: p.T("Reviewed by")}
	var reviewers []string
	for _, r := range d.Responses {
		if r.VerdictAt == nil {
			continue
		}
		if name := cmp.Or(r.VerdictByName, r.VerdictBy); name != "" && !slices.Contains(reviewers, name) {
			reviewers = append(reviewers, name)
		}
		if reviewed.At == nil || r.VerdictAt.After(*reviewed.At) {
			at := *r.VerdictAt
			reviewed.At = &at
		}
	}
	reviewed.Name = JoinWords(p, reviewers)

	decided := SignOffLine{Role: p.T("Approved by")}
	if d.Assessment.Status == domain.StatusRejected {
		decided.Role = p.T("Rejected by")
	}
	if d.Assessment.Status.Final() {
		decided.Name, decided.At = d.DecidedBy, d.DecidedAt
		if c, ok := lastChange(d.History, d.Assessment.Status); ok {
			decided.Name = personName(c.By, c.ByEmail)
			if decided.At == nil {
				at := c.At
				decided.At = &at
			}
		}
	}
	return []SignOffLine{prepared, reviewed, decided}
}

// lastChange returns the latest change into state to.
func lastChange(history []StateChange, to domain.AssessmentStatus) (StateChange, bool) {
	for _, c := range slices.Backward(history) {
		if c.To == to {
			return c, true
		}
	}
	return StateChange{}, false
}

// personName is a person's name, or their email when the name is unknown.
func personName(name, email string) string { return cmp.Or(name, email) }
