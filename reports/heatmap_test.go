package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
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
	for _, want := range []string{`role="img"`, "<title id=\"hm-title\">", "72%", "A very long", "dimension name", "more follow"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
}

func TestWriteSVGWrapsLongColumnHeaders(t *testing.T) {
	long := "Third parties (banks, billers, aggregators and agents)"
	h := Heatmap{Title: "t", Columns: []string{long, "Short"}, Rows: []HeatRow{{Label: "P", Cells: []HeatCell{
		{Text: "3", Sub: "High", Fill: LevelFill(domain.LevelHigh)}, {Text: "n/a", Fill: emptyFill}}}}}
	var b bytes.Buffer
	if err := WriteSVG(&b, h); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	lines := WrapWords(long, svgHeaderChars)
	if len(lines) < 3 {
		t.Fatalf("%q wraps to %q", long, lines)
	}
	for _, l := range lines {
		if len([]rune(l)) > svgHeaderChars || !strings.Contains(svg, ">"+l+"</tspan>") {
			t.Errorf("header line %q is not drawn whole", l)
		}
	}
	if strings.Join(lines, " ") != long || strings.Contains(svg, "…") {
		t.Errorf("the header is cut: %q", lines)
	}
	if !strings.Contains(svg, ">High</text>") {
		t.Error("the cell's second line (its level) is not drawn")
	}
}

func TestWrapWords(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  []string
	}{
		{"Access control", 16, []string{"Access control"}},
		{"Mobile network operator", 10, []string{"Mobile", "network", "operator"}},
		{"Non-repudiation", 6, []string{"Non-re", "pudiat", "ion"}},
		{"", 5, []string{""}},
	} {
		if got := WrapWords(c.in, c.width); !slices.Equal(got, c.want) {
			t.Errorf("WrapWords(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
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
		t.Error("cells that count something are not coloured by the level of their score")
	}
	if h.Rows[0].Cells[4].Sub != "Critical" || h.Rows[4].Cells[0].Sub != "Low" || h.Rows[2].Cells[2].Sub != "Medium" {
		t.Error("cells do not name their level in words")
	}
	if h.Rows[2].Cells[2].Fill != emptyFill {
		t.Error("an empty cell is painted, not muted")
	}
	if TextColour(LevelFill(domain.LevelCritical)) != "#ffffff" || TextColour(LevelFill(domain.LevelMedium)) != "#000000" {
		t.Error("text colour does not contrast")
	}
}

// cieLightness is the CIE L* (0–100) of a colour, from its relative luminance.
func cieLightness(y float64) float64 {
	if y <= 216.0/24389 {
		return y * 24389 / 27
	}
	return 116*math.Cbrt(y) - 16
}

// dichromacies are the Machado, Oliveira and Fernandes (2009) matrices of
// full protanopia, deuteranopia and tritanopia, on linear RGB.
var dichromacies = map[string][3][3]float64{
	"protanopia":   {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
	"deuteranopia": {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
	"tritanopia":   {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}},
}

// seenLightness is the L* of hex as a reader with the dichromacy m sees it
// (the identity for normal vision).
func seenLightness(t *testing.T, hex string, m *[3][3]float64) float64 {
	t.Helper()
	var rgb [3]int
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &rgb[0], &rgb[1], &rgb[2]); err != nil {
		t.Fatalf("%q is not a colour", hex)
	}
	var lin [3]float64
	for i, c := range rgb {
		// Each channel alone, through the same luminance function.
		one := [3]int{}
		one[i] = c
		lin[i] = RelativeLuminance(fmt.Sprintf("#%02x%02x%02x", one[0], one[1], one[2])) / []float64{0.2126, 0.7152, 0.0722}[i]
	}
	if m != nil {
		var out [3]float64
		for i := range 3 {
			for j := range 3 {
				out[i] += m[i][j] * lin[j]
			}
			out[i] = min(max(out[i], 0), 1)
		}
		lin = out
	}
	return cieLightness(0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2])
}

// checkDarkening checks that fills, in order, get strictly darker by at least
// minStep L* for normal vision and under each common dichromacy.
func checkDarkening(t *testing.T, what string, fills []string) {
	t.Helper()
	const minStep = 10.0
	views := map[string]*[3][3]float64{"normal vision": nil}
	for name, m := range dichromacies {
		views[name] = &m
	}
	for view, m := range views {
		for i := 1; i < len(fills); i++ {
			a, b := seenLightness(t, fills[i-1], m), seenLightness(t, fills[i], m)
			if a-b < minStep {
				t.Errorf("%s, %s: step %d (%s L*=%.1f → %s L*=%.1f) does not darken by %.0f", what, view, i,
					fills[i-1], a, fills[i], b, minStep)
			}
		}
	}
}

// TestLevelColoursDarkenWithTheLevel checks that the level fills get darker
// from low to critical, on greyscale (CIE L*) and for colour-blind readers.
func TestLevelColoursDarkenWithTheLevel(t *testing.T) {
	var fills []string
	for _, l := range domain.RiskLevels {
		fills = append(fills, LevelFill(l))
	}
	checkDarkening(t, "levels", fills)
}

// TestComplianceColoursDarkenAsComplianceFalls checks that the compliance
// bands get darker from the best band to the worst, on the same terms.
func TestComplianceColoursDarkenAsComplianceFalls(t *testing.T) {
	var fills []string
	for _, v := range []float64{1, 0.7, 0.5, 0.3, 0.1} {
		fills = append(fills, ComplianceFill(v))
	}
	checkDarkening(t, "compliance", fills)
}

// TestTextOnEveryFillContrasts checks WCAG contrast of at least 4.5:1 for the
// text drawn on every fill of the scale and on the muted empty fill.
func TestTextOnEveryFillContrasts(t *testing.T) {
	fills := []string{emptyFill}
	for _, l := range domain.RiskLevels {
		fills = append(fills, LevelFill(l))
	}
	for _, v := range []float64{0, 0.2, 0.4, 0.6, 0.8} {
		fills = append(fills, ComplianceFill(v))
	}
	for _, f := range fills {
		if r := ContrastRatio(f, TextColour(f)); r < 4.5 {
			t.Errorf("text %s on %s has contrast %.2f:1", TextColour(f), f, r)
		}
	}
	// The ratio itself, against the WCAG examples: black on white is 21:1.
	if r := ContrastRatio("#000000", "#ffffff"); math.Abs(r-21) > 1e-9 {
		t.Errorf("black on white = %v", r)
	}
	if r := ContrastRatio("#767676", "#ffffff"); r < 4.5 || r > 4.6 {
		t.Errorf("#767676 on white = %v, want about 4.54", r)
	}
}

// The fills of the bands, written out so that a moved edge or a swapped
// colour fails below.
const (
	fillDarkest = "#5c1a7a"
	fillDark    = "#e31a1c"
	fillMiddle  = "#fd8d3c"
	fillPale    = "#fecc5c"
	fillPalest  = "#ffffcc"
)

// TestComplianceFillBandEdges pins the fill on each side of every edge:
// the edge itself opens the band above it, the value just below stays in
// the band below.
func TestComplianceFillBandEdges(t *testing.T) {
	for _, c := range []struct {
		edge         float64
		below, above string
	}{
		{0.2, fillDarkest, fillDark},
		{0.4, fillDark, fillMiddle},
		{0.6, fillMiddle, fillPale},
		{0.8, fillPale, fillPalest},
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
	if ComplianceFill(0) != fillDarkest || ComplianceFill(1) != fillPalest {
		t.Error("the ends of the scale are not the darkest and the palest")
	}
	// The legend names the same bands in the same colours.
	want := []Swatch{{"< 20%", fillDarkest}, {"20–40%", fillDark}, {"40–60%", fillMiddle}, {"60–80%", fillPale},
		{"≥ 80%", fillPalest}, {"no control", emptyFill}}
	if got := ComplianceLegend(); !slices.Equal(got, want) {
		t.Errorf("compliance legend = %v, want %v", got, want)
	}
}

// TestLevelFillBandEdges pins the fill of every cell of the risk matrix, and
// so of every score on each side of the level edges (4/5, 9/10, 16/20).
func TestLevelFillBandEdges(t *testing.T) {
	levelFill := map[domain.RiskLevel]string{domain.LevelLow: fillPale, domain.LevelMedium: fillMiddle,
		domain.LevelHigh: fillDark, domain.LevelCritical: fillDarkest, "": emptyFill}
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
	var ones [5][5]int
	for l := range 5 {
		for i := range 5 {
			ones[l][i] = 1
		}
	}
	h := RiskMatrixHeatmap("Residual", "sub", ones)
	for r, row := range matrix {
		for c := range row {
			want := levelFill[letters[row[c]]]
			if got := h.Rows[r].Cells[c].Fill; got != want {
				t.Errorf("likelihood %d × impact %d: fill %s, want %s (%s)", 5-r, c+1, got, want, letters[row[c]])
			}
		}
	}
	want := []Swatch{{"Low (1–4)", fillPale}, {"Medium (5–9)", fillMiddle}, {"High (10–16)", fillDark},
		{"Critical (20–25)", fillDarkest}, {"Not applicable", emptyFill}}
	if got := LevelLegend(); !slices.Equal(got, want) {
		t.Errorf("level legend = %v, want %v", got, want)
	}
}
