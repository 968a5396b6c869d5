package frameworks_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"assure/domain"
	"assure/frameworks"
	"assure/standards"
)

// oscalSchema is the published OSCAL 1.2.2 schema (see package standards).
func oscalSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	sch, err := standards.OSCAL()
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateOSCAL(sch *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// A checklist framework (no threats) that uses every optional field: levels,
// channels, a licence, text over several lines, an empty audit group, ids
// that are no OSCAL tokens as they stand, and controls listed out of their
// groups' order.
const oscalChecklistYAML = `id: app-checklist
version: 2.1.0-rc.1
title: App checklist
source: |
  Written for the tests.
  Second line of the source.
notes: Some notes.
licence: CC BY-SA 4.0; keep the attribution.
implementers:
  - {id: dfs_provider, name: DFS provider, description: The provider.}
  - {id: vendor, name: Vendor, description: The app vendor.}
audit_groups:
  - {id: storage, name: Storage, description: Data at rest.}
  - {id: 1st-line, name: First line, description: "Front line checks, with <html> & such."}
  - {id: empty, name: Empty, description: Nothing here yet.}
levels:
  - {id: L1, name: Level 1, description: Baseline.}
  - {id: L2, name: Level 2, description: Defence in depth.}
controls:
  - id: MASVS-STORAGE-1
    section: STORAGE-1
    title: Sensitive data is stored securely
    description: |
      The app keeps sensitive data only in protected storage.

      A second paragraph.
    implementers: [vendor, dfs_provider]
    channels: [app]
    levels: [L1, L2]
    audit_group: storage
    question: Is sensitive data stored securely?
    evidence: Storage review.
  - id: 2fa
    section: "2"
    title: Second factor
    description: A second factor is asked.
    implementers: [dfs_provider]
    levels: [L1]
    audit_group: 1st-line
    question: Is a second factor asked?
    evidence: Login test.
  - id: MASVS-STORAGE-2
    section: STORAGE-2
    title: No leaks
    description: Nothing leaks.
    implementers: [vendor]
    levels: [L2]
    audit_group: storage
    question: Does nothing leak?
    evidence: Log review.
`

// A rated framework with text over several lines in its rationales.
const oscalRatedYAML = `id: tiny
version: "1"
title: Tiny
dimensions: [{id: availability, name: Availability, description: Up}, {id: privacy, name: Privacy, description: Private}]
stages: [{id: provider, name: Provider, description: Own systems}]
implementers: [{id: provider, name: Provider, description: Itself}]
audit_groups: [{id: ops, name: Operations, description: Running it}, {id: ppl, name: People, description: Staff}]
threats:
  - id: T1
    number: 1
    name: Outage
    description: Stops.
    stages: [provider]
    dimensions: [availability, privacy]
    likelihood: 3
    likelihood_rationale: |
      Often.
      Very often.
    impact: 4
    impact_rationale: Hurts.
  - id: T2
    number: 2
    name: Leak
    description: Spills.
    stages: [provider]
    dimensions: [privacy]
    likelihood: 2
    likelihood_rationale: Rare.
    impact: 5
    impact_rationale: Bad.
controls:
  - id: C1
    section: "2.1"
    title: Need to know
    description: Staff see what they need.
    dimensions: [privacy]
    implementers: [provider]
    threat: T2
    audit_group: ppl
    question: Need to know?
    evidence: Roles.
  - id: C2
    section: "1.1"
    title: Spares
    description: Two of all.
    dimensions: [availability]
    implementers: [provider]
    threat: T1
    also_mitigates: [T2]
    channels: [ussd, app]
    audit_group: ops
    question: Spares?
    evidence: A list.
`

// oscalTestFrameworks returns the embedded frameworks and the two above.
func oscalTestFrameworks(t *testing.T) []*domain.Framework {
	t.Helper()
	list, err := frameworks.Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	if len(list) == 0 {
		t.Fatal("no embedded framework")
	}
	for name, src := range map[string]string{"checklist.yaml": oscalChecklistYAML, "rated.yaml": oscalRatedYAML} {
		f, err := frameworks.Parse(name, []byte(src))
		if err != nil {
			t.Fatalf("Parse %s: %v %v", name, err, oscalProblems(err))
		}
		list = append(list, f)
	}
	return list
}

func oscalProblems(err error) []domain.Problem {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

func TestOSCALExportValidatesAgainstSchema(t *testing.T) {
	sch := oscalSchema(t)
	for _, f := range oscalTestFrameworks(t) {
		t.Run(f.ID, func(t *testing.T) {
			data, err := frameworks.OSCALCatalog(f)
			if err != nil {
				t.Fatalf("OSCALCatalog: %v %v", err, oscalProblems(err))
			}
			if err := validateOSCAL(sch, data); err != nil {
				t.Fatalf("the export is not a valid OSCAL 1.2.2 document: %v", err)
			}
			again, err := frameworks.OSCALCatalog(f)
			if err != nil || !bytes.Equal(data, again) {
				t.Fatalf("two exports of %s %s differ (err %v)", f.ID, f.Version, err)
			}
		})
	}
}

// The validator is live: a document that breaks the schema fails it.
func TestOSCALSchemaRejectsBrokenDocuments(t *testing.T) {
	sch := oscalSchema(t)
	f, err := frameworks.Parse("rated.yaml", []byte(oscalRatedYAML))
	if err != nil {
		t.Fatal(err)
	}
	good, err := frameworks.OSCALCatalog(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := validateOSCAL(sch, good); err != nil {
		t.Fatalf("the untouched export fails: %v", err)
	}
	breaks := map[string]func(cat map[string]any){
		"no metadata": func(cat map[string]any) { delete(cat, "metadata") },
		"uuid not a UUID": func(cat map[string]any) {
			cat["uuid"] = "not-a-uuid"
		},
		"control id no token": func(cat map[string]any) {
			oscalFirstControl(cat)["id"] = "1.1"
		},
		"title over two lines": func(cat map[string]any) {
			oscalFirstControl(cat)["title"] = "two\nlines"
		},
		"last-modified no date-time": func(cat map[string]any) {
			cat["metadata"].(map[string]any)["last-modified"] = "yesterday"
		},
		"unknown field": func(cat map[string]any) {
			oscalFirstControl(cat)["threat"] = "T1"
		},
	}
	for name, breakIt := range breaks {
		t.Run(name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(good, &doc); err != nil {
				t.Fatal(err)
			}
			breakIt(doc["catalog"].(map[string]any))
			bad, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if validateOSCAL(sch, bad) == nil {
				t.Fatal("the broken document passes the schema")
			}
		})
	}
}

func oscalFirstControl(cat map[string]any) map[string]any {
	group := cat["groups"].([]any)[0].(map[string]any)
	return group["controls"].([]any)[0].(map[string]any)
}

func TestOSCALRoundTrip(t *testing.T) {
	for _, f := range oscalTestFrameworks(t) {
		t.Run(f.ID, func(t *testing.T) {
			data, err := frameworks.OSCALCatalog(f)
			if err != nil {
				t.Fatal(err)
			}
			back, err := frameworks.ImportOSCALCatalog(f.ID+".json", data)
			if err != nil {
				t.Fatalf("import of the export: %v %v", err, oscalProblems(err))
			}
			if back.Digest() != f.Digest() {
				want, _ := json.MarshalIndent(f, "", " ")
				got, _ := json.MarshalIndent(back, "", " ")
				t.Fatalf("the framework does not come back the same:\nwant %s\ngot  %s", want, got)
			}
			again, err := frameworks.OSCALCatalog(back)
			if err != nil || !bytes.Equal(again, data) {
				t.Fatalf("the export of the import differs from the export (err %v)", err)
			}
		})
	}
}

func TestOSCALExportShape(t *testing.T) {
	list := oscalTestFrameworks(t)
	var x1150, checklist *domain.Framework
	for _, f := range list {
		switch {
		case f.ID == "x1150" && f.Version == "1.0":
			x1150 = f
		case f.ID == "app-checklist":
			checklist = f
		}
	}
	if x1150 == nil {
		t.Fatal("x1150 is not embedded")
	}
	doc := oscalExport(t, x1150)
	// The name-based UUID of "x1150@1.0" under the v5 UUID of the Assure
	// namespace in RFC 9562's URL namespace, as any UUID library computes it.
	if got, want := doc.Catalog.UUID, "03851977-40d9-5616-a224-2e532b80a12c"; got != want {
		t.Errorf("uuid = %s, want %s", got, want)
	}
	md := doc.Catalog.Metadata
	if md.Version != "1.0" || md.OSCALVersion != "1.2.2" || md.Title != x1150.Title || md.Remarks != x1150.Notes {
		t.Errorf("metadata = %+v", md)
	}
	ctl := oscalFindControl(doc.Catalog.Groups, "c12")
	if ctl == nil {
		t.Fatal("no control c12")
	}
	if !oscalHasProp(ctl.Props, "", "label", "C12") || !oscalHasProp(ctl.Props, domain.OSCALNamespace, "section", x1150.Controls[11].Section) {
		t.Errorf("c12 props = %+v", ctl.Props)
	}
	names := []string{}
	for _, p := range ctl.Parts {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"statement", "assessment-objective", "assessment-method"}) {
		t.Errorf("c12 parts = %v", names)
	}

	doc = oscalExport(t, checklist)
	if oscalFindControl(doc.Catalog.Groups, "masvs-storage-1") == nil || oscalFindControl(doc.Catalog.Groups, "_2fa") == nil {
		t.Errorf("control ids are not tokens made from the Assure ids: %+v", doc.Catalog.Groups)
	}
	var ids []string
	for _, g := range doc.Catalog.Groups {
		ids = append(ids, g.ID)
	}
	if !slices.Equal(ids, []string{"storage", "_1st-line", "empty"}) {
		t.Errorf("group ids = %v", ids)
	}
}

type oscalTestCatalog struct {
	Catalog struct {
		UUID     string `json:"uuid"`
		Metadata struct {
			Title        string `json:"title"`
			Version      string `json:"version"`
			OSCALVersion string `json:"oscal-version"`
			Remarks      string `json:"remarks"`
		} `json:"metadata"`
		Groups []oscalTestGroup `json:"groups"`
	} `json:"catalog"`
}

type oscalTestGroup struct {
	ID       string             `json:"id"`
	Controls []oscalTestControl `json:"controls"`
}

type oscalTestControl struct {
	ID    string          `json:"id"`
	Props []oscalTestProp `json:"props"`
	Parts []struct {
		Name string `json:"name"`
	} `json:"parts"`
}

type oscalTestProp struct {
	Name, NS, Value string
}

func oscalExport(t *testing.T, f *domain.Framework) oscalTestCatalog {
	t.Helper()
	data, err := frameworks.OSCALCatalog(f)
	if err != nil {
		t.Fatal(err)
	}
	var doc oscalTestCatalog
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func oscalFindControl(groups []oscalTestGroup, id string) *oscalTestControl {
	for _, g := range groups {
		for i, c := range g.Controls {
			if c.ID == id {
				return &g.Controls[i]
			}
		}
	}
	return nil
}

func oscalHasProp(props []oscalTestProp, ns, name, value string) bool {
	return slices.Contains(props, oscalTestProp{Name: name, NS: ns, Value: value})
}

// A national circular as another tool might publish it: nested groups, a
// control with a sub-control, prose in statement items with a parameter, a
// control outside any group, and none of Assure's props.
const oscalForeignCatalog = `{
  "catalog": {
    "uuid": "7f1c4b1e-2a52-4d0c-9a8e-4a3b2f9d6c11",
    "metadata": {
      "title": "Circular 12/2025 on ICT Risk — Mobile Money",
      "last-modified": "2025-11-30T09:00:00Z",
      "version": "Rev. 2 (final)",
      "oscal-version": "1.1.2",
      "remarks": "Issued by the central bank."
    },
    "params": [{"id": "prm-days", "label": "number of days"}],
    "controls": [
      {"id": "gen-1", "title": "Board oversight",
       "parts": [{"id": "gen-1_smt", "name": "statement", "prose": "The board approves the ICT risk policy."}]}
    ],
    "groups": [
      {"id": "ch3", "title": "Chapter 3: Access",
       "groups": [
         {"id": "ch3.1", "title": "Accounts",
          "props": [{"name": "label", "value": "3.1"}],
          "parts": [{"name": "overview", "prose": "How accounts are managed."}],
          "controls": [
            {"id": "ac-2", "title": "Account management",
             "props": [{"name": "label", "value": "AC-2"}, {"name": "sort-id", "value": "ac-02"}],
             "parts": [
               {"id": "ac-2_smt", "name": "statement", "prose": "The provider:",
                "parts": [
                  {"name": "item", "props": [{"name": "label", "value": "a."}], "prose": "reviews accounts every {{ insert: param, prm-days }};"},
                  {"name": "item", "props": [{"name": "label", "value": "b."}], "prose": "disables unused accounts."}
                ]},
               {"name": "guidance", "prose": "Not part of the statement."}
             ],
             "controls": [
               {"id": "ac-2.1", "title": "Automated account management",
                "props": [{"name": "label", "value": "AC-2(1)"}],
                "parts": [{"name": "statement", "prose": "Accounts are managed with automated tools."}]}
             ]},
            {"id": "ac-3", "title": "Access enforcement"}
          ]},
         {"id": "ch3.2", "title": "Passwords",
          "controls": [
            {"id": "ia-5", "title": "Authenticator management",
             "parts": [
               {"name": "statement", "prose": "Passwords are strong."},
               {"name": "assessment-objective", "prose": "Are passwords strong?"},
               {"name": "assessment-method", "props": [{"name": "method", "value": "EXAMINE"}],
                "parts": [{"name": "assessment-objects", "prose": "Password policy."}]}
             ]},
            {"id": "пароль", "title": "Пароли"}
          ]}
       ]}
    ]
  }
}`

func TestImportForeignOSCALCatalog(t *testing.T) {
	f, err := frameworks.ImportOSCALCatalog("circular.json", []byte(oscalForeignCatalog))
	if err != nil {
		t.Fatalf("import: %v %v", err, oscalProblems(err))
	}
	if f.ID != "circular-12-2025-on-ict-risk-mobile-money" || f.Version != "Rev-2-final" || f.Title != "Circular 12/2025 on ICT Risk — Mobile Money" {
		t.Errorf("framework = %q %q %q", f.ID, f.Version, f.Title)
	}
	if f.Notes != "Issued by the central bank." || !strings.Contains(f.Source, "Circular 12/2025") || f.HasThreats() {
		t.Errorf("notes %q, source %q, threats %d", f.Notes, f.Source, len(f.Threats))
	}
	var groups []string
	for _, g := range f.AuditGroups {
		groups = append(groups, g.ID+"="+g.Name)
	}
	if want := []string{"general=General", "ch3.3.1=Accounts", "ch3.2=Passwords"}; !slices.Equal(groups, want) {
		t.Errorf("audit groups = %v, want %v", groups, want)
	}
	type row struct{ id, section, group string }
	var got []row
	for _, c := range f.Controls {
		got = append(got, row{c.ID, c.Section, c.AuditGroup})
		if !slices.Equal(c.Implementers, []string{"provider"}) || c.Title == "" || c.Description == "" || c.Question == "" || c.Evidence == "" {
			t.Errorf("control %s = %+v", c.ID, c)
		}
	}
	want := []row{
		{"gen-1", "1", "general"},
		{"AC-2", "AC-2", "ch3.3.1"},
		{"ac-2.1", "AC-2.1", "ch3.3.1"},
		{"ac-3", "4", "ch3.3.1"},
		{"ia-5", "5", "ch3.2"},
		{"control-6", "6", "ch3.2"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("controls = %v\nwant       %v", got, want)
	}
	if len(f.Implementers) != 1 || f.Implementers[0].ID != "provider" || f.Implementers[0].Name != "Provider" {
		t.Errorf("implementers = %+v", f.Implementers)
	}
	ac2 := f.Controls[1]
	if want := "The provider:\n  a. reviews accounts every [number of days];\n  b. disables unused accounts."; ac2.Description != want {
		t.Errorf("AC-2 description = %q, want %q", ac2.Description, want)
	}
	if !strings.Contains(ac2.Question, "Account management") || !strings.Contains(ac2.Evidence, "Account management") {
		t.Errorf("AC-2 fallbacks: question %q, evidence %q", ac2.Question, ac2.Evidence)
	}
	if ia5 := f.Controls[4]; ia5.Question != "Are passwords strong?" || ia5.Evidence != "Password policy." {
		t.Errorf("IA-5 question %q, evidence %q", ia5.Question, ia5.Evidence)
	}
	if ac3 := f.Controls[3]; ac3.Description != "Access enforcement" {
		t.Errorf("a control without a statement is described by its title, got %q", ac3.Description)
	}

	// The import passes the rules of Parse: its export is valid and comes
	// back the same.
	data, err := frameworks.OSCALCatalog(f)
	if err != nil {
		t.Fatalf("export of the import: %v %v", err, oscalProblems(err))
	}
	sch := oscalSchema(t)
	if err := validateOSCAL(sch, data); err != nil {
		t.Fatalf("export of the import: %v", err)
	}
	back, err := frameworks.ImportOSCALCatalog("again.json", data)
	if err != nil || back.Digest() != f.Digest() {
		t.Fatalf("the imported circular does not round-trip: %v", err)
	}
}

// oscalMalformedCatalogs are inputs an import must refuse, with where a problem
// must be located.
var oscalMalformedCatalogs = []struct {
	name, doc, location string
}{
	{"not JSON", `{"catalog": `, "in.json:1:"},
	{"not an object", `[1, 2]`, "in.json:1:"},
	{"no catalog", `{"profile": {"uuid": "x"}}`, "in.json"},
	{"null catalog", `{"catalog": null}`, "in.json catalog"},
	{"wrong type", `{"catalog": {"metadata": {"title": 5}}}`, "catalog.metadata.title"},
	{"no metadata", `{"catalog": {"uuid": "x", "controls": [{"id": "a", "title": "A"}]}}`, "in.json catalog.metadata"},
	{"control without id", `{"catalog": {"metadata": {"title": "T", "version": "1"},
		"groups": [{"id": "g", "title": "G", "controls": [{"title": "No id"}]}]}}`, "in.json catalog.groups[0].controls[0].id"},
	{"control without title", `{"catalog": {"metadata": {"title": "T", "version": "1"},
		"groups": [{"id": "g", "title": "G", "controls": [{"id": "c1"}, {"id": "c2", "title": "Two"}]}]}}`, "in.json catalog.groups[0].controls[0].title"},
	{"no controls", `{"catalog": {"metadata": {"title": "T", "version": "1"}}}`, "in.json catalog"},
	{"no version", `{"catalog": {"metadata": {"title": "T"}, "controls": [{"id": "a", "title": "A"}]}}`, "in.json catalog.metadata.version"},
	{"group without title", `{"catalog": {"metadata": {"title": "T", "version": "1"},
		"groups": [{"id": "g", "controls": [{"id": "c1", "title": "One"}]}]}}`, "in.json catalog.groups[0].title"},
	{"threat number not a number", `{"catalog": {"metadata": {"title": "T", "version": "1",
		"props": [{"name": "framework-id", "ns": "https://assure.example/ns/oscal", "value": "t"}]},
		"back-matter": {"resources": [{"uuid": "u", "title": "Th", "description": "D", "props": [
			{"name": "kind", "ns": "https://assure.example/ns/oscal", "value": "threat"},
			{"name": "id", "ns": "https://assure.example/ns/oscal", "value": "T1"},
			{"name": "number", "ns": "https://assure.example/ns/oscal", "value": "one"}]}]},
		"controls": [{"id": "a", "title": "A"}]}}`, "in.json catalog.back-matter.resources[0].props[2]"},
	{"unknown implementer", `{"catalog": {"metadata": {"title": "T", "version": "1"},
		"controls": [{"id": "a", "title": "A", "props": [{"name": "implementer", "ns": "https://assure.example/ns/oscal", "value": "nobody"}]}]}}`,
		"in.json catalog.controls[0].props[0]"},
}

func TestImportOSCALCatalogRefusesMalformedInput(t *testing.T) {
	for _, tc := range oscalMalformedCatalogs {
		t.Run(tc.name, func(t *testing.T) {
			f, err := frameworks.ImportOSCALCatalog("in.json", []byte(tc.doc))
			if err == nil {
				t.Fatalf("imported %+v", f)
			}
			if domain.ErrorCodeOf(err) != domain.EInvalid {
				t.Fatalf("error %v, want code %s", err, domain.EInvalid)
			}
			problems := oscalProblems(err)
			if len(problems) == 0 {
				t.Fatalf("%v has no problems", err)
			}
			if !slices.ContainsFunc(problems, func(p domain.Problem) bool {
				return strings.HasPrefix(p.Location, tc.location) || strings.Contains(p.Location, tc.location)
			}) {
				t.Errorf("no problem located at %s: %v", tc.location, problems)
			}
		})
	}
}

func TestOSCALCatalogRefusesInvalidFramework(t *testing.T) {
	if _, err := frameworks.OSCALCatalog(nil); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("nil framework: %v", err)
	}
	f, err := frameworks.Parse("rated.yaml", []byte(oscalRatedYAML))
	if err != nil {
		t.Fatal(err)
	}
	f.Controls[0].AuditGroup = "nowhere"
	_, err = frameworks.OSCALCatalog(f)
	if domain.ErrorCodeOf(err) != domain.EInvalid || len(oscalProblems(err)) == 0 {
		t.Fatalf("a control in an undefined audit group: %v", err)
	}
}

func FuzzImportOSCALCatalog(f *testing.F) {
	for _, tc := range oscalMalformedCatalogs {
		f.Add([]byte(tc.doc))
	}
	f.Add([]byte(oscalForeignCatalog))
	for _, src := range []string{oscalChecklistYAML, oscalRatedYAML} {
		fw, err := frameworks.Parse("seed.yaml", []byte(src))
		if err != nil {
			f.Fatal(err)
		}
		data, err := frameworks.OSCALCatalog(fw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var (
		once sync.Once
		sch  *jsonschema.Schema
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		once.Do(func() { sch = oscalSchema(t) })
		if sch == nil {
			t.Fatal("the OSCAL schema could not be read")
		}
		fw, err := frameworks.ImportOSCALCatalog("fuzz.json", data)
		if err != nil {
			if domain.ErrorCodeOf(err) != domain.EInvalid || len(oscalProblems(err)) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			return
		}
		// Success means a framework that passes the rules of Parse, which
		// the export checks again, and whose export is valid OSCAL.
		out, err := frameworks.OSCALCatalog(fw)
		if err != nil {
			t.Fatalf("imported a framework that breaks the rules: %v %v", err, oscalProblems(err))
		}
		if err := validateOSCAL(sch, out); err != nil {
			t.Fatalf("the export of an import is not valid OSCAL: %v", err)
		}
	})
}

// The mapping covers every field of the framework's types: a field added to
// them must be given its place in OSCAL (oscal.go) before this passes. A
// string field added to domain.Control needs nothing: it travels as a part in
// Assure's namespace.
func TestOSCALMapsEveryField(t *testing.T) {
	mapped := map[reflect.Type][]string{
		reflect.TypeFor[domain.Framework](): {"ID", "Version", "Title", "Source", "Notes", "Licence", "Dimensions",
			"Stages", "Implementers", "AuditGroups", "Threats", "Controls", "Levels"},
		reflect.TypeFor[domain.Threat](): {"ID", "Number", "Name", "Description", "Stages", "Dimensions",
			"Likelihood", "LikelihoodRationale", "Impact", "ImpactRationale"},
		reflect.TypeFor[domain.Control](): {"ID", "Section", "Title", "Description", "Dimensions", "Implementers",
			"PrimaryThreat", "OtherThreats", "Channels", "AuditGroup", "Question", "Evidence", "Levels"},
		reflect.TypeFor[domain.Dimension]():   {"ID", "Name", "Description"},
		reflect.TypeFor[domain.Stage]():       {"ID", "Name", "Description"},
		reflect.TypeFor[domain.Implementer](): {"ID", "Name", "Description"},
		reflect.TypeFor[domain.AuditGroup]():  {"ID", "Name", "Description"},
		reflect.TypeFor[domain.Level]():       {"ID", "Name", "Description"},
	}
	for typ, names := range mapped {
		for f := range typ.Fields() {
			if slices.Contains(names, f.Name) {
				continue
			}
			if typ == reflect.TypeFor[domain.Control]() && f.Type.Kind() == reflect.String {
				continue
			}
			t.Errorf("%s.%s has no place in the OSCAL export", typ.Name(), f.Name)
		}
	}
}
