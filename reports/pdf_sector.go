package reports

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"assure/domain"
	"assure/texts"
)

// WriteSectorPDF writes a campaign's sector report on landscape pages, in
// d.Lang: a cover with the summary in words, the key figures and the filing
// counts; the sector's residual risk matrix; providers × dimensions and
// providers × stages heatmaps; the supervisory priority ranking of the filed
// providers and, apart, those that have not filed; every provider's
// submission status; and the overdue findings. Sections follow one another
// without forced page breaks. Every page is marked DRAFT while the figures
// may still change (see SectorDraftMark).
//
// progress, when not nil, is told how many providers' worth of the report
// has been written, up to len(d.Providers): each provider takes a row in
// four sections, so a provider counts once its four rows are out. It
// returns an error when d has no framework, or when the document cannot be
// built or written.
func WriteSectorPDF(w io.Writer, d SectorData, progress func(done int)) error {
	if d.Framework == nil {
		return errors.New("reports: a sector report needs its framework")
	}
	p, err := printerFor(d.Lang)
	if err != nil {
		return err
	}
	track := newPDFProgress(len(d.Providers), pdfProviderSections, progress)
	pdf := pdfDocument(p, "L", p.T("Sector report — %s", d.Campaign.Name),
		p.T("Assure — sector report — %s", d.Campaign.Name), SectorDraftMark(p, d), d.GeneratedAt)
	pdf.AddPage()
	basis := p.T("as they stand")
	if d.Basis == "filed" {
		basis = p.T("from their latest filing")
	}
	matrix := RiskMatrixHeatmapIn(p, p.T("Sector residual risk matrix"),
		Plural(p, d.MatrixProviders, "Provider–threat pairs by residual likelihood and impact, over %d provider", "Provider–threat pairs by residual likelihood and impact, over %d providers", d.MatrixProviders)+
			" ("+basis+"); "+Plural(p, d.MatrixMissing, "%d provider has no numbers yet and is not counted.", "%d providers have no numbers yet and are not counted.", d.MatrixMissing),
		d.Matrix)
	// The cover's facts and the sector's matrix share the first page.
	pdfSectorCover(pdf, p, d, func() { drawHeatmap(pdf, p, matrix) })
	drawHeatmap(pdf, p, pdfDimensionHeatmap(p, d), track.row)
	drawHeatmap(pdf, p, pdfStageHeatmap(p, d), track.row)
	pdfPriorityTables(pdf, p, d.Priorities, track.rows)
	pdfSubmissionTable(pdf, p, d.Providers, track.rows)
	pdfOverdueTable(pdf, p, d.Overdue)
	if err := pdf.Output(w); err != nil {
		return err
	}
	track.finish()
	return nil
}

// pdfProviderSections is how many sections of the sector report have a row
// per provider: two heatmaps, the priorities and the submission status.
const pdfProviderSections = 4

// pdfProgress counts rows written and tells progress in providers.
type pdfProgress struct {
	providers, sections, rowsDone, told, step int
	tell                                      func(done int)
}

func newPDFProgress(providers, sections int, tell func(int)) *pdfProgress {
	return &pdfProgress{providers: providers, sections: sections, step: max(providers/100, 1), tell: tell}
}

// row counts one provider row written.
func (t *pdfProgress) row() { t.rows(1) }

// rows counts n provider rows written, telling progress at most once per
// hundredth of the providers.
func (t *pdfProgress) rows(n int) {
	if t == nil || t.tell == nil {
		return
	}
	t.rowsDone += n
	done := min(t.rowsDone/t.sections, t.providers)
	if done-t.told >= t.step {
		t.told = done
		t.tell(done)
	}
}

// finish tells that every provider is written.
func (t *pdfProgress) finish() {
	if t != nil && t.tell != nil && t.told < t.providers {
		t.told = t.providers
		t.tell(t.providers)
	}
}

// SectorDraftMark is the band across every page of a sector report: a DRAFT
// mark while the campaign is not closed (providers may still file and
// supervisors still review) or while a filing in it still awaits a decision,
// since either can change the figures; "" once they are settled. A provider
// that never filed does not keep a closed campaign's report a draft: it
// will not file any more.
func SectorDraftMark(p texts.Printer, d SectorData) string {
	if d.Campaign.Status != domain.CampaignClosed {
		return p.T("DRAFT — the campaign is %s: filings and reviews may still change the figures", strings.ToLower(p.Name(d.Campaign.Status)))
	}
	pending := 0
	for _, sp := range d.Providers {
		if sp.Filing != NotFiled && !sp.Status.Final() {
			pending++
		}
	}
	if pending > 0 {
		return Plural(p, pending, "DRAFT — %d filing still awaits a decision: the figures may change",
			"DRAFT — %d filings still await a decision: the figures may change", pending)
	}
	return ""
}

// pdfSectorCover writes the campaign, the summary in words, the key figures,
// the basis of the numbers and how many providers filed on time, late or not
// at all.
func pdfSectorCover(pdf *fpdf.Fpdf, p texts.Printer, d SectorData, beside func()) {
	pdfTitle(pdf, p.T("Sector cyber security report"))
	pdfParagraph(pdf, p.T("ITU-T X.1150 supervisory campaign"), true)
	pdf.Ln(3)
	pdf.SetFont(pdfFont, "B", 15)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 8, d.Campaign.Name, "", "L", false)
	pdf.Ln(2)
	pdf.SetFont(pdfFont, "", pdfBodyPt+1)
	pdf.MultiCell(0, pdfLineH+0.5, SectorSummary(p, d), "", "L", false)
	pdf.Ln(4)
	filings := map[FilingState]int{}
	for _, sp := range d.Providers {
		filings[sp.Filing]++
	}
	levels := MatrixLevels(d.Matrix)
	drawFigures(pdf, []pdfFigure{
		{fmt.Sprint(len(d.Providers)), Plural(p, len(d.Providers), "provider in scope", "providers in scope")},
		{fmt.Sprint(filings[FiledOnTime]), Plural(p, filings[FiledOnTime], "provider filed on time", "providers filed on time")},
		{fmt.Sprint(filings[FiledLate]), Plural(p, filings[FiledLate], "provider filed late", "providers filed late")},
		{fmt.Sprint(filings[NotFiled]), Plural(p, filings[NotFiled], "provider has not filed", "providers have not filed")},
		{fmt.Sprint(levels[domain.LevelCritical]), Plural(p, levels[domain.LevelCritical],
			"provider–threat pair at critical residual risk", "provider–threat pairs at critical residual risk")},
		{fmt.Sprint(len(d.Overdue)), Plural(p, len(d.Overdue), "overdue finding", "overdue findings")},
	})
	basis := p.T("Numbers from each provider's assessment as it stands")
	if d.Basis == "filed" {
		basis = p.T("Numbers from each provider's latest filing")
	}
	fields := []pdfField{
		{p.T("Framework"), fmt.Sprintf("%s (%s %s)", d.Framework.Title, d.Framework.ID, d.Framework.Version)},
		{p.T("Campaign dates"), p.T("opens %s, due %s", p.Date(d.Campaign.OpensAt), p.Date(d.Campaign.DueAt))},
		{p.T("Campaign status"), p.Name(d.Campaign.Status)},
		{p.T("Basis of the numbers"), basis},
		{p.T("Generated"), p.T("%s by %s", p.Time(d.GeneratedAt), pdfOrDash(d.GeneratedBy))},
	}
	pdfBeside(pdf, pdfSectorMatrixHeight, func() { drawFields(pdf, fields) }, beside)
}

// pdfSectorMatrixHeight is what the sector's 5×5 matrix takes with its
// heading, subtitle, header and legend.
const pdfSectorMatrixHeight = 12 + 2*pdfLineH + heatHeadLineH + 1 + 5*heatTallRowH + 3 + 2*pdfLineH

// pdfBeside draws left in the left half of the page and right, rightH
// millimetres tall, in the right half from the same height, and goes on
// below the taller of the two. When right does not fit on the page there,
// the two follow one another at full width.
func pdfBeside(pdf *fpdf.Fpdf, rightH float64, left, right func()) {
	if pdfRoom(pdf) < rightH {
		left()
		right()
		return
	}
	pageW, _ := pdf.GetPageSize()
	leftM, _, rightM, _ := pdf.GetMargins()
	const gap = 8.0
	mid := leftM + (pageW-leftM-rightM)*0.45
	x, y := pdf.GetXY()
	pdf.SetRightMargin(pageW - mid)
	left()
	leftBottom := pdf.GetY()
	pdf.SetRightMargin(rightM)
	pdf.SetLeftMargin(mid + gap)
	pdf.SetXY(mid+gap, y-4) // level with the fields: the heading's space above it is dropped
	right()
	rightBottom := pdf.GetY()
	pdf.SetLeftMargin(leftM)
	pdf.SetXY(x, max(leftBottom, rightBottom))
}

// pdfProviderLabel is a provider's row label in the heatmaps.
func pdfProviderLabel(p texts.Printer, name string, tier int) string {
	return p.T("%s (tier %s)", name, fmt.Sprint(tier))
}

// pdfNoNumbers is the cell of a provider without numbers on the basis: "not
// filed" when it has not filed, n/a otherwise.
func pdfNoNumbers(p texts.Printer, sp SectorProvider) HeatCell {
	if sp.Filing == NotFiled && sp.Source == "" {
		return HeatCell{Text: p.T("not filed"), Fill: emptyFill}
	}
	return HeatCell{Text: p.T("n/a"), Fill: emptyFill}
}

// pdfProviderHeatmap has one row per provider and one column per name; cell
// returns a provider's cell in the column of a given index.
func pdfProviderHeatmap(p texts.Printer, title, xLabel string, names []string, providers []SectorProvider,
	cell func(sp SectorProvider, i int) HeatCell) Heatmap {
	h := Heatmap{Title: title, XLabel: xLabel, YLabel: p.T("Provider"), Columns: names}
	for _, sp := range providers {
		row := HeatRow{Label: pdfProviderLabel(p, sp.Name, sp.Tier)}
		for i := range names {
			row.Cells = append(row.Cells, cell(sp, i))
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// pdfDimensionHeatmap shows each provider's compliance by security dimension.
func pdfDimensionHeatmap(p texts.Printer, d SectorData) Heatmap {
	var names []string
	for _, dim := range d.Framework.Dimensions {
		names = append(names, dim.Name)
	}
	h := pdfProviderHeatmap(p, p.T("Providers × security dimensions"), p.T("Security dimension"), names, d.Providers,
		func(sp SectorProvider, i int) HeatCell {
			if sp.Source == "" {
				return pdfNoNumbers(p, sp)
			}
			if v := sp.Dimensions[d.Framework.Dimensions[i].ID]; v != nil {
				return HeatCell{Text: pdfWholePercent(p, *v), Fill: ComplianceFill(*v)}
			}
			return HeatCell{Text: p.T("n/a"), Fill: emptyFill}
		})
	h.Subtitle = p.T("Compliance of each provider by dimension; n/a when no control of the dimension counts, “not filed” when the provider has no numbers.")
	h.Legend = ComplianceLegendIn(p)
	return h
}

// pdfStageHeatmap shows each provider's worst residual level by value-chain stage.
func pdfStageHeatmap(p texts.Printer, d SectorData) Heatmap {
	var names []string
	for _, s := range d.Framework.Stages {
		names = append(names, s.Name)
	}
	h := pdfProviderHeatmap(p, p.T("Providers × value-chain stages"), p.T("Value-chain stage"), names, d.Providers,
		func(sp SectorProvider, i int) HeatCell {
			if sp.Source == "" {
				return pdfNoNumbers(p, sp)
			}
			l := sp.Stages[d.Framework.Stages[i].ID]
			if l == "" {
				return HeatCell{Text: p.T("n/a"), Fill: emptyFill}
			}
			return HeatCell{Text: p.Name(l), Fill: LevelFill(l)}
		})
	h.Subtitle = p.T("Worst residual level among the applicable threats that target each stage.")
	h.Legend = LevelLegendIn(p)
	return h
}

// pdfPriorityTables ranks the filed providers for inspection, then lists
// apart those that have not filed: without a filing they are taken at their
// inherent risk, and have no compliance to show.
func pdfPriorityTables(pdf *fpdf.Fpdf, p texts.Printer, rows []PriorityRow, progress func(int)) {
	title := p.T("Supervisory priority")
	pdfHeading(pdf, title, 3*pdfLineH+pdfTableKeep+2*pdfCellLineH)
	var filed, unfiled [][]string
	for _, r := range rows {
		overdue := fmt.Sprint(r.OverdueFindings)
		if r.Filed {
			filed = append(filed, []string{fmt.Sprint(r.Rank), r.Name, p.ProviderKindName(r.Kind), fmt.Sprint(r.Tier),
				p.Decimal(r.Priority, 1), p.Decimal(r.RiskIndex, 1), overdue,
				PriorityThreats(p, r), PriorityDimensions(p, r)})
			continue
		}
		filing := p.T("not filed")
		if r.FilingOverdue {
			filing = p.T("overdue")
		}
		unfiled = append(unfiled, []string{r.Name, p.ProviderKindName(r.Kind), fmt.Sprint(r.Tier), filing,
			p.Decimal(r.Priority, 1), overdue, PriorityThreats(p, r)})
	}
	pdfParagraph(pdf, p.T("Priority = risk index × tier weight + the overdue findings’ weight (8 critical, 5 high, 3 medium, 1 low, each times 1 + days overdue / 30 up to 3; at most 40 in all) + 5 per full year since the last on-site inspection (at most 15; 15 when never inspected) + 15 when the filing is overdue. Only filed providers are ranked here; those that have not filed follow apart."), true)
	if len(filed) == 0 {
		pdfParagraph(pdf, p.T("No provider has filed yet."), false)
	} else {
		drawTable(pdf, p, title, []pdfColumn{{p.T("Rank"), 0.9, "R"}, {p.T("Provider"), 3.6, "L"}, {p.T("Kind"), 3.2, "L"},
			{p.T("Tier"), 1.1, "C"}, {p.T("Priority"), 1.3, "R"}, {p.T("Risk index"), 1.4, "R"},
			{p.T("Overdue findings"), 1.6, "R"}, {p.T("Top threats (residual score, level)"), 5, "L"},
			{p.T("Weakest dimensions"), 5.2, "L"}}, filed)
	}
	progress(len(filed))
	if len(unfiled) > 0 {
		title := p.T("Providers that have not filed")
		pdfSubheading(pdf, title)
		pdfParagraph(pdf, p.T("Without a filing no control is credited: the threats below are at their inherent risk, and there is no compliance to show."), true)
		drawTable(pdf, p, title, []pdfColumn{{p.T("Provider"), 3.6, "L"}, {p.T("Kind"), 3.2, "L"}, {p.T("Tier"), 1.1, "C"},
			{p.T("Filing"), 1.4, "L"}, {p.T("Priority"), 1.3, "R"}, {p.T("Overdue findings"), 1.6, "R"},
			{p.T("Top threats (inherent score, level)"), 6, "L"}}, unfiled)
	}
	progress(len(unfiled))
}

// PriorityThreats words a ranking's top threats in p's language:
// "T10 (16, high), T3 (12, high)".
func PriorityThreats(p texts.Printer, r PriorityRow) string {
	var out []string
	for _, t := range r.Threats {
		out = append(out, p.T("%s (%d, %s)", t.ThreatID, t.Score, strings.ToLower(p.Name(t.Level))))
	}
	return strings.Join(out, ", ")
}

// PriorityDimensions words a ranking's weakest dimensions in p's language:
// "Authentication 35 %".
func PriorityDimensions(p texts.Printer, r PriorityRow) string {
	var out []string
	for _, d := range r.Dimensions {
		out = append(out, d.Name+" "+pdfWholePercent(p, d.Compliance))
	}
	return strings.Join(out, ", ")
}

// pdfSubmissionTable lists every provider's assessment status and filing.
func pdfSubmissionTable(pdf *fpdf.Fpdf, p texts.Printer, providers []SectorProvider, progress func(int)) {
	title := p.T("Submission status")
	pdfHeading(pdf, title, pdfTableKeep)
	if len(providers) == 0 {
		pdfParagraph(pdf, p.T("No provider is in scope."), false)
		return
	}
	var cells [][]string
	for _, sp := range providers {
		submitted := "—"
		if sp.SubmittedAt != nil {
			submitted = p.Time(*sp.SubmittedAt)
		}
		compliance := pdfNoNumbers(p, sp).Text
		if sp.Source != "" && sp.Overall != nil {
			compliance = pdfWholePercent(p, *sp.Overall)
		}
		cells = append(cells, []string{sp.Name, sp.LegalName, sp.Licence, p.ProviderKindName(sp.Kind), fmt.Sprint(sp.Tier),
			p.Name(sp.Status), pdfFilingName(p, sp.Filing), submitted, compliance})
	}
	drawTable(pdf, p, title, []pdfColumn{{p.T("Provider"), 3, "L"}, {p.T("Legal name"), 4.6, "L"}, {p.T("Licence"), 2, "L"},
		{p.T("Kind"), 2.8, "L"}, {p.T("Tier"), 1.1, "C"}, {p.T("Status"), 2.2, "L"}, {p.T("Filing"), 1.5, "L"},
		{p.T("Submitted at"), 2.8, "L"}, {p.T("Compliance"), 1.6, "R"}}, cells)
	progress(len(providers))
}

// pdfFilingName names a filing state.
func pdfFilingName(p texts.Printer, f FilingState) string {
	switch f {
	case FiledOnTime:
		return p.T("on time")
	case FiledLate:
		return p.T("late")
	}
	return p.T("not filed")
}

// pdfOverdueTable lists the findings whose remediation is late.
func pdfOverdueTable(pdf *fpdf.Fpdf, p texts.Printer, findings []domain.Finding) {
	title := p.T("Overdue findings")
	if len(findings) == 0 {
		pdfSubheading(pdf, title)
		pdfParagraph(pdf, p.T("No overdue findings."), false)
		return
	}
	pdfHeading(pdf, title, pdfTableKeep)
	var cells [][]string
	for _, f := range findings {
		plan := f.RemediationPlan
		if plan == "" {
			plan = p.T("no plan yet")
		}
		cells = append(cells, []string{f.ProviderName, f.Title, pdfOrDash(f.ControlID), p.Name(f.Severity), p.Date(f.DueAt),
			p.Name(f.Status), plan})
	}
	drawTable(pdf, p, title, []pdfColumn{{p.T("Provider"), 3, "L"}, {p.T("Finding"), 6, "L"}, {p.T("Control"), 1.2, "L"},
		{p.T("Severity"), 1.5, "L"}, {p.T("Due"), 2, "L"}, {p.T("Status"), 1.7, "L"}, {p.T("Remediation plan"), 5, "L"}}, cells)
}
