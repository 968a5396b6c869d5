package reports

import (
	"bytes"
	"encoding/xml"
	"math"
	"slices"
	"strings"
	"testing"

	"assure/domain"
)

func TestWriteSVGIsWellFormedAndEscaped(t *testing.T) {
	h := Heatmap{Title: `Providers × dimensions — "Q1" <draft>`, Subtitle: "a & b", XLabel: "Dimension", YLabel: "Provider",
		Columns: []string{"Access control", "A very long dimension name indeed"},
		Rows: []HeatRow{{Label: `Crédit & Co <script>alert(1)</script>`, Cells: []HeatCell{
			{Text: "72%", Fill: ComplianceFill(0.72), Title: "x"}, {Text: "n/a", Fill: LevelFill("")}}}},
		Legend: ComplianceLegend(), Note: "more follow"}
	var b bytes.Buffer
	if err := WriteSVG(&b, h); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if strings.Contains(svg, "<script") || !strings.Contains(svg, "&lt;script&gt;") {
		t.Error("labels are not escaped")
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
	}
	for _, want := range []string{`role="img"`, "<title id=\"hm-title\">", "72%", "A very long dim", "more follow"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
}

func TestRiskMatrixHeatmap(t *testing.T) {
	var counts [5][5]int
	counts[4][4], counts[0][0] = 7, 2
	h := RiskMatrixHeatmap("Residual", "sub", counts)
	// Likelihood 5 is the top row; impact 5 the right column.
	if h.Rows[0].Label != "5" || h.Rows[0].Cells[4].Text != "7" || h.Rows[4].Cells[0].Text != "2" {
		t.Errorf("matrix layout: %+v", h.Rows)
	}
	if h.Rows[0].Cells[4].Fill != LevelFill(domain.LevelCritical) || h.Rows[4].Cells[0].Fill != LevelFill(domain.LevelLow) {
		t.Error("cells are not coloured by the level of their score")
	}
	if TextColour(LevelFill(domain.LevelCritical)) != "#ffffff" || TextColour(LevelFill(domain.LevelMedium)) != "#000000" {
		t.Error("text colour does not contrast")
	}
}

// The fills of the bands, written out so that a moved edge or a swapped
// colour fails below.
const (
	fillRed        = "#a50026"
	fillOrange     = "#f46d43"
	fillYellow     = "#fee08b"
	fillLightGreen = "#a6d96a"
	fillGreen      = "#1a9850"
)

// TestComplianceFillBandEdges pins the fill on each side of every edge:
// the edge itself opens the band above it, the value just below stays in
// the band below.
func TestComplianceFillBandEdges(t *testing.T) {
	for _, c := range []struct {
		edge         float64
		below, above string
	}{
		{0.2, fillRed, fillOrange},
		{0.4, fillOrange, fillYellow},
		{0.6, fillYellow, fillLightGreen},
		{0.8, fillLightGreen, fillGreen},
	} {
		if got := ComplianceFill(math.Nextafter(c.edge, 0)); got != c.below {
			t.Errorf("just below %v: %s, want %s", c.edge, got, c.below)
		}
		if got := ComplianceFill(c.edge); got != c.above {
			t.Errorf("at %v: %s, want %s", c.edge, got, c.above)
		}
		// One percentage point either side, as a cell's text shows it.
		if got := ComplianceFill(c.edge - 0.01); got != c.below {
			t.Errorf("at %v: %s, want %s", c.edge-0.01, got, c.below)
		}
		if got := ComplianceFill(c.edge + 0.01); got != c.above {
			t.Errorf("at %v: %s, want %s", c.edge+0.01, got, c.above)
		}
	}
	if ComplianceFill(0) != fillRed || ComplianceFill(1) != fillGreen {
		t.Error("the ends of the scale are not red and green")
	}
	// The legend names the same bands in the same colours.
	want := []Swatch{{"< 20%", fillRed}, {"20–40%", fillOrange}, {"40–60%", fillYellow}, {"60–80%", fillLightGreen},
		{"≥ 80%", fillGreen}, {"no control", emptyFill}}
	if got := ComplianceLegend(); !slices.Equal(got, want) {
		t.Errorf("compliance legend = %v, want %v", got, want)
	}
}

// TestLevelFillBandEdges pins the fill of every cell of the risk matrix, and
// so of every score on each side of the level edges (4/5, 9/10, 16/20).
func TestLevelFillBandEdges(t *testing.T) {
	levelFill := map[domain.RiskLevel]string{domain.LevelLow: fillGreen, domain.LevelMedium: fillYellow,
		domain.LevelHigh: fillOrange, domain.LevelCritical: fillRed, "": emptyFill}
	for l, want := range levelFill {
		if got := LevelFill(l); got != want {
			t.Errorf("LevelFill(%q) = %s, want %s", l, got, want)
		}
	}
	// Rows from likelihood 5 down to 1, columns impact 1 to 5: L low,
	// M medium, H high, C critical.
	matrix := []string{
		"MHHCC", // 5 10 15 20 25
		"LMHHC", // 4  8 12 16 20
		"LMMHH", // 3  6  9 12 15
		"LLMMH", // 2  4  6  8 10
		"LLLLM", // 1  2  3  4  5
	}
	letters := map[byte]domain.RiskLevel{'L': domain.LevelLow, 'M': domain.LevelMedium, 'H': domain.LevelHigh,
		'C': domain.LevelCritical}
	h := RiskMatrixHeatmap("Residual", "sub", [5][5]int{})
	for r, row := range matrix {
		for c := range row {
			want := levelFill[letters[row[c]]]
			if got := h.Rows[r].Cells[c].Fill; got != want {
				t.Errorf("likelihood %d × impact %d: fill %s, want %s (%s)", 5-r, c+1, got, want, letters[row[c]])
			}
		}
	}
	want := []Swatch{{"low (1–4)", fillGreen}, {"medium (5–9)", fillYellow}, {"high (10–16)", fillOrange},
		{"critical (20–25)", fillRed}, {"not applicable", emptyFill}}
	if got := LevelLegend(); !slices.Equal(got, want) {
		t.Errorf("level legend = %v, want %v", got, want)
	}
}
