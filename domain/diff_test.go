package domain

import (
	"reflect"
	"testing"
)

func TestDiffSnapshots(t *testing.T) {
	two, three := 2, 3
	policy := SnapshotEvidence{ID: "e1", Filename: "policy.pdf", SHA256: "aa"}
	again := SnapshotEvidence{ID: "e9", Filename: "policy-copy.pdf", SHA256: "aa"} // same content, new upload
	report := SnapshotEvidence{ID: "e2", Filename: "pentest.pdf", SHA256: "bb"}
	earlier := Snapshot{Version: 1, Responses: []SnapshotResponse{
		{ControlID: "C1", Status: Implemented, Maturity: &two, Narrative: "MFA for staff.", Evidence: []SnapshotEvidence{policy}},
		{ControlID: "C2", Status: Partial, RemediationDate: "2027-01-31", Narrative: "Half done."},
		{ControlID: "C3", Status: NotApplicable, Justification: "No USSD."},
		{ControlID: "C4", Status: Implemented, Narrative: "Gone later."},
	}}
	later := Snapshot{Version: 2, Responses: []SnapshotResponse{
		{ControlID: "C1", Status: Implemented, Maturity: &two, Narrative: "MFA for staff.", Evidence: []SnapshotEvidence{again}},
		{ControlID: "C2", Status: Implemented, Maturity: &three, Narrative: "Done.", Evidence: []SnapshotEvidence{report}},
		{ControlID: "C3", Status: NotApplicable, Justification: "No USSD channel."},
		{ControlID: "C5", Status: NotImplemented, RemediationDate: "2027-06-30"},
	}}
	got := DiffSnapshots(earlier, later)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ControlID)
	}
	if !reflect.DeepEqual(ids, []string{"C2", "C3", "C5", "C4"}) {
		t.Fatalf("changed controls = %v, want C2 C3 C5 C4 (C1's file has the same content)", ids)
	}
	if c := got[0]; !reflect.DeepEqual(c.Fields, []string{"status", "maturity", "narrative", "remediation_date"}) ||
		len(c.Added) != 1 || c.Added[0].SHA256 != "bb" || len(c.Removed) != 0 {
		t.Errorf("C2 change = %+v", c)
	}
	if c := got[1]; !reflect.DeepEqual(c.Fields, []string{"justification"}) {
		t.Errorf("C3 change = %+v", c)
	}
	if c := got[2]; c.Before != nil || c.After == nil {
		t.Errorf("C5, new in the later filing, = %+v", c)
	}
	if c := got[3]; c.Before == nil || c.After != nil {
		t.Errorf("C4, gone from the later filing, = %+v", c)
	}
}
