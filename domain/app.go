package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// A provider's customer-facing apps are registered with the supervisor,
// one record per app and one per release (a version with the hash of its
// build). A testing lab tests a release against an app baseline, item by
// item; the supervisor decides, on a lab result of that very release,
// whether it may go live. A new build is a new release and needs a new test.

// AppPlatform is what an app runs on.
type AppPlatform string

// Platforms.
const (
	PlatformAndroid AppPlatform = "android"
	PlatformIOS     AppPlatform = "ios"
	PlatformUSSD    AppPlatform = "ussd"
	PlatformSTK     AppPlatform = "stk"
)

// AppPlatforms lists every platform.
var AppPlatforms = []AppPlatform{PlatformAndroid, PlatformIOS, PlatformUSSD, PlatformSTK}

// Valid reports whether p is a known platform.
func (p AppPlatform) Valid() bool { return slices.Contains(AppPlatforms, p) }

// ProviderApp is one app of a provider.
type ProviderApp struct {
	ID           string
	ProviderID   string
	ProviderName string
	Name         string
	Platform     AppPlatform
	PackageID    string // package name, bundle id, USSD code or STK applet id
	CreatedAt    time.Time
	Latest       *AppRelease // the newest release, if any
}

// AppRelease is one build of an app, with the lab's latest result on it
// and the verdict that stands.
type AppRelease struct {
	ID        string
	AppID     string
	Version   string
	BuildHash string // SHA-256 of the build, lower-case hex
	CreatedAt time.Time
	Result    *LabSummary // the latest lab result, if any
	Verdict   *ReleaseVerdict
}

// LabOutcome is what the lab found of one baseline item.
type LabOutcome string

// Outcomes.
const (
	LabPass          LabOutcome = "pass"
	LabFail          LabOutcome = "fail"
	LabNotApplicable LabOutcome = "not_applicable"
)

// LabOutcomes lists every outcome.
var LabOutcomes = []LabOutcome{LabPass, LabFail, LabNotApplicable}

// Valid reports whether o is a known outcome.
func (o LabOutcome) Valid() bool { return slices.Contains(LabOutcomes, o) }

// LabSummary is a lab result without its items.
type LabSummary struct {
	ID               string
	ReleaseID        string
	ProviderID       string // whose app was tested: the report is that provider's content
	FrameworkID      string
	FrameworkVersion string
	Lab              string
	TestedOn         Date
	Report           LabReport
	RecordedBy       string
	RecordedAt       time.Time
	Passed, Failed   int
	NotApplicable    int
}

// LabReport is the lab's report, kept as the provider's evidence content.
type LabReport struct {
	Filename  string
	MediaType string
	Size      int64
	SHA256    string
}

// LabResult is a lab result with its items, in catalog order.
type LabResult struct {
	LabSummary
	Items []LabItem
}

// LabItem is the lab's finding on one item of the baseline.
type LabItem struct {
	ControlID string
	Outcome   LabOutcome
	MASVSRef  string // the MASVS control the test followed, e.g. MASVS-STORAGE-1
	Note      string
}

// ReleaseVerdictKind is the supervisor's decision on a release.
type ReleaseVerdictKind string

// Release verdicts.
const (
	ReleaseApproved   ReleaseVerdictKind = "approved"
	ReleaseConditions ReleaseVerdictKind = "conditions"
	ReleaseRefused    ReleaseVerdictKind = "refused"
)

// ReleaseVerdicts lists every verdict.
var ReleaseVerdicts = []ReleaseVerdictKind{ReleaseApproved, ReleaseConditions, ReleaseRefused}

// Valid reports whether v is a known verdict.
func (v ReleaseVerdictKind) Valid() bool { return slices.Contains(ReleaseVerdicts, v) }

// ReleaseVerdict is a supervisor's decision on a release, made on one of its
// lab results. The latest stands.
type ReleaseVerdict struct {
	ID          string
	ReleaseID   string
	LabResultID string
	Verdict     ReleaseVerdictKind
	Conditions  string
	DecidedBy   string
	DecidedAt   time.Time
}

var (
	buildHashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
	masvsRefPattern  = regexp.MustCompile(`^MASVS-[A-Z]+-[0-9]+$`)
)

// CheckNewApp lists what is wrong with an app to register.
func CheckNewApp(name string, platform AppPlatform, packageID string) []Problem {
	var out []Problem
	if n := len([]rune(strings.TrimSpace(name))); n == 0 || n > 200 {
		out = append(out, Problem{Location: "body.name", Message: "give the app's name (at most 200 characters)"})
	}
	if !platform.Valid() {
		out = append(out, Problem{Location: "body.platform", Message: "must be android, ios, ussd or stk"})
	}
	if n := len(strings.TrimSpace(packageID)); n == 0 || n > 255 || strings.ContainsAny(packageID, " \t\r\n") {
		out = append(out, Problem{Location: "body.package_id",
			Message: "give the package or bundle id, USSD code or STK applet id, without spaces (at most 255 characters)"})
	}
	return out
}

// CheckNewRelease lists what is wrong with a release to register.
func CheckNewRelease(version, buildHash string) []Problem {
	var out []Problem
	if n := len(strings.TrimSpace(version)); n == 0 || n > 64 {
		out = append(out, Problem{Location: "body.version", Message: "give the release's version (at most 64 characters)"})
	}
	if !buildHashPattern.MatchString(buildHash) {
		out = append(out, Problem{Location: "body.build_hash", Message: "the build hash is the SHA-256 of the build: 64 lower-case hexadecimal digits"})
	}
	return out
}

// CheckLabResult lists what is wrong with a lab result on f: every item of
// the baseline has exactly one outcome, a MASVS reference is a MASVS control
// id, the lab is named and the test did not happen after today.
func CheckLabResult(f *Framework, lab string, testedOn, today Date, items []LabItem) []Problem {
	var out []Problem
	if n := len([]rune(strings.TrimSpace(lab))); n == 0 || n > 200 {
		out = append(out, Problem{Location: "body.lab", Message: "name the lab that ran the test (at most 200 characters)"})
	}
	switch {
	case testedOn.IsZero():
		out = append(out, Problem{Location: "body.tested_on", Message: "give the date of the test"})
	case testedOn.After(today):
		out = append(out, Problem{Location: "body.tested_on", Message: "the test date is in the future"})
	}
	known := map[string]bool{}
	for _, c := range f.Controls {
		known[c.ID] = true
	}
	seen := map[string]bool{}
	for i, it := range items {
		loc := fmt.Sprintf("body.items[%d]", i)
		switch {
		case !known[it.ControlID]:
			out = append(out, Problem{Location: loc + ".control_id", Message: "is not an item of the baseline"})
		case seen[it.ControlID]:
			out = append(out, Problem{Location: loc + ".control_id", Message: "has more than one outcome"})
		}
		seen[it.ControlID] = true
		if !it.Outcome.Valid() {
			out = append(out, Problem{Location: loc + ".outcome", Message: "must be pass, fail or not applicable"})
		}
		if it.MASVSRef != "" && !masvsRefPattern.MatchString(it.MASVSRef) {
			out = append(out, Problem{Location: loc + ".masvs_ref", Message: "must be a MASVS control id such as MASVS-STORAGE-1"})
		}
		if len(it.Note) > 2000 {
			out = append(out, Problem{Location: loc + ".note", Message: "must be at most 2000 characters"})
		}
	}
	for _, c := range f.Controls {
		if !seen[c.ID] {
			out = append(out, Problem{Location: "body.items." + c.ID, Message: "has no outcome: the lab reports on every item of the baseline"})
		}
	}
	return out
}

// CheckReleaseVerdict lists what is wrong with a verdict made on result: a
// release with a failed item is not approved outright, and conditions are
// stated when there are some.
func CheckReleaseVerdict(v ReleaseVerdictKind, conditions string, result LabSummary) []Problem {
	var out []Problem
	conditions = strings.TrimSpace(conditions)
	switch {
	case !v.Valid():
		out = append(out, Problem{Location: "body.verdict", Message: "must be approved, conditions or refused"})
	case v == ReleaseApproved && result.Failed > 0:
		out = append(out, Problem{Location: "body.verdict", Message: "the lab failed items of this release: approve with conditions, or refuse"})
	case v == ReleaseConditions && conditions == "":
		out = append(out, Problem{Location: "body.conditions", Message: "state the conditions of the release"})
	}
	if len(conditions) > 4000 {
		out = append(out, Problem{Location: "body.conditions", Message: "must be at most 4000 characters"})
	}
	return out
}

// LabContradiction is an X.1150 (or other) control a provider attests as
// implemented while the lab failed a baseline item mapped to it in the
// provider's current app.
type LabContradiction struct {
	ControlID    string // the attested control
	AppID        string
	AppName      string
	Platform     AppPlatform
	ReleaseID    string
	Version      string
	ResultID     string
	Lab          string
	TestedOn     Date
	ItemID       string // the failed baseline item
	ItemTitle    string
	MASVSRef     string
	Relationship Relationship
	Strength     int
}
