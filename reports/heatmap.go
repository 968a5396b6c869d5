// Package reports renders Assure's numbers for people: heatmaps as SVG (and,
// from the same models, in PDF reports), and the PDF and XLSX reports.
package reports

import (
	"embed"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"

	"assure/domain"
	"assure/texts"
)

// Heatmap is a grid of coloured, labelled cells with titled axes and a
// legend. The same model is drawn as SVG and in PDF reports.
type Heatmap struct {
	Title    string
	Subtitle string
	XLabel   string   // what the columns are
	YLabel   string   // what the rows are
	Columns  []string // column headers, left to right
	Rows     []HeatRow
	Legend   []Swatch
	Note     string // shown under the grid, e.g. paging
}

// HeatRow is one row: a label and one cell per column.
type HeatRow struct {
	Label string
	Cells []HeatCell
}

// HeatCell is one coloured cell with its visible text, an optional second
// line (such as the level a matrix cell's colour stands for) and a longer
// title.
type HeatCell struct {
	Text  string
	Fill  string // #rrggbb
	Title string
	Sub   string
}

// Swatch is one legend entry.
type Swatch struct {
	Label string
	Fill  string
}

// The colour scale of levels and compliance bands is one sequential ramp,
// pale yellow through orange and red to dark purple, whose lightness (CIE
// L*) falls with every step: it reads in the right order on greyscale print
// and stays apart under the common colour-vision deficiencies, which keep
// lightness. Darker is always worse: a higher risk level, a lower compliance
// band. Every cell also carries its value or level as text.
const (
	rampPalest  = "#ffffcc"
	rampPale    = "#fecc5c"
	rampMiddle  = "#fd8d3c"
	rampDark    = "#e31a1c"
	rampDarkest = "#5c1a7a"
)

var levelFills = map[domain.RiskLevel]string{
	domain.LevelLow:      rampPale,
	domain.LevelMedium:   rampMiddle,
	domain.LevelHigh:     rampDark,
	domain.LevelCritical: rampDarkest,
}

// emptyFill is the muted fill of a cell with nothing in it: no number, or a
// risk-matrix cell that counts nothing.
const emptyFill = "#eeeeee"

// LevelFill returns the fill of a risk level ("" for none).
func LevelFill(l domain.RiskLevel) string {
	if f, ok := levelFills[l]; ok {
		return f
	}
	return emptyFill
}

// complianceBands are the lower edges of the compliance bands, best first,
// with their fills.
var complianceBands = []struct {
	from  float64
	label string
	fill  string
}{
	{0.8, "≥ 80%", rampPalest},
	{0.6, "60–80%", rampPale},
	{0.4, "40–60%", rampMiddle},
	{0.2, "20–40%", rampDark},
	{0, "< 20%", rampDarkest},
}

// ComplianceFill returns the fill of a compliance fraction in five bands.
func ComplianceFill(v float64) string {
	for _, b := range complianceBands {
		if v >= b.from {
			return b.fill
		}
	}
	return rampDarkest
}

// ComplianceLegend lists the compliance bands, lowest first, in English.
func ComplianceLegend() []Swatch { return ComplianceLegendIn(englishPrinter()) }

// ComplianceLegendIn lists the compliance bands, lowest first, in p's language.
func ComplianceLegendIn(p texts.Printer) []Swatch {
	var out []Swatch
	for _, b := range slices.Backward(complianceBands) {
		out = append(out, Swatch{b.label, b.fill})
	}
	return append(out, Swatch{p.T("no control"), emptyFill})
}

// levelRanges are the scores of each level, as legends print them.
var levelRanges = map[domain.RiskLevel]string{domain.LevelLow: "1–4", domain.LevelMedium: "5–9",
	domain.LevelHigh: "10–16", domain.LevelCritical: "20–25"}

// LevelLegend lists the risk levels, lowest first, in English.
func LevelLegend() []Swatch { return LevelLegendIn(englishPrinter()) }

// LevelLegendIn lists the risk levels, lowest first, in p's language.
func LevelLegendIn(p texts.Printer) []Swatch {
	var out []Swatch
	for _, l := range domain.RiskLevels {
		out = append(out, Swatch{fmt.Sprintf("%s (%s)", p.Name(l), levelRanges[l]), levelFills[l]})
	}
	return append(out, Swatch{p.Name(domain.NotApplicable), emptyFill})
}

// TextColour returns black or white, whichever contrasts more with fill
// (WCAG 2 contrast ratio); every fill of the scale keeps 4.5:1 or more.
func TextColour(fill string) string {
	if ContrastRatio(fill, "#ffffff") > ContrastRatio(fill, "#000000") {
		return "#ffffff"
	}
	return "#000000"
}

// RelativeLuminance is the WCAG 2 relative luminance of a "#rrggbb" colour
// (0 black … 1 white); anything else counts as black.
func RelativeLuminance(hex string) float64 {
	rgb, ok := parseRGB(hex)
	if !ok {
		return 0
	}
	var lin [3]float64
	for i, c := range rgb {
		v := float64(c) / 255
		if v <= 0.04045 {
			lin[i] = v / 12.92
		} else {
			lin[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2]
}

// ContrastRatio is the WCAG 2 contrast ratio of two colours (1–21).
func ContrastRatio(a, b string) float64 {
	la, lb := RelativeLuminance(a), RelativeLuminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// englishPrinter prints the reports' words in English, for callers that
// draw heatmaps without a language.
func englishPrinter() texts.Printer {
	p, err := printerFor(domain.English)
	if err != nil {
		// The catalogs are embedded and tested; English needs none of them.
		c, _ := texts.Load(embed.FS{}, "none")
		return c.Printer(domain.English)
	}
	return p
}

// RiskMatrixHeatmap draws a 5×5 likelihood × impact matrix in English: see
// RiskMatrixHeatmapIn.
func RiskMatrixHeatmap(title, subtitle string, counts [5][5]int) Heatmap {
	return RiskMatrixHeatmapIn(englishPrinter(), title, subtitle, counts)
}

// RiskMatrixHeatmapIn draws a 5×5 likelihood × impact matrix in p's
// language: likelihood rising upwards, impact rightwards, each cell showing
// its count and, in words, the level of its score. A cell that counts
// something is coloured by that level; an empty one is muted.
func RiskMatrixHeatmapIn(p texts.Printer, title, subtitle string, counts [5][5]int) Heatmap {
	h := Heatmap{Title: title, Subtitle: subtitle, XLabel: p.T("Impact"), YLabel: p.T("Likelihood"),
		Columns: []string{"1", "2", "3", "4", "5"}, Legend: append(LevelLegendIn(p)[:4], Swatch{p.T("none counted"), emptyFill})}
	for l := 5; l >= 1; l-- {
		row := HeatRow{Label: fmt.Sprint(l)}
		for i := 1; i <= 5; i++ {
			n := counts[l-1][i-1]
			level := domain.LevelOf(l * i)
			fill := LevelFill(level)
			if n == 0 {
				fill = emptyFill
			}
			row.Cells = append(row.Cells, HeatCell{Text: fmt.Sprint(n), Sub: p.Name(level), Fill: fill,
				Title: p.T("likelihood %d × impact %d = %d (%s): %d", l, i, l*i, p.Name(level), n)})
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// Geometry of the SVG drawing.
const (
	cellW, cellH    = 96, 30
	labelW          = 220
	headLineH       = 13
	titleH          = 58
	legendH         = 40
	fontFamily      = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
	svgHeaderChars  = 14 // characters of 11-pixel type in a column
	svgRowLabelRune = 34
)

// WriteSVG draws h as a standalone SVG document: no scripts, titled and
// described for screen readers, every cell labelled with its value. Column
// headers wrap onto as many lines as they need.
func WriteSVG(w io.Writer, h Heatmap) error {
	cols := max(len(h.Columns), 1)
	heads := make([][]string, len(h.Columns))
	lines := 1
	for i, c := range h.Columns {
		heads[i] = WrapWords(c, svgHeaderChars)
		lines = max(lines, len(heads[i]))
	}
	headerH := 24 + lines*headLineH
	width := labelW + cols*cellW + 20
	gridTop := titleH + headerH
	height := gridTop + len(h.Rows)*cellH + legendH + 40
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="hm-title hm-desc" font-family="%s">`,
		width, height, width, height, fontFamily)
	fmt.Fprintf(&b, `<title id="hm-title">%s</title>`, esc(h.Title))
	fmt.Fprintf(&b, `<desc id="hm-desc">%s. Rows: %s; columns: %s. %d rows.</desc>`, esc(h.Subtitle), esc(h.YLabel), esc(h.XLabel), len(h.Rows))
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>`)
	fmt.Fprintf(&b, `<text x="10" y="24" font-size="18" font-weight="700" fill="#1d2733">%s</text>`, esc(h.Title))
	fmt.Fprintf(&b, `<text x="10" y="44" font-size="12" fill="#5b6b7c">%s</text>`, esc(h.Subtitle))
	// Axis titles.
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="700" fill="#1d2733" text-anchor="middle">%s →</text>`,
		labelW+cols*cellW/2, titleH+14, esc(h.XLabel))
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="12" font-weight="700" fill="#1d2733">%s ↓</text>`, gridTop-8, esc(h.YLabel))
	// Column headers, wrapped and bottom-aligned over their column.
	for i, c := range h.Columns {
		x := labelW + i*cellW + cellW/2
		top := gridTop - 8 - (len(heads[i])-1)*headLineH
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#1d2733" text-anchor="middle"><title>%s</title>`, x, top, esc(c))
		for k, line := range heads[i] {
			dy := 0
			if k > 0 {
				dy = headLineH
			}
			fmt.Fprintf(&b, `<tspan x="%d" dy="%d">%s</tspan>`, x, dy, esc(line))
		}
		b.WriteString(`</text>`)
	}
	for r, row := range h.Rows {
		y := gridTop + r*cellH
		label := row.Label
		if len([]rune(label)) > svgRowLabelRune {
			label = string([]rune(label)[:svgRowLabelRune-1]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#1d2733" text-anchor="end"><title>%s</title>%s</text>`,
			labelW-8, y+cellH/2+4, esc(row.Label), esc(label))
		for i, c := range row.Cells {
			x := labelW + i*cellW
			fmt.Fprintf(&b, `<g><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff" stroke-width="2"/>`,
				esc(c.Title), x, y, cellW, cellH, c.Fill)
			if c.Sub == "" {
				fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="%s" text-anchor="middle">%s</text></g>`,
					x+cellW/2, y+cellH/2+4, TextColour(c.Fill), esc(c.Text))
				continue
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="700" fill="%s" text-anchor="middle">%s</text>`,
				x+cellW/2, y+cellH/2-1, TextColour(c.Fill), esc(c.Text))
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" fill="%s" text-anchor="middle">%s</text></g>`,
				x+cellW/2, y+cellH/2+10, TextColour(c.Fill), esc(c.Sub))
		}
	}
	ly := gridTop + len(h.Rows)*cellH + 24
	x := 10
	for _, s := range h.Legend {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s" stroke="#5b6b7c" stroke-width="0.5"/>`, x, ly-11, s.Fill)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#1d2733">%s</text>`, x+18, ly, esc(s.Label))
		x += 26 + 7*len([]rune(s.Label))
	}
	if h.Note != "" {
		fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11" fill="#5b6b7c">%s</text>`, ly+22, esc(h.Note))
	}
	b.WriteString(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// WrapWords breaks s into lines of at most width characters at spaces; a
// word longer than width is split. Nothing is dropped: the lines hold every
// character of s but the spaces they break at.
func WrapWords(s string, width int) []string {
	width = max(width, 1)
	var lines []string
	var line []rune
	for _, word := range strings.Fields(s) {
		r := []rune(word)
		if len(line) > 0 && len(line)+1+len(r) <= width {
			line = append(append(line, ' '), r...)
			continue
		}
		if len(line) > 0 {
			lines = append(lines, string(line))
		}
		for len(r) > width {
			lines = append(lines, string(r[:width]))
			r = r[width:]
		}
		line = r
	}
	if len(line) > 0 || len(lines) == 0 {
		lines = append(lines, string(line))
	}
	return lines
}
