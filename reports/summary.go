package reports

import (
	"cmp"
	"slices"
	"strings"

	"assure/domain"
	"assure/texts"
)

// The summaries below are the one-paragraph readings of a report's figures
// that open its cover, in the report's language. They are built from the
// same data the report's tables show, so the words and the tables agree.

// summaryTopThreats is how many threats a summary names.
const summaryTopThreats = 3

// TopThreats returns the applicable threats of r by residual score, highest
// first (catalog order among equals), at most n of them.
func TopThreats(r domain.RiskResult, n int) []domain.ThreatRisk {
	var out []domain.ThreatRisk
	for _, t := range r.Threats {
		if t.Applicable {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.ThreatRisk) int { return cmp.Compare(b.Score, a.Score) })
	return out[:min(len(out), n)]
}

// AnswerCounts counts an assessment's responses by status ("" for
// unanswered).
func AnswerCounts(responses []domain.Response) map[domain.ResponseStatus]int {
	out := map[domain.ResponseStatus]int{}
	for _, r := range responses {
		out[r.Status]++
	}
	return out
}

// OpenFindings counts the findings not yet resolved, and those of them
// overdue on the day the report is made.
func OpenFindings(findings []domain.Finding, today domain.Date) (open, overdue int) {
	for _, f := range findings {
		if f.Status.Closed() {
			continue
		}
		open++
		if f.Overdue(today) {
			overdue++
		}
	}
	return open, overdue
}

// AssessmentSummary reads an assessment's figures in one paragraph: how much
// was answered and implemented, its overall compliance, its highest residual
// risks and its open findings.
func AssessmentSummary(p texts.Printer, d AssessmentData) string {
	var parts []string
	counts := AnswerCounts(d.Responses)
	answered := len(d.Responses) - counts[""]
	parts = append(parts, Plural(p, d.Assessment.Applicable, "%s answered %d of %d applicable control.",
		"%s answered %d of %d applicable controls.", d.Provider.LegalName, answered, d.Assessment.Applicable))
	if relevant := answered - counts[domain.NotApplicable]; relevant > 0 {
		parts = append(parts, Plural(p, relevant, "Of the %d answered control that applies, %s is implemented, %s partially and %s not at all.",
			"Of the %d answered controls that apply, %s are implemented, %s partially and %s not at all.", relevant,
			pdfWholePercent(p, float64(counts[domain.Implemented])/float64(relevant)),
			pdfWholePercent(p, float64(counts[domain.Partial])/float64(relevant)),
			pdfWholePercent(p, float64(counts[domain.NotImplemented])/float64(relevant))))
	}
	if len(d.Risk.Compliance) > 0 {
		if v, ok := d.Risk.Overall().Value(); ok {
			parts = append(parts, p.T("Overall compliance is %s.", pdfPercent(p, v)))
		}
	}
	names := threatNames(d.Framework)
	var top []string
	for _, t := range TopThreats(d.Risk, summaryTopThreats) {
		if t.Level.Rank() >= domain.LevelMedium.Rank() {
			top = append(top, p.T("%s (%s, %s)", t.ThreatID, names[t.ThreatID], strings.ToLower(p.Name(t.Level))))
		}
	}
	switch {
	case len(top) > 0:
		parts = append(parts, Plural(p, len(top), "Its highest residual risk is %s.", "Its highest residual risks are %s.",
			JoinWords(p, top)))
	case len(TopThreats(d.Risk, 1)) > 0:
		parts = append(parts, p.T("Every applicable threat is at low residual risk."))
	default:
		parts = append(parts, p.T("No threat applies to it."))
	}
	parts = append(parts, findingsSentence(p, d.Findings, domain.DateOf(d.GeneratedAt)))
	if d.Previous != nil && d.Previous.Source == "" {
		parts = append(parts, p.T("It filed nothing in %s.", d.Previous.CampaignName))
	}
	if d.Previous != nil && d.Previous.Compliance != nil && len(d.Risk.Compliance) > 0 {
		if v, ok := d.Risk.Overall().Value(); ok {
			parts = append(parts, p.T("In %s its overall compliance was %s.", d.Previous.CampaignName,
				pdfPercent(p, *d.Previous.Compliance))+" "+trendWords(p, v-*d.Previous.Compliance))
		}
	}
	return strings.Join(parts, " ")
}

// findingsSentence says how many findings are open and overdue.
func findingsSentence(p texts.Printer, findings []domain.Finding, today domain.Date) string {
	open, overdue := OpenFindings(findings, today)
	if open == 0 {
		return p.T("No finding is open.")
	}
	return Plural(p, open, "%d finding is open", "%d findings are open", open) + ", " +
		Plural(p, overdue, "%d of them overdue.", "%d of them overdue.", overdue)
}

// trendWords says which way compliance moved by delta (a fraction).
func trendWords(p texts.Printer, delta float64) string {
	points := p.Decimal(100*abs(delta), 1)
	switch {
	case delta > 0.0005:
		return p.T("It has risen by %s points.", points)
	case delta < -0.0005:
		return p.T("It has fallen by %s points.", points)
	}
	return p.T("It is unchanged.")
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// SectorSummary reads a campaign's figures in one paragraph: who filed, the
// sector's residual risk, the highest supervisory priorities and the
// overdue findings.
func SectorSummary(p texts.Printer, d SectorData) string {
	filings := map[FilingState]int{}
	for _, sp := range d.Providers {
		filings[sp.Filing]++
	}
	var parts []string
	parts = append(parts, Plural(p, len(d.Providers), "%s covers %d provider:", "%s covers %d providers:",
		d.Campaign.Name, len(d.Providers))+" "+
		JoinWords(p, []string{Plural(p, filings[FiledOnTime], "%d has filed on time", "%d have filed on time", filings[FiledOnTime]),
			Plural(p, filings[FiledLate], "%d has filed late", "%d have filed late", filings[FiledLate]),
			Plural(p, filings[NotFiled], "%d has not filed", "%d have not filed", filings[NotFiled])})+".")
	levels := MatrixLevels(d.Matrix)
	pairs := 0
	for _, n := range levels {
		pairs += n
	}
	if d.MatrixProviders > 0 {
		parts = append(parts, Plural(p, d.MatrixProviders, "Across the %d provider with numbers,", "Across the %d providers with numbers,",
			d.MatrixProviders)+" "+Plural(p, pairs, "%d provider–threat pair is assessed:", "%d provider–threat pairs are assessed:", pairs)+
			" "+p.T("%d at critical residual risk, %d high, %d medium and %d low.", levels[domain.LevelCritical],
			levels[domain.LevelHigh], levels[domain.LevelMedium], levels[domain.LevelLow]))
	} else {
		parts = append(parts, p.T("No provider has numbers on this basis yet."))
	}
	var first []string
	for _, r := range d.Priorities {
		if r.Filed && len(first) < summaryTopThreats {
			first = append(first, r.Name)
		}
	}
	if len(first) > 0 {
		parts = append(parts, p.T("The highest supervisory priorities among the filed providers are %s.", JoinWords(p, first)))
	}
	if n := len(d.Overdue); n > 0 {
		parts = append(parts, Plural(p, n, "%d finding is overdue.", "%d findings are overdue.", n))
	} else {
		parts = append(parts, p.T("No finding is overdue."))
	}
	return strings.Join(parts, " ")
}

// MatrixLevels counts the pairs of a 5×5 matrix by the level of their cell.
func MatrixLevels(m [5][5]int) map[domain.RiskLevel]int {
	out := map[domain.RiskLevel]int{}
	for l := range 5 {
		for i := range 5 {
			out[domain.LevelOf((l+1)*(i+1))] += m[l][i]
		}
	}
	return out
}

// threatNames maps threat ids to names.
func threatNames(f *domain.Framework) map[string]string {
	names := map[string]string{}
	if f == nil {
		return names
	}
	for _, t := range f.Threats {
		names[t.ID] = t.Name
	}
	return names
}

// CurrentPoint is the assessment's own standing, in the terms of a trend
// point, to set beside the provider's previous campaign.
func CurrentPoint(d AssessmentData) TrendPoint {
	now := TrendPoint{CampaignName: d.Campaign.Name, Status: d.Assessment.Status, Source: d.Source,
		Levels: LevelCounts(d.Risk)}
	if len(d.Risk.Compliance) > 0 {
		if v, ok := d.Risk.Overall().Value(); ok {
			now.Compliance = &v
		}
	}
	sum := 0
	for _, t := range d.Risk.Threats {
		if t.Applicable {
			now.Threats++
			now.MaxScore = max(now.MaxScore, t.Score)
			sum += t.Score
		}
	}
	if now.Threats > 0 {
		now.MeanScore = float64(sum) / float64(now.Threats)
	}
	return now
}

// LevelCounts counts the applicable threats by residual level.
func LevelCounts(r domain.RiskResult) map[domain.RiskLevel]int {
	counts := map[domain.RiskLevel]int{}
	for _, t := range r.Threats {
		if t.Applicable {
			counts[t.Level]++
		}
	}
	return counts
}
