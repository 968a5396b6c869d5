package reports

import (
	"cmp"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/texts"
)

// Columns of the assessment workbook's tables, in the report's language.

func xlResponseColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Control ID"), 9}, {p.T("Section"), 8}, {p.T("Title"), 28}, {p.T("Primary threat"), 22},
		{p.T("Status"), 15}, {p.T("Maturity"), 9}, {p.T("Narrative"), 48}, {p.T("Remediation date"), 12},
		{p.T("Justification"), 30}, {p.T("Verdict"), 13}, {p.T("Verdict comment"), 30}, {p.T("Evidence files"), 10},
	}
}

func xlEvidenceColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("File name"), 36}, {p.T("Media type"), 28}, {p.T("Size (bytes)"), 12}, {p.T("SHA-256"), 66},
		{p.T("Uploaded by"), 28}, {p.T("Uploaded at (UTC)"), 19},
	}
}

func xlFindingColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Title"), 40}, {p.T("Control"), 10}, {p.T("Severity"), 10}, {p.T("Status"), 12}, {p.T("Due"), 12},
		{p.T("Created (UTC)"), 19}, {p.T("Remediation plan"), 60},
	}
}

func xlRiskColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Threat ID"), 9}, {p.T("Threat"), 40}, {p.T("Applicable"), 11}, {p.T("Inherent likelihood"), 11},
		{p.T("Inherent impact"), 11}, {p.T("Override reason"), 36}, {p.T("Coverage"), 10},
		{p.T("Residual likelihood"), 11}, {p.T("Residual impact"), 11}, {p.T("Score"), 8}, {p.T("Level"), 11},
	}
}

// xlAssessmentSheets names the assessment workbook's sheets, in order:
// Summary, Responses, Evidence, Findings and Risk register.
func xlAssessmentSheets(p texts.Printer) []string {
	return []string{p.T("Summary"), p.T("Responses"), p.T("Evidence"), p.T("Findings"), p.T("Risk register")}
}

// xlTopRisks is how many of the highest residual risks the summary lists.
const xlTopRisks = 5

// WriteAssessmentXLSX writes one provider's assessment as a workbook with the
// sheets Summary, Responses, Evidence, Findings and Risk register, in the
// language d.Lang. It returns the first error of building the workbook or
// writing to w.
func WriteAssessmentXLSX(w io.Writer, d AssessmentData) error {
	p, err := printerFor(d.Lang)
	if err != nil {
		return err
	}
	sheets := xlAssessmentSheets(p)
	report := p.T("Assessment of %s", d.Provider.LegalName)
	b := newReportBook(p, report, p.T("%s, generated %s", d.Campaign.Name, p.Time(d.GeneratedAt)), sheets...)
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Creator: "Assure", Title: report, Language: string(p.Language())}))
	// Until the assessment is decided, every printed page says it is a draft.
	b.mark = AssessmentDraftMark(p, d.Assessment.Status)
	names := xlCatalogNames(d.Framework)
	b.assessmentSummary(sheets[0], d, names)
	b.assessmentResponses(sheets[1], d, names)

	s := b.wrappedTable(sheets[2], xlEvidenceColumns(p))
	for _, e := range d.Evidence {
		var at any = e.UploadedAt // kept as text when it is not RFC 3339
		if t, err := time.Parse(time.RFC3339Nano, e.UploadedAt); err == nil {
			at = t
		}
		s.add(e.Filename, e.MediaType, e.Size, e.SHA256, e.UploadedBy, at)
	}
	s.filter()
	s.close()

	s = b.wrappedTable(sheets[3], xlFindingColumns(p))
	for _, f := range d.Findings {
		s.add(f.Title, f.ControlID, b.levelCell(domain.RiskLevel(f.Severity)), p.Name(f.Status), f.DueAt, f.CreatedAt,
			f.RemediationPlan)
	}
	s.filter()
	s.close()

	b.riskRegister(sheets[4], d, names)
	return b.write(w)
}

// xlNames holds a framework's controls and the names of its threats,
// dimensions and stages, by id.
type xlNames struct {
	controls map[string]domain.Control
	threats  map[string]string
	dims     map[string]string
	stages   map[string]string
}

func xlCatalogNames(f *domain.Framework) xlNames {
	n := xlNames{map[string]domain.Control{}, map[string]string{}, map[string]string{}, map[string]string{}}
	if f == nil {
		return n
	}
	for _, c := range f.Controls {
		n.controls[c.ID] = c
	}
	for _, t := range f.Threats {
		n.threats[t.ID] = t.Name
	}
	for _, d := range f.Dimensions {
		n.dims[d.ID] = d.Name
	}
	for _, s := range f.Stages {
		n.stages[s.ID] = s.Name
	}
	return n
}

// xlName returns the name, or the id when the catalog does not name it.
func xlName(m map[string]string, id string) string {
	if n, ok := m[id]; ok {
		return n
	}
	return id
}

func (b *xlBook) assessmentSummary(name string, d AssessmentData, n xlNames) {
	p := b.p
	s := b.sheet(name)
	s.columns([]float64{34, 60, 20, 12}, []int{1, 2}, nil)
	s.add(excelize.Cell{StyleID: b.title, Value: b.report})
	label := func(name string, value any) { s.add(excelize.Cell{StyleID: b.bold, Value: name}, value) }
	if b.mark != "" {
		s.add(excelize.Cell{StyleID: b.bold, Value: b.mark})
	}
	s.skip(1)
	s.addRow([]any{excelize.Cell{StyleID: b.bold, Value: p.T("In short")}, AssessmentSummary(p, d)}, true)
	s.skip(1)
	label(p.T("Provider (legal name)"), d.Provider.LegalName)
	label(p.T("Short name"), d.Provider.ShortName)
	label(p.T("Licence"), d.Provider.LicenceNumber)
	label(p.T("Kind"), p.ProviderKindName(d.Provider.Kind))
	label(p.T("Tier"), p.ProviderTierName(d.Tier))
	label(p.T("Campaign"), d.Campaign.Name)
	label(p.T("Status"), p.Name(d.Assessment.Status))
	sub := d.Submission
	if sub == nil {
		sub = &SubmissionInfo{}
		label(p.T("Submission version"), p.T("not submitted"))
	} else {
		label(p.T("Submission version"), sub.Version)
	}
	label(p.T("Submitted at (UTC)"), sub.SubmittedAt)
	label(p.T("Submitted by"), sub.SubmittedBy)
	label(p.T("Late"), b.yesNoIf(d.Submission != nil, sub.Late))
	label(p.T("Attestation: name"), sub.Attestation.Name)
	label(p.T("Attestation: position"), sub.Attestation.Position)
	label(p.T("Attestation: statement"), sub.Attestation.Statement)
	label(p.T("Seal SHA-256"), sub.Seal)
	label(p.T("Seal verified"), b.yesNoIf(d.Submission != nil, sub.Verified))
	label(p.T("Decided by"), d.DecidedBy)
	label(p.T("Decided at (UTC)"), d.DecidedAt)
	label(p.T("Generated at (UTC)"), d.GeneratedAt)
	label(p.T("Generated by"), d.GeneratedBy)
	label(p.T("Basis"), basisName(p, d.Basis))
	var source any
	if d.Source != "" {
		source = p.Name(d.Source)
	}
	label(p.T("Numbers taken from"), source)
	var overall any
	if len(d.Risk.Compliance) > 0 {
		overall = xlPercent(d.Risk.Overall())
	}
	label(p.T("Overall compliance"), overall)
	counts := map[domain.RiskLevel]int{}
	var applicable []domain.ThreatRisk
	for _, t := range d.Risk.Threats {
		if t.Applicable {
			counts[t.Level]++
			applicable = append(applicable, t)
		}
	}
	label(p.T("Applicable threats"), plural(p, len(applicable), p.T("%d threat applies", len(applicable)),
		p.T("%d threats apply", len(applicable))))
	for _, l := range domain.RiskLevels {
		s.add(excelize.Cell{StyleID: b.bold, Value: p.T("Applicable threats at residual level %s", p.Name(l))},
			counts[l], b.levelCell(l))
	}

	// The highest residual risks, for a reader who looks no further.
	slices.SortStableFunc(applicable, func(x, y domain.ThreatRisk) int { return cmp.Compare(y.Score, x.Score) })
	if len(applicable) > 0 {
		s.skip(1)
		s.header([]xlColumn{{name: p.T("Highest residual risks")}, {name: p.T("Threat")}, {name: p.T("Score")},
			{name: p.T("Level")}})
		for _, t := range applicable[:min(len(applicable), xlTopRisks)] {
			s.add(t.ThreatID, xlName(n.threats, t.ThreatID), b.scoreCell(t.Score, t.Level), b.levelCell(t.Level))
		}
	}

	for _, facet := range []struct {
		facet domain.Facet
		title string
		names map[string]string
	}{{domain.FacetDimension, p.T("Compliance by dimension"), n.dims}, {domain.FacetStage, p.T("Compliance by stage"), n.stages}} {
		s.skip(1)
		s.header([]xlColumn{{name: facet.title}, {name: p.T("Compliance")}, {name: p.T("Controls counted")}})
		for _, c := range d.Risk.Compliance {
			if c.Facet == facet.facet {
				var v *float64
				if x, ok := c.Value(); ok {
					v = &x
				}
				s.add(xlName(facet.names, c.Key), b.complianceCell(v), c.Counted)
			}
		}
	}

	s.skip(1)
	s.header([]xlColumn{{name: p.T("Sign-off")}, {name: p.T("Name")}, {name: p.T("Date (UTC)")}})
	for _, l := range AssessmentSignOff(p, d) {
		var at any
		if l.At != nil {
			at = *l.At
		}
		s.add(l.Role, l.Name, at)
	}

	s.skip(1)
	s.header([]xlColumn{{name: p.T("Trend against the previous campaign")}, {name: p.T("Campaign")}, {name: p.T("Compliance")},
		{name: p.T("Worst score")}})
	if d.Previous == nil {
		s.add(p.T("The provider took part in no earlier campaign."))
	} else {
		for _, t := range []struct {
			label string
			point TrendPoint
		}{{p.T("Previous"), *d.Previous}, {p.T("Now"), CurrentPoint(d)}} {
			s.add(t.label, t.point.CampaignName, b.complianceCell(t.point.Compliance), t.point.MaxScore)
		}
	}
	s.close()
}

// yesNoIf says v in words when known is true, else returns nil for an empty
// cell.
func (b *xlBook) yesNoIf(known, v bool) any {
	if !known {
		return nil
	}
	return b.yesNo(v)
}

// assessmentResponses lists every applicable control of the assessment (its
// responses are one per applicable control, in catalog order) with its
// answer, maturity, narrative, remediation date and the supervisor's verdict
// and comment.
func (b *xlBook) assessmentResponses(name string, d AssessmentData, n xlNames) {
	p := b.p
	s := b.wrappedTable(name, xlResponseColumns(p))
	for _, r := range d.Responses {
		c := n.controls[r.ControlID]
		threat := c.PrimaryThreat
		if name, ok := n.threats[threat]; ok {
			threat += " " + name
		}
		var status, verdict any
		if r.Status != "" {
			status = p.Name(r.Status)
		}
		if r.Verdict != "" {
			verdict = p.Name(r.Verdict)
		}
		s.add(r.ControlID, c.Section, c.Title, threat, status, r.Maturity, r.Narrative,
			r.RemediationDate, r.Justification, verdict, r.VerdictComment, len(r.EvidenceIDs))
	}
	s.filter()
	s.close()
}

// riskRegister lists every threat of the catalog: for the applicable ones
// the inherent and residual risk, the score on its level's colour and the
// level by name.
func (b *xlBook) riskRegister(name string, d AssessmentData, n xlNames) {
	s := b.wrappedTable(name, xlRiskColumns(b.p))
	for _, t := range d.Risk.Threats {
		var reason string
		if t.Override != nil {
			reason = t.Override.Reason
		}
		if !t.Applicable {
			// Residual values of a threat that does not concern the provider
			// would only draw the eye; the row says it does not apply.
			s.add(t.ThreatID, xlName(n.threats, t.ThreatID), b.yesNo(false), t.L0, t.I0, reason)
			continue
		}
		s.add(t.ThreatID, xlName(n.threats, t.ThreatID), b.yesNo(true), t.L0, t.I0, reason,
			xlFraction(t.Coverage()), t.L1, t.I1, b.scoreCell(t.Score, t.Level), b.levelCell(t.Level))
	}
	s.filter()
	s.close()
}
