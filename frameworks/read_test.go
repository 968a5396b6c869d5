package frameworks_test

import (
	"testing"

	"assure/domain"
	"assure/frameworks"
)

// TestReadTellsFormatsApart: one entry point reads Assure's YAML, an OSCAL
// catalog and OWASP MASVS, each by its own rules, and refuses a version
// that contradicts the file's.
func TestReadTellsFormatsApart(t *testing.T) {
	x1150, err := frameworks.Files.ReadFile("x1150.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frameworks.Read("x1150.yaml", x1150, "")
	if err != nil || f.ID != "x1150" || frameworks.Sniff(x1150) != frameworks.FormatAssure {
		t.Fatalf("x1150: %v", err)
	}
	if _, err := frameworks.Read("x1150.yaml", x1150, "7.0"); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("a contradicting version: %v", err)
	}
	oscal, err := frameworks.OSCALCatalog(f)
	if err != nil {
		t.Fatal(err)
	}
	back, err := frameworks.Read("x1150.json", oscal, "")
	if err != nil || frameworks.Sniff(oscal) != frameworks.FormatOSCAL || back.Digest() != f.Digest() {
		t.Fatalf("the OSCAL export read back: %v", err)
	}
	masvs := standard(t, "masvs/OWASP_MASVS.yaml")
	m, err := frameworks.Read("OWASP_MASVS.yaml", masvs, "2.1.0")
	if err != nil || frameworks.Sniff(masvs) != frameworks.FormatMASVS || m.ID != "owasp-masvs" || len(m.Controls) != 24 ||
		len(m.AuditGroups) != 8 || m.Version != "2.1.0" {
		t.Fatalf("MASVS: %v", err)
	}
}
