package reports

import (
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"assure/texts"
)

// Tables of the PDF reports: cells that wrap, rows as tall as their
// tallest cell, and headers repeated under a continued title on every page.

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

// pdfCellSpace turns every line break into \n and a tab into a space, once
// made for every cell.
var pdfCellSpace = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ")

// pdfLines wraps s to a cell w millimetres wide in the current font: at
// spaces and line breaks, and inside a word only when it is wider than the
// cell by itself.
func pdfLines(pdf *fpdf.Fpdf, s string, w float64) []string {
	var out []string
	s = pdfCellSpace.Replace(s)
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
