package reports

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"assure/texts"
)

// The PDF reports share one page layout and the drawing primitives in this
// file (headings, paragraphs, fields, bars) and beside it: tables in
// pdf_table.go, heatmaps in pdf_heatmap.go, key figures and the sign-off in
// pdf_blocks.go. The reports themselves are in pdf_assessment.go and
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
	// pdfTableKeep is the room a table needs below what precedes it, so that
	// a heading never ends a page alone: as much as drawTable keeps together
	// itself, a header of up to three lines and four lines of its first row.
	pdfTableKeep = 7*pdfCellLineH + 4*pdfCellPad + 1
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
	return pdfDocumentOn(NewPDFBlank(orientation), p, title, header, draft, generatedAt)
}

// PDFBlank is an A4 document with the reports' fonts loaded and nothing
// else: most of what starting a report costs (fpdf parses each TrueType
// font it is given), and nothing that depends on the report's data, so it
// can be made while that data is being read. A blank makes one report.
type PDFBlank struct {
	pdf         *fpdf.Fpdf
	orientation string
}

// NewPDFBlank starts a document in orientation "P" or "L".
func NewPDFBlank(orientation string) *PDFBlank {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(pdfFont, "", pdfFontRegular)
	pdf.AddUTF8FontFromBytes(pdfFont, "B", pdfFontBold)
	return &PDFBlank{pdf: pdf, orientation: orientation}
}

// pdfDocumentOn is pdfDocument on a blank already made.
func pdfDocumentOn(blank *PDFBlank, p texts.Printer, title, header, draft string, generatedAt time.Time) *fpdf.Fpdf {
	pdf := blank.pdf
	pdf.SetTitle(title, true)
	pdf.SetCreator("Assure", true)
	pdf.SetCreationDate(generatedAt)
	pdf.SetModificationDate(generatedAt)
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

// pdfRGB reads a "#rrggbb" colour; anything else is black.
func pdfRGB(hex string) (r, g, b int) {
	rgb, _ := parseRGB(hex)
	return rgb[0], rgb[1], rgb[2]
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

// pdfBarsHeight is the height of a bar chart of n bars.
func pdfBarsHeight(n int) float64 { return float64(n) * (pdfBarH + pdfBarGap) }
