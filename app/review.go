package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"assure/domain"
	"assure/store"
)

// Review is everything a supervisor's review screen shows of one
// assessment: its answers with the control each answers, what changed since
// the previous submission, who recorded the verdicts and whether the
// four-eyes rule keeps the actor from approving, the history of its states,
// and its findings.
type Review struct {
	Filing
	Round       domain.ReviewRound
	Candidates  []domain.Response // unchanged since the previous submission, accepted there
	Reviewers   []Reviewer        // who recorded the verdicts that stand, most verdicts first
	MyVerdicts  bool              // the actor recorded some of them
	FourEyes    bool              // the four-eyes rule is on
	Transitions []store.Transition
	Findings    []domain.Finding
	// Contradictions are attested controls the lab's latest test of one of
	// the provider's apps contradicts, by control.
	Contradictions map[string][]domain.LabContradiction
}

// Reviewer is someone who recorded verdicts on an assessment.
type Reviewer struct {
	ID, Name string
	Verdicts int
	Me       bool
}

// FourEyesBarsMe reports whether the four-eyes rule keeps the actor from
// approving the assessment.
func (r Review) FourEyesBarsMe() bool {
	return domain.FourEyesBars(domain.Settings{FourEyes: r.FourEyes}, r.MyVerdicts)
}

// Review gathers an assessment for its review screen. Only those who may
// review assessments may see it (EForbidden otherwise, before anything is
// read); an assessment that does not exist is ENotFound.
func (a *App) Review(ctx context.Context, actor domain.Actor, id string) (Review, error) {
	as, err := a.assessment(ctx, actor, id, "assessment", "review")
	if err != nil {
		return Review{}, err
	}
	f, err := a.filingOf(ctx, actor, as)
	if err != nil {
		return Review{}, err
	}
	r := Review{Filing: f}
	if r.Round, err = a.reviewRound(ctx, actor, as); err != nil {
		return r, err
	}
	r.Candidates = r.Round.UnchangedAccepted(r.Responses)
	byID := map[string]*Reviewer{}
	for _, resp := range r.Responses {
		if resp.Verdict == "" || resp.VerdictBy == "" {
			continue
		}
		rv := byID[resp.VerdictBy]
		if rv == nil {
			rv = &Reviewer{ID: resp.VerdictBy, Name: resp.VerdictByName, Me: resp.VerdictBy == actor.UserID}
			byID[resp.VerdictBy] = rv
		}
		rv.Verdicts++
		r.MyVerdicts = r.MyVerdicts || rv.Me
	}
	for _, rv := range byID {
		r.Reviewers = append(r.Reviewers, *rv)
	}
	slices.SortFunc(r.Reviewers, func(x, y Reviewer) int {
		if x.Verdicts != y.Verdicts {
			return y.Verdicts - x.Verdicts
		}
		return strings.Compare(x.Name, y.Name)
	})
	settings, _, err := a.db.Settings(ctx)
	if err != nil {
		return r, err
	}
	r.FourEyes = settings.FourEyes
	if r.Transitions, err = a.db.Transitions(ctx, actor, id); err != nil {
		return r, err
	}
	list, err := a.labContradictions(ctx, actor, as)
	if err != nil {
		return r, err
	}
	r.Contradictions = byControl(list)
	if a.may(actor, as.ProviderID, "finding", "read") {
		if r.Findings, err = store.All(func(p store.Page) ([]domain.Finding, string, error) {
			return a.db.Findings(ctx, actor, store.FindingFilter{AssessmentID: id}, p)
		}); err != nil {
			return r, err
		}
	}
	return r, nil
}

// reviewRound reads the latest submission of an assessment and what changed
// in it since the one before.
func (a *App) reviewRound(ctx context.Context, actor domain.Actor, as domain.Assessment) (domain.ReviewRound, error) {
	round := domain.ReviewRound{Submission: as.Submissions}
	if as.Submissions == 0 {
		return round, nil
	}
	latest, err := a.db.Submission(ctx, actor, as.ID, as.Submissions)
	if err != nil {
		return round, err
	}
	round.SubmittedAt = latest.SubmittedAt
	if as.Submissions > 1 {
		if round.Changes, err = a.SubmissionDiff(ctx, actor, as.ID, as.Submissions, 0); err != nil {
			return round, err
		}
	}
	return round, nil
}

// ReviewCandidates lists the responses of an assessment that a reviewer may
// accept all at once: answered controls whose sealed answer and evidence did
// not change since the previous submission and whose verdict from that
// earlier round was accepted (domain.ReviewRound.UnchangedAccepted), each
// with the version to send back with the verdict. Only reviewers may ask.
func (a *App) ReviewCandidates(ctx context.Context, actor domain.Actor, id string) ([]domain.Response, domain.ReviewRound, error) {
	as, err := a.assessment(ctx, actor, id, "assessment", "review")
	if err != nil {
		return nil, domain.ReviewRound{}, err
	}
	responses, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return a.db.Responses(ctx, actor, id, store.ResponseFilter{Verdict: domain.Accepted}, p)
	})
	if err != nil {
		return nil, domain.ReviewRound{}, err
	}
	round, err := a.reviewRound(ctx, actor, as)
	if err != nil {
		return nil, round, err
	}
	return round.UnchangedAccepted(responses), round, nil
}

// AcceptUnchanged accepts, in one all-or-nothing set of verdicts, the
// chosen controls (control id → the version the reviewer saw), each of
// which must still be a review candidate (EInvalid naming those that are
// not); a version that has moved on is EPrecondition.
func (a *App) AcceptUnchanged(ctx context.Context, actor domain.Actor, id string, chosen map[string]int) ([]domain.Response, error) {
	candidates, _, err := a.ReviewCandidates(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if len(chosen) == 0 {
		return nil, domain.Invalid("nothing to accept", []domain.Problem{{Location: "body.controls",
			Message: "choose at least one unchanged control"}})
	}
	isCandidate := map[string]bool{}
	for _, c := range candidates {
		isCandidate[c.ControlID] = true
	}
	ids := make([]string, 0, len(chosen))
	for c := range chosen {
		ids = append(ids, c)
	}
	slices.Sort(ids)
	var problems []domain.Problem
	verdicts := make([]store.VerdictInput, 0, len(ids))
	for _, c := range ids {
		if !isCandidate[c] {
			problems = append(problems, domain.Problem{Location: "body.controls." + c,
				Message: fmt.Sprintf("%s is not an unchanged control accepted in the previous round", c)})
			continue
		}
		verdicts = append(verdicts, store.VerdictInput{ControlID: c, Verdict: domain.Accepted, Version: chosen[c]})
	}
	if len(problems) > 0 {
		return nil, domain.Invalid("some controls cannot be accepted together", problems)
	}
	return a.SetVerdicts(ctx, actor, id, verdicts, "body.controls")
}
