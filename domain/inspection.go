package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Supervisors record the inspections they make of a provider: on-site
// inspections, which count in the supervisory priority (see InspectionGap),
// and off-site reviews, which are kept on record only. A recorded
// inspection never changes. A mistake is put right by recording the
// inspection again as it should read, naming the record it replaces: the
// replaced record stays on file, marked as replaced, and no longer counts.

// InspectionKind says how an inspection was made.
type InspectionKind string

// Inspection kinds.
const (
	InspectionOnSite  InspectionKind = "on_site"
	InspectionOffSite InspectionKind = "off_site"
)

// InspectionKinds lists every kind.
var InspectionKinds = []InspectionKind{InspectionOnSite, InspectionOffSite}

// Valid reports whether k is a known kind.
func (k InspectionKind) Valid() bool { return slices.Contains(InspectionKinds, k) }

// Limits of an inspection's texts, in characters.
const (
	InspectorNameMax     = 200
	InspectionSummaryMax = 4000
)

// Inspection is one recorded inspection of a provider.
type Inspection struct {
	ID            string
	ProviderID    string
	HeldOn        Date
	Kind          InspectionKind
	LeadInspector string
	Summary       string
	Replaces      string // the id of the record this one puts right, or ""
	ReplacedBy    string // the id of the record that put this one right, or ""
	RecordedBy    string // the recorder's email
	RecordedAt    time.Time
}

// Counts reports whether the inspection counts in the priority: an on-site
// inspection no later record replaces.
func (i Inspection) Counts() bool { return i.Kind == InspectionOnSite && i.ReplacedBy == "" }

// NewInspection is an inspection to record.
type NewInspection struct {
	ProviderID    string
	HeldOn        Date
	Kind          InspectionKind
	LeadInspector string
	Summary       string
	Replaces      string // optional: the id of an earlier record of the same provider
}

// Trimmed returns n with the spaces around its texts removed.
func (n NewInspection) Trimmed() NewInspection {
	n.LeadInspector, n.Summary, n.Replaces = strings.TrimSpace(n.LeadInspector), strings.TrimSpace(n.Summary),
		strings.TrimSpace(n.Replaces)
	return n
}

// CheckNewInspection lists what is wrong with an inspection to record on
// day today: it was held by today, is on site or off site, names its lead
// inspector and has a summary.
func CheckNewInspection(n NewInspection, today Date) []Problem {
	var out []Problem
	switch {
	case n.HeldOn.IsZero():
		out = append(out, Problem{Location: "body.held_on", Message: "give the date of the inspection"})
	case n.HeldOn.After(today):
		out = append(out, Problem{Location: "body.held_on", Message: "the inspection date is in the future"})
	}
	if !n.Kind.Valid() {
		out = append(out, Problem{Location: "body.kind", Message: "must be on_site or off_site"})
	}
	if c := utf8.RuneCountInString(strings.TrimSpace(n.LeadInspector)); c == 0 || c > InspectorNameMax {
		out = append(out, Problem{Location: "body.lead_inspector", Message: "name the lead inspector (at most 200 characters)"})
	}
	if c := utf8.RuneCountInString(strings.TrimSpace(n.Summary)); c == 0 || c > InspectionSummaryMax {
		out = append(out, Problem{Location: "body.summary", Message: "summarise the inspection (at most 4000 characters)"})
	}
	return out
}
