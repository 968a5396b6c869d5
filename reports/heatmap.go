// Package reports renders Assure's numbers for people: heatmaps as SVG (and,
// from the same models, in PDF reports), and the PDF and XLSX reports.
package reports

import (
	"fmt"
	"html"
	"io"
	"strings"

	"assure/domain"
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

// HeatCell is one coloured cell with its visible text and a longer title.
type HeatCell struct {
	Text  string
	Fill  string // #rrggbb
	Title string
}

// Swatch is one legend entry.
type Swatch struct {
	Label string
	Fill  string
}

// Colours of the levels, chosen to stay apart for colour-blind readers and
// on greyscale print; every cell also carries its value as text.
var levelFills = map[domain.RiskLevel]string{
	domain.LevelLow:      "#1a9850",
	domain.LevelMedium:   "#fee08b",
	domain.LevelHigh:     "#f46d43",
	domain.LevelCritical: "#a50026",
}

const emptyFill = "#eeeeee"

// LevelFill returns the fill of a risk level ("" for none).
func LevelFill(l domain.RiskLevel) string {
	if f, ok := levelFills[l]; ok {
		return f
	}
	return emptyFill
}

// ComplianceFill returns the fill of a compliance fraction in five bands.
func ComplianceFill(v float64) string {
	switch {
	case v < 0.2:
		return "#a50026"
	case v < 0.4:
		return "#f46d43"
	case v < 0.6:
		return "#fee08b"
	case v < 0.8:
		return "#a6d96a"
	}
	return "#1a9850"
}

// ComplianceLegend lists the compliance bands.
func ComplianceLegend() []Swatch {
	return []Swatch{{"< 20%", "#a50026"}, {"20–40%", "#f46d43"}, {"40–60%", "#fee08b"}, {"60–80%", "#a6d96a"},
		{"≥ 80%", "#1a9850"}, {"no control", emptyFill}}
}

// LevelLegend lists the risk levels.
func LevelLegend() []Swatch {
	return []Swatch{{"low (1–4)", levelFills[domain.LevelLow]}, {"medium (5–9)", levelFills[domain.LevelMedium]},
		{"high (10–16)", levelFills[domain.LevelHigh]}, {"critical (20–25)", levelFills[domain.LevelCritical]},
		{"not applicable", emptyFill}}
}

// TextColour returns black or white, whichever reads better on fill.
func TextColour(fill string) string {
	var r, g, b int
	if _, err := fmt.Sscanf(fill, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return "#000000"
	}
	if 0.299*float64(r)+0.587*float64(g)+0.114*float64(b) < 140 {
		return "#ffffff"
	}
	return "#000000"
}

// RiskMatrixHeatmap draws a 5×5 likelihood × impact matrix: likelihood
// rising upwards, impact rightwards, each cell coloured by the level of its
// score and showing its count.
func RiskMatrixHeatmap(title, subtitle string, counts [5][5]int) Heatmap {
	h := Heatmap{Title: title, Subtitle: subtitle, XLabel: "Impact", YLabel: "Likelihood",
		Columns: []string{"1", "2", "3", "4", "5"}, Legend: LevelLegend()[:4]}
	for l := 5; l >= 1; l-- {
		row := HeatRow{Label: fmt.Sprint(l)}
		for i := 1; i <= 5; i++ {
			n := counts[l-1][i-1]
			level := domain.LevelOf(l * i)
			row.Cells = append(row.Cells, HeatCell{Text: fmt.Sprint(n), Fill: LevelFill(level),
				Title: fmt.Sprintf("likelihood %d × impact %d = %d (%s): %d", l, i, l*i, level, n)})
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// Geometry of the SVG drawing.
const (
	cellW, cellH   = 96, 30
	labelW         = 220
	headerH        = 64
	titleH         = 58
	legendH        = 40
	fontFamily     = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
	maxHeaderChars = 16
)

// WriteSVG draws h as a standalone SVG document: no scripts, titled and
// described for screen readers, every cell labelled with its value.
func WriteSVG(w io.Writer, h Heatmap) error {
	cols := max(len(h.Columns), 1)
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
	// Column headers, slanted when long.
	for i, c := range h.Columns {
		x := labelW + i*cellW + cellW/2
		label := c
		if len([]rune(label)) > maxHeaderChars {
			label = string([]rune(label)[:maxHeaderChars-1]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#1d2733" text-anchor="middle"><title>%s</title>%s</text>`,
			x, gridTop-8, esc(c), esc(label))
	}
	for r, row := range h.Rows {
		y := gridTop + r*cellH
		label := row.Label
		if len([]rune(label)) > 34 {
			label = string([]rune(label)[:33]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#1d2733" text-anchor="end"><title>%s</title>%s</text>`,
			labelW-8, y+cellH/2+4, esc(row.Label), esc(label))
		for i, c := range row.Cells {
			x := labelW + i*cellW
			fmt.Fprintf(&b, `<g><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff" stroke-width="2"/>`,
				esc(c.Title), x, y, cellW, cellH, c.Fill)
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="%s" text-anchor="middle">%s</text></g>`,
				x+cellW/2, y+cellH/2+4, TextColour(c.Fill), esc(c.Text))
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
