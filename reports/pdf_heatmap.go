package reports

import (
	"slices"

	"codeberg.org/go-pdf/fpdf"

	"assure/texts"
)

// Heatmaps drawn in the PDF reports, from the same model as the SVG.

// Geometry of heatmaps in PDF reports.
const (
	heatMaxCellW   = 30.0
	heatMaxLabelW  = 85.0
	heatRowH       = 6.0
	heatTallRowH   = 8.5 // rows of short heatmaps, such as the 5×5 matrix
	heatHeadLineH  = 3.5
	heatSwatchSide = 3.5
)

// drawHeatmap draws h under its title: the column header with the x-axis
// label, one row of coloured rectangles per heatmap row with the row label
// at its left, then the legend and note. Rows that do not fit continue on
// new pages, each starting with "(continued)" and the column header again, so
// a heatmap of thousands of rows prints whole.
func drawHeatmap(pdf *fpdf.Fpdf, p texts.Printer, h Heatmap, rowDone ...func()) {
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	labelW := heatLabelWidth(pdf, h)
	cellW := min((pdfContentWidth(pdf)-labelW)/float64(max(len(h.Columns), 1)), heatMaxCellW)
	heads, lines := heatColumnHeads(pdf, h.Columns, cellW)
	height := heatRowH
	if len(h.Rows) <= 5 {
		height = heatTallRowH
	}
	// A short heatmap, such as the 5×5 matrix, stays whole on one page with
	// its legend; a long one starts with at least three rows.
	keep := pdfLineH + float64(lines)*heatHeadLineH + 1 + float64(min(len(h.Rows), 3))*height
	if len(h.Rows) <= 5 {
		keep = pdfLineH + float64(lines)*heatHeadLineH + 1 + float64(len(h.Rows))*height + 3 + pdfLineH
	}
	if h.Subtitle != "" {
		keep += pdfLineH * float64(len(pdf.SplitText(h.Subtitle, pdfContentWidth(pdf))))
	}
	pdfHeading(pdf, h.Title, keep)
	if h.Subtitle != "" {
		pdfParagraph(pdf, h.Subtitle, true)
	}
	drawHeatmapHeader(pdf, h, heads, labelW, cellW, lines)
	for _, row := range h.Rows {
		if pdfNeedSpace(pdf, height) {
			pdfParagraph(pdf, p.T("%s (continued)", h.Title), true)
			drawHeatmapHeader(pdf, h, heads, labelW, cellW, lines)
		}
		drawHeatmapRow(pdf, row, labelW, cellW, height)
		for _, f := range rowDone {
			f()
		}
	}
	pdf.Ln(2)
	drawLegend(pdf, h.Legend)
	if h.Note != "" {
		pdfParagraph(pdf, h.Note, true)
	}
}

// heatColumnHeads wraps each column header to its cell, whole, and returns
// the most lines any header takes.
func heatColumnHeads(pdf *fpdf.Fpdf, columns []string, cellW float64) ([][]string, int) {
	heads := make([][]string, len(columns))
	lines := 1
	for i, c := range columns {
		heads[i] = pdfLines(pdf, c, cellW)
		lines = max(lines, len(heads[i]))
	}
	return heads, lines
}

// heatLabelWidth is wide enough for the longest row label and the y-axis
// label, within bounds.
func heatLabelWidth(pdf *fpdf.Fpdf, h Heatmap) float64 {
	pdf.SetFont(pdfFont, "B", pdfSmallPt)
	w := pdf.GetStringWidth(h.YLabel)
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	for _, r := range h.Rows {
		w = max(w, pdf.GetStringWidth(r.Label))
	}
	return min(w+2*pdf.GetCellMargin()+2, heatMaxLabelW)
}

// drawHeatmapHeader draws the x-axis label centred over the columns, the
// column headers bottom-aligned over their cells and the y-axis label over
// the row labels.
func drawHeatmapHeader(pdf *fpdf.Fpdf, h Heatmap, heads [][]string, labelW, cellW float64, lines int) {
	x, y := pdf.GetXY()
	pdfTextColour(pdf, pdfInk)
	pdf.SetFont(pdfFont, "B", pdfSmallPt)
	pdf.SetXY(x+labelW, y)
	pdf.CellFormat(cellW*float64(len(h.Columns)), pdfLineH, h.XLabel, "", 0, "C", false, 0, "")
	bottom := y + pdfLineH + float64(lines)*heatHeadLineH
	pdf.SetXY(x, bottom-heatHeadLineH)
	pdf.CellFormat(labelW, heatHeadLineH, pdfFit(pdf, h.YLabel, labelW), "", 0, "R", false, 0, "")
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	for i, head := range heads {
		top := bottom - float64(len(head))*heatHeadLineH
		for k, line := range head {
			pdf.SetXY(x+labelW+float64(i)*cellW, top+float64(k)*heatHeadLineH)
			pdf.CellFormat(cellW, heatHeadLineH, line, "", 0, "C", false, 0, "")
		}
	}
	pdf.SetXY(x, bottom+1)
}

// drawHeatmapRow draws one row: its label, then a filled rectangle per cell
// with the cell's text in a colour that reads on the fill.
func drawHeatmapRow(pdf *fpdf.Fpdf, row HeatRow, labelW, cellW, height float64) {
	x, y := pdf.GetXY()
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	pdfTextColour(pdf, pdfInk)
	// With two lines in its cells, the label stands level with the first.
	two := height >= 2*heatHeadLineH && slices.ContainsFunc(row.Cells, func(c HeatCell) bool { return c.Sub != "" })
	label := heatShrinkToFit(pdf, row.Label, labelW)
	if two {
		pdf.SetXY(x, y+height/2-heatHeadLineH)
		pdf.CellFormat(labelW, heatHeadLineH, label, "", 0, "R", false, 0, "")
		pdf.SetXY(x+labelW, y)
	} else {
		pdf.CellFormat(labelW, height, label, "", 0, "R", false, 0, "")
	}
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	pdfDrawColour(pdf, pdfHeatBorder)
	pdf.SetLineWidth(0.5)
	for i, c := range row.Cells {
		cx := x + labelW + float64(i)*cellW
		pdfFill(pdf, c.Fill)
		pdf.Rect(cx, y, cellW, height, "FD")
		pdfTextColour(pdf, TextColour(c.Fill))
		if c.Sub != "" && height >= 2*heatHeadLineH {
			pdf.SetFont(pdfFont, "B", pdfSmallPt)
			pdf.SetXY(cx, y+height/2-heatHeadLineH)
			pdf.CellFormat(cellW, heatHeadLineH, pdfFit(pdf, c.Text, cellW), "", 0, "C", false, 0, "")
			pdf.SetFont(pdfFont, "", pdfSmallPt-1)
			pdf.SetXY(cx, y+height/2)
			pdf.CellFormat(cellW, heatHeadLineH, pdfFit(pdf, c.Sub, cellW), "", 0, "C", false, 0, "")
			pdf.SetFont(pdfFont, "", pdfSmallPt)
			continue
		}
		pdf.SetXY(cx, y)
		text := c.Text
		if c.Sub != "" {
			text += " " + c.Sub
		}
		pdf.CellFormat(cellW, height, pdfFit(pdf, text, cellW), "", 0, "C", false, 0, "")
	}
	pdf.SetLineWidth(0.2)
	pdf.SetXY(x, y+height)
}

// drawLegend draws the swatches side by side, wrapping at the right margin.
func drawLegend(pdf *fpdf.Fpdf, legend []Swatch) {
	if len(legend) == 0 {
		return
	}
	pdfNeedSpace(pdf, pdfLineH+2)
	left, _, _, _ := pdf.GetMargins()
	right := left + pdfContentWidth(pdf)
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	pdfTextColour(pdf, pdfInk)
	pdfDrawColour(pdf, pdfMuted)
	for _, s := range legend {
		w := heatSwatchSide + 1 + pdf.GetStringWidth(s.Label) + 2*pdf.GetCellMargin() + 3
		if pdf.GetX()+w > right {
			pdf.Ln(pdfLineH)
			pdfNeedSpace(pdf, pdfLineH)
		}
		x, y := pdf.GetXY()
		pdfFill(pdf, s.Fill)
		pdf.Rect(x, y+(pdfLineH-heatSwatchSide)/2, heatSwatchSide, heatSwatchSide, "FD")
		pdf.SetX(x + heatSwatchSide + 1)
		pdf.CellFormat(w-heatSwatchSide-1, pdfLineH, s.Label, "", 0, "L", false, 0, "")
	}
	pdf.Ln(pdfLineH + 1)
}

// heatMinPt is the smallest type a row label shrinks to.
const heatMinPt = 5.5

// heatShrinkToFit sets the type of a row label small enough, down to
// heatMinPt, for s to fit a cell w millimetres wide, and returns s: whole
// when it fits at that size, else shortened as a last resort.
func heatShrinkToFit(pdf *fpdf.Fpdf, s string, w float64) string {
	room := w - 2*pdf.GetCellMargin()
	if width := pdf.GetStringWidth(s); width > room {
		pdf.SetFontSize(max(heatMinPt, 0.98*pdfSmallPt*room/width))
	}
	return pdfFit(pdf, s, w)
}
