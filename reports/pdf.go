package reports

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"assure/domain"
	"assure/texts"
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

// pdfDraftFill is the band that marks every page of a report whose figures
// are not final.
const pdfDraftFill = "#9b1c1c"

// pdfDocument starts an A4 document in orientation "P" or "L" with the
// embedded fonts, a running header, and a footer that numbers pages and says
// when the report was generated, all in p's language. When draft is not
// empty, every page carries it in a band across its top: the mark of a
// report whose figures may still change.
func pdfDocument(p texts.Printer, orientation, title, header, draft string, generatedAt time.Time) *fpdf.Fpdf {
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
	stamp := p.T("Generated %s", p.Time(generatedAt))
	pdf.SetHeaderFunc(func() {
		if draft != "" {
			pdfFill(pdf, pdfDraftFill)
			pdfTextColour(pdf, "#ffffff")
			pdf.SetFont(pdfFont, "B", pdfBodyPt)
			pdf.SetXY(pdfMargin, 3)
			pdf.CellFormat(0, 5.5, pdfFit(pdf, draft, pdfContentWidth(pdf)), "", 0, "C", true, 0, "")
		}
		pdf.SetFont(pdfFont, "", pdfSmallPt)
		pdfTextColour(pdf, pdfMuted)
		pdfDrawColour(pdf, pdfMuted)
		pdf.SetXY(pdfMargin, 9.5)
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
		pdf.CellFormat(0, pdfLineH, p.T("Page %s of %s", fmt.Sprint(pdf.PageNo()), "{nb}"), "", 0, "R", false, 0, "")
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

// Geometry of table rows.
const (
	pdfCellLineH = 3.7 // a line of small type in a cell
	pdfCellPad   = 0.9 // above and below a cell's lines
)

// drawTable draws rows of text under a header row. Every cell wraps to its
// column, and a row is as tall as its tallest cell. When the rows go on to
// another page, that page starts with title marked as continued and the
// header again; a row taller than a whole page is split between pages.
func drawTable(pdf *fpdf.Fpdf, p texts.Printer, title string, cols []pdfColumn, rows [][]string) {
	var total float64
	for _, c := range cols {
		total += c.weight
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = pdfContentWidth(pdf) * c.weight / total
	}
	pdf.SetFont(pdfFont, "B", pdfSmallPt)
	heads := make([][]string, len(cols))
	for i, c := range cols {
		heads[i] = pdfLines(pdf, c.title, widths[i])
	}
	headH := pdfLinesHeight(heads)
	header := func() {
		pdf.SetFont(pdfFont, "B", pdfSmallPt)
		pdfFill(pdf, pdfHeadFill)
		pdfTextColour(pdf, pdfInk)
		drawTableRow(pdf, cols, widths, heads, 0, headH, true)
		pdf.SetFont(pdfFont, "", pdfSmallPt)
	}
	continued := func() {
		pdf.SetFont(pdfFont, "B", pdfSmallPt)
		pdfTextColour(pdf, pdfMuted)
		pdf.MultiCell(0, pdfLineH, p.T("%s (continued)", title), "", "L", false)
		header()
	}
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	first := 0.0
	if len(rows) > 0 {
		first = pdfLinesHeight(pdfRowLines(pdf, widths, rows[0]))
	}
	// A table that must start on the next page leaves its title behind: it
	// says so there.
	if pdfNeedSpace(pdf, headH+min(first, 4*pdfCellLineH+2*pdfCellPad)+1) {
		continued()
	} else {
		header()
	}
	for n, row := range rows {
		pdf.SetFont(pdfFont, "", pdfSmallPt)
		lines := pdfRowLines(pdf, widths, row)
		pdfFill(pdf, pdfZebraFill)
		pdfTextColour(pdf, pdfInk)
		from := 0
		for {
			fit := int((pdfRoom(pdf) - 2*pdfCellPad) / pdfCellLineH)
			rest := pdfMaxLines(lines) - from
			if rest <= fit {
				drawTableRow(pdf, cols, widths, lines, from, float64(rest)*pdfCellLineH+2*pdfCellPad, n%2 == 1)
				break
			}
			// A row that fits on a fresh page moves there whole; only a row
			// taller than a page is cut, and never into slivers.
			freshFit := int((pdfPageRoom(pdf) - pdfLineH - headH - 2*pdfCellPad) / pdfCellLineH)
			if rest > freshFit && fit >= 3 {
				drawTableRow(pdf, cols, widths, lines, from, float64(fit)*pdfCellLineH+2*pdfCellPad, n%2 == 1)
				from += fit
			}
			pdf.AddPage()
			continued()
			pdf.SetFont(pdfFont, "", pdfSmallPt)
			pdfFill(pdf, pdfZebraFill)
			pdfTextColour(pdf, pdfInk)
		}
	}
	pdf.Ln(2)
}

// pdfRowLines wraps each cell of a row to its column.
func pdfRowLines(pdf *fpdf.Fpdf, widths []float64, row []string) [][]string {
	lines := make([][]string, len(widths))
	for i := range widths {
		cell := ""
		if i < len(row) {
			cell = row[i]
		}
		lines[i] = pdfLines(pdf, cell, widths[i])
	}
	return lines
}

// pdfLines wraps s to a cell w millimetres wide in the current font: at
// spaces and line breaks, and inside a word only when it is wider than the
// cell by itself.
func pdfLines(pdf *fpdf.Fpdf, s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		lines := pdf.SplitText(para, w)
		if len(lines) == 0 {
			lines = []string{""}
		}
		out = append(out, lines...)
	}
	return out
}

// pdfMaxLines is the number of lines of a row's tallest cell.
func pdfMaxLines(cells [][]string) int {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

// pdfLinesHeight is the height of a row whose cells have these lines.
func pdfLinesHeight(cells [][]string) float64 {
	return float64(pdfMaxLines(cells))*pdfCellLineH + 2*pdfCellPad
}

// drawTableRow draws the lines from..from+fit of every cell of one row, h
// millimetres tall, on a filled background when fill is set.
func drawTableRow(pdf *fpdf.Fpdf, cols []pdfColumn, widths []float64, lines [][]string, from int, h float64, fill bool) {
	x, y := pdf.GetXY()
	if fill {
		pdf.Rect(x, y, pdfContentWidth(pdf), h, "F")
	}
	fit := int((h - 2*pdfCellPad + 0.01) / pdfCellLineH)
	cx := x
	for i, c := range cols {
		for k := from; k < len(lines[i]) && k < from+fit; k++ {
			pdf.SetXY(cx, y+pdfCellPad+float64(k-from)*pdfCellLineH)
			pdf.CellFormat(widths[i], pdfCellLineH, lines[i][k], "", 0, c.align, false, 0, "")
		}
		cx += widths[i]
	}
	pdf.SetXY(x, y+h)
}

// pdfRoom is the height left above the bottom margin of the current page.
func pdfRoom(pdf *fpdf.Fpdf) float64 {
	_, pageH := pdf.GetPageSize()
	_, bottom := pdf.GetAutoPageBreak()
	return pageH - bottom - pdf.GetY()
}

// pdfPageRoom is the height between the top and bottom margins of a page.
func pdfPageRoom(pdf *fpdf.Fpdf) float64 {
	_, pageH := pdf.GetPageSize()
	_, bottom := pdf.GetAutoPageBreak()
	return pageH - bottom - pdfTop
}

// pdfBar is one labelled fraction of a bar chart; ok is false when there is no
// value to show.
type pdfBar struct {
	label string
	value float64
	ok    bool
}

// drawBars draws one horizontal bar per entry, as long as its fraction of
// the track and coloured by its compliance band, followed by its
// percentage. A label too long for its column wraps, and its row grows.
func drawBars(pdf *fpdf.Fpdf, p texts.Printer, bars []pdfBar) {
	const labelW, textW, h = 60.0, 16.0, pdfBarH
	trackW := pdfContentWidth(pdf) - labelW - textW
	pdf.SetFont(pdfFont, "", pdfBodyPt)
	for _, b := range bars {
		lines := pdfLines(pdf, b.label, labelW)
		rowH := max(h, float64(len(lines))*pdfCellLineH+0.8)
		pdfNeedSpace(pdf, rowH+pdfBarGap)
		x, y := pdf.GetXY()
		pdfTextColour(pdf, pdfInk)
		top := y + (rowH-float64(len(lines))*pdfCellLineH)/2
		for k, line := range lines {
			pdf.SetXY(x, top+float64(k)*pdfCellLineH)
			pdf.CellFormat(labelW, pdfCellLineH, line, "", 0, "L", false, 0, "")
		}
		barY := y + (rowH-h)/2
		pdfFill(pdf, emptyFill)
		pdf.Rect(x+labelW, barY+0.75, trackW, h-1.5, "F")
		text := p.T("n/a")
		if b.ok {
			text = pdfPercent(p, b.value)
			pdfFill(pdf, ComplianceFill(b.value))
			pdfDrawColour(pdf, pdfMuted)
			pdf.SetLineWidth(0.1)
			pdf.Rect(x+labelW, barY+0.75, trackW*b.value, h-1.5, "FD")
			pdf.SetLineWidth(0.2)
		}
		pdf.SetXY(x+labelW+trackW, barY)
		pdf.CellFormat(textW, h, text, "", 0, "R", false, 0, "")
		pdf.SetXY(x, y+rowH+pdfBarGap)
	}
}

// pdfPercent renders a fraction as a percentage with one decimal.
func pdfPercent(p texts.Printer, v float64) string { return p.T("%s%%", p.Decimal(100*v, 1)) }

// pdfWholePercent renders a fraction as a whole percentage.
func pdfWholePercent(p texts.Printer, v float64) string { return p.T("%s%%", p.Decimal(100*v, 0)) }

// Geometry of heatmaps in PDF reports.
const (
	heatMaxCellW   = 30.0
	heatMaxLabelW  = 70.0
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
	if two {
		pdf.SetXY(x, y+height/2-heatHeadLineH)
		pdf.CellFormat(labelW, heatHeadLineH, pdfFit(pdf, row.Label, labelW), "", 0, "R", false, 0, "")
		pdf.SetXY(x+labelW, y)
	} else {
		pdf.CellFormat(labelW, height, pdfFit(pdf, row.Label, labelW), "", 0, "R", false, 0, "")
	}
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

// pdfBarsHeight is the height of a bar chart of n bars.
func pdfBarsHeight(n int) float64 { return float64(n) * (pdfBarH + pdfBarGap) }

// pdfFigure is one key figure of a cover: a large value over its label.
type pdfFigure struct {
	value, label string
}

// drawFigures draws key figures side by side in framed boxes.
func drawFigures(pdf *fpdf.Fpdf, figures []pdfFigure) {
	if len(figures) == 0 {
		return
	}
	const gap, valueH = 3.0, 9.0
	w := (pdfContentWidth(pdf) - gap*float64(len(figures)-1)) / float64(len(figures))
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	labelLines := 1
	for _, f := range figures {
		labelLines = max(labelLines, len(pdfLines(pdf, f.label, w-2)))
	}
	h := valueH + float64(labelLines)*pdfCellLineH + 4
	pdfNeedSpace(pdf, h+2)
	x, y := pdf.GetXY()
	for i, f := range figures {
		bx := x + float64(i)*(w+gap)
		pdfFill(pdf, pdfZebraFill)
		pdfDrawColour(pdf, pdfHeadFill)
		pdf.Rect(bx, y, w, h, "FD")
		pdf.SetFont(pdfFont, "B", 16)
		pdfTextColour(pdf, pdfInk)
		pdf.SetXY(bx, y+1.5)
		pdf.CellFormat(w, valueH, pdfFit(pdf, f.value, w), "", 0, "C", false, 0, "")
		pdf.SetFont(pdfFont, "", pdfSmallPt)
		pdfTextColour(pdf, pdfMuted)
		for k, line := range pdfLines(pdf, f.label, w-2) {
			pdf.SetXY(bx+1, y+1.5+valueH+float64(k)*pdfCellLineH)
			pdf.CellFormat(w-2, pdfCellLineH, line, "", 0, "C", false, 0, "")
		}
	}
	pdf.SetXY(x, y+h+3)
}

// drawSignOff draws the sign-off block: one row per role with the name, the
// date and a line to sign on; a role not yet filled leaves blank lines.
func drawSignOff(pdf *fpdf.Fpdf, p texts.Printer, lines []SignOffLine) {
	const rowH = 13.0
	pdfHeading(pdf, p.T("Sign-off"), float64(len(lines))*rowH+pdfLineH)
	w := pdfContentWidth(pdf)
	roleW, dateW := w*0.2, w*0.22
	nameW := w - roleW - dateW - w*0.22
	signW := w - roleW - nameW - dateW
	pdf.SetFont(pdfFont, "B", pdfSmallPt)
	pdfTextColour(pdf, pdfMuted)
	for i, head := range []string{p.T("Role"), p.T("Name"), p.T("Date"), p.T("Signature")} {
		pdf.CellFormat([]float64{roleW, nameW, dateW, signW}[i], pdfLineH, head, "", 0, "L", false, 0, "")
	}
	pdf.Ln(pdfLineH)
	pdfDrawColour(pdf, pdfMuted)
	for _, l := range lines {
		pdf.SetFont(pdfFont, "", pdfBodyPt)
		lineCount := max(len(pdfLines(pdf, l.Name, nameW-3)), 1)
		h := max(rowH, float64(lineCount)*pdfLineH+4)
		pdfNeedSpace(pdf, h)
		x, y := pdf.GetXY()
		pdfTextColour(pdf, pdfInk)
		pdf.SetFont(pdfFont, "B", pdfBodyPt)
		pdf.SetXY(x, y+h-pdfLineH-1)
		pdf.CellFormat(roleW, pdfLineH, l.Role, "", 0, "L", false, 0, "")
		pdf.SetFont(pdfFont, "", pdfBodyPt)
		for k, line := range pdfLines(pdf, l.Name, nameW-3) {
			pdf.SetXY(x+roleW, y+h-1-float64(lineCount-k)*pdfLineH)
			pdf.CellFormat(nameW-3, pdfLineH, line, "", 0, "L", false, 0, "")
		}
		date := ""
		if l.At != nil {
			date = p.Date(domain.DateOf(*l.At))
		}
		pdf.SetXY(x+roleW+nameW, y+h-pdfLineH-1)
		pdf.CellFormat(dateW-3, pdfLineH, date, "", 0, "L", false, 0, "")
		// The lines to write or sign on.
		base := y + h - 1
		if l.Name == "" {
			pdf.Line(x+roleW, base, x+roleW+nameW-3, base)
		}
		if l.At == nil {
			pdf.Line(x+roleW+nameW, base, x+roleW+nameW+dateW-3, base)
		}
		pdf.Line(x+roleW+nameW+dateW, base, x+w, base)
		pdf.SetXY(x, y+h+1)
	}
	pdf.Ln(2)
}
