package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CampaignStatus is where a supervisory cycle stands.
type CampaignStatus string

// Campaign states: draft (being prepared) → open (assessments exist) → closed.
const (
	CampaignDraft  CampaignStatus = "draft"
	CampaignOpen   CampaignStatus = "open"
	CampaignClosed CampaignStatus = "closed"
)

// Campaign is a supervisory cycle over one framework version and a set of providers.
type Campaign struct {
	ID               string
	Name             string
	FrameworkID      string
	FrameworkVersion string
	Level            string         // the framework's level of assessment asked, "" for every control
	ProviderIDs      []string       // explicit scope, or
	Kinds            []ProviderKind // scope by kind and
	Tiers            []int          // tier (empty = any)
	OpensAt          Date
	DueAt            Date
	Instructions     string
	Status           CampaignStatus
	Assessments      int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	OpenedAt         *time.Time
	ClosedAt         *time.Time
	Version          int
	// SeriesID names the campaign series that made the campaign, and
	// Occurrence which of its campaigns it is; "" for a campaign drafted
	// by hand.
	SeriesID   string
	Occurrence int
}

// Check returns the problems of a new campaign.
func (c Campaign) Check() []Problem {
	var problems []Problem
	add := func(loc, format string, args ...any) {
		problems = append(problems, Problem{loc, fmt.Sprintf(format, args...)})
	}
	if n := len(strings.TrimSpace(c.Name)); n == 0 || n > 200 {
		add("body.name", "must be 1 to 200 characters")
	}
	if c.FrameworkID == "" {
		add("body.framework", "is required")
	}
	problems = append(problems, scopeProblems(c.ProviderIDs, c.Kinds, c.Tiers)...)
	if c.OpensAt.IsZero() {
		add("body.opens_at", "is required (YYYY-MM-DD)")
	}
	if c.DueAt.IsZero() {
		add("body.due_at", "is required (YYYY-MM-DD)")
	} else if !c.OpensAt.IsZero() && !c.DueAt.After(c.OpensAt) {
		add("body.due_at", "must be after opens_at")
	}
	if len(c.Instructions) > 20000 {
		add("body.instructions", "must be at most 20000 characters")
	}
	return problems
}

// scopeProblems returns the problems of a scope of providers: chosen one by
// one, or by kind and tier, never both. A campaign and a campaign series
// choose theirs by the same rule.
func scopeProblems(providerIDs []string, kinds []ProviderKind, tiers []int) []Problem {
	var problems []Problem
	add := func(loc, format string, args ...any) {
		problems = append(problems, Problem{loc, fmt.Sprintf(format, args...)})
	}
	if len(providerIDs) > 0 && (len(kinds) > 0 || len(tiers) > 0) {
		add("body.scope", "give either provider_ids or a scope by kind and tier, not both")
	}
	if len(providerIDs) > 10000 {
		add("body.provider_ids", "at most 10000 providers")
	}
	for i, k := range kinds {
		if !k.Valid() {
			add(fmt.Sprintf("body.scope.kinds[%d]", i), "%q is not a provider kind", k)
		}
	}
	for i, t := range tiers {
		if t < 1 || t > 3 {
			add(fmt.Sprintf("body.scope.tiers[%d]", i), "must be 1, 2 or 3")
		}
	}
	return problems
}

// InScope reports whether provider p falls in the campaign's scope. Only
// active providers are ever in scope.
func (c Campaign) InScope(p Provider) bool {
	if p.Status != ProviderActive {
		return false
	}
	if len(c.ProviderIDs) > 0 {
		return slices.Contains(c.ProviderIDs, p.ID)
	}
	return (len(c.Kinds) == 0 || slices.Contains(c.Kinds, p.Kind)) && (len(c.Tiers) == 0 || slices.Contains(c.Tiers, p.Tier))
}

// FilingsOverdue reports whether an open campaign's due date has passed
// with unfiled of its assessments still owed.
func (c Campaign) FilingsOverdue(today Date, unfiled int) bool {
	return c.Status == CampaignOpen && unfiled > 0 && c.DueAt.Before(today)
}

// OpeningLate reports whether a draft campaign's opening day has passed
// without it being opened.
func (c Campaign) OpeningLate(today Date) bool {
	return c.Status == CampaignDraft && c.OpensAt.Before(today)
}

// CampaignActions lists what can happen to a campaign in state s.
func CampaignActions(s CampaignStatus) []string {
	switch s {
	case CampaignDraft:
		return []string{"open"}
	case CampaignOpen:
		return []string{"extend", "close"}
	}
	return nil
}
