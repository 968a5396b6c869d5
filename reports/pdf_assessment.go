package reports

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"assure/domain"
	"assure/texts"
)

// pdfTopThreats is how many threats the executive summary tabulates.
const pdfTopThreats = 5

// WriteAssessmentPDF writes one provider's assessment report, in d.Lang: a
// cover with the summary in words, the key figures and the filing; the
// sign-off (prepared, reviewed and approved by); the executive summary with
// the highest risks, the trend against the previous campaign, the residual
// risk matrix and compliance by dimension and stage; the provider beside its
// peers, anonymised and only for a large enough group; every applicable threat
// with every control that mitigates it; every response with its narrative,
// dates and verdict; and the findings with their plans. Every page of an
// assessment not yet approved or rejected is marked DRAFT. It returns an
// error when d has no framework, or when the document cannot be built or
// written.
func WriteAssessmentPDF(w io.Writer, d AssessmentData) error {
	return WriteAssessmentPDFOn(w, nil, d)
}

// WriteAssessmentPDFOn is WriteAssessmentPDF on a portrait blank made
// beforehand (nil: one is made here). The blank is used up either way.
func WriteAssessmentPDFOn(w io.Writer, blank *PDFBlank, d AssessmentData) error {
	if d.Framework == nil {
		return errors.New("reports: an assessment report needs its framework")
	}
	p, err := printerFor(d.Lang)
	if err != nil {
		return err
	}
	if blank == nil || blank.orientation != "P" {
		blank = NewPDFBlank("P")
	}
	pdf := pdfDocumentOn(blank, p, p.T("Assessment report — %s", d.Provider.LegalName),
		"Assure — "+d.Provider.ShortName+" — "+d.Campaign.Name, AssessmentDraftMark(p, d.Assessment.Status), d.GeneratedAt)
	pdf.AddPage()
	pdfAssessmentCover(pdf, p, d)
	// The sign-off follows the facts it signs for, at the front of the pack.
	drawSignOff(pdf, p, AssessmentSignOff(p, d))
	pdfAssessmentSummary(pdf, p, d)
	pdfTrend(pdf, p, d)
	drawHeatmap(pdf, p, RiskMatrixHeatmapIn(p, p.T("Residual risk matrix"),
		p.T("Applicable threats by residual likelihood and impact; each cell counts threats and names the level of likelihood × impact."),
		pdfResidualMatrix(d.Risk)))
	pdfComplianceBars(pdf, p, d)
	pdfPeerBenchmark(pdf, p, d.Peers)
	pdfThreatTables(pdf, p, d)
	pdfResponseTable(pdf, p, d)
	pdfFindingsTable(pdf, p, d)
	return pdf.Output(w)
}

// AssessmentDraftMark is the band across every page of a report on an
// assessment in state s: "" once it is approved or rejected, a DRAFT mark
// before.
func AssessmentDraftMark(p texts.Printer, s domain.AssessmentStatus) string {
	if s.Final() {
		return ""
	}
	return p.T("DRAFT — %s, not yet approved or rejected: the figures may change", p.Name(s))
}

// pdfAssessmentCover writes the report's title, the summary in words, the
// key figures, and who filed what, when, and how it was sealed and decided.
func pdfAssessmentCover(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	pdfTitle(pdf, p.T("Cyber security assessment report"))
	pdfParagraph(pdf, p.T("%s — ITU-T X.1150 supervisory assessment", d.Campaign.Name), true)
	pdf.Ln(4)
	pdf.SetFont(pdfFont, "B", 15)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 8, d.Provider.LegalName, "", "L", false)
	pdf.Ln(2)
	pdf.SetFont(pdfFont, "", pdfBodyPt+1)
	pdf.MultiCell(0, pdfLineH+0.5, AssessmentSummary(p, d), "", "L", false)
	pdf.Ln(4)
	drawFigures(pdf, pdfAssessmentFigures(p, d))

	fields := []pdfField{
		{p.T("Short name"), d.Provider.ShortName},
		{p.T("Licence number"), d.Provider.LicenceNumber},
		{p.T("Kind and tier"), p.T("%s, %s", p.ProviderKindName(d.Provider.Kind), p.ProviderTierName(d.Provider.Tier))},
		{p.T("Campaign"), d.Campaign.Name},
		{p.T("Campaign dates"), p.T("opens %s, due %s", p.Date(d.Campaign.OpensAt), p.Date(d.Campaign.DueAt))},
		{p.T("Framework"), fmt.Sprintf("%s (%s %s)", d.Framework.Title, d.Framework.ID, d.Framework.Version)},
		{p.T("Assessment status"), p.Name(d.Assessment.Status)},
	}
	fields = append(fields, pdfSubmissionFields(p, d.Submission)...)
	if d.DecidedAt != nil {
		by, comment := d.DecidedBy, ""
		if c, ok := lastChange(d.History, d.Assessment.Status); ok {
			by, comment = personName(c.By, c.ByEmail), c.Reason
			if c.By != "" && c.ByEmail != "" {
				by = fmt.Sprintf("%s (%s)", c.By, c.ByEmail)
			}
		}
		fields = append(fields, pdfField{p.T("Decision"), p.T("%s by %s on %s",
			p.Name(d.Assessment.Status), pdfOrDash(by), p.Time(*d.DecidedAt))})
		if comment != "" {
			fields = append(fields, pdfField{p.T("Decision comment"), comment})
		}
	}
	fields = append(fields,
		pdfField{p.T("Basis of the numbers"), pdfAssessmentBasis(p, d)},
		pdfField{p.T("Generated"), p.T("%s by %s", p.Time(d.GeneratedAt), pdfOrDash(d.GeneratedBy))})
	drawFields(pdf, fields)
}

// pdfAssessmentFigures are the cover's key figures.
func pdfAssessmentFigures(p texts.Printer, d AssessmentData) []pdfFigure {
	overall := p.T("n/a")
	if len(d.Risk.Compliance) > 0 {
		if v, ok := d.Risk.Overall().Value(); ok {
			overall = pdfPercent(p, v)
		}
	}
	levels := LevelCounts(d.Risk)
	open, overdue := OpenFindings(d.Findings, domain.DateOf(d.GeneratedAt))
	return []pdfFigure{
		{overall, p.T("overall compliance")},
		{p.T("%d / %d", d.Assessment.Answered, d.Assessment.Applicable), p.T("applicable controls answered")},
		{fmt.Sprint(levels[domain.LevelCritical]), Plural(p, levels[domain.LevelCritical],
			"threat at critical residual risk", "threats at critical residual risk")},
		{fmt.Sprint(levels[domain.LevelHigh]), Plural(p, levels[domain.LevelHigh],
			"threat at high residual risk", "threats at high residual risk")},
		{fmt.Sprint(open), Plural(p, open, "open finding", "open findings") + ", " +
			Plural(p, overdue, "%d overdue", "%d overdue", overdue)},
	}
}

// pdfSubmissionFields describes the latest filing, its attestation and seal.
func pdfSubmissionFields(p texts.Printer, s *SubmissionInfo) []pdfField {
	if s == nil {
		return []pdfField{{p.T("Submission"), p.T("not submitted")}}
	}
	verified := p.T("verified: it matches the filed content")
	if !s.Verified {
		verified = p.T("DOES NOT VERIFY: the filed content has changed since it was sealed")
	}
	return []pdfField{
		{p.T("Submission"), p.T("version %d, submitted %s by %s", s.Version, p.Time(s.SubmittedAt), pdfOrDash(s.SubmittedBy))},
		{p.T("Filed late"), pdfYesNo(p, s.Late)},
		{p.T("Attested by"), fmt.Sprintf("%s, %s", s.Attestation.Name, s.Attestation.Position)},
		{p.T("Attestation"), s.Attestation.Statement},
		{p.T("Seal (SHA-256)"), s.Seal},
		{p.T("Seal check"), verified},
	}
}

// pdfAssessmentBasis says which state of the assessment the numbers describe.
func pdfAssessmentBasis(p texts.Printer, d AssessmentData) string {
	source := pdfOrDash(p.Name(d.Source))
	if d.Basis != "filed" {
		return p.T("Numbers from the assessment as it stands (%s)", source)
	}
	if d.Submission == nil {
		return p.T("Numbers from the latest filing (none yet)")
	}
	return p.T("Numbers from the latest filing (submission %d, %s)", d.Submission.Version, source)
}

// pdfAssessmentSummary writes overall compliance, the applicable threats by
// residual level and the threats with the highest residual scores.
func pdfAssessmentSummary(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	pdfHeading(pdf, p.T("Executive summary"), 4*pdfLineH)
	overall := p.T("n/a (no control counts yet)")
	if len(d.Risk.Compliance) > 0 {
		if v, ok := d.Risk.Overall().Value(); ok {
			overall = pdfPercent(p, v)
		}
	}
	counts := LevelCounts(d.Risk)
	applicable := 0
	var levels []string
	for _, l := range domain.RiskLevels {
		applicable += counts[l]
		levels = append(levels, fmt.Sprintf("%s %d", strings.ToLower(p.Name(l)), counts[l]))
	}
	drawFields(pdf, []pdfField{
		{p.T("Overall compliance"), overall},
		{p.T("Controls answered"), p.T("%d of %d applicable", d.Assessment.Answered, d.Assessment.Applicable)},
		{p.T("Applicable threats"), p.T("%d of %d: %s", applicable, len(d.Risk.Threats), strings.Join(levels, ", "))},
	})
	title := p.T("Highest residual risks")
	pdfSubheading(pdf, title)
	names := threatNames(d.Framework)
	var rows [][]string
	for _, t := range TopThreats(d.Risk, pdfTopThreats) {
		rows = append(rows, []string{t.ThreatID, names[t.ThreatID], fmt.Sprintf("%d × %d", t.L1, t.I1),
			fmt.Sprint(t.Score), p.Name(t.Level)})
	}
	if len(rows) == 0 {
		pdfParagraph(pdf, p.T("No threat applies."), false)
		return
	}
	drawTable(pdf, p, title, []pdfColumn{{p.T("Threat"), 1, "L"}, {p.T("Name"), 7, "L"}, {p.T("L × I"), 1.5, "C"},
		{p.T("Score"), 1.2, "R"}, {p.T("Level"), 1.5, "L"}}, rows)
}

// pdfTrend compares the assessment with the provider's previous campaign.
func pdfTrend(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	title := p.T("Trend against the previous campaign")
	pdfNeedSpace(pdf, 6+3*(2*pdfCellLineH+2*pdfCellPad)+pdfLineH)
	pdfSubheading(pdf, title)
	prev := d.Previous
	if prev == nil {
		pdfParagraph(pdf, p.T("The provider took part in no earlier campaign."), false)
		pdf.Ln(1)
		return
	}
	now := CurrentPoint(d)
	row := func(label string, t TrendPoint) []string {
		compliance := p.T("n/a")
		if t.Compliance != nil {
			compliance = pdfPercent(p, *t.Compliance)
		}
		if t.Source == "" && t.Compliance == nil && t.Threats == 0 {
			return []string{label, t.CampaignName, p.Name(t.Status), p.T("not filed"), "", "", "", ""}
		}
		return []string{label, t.CampaignName, p.Name(t.Status), compliance, fmt.Sprint(t.MaxScore), p.Decimal(t.MeanScore, 1),
			fmt.Sprint(t.Levels[domain.LevelCritical]), fmt.Sprint(t.Levels[domain.LevelHigh])}
	}
	drawTable(pdf, p, title, []pdfColumn{{"", 1.4, "L"}, {p.T("Campaign"), 4, "L"}, {p.T("Status"), 1.8, "L"},
		{p.T("Compliance"), 1.6, "R"}, {p.T("Worst score"), 1.4, "R"}, {p.T("Mean score"), 1.4, "R"},
		{p.T("Critical threats"), 1.5, "R"}, {p.T("High threats"), 1.4, "R"}},
		[][]string{row(p.T("Previous"), *prev), row(p.T("Now"), now)})
	if prev.Compliance != nil && now.Compliance != nil {
		pdfParagraph(pdf, p.T("Overall compliance since the previous campaign:")+" "+trendWords(p, *now.Compliance-*prev.Compliance), true)
		pdf.Ln(1)
	}
}

// pdfResidualMatrix counts the applicable threats by residual likelihood and impact.
func pdfResidualMatrix(r domain.RiskResult) [5][5]int {
	var m [5][5]int
	for _, t := range r.Threats {
		if t.Applicable && t.L1 >= 1 && t.L1 <= 5 && t.I1 >= 1 && t.I1 <= 5 {
			m[t.L1-1][t.I1-1]++
		}
	}
	return m
}

// pdfComplianceBars charts compliance by dimension and by value-chain stage.
func pdfComplianceBars(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	scores := map[domain.Facet]map[string]domain.ComplianceScore{}
	for _, c := range d.Risk.Compliance {
		if scores[c.Facet] == nil {
			scores[c.Facet] = map[string]domain.ComplianceScore{}
		}
		scores[c.Facet][c.Key] = c
	}
	barOf := func(facet domain.Facet, id, name string) pdfBar {
		v, ok := scores[facet][id].Value()
		return pdfBar{name, v, ok}
	}
	pdfHeading(pdf, p.T("Compliance by security dimension"), pdfBarsHeight(len(d.Framework.Dimensions)))
	var bars []pdfBar
	for _, dim := range d.Framework.Dimensions {
		bars = append(bars, barOf(domain.FacetDimension, dim.ID, dim.Name))
	}
	drawBars(pdf, p, bars)
	pdfHeading(pdf, p.T("Compliance by value-chain stage"), pdfBarsHeight(len(d.Framework.Stages)))
	bars = nil
	for _, s := range d.Framework.Stages {
		bars = append(bars, barOf(domain.FacetStage, s.ID, s.Name))
	}
	drawBars(pdf, p, bars)
}

// pdfThreatTables lists every applicable threat with every control that
// mitigates it, primarily or not: the controls its residual risk is computed
// from, each with its answer, verdict and effectiveness.
func pdfThreatTables(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	pdfHeading(pdf, p.T("Controls by threat"), 14+pdfTableKeep)
	pdfParagraph(pdf, p.T("Every applicable threat, with every applicable control that mitigates it. The residual likelihood falls from the inherent one by the threat's coverage: the weighted mean credit of these controls, a primary link weighing more, held to a cap while a key control earns nothing. Credit is the answer's status × the credit of its assurance grade × the review factor (method %s, calibration %s).", d.Risk.Method, pdfCalibration(p, d.Risk.Calibration)), true)
	responses := map[string]domain.Response{}
	for _, r := range d.Responses {
		responses[r.ControlID] = r
	}
	controls := map[string]domain.Control{}
	for _, c := range d.Framework.Controls {
		controls[c.ID] = c
	}
	names := threatNames(d.Framework)
	cols := []pdfColumn{{p.T("Control"), 1.3, "L"}, {p.T("Title"), 6.4, "L"}, {p.T("Link"), 1.7, "L"},
		{p.T("Answer"), 2.9, "L"}, {p.T("Verdict"), 2.2, "L"}, {p.T("Effect"), 1.6, "R"}}
	shown := 0
	for _, t := range d.Risk.Threats {
		if !t.Applicable {
			continue
		}
		shown++
		title := fmt.Sprintf("%s %s", t.ThreatID, names[t.ThreatID])
		pdfSubheading(pdf, title+" — "+p.T("residual %d (%s)", t.Score, strings.ToLower(p.Name(t.Level))))
		pdfParagraph(pdf, p.T("Inherent %d × %d = %d; coverage %s over %s; residual %d × %d = %d.", t.L0, t.I0, t.InherentScore(),
			pdfPercent(p, t.Coverage()), Plural(p, t.Counted, "%d control counted", "%d controls counted", t.Counted),
			t.L1, t.I1, t.Score)+" "+pdfThreatWhy(p, t), true)
		// The controls aimed at the threat first, then those that also mitigate it.
		contributions := slices.Clone(t.Contributions)
		slices.SortStableFunc(contributions, func(a, b domain.Contribution) int {
			return cmp.Compare(pdfLinkRank(controls[a.ControlID], t.ThreatID), pdfLinkRank(controls[b.ControlID], t.ThreatID))
		})
		var rows [][]string
		for _, c := range contributions {
			r := responses[c.ControlID]
			link := p.T("secondary")
			if c.Primary {
				link = p.T("primary")
			}
			if c.Key {
				link = p.T("%s, key", link)
			}
			effect := p.T("not counted")
			if c.Counted {
				effect = pdfWholePercent(p, float64(c.Credit)/domain.Unit)
			}
			rows = append(rows, []string{c.ControlID, controls[c.ControlID].Title, link, pdfAnswerName(p, r.Status),
				pdfVerdictName(p, r.Verdict), effect})
		}
		if len(rows) == 0 {
			pdfParagraph(pdf, p.T("No applicable control mitigates this threat: it keeps its inherent likelihood."), false)
			pdf.Ln(1)
			continue
		}
		drawTable(pdf, p, title, cols, rows)
	}
	if shown == 0 {
		pdfParagraph(pdf, p.T("No threat applies."), false)
	}
}

// pdfLinkRank orders a threat's controls: 0 for those whose primary threat
// it is, 1 for the others.
func pdfLinkRank(c domain.Control, threatID string) int {
	if c.PrimaryThreat == threatID {
		return 0
	}
	return 1
}

// pdfResponseTable lists every response in catalog order with what a board
// asks of it: the answer and its dates, the provider's narrative or
// justification, the evidence, and the supervisor's verdict and comment.
func pdfResponseTable(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	title := p.T("Responses and verdicts")
	pdfHeading(pdf, title, 20)
	if len(d.Responses) == 0 {
		pdfParagraph(pdf, p.T("No control applies."), false)
		return
	}
	controls := map[string]domain.Control{}
	for _, c := range d.Framework.Controls {
		controls[c.ID] = c
	}
	var rows [][]string
	for _, r := range d.Responses {
		answer := []string{pdfAnswerName(p, r.Status)}
		if r.Maturity != nil {
			answer = append(answer, p.T("maturity %d of 5", *r.Maturity))
		}
		if r.RemediationDate != nil {
			answer = append(answer, p.T("remediation by %s", p.Date(*r.RemediationDate)))
		}
		narrative := r.Narrative
		if r.Justification != "" {
			narrative = strings.TrimSpace(narrative + "\n" + p.T("Justification: %s", r.Justification))
		}
		verdict := []string{pdfVerdictName(p, r.Verdict)}
		if r.VerdictComment != "" {
			verdict = append(verdict, "“"+r.VerdictComment+"”")
		}
		if who := cmp.Or(r.VerdictByName, r.VerdictBy); who != "" && r.VerdictAt != nil {
			verdict = append(verdict, p.T("%s, %s", who, p.Date(domain.DateOf(*r.VerdictAt))))
		}
		rows = append(rows, []string{r.ControlID + "\n" + controls[r.ControlID].Title, strings.Join(answer, "\n"),
			pdfOrDash(narrative), fmt.Sprint(len(r.EvidenceIDs)), strings.Join(verdict, "\n")})
	}
	drawTable(pdf, p, title, []pdfColumn{{p.T("Control"), 3.8, "L"}, {p.T("Answer"), 2.6, "L"},
		{p.T("Narrative"), 5.8, "L"}, {p.T("Evidence"), 1.6, "R"}, {p.T("Verdict"), 3.4, "L"}}, rows)
}

// pdfFindingsTable lists the assessment's findings with their remediation
// plans and due dates.
func pdfFindingsTable(pdf *fpdf.Fpdf, p texts.Printer, d AssessmentData) {
	title := p.T("Findings")
	pdfHeading(pdf, title, pdfTableKeep)
	if len(d.Findings) == 0 {
		pdfParagraph(pdf, p.T("No findings."), false)
		return
	}
	today := domain.DateOf(d.GeneratedAt)
	var rows [][]string
	for _, f := range d.Findings {
		due := p.Date(f.DueAt)
		if f.Overdue(today) {
			due = p.T("%s (overdue)", due)
		}
		plan := f.RemediationPlan
		if plan == "" {
			plan = p.T("no plan yet")
		}
		rows = append(rows, []string{f.Title + "\n" + f.Description, pdfOrDash(f.ControlID), p.Name(f.Severity), due,
			p.Name(f.Status), plan})
	}
	drawTable(pdf, p, title, []pdfColumn{{p.T("Finding"), 6, "L"}, {p.T("Control"), 1.3, "L"},
		{p.T("Severity"), 1.6, "L"}, {p.T("Due"), 2.2, "L"}, {p.T("Status"), 1.7, "L"}, {p.T("Remediation plan"), 5, "L"}}, rows)
}

// pdfAnswerName names a response status, or says the control is unanswered.
func pdfAnswerName(p texts.Printer, s domain.ResponseStatus) string {
	if s == "" {
		return p.T("unanswered")
	}
	return p.Name(s)
}

// pdfVerdictName names a verdict, or says there is none yet.
func pdfVerdictName(p texts.Printer, v domain.Verdict) string {
	if v == "" {
		return p.T("not reviewed")
	}
	return p.Name(v)
}

// pdfOrDash returns s, or a dash when s is empty.
func pdfOrDash(s string) string { return cmp.Or(s, "—") }

// pdfYesNo renders a flag as yes or no.
func pdfYesNo(p texts.Printer, b bool) string {
	if b {
		return p.T("yes")
	}
	return p.T("no")
}

// pdfCalibration names a calibration, or says it is the default one.
func pdfCalibration(p texts.Printer, ref string) string {
	if ref == "" {
		return p.T("the default")
	}
	return ref
}

// pdfThreatWhy says in a few sentences what moved a threat's numbers: the
// profile's figures, a key control's cap, resilience controls and the
// confidence of its coverage.
func pdfThreatWhy(p texts.Printer, t domain.ThreatRisk) string {
	var out []string
	var moves []string
	for _, d := range t.Drivers {
		if d.Stated && d.Band.Delta != 0 {
			what := p.T("likelihood")
			if d.Affects == "impact" {
				what = p.T("impact")
			}
			digits := 0
			if d.Value != float64(int64(d.Value)) {
				digits = 2
			}
			moves = append(moves, p.T("%s %s: %s %+d", p.Name(d.Measure), p.Decimal(d.Value, digits), what, d.Band.Delta))
		}
	}
	if len(moves) > 0 {
		out = append(out, p.T("The profile moved the inherent values (%s).", strings.Join(moves, "; ")))
	}
	if t.Override != nil {
		out = append(out, p.T("A supervisor overrode them: %s", t.Override.Reason))
	}
	if t.Capped() {
		out = append(out, p.T("Coverage is capped at %d%% because key control %s earns nothing.", t.Cap, strings.Join(t.KeyMissing, ", ")))
	}
	for _, r := range t.Reductions {
		if r.Levels > 0 {
			out = append(out, p.T("Resilience controls %s remove %d level(s) of impact.", strings.Join(r.Controls, ", "), r.Levels))
		}
	}
	if c, ok := t.Confidence(); ok {
		out = append(out, p.T("Confidence %s.", pdfWholePercent(p, c)))
	}
	if t.Shortfall() > 0 {
		out = append(out, p.T("Stated maturity %d falls short of the %d its inherent risk requires.", *t.Maturity, t.Required))
	}
	return strings.Join(out, " ")
}
