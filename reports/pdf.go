package reports

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// The PDF reports share one page layout and the drawing primitives in this
// file: headings, fields, tables that repeat their header on every page, bars
// and heatmaps. The reports themselves are in pdf_assessment.go and
// pdf_sector.go. Unexported names start with pdf, draw or heat, so they stay
// apart from the XLSX writers' in the same package.

// The DejaVu fonts cover Latin, Greek and Cyrillic, so names such as
// "Société Générale" or "Łódź" print as written and can be copied back out.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	pdfFontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	pdfFontBold []byte
)

// Page geometry in millimetres, and type sizes in points.
const (
	pdfFont   = "DejaVu"
	pdfMargin = 15.0
	pdfTop    = 20.0
	pdfLineH  = 5.0
	pdfRowH   = 5.5
	pdfBarH   = 4.5
	pdfBarGap = 1.2
	// pdfTableKeep is a table's header and first row, kept with what precedes them.
	pdfTableKeep = 2*pdfRowH + 1
	pdfBodyPt    = 9.0
	pdfSmallPt   = 8.0
)

// Colours of the page furniture.
const (
	pdfInk        = "#1d2733"
	pdfMuted      = "#5b6b7c"
	pdfHeadFill   = "#dde3ea"
	pdfZebraFill  = "#f4f6f8"
	pdfHeatBorder = "#ffffff"
)

// pdfDocument starts an A4 document in orientation "P" or "L" with the embedded
// fonts, a running header and a footer that numbers pages and says when the
// report was generated.
func pdfDocument(orientation, title, header string, generatedAt time.Time) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetCreator("Assure", true)
	pdf.SetCreationDate(generatedAt)
	pdf.SetModificationDate(generatedAt)
	pdf.AddUTF8FontFromBytes(pdfFont, "", pdfFontRegular)
	pdf.AddUTF8FontFromBytes(pdfFont, "B", pdfFontBold)
	pdf.SetMargins(pdfMargin, pdfTop, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin+3)
	pdf.AliasNbPages("")
	stamp := "Generated " + pdfStamp(generatedAt)
	pdf.SetHeaderFunc(func() {
		pdf.SetFont(pdfFont, "", pdfSmallPt)
		pdfTextColour(pdf, pdfMuted)
		pdfDrawColour(pdf, pdfMuted)
		pdf.SetXY(pdfMargin, 9)
		pdf.CellFormat(0, pdfLineH, pdfFit(pdf, header, pdfContentWidth(pdf)), "B", 0, "L", false, 0, "")
		pdf.SetY(pdfTop)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-pdfMargin + 2)
		pdf.SetFont(pdfFont, "", pdfSmallPt)
		pdfTextColour(pdf, pdfMuted)
		pdfDrawColour(pdf, pdfMuted)
		pdf.CellFormat(0, pdfLineH, stamp, "T", 0, "L", false, 0, "")
		pdf.SetX(pdfMargin)
		// The last page's own number puts every digit of the total in the font subset.
		pdf.CellFormat(0, pdfLineH, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	return pdf
}

// pdfStamp renders an instant as "2006-01-02 15:04 UTC".
func pdfStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// pdfRGB reads a "#rrggbb" colour; anything else is black.
func pdfRGB(hex string) (r, g, b int) {
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return 0, 0, 0
	}
	return r, g, b
}

// pdfFill, pdfTextColour and pdfDrawColour set the fill, text and line
// colours from "#rrggbb".
func pdfFill(pdf *fpdf.Fpdf, hex string)       { pdf.SetFillColor(pdfRGB(hex)) }
func pdfTextColour(pdf *fpdf.Fpdf, hex string) { pdf.SetTextColor(pdfRGB(hex)) }
func pdfDrawColour(pdf *fpdf.Fpdf, hex string) { pdf.SetDrawColor(pdfRGB(hex)) }

// pdfContentWidth is the width between the side margins.
func pdfContentWidth(pdf *fpdf.Fpdf) float64 {
	w, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	return w - left - right
}

// pdfNeedSpace starts a new page unless h millimetres fit above the bottom
// margin, and reports whether it did.
func pdfNeedSpace(pdf *fpdf.Fpdf, h float64) bool {
	_, pageH := pdf.GetPageSize()
	_, bottom := pdf.GetAutoPageBreak()
	if pdf.GetY()+h <= pageH-bottom {
		return false
	}
	pdf.AddPage()
	return true
}

// pdfFit shortens s with an ellipsis until it fits in a cell w millimetres wide
// in the current font.
func pdfFit(pdf *fpdf.Fpdf, s string, w float64) string {
	room := w - 2*pdf.GetCellMargin()
	if pdf.GetStringWidth(s) <= room {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > room {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// pdfTitle writes a report's title in large type.
func pdfTitle(pdf *fpdf.Fpdf, s string) {
	pdf.SetFont(pdfFont, "B", 20)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 9, s, "", "L", false)
	pdf.Ln(2)
}

// pdfHeading writes a section heading, on a new page unless it fits with
// keep millimetres of what follows it (at most half a page is asked for).
func pdfHeading(pdf *fpdf.Fpdf, s string, keep float64) {
	_, pageH := pdf.GetPageSize()
	pdfNeedSpace(pdf, 12+min(keep, pageH/2))
	pdf.Ln(3)
	pdf.SetFont(pdfFont, "B", 13)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 7, s, "", "L", false)
	pdf.Ln(1)
}

// pdfSubheading writes a minor heading in bold body type, kept with the
// header and first row of a table under it.
func pdfSubheading(pdf *fpdf.Fpdf, s string) {
	pdfNeedSpace(pdf, 6+pdfTableKeep)
	pdf.SetFont(pdfFont, "B", pdfBodyPt+1)
	pdfTextColour(pdf, pdfInk)
	pdf.MultiCell(0, 6, s, "", "L", false)
}

// pdfParagraph writes wrapped text in body type, or muted small type.
func pdfParagraph(pdf *fpdf.Fpdf, s string, muted bool) {
	pdf.SetFont(pdfFont, "", pdfBodyPt)
	pdfTextColour(pdf, pdfInk)
	if muted {
		pdf.SetFont(pdfFont, "", pdfSmallPt)
		pdfTextColour(pdf, pdfMuted)
	}
	pdf.MultiCell(0, pdfLineH, s, "", "L", false)
}

// pdfField is one labelled value of a cover page.
type pdfField struct {
	label, value string
}

// drawFields writes label–value pairs in two columns, wrapping long values.
func drawFields(pdf *fpdf.Fpdf, fields []pdfField) {
	const labelW = 48.0
	valueW := pdfContentWidth(pdf) - labelW
	for _, f := range fields {
		pdf.SetFont(pdfFont, "", pdfBodyPt)
		lines := max(len(pdf.SplitText(f.value, valueW)), 1)
		pdfNeedSpace(pdf, float64(lines)*pdfLineH)
		pdfTextColour(pdf, pdfMuted)
		pdf.CellFormat(labelW, pdfLineH, f.label, "", 0, "L", false, 0, "")
		pdfTextColour(pdf, pdfInk)
		pdf.MultiCell(valueW, pdfLineH, f.value, "", "L", false)
	}
}

// pdfColumn is one column of a table: its header, its share of the page width
// (weights are relative to the other columns) and alignment: "L", "C" or "R".
type pdfColumn struct {
	title  string
	weight float64
	align  string
}

// drawTable draws rows of text under a header row, one line per row with
// every cell shortened to its column, and repeats the header at the top of
// each page the rows continue on.
func drawTable(pdf *fpdf.Fpdf, cols []pdfColumn, rows [][]string) {
	var total float64
	for _, c := range cols {
		total += c.weight
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = pdfContentWidth(pdf) * c.weight / total
	}
	header := func() {
		pdf.SetFont(pdfFont, "B", pdfSmallPt)
		pdfFill(pdf, pdfHeadFill)
		pdfTextColour(pdf, pdfInk)
		for i, c := range cols {
			pdf.CellFormat(widths[i], pdfRowH, pdfFit(pdf, c.title, widths[i]), "", 0, c.align, true, 0, "")
		}
		pdf.Ln(pdfRowH)
		pdf.SetFont(pdfFont, "", pdfSmallPt)
	}
	pdfNeedSpace(pdf, pdfTableKeep)
	header()
	for n, row := range rows {
		if pdfNeedSpace(pdf, pdfRowH) {
			header()
		}
		pdfFill(pdf, pdfZebraFill)
		for i, c := range cols {
			pdf.CellFormat(widths[i], pdfRowH, pdfFit(pdf, row[i], widths[i]), "", 0, c.align, n%2 == 1, 0, "")
		}
		pdf.Ln(pdfRowH)
	}
	pdf.Ln(2)
}

// pdfBar is one labelled fraction of a bar chart; ok is false when there is no
// value to show.
type pdfBar struct {
	label string
	value float64
	ok    bool
}

// drawBars draws one horizontal bar per entry, as long as its fraction of
// the track and coloured by its compliance band, followed by its percentage.
func drawBars(pdf *fpdf.Fpdf, bars []pdfBar) {
	const labelW, textW, h = 60.0, 16.0, pdfBarH
	trackW := pdfContentWidth(pdf) - labelW - textW
	pdf.SetFont(pdfFont, "", pdfBodyPt)
	for _, b := range bars {
		pdfNeedSpace(pdf, h+pdfBarGap)
		x, y := pdf.GetXY()
		pdfTextColour(pdf, pdfInk)
		pdf.CellFormat(labelW, h, pdfFit(pdf, b.label, labelW), "", 0, "L", false, 0, "")
		pdfFill(pdf, emptyFill)
		pdf.Rect(x+labelW, y+0.75, trackW, h-1.5, "F")
		text := "n/a"
		if b.ok {
			text = pdfPercent(b.value)
			pdfFill(pdf, ComplianceFill(b.value))
			pdf.Rect(x+labelW, y+0.75, trackW*b.value, h-1.5, "F")
		}
		pdf.SetX(x + labelW + trackW)
		pdf.CellFormat(textW, h, text, "", 0, "R", false, 0, "")
		pdf.Ln(h + pdfBarGap)
	}
}

// pdfPercent renders a fraction as a percentage with one decimal.
func pdfPercent(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// Geometry of heatmaps in PDF reports.
const (
	heatMaxCellW   = 30.0
	heatMaxLabelW  = 70.0
	heatRowH       = 6.0
	heatTallRowH   = 10.0 // rows of short heatmaps, such as the 5×5 matrix
	heatHeadLineH  = 3.5
	heatHeadLines  = 3
	heatSwatchSide = 3.5
)

// drawHeatmap draws h under its title: the column header with the x-axis
// label, one row of coloured rectangles per heatmap row with the row label
// at its left, then the legend and note. Rows that do not fit continue on
// new pages, each starting with "(continued)" and the column header again, so
// a heatmap of thousands of rows prints whole.
func drawHeatmap(pdf *fpdf.Fpdf, h Heatmap) {
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	labelW := heatLabelWidth(pdf, h)
	cellW := min((pdfContentWidth(pdf)-labelW)/float64(max(len(h.Columns), 1)), heatMaxCellW)
	heads, lines := heatColumnHeads(pdf, h.Columns, cellW)
	height := heatRowH
	if len(h.Rows) <= 5 {
		height = heatTallRowH
	}
	keep := pdfLineH + float64(lines)*heatHeadLineH + 1 + float64(min(len(h.Rows), 3))*height
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
			pdfParagraph(pdf, h.Title+" (continued)", true)
			drawHeatmapHeader(pdf, h, heads, labelW, cellW, lines)
		}
		drawHeatmapRow(pdf, row, labelW, cellW, height)
	}
	pdf.Ln(2)
	drawLegend(pdf, h.Legend)
	if h.Note != "" {
		pdfParagraph(pdf, h.Note, true)
	}
}

// heatColumnHeads wraps each column header to its cell, in at most
// heatHeadLines lines, and returns the most lines any header takes.
func heatColumnHeads(pdf *fpdf.Fpdf, columns []string, cellW float64) ([][]string, int) {
	heads := make([][]string, len(columns))
	lines := 1
	for i, c := range columns {
		heads[i] = pdf.SplitText(c, cellW)
		if len(heads[i]) > heatHeadLines {
			heads[i] = heads[i][:heatHeadLines]
			heads[i][heatHeadLines-1] = pdfFit(pdf, heads[i][heatHeadLines-1]+"…", cellW)
		}
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
	pdf.CellFormat(labelW, height, pdfFit(pdf, row.Label, labelW), "", 0, "R", false, 0, "")
	pdfDrawColour(pdf, pdfHeatBorder)
	pdf.SetLineWidth(0.5)
	for i, c := range row.Cells {
		cx := x + labelW + float64(i)*cellW
		pdfFill(pdf, c.Fill)
		pdf.Rect(cx, y, cellW, height, "FD")
		pdfTextColour(pdf, TextColour(c.Fill))
		pdf.SetXY(cx, y)
		pdf.CellFormat(cellW, height, pdfFit(pdf, c.Text, cellW), "", 0, "C", false, 0, "")
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

// pdfBarsHeight is the height of a bar chart of n bars.
func pdfBarsHeight(n int) float64 { return float64(n) * (pdfBarH + pdfBarGap) }
