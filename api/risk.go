package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Risk register responses.

// InherentRisk is where a threat starts for a provider.
type InherentRisk struct {
	Likelihood        int             `json:"likelihood"`
	Impact            int             `json:"impact"`
	DefaultLikelihood int             `json:"default_likelihood" doc:"The framework's default."`
	DefaultImpact     int             `json:"default_impact" doc:"The framework's default."`
	Drivers           []ProfileDriver `json:"drivers" doc:"The rules of the calibration's profile table that bear on the threat, with the band the provider's figure falls in."`
	Override          *Override       `json:"override,omitempty" doc:"A supervisor's override, which replaces the values above."`
}

// ProfileDriver is one rule of the profile table as it applied to a threat.
type ProfileDriver struct {
	Measure  string   `json:"measure" doc:"The profile figure, e.g. customers."`
	Affects  string   `json:"affects" enum:"likelihood,impact"`
	Stated   bool     `json:"stated" doc:"False when the provider has not given the figure: the rule then moves nothing."`
	Value    *float64 `json:"value,omitempty"`
	BandFrom *float64 `json:"band_from,omitempty" doc:"The lower bound of the band the figure falls in."`
	BandTo   *float64 `json:"band_to,omitempty" doc:"The lower bound of the next band; absent for the top band."`
	Delta    int      `json:"delta" doc:"How much the band moves the value."`
}

// Override is a supervisor's judgement of a threat's inherent values.
type Override struct {
	Likelihood *int   `json:"likelihood,omitempty"`
	Impact     *int   `json:"impact,omitempty"`
	Reason     string `json:"reason"`
}

// ControlEffect is one control's part in a threat's coverage.
type ControlEffect struct {
	ControlID     string  `json:"control_id"`
	Status        string  `json:"status,omitempty" doc:"The provider's answer; absent when unanswered."`
	Verdict       string  `json:"verdict,omitempty"`
	Grade         string  `json:"grade,omitempty" enum:"self_attested,documented,tested,verified" doc:"The assurance grade the credit is computed with: the supervisor's, else documented when evidence is attached, else self-attested. Absent for an answer that claims no control (not implemented, not applicable, unanswered)."`
	Primary       bool    `json:"primary" doc:"The threat is the control's primary one."`
	Key           bool    `json:"key" doc:"A key control of the threat: without it coverage is capped."`
	Weight        int     `json:"weight"`
	Effectiveness float64 `json:"effectiveness" doc:"The credit the answer earns, 0–1: status factor × grade credit × review factor (see the method page)."`
	Counted       bool    `json:"counted" doc:"False only for a not-applicable answer a supervisor accepted, which is left out."`
}

// ReductionApplied is one rule of resilience controls limiting a threat's impact.
type ReductionApplied struct {
	Controls []string `json:"controls" doc:"The rule's resilience controls that apply to the provider."`
	Credit   float64  `json:"credit" doc:"Their mean credit, 0–1."`
	Max      int      `json:"max"`
	Levels   int      `json:"levels" doc:"Impact levels removed: max × credit, rounded half up."`
}

// Maturity compares the maturity stated with a threat's controls with what its inherent risk requires.
type Maturity struct {
	Stated    *int `json:"stated" doc:"The weighted mean of the maturity stated with the counted controls, rounded down; null when none was stated."`
	Required  int  `json:"required" doc:"The maturity the threat's inherent level requires."`
	Shortfall int  `json:"shortfall"`
}

// ResidualRisk is what remains after the provider's controls.
type ResidualRisk struct {
	Likelihood int    `json:"likelihood"`
	Impact     int    `json:"impact"`
	Score      int    `json:"score"`
	Level      string `json:"level" enum:"low,medium,high,critical"`
}

// ThreatRiskEntry is one line of a risk register.
type ThreatRiskEntry struct {
	ThreatID   string             `json:"threat_id"`
	Name       string             `json:"name"`
	Applicable bool               `json:"applicable" doc:"False when the threat targets no stage the provider operates."`
	Inherent   InherentRisk       `json:"inherent"`
	Coverage   float64            `json:"coverage" doc:"Weighted mean credit of the counted mitigating controls, after the key-control cap."`
	Confidence *float64           `json:"confidence" doc:"Share of the weight whose answers a supervisor accepted at a grade above self-attested; null when nothing counts."`
	KeyMissing []string           `json:"key_controls_missing" doc:"Key controls of the threat that earn nothing."`
	Cap        *int               `json:"cap,omitempty" doc:"Percent: present when a missing key control holds coverage down to it."`
	Controls   []ControlEffect    `json:"controls"`
	Reductions []ReductionApplied `json:"impact_reductions"`
	Maturity   Maturity           `json:"maturity"`
	Residual   ResidualRisk       `json:"residual"`
}

// MatrixCell is one cell of a 5×5 likelihood × impact matrix.
type MatrixCell struct {
	Likelihood int      `json:"likelihood"`
	Impact     int      `json:"impact"`
	Count      int      `json:"count"`
	Level      string   `json:"level"`
	Threats    []string `json:"threats,omitempty" doc:"The threats in the cell (one provider's matrix only)."`
}

// FacetScore is the compliance of one dimension, stage or audit group.
type FacetScore struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Compliance *float64 `json:"compliance" doc:"0–1; null when no applicable control counts."`
	Confidence *float64 `json:"confidence" doc:"0–1: the share of the controls counted whose answers are accepted and evidence-backed."`
	Controls   int      `json:"controls" doc:"Controls counted."`
}

// Compliance breaks down a provider's compliance.
type Compliance struct {
	Overall     *float64     `json:"overall"`
	Confidence  *float64     `json:"confidence"`
	Controls    int          `json:"controls"`
	Dimensions  []FacetScore `json:"dimensions"`
	Stages      []FacetScore `json:"stages"`
	AuditGroups []FacetScore `json:"audit_groups"`
}

// ProviderRisk is a provider's risk register for a campaign.
type ProviderRisk struct {
	ProviderID        string             `json:"provider_id"`
	ProviderName      string             `json:"provider_name"`
	AssessmentID      string             `json:"assessment_id"`
	CampaignID        string             `json:"campaign_id"`
	CampaignName      string             `json:"campaign_name"`
	Basis             string             `json:"basis" enum:"current,filed" doc:"filed: the latest submission; current: the assessment as it stands."`
	Source            string             `json:"source" doc:"The state the numbers come from: draft, submitted, approved …"`
	Submission        int                `json:"submission"`
	Tier              int                `json:"tier"`
	Method            string             `json:"method" doc:"The version of the risk method the numbers are computed with."`
	Calibration       string             `json:"calibration" doc:"The calibration (id@version) the method read; empty for the default."`
	Profile           string             `json:"profile" enum:"stated,confirmed," doc:"Where the inherent-risk figures come from: the provider's statement, a supervisor's confirmation, or none yet."`
	Threats           []ThreatRiskEntry  `json:"threats"`
	Residual          []MatrixCell       `json:"residual_matrix" doc:"The provider's applicable threats per residual likelihood and impact."`
	Inherent          []MatrixCell       `json:"inherent_matrix"`
	Compliance        Compliance         `json:"compliance"`
	LabContradictions []LabContradiction `json:"lab_contradictions" doc:"Attested controls that the lab's latest test of one of the provider's apps contradicts: a failed baseline item mapped to them."`
}

// fraction rounds a 0–1 value to four places; nil when there is none.
func fraction(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	v = float64(int(v*10000+0.5)) / 10000
	return &v
}

func providerRiskOf(r store.RiskRegister) ProviderRisk {
	f := r.Framework
	out := ProviderRisk{ProviderID: r.Assessment.ProviderID, ProviderName: r.Assessment.ProviderName,
		AssessmentID: r.Assessment.ID, CampaignID: r.Assessment.CampaignID, CampaignName: r.Assessment.CampaignName,
		Basis: r.Basis, Source: r.Source, Submission: r.Submission, Tier: r.Tier, LabContradictions: []LabContradiction{},
		Method: r.Result.Method, Calibration: r.Result.Calibration, Profile: r.Profile}
	for _, c := range r.Contradictions {
		out.LabContradictions = append(out.LabContradictions, contradictionOf(c))
	}
	names := map[string]string{}
	for _, t := range f.Threats {
		names[t.ID] = t.Name
	}
	var residual, inherent [5][5][]string
	for _, t := range r.Result.Threats {
		e := ThreatRiskEntry{ThreatID: t.ThreatID, Name: names[t.ThreatID], Applicable: t.Applicable,
			Inherent: InherentRisk{Likelihood: t.L0, Impact: t.I0, DefaultLikelihood: t.DefaultL, DefaultImpact: t.DefaultI,
				Drivers: []ProfileDriver{}},
			Coverage: *fraction(t.Coverage(), true), Confidence: fraction(t.Confidence()), Controls: []ControlEffect{},
			KeyMissing: append([]string{}, t.KeyMissing...), Reductions: []ReductionApplied{},
			Maturity: Maturity{Stated: t.Maturity, Required: t.Required, Shortfall: t.Shortfall()},
			Residual: ResidualRisk{Likelihood: t.L1, Impact: t.I1, Score: t.Score, Level: string(t.Level)}}
		if t.Capped() {
			e.Cap = &t.Cap
		}
		for _, d := range t.Drivers {
			pd := ProfileDriver{Measure: string(d.Measure), Affects: d.Affects, Stated: d.Stated}
			if d.Stated {
				pd.Value, pd.BandFrom, pd.BandTo, pd.Delta = &d.Value, &d.Band.From, d.Next, d.Band.Delta
			}
			e.Inherent.Drivers = append(e.Inherent.Drivers, pd)
		}
		for _, red := range t.Reductions {
			e.Reductions = append(e.Reductions, ReductionApplied{Controls: append([]string{}, red.Controls...),
				Credit: *fraction(float64(red.Credit)/domain.Unit, true), Max: red.Max, Levels: red.Levels})
		}
		if t.Override != nil {
			e.Inherent.Override = &Override{Likelihood: t.Override.Likelihood, Impact: t.Override.Impact, Reason: t.Override.Reason}
		}
		for _, c := range t.Contributions {
			e.Controls = append(e.Controls, ControlEffect{ControlID: c.ControlID, Status: string(c.Answer.Status),
				Verdict: string(c.Answer.Verdict), Grade: gradeOf(c.Answer), Primary: c.Primary, Key: c.Key,
				Weight: int(c.Weight), Effectiveness: *fraction(float64(c.Credit)/domain.Unit, true), Counted: c.Counted})
		}
		out.Threats = append(out.Threats, e)
		if t.Applicable {
			residual[t.L1-1][t.I1-1] = append(residual[t.L1-1][t.I1-1], t.ThreatID)
			inherent[t.L0-1][t.I0-1] = append(inherent[t.L0-1][t.I0-1], t.ThreatID)
		}
	}
	out.Residual, out.Inherent = matrixCells(residual), matrixCells(inherent)

	facetNames := map[string]string{}
	for _, d := range f.Dimensions {
		facetNames["dimension:"+d.ID] = d.Name
	}
	for _, s := range f.Stages {
		facetNames["stage:"+s.ID] = s.Name
	}
	for _, g := range f.AuditGroups {
		facetNames["audit_group:"+g.ID] = g.Name
	}
	c := Compliance{Dimensions: []FacetScore{}, Stages: []FacetScore{}, AuditGroups: []FacetScore{}}
	for _, s := range r.Result.Compliance {
		fs := FacetScore{ID: s.Key, Name: facetNames[string(s.Facet)+":"+s.Key], Compliance: fraction(s.Value()),
			Confidence: fraction(s.Confidence()), Controls: s.Counted}
		switch s.Facet {
		case domain.FacetOverall:
			c.Overall, c.Confidence, c.Controls = fs.Compliance, fs.Confidence, s.Counted
		case domain.FacetDimension:
			c.Dimensions = append(c.Dimensions, fs)
		case domain.FacetStage:
			c.Stages = append(c.Stages, fs)
		case domain.FacetAuditGroup:
			c.AuditGroups = append(c.AuditGroups, fs)
		}
	}
	out.Compliance = c
	return out
}

func matrixCells(m [5][5][]string) []MatrixCell {
	var cells []MatrixCell
	for l := 5; l >= 1; l-- {
		for i := 1; i <= 5; i++ {
			ids := m[l-1][i-1]
			cells = append(cells, MatrixCell{Likelihood: l, Impact: i, Count: len(ids), Level: string(domain.LevelOf(l * i)),
				Threats: ids})
		}
	}
	return cells
}

type providerRiskInput struct {
	IDParam
	Campaign string `query:"campaign" maxLength:"36" doc:"The campaign; the provider's latest when absent."`
	Basis    string `query:"basis" enum:"current,filed" doc:"filed (the latest submission) or current; filed when there is one."`
}

type providerRiskOutput struct {
	Body ProviderRisk
}

type overrideInput struct {
	IDParam
	Threat string `path:"threat" maxLength:"100" doc:"Threat id." example:"T10"`
	Body   struct {
		Framework        string `json:"framework,omitempty" maxLength:"100" doc:"x1150 when absent."`
		FrameworkVersion string `json:"framework_version,omitempty" maxLength:"100" doc:"The latest published when absent."`
		Likelihood       *int   `json:"likelihood,omitempty" minimum:"1" maximum:"5"`
		Impact           *int   `json:"impact,omitempty" minimum:"1" maximum:"5"`
		Reason           string `json:"reason" maxLength:"2000"`
	}
}

type removeOverrideInput struct {
	IDParam
	Threat           string `path:"threat" maxLength:"100" doc:"Threat id."`
	Framework        string `query:"framework" maxLength:"100" doc:"x1150 when absent."`
	FrameworkVersion string `query:"framework_version" maxLength:"100"`
}

// OverrideEntry is a stored override.
type OverrideEntry struct {
	ThreatID         string `json:"threat_id"`
	Framework        string `json:"framework"`
	FrameworkVersion string `json:"framework_version"`
	Override
	SetBy string `json:"set_by,omitempty"`
	SetAt string `json:"set_at" format:"date-time"`
}

// Priorities and trends.

type prioritiesInput struct {
	Campaign string `query:"campaign" required:"true" maxLength:"36"`
	ListParams
}

// PriorityEntry is a provider's place in the supervisory ranking.
type PriorityEntry struct {
	Rank            int                    `json:"rank"`
	ProviderID      string                 `json:"provider_id"`
	ProviderName    string                 `json:"provider_name"`
	Kind            string                 `json:"kind"`
	Tier            int                    `json:"tier"`
	AssessmentID    string                 `json:"assessment_id"`
	Status          string                 `json:"status"`
	Priority        float64                `json:"priority" doc:"risk_term + findings_weight + inspection_gap + filing_term."`
	RiskIndex       float64                `json:"risk_index" doc:"100 × (½ worst residual score + ½ mean residual score) / 25."`
	TierWeight      float64                `json:"tier_weight"`
	RiskTerm        float64                `json:"risk_term" doc:"risk_index × tier_weight, in tenths."`
	FindingsWeight  float64                `json:"findings_weight" doc:"Σ over the overdue findings of severity (critical 8, high 5, medium 3, low 1) × age factor (1 + days overdue / 30, at most 3), at most 40."`
	LastOnSite      *string                `json:"last_on_site_inspection,omitempty" format:"date" doc:"Absent when the provider was never inspected on site."`
	InspectionGap   float64                `json:"inspection_gap" doc:"5 per full year since the last on-site inspection, at most 15; 15 when never inspected."`
	FilingTerm      float64                `json:"filing_term" doc:"15 when the filing is overdue."`
	Filed           bool                   `json:"filed" doc:"False: not filed yet, taken at its inherent risk and ranked after every filed provider."`
	FilingOverdue   bool                   `json:"filing_overdue"`
	OverdueFindings int                    `json:"overdue_findings"`
	TopThreats      []store.ThreatScore    `json:"top_threats"`
	WorstDimensions []store.DimensionScore `json:"worst_dimensions"`
}

// TrendEntry is a provider's standing in one campaign.
type TrendEntry struct {
	CampaignID   string         `json:"campaign_id"`
	CampaignName string         `json:"campaign_name"`
	OpensAt      string         `json:"opens_at" format:"date"`
	DueAt        string         `json:"due_at" format:"date"`
	AssessmentID string         `json:"assessment_id"`
	Status       string         `json:"status"`
	Basis        string         `json:"basis"`
	Source       string         `json:"source"`
	Submission   int            `json:"submission"`
	Compliance   *float64       `json:"compliance"`
	Threats      int            `json:"threats" doc:"Applicable threats."`
	MaxScore     int            `json:"max_residual_score"`
	MeanScore    float64        `json:"mean_residual_score"`
	Levels       map[string]int `json:"levels" doc:"Applicable threats per residual level."`
	Method       string         `json:"method" doc:"The risk method the numbers come from."`
	Calibration  string         `json:"calibration"`
	Recomputed   bool           `json:"recomputed" doc:"Computed now under the current method (method=current) rather than read as stored."`
}

type trendInput struct {
	IDParam
	Method string `query:"method" enum:"stored,current" default:"stored" doc:"stored: each campaign as it was scored; current: every campaign recomputed under the current method, so that points compare like with like."`
}

func (a *API) registerRisk() {
	tags := []string{"Risk"}
	register(a, huma.Operation{
		OperationID: "get-provider-risk", Method: http.MethodGet, Path: "/api/v1/providers/{id}/risk", Tags: tags,
		Summary: "A provider's risk register",
		Description: "For each threat: inherent likelihood and impact (defaults, tier uplift, overrides), the " +
			"controls and answers that make its coverage, and the residual likelihood, score and level; the 5×5 " +
			"matrices of the provider's threats; compliance overall and by dimension, stage and audit group.",
	}, func(ctx context.Context, in *providerRiskInput) (*providerRiskOutput, error) {
		actor := actorFrom(ctx)
		r, err := a.app.ProviderRisk(ctx, actor, in.ID, in.Campaign, in.Basis)
		if err != nil {
			return nil, err
		}
		return &providerRiskOutput{Body: providerRiskOf(r)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-risk-overrides", Method: http.MethodGet, Path: "/api/v1/providers/{id}/risk/overrides", Tags: tags,
		Summary: "List a provider's overrides", Description: "Supervisors' overrides of inherent likelihood or impact, with reasons.",
	}, func(ctx context.Context, in *IDParam) (*ListOutput[OverrideEntry], error) {
		list, err := a.app.Overrides(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return listOf(list, "", func(o store.OverrideEntry) OverrideEntry {
			return OverrideEntry{ThreatID: o.ThreatID, Framework: o.Framework, FrameworkVersion: o.Version,
				Override: Override{Likelihood: o.Likelihood, Impact: o.Impact, Reason: o.Reason}, SetBy: o.SetBy,
				SetAt: o.SetAt.UTC().Format("2006-01-02T15:04:05Z")}
		}), nil
	})

	register(a, huma.Operation{
		OperationID: "put-risk-override", Method: http.MethodPut, Path: "/api/v1/providers/{id}/risk/overrides/{threat}", Tags: tags,
		Summary: "Override a threat's inherent risk",
		Description: "A supervisor sets the inherent likelihood and/or impact of a threat for this provider, with a " +
			"reason. Scores of the provider's assessments are updated at once.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *overrideInput) (*struct{}, error) {
		b := in.Body
		if b.Likelihood == nil && b.Impact == nil {
			return nil, domain.Invalid("nothing to override", []domain.Problem{{Location: "body",
				Message: "give likelihood, impact or both; DELETE removes an override"}})
		}
		return nil, a.app.SetOverride(ctx, actorFrom(ctx), in.ID, frameworkOrDefault(b.Framework, b.FrameworkVersion),
			in.Threat, b.Likelihood, b.Impact, b.Reason)
	})

	register(a, huma.Operation{
		OperationID: "delete-risk-override", Method: http.MethodDelete, Path: "/api/v1/providers/{id}/risk/overrides/{threat}", Tags: tags,
		Summary: "Remove an override", Description: "The threat's inherent risk returns to the defaults.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *removeOverrideInput) (*struct{}, error) {
		return nil, a.app.SetOverride(ctx, actorFrom(ctx), in.ID, frameworkOrDefault(in.Framework, in.FrameworkVersion),
			in.Threat, nil, nil, "removed")
	})

	register(a, huma.Operation{
		OperationID: "get-provider-trend", Method: http.MethodGet, Path: "/api/v1/providers/{id}/trend", Tags: tags,
		Summary: "A provider's trend", Description: "Compliance and residual risk across campaigns, oldest first, each from the latest filing when there is one.",
	}, func(ctx context.Context, in *trendInput) (*ListOutput[TrendEntry], error) {
		list, err := a.app.Trend(ctx, actorFrom(ctx), in.ID, in.Method == "current")
		if err != nil {
			return nil, err
		}
		return listOf(list, "", func(t store.TrendPoint) TrendEntry {
			levels := map[string]int{}
			for l, n := range t.Levels {
				levels[string(l)] = n
			}
			return TrendEntry{CampaignID: t.CampaignID, CampaignName: t.CampaignName, OpensAt: t.OpensAt.String(),
				DueAt: t.DueAt.String(), AssessmentID: t.AssessmentID, Status: string(t.Status), Basis: t.Basis,
				Source: t.Source, Submission: t.Submission, Compliance: round4(t.Compliance), Threats: t.Threats,
				MaxScore: t.MaxScore, MeanScore: float64(int(t.MeanScore*100+0.5)) / 100, Levels: levels, Method: t.Method,
				Calibration: t.Calibration, Recomputed: t.Recomputed}
		}), nil
	})

	register(a, huma.Operation{
		OperationID: "list-priorities", Method: http.MethodGet, Path: "/api/v1/priorities", Tags: tags,
		Summary: "Supervisory priority",
		Description: "Providers of a campaign ranked by where to send inspectors first: priority = risk index × " +
			"tier weight (1.5, 1.2, 1.0) + findings weight (each overdue finding's severity × age, at most 40) + " +
			"inspection gap (5 a year since the last on-site inspection, at most 15) + 15 when the filing is overdue; " +
			"risk index = 100 × (½ worst + ½ mean residual score) / 25, from the latest filing, or the inherent " +
			"risk when there is none. Providers that have filed come first; those that have not follow them, " +
			"without worst dimensions (no compliance without a filing). Each entry names its drivers.",
	}, func(ctx context.Context, in *prioritiesInput) (*ListOutput[PriorityEntry], error) {
		list, next, err := a.app.Priorities(ctx, actorFrom(ctx), in.Campaign, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, func(p store.Priority) PriorityEntry {
			d := p.Drivers
			e := PriorityEntry{Rank: p.Rank, ProviderID: p.ProviderID, ProviderName: p.ProviderName, Kind: string(p.Kind),
				Tier: p.Tier, AssessmentID: p.AssessmentID, Status: string(p.Status), Priority: p.Score,
				RiskIndex: d.RiskIndex, TierWeight: d.TierWeight, RiskTerm: d.RiskWeight(), FindingsWeight: d.FindingsWeight,
				InspectionGap: d.InspectionWeight, FilingTerm: d.FilingWeight(), Filed: p.Filed,
				FilingOverdue: p.FilingOverdue, OverdueFindings: p.OverdueFindings,
				TopThreats: nonNil(p.TopThreats), WorstDimensions: nonNil(p.WorstDimensions)}
			if !d.LastOnSite.IsZero() {
				s := d.LastOnSite.String()
				e.LastOnSite = &s
			}
			return e
		}), nil
	})

	a.registerHeatmaps(tags)
}

func round4(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := float64(int(*v*10000+0.5)) / 10000
	return &r
}

func frameworkOrDefault(id, version string) store.FrameworkRef {
	if id == "" {
		id = "x1150"
	}
	return store.FrameworkRef{ID: id, Version: version}
}

// gradeOf is the grade an answer's credit is computed with, "" for an
// answer that claims no control.
func gradeOf(a domain.Answer) string {
	if a.Status != domain.Implemented && a.Status != domain.Partial {
		return ""
	}
	return string(a.EffectiveGrade())
}
