package reports

import (
	"time"

	"assure/domain"
)

// The report writers take these plain structs, filled by whoever asks for a
// report, so the writers depend on nothing but the domain.

// AssessmentData is everything an assessment report shows.
type AssessmentData struct {
	Lang        domain.Language // of the report's words; empty is English
	GeneratedAt time.Time
	GeneratedBy string // email or label of who asked

	Provider   domain.Provider
	Campaign   domain.Campaign
	Assessment domain.Assessment
	Framework  *domain.Framework

	// The latest submission, when there is one.
	Submission *SubmissionInfo
	// Who took the final decision, and when (approved or rejected assessments).
	DecidedBy string
	DecidedAt *time.Time

	// Risk and compliance, from Basis ("filed" or "current"); Source says
	// the state the numbers come from (draft, submitted, approved …).
	Basis  string
	Source string
	Risk   domain.RiskResult
	Tier   int

	Responses []domain.Response // one per applicable control, in catalog order
	Evidence  []domain.Evidence
	Findings  []domain.Finding

	// History is the assessment's changes of state, oldest first: who
	// submitted, started the review, asked for changes and decided.
	History []StateChange
	// Previous is the provider's standing in its latest earlier campaign,
	// nil when it took part in none.
	Previous *TrendPoint
	// Peers is the provider's standing among its peers in the campaign, as
	// the provider's own users may see it whoever asks for the report; nil
	// when the reader may not read benchmarks.
	Peers *PeerBenchmark
}

// PeerBenchmark is a provider's filed figures beside its peer group's
// quartiles. It never names a peer or carries a peer's figure: the lines are
// empty while the group counts fewer than domain.MinPeers providers with a
// filing, and a line's quartiles are nil while fewer peers have a figure.
type PeerBenchmark struct {
	Grouping   domain.PeerGrouping
	Kind       domain.ProviderKind
	Tier       int
	Peers      int // providers of the group with a filing, the provider included when it has one
	Enough     bool
	Threats    []PeerLine // residual scores, 1–25
	Dimensions []PeerLine // compliance, 0–1
}

// PeerLine is one threat or dimension of a peer benchmark.
type PeerLine struct {
	ID, Name  string
	Own       *float64
	Count     int // peers with a figure
	Quartiles *domain.Quartiles
}

// StateChange is one recorded change of an assessment's state.
type StateChange struct {
	From, To domain.AssessmentStatus
	By       string // the name of who made it ("" for the system)
	ByEmail  string
	At       time.Time
	Reason   string // a reason or comment given with it
}

// TrendPoint is a provider's compliance and residual risk in one campaign,
// from its latest filing there when it has one; without a filing Source is
// "" and it has no numbers.
type TrendPoint struct {
	CampaignID   string
	CampaignName string
	OpensAt      domain.Date
	DueAt        domain.Date
	Status       domain.AssessmentStatus
	Source       string   // the state the numbers come from
	Compliance   *float64 // overall, 0–1; nil when no control counts
	Threats      int      // applicable threats
	MaxScore     int
	MeanScore    float64
	Levels       map[domain.RiskLevel]int // applicable threats by residual level
}

// SubmissionInfo describes a sealed filing.
type SubmissionInfo struct {
	Version     int
	SubmittedAt time.Time
	SubmittedBy string
	Late        bool
	Attestation domain.Attestation
	Seal        string
	Verified    bool
}

// SectorData is everything a sector report shows for one campaign.
type SectorData struct {
	Lang        domain.Language
	GeneratedAt time.Time
	GeneratedBy string
	Campaign    domain.Campaign
	Framework   *domain.Framework
	Basis       string // "filed" or "current"

	// The sector's residual 5×5 matrix: [likelihood-1][impact-1] counts of
	// provider–threat pairs, and how many providers it covers.
	Matrix          [5][5]int
	MatrixProviders int
	MatrixMissing   int

	Providers  []SectorProvider // every provider in the campaign, by name
	Priorities []PriorityRow    // ranked, highest first
	Overdue    []domain.Finding // overdue findings of the campaign's providers
}

// SectorProvider is one provider's line in a sector report.
type SectorProvider struct {
	ProviderID   string
	Name         string
	LegalName    string
	Licence      string
	Kind         domain.ProviderKind
	Tier         int
	AssessmentID string
	Status       domain.AssessmentStatus
	Filing       FilingState
	SubmittedAt  *time.Time
	Source       string              // where its numbers come from; "" when it has none on the basis
	Overall      *float64            // compliance 0–1
	Dimensions   map[string]*float64 // compliance by dimension id
	Stages       map[string]domain.RiskLevel
	MaxScore     int
}

// FilingState says whether a provider filed on time.
type FilingState string

// Filing states.
const (
	FiledOnTime FilingState = "on time"
	FiledLate   FilingState = "late"
	NotFiled    FilingState = "missing"
)

// PriorityRow is one line of the supervisory ranking.
type PriorityRow struct {
	Rank            int
	Name            string
	Kind            domain.ProviderKind
	Tier            int
	Priority        float64
	RiskIndex       float64
	Filed           bool
	FilingOverdue   bool
	OverdueFindings int
	FindingsWeight  float64     // the overdue findings' term of the priority
	LastOnSite      domain.Date // zero when never inspected on site
	InspectionGap   float64     // the inspection term of the priority
	// What drives the priority, as numbers; the writers word them in the
	// report's language (PriorityThreats, PriorityDimensions).
	Threats    []ThreatScore    // highest score first; inherent scores when not filed
	Dimensions []DimensionScore // weakest first; none when not filed
}

// ThreatScore is a threat's score in a ranking's drivers.
type ThreatScore struct {
	ThreatID string
	Score    int
	Level    domain.RiskLevel
}

// DimensionScore is a dimension's compliance in a ranking's drivers.
type DimensionScore struct {
	DimensionID string
	Name        string
	Compliance  float64 // 0–1
}

// ResponseRow is one line of the sector's response register, streamed.
type ResponseRow struct {
	Provider        string
	Licence         string
	ControlID       string
	Section         string
	Status          domain.ResponseStatus
	Maturity        *int
	RemediationDate *domain.Date
	Verdict         domain.Verdict
	Evidence        int
	UpdatedAt       time.Time
}
