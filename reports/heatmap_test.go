package reports

import (
	"bytes"
	"encoding/xml"
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
