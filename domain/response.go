package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ResponseStatus is a provider's answer for one control.
type ResponseStatus string

// Response statuses.
const (
	Implemented    ResponseStatus = "implemented"
	Partial        ResponseStatus = "partial"
	NotImplemented ResponseStatus = "not_implemented"
	NotApplicable  ResponseStatus = "not_applicable"
)

// ResponseStatuses lists every answer.
var ResponseStatuses = []ResponseStatus{Implemented, Partial, NotImplemented, NotApplicable}

// Valid reports whether s is a known answer.
func (s ResponseStatus) Valid() bool { return slices.Contains(ResponseStatuses, s) }

// Gap reports whether the answer admits a gap that needs a remediation date.
func (s ResponseStatus) Gap() bool { return s == Partial || s == NotImplemented }

// Verdict is a supervisor's judgement of one response.
type Verdict string

// Verdicts.
const (
	Accepted  Verdict = "accepted"
	NeedsInfo Verdict = "needs_info"
	Rejected  Verdict = "rejected"
)

// Valid reports whether v is a known verdict.
func (v Verdict) Valid() bool { return v == Accepted || v == NeedsInfo || v == Rejected }

// Response is the provider's answer for one control and the supervisor's
// verdict on it.
type Response struct {
	AssessmentID    string
	ControlID       string
	Status          ResponseStatus // "" while unanswered
	Maturity        *int
	Narrative       string
	RemediationDate *Date
	Justification   string
	EvidenceIDs     []string
	Verdict         Verdict // "" before review
	Grade           Grade   // the supervisor's assurance grade, given with an accepted verdict; "" when none
	VerdictComment  string
	VerdictBy       string
	VerdictByName   string // the name of who gave the verdict
	VerdictAt       *time.Time
	UpdatedAt       time.Time
	UpdatedBy       string
	Version         int
	Derived         *Derivation // set while the answer is one a mapping derived and the provider has not confirmed
}

// Derivation says where a derived answer came from: the answer to a control
// of an approved assessment in another framework, carried over by a mapping
// whose link says meeting that control meets this one.
type Derivation struct {
	Mapping        string       `json:"mapping"`
	MappingVersion string       `json:"mapping_version"`
	FromAssessment string       `json:"from_assessment"`
	FromFramework  string       `json:"from_framework"` // id@version
	FromControl    string       `json:"from_control"`
	Relationship   Relationship `json:"relationship"`
	Strength       int          `json:"strength"`
}

// ResponseInput is what a provider sends for one control.
type ResponseInput struct {
	Status          ResponseStatus
	Maturity        *int
	Narrative       string
	RemediationDate string // YYYY-MM-DD or ""
	Justification   string
	EvidenceIDs     []string
}

// Limits of response fields.
const (
	MaxNarrative     = 20000
	MaxJustification = 5000
	MaxEvidenceLinks = 50
)

// Check returns the problems of the input's fields, located under prefix
// (e.g. "body" or "body.responses[3]"), and the parsed remediation date.
// Completeness is checked at submission, not here: a draft may be partial.
func (in ResponseInput) Check(prefix string) (*Date, []Problem) {
	var problems []Problem
	add := func(field, format string, args ...any) {
		problems = append(problems, Problem{prefix + "." + field, fmt.Sprintf(format, args...)})
	}
	switch {
	case in.Status == "":
		add("status", "choose an answer")
	case !in.Status.Valid():
		add("status", "%q is not one of implemented, partial, not_implemented, not_applicable", in.Status)
	}
	if in.Maturity != nil && (*in.Maturity < 0 || *in.Maturity > 5) {
		add("maturity", "must be 0 to 5")
	}
	if len(in.Narrative) > MaxNarrative {
		add("narrative", "must be at most %d characters", MaxNarrative)
	}
	if len(in.Justification) > MaxJustification {
		add("justification", "must be at most %d characters", MaxJustification)
	}
	if len(in.EvidenceIDs) > MaxEvidenceLinks {
		add("evidence_ids", "at most %d evidence files per control", MaxEvidenceLinks)
	}
	var date *Date
	if in.RemediationDate != "" {
		d, err := ParseDate(in.RemediationDate)
		if err != nil {
			add("remediation_date", "%s", err)
		} else {
			date = &d
		}
	}
	return date, problems
}

// gapNeedsDate says, for each answer that leaves a gap, that it needs a date.
var gapNeedsDate = map[ResponseStatus]string{
	Partial:        "partial needs a planned remediation date",
	NotImplemented: "not_implemented needs a planned remediation date",
}

// CheckComplete returns the problems that keep a response from being filed:
// unanswered, not-applicable without a justification, implemented without a
// narrative or evidence, a gap without a remediation date in the future.
func (r Response) CheckComplete(today Date) []Problem {
	loc := "responses." + r.ControlID
	var problems []Problem
	switch {
	case r.Status == "":
		problems = append(problems, Problem{loc, "not answered"})
	case r.Derived != nil:
		problems = append(problems, Problem{loc, fmt.Sprintf("derived from %s of %s by a mapping: confirm or change the answer",
			r.Derived.FromControl, r.Derived.FromFramework)})
	case r.Status == NotApplicable && strings.TrimSpace(r.Justification) == "":
		problems = append(problems, Problem{loc + ".justification", "not_applicable needs a justification"})
	case r.Status == Implemented && strings.TrimSpace(r.Narrative) == "" && len(r.EvidenceIDs) == 0:
		problems = append(problems, Problem{loc, "implemented needs a narrative or evidence"})
	case r.Status.Gap() && r.RemediationDate == nil:
		problems = append(problems, Problem{loc + ".remediation_date", gapNeedsDate[r.Status]})
	case r.Status.Gap() && !r.RemediationDate.After(today):
		problems = append(problems, Problem{loc + ".remediation_date", "the planned remediation date must be in the future"})
	}
	return problems
}

// Attestation is the provider's signed statement at submission.
type Attestation struct {
	Name      string `json:"name"`
	Position  string `json:"position"`
	Statement string `json:"statement"`
}

// Check returns the attestation's problems.
func (a Attestation) Check() []Problem {
	var problems []Problem
	for _, f := range []struct{ field, value string }{{"name", a.Name}, {"position", a.Position}, {"statement", a.Statement}} {
		if n := len(strings.TrimSpace(f.value)); n == 0 || n > 2000 {
			problems = append(problems, Problem{"body.attestation." + f.field, "is required (at most 2000 characters)"})
		}
	}
	return problems
}

// Snapshot is exactly what a provider filed: the sealed content of one
// submission.
type Snapshot struct {
	AssessmentID string             `json:"assessment_id"`
	ProviderID   string             `json:"provider_id"`
	CampaignID   string             `json:"campaign_id"`
	Version      int                `json:"version"`
	SubmittedAt  string             `json:"submitted_at"` // RFC 3339, microseconds, UTC
	SubmittedBy  string             `json:"submitted_by"`
	Attestation  Attestation        `json:"attestation"`
	Responses    []SnapshotResponse `json:"responses"`
}

// SnapshotResponse is one sealed answer.
type SnapshotResponse struct {
	ControlID       string             `json:"control_id"`
	Status          ResponseStatus     `json:"status"`
	Maturity        *int               `json:"maturity"`
	Narrative       string             `json:"narrative"`
	RemediationDate string             `json:"remediation_date"`
	Justification   string             `json:"justification"`
	Evidence        []SnapshotEvidence `json:"evidence"`
}

// SnapshotEvidence identifies a sealed evidence file by its content hash.
type SnapshotEvidence struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
}

// Seal returns the SHA-256 (hex) of the snapshot's canonical JSON encoding.
func (s Snapshot) Seal() (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	return SealOf(b)
}

// SealOf returns the SHA-256 (hex) of a stored snapshot document in canonical form.
func SealOf(doc []byte) (string, error) {
	canon, err := CanonicalJSON(doc)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), nil
}

// MaturityLevel is one step of the 0–5 maturity scale a provider may give
// with an answer.
type MaturityLevel struct {
	Level int
	Name  string // what the level means, in English
}

// MaturityLevels is the scale, from nothing in place to continuously improved.
var MaturityLevels = []MaturityLevel{
	{0, "None: nothing in place"},
	{1, "Initial: ad hoc, depends on individuals"},
	{2, "Repeatable: practised but not documented"},
	{3, "Defined: documented and applied"},
	{4, "Managed: measured and reviewed"},
	{5, "Optimised: continuously improved"},
}
