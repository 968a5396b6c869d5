package web

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"assure/domain"
	"assure/reports"
)

// TestEveryFillHasItsStyle fails when a colour the reports give a level or a
// compliance band has no fill-<rrggbb> rule in the stylesheet, or the rule's
// colours differ from the reports': the dashboard would lose the colour the
// PDF shows.
func TestEveryFillHasItsStyle(t *testing.T) {
	css, err := os.ReadFile("static/assure.css")
	if err != nil {
		t.Fatal(err)
	}
	fills := []string{reports.LevelFill("")}
	for _, l := range domain.RiskLevels {
		fills = append(fills, reports.LevelFill(l))
	}
	for _, s := range reports.ComplianceLegend() {
		fills = append(fills, s.Fill)
	}
	for _, f := range fills {
		rule := regexp.MustCompile(`\.` + fillClass(f) + ` \{ background: ([^;]+); color: ([^;]+); \}`).FindSubmatch(css)
		if rule == nil {
			t.Errorf("no rule .%s in assure.css", fillClass(f))
			continue
		}
		if bg, fg := string(rule[1]), string(rule[2]); !strings.EqualFold(bg, f) || !strings.EqualFold(fg, reports.TextColour(f)) &&
			!(strings.EqualFold(fg, "#fff") && strings.EqualFold(reports.TextColour(f), "#ffffff")) &&
			!(strings.EqualFold(fg, "#000") && strings.EqualFold(reports.TextColour(f), "#000000")) {
			t.Errorf(".%s is %s on %s; the reports draw %s on %s", fillClass(f), fg, bg, reports.TextColour(f), f)
		}
	}
}
