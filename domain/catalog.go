package domain

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// Framework is one published version of a control catalog: its security
// dimensions, value-chain stages, threats and the controls that mitigate them.
// A published version never changes; a revision is a new version.
type Framework struct {
	ID           string        `json:"id"`
	Version      string        `json:"version"`
	Title        string        `json:"title"`
	Source       string        `json:"source,omitempty"`
	Notes        string        `json:"notes,omitempty"`
	Licence      string        `json:"licence,omitempty"`
	Dimensions   []Dimension   `json:"dimensions,omitempty"`
	Stages       []Stage       `json:"stages,omitempty"`
	Implementers []Implementer `json:"implementers,omitempty"`
	AuditGroups  []AuditGroup  `json:"audit_groups,omitempty"`
	Threats      []Threat      `json:"threats,omitempty"`
	Controls     []Control     `json:"controls,omitempty"`
	Levels       []Level       `json:"levels,omitempty"`
}

// HasThreats reports whether the framework rates risk: a catalog without
// threats (a checklist such as an app baseline) is scored for compliance only.
func (f *Framework) HasThreats() bool { return len(f.Threats) > 0 }

// Level is a depth of assessment a framework offers, such as a testing
// profile; each control lists the levels it belongs to.
type Level struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Dimension is an ITU-T X.805 security dimension.
type Dimension struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Stage is a link of the DFS value chain where threats arise.
type Stage struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Implementer is a party that carries out controls.
type Implementer struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// AuditGroup is one of the groups under which an auditor examines controls.
type AuditGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Threat is a threat to DFS with its default risk on the 1–5 scales.
type Threat struct {
	ID                  string   `json:"id"`
	Number              int      `json:"number"`
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	Stages              []string `json:"stages,omitempty"`
	Dimensions          []string `json:"dimensions,omitempty"`
	Likelihood          int      `json:"likelihood"`
	LikelihoodRationale string   `json:"likelihood_rationale"`
	Impact              int      `json:"impact"`
	ImpactRationale     string   `json:"impact_rationale"`
}

// Control is a safeguard a supervisor expects, with the threats it mitigates.
// Channels, when not empty, limits the control to providers offering one of them.
type Control struct {
	ID            string   `json:"id"`
	Section       string   `json:"section"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	Dimensions    []string `json:"dimensions,omitempty"`
	Implementers  []string `json:"implementers,omitempty"`
	PrimaryThreat string   `json:"primary_threat,omitempty"`
	OtherThreats  []string `json:"other_threats,omitempty"`
	Channels      []string `json:"channels,omitempty"`
	AuditGroup    string   `json:"audit_group"`
	Question      string   `json:"question"`
	Evidence      string   `json:"evidence"`
	PolicyArea    string   `json:"policy_area,omitempty"`
	Levels        []string `json:"levels,omitempty"`
}

// Threats returns every threat the control mitigates, the primary one first:
// none in a framework without threats.
func (c Control) Threats() []string {
	if c.PrimaryThreat == "" {
		return nil
	}
	return append([]string{c.PrimaryThreat}, c.OtherThreats...)
}

// RiskScaleMin and RiskScaleMax bound likelihood and impact values.
const (
	RiskScaleMin = 1
	RiskScaleMax = 5
)

// Digest returns the SHA-256 (hex) of the framework's canonical JSON encoding.
// Two files with the same content but different layout or comments share a
// digest; any change of content changes it. Fields added to these types later
// must be omitempty so that the digests of published versions stay the same.
func (f *Framework) Digest() string {
	b, err := json.Marshal(f)
	if err != nil {
		// A Framework holds only strings, ints and slices of them.
		panic("domain: encode framework: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CompareVersions orders two version strings part by part, parts split at
// '.', '-' and '_', numbers by value and other parts as text: 1.9 < 1.10.
func CompareVersions(a, b string) int {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, errA := strconv.Atoi(pa[i])
		nb, errB := strconv.Atoi(pb[i])
		switch {
		case errA == nil && errB == nil && na != nb:
			return cmp.Compare(na, nb)
		case (errA != nil || errB != nil) && pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return cmp.Compare(len(pa), len(pb))
}
