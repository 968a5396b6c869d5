package frameworks_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"assure/domain"
	"assure/frameworks"
)

const masvsFile = "masvs/OWASP_MASVS.yaml"

// masvsIDs are the control ids of the published document, in its order.
var masvsIDs = []string{
	"MASVS-STORAGE-1", "MASVS-STORAGE-2",
	"MASVS-CRYPTO-1", "MASVS-CRYPTO-2",
	"MASVS-AUTH-1", "MASVS-AUTH-2", "MASVS-AUTH-3",
	"MASVS-NETWORK-1", "MASVS-NETWORK-2",
	"MASVS-PLATFORM-1", "MASVS-PLATFORM-2", "MASVS-PLATFORM-3",
	"MASVS-CODE-1", "MASVS-CODE-2", "MASVS-CODE-3", "MASVS-CODE-4",
	"MASVS-RESILIENCE-1", "MASVS-RESILIENCE-2", "MASVS-RESILIENCE-3", "MASVS-RESILIENCE-4",
	"MASVS-PRIVACY-1", "MASVS-PRIVACY-2", "MASVS-PRIVACY-3", "MASVS-PRIVACY-4",
}

// tinyMASVS is a small document of the MASVS shape, its texts made up.
const tinyMASVS = `metadata:
  title: A tiny verification standard
  version: v0.1.0
groups:
- id: MASVS-ALPHA
  index: 1
  title: Alpha
  description: The first group.
  controls:
  - id: MASVS-ALPHA-1
    statement: The app does the first thing.
    description: It really does it.
  - id: MASVS-ALPHA-2
    statement: The app does the second thing.
    description: Also that.
- id: MASVS-RESILIENCE
  index: 2
  title: Resisting
  description: The second group.
  controls:
  - id: MASVS-RESILIENCE-1
    statement: The app resists.
    description: Firmly.
`

func importMASVS(t *testing.T, version string) *domain.Framework {
	t.Helper()
	f, err := frameworks.ImportMASVS("OWASP_MASVS.yaml", standard(t, masvsFile), version)
	if err != nil {
		t.Fatalf("ImportMASVS: %v %v", err, problemsOf(err))
	}
	return f
}

func problemsOf(err error) []domain.Problem {
	if e, ok := domain.AsError(err); ok {
		return e.Problems
	}
	return nil
}

func TestImportMASVS(t *testing.T) {
	f := importMASVS(t, "2.1.0")
	if f.ID != "owasp-masvs" || f.Version != "2.1.0" || !strings.Contains(f.Title, "MASVS") {
		t.Errorf("framework = %q %q %q", f.ID, f.Version, f.Title)
	}
	if !strings.Contains(f.Source, "OWASP") || !strings.Contains(f.Source, "MASVS") || !strings.Contains(f.Source, "2.1.0") {
		t.Errorf("source %q does not name OWASP MASVS 2.1.0", f.Source)
	}
	if !strings.HasPrefix(f.Licence, "CC BY-SA 4.0") || !strings.Contains(f.Licence, "OWASP Foundation") ||
		!strings.Contains(f.Licence, "Attribution") {
		t.Errorf("licence %q lacks the licence or the attribution", f.Licence)
	}
	if !strings.Contains(f.Notes, "MASTG") || !strings.Contains(f.Notes, "Assure") {
		t.Errorf("notes %q do not explain the level assignment", f.Notes)
	}
	if f.HasThreats() || len(f.Dimensions) > 0 || len(f.Stages) > 0 {
		t.Error("a MASVS import is a checklist: no threats, dimensions or stages")
	}

	wantGroups := []string{"masvs-storage", "masvs-crypto", "masvs-auth", "masvs-network",
		"masvs-platform", "masvs-code", "masvs-resilience", "masvs-privacy"}
	var groups []string
	for _, g := range f.AuditGroups {
		groups = append(groups, g.ID)
		if g.Name == "" || g.Description == "" || g.Description != strings.TrimSpace(g.Description) {
			t.Errorf("audit group %s: name %q, description not trimmed or empty", g.ID, g.Name)
		}
	}
	if !slices.Equal(groups, wantGroups) {
		t.Errorf("audit groups = %v, want %v", groups, wantGroups)
	}

	var levels []string
	for _, l := range f.Levels {
		levels = append(levels, l.ID)
		if l.Name == "" || l.Description == "" {
			t.Errorf("level %s lacks a name or description", l.ID)
		}
	}
	if !slices.Equal(levels, []string{"L1", "L2", "R", "P"}) {
		t.Errorf("levels = %v", levels)
	}
	if len(f.Implementers) != 1 || f.Implementers[0].ID != "app_developer" || f.Implementers[0].Name != "App developer" {
		t.Errorf("implementers = %+v", f.Implementers)
	}

	var ids []string
	for _, c := range f.Controls {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, masvsIDs) {
		t.Fatalf("controls = %v\nwant %v", ids, masvsIDs)
	}
	sections := map[string]string{"MASVS-STORAGE-1": "1.1", "MASVS-STORAGE-2": "1.2", "MASVS-AUTH-3": "3.3",
		"MASVS-CODE-4": "6.4", "MASVS-RESILIENCE-1": "7.1", "MASVS-PRIVACY-4": "8.4"}
	for _, c := range f.Controls {
		var want []string
		switch {
		case strings.HasPrefix(c.ID, "MASVS-RESILIENCE-"):
			want = []string{"R"}
		case strings.HasPrefix(c.ID, "MASVS-PRIVACY-"):
			want = []string{"P"}
		default:
			want = []string{"L1", "L2"}
		}
		if !slices.Equal(c.Levels, want) {
			t.Errorf("%s levels = %v, want %v", c.ID, c.Levels, want)
		}
		if s, ok := sections[c.ID]; ok && c.Section != s {
			t.Errorf("%s section = %s, want %s", c.ID, c.Section, s)
		}
		if group := strings.ToLower(c.ID[:strings.LastIndexByte(c.ID, '-')]); c.AuditGroup != group {
			t.Errorf("%s audit group = %s, want %s", c.ID, c.AuditGroup, group)
		}
		if c.Title == "" || c.Description == "" || !strings.Contains(c.Question, c.ID) || !strings.Contains(c.Evidence, c.ID) {
			t.Errorf("%s lacks a text: %+v", c.ID, c)
		}
		if !slices.Equal(c.Implementers, []string{"app_developer"}) || !slices.Equal(c.Channels, []string{domain.ChannelApp}) {
			t.Errorf("%s implementers %v, channels %v", c.ID, c.Implementers, c.Channels)
		}
		if c.PrimaryThreat != "" || len(c.Dimensions) > 0 {
			t.Errorf("%s names a threat or dimension", c.ID)
		}
	}
	reparse(t, f)
}

// reparse writes f as a framework file and parses it: the import must keep
// every rule of Parse and come back unchanged.
func reparse(t *testing.T, f *domain.Framework) {
	t.Helper()
	type entry struct {
		ID          string `yaml:"id"`
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	}
	type control struct {
		ID           string   `yaml:"id"`
		Section      string   `yaml:"section"`
		Title        string   `yaml:"title"`
		Description  string   `yaml:"description"`
		Implementers []string `yaml:"implementers,omitempty"`
		Channels     []string `yaml:"channels,omitempty"`
		AuditGroup   string   `yaml:"audit_group"`
		Question     string   `yaml:"question"`
		Evidence     string   `yaml:"evidence"`
		Levels       []string `yaml:"levels,omitempty"`
	}
	out := struct {
		ID           string    `yaml:"id"`
		Version      string    `yaml:"version"`
		Title        string    `yaml:"title"`
		Source       string    `yaml:"source"`
		Notes        string    `yaml:"notes"`
		Licence      string    `yaml:"licence"`
		Implementers []entry   `yaml:"implementers"`
		AuditGroups  []entry   `yaml:"audit_groups"`
		Levels       []entry   `yaml:"levels"`
		Controls     []control `yaml:"controls"`
	}{ID: f.ID, Version: f.Version, Title: f.Title, Source: f.Source, Notes: f.Notes, Licence: f.Licence}
	if f.HasThreats() || len(f.Dimensions) > 0 || len(f.Stages) > 0 {
		t.Fatal("the import made threats, dimensions or stages")
	}
	for _, e := range f.Implementers {
		out.Implementers = append(out.Implementers, entry(e))
	}
	for _, e := range f.AuditGroups {
		out.AuditGroups = append(out.AuditGroups, entry(e))
	}
	for _, e := range f.Levels {
		out.Levels = append(out.Levels, entry(e))
	}
	for _, c := range f.Controls {
		if c.PrimaryThreat != "" || len(c.OtherThreats) > 0 || len(c.Dimensions) > 0 {
			t.Fatalf("control %s names threats or dimensions", c.ID)
		}
		out.Controls = append(out.Controls, control{ID: c.ID, Section: c.Section, Title: c.Title,
			Description: c.Description, Implementers: c.Implementers, Channels: c.Channels,
			AuditGroup: c.AuditGroup, Question: c.Question, Evidence: c.Evidence, Levels: c.Levels})
	}
	data, err := yaml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	back, err := frameworks.Parse("reparsed.yaml", data)
	if err != nil {
		t.Fatalf("the imported framework breaks the rules of Parse: %v %v", err, problemsOf(err))
	}
	if !reflect.DeepEqual(back, f) || back.Digest() != f.Digest() {
		t.Fatalf("the imported framework changes when parsed:\n%+v\n%+v", f, back)
	}
}

func TestImportMASVSVersion(t *testing.T) {
	data := standard(t, masvsFile)
	_, err := frameworks.ImportMASVS("OWASP_MASVS.yaml", data, "")
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid || len(e.Problems) != 1 ||
		!strings.HasPrefix(e.Problems[0].Location, "OWASP_MASVS.yaml:4:") ||
		!strings.HasSuffix(e.Problems[0].Location, " metadata.version") ||
		!strings.Contains(e.Problems[0].Message, "vx.x.x") {
		t.Fatalf("the placeholder version without a given one = %v %v", err, problemsOf(err))
	}

	if f := importMASVS(t, " 2.1.0 "); f.Version != "2.1.0" {
		t.Errorf("given version = %q, want 2.1.0", f.Version)
	}
	released := strings.Replace(string(data), "version: vx.x.x", "version: v2.1.0", 1)
	f, err := frameworks.ImportMASVS("OWASP_MASVS.yaml", []byte(released), "")
	if err != nil || f.Version != "v2.1.0" {
		t.Errorf("the document's real version: %v, %v", f, err)
	}
	if f, err := frameworks.ImportMASVS("OWASP_MASVS.yaml", []byte(released), "2.1.1"); err != nil || f.Version != "2.1.1" {
		t.Errorf("a given version must win over the document's: %v, %v", f, err)
	}
	for _, bad := range []string{"2.1 beta", "2/1", "-1", "vx.x.x", "é1"} {
		_, err := frameworks.ImportMASVS("OWASP_MASVS.yaml", data, bad)
		if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || len(e.Problems) == 0 {
			t.Errorf("version %q = %v, want EInvalid", bad, err)
		}
	}
}

func TestImportMASVSRefusesMalformedInput(t *testing.T) {
	file := string(standard(t, masvsFile))
	cases := []struct {
		name, data string
		want       []string // prefixes of the problems' strings, each of which must be present
	}{
		{"not YAML", "metadata: [unclosed\n", []string{"x.yaml:"}},
		{"empty", "", []string{"x.yaml: the file holds no"}},
		{"a scalar", "just words\n", []string{"x.yaml:1", "x.yaml:1:1 groups: the document lists no groups"}},
		{"no groups", "metadata:\n  title: T\n  version: '1.0'\n", []string{"x.yaml:1:1 groups: "}},
		{"unknown key", strings.Replace(tinyMASVS, "  index: 2\n", "  index: 2\n  colour: red\n", 1),
			[]string{`x.yaml:18: unknown field "colour"`}},
		{"wrong type", strings.Replace(tinyMASVS, "index: 2", "index: two", 1), []string{"x.yaml:17"}},
		{"control without id", strings.Replace(tinyMASVS, "  - id: MASVS-ALPHA-2\n", "  - statement: Extra.\n    description: Extra.\n  - id: MASVS-ALPHA-2\n", 1),
			[]string{"x.yaml:13:5 groups[0].controls[1].id: id is required"}},
		{"duplicate id", strings.Replace(file, "id: MASVS-STORAGE-2", "id: MASVS-STORAGE-1", 1),
			[]string{"x.yaml:21:9 groups[0].controls[1].id: control MASVS-STORAGE-1 is listed twice"}},
		{"control of another group", strings.Replace(tinyMASVS, "id: MASVS-ALPHA-2", "id: MASVS-BETA-2", 1),
			[]string{"x.yaml:13:9 groups[0].controls[1].id: control id \"MASVS-BETA-2\" must be"}},
		{"bad group id", strings.Replace(tinyMASVS, "id: MASVS-ALPHA\n", "id: Alpha group\n", 1),
			[]string{"x.yaml:5:7 groups[0].id: "}},
		{"duplicate index", strings.Replace(tinyMASVS, "index: 2", "index: 1", 1),
			[]string{"x.yaml:17:10 groups[1].index: group MASVS-RESILIENCE: index 1 is already used by MASVS-ALPHA"}},
		{"missing statement", strings.Replace(tinyMASVS, "    statement: The app resists.\n", "", 1),
			[]string{"x.yaml:21:5 groups[1].controls[0].statement: statement is required"}},
		{"empty group", strings.Replace(tinyMASVS, "  controls:\n  - id: MASVS-RESILIENCE-1\n    statement: The app resists.\n    description: Firmly.\n", "", 1),
			[]string{"x.yaml:16:3 groups[1].controls: group MASVS-RESILIENCE lists no controls"}},
		{"no title", strings.Replace(tinyMASVS, "  title: A tiny verification standard\n", "", 1),
			[]string{"x.yaml:2:3 metadata.title: title is required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := frameworks.ImportMASVS("x.yaml", []byte(tc.data), "1.0")
			e, ok := domain.AsError(err)
			if f != nil || !ok || e.Code != domain.EInvalid || len(e.Problems) == 0 {
				t.Fatalf("ImportMASVS = %v, %v; want EInvalid with problems", f, err)
			}
			var got []string
			for _, p := range e.Problems {
				got = append(got, p.String())
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("missing problem %q in\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestImportMASVSTiny(t *testing.T) {
	f, err := frameworks.ImportMASVS("tiny.yaml", []byte(tinyMASVS), "")
	if err != nil {
		t.Fatalf("%v %v", err, problemsOf(err))
	}
	if f.Version != "v0.1.0" || len(f.Controls) != 3 || f.Controls[2].Section != "2.1" ||
		!slices.Equal(f.Controls[0].Levels, []string{"L1", "L2"}) || !slices.Equal(f.Controls[2].Levels, []string{"R"}) {
		t.Errorf("tiny import = %+v", f)
	}
	reparse(t, f)
}

func TestImportMASVSDigestIsStable(t *testing.T) {
	a, b := importMASVS(t, "2.1.0"), importMASVS(t, "2.1.0")
	if a.Digest() != b.Digest() || !reflect.DeepEqual(a, b) {
		t.Error("two imports of the same document differ")
	}
	if c := importMASVS(t, "2.1.1"); c.Digest() == a.Digest() {
		t.Error("another version kept the digest")
	}
}

// FuzzImportMASVS feeds arbitrary documents and versions to the import: it
// must never panic, refuse only with located EInvalid problems, and whatever
// it accepts must pass the rules of Parse unchanged. The published document
// is read inside the fuzz function, where a test is at hand: an input
// "@masvs\x00old\x00new" stands for it with the first old replaced by new.
func FuzzImportMASVS(f *testing.F) {
	for _, seed := range []struct{ doc, version string }{
		{"@masvs", ""},
		{"@masvs", "2.1.0"},
		{"@masvs\x00version: vx.x.x\x00version: v2.1.0", ""},
		{"@masvs\x00id: MASVS-CODE-2\x00id: MASVS-CODE-1", "1.0"},
		{"@masvs\x00index: 3\x00index: 2", "1.0"},
		{"@masvs\x00statement: The app\x00statement: ''", "1.0"},
		{"@masvs\x00- id: MASVS-AUTH\n\x00- colour: blue\n", "1.0"},
		{"@masvs\x00groups:\x00groups: &a\n", "1.0"},
		{tinyMASVS, ""},
		{tinyMASVS, "x y"},
		{strings.Replace(tinyMASVS, "index: 2", "index: -2", 1), ""},
		{"metadata: {title: t}\ngroups: [{id: MASVS-A, index: 1, title: a, description: d, controls: [{id: MASVS-A-1}]}]\n", "1"},
		{"groups: [[[]]]", ""},
		{"{", ""},
	} {
		f.Add([]byte(seed.doc), seed.version)
	}
	f.Fuzz(func(t *testing.T, doc []byte, version string) {
		if rest, ok := bytes.CutPrefix(doc, []byte("@masvs")); ok {
			doc = standard(t, masvsFile)
			if parts := bytes.SplitN(rest, []byte{0}, 3); len(parts) == 3 && len(parts[1]) > 0 {
				doc = bytes.Replace(doc, parts[1], parts[2], 1)
			}
		}
		const name = "fuzz.yaml"
		fw, err := frameworks.ImportMASVS(name, doc, version)
		if err != nil {
			e, ok := domain.AsError(err)
			if !ok || e.Code != domain.EInvalid || fw != nil {
				t.Fatalf("ImportMASVS = %v, %v (%T); want only an EInvalid domain error", fw, err, err)
			}
			if e.Message == "" || len(e.Problems) == 0 {
				t.Fatalf("refusal %q names no problem", e.Message)
			}
			for _, p := range e.Problems {
				if !strings.HasPrefix(p.Location, name) || p.Message == "" {
					t.Fatalf("problem %+v is not located in %s or says nothing", p, name)
				}
			}
			return
		}
		if fw.ID != "owasp-masvs" || fw.Version == "" || fw.Licence == "" {
			t.Fatalf("accepted framework %q %q without licence %q", fw.ID, fw.Version, fw.Licence)
		}
		reparse(t, fw)
		again, err := frameworks.ImportMASVS(name, doc, version)
		if err != nil || !reflect.DeepEqual(fw, again) {
			t.Fatalf("a second import differs: %v", err)
		}
	})
}
