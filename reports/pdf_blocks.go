package reports

import (
	"codeberg.org/go-pdf/fpdf"

	"assure/domain"
	"assure/texts"
)

// Blocks of a board pack: key figures and the sign-off.

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
