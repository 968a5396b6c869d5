package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"assure/domain"
	"assure/store"
)

// assessmentPolicy maps each action on an assessment to the policy action it
// needs on the "assessment" object.
var assessmentPolicy = map[string]string{
	domain.ActionEdit:           "respond",
	domain.ActionSubmit:         "submit",
	domain.ActionStartReview:    "review",
	domain.ActionVerdict:        "review",
	domain.ActionRequestChanges: "review",
	domain.ActionApprove:        "decide",
	domain.ActionReject:         "decide",
}

// assessment loads an assessment the actor may see and checks act on it.
func (a *App) assessment(ctx context.Context, actor domain.Actor, id, obj, act string) (domain.Assessment, error) {
	if err := a.permit(ctx, actor, obj, act); err != nil {
		return domain.Assessment{}, err
	}
	as, err := a.db.Assessment(ctx, actor, id)
	if err != nil {
		return as, err
	}
	return as, a.permitOn(ctx, actor, as.ProviderID, obj, act, "assessment")
}

// Assessment returns one assessment the actor may read. Another provider's is
// ENotFound.
func (a *App) Assessment(ctx context.Context, actor domain.Actor, id string) (domain.Assessment, error) {
	return a.assessment(ctx, actor, id, "assessment", "read")
}

// Assessments lists the assessments the actor may read.
func (a *App) Assessments(ctx context.Context, actor domain.Actor, f store.AssessmentFilter, page store.Page) ([]domain.Assessment, string, error) {
	if err := a.permit(ctx, actor, "assessment", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Assessments(ctx, actor, f, page)
}

// AllowedActions lists, for each assessment, what this actor may do to it
// now: the actions its state allows, less those the actor's role or provider
// rules out, less approval by a supervisor who recorded its verdicts while
// the four-eyes rule is on. It reads the database at most twice, however
// many assessments it is given.
func (a *App) AllowedActions(ctx context.Context, actor domain.Actor, list ...domain.Assessment) ([][]string, error) {
	out := make([][]string, len(list))
	var approvable []string // assessments the actor could approve but for four-eyes
	for i, as := range list {
		for _, action := range as.Actions() {
			if a.may(actor, as.ProviderID, "assessment", assessmentPolicy[action]) {
				out[i] = append(out[i], action)
				if action == domain.ActionApprove {
					approvable = append(approvable, as.ID)
				}
			}
		}
	}
	if len(approvable) == 0 {
		return out, nil
	}
	settings, _, err := a.db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	reviewed, err := a.db.VerdictsRecordedBy(ctx, actor.UserID, approvable)
	if err != nil {
		return nil, err
	}
	for i, as := range list {
		if domain.FourEyesBars(settings, reviewed[as.ID]) {
			out[i] = slices.DeleteFunc(out[i], func(action string) bool { return action == domain.ActionApprove })
		}
	}
	return out, nil
}

// Transitions lists every change of an assessment's state, oldest first.
func (a *App) Transitions(ctx context.Context, actor domain.Actor, id string) ([]store.Transition, error) {
	if _, err := a.Assessment(ctx, actor, id); err != nil {
		return nil, err
	}
	return a.db.Transitions(ctx, actor, id)
}

// Submit files the assessment with an attestation; only a provider_admin of
// its provider may.
func (a *App) Submit(ctx context.Context, actor domain.Actor, id string, att domain.Attestation) (store.Submission, error) {
	if _, err := a.assessment(ctx, actor, id, "assessment", "submit"); err != nil {
		return store.Submission{}, err
	}
	return a.db.Submit(ctx, actor, id, att)
}

// StartReview takes a submitted assessment into review.
func (a *App) StartReview(ctx context.Context, actor domain.Actor, id string, ifVersion int) (domain.Assessment, error) {
	if _, err := a.assessment(ctx, actor, id, "assessment", "review"); err != nil {
		return domain.Assessment{}, err
	}
	return a.db.StartReview(ctx, actor, id, ifVersion)
}

// RequestChanges sends an assessment under review back to its provider.
func (a *App) RequestChanges(ctx context.Context, actor domain.Actor, id, reason string, ifVersion int) (domain.Assessment, error) {
	if _, err := a.assessment(ctx, actor, id, "assessment", "review"); err != nil {
		return domain.Assessment{}, err
	}
	return a.db.RequestChanges(ctx, actor, id, reason, ifVersion)
}

// Approve ends an assessment under review as approved.
func (a *App) Approve(ctx context.Context, actor domain.Actor, id, comment string, ifVersion int) (domain.Assessment, error) {
	if _, err := a.assessment(ctx, actor, id, "assessment", "decide"); err != nil {
		return domain.Assessment{}, err
	}
	return a.db.Approve(ctx, actor, id, comment, ifVersion)
}

// Reject ends an assessment under review as rejected.
func (a *App) Reject(ctx context.Context, actor domain.Actor, id, reason string, ifVersion int) (domain.Assessment, error) {
	if _, err := a.assessment(ctx, actor, id, "assessment", "decide"); err != nil {
		return domain.Assessment{}, err
	}
	return a.db.Reject(ctx, actor, id, reason, ifVersion)
}

// Submissions lists every sealed filing of an assessment, newest first.
func (a *App) Submissions(ctx context.Context, actor domain.Actor, id string) ([]store.Submission, error) {
	if _, err := a.Assessment(ctx, actor, id); err != nil {
		return nil, err
	}
	return a.db.Submissions(ctx, actor, id)
}

// Submission returns one sealed filing with its content.
func (a *App) Submission(ctx context.Context, actor domain.Actor, id string, version int) (store.Submission, error) {
	if _, err := a.Assessment(ctx, actor, id); err != nil {
		return store.Submission{}, err
	}
	return a.db.Submission(ctx, actor, id, version)
}

// SubmissionDiff lists what changed between two sealed filings of an
// assessment: submission against (0: the one before) and submission version.
func (a *App) SubmissionDiff(ctx context.Context, actor domain.Actor, id string, version, against int) ([]domain.ResponseChange, error) {
	// Who may see the assessment is settled before anything about the
	// request is, so another provider's assessment stays "not found".
	if _, err := a.Assessment(ctx, actor, id); err != nil {
		return nil, err
	}
	if against == 0 {
		against = version - 1
	}
	if against < 1 || against >= version {
		return nil, domain.Invalid("nothing to compare", []domain.Problem{{Location: "query.against",
			Message: "must be an earlier submission of the assessment"}})
	}
	later, err := a.Submission(ctx, actor, id, version)
	if err != nil {
		return nil, err
	}
	earlier, err := a.db.Submission(ctx, actor, id, against)
	if err != nil {
		return nil, err
	}
	var e, l domain.Snapshot
	if err := json.Unmarshal(earlier.Content, &e); err != nil {
		return nil, fmt.Errorf("app: submission %d: %w", against, err)
	}
	if err := json.Unmarshal(later.Content, &l); err != nil {
		return nil, fmt.Errorf("app: submission %d: %w", version, err)
	}
	return domain.DiffSnapshots(e, l), nil
}
