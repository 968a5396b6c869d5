package reports

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"assure/domain"
)

// WriteSectorPDF writes a campaign's sector report on landscape pages: a
// cover with filing counts, the sector's residual risk matrix, providers ×
// dimensions and providers × stages heatmaps, the supervisory priority
// ranking, every provider's submission status and the overdue findings.
// It returns an error when d has no framework, or when the document cannot
// be built or written.
func WriteSectorPDF(w io.Writer, d SectorData) error {
	if d.Framework == nil {
		return errors.New("reports: a sector report needs its framework")
	}
	pdf := pdfDocument("L", "Sector report — "+d.Campaign.Name, "Assure — sector report — "+d.Campaign.Name, d.GeneratedAt)
	pdf.AddPage()
	pdfSectorCover(pdf, d)
	pdf.AddPage()
	drawHeatmap(pdf, RiskMatrixHeatmap("Sector residual risk matrix",
		fmt.Sprintf("Provider–threat pairs by residual likelihood and impact, over %d providers; %d providers have no numbers on the %s basis and are not counted.",
			d.MatrixProviders, d.MatrixMissing, pdfOrDash(d.Basis)),
		d.Matrix))
	pdf.AddPage()
	drawHeatmap(pdf, pdfDimensionHeatmap(d))
	pdf.AddPage()
	drawHeatmap(pdf, pdfStageHeatmap(d))
	pdf.AddPage()
	pdfPriorityTable(pdf, d.Priorities)
	pdfSubmissionTable(pdf, d.Providers)
	pdfOverdueTable(pdf, d.Overdue)
	return pdf.Output(w)
}

// pdfSectorCover writes the campaign, the basis of the numbers and how many
// providers filed on time, late or not at all.
func pdfSectorCover(pdf *fpdf.Fpdf, d SectorData) {
	pdfTitle(pdf, "Sector cyber security report")
	pdfParagraph(pdf, "ITU-T X.1150 supervisory campaign", true)
	pdf.Ln(6)
	pdf.SetFont(pdfFont, "B", 15)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 8, d.Campaign.Name, "", "L", false)
	pdf.Ln(3)
	filings := map[FilingState]int{}
	for _, p := range d.Providers {
		filings[p.Filing]++
	}
	basis := "Numbers from each provider's assessment as it stands"
	if d.Basis == "filed" {
		basis = "Numbers from each provider's latest filing"
	}
	drawFields(pdf, []pdfField{
		{"Framework", fmt.Sprintf("%s (%s %s)", d.Framework.Title, d.Framework.ID, d.Framework.Version)},
		{"Campaign dates", fmt.Sprintf("opens %s, due %s", d.Campaign.OpensAt, d.Campaign.DueAt)},
		{"Campaign status", string(d.Campaign.Status)},
		{"Basis of the numbers", basis},
		{"Providers in scope", fmt.Sprint(len(d.Providers))},
		{"Filed on time", fmt.Sprint(filings[FiledOnTime])},
		{"Filed late", fmt.Sprint(filings[FiledLate])},
		{"Not filed", fmt.Sprint(filings[NotFiled])},
		{"Generated", fmt.Sprintf("%s by %s", pdfStamp(d.GeneratedAt), pdfOrDash(d.GeneratedBy))},
	})
}

// pdfProviderHeatmap has one row per provider and one column per name; cell
// returns a provider's cell in the column of a given index.
func pdfProviderHeatmap(title, xLabel string, names []string, providers []SectorProvider,
	cell func(p SectorProvider, i int) HeatCell) Heatmap {
	h := Heatmap{Title: title, XLabel: xLabel, YLabel: "Provider", Columns: names}
	for _, p := range providers {
		row := HeatRow{Label: fmt.Sprintf("%s (tier %d)", p.Name, p.Tier)}
		for i := range names {
			row.Cells = append(row.Cells, cell(p, i))
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// pdfDimensionHeatmap shows each provider's compliance by security dimension.
func pdfDimensionHeatmap(d SectorData) Heatmap {
	var names []string
	for _, dim := range d.Framework.Dimensions {
		names = append(names, dim.Name)
	}
	h := pdfProviderHeatmap("Providers × security dimensions", "Security dimension", names, d.Providers,
		func(p SectorProvider, i int) HeatCell {
			if v := p.Dimensions[d.Framework.Dimensions[i].ID]; v != nil {
				return HeatCell{Text: fmt.Sprintf("%.0f%%", 100**v), Fill: ComplianceFill(*v)}
			}
			return HeatCell{Text: "n/a", Fill: LevelFill("")}
		})
	h.Subtitle = "Compliance of each provider by dimension; n/a when no control of the dimension counts or the provider has no numbers."
	h.Legend = ComplianceLegend()
	return h
}

// pdfStageHeatmap shows each provider's worst residual level by value-chain stage.
func pdfStageHeatmap(d SectorData) Heatmap {
	var names []string
	for _, s := range d.Framework.Stages {
		names = append(names, s.Name)
	}
	h := pdfProviderHeatmap("Providers × value-chain stages", "Value-chain stage", names, d.Providers,
		func(p SectorProvider, i int) HeatCell {
			l := p.Stages[d.Framework.Stages[i].ID]
			if l == "" {
				return HeatCell{Text: "n/a", Fill: LevelFill("")}
			}
			return HeatCell{Text: string(l), Fill: LevelFill(l)}
		})
	h.Subtitle = "Worst residual level among the applicable threats that target each stage."
	h.Legend = LevelLegend()
	return h
}

// pdfPriorityTable ranks providers for inspection.
func pdfPriorityTable(pdf *fpdf.Fpdf, rows []PriorityRow) {
	pdfHeading(pdf, "Supervisory priority", pdfTableKeep)
	if len(rows) == 0 {
		pdfParagraph(pdf, "No provider is ranked.", false)
		return
	}
	var cells [][]string
	for _, r := range rows {
		filed := pdfYesNo(r.Filed)
		if !r.Filed && r.FilingOverdue {
			filed = "overdue"
		}
		cells = append(cells, []string{fmt.Sprint(r.Rank), r.Name, pdfWords(string(r.Kind)), fmt.Sprint(r.Tier),
			fmt.Sprintf("%.1f", r.Priority), fmt.Sprintf("%.1f", r.RiskIndex), filed, fmt.Sprint(r.OverdueFindings),
			strings.Join(r.TopThreats, ", "), strings.Join(r.WorstDimensions, ", ")})
	}
	drawTable(pdf, []pdfColumn{{"Rank", 0.9, "R"}, {"Provider", 4, "L"}, {"Kind", 3.4, "L"}, {"Tier", 0.8, "C"},
		{"Priority", 1.3, "R"}, {"Risk index", 1.6, "R"}, {"Filed", 1.4, "L"}, {"Overdue findings", 2.8, "R"},
		{"Top threats", 4.3, "L"}, {"Worst dimensions", 4.8, "L"}}, cells)
}

// pdfSubmissionTable lists every provider's assessment status and filing.
func pdfSubmissionTable(pdf *fpdf.Fpdf, providers []SectorProvider) {
	pdfHeading(pdf, "Submission status", pdfTableKeep)
	if len(providers) == 0 {
		pdfParagraph(pdf, "No provider is in scope.", false)
		return
	}
	var cells [][]string
	for _, p := range providers {
		submitted := "—"
		if p.SubmittedAt != nil {
			submitted = pdfStamp(*p.SubmittedAt)
		}
		cells = append(cells, []string{p.Name, p.LegalName, p.Licence, pdfWords(string(p.Kind)), fmt.Sprint(p.Tier),
			pdfWords(string(p.Status)), string(p.Filing), submitted})
	}
	drawTable(pdf, []pdfColumn{{"Provider", 3, "L"}, {"Legal name", 5, "L"}, {"Licence", 2.2, "L"}, {"Kind", 2.5, "L"},
		{"Tier", 0.8, "C"}, {"Status", 2.2, "L"}, {"Filing", 1.5, "L"}, {"Submitted", 2.6, "L"}}, cells)
}

// pdfOverdueTable lists the findings whose remediation is late.
func pdfOverdueTable(pdf *fpdf.Fpdf, findings []domain.Finding) {
	pdfHeading(pdf, "Overdue findings", pdfTableKeep)
	if len(findings) == 0 {
		pdfParagraph(pdf, "No overdue findings.", false)
		return
	}
	var cells [][]string
	for _, f := range findings {
		cells = append(cells, []string{f.ProviderName, f.Title, pdfOrDash(f.ControlID), string(f.Severity), f.DueAt.String(),
			pdfWords(string(f.Status))})
	}
	drawTable(pdf, []pdfColumn{{"Provider", 3, "L"}, {"Title", 8, "L"}, {"Control", 1.2, "L"}, {"Severity", 1.5, "L"},
		{"Due", 1.7, "L"}, {"Status", 1.7, "L"}}, cells)
}
