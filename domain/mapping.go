package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// Relationship is how a control of one framework relates to a control of
// another, in the terms of NIST's OLIR method: read "the source control is
// <relationship> the target control".
type Relationship string

// The relationships a mapping may state.
const (
	RelEqual      Relationship = "equal"           // the two ask the same
	RelSubsetOf   Relationship = "subset_of"       // the source asks part of what the target asks
	RelSupersetOf Relationship = "superset_of"     // the source asks all the target asks, and more
	RelIntersects Relationship = "intersects_with" // each asks something the other does not
	RelNotRelated Relationship = "not_related"     // checked, and found unrelated
)

// Relationships lists them in display order.
var Relationships = []Relationship{RelEqual, RelSubsetOf, RelSupersetOf, RelIntersects, RelNotRelated}

// Valid reports whether r is one of Relationships.
func (r Relationship) Valid() bool { return slices.Contains(Relationships, r) }

// Covers reports whether meeting the source control meets the target
// control whole: the only relationships from which an answer to the target
// may be derived from an answer to the source.
func (r Relationship) Covers() bool { return r == RelEqual || r == RelSupersetOf }

// Mapping strengths run from 0 (no confidence) to 10 (certain).
const (
	StrengthMin = 0
	StrengthMax = 10
)

// MappedFramework names the framework version on one side of a mapping.
type MappedFramework struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Mapping relates the controls of one framework version to those of
// another. A published mapping version never changes.
type Mapping struct {
	ID      string          `json:"id"`
	Version string          `json:"version"`
	Title   string          `json:"title"`
	Notes   string          `json:"notes,omitempty"`
	Source  MappedFramework `json:"source"`
	Target  MappedFramework `json:"target"`
	Links   []ControlLink   `json:"links"`
}

// ControlLink is one stated relationship between two controls.
type ControlLink struct {
	Source       string       `json:"source"`
	Target       string       `json:"target"`
	Relationship Relationship `json:"relationship"`
	Strength     int          `json:"strength"`
	Rationale    string       `json:"rationale"`
}

// Digest returns the SHA-256 (hex) of the mapping's canonical JSON.
func (m *Mapping) Digest() string {
	b, err := json.Marshal(m)
	if err != nil {
		panic("domain: encode mapping: " + err.Error()) // strings and ints only
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CheckAgainst returns the problems of m's links against the two framework
// versions it relates: every control named must be one of its side's.
func (m *Mapping) CheckAgainst(source, target *Framework) []Problem {
	ids := func(f *Framework) map[string]bool {
		out := map[string]bool{}
		for _, c := range f.Controls {
			out[c.ID] = true
		}
		return out
	}
	from, to := ids(source), ids(target)
	var problems []Problem
	for i, l := range m.Links {
		if !from[l.Source] {
			problems = append(problems, Problem{Location: fmt.Sprintf("links[%d].source", i),
				Message: fmt.Sprintf("%s %s has no control %s", source.ID, source.Version, l.Source)})
		}
		if !to[l.Target] {
			problems = append(problems, Problem{Location: fmt.Sprintf("links[%d].target", i),
				Message: fmt.Sprintf("%s %s has no control %s", target.ID, target.Version, l.Target)})
		}
	}
	return problems
}

// Inverse is the relationship read the other way: a subset of b is b a
// superset of a.
func (r Relationship) Inverse() Relationship {
	switch r {
	case RelSubsetOf:
		return RelSupersetOf
	case RelSupersetOf:
		return RelSubsetOf
	}
	return r
}

// Reversed returns the link read from its target to its source.
func (l ControlLink) Reversed() ControlLink {
	return ControlLink{Source: l.Target, Target: l.Source, Relationship: l.Relationship.Inverse(), Strength: l.Strength,
		Rationale: l.Rationale}
}

// Carried is an answer a mapping carries from one assessment to another.
type Carried struct {
	Target string      // the control answered
	From   Response    // the answer it is derived from
	Link   ControlLink // read from the answer's control to Target
}

// CarryOver decides which answers of an approved assessment a mapping
// carries to another assessment: a control still unanswered there gets an
// answer when a link says meeting a control of the approved one meets it
// (equal or superset) and that control was accepted as implemented. Of
// several, the strongest link wins (then the first). links are read from
// the approved assessment's framework to the other; targets lists the
// other's unanswered controls. The result is in the order of targets.
func CarryOver(links []ControlLink, approved []Response, targets []string) []Carried {
	proven := map[string]Response{}
	for _, r := range approved {
		if r.Status == Implemented && r.Verdict == Accepted {
			proven[r.ControlID] = r
		}
	}
	best := map[string]Carried{}
	for _, l := range links {
		from, ok := proven[l.Source]
		if !ok || !l.Relationship.Covers() {
			continue
		}
		if b, seen := best[l.Target]; !seen || l.Strength > b.Link.Strength {
			best[l.Target] = Carried{Target: l.Target, From: from, Link: l}
		}
	}
	var out []Carried
	for _, t := range targets {
		if c, ok := best[t]; ok {
			out = append(out, c)
		}
	}
	return out
}
