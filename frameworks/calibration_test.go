package frameworks

import (
	"testing"
)

// TestEmbeddedCalibrations checks the built-in calibration against the
// framework version it names, as publishing it does.
func TestEmbeddedCalibrations(t *testing.T) {
	list, err := EmbeddedCalibrations()
	if err != nil || len(list) != 1 {
		t.Fatalf("calibrations %d: %v", len(list), err)
	}
	c := list[0]
	f, err := Builtin(c.Framework.ID, c.Framework.Version)
	if err != nil {
		t.Fatal(err)
	}
	if problems := c.CheckAgainst(f); len(problems) > 0 {
		t.Errorf("x1150 calibration: %+v", problems)
	}
	keyed := map[string]bool{}
	for _, k := range c.KeyControls {
		keyed[k.Threat] = true
	}
	for _, th := range f.Threats {
		if !keyed[th.ID] {
			t.Errorf("%s has no key control", th.ID)
		}
	}
	if len(c.Profile) == 0 || len(c.ImpactReduction) == 0 || c.Maturity.Levels[0].Name != "None" {
		t.Errorf("calibration is missing a part: %d profile rules, %d impact rules", len(c.Profile), len(c.ImpactReduction))
	}
}

func TestParseCalibrationRefusesUnknownKeys(t *testing.T) {
	_, err := ParseCalibration("bad.yaml", []byte("id: x\nversion: \"1\"\ntitle: t\nframework: {id: x, version: \"1\"}\nweights: {primary: 3, tertiary: 1}\n"))
	if err == nil {
		t.Fatal("an unknown key was accepted")
	}
}
