package domain

import (
	"strings"
	"testing"
)

func TestCheckNewInspection(t *testing.T) {
	ok := NewInspection{HeldOn: priorityDay, Kind: InspectionOnSite, LeadInspector: "A. Mensah", Summary: "Data centre visit."}
	if p := CheckNewInspection(ok, priorityDay); len(p) != 0 {
		t.Errorf("a good inspection has problems: %+v", p)
	}
	bad := NewInspection{HeldOn: priorityDay.AddDays(1), Kind: "remote", LeadInspector: " ",
		Summary: strings.Repeat("x", InspectionSummaryMax+1)}
	p := CheckNewInspection(bad, priorityDay)
	want := []string{"body.held_on", "body.kind", "body.lead_inspector", "body.summary"}
	if len(p) != len(want) {
		t.Fatalf("problems = %+v, want one at each of %v", p, want)
	}
	for i, loc := range want {
		if p[i].Location != loc {
			t.Errorf("problem %d at %s, want %s", i, p[i].Location, loc)
		}
	}
	// The limits count characters, not bytes: 4000 accented letters are within them.
	long := ok
	long.Summary = strings.Repeat("é", InspectionSummaryMax)
	if p := CheckNewInspection(long, priorityDay); len(p) != 0 {
		t.Errorf("4000 characters refused: %+v", p)
	}
	if p := CheckNewInspection(NewInspection{Kind: InspectionOffSite, LeadInspector: "B", Summary: "S"}, priorityDay); len(p) != 1 ||
		p[0].Location != "body.held_on" {
		t.Errorf("no date: %+v", p)
	}
}
