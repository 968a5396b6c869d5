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
)

// pdfTopThreats is how many threats the executive summary names.
const pdfTopThreats = 5

// WriteAssessmentPDF writes one provider's assessment report: a cover page
// with the filing, its seal and the decision; an executive summary with the
// residual risk matrix and compliance by dimension and stage; the controls
// grouped by threat; and the findings. It returns an error when d has no
// framework, or when the document cannot be built or written.
func WriteAssessmentPDF(w io.Writer, d AssessmentData) error {
	if d.Framework == nil {
		return errors.New("reports: an assessment report needs its framework")
	}
	pdf := pdfDocument("P", "Assessment report — "+d.Provider.LegalName,
		"Assure — "+d.Provider.ShortName+" — "+d.Campaign.Name, d.GeneratedAt)
	pdf.AddPage()
	pdfAssessmentCover(pdf, d)
	pdf.AddPage()
	pdfAssessmentSummary(pdf, d)
	drawHeatmap(pdf, RiskMatrixHeatmap("Residual risk matrix",
		"Applicable threats by residual likelihood and impact; each cell counts threats and is coloured by the level of likelihood × impact.",
		pdfResidualMatrix(d.Risk)))
	pdfComplianceBars(pdf, d)
	pdf.AddPage()
	pdfControlTable(pdf, d)
	pdfFindingsTable(pdf, d)
	return pdf.Output(w)
}

// pdfAssessmentCover writes who filed what, when, and how it was sealed and decided.
func pdfAssessmentCover(pdf *fpdf.Fpdf, d AssessmentData) {
	pdfTitle(pdf, "Cyber security assessment report")
	pdfParagraph(pdf, fmt.Sprintf("%s — ITU-T X.1150 supervisory assessment", d.Campaign.Name), true)
	pdf.Ln(6)
	pdf.SetFont(pdfFont, "B", 15)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 8, d.Provider.LegalName, "", "L", false)
	pdf.Ln(3)
	fields := []pdfField{
		{"Short name", d.Provider.ShortName},
		{"Licence number", d.Provider.LicenceNumber},
		{"Kind and tier", fmt.Sprintf("%s, tier %d", pdfWords(string(d.Provider.Kind)), d.Provider.Tier)},
		{"Campaign", d.Campaign.Name},
		{"Campaign dates", fmt.Sprintf("opens %s, due %s", d.Campaign.OpensAt, d.Campaign.DueAt)},
		{"Framework", fmt.Sprintf("%s (%s %s)", d.Framework.Title, d.Framework.ID, d.Framework.Version)},
		{"Assessment status", pdfWords(string(d.Assessment.Status))},
	}
	fields = append(fields, pdfSubmissionFields(d.Submission)...)
	if d.DecidedAt != nil {
		fields = append(fields, pdfField{"Decision", fmt.Sprintf("%s by %s on %s",
			pdfWords(string(d.Assessment.Status)), pdfOrDash(d.DecidedBy), pdfStamp(*d.DecidedAt))})
	}
	fields = append(fields,
		pdfField{"Basis of the numbers", pdfAssessmentBasis(d)},
		pdfField{"Generated", fmt.Sprintf("%s by %s", pdfStamp(d.GeneratedAt), pdfOrDash(d.GeneratedBy))})
	drawFields(pdf, fields)
}

// pdfSubmissionFields describes the latest filing, its attestation and seal.
func pdfSubmissionFields(s *SubmissionInfo) []pdfField {
	if s == nil {
		return []pdfField{{"Submission", "not submitted"}}
	}
	verified := "verified: it matches the filed content"
	if !s.Verified {
		verified = "DOES NOT VERIFY: the filed content has changed since it was sealed"
	}
	return []pdfField{
		{"Submission", fmt.Sprintf("version %d, submitted %s by %s", s.Version, pdfStamp(s.SubmittedAt), pdfOrDash(s.SubmittedBy))},
		{"Filed late", pdfYesNo(s.Late)},
		{"Attested by", fmt.Sprintf("%s, %s", s.Attestation.Name, s.Attestation.Position)},
		{"Attestation", s.Attestation.Statement},
		{"Seal (SHA-256)", s.Seal},
		{"Seal check", verified},
	}
}

// pdfAssessmentBasis says which state of the assessment the numbers describe.
func pdfAssessmentBasis(d AssessmentData) string {
	source := pdfOrDash(d.Source)
	if d.Basis != "filed" {
		return fmt.Sprintf("Numbers from the assessment as it stands (%s)", source)
	}
	if d.Submission == nil {
		return "Numbers from the latest filing (none yet)"
	}
	return fmt.Sprintf("Numbers from the latest filing (submission %d, %s)", d.Submission.Version, source)
}

// pdfAssessmentSummary writes overall compliance, the applicable threats by
// residual level and the threats with the highest residual scores.
func pdfAssessmentSummary(pdf *fpdf.Fpdf, d AssessmentData) {
	pdfHeading(pdf, "Executive summary", 4*pdfLineH)
	overall := "n/a (no control counts yet)"
	if len(d.Risk.Compliance) > 0 {
		if v, ok := d.Risk.Overall().Value(); ok {
			overall = pdfPercent(v)
		}
	}
	counts := map[domain.RiskLevel]int{}
	var applicable []domain.ThreatRisk
	for _, t := range d.Risk.Threats {
		if t.Applicable {
			counts[t.Level]++
			applicable = append(applicable, t)
		}
	}
	var levels []string
	for _, l := range domain.RiskLevels {
		levels = append(levels, fmt.Sprintf("%s %d", l, counts[l]))
	}
	drawFields(pdf, []pdfField{
		{"Overall compliance", overall},
		{"Controls answered", fmt.Sprintf("%d of %d applicable", d.Assessment.Answered, d.Assessment.Applicable)},
		{"Applicable threats", fmt.Sprintf("%d of %d: %s", len(applicable), len(d.Risk.Threats), strings.Join(levels, ", "))},
	})
	pdfSubheading(pdf, "Highest residual risks")
	slices.SortStableFunc(applicable, func(a, b domain.ThreatRisk) int { return cmp.Compare(b.Score, a.Score) })
	names := pdfThreatNames(d.Framework)
	var rows [][]string
	for _, t := range applicable[:min(len(applicable), pdfTopThreats)] {
		rows = append(rows, []string{t.ThreatID, names[t.ThreatID], fmt.Sprintf("%d × %d", t.L1, t.I1),
			fmt.Sprint(t.Score), string(t.Level)})
	}
	if len(rows) == 0 {
		pdfParagraph(pdf, "No threat applies.", false)
		return
	}
	drawTable(pdf, []pdfColumn{{"Threat", 1, "L"}, {"Name", 7, "L"}, {"L × I", 1.5, "C"}, {"Score", 1.2, "R"},
		{"Level", 1.5, "L"}}, rows)
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
func pdfComplianceBars(pdf *fpdf.Fpdf, d AssessmentData) {
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
	pdfHeading(pdf, "Compliance by security dimension", pdfBarsHeight(len(d.Framework.Dimensions)))
	var bars []pdfBar
	for _, dim := range d.Framework.Dimensions {
		bars = append(bars, barOf(domain.FacetDimension, dim.ID, dim.Name))
	}
	drawBars(pdf, bars)
	pdfHeading(pdf, "Compliance by value-chain stage", pdfBarsHeight(len(d.Framework.Stages)))
	bars = nil
	for _, s := range d.Framework.Stages {
		bars = append(bars, barOf(domain.FacetStage, s.ID, s.Name))
	}
	drawBars(pdf, bars)
}

// pdfControlTable lists the answered controls under their primary threat, in
// catalog order; threats none of whose controls apply are left out.
func pdfControlTable(pdf *fpdf.Fpdf, d AssessmentData) {
	pdfHeading(pdf, "Controls by threat", 6+pdfTableKeep)
	responses := map[string]domain.Response{}
	for _, r := range d.Responses {
		responses[r.ControlID] = r
	}
	risks := map[string]domain.ThreatRisk{}
	for _, t := range d.Risk.Threats {
		risks[t.ThreatID] = t
	}
	cols := []pdfColumn{{"Control", 1.3, "L"}, {"Title", 9, "L"}, {"Status", 2.4, "L"}, {"Verdict", 1.9, "L"},
		{"Evidence", 1.4, "R"}}
	for _, t := range d.Framework.Threats {
		var rows [][]string
		for _, c := range d.Framework.Controls {
			r, ok := responses[c.ID]
			if !ok || c.PrimaryThreat != t.ID {
				continue
			}
			rows = append(rows, []string{c.ID, c.Title, cmp.Or(pdfWords(string(r.Status)), "unanswered"),
				cmp.Or(pdfWords(string(r.Verdict)), "not reviewed"), fmt.Sprint(len(r.EvidenceIDs))})
		}
		if len(rows) == 0 {
			continue
		}
		risk := "not applicable"
		if tr, ok := risks[t.ID]; ok && tr.Applicable {
			risk = fmt.Sprintf("residual %d (%s)", tr.Score, tr.Level)
		}
		pdfSubheading(pdf, fmt.Sprintf("%s %s — %s", t.ID, t.Name, risk))
		drawTable(pdf, cols, rows)
	}
}

// pdfFindingsTable lists the assessment's findings.
func pdfFindingsTable(pdf *fpdf.Fpdf, d AssessmentData) {
	pdfHeading(pdf, "Findings", pdfTableKeep)
	if len(d.Findings) == 0 {
		pdfParagraph(pdf, "No findings.", false)
		return
	}
	var rows [][]string
	for _, f := range d.Findings {
		rows = append(rows, []string{f.Title, pdfOrDash(f.ControlID), string(f.Severity), f.DueAt.String(), pdfWords(string(f.Status))})
	}
	drawTable(pdf, []pdfColumn{{"Title", 9, "L"}, {"Control", 1.5, "L"}, {"Severity", 1.8, "L"}, {"Due", 2, "L"},
		{"Status", 2, "L"}}, rows)
}

// pdfThreatNames maps threat ids to names.
func pdfThreatNames(f *domain.Framework) map[string]string {
	names := map[string]string{}
	for _, t := range f.Threats {
		names[t.ID] = t.Name
	}
	return names
}

// pdfWords turns an identifier such as "in_review" into "in review".
func pdfWords(id string) string { return strings.ReplaceAll(id, "_", " ") }

// pdfOrDash returns s, or a dash when s is empty.
func pdfOrDash(s string) string { return cmp.Or(s, "—") }

// pdfYesNo renders a flag as yes or no.
func pdfYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
