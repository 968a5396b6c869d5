package frameworks_test

import (
	"slices"
	"testing"

	"assure/domain"
	"assure/frameworks"
)

// TestX1150CorrectedVersion: version 1.1 of X.1150 keeps every control and
// threat of 1.0 and corrects it as its notes say: at least ten controls in
// the audit group the guideline's table gives, the guideline's policy area on
// the controls checked, the framework's threat names, and the web and IVR
// channels on the inactivity timeouts.
func TestX1150CorrectedVersion(t *testing.T) {
	old, err := frameworks.Builtin("x1150", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	corrected, err := frameworks.Builtin("x1150", "1.1")
	if err != nil {
		t.Fatal(err)
	}
	controls := map[string]domain.Control{}
	for _, c := range corrected.Controls {
		controls[c.ID] = c
	}
	groups := map[string]string{}
	for _, ch := range domain.CatalogChanges(old, corrected) {
		if ch.Change != "changed" {
			t.Errorf("%s %s is %s: a correction keeps every control and threat", ch.Kind, ch.ID, ch.Change)
		}
		if ch.Kind == "control" && slices.Contains(ch.Fields, "audit_group") {
			groups[ch.ID] = controls[ch.ID].AuditGroup
		}
	}
	want := map[string]string{"C2": "access_control", "C3": "access_control", "C21": "fraud_detection", "C43": "privacy",
		"C61": "authentication", "C87": "network_security", "C91": "fraud_detection", "C99": "network_security",
		"C109": "network_security", "C110": "access_control"}
	if len(groups) < 10 {
		t.Errorf("%d controls change audit group, want at least 10: %v", len(groups), groups)
	}
	for id, g := range want {
		if groups[id] != g {
			t.Errorf("%s moves to %q, want %q", id, groups[id], g)
		}
	}
	for id, area := range map[string]string{"C1": "Access control - System and application access control",
		"C45": "Access control - User access management", "C87": "Cryptography - Cryptographic controls",
		"C109": "Operations security - Technical vulnerability management"} {
		if got := controls[id].PolicyArea; got != area {
			t.Errorf("%s policy area = %q, want %q", id, got, area)
		}
	}
	withArea := 0
	for _, c := range corrected.Controls {
		if c.PolicyArea != "" {
			withArea++
		}
	}
	if withArea != 27 {
		t.Errorf("%d controls carry a policy area, want the 27 checked", withArea)
	}
	for _, ch := range []string{domain.ChannelWeb, domain.ChannelIVR} {
		if !slices.Contains(controls["C7"].Channels, ch) {
			t.Errorf("C7 channels %v lack %s", controls["C7"].Channels, ch)
		}
	}
	names := map[string]string{}
	for _, th := range corrected.Threats {
		names[th.ID] = th.Name
	}
	if names["T4"] != "Code exploitation attacks" || names["T17"] != "Unintended disclosure of personal information" {
		t.Errorf("threat names = %v", names)
	}
}
