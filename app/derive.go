package app

import (
	"context"
	"fmt"

	"assure/domain"
	"assure/store"
)

// MappingApplied is what applying a mapping did.
type MappingApplied struct {
	Mapping store.MappingVersion
	Derived []domain.Response // the answers it filled, each marked as derived
}

// ApplyMapping pre-fills a draft assessment from an approved assessment of
// the same provider in another framework: every control of the draft still
// unanswered that a link of the mapping says an accepted, implemented
// control of the approved one meets gets that answer, marked as derived
// until the provider confirms or changes it (the filing cannot be submitted
// before). The mapping may run either way between the two framework
// versions. Nothing the provider answered is touched; the save checks, as
// any save does, that the draft can still be changed.
func (a *App) ApplyMapping(ctx context.Context, actor domain.Actor, draftID, approvedID string, ref store.MappingRef) (MappingApplied, error) {
	var out MappingApplied
	draft, err := a.assessment(ctx, actor, draftID, "assessment", "respond")
	if err != nil {
		return out, err
	}
	approved, err := a.assessment(ctx, actor, approvedID, "assessment", "read")
	if err != nil {
		return out, err
	}
	if approved.ProviderID != draft.ProviderID {
		return out, domain.Invalid("the approved assessment is another provider's", []domain.Problem{{Location: "body.from_assessment",
			Message: "choose an approved assessment of the same provider"}})
	}
	if approved.Status != domain.StatusApproved {
		return out, domain.Invalid("the assessment is not approved", []domain.Problem{{Location: "body.from_assessment",
			Message: fmt.Sprintf("assessment %s is %s; only an approved one is carried over", approvedID, approved.Status)}})
	}
	if out.Mapping, err = a.Mapping(ctx, actor, ref); err != nil {
		return out, err
	}
	from, err := a.db.Campaign(ctx, actor, approved.CampaignID)
	if err != nil {
		return out, err
	}
	to, err := a.db.Campaign(ctx, actor, draft.CampaignID)
	if err != nil {
		return out, err
	}
	m := out.Mapping
	fromFW := domain.MappedFramework{ID: from.FrameworkID, Version: from.FrameworkVersion}
	toFW := domain.MappedFramework{ID: to.FrameworkID, Version: to.FrameworkVersion}
	var reversed bool
	switch {
	case m.Source == fromFW && m.Target == toFW:
	case m.Source == toFW && m.Target == fromFW:
		reversed = true
	default:
		return out, domain.Invalid("the mapping does not relate these assessments", []domain.Problem{{Location: "body.mapping",
			Message: fmt.Sprintf("mapping %s relates %s %s and %s %s, not %s %s and %s %s", m.ID, m.Source.ID, m.Source.Version,
				m.Target.ID, m.Target.Version, fromFW.ID, fromFW.Version, toFW.ID, toFW.Version)}})
	}
	links, err := store.All(func(p store.Page) ([]store.MappingLink, string, error) {
		return a.db.MappingLinks(ctx, store.MappingRef{ID: m.ID, Version: m.Version}, store.LinkFilter{}, p)
	})
	if err != nil {
		return out, err
	}
	read := make([]domain.ControlLink, len(links))
	for i, l := range links {
		read[i] = l.ControlLink
		if reversed {
			read[i] = l.ControlLink.Reversed()
		}
	}
	all := func(id string) ([]domain.Response, error) {
		return store.All(func(p store.Page) ([]domain.Response, string, error) {
			return a.db.Responses(ctx, actor, id, store.ResponseFilter{}, p)
		})
	}
	approvedAnswers, err := all(approvedID)
	if err != nil {
		return out, err
	}
	draftAnswers, err := all(draftID)
	if err != nil {
		return out, err
	}
	versions := map[string]int{}
	var open []string
	for _, r := range draftAnswers {
		if r.Status == "" {
			open = append(open, r.ControlID)
			versions[r.ControlID] = r.Version
		}
	}
	carried := domain.CarryOver(read, approvedAnswers, open)
	if len(carried) == 0 {
		return out, nil
	}
	updates := make([]store.ResponseUpdate, len(carried))
	for i, c := range carried {
		narrative := fmt.Sprintf("Carried over from %s of %s %s, accepted as implemented in the approved assessment of %s (mapping %s %s: %s).",
			c.Link.Source, fromFW.ID, fromFW.Version, approved.CampaignName, m.ID, m.Version, c.Link.Rationale)
		if c.From.Narrative != "" {
			narrative += " " + c.From.Narrative
		}
		updates[i] = store.ResponseUpdate{ControlID: c.Target, Version: versions[c.Target],
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: narrative},
			Derived: &domain.Derivation{Mapping: m.ID, MappingVersion: m.Version, FromAssessment: approvedID,
				FromFramework: fromFW.ID + "@" + fromFW.Version, FromControl: c.Link.Source,
				Relationship: c.Link.Relationship, Strength: c.Link.Strength}}
	}
	out.Derived, err = a.db.SaveResponses(ctx, actor, draftID, updates, "derived")
	return out, err
}

// MappingChoice is one way to pre-fill a draft: an approved assessment of
// the same provider and a published mapping between its framework version
// and the draft's.
type MappingChoice struct {
	Mapping store.MappingVersion
	From    store.ApprovedAssessment
}

// MappingChoices lists the ways ApplyMapping can pre-fill a draft, for the
// filing page to offer; none when the actor may not answer it.
func (a *App) MappingChoices(ctx context.Context, actor domain.Actor, draftID string) ([]MappingChoice, error) {
	draft, err := a.assessment(ctx, actor, draftID, "assessment", "read")
	if err != nil || !a.may(actor, draft.ProviderID, "assessment", "respond") {
		return nil, err
	}
	to, err := a.db.Campaign(ctx, actor, draft.CampaignID)
	if err != nil {
		return nil, err
	}
	toFW := domain.MappedFramework{ID: to.FrameworkID, Version: to.FrameworkVersion}
	approved, err := a.db.ApprovedAssessments(ctx, actor, draft.ProviderID)
	if err != nil || len(approved) == 0 {
		return nil, err
	}
	mappings, err := store.All(func(p store.Page) ([]store.MappingVersion, string, error) { return a.db.Mappings(ctx, p) })
	if err != nil {
		return nil, err
	}
	var out []MappingChoice
	for _, from := range approved {
		for _, m := range mappings {
			if m.Source == from.Framework && m.Target == toFW || m.Source == toFW && m.Target == from.Framework {
				out = append(out, MappingChoice{Mapping: m, From: from})
			}
		}
	}
	return out, nil
}
