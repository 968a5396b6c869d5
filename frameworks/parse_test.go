package frameworks

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"assure/domain"
)

func embeddedX1150(t *testing.T) *domain.Framework {
	t.Helper()
	list, err := Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	for _, f := range list {
		if f.ID == "x1150" {
			return f
		}
	}
	t.Fatal("x1150 is not embedded")
	return nil
}

func TestX1150Catalog(t *testing.T) {
	f := embeddedX1150(t)
	if got := len(f.Dimensions); got != 8 {
		t.Errorf("dimensions = %d, want 8", got)
	}
	if got := len(f.Stages); got != 5 {
		t.Errorf("stages = %d, want 5", got)
	}
	if got := len(f.Threats); got != 17 {
		t.Errorf("threats = %d, want 17", got)
	}
	if got := len(f.Controls); got != 119 {
		t.Fatalf("controls = %d, want 119", got)
	}
	for i, c := range f.Controls {
		if want := "C" + strconv.Itoa(i+1); c.ID != want {
			t.Errorf("control %d has id %s, want %s", i, c.ID, want)
		}
	}
	for i, th := range f.Threats {
		if want := "T" + strconv.Itoa(i+1); th.ID != want || th.Number != i+1 {
			t.Errorf("threat %d is %s number %d", i, th.ID, th.Number)
		}
	}
	wantDims := []string{"access_control", "authentication", "non_repudiation", "data_confidentiality",
		"communication_security", "data_integrity", "availability", "privacy"}
	for i, d := range f.Dimensions {
		if d.ID != wantDims[i] {
			t.Errorf("dimension %d = %s, want %s", i, d.ID, wantDims[i])
		}
	}

	// The mapping is complete both ways: every control mitigates a threat and
	// every threat is mitigated by a control.
	mitigatedBy := map[string][]string{}
	for _, c := range f.Controls {
		if c.PrimaryThreat == "" {
			t.Errorf("%s has no primary threat", c.ID)
		}
		for _, th := range c.Threats() {
			mitigatedBy[th] = append(mitigatedBy[th], c.ID)
		}
	}
	for _, th := range f.Threats {
		if len(mitigatedBy[th.ID]) == 0 {
			t.Errorf("threat %s is mitigated by no control", th.ID)
		}
	}
	// Spot checks of facts carried from the framework.
	check := map[string]struct{ section, threat, dimension string }{
		"C1":   {"1.1", "T1", "access_control"},
		"C43":  {"8.9a", "T8", "access_control"},
		"C52":  {"10.1", "T10", "authentication"},
		"C75":  {"12.13", "T12", "communication_security"},
		"C119": {"17.3", "T17", "privacy"},
	}
	for _, c := range f.Controls {
		want, ok := check[c.ID]
		if !ok {
			continue
		}
		if c.Section != want.section || c.PrimaryThreat != want.threat || !slices.Contains(c.Dimensions, want.dimension) {
			t.Errorf("%s = section %s, threat %s, dimensions %v; want %+v", c.ID, c.Section, c.PrimaryThreat, c.Dimensions, want)
		}
	}
}

func TestBrokenFileReportsEveryProblem(t *testing.T) {
	data, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("broken.yaml", data)
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		t.Fatalf("Parse = %v, want an invalid error", err)
	}
	var got []string
	for _, p := range e.Problems {
		got = append(got, p.String())
	}
	want := []string{
		`broken.yaml:66: unknown field "colour"`,
		`broken.yaml:1:5 id: framework id "Broken Framework" must be lower-case`,
		`broken.yaml:8:9 dimensions[1].id: availability is defined twice`,
		`broken.yaml:28:24 threats[0].stages[1]: stage "moon" is not defined`,
		`broken.yaml:30:17 threats[0].likelihood: threat T1: likelihood 7 is outside 1–5`,
		`broken.yaml:42:13 threats[1].impact: threat T2: impact 0 is outside 1–5`,
		`broken.yaml:51:13 controls[0].threat: control C1: threat "T9" is not defined`,
		`broken.yaml:57:12 controls[1].title: title is required`,
		`broken.yaml:61:13 controls[1].threat: control C2: section 2.1 belongs to threat number 2, but the primary threat T1 is number 1`,
		`broken.yaml:62:16 controls[1].channels[0]: control C2: channel "fax" is not one of`,
		`broken.yaml:34:9 threats[1].id: threat T2 is not mitigated by any control`,
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

func TestSyntaxErrorIsLocated(t *testing.T) {
	_, err := Parse("bad.yaml", []byte("id: x\nversion: [1\n"))
	e, ok := domain.AsError(err)
	if !ok || len(e.Problems) != 1 || !strings.HasPrefix(e.Problems[0].Location, "bad.yaml:") {
		t.Fatalf("Parse = %#v", err)
	}
}

func TestEmptyFile(t *testing.T) {
	if _, err := Parse("empty.yaml", nil); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Fatalf("Parse(empty) = %v", err)
	}
}

func TestDigestFollowsContentNotLayout(t *testing.T) {
	data, err := Files.ReadFile("x1150.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse("x1150.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	relaid := "# a comment changes nothing\n" + strings.ReplaceAll(string(data), "\n\n", "\n")
	b, err := Parse("x1150.yaml", []byte(relaid))
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() != b.Digest() {
		t.Error("comments and blank lines changed the digest")
	}
	changed := strings.Replace(string(data), "likelihood: 4", "likelihood: 3", 1)
	c, err := Parse("x1150.yaml", []byte(changed))
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() == c.Digest() {
		t.Error("a changed likelihood kept the digest")
	}
}
