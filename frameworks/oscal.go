// OSCAL catalogs: export and import. (This header is not the package's doc
// comment, which is in parse.go; it is kept apart by the blank line below.)
//
// OSCALCatalog writes a framework as an OSCAL 1.2.2 catalog in JSON, and
// ImportOSCALCatalog reads an OSCAL catalog (one of ours, or one written by
// any other tool) into a framework checked by the same rules as Parse.
//
// Where each part of a framework goes in the catalog:
//
//   - catalog.uuid: a name-based (version 5) UUID of "id@version", under a
//     namespace UUID derived from OSCALNamespace, so every export of one
//     version carries the same uuid. Back-matter resources get UUIDs the same
//     way from "id@version/kind/entry".
//   - metadata.title, metadata.version: the framework's title and version.
//     metadata.last-modified: the fixed instant oscalLastModified. A published
//     version never changes and the framework records no date, so a constant
//     keeps two exports of one version byte for byte identical.
//     metadata.oscal-version: "1.2.2". metadata.remarks: the notes.
//     metadata.props: framework-id (ns OSCALNamespace), the framework's id.
//     metadata.links: one link to each of the source and licence resources.
//   - groups: one per audit group, in the framework's order. The group id is
//     an OSCAL token made from the audit group id (see domain.OSCALToken); the
//     original id is kept in the standard "label" prop, the name is the
//     title, and the description is the prose of an "overview" part.
//   - controls: inside the group of their audit group. The id is an OSCAL
//     token made from the control id (C12 → c12, MASVS-STORAGE-1 →
//     masvs-storage-1); the standard "label" prop holds the original id and
//     the standard "sort-id" prop the control's place in the framework (so
//     that an import restores the framework's order, which the grouping
//     hides). Assure props, all in ns OSCALNamespace: section, implementer,
//     channel, dimension, level, primary-threat and other-threat, one prop
//     per value, in the framework's order. Parts: "statement" (the
//     description), "assessment-objective" (the question), and
//     "assessment-method" with the prop method=EXAMINE and a nested
//     "assessment-objects" part (the evidence). A string field of
//     domain.Control beyond these (one added later) is a part in ns
//     OSCALNamespace named after the field's JSON name.
//   - back-matter.resources: the framework's own vocabularies, one resource
//     per entry, each with the prop kind (ns OSCALNamespace) set to
//     dimension, stage, implementer, level or threat and the prop id to the
//     entry's id; title is the name and description the description. A
//     threat also carries the props number, stage, dimension, likelihood and
//     impact; the two rationales are the remarks of the likelihood and impact
//     props. The source and the licence are resources of kind source and
//     licence whose description holds the text (OSCAL props cannot hold text
//     that spans lines, and links need a URI, so neither fits elsewhere).
//
// What an import makes of a catalog:
//
//   - id: the framework-id prop, else a slug of the title. version:
//     metadata.version with anything but letters, digits, '_', '-' and '.'
//     replaced. notes: metadata.remarks. source and licence: our resources;
//     a catalog of another tool gets a source line naming the catalog.
//   - Every group holding controls (or holding nothing) becomes an audit
//     group; nested groups are flattened in document order. Its id is the
//     label prop when that is a valid audit group id, else the OSCAL id made
//     into one; a nested group's id is prefixed with its parent's and '.'
//     unless it already starts with the parent's id. A group that only holds
//     groups gives no audit group of its own. Controls outside any group go
//     to an audit group "general".
//   - Every control and sub-control becomes a control, sub-controls right
//     after their parent. Its id is the label prop, else the OSCAL id (made
//     valid, prefixed with the parent's for a sub-control whose id does not
//     already start with it, and made unique). The description is the prose
//     of the statement parts with their items; the question the prose of the
//     assessment objective; the evidence that of the assessment objects;
//     each falls back to a sentence built from the title. Parameter
//     insertions in prose are replaced by the parameter's values, choices or
//     label, in brackets. The section is our prop, else the label, the
//     sort-id or the place in the catalog, whichever first gives a valid
//     section not yet used. A control without
//     implementers is given one, "provider". Props, parts and fields that
//     none of these rules name are left aside.
//
// What does not round-trip: a line break inside a title or a name (OSCAL
// titles are single lines; the export writes a space). Everything else of a
// valid framework comes back equal (same Digest).

package frameworks

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"assure/domain"
)

const (

	// oscalLastModified is the last-modified instant of every export (see the
	// comment at the top of this file for why it is fixed).
	oscalLastModified = "1970-01-01T00:00:00Z"

	// maxNesting bounds how deep groups and sub-controls may nest in an
	// imported catalog.
	maxNesting = 32
)

// The OSCAL catalog model, as far as Assure writes and reads it. Fields an
// import does not use are left out: the decoder skips them.
type (
	oscalDocument struct {
		Catalog *oscalCatalog `json:"catalog"`
	}
	oscalCatalog struct {
		UUID       string           `json:"uuid"`
		Metadata   *oscalMetadata   `json:"metadata"`
		Params     []oscalParam     `json:"params,omitempty"`
		Controls   []oscalControl   `json:"controls,omitempty"`
		Groups     []oscalGroup     `json:"groups,omitempty"`
		BackMatter *oscalBackMatter `json:"back-matter,omitempty"`
	}
	oscalMetadata struct {
		Title        string      `json:"title"`
		LastModified string      `json:"last-modified"`
		Version      string      `json:"version"`
		OSCALVersion string      `json:"oscal-version"`
		Props        []oscalProp `json:"props,omitempty"`
		Links        []oscalLink `json:"links,omitempty"`
		Remarks      string      `json:"remarks,omitempty"`
	}
	oscalProp struct {
		Name    string `json:"name"`
		NS      string `json:"ns,omitempty"`
		Value   string `json:"value"`
		Class   string `json:"class,omitempty"`
		Remarks string `json:"remarks,omitempty"`
	}
	oscalLink struct {
		Href string `json:"href"`
		Rel  string `json:"rel,omitempty"`
		Text string `json:"text,omitempty"`
	}
	oscalGroup struct {
		ID       string         `json:"id,omitempty"`
		Title    string         `json:"title"`
		Params   []oscalParam   `json:"params,omitempty"`
		Props    []oscalProp    `json:"props,omitempty"`
		Parts    []oscalPart    `json:"parts,omitempty"`
		Groups   []oscalGroup   `json:"groups,omitempty"`
		Controls []oscalControl `json:"controls,omitempty"`
	}
	oscalControl struct {
		ID       string         `json:"id"`
		Title    string         `json:"title"`
		Params   []oscalParam   `json:"params,omitempty"`
		Props    []oscalProp    `json:"props,omitempty"`
		Parts    []oscalPart    `json:"parts,omitempty"`
		Controls []oscalControl `json:"controls,omitempty"`
	}
	oscalPart struct {
		ID    string      `json:"id,omitempty"`
		Name  string      `json:"name"`
		NS    string      `json:"ns,omitempty"`
		Title string      `json:"title,omitempty"`
		Props []oscalProp `json:"props,omitempty"`
		Prose string      `json:"prose,omitempty"`
		Parts []oscalPart `json:"parts,omitempty"`
	}
	oscalParam struct {
		ID     string       `json:"id"`
		Label  string       `json:"label,omitempty"`
		Values []string     `json:"values,omitempty"`
		Select *oscalSelect `json:"select,omitempty"`
	}
	oscalSelect struct {
		HowMany string   `json:"how-many,omitempty"`
		Choice  []string `json:"choice,omitempty"`
	}
	oscalBackMatter struct {
		Resources []oscalResource `json:"resources,omitempty"`
	}
	oscalResource struct {
		UUID        string      `json:"uuid"`
		Title       string      `json:"title,omitempty"`
		Description string      `json:"description,omitempty"`
		Props       []oscalProp `json:"props,omitempty"`
	}
)

// The kinds of back-matter resources an export writes.
const (
	kindDimension   = "dimension"
	kindStage       = "stage"
	kindImplementer = "implementer"
	kindLevel       = "level"
	kindThreat      = "threat"
	kindSource      = "source"
	kindLicence     = "licence"
)

// OSCALCatalog returns f as an indented OSCAL 1.2.2 catalog document in JSON.
// The same framework always gives the same bytes. f must pass the rules of
// Parse; if not, the error is a *domain.Error with code EInvalid listing the
// problems.
func OSCALCatalog(f *domain.Framework) ([]byte, error) {
	if f == nil {
		return nil, domain.Errorf(domain.EInvalid, "no framework to export")
	}
	c := newChecker()
	c.check(toFile(f))
	if len(c.problems) > 0 {
		problems := make([]domain.Problem, len(c.problems))
		for i, p := range c.problems {
			problems[i] = domain.Problem{Location: strings.TrimSpace(f.ID + " " + checkerPath(p)), Message: p.Message}
		}
		return nil, domain.Invalid(fmt.Sprintf("framework %s %s is not valid and cannot be exported", f.ID, f.Version), problems)
	}

	key := f.ID + "@" + f.Version
	tokens := domain.OSCALTokensOf(f)
	cat := &oscalCatalog{
		UUID: domain.OSCALUUID(key),
		Metadata: &oscalMetadata{
			Title:        oneLine(f.Title),
			LastModified: oscalLastModified,
			Version:      f.Version,
			OSCALVersion: domain.OSCALVersion,
			Props:        []oscalProp{assureProp("framework-id", f.ID)},
			Remarks:      f.Notes,
		},
	}

	var resources []oscalResource
	addEntry := func(kind, id, name, description string, props ...oscalProp) {
		resources = append(resources, oscalResource{
			UUID:        domain.OSCALUUID(key + "/" + kind + "/" + id),
			Title:       oneLine(name),
			Description: description,
			Props:       append([]oscalProp{assureProp("kind", kind), assureProp("id", id)}, props...),
		})
	}
	for _, d := range f.Dimensions {
		addEntry(kindDimension, d.ID, d.Name, d.Description)
	}
	for _, s := range f.Stages {
		addEntry(kindStage, s.ID, s.Name, s.Description)
	}
	for _, im := range f.Implementers {
		addEntry(kindImplementer, im.ID, im.Name, im.Description)
	}
	for _, l := range f.Levels {
		addEntry(kindLevel, l.ID, l.Name, l.Description)
	}
	for _, t := range f.Threats {
		props := []oscalProp{assureProp("number", strconv.Itoa(t.Number))}
		props = append(props, assureProps("stage", t.Stages)...)
		props = append(props, assureProps("dimension", t.Dimensions)...)
		likelihood := assureProp("likelihood", strconv.Itoa(t.Likelihood))
		likelihood.Remarks = t.LikelihoodRationale
		impact := assureProp("impact", strconv.Itoa(t.Impact))
		impact.Remarks = t.ImpactRationale
		addEntry(kindThreat, t.ID, t.Name, t.Description, append(props, likelihood, impact)...)
	}
	text := func(kind, title, body, rel string) {
		if body == "" {
			return
		}
		id := domain.OSCALUUID(key + "/" + kind)
		resources = append(resources, oscalResource{
			UUID: id, Title: title, Description: body,
			Props: []oscalProp{assureProp("kind", kind)},
		})
		cat.Metadata.Links = append(cat.Metadata.Links, oscalLink{Href: "#" + id, Rel: rel, Text: title})
	}
	text(kindSource, "Source", f.Source, "reference")
	text(kindLicence, "Licence", f.Licence, "license")
	if len(resources) > 0 {
		cat.BackMatter = &oscalBackMatter{Resources: resources}
	}

	width := max(3, len(strconv.Itoa(len(f.Controls))))
	for _, g := range f.AuditGroups {
		group := oscalGroup{
			ID:    tokens.Group[g.ID],
			Title: oneLine(g.Name),
			Props: []oscalProp{{Name: "label", Value: g.ID}},
			Parts: []oscalPart{{ID: tokens.Overview[g.ID], Name: "overview", Prose: g.Description}},
		}
		for j, ctl := range f.Controls {
			if ctl.AuditGroup != g.ID {
				continue
			}
			tok := tokens.Control[ctl.ID]
			props := []oscalProp{
				{Name: "label", Value: ctl.ID},
				{Name: "sort-id", Value: fmt.Sprintf("%0*d", width, j+1)},
				assureProp("section", ctl.Section),
			}
			props = append(props, assureProps("implementer", ctl.Implementers)...)
			props = append(props, assureProps("channel", ctl.Channels)...)
			props = append(props, assureProps("dimension", ctl.Dimensions)...)
			props = append(props, assureProps("level", ctl.Levels)...)
			if ctl.PrimaryThreat != "" {
				props = append(props, assureProp("primary-threat", ctl.PrimaryThreat))
			}
			props = append(props, assureProps("other-threat", ctl.OtherThreats)...)
			parts := []oscalPart{
				{ID: tokens.Statement[ctl.ID], Name: "statement", Prose: ctl.Description},
				{ID: tokens.Objective[ctl.ID], Name: "assessment-objective", Prose: ctl.Question},
				{
					ID: tokens.Method[ctl.ID], Name: "assessment-method",
					Props: []oscalProp{{Name: "method", Value: "EXAMINE"}},
					Parts: []oscalPart{{Name: "assessment-objects", Prose: ctl.Evidence}},
				},
			}
			for _, x := range extraFields(ctl) {
				parts = append(parts, oscalPart{Name: x[0], NS: domain.OSCALNamespace, Prose: x[1]})
			}
			group.Controls = append(group.Controls, oscalControl{ID: tok, Title: oneLine(ctl.Title), Props: props, Parts: parts})
		}
		cat.Groups = append(cat.Groups, group)
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(oscalDocument{Catalog: cat}); err != nil {
		return nil, fmt.Errorf("frameworks: encode OSCAL catalog: %w", err)
	}
	return buf.Bytes(), nil
}

func assureProp(name, value string) oscalProp {
	return oscalProp{Name: name, NS: domain.OSCALNamespace, Value: value}
}

func assureProps(name string, values []string) []oscalProp {
	out := make([]oscalProp, 0, len(values))
	for _, v := range values {
		out = append(out, assureProp(name, v))
	}
	return out
}

// oneLine makes s fit OSCAL's single-line markup: line breaks become spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ").Replace(s)
}

// toFile is the inverse of convert: the file a framework would be parsed from.
func toFile(f *domain.Framework) *file {
	out := &file{ID: f.ID, Version: f.Version, Title: f.Title, Source: f.Source, Notes: f.Notes, Licence: f.Licence}
	for _, e := range f.Dimensions {
		out.Dimensions = append(out.Dimensions, entry(e))
	}
	for _, e := range f.Stages {
		out.Stages = append(out.Stages, entry(e))
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
	for _, t := range f.Threats {
		out.Threats = append(out.Threats, threatRow(t))
	}
	for _, c := range f.Controls {
		out.Controls = append(out.Controls, controlRow{
			ID: c.ID, Section: c.Section, Title: c.Title, Description: c.Description,
			Dimensions: c.Dimensions, Implementers: c.Implementers, Threat: c.PrimaryThreat,
			AlsoMitigates: c.OtherThreats, Channels: c.Channels, AuditGroup: c.AuditGroup,
			Question: c.Question, Evidence: c.Evidence, Levels: c.Levels,
		})
		setExtraFields(&out.Controls[len(out.Controls)-1], extraFields(c))
	}
	return out
}

// mappedControlFields are the JSON names of the fields of domain.Control that
// the export maps one by one. Any other field holding a string (one added to
// the domain later) is carried as a part in Assure's namespace named after
// its JSON name, and read back into the file's field of the same YAML name.
var mappedControlFields = []string{"id", "section", "title", "description", "dimensions", "implementers",
	"primary_threat", "other_threats", "channels", "audit_group", "question", "evidence", "levels"}

// extraFields returns the control's string fields beyond mappedControlFields
// that are set, by JSON name, sorted by name.
func extraFields(c domain.Control) [][2]string {
	b, err := json.Marshal(c)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	var out [][2]string
	for k, v := range m {
		if s, ok := v.(string); ok && s != "" && !slices.Contains(mappedControlFields, k) {
			out = append(out, [2]string{k, s})
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// setExtraFields sets the fields of row whose YAML names are given.
func setExtraFields(row *controlRow, fields [][2]string) {
	if len(fields) == 0 {
		return
	}
	m := map[string]string{}
	for _, f := range fields {
		m[f[0]] = f[1]
	}
	if b, err := yaml.Marshal(m); err == nil {
		_ = yaml.Unmarshal(b, row) // keys the row does not know are left aside
	}
}

// newChecker returns a checker for a file that was not read from YAML: every
// problem it records is located as ":0:0 path" (see checkerPath).
func newChecker() *checker {
	return &checker{root: &yaml.Node{Kind: yaml.MappingNode}}
}

// checkerPath returns the path (such as controls[3].threat) of a problem that
// a checker from newChecker recorded.
func checkerPath(p domain.Problem) string {
	return strings.TrimPrefix(p.Location, ":0:0 ")
}

// ImportOSCALCatalog reads an OSCAL catalog document in JSON into a framework
// checked by the rules of Parse. name locates problems, as in Parse. On
// failure it returns a *domain.Error with code EInvalid whose Problems are
// located as "name path", path being a JSON path in the document such as
// catalog.groups[0].controls[2].title (or "name:line:column" where the JSON
// itself is broken).
func ImportOSCALCatalog(name string, data []byte) (*domain.Framework, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, domain.Invalid(fmt.Sprintf("%s is not a JSON object", name), []domain.Problem{jsonProblem(name, data, err)})
	}
	if _, ok := top["catalog"]; !ok {
		msg := "the document holds no catalog"
		if len(top) > 0 {
			keys := make([]string, 0, len(top))
			for k := range top {
				keys = append(keys, strconv.Quote(k))
			}
			slices.Sort(keys)
			msg += ": its keys are " + strings.Join(keys, ", ")
		}
		return nil, domain.Invalid(fmt.Sprintf("%s is not an OSCAL catalog", name), []domain.Problem{{Location: name, Message: msg}})
	}
	var doc oscalDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, domain.Invalid(fmt.Sprintf("%s could not be decoded", name), []domain.Problem{jsonProblem(name, data, err)})
	}
	if doc.Catalog == nil {
		return nil, domain.Invalid(fmt.Sprintf("%s is not an OSCAL catalog", name),
			[]domain.Problem{{Location: name + " catalog", Message: "the catalog is null"}})
	}

	im := &importer{name: name, paths: map[string]string{}, params: map[string]string{},
		groupIDs: newUniqueSet(), controlIDs: newUniqueSet(), sections: newUniqueSet()}
	im.read(doc.Catalog)

	c := newChecker()
	c.check(&im.f)
	problems := im.problems
	for _, p := range c.problems {
		problems = append(problems, domain.Problem{Location: name + " " + im.jsonPath(checkerPath(p)), Message: p.Message})
	}
	if len(problems) > 0 {
		return nil, domain.Invalid(fmt.Sprintf("%s has %d problem(s)", name, len(problems)), problems)
	}
	return convert(&im.f), nil
}

// jsonProblem locates a decoding error by line and column.
func jsonProblem(name string, data []byte, err error) domain.Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return domain.Problem{Location: name + ":" + lineCol(data, syn.Offset), Message: syn.Error()}
	case errors.As(err, &typ) && typ.Field != "":
		return domain.Problem{
			Location: name + ":" + lineCol(data, typ.Offset) + " " + typ.Field,
			Message:  fmt.Sprintf("a JSON %s where %s was expected", typ.Value, jsonKind(typ.Type.Kind().String())),
		}
	case errors.As(err, &typ):
		return domain.Problem{Location: name + ":" + lineCol(data, typ.Offset), Message: fmt.Sprintf("a JSON %s where an object was expected", typ.Value)}
	}
	return domain.Problem{Location: name, Message: strings.TrimPrefix(err.Error(), "json: ")}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a " + goKind
}

// lineCol returns "line:column" (from 1) of a byte offset in data.
func lineCol(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// importer builds the file of a framework from a catalog, recording for each
// path of the file (as the checker writes paths) the JSON path it came from.
type importer struct {
	name     string
	f        file
	paths    map[string]string
	problems []domain.Problem
	ours     bool              // the catalog was written by OSCALCatalog
	params   map[string]string // parameter id → the text that stands for it

	groupIDs, controlIDs, sections *uniqueSet
	general                        string // the audit group of ungrouped controls
	defaultImplementer             bool   // some control was given "provider"
}

func (im *importer) problem(path, format string, args ...any) {
	im.problems = append(im.problems, domain.Problem{Location: im.name + " " + path, Message: fmt.Sprintf(format, args...)})
}

// jsonPath returns the JSON path recorded for a file path, or for its nearest
// recorded ancestor.
func (im *importer) jsonPath(p string) string {
	for {
		if jp, ok := im.paths[p]; ok {
			return jp
		}
		i := max(strings.LastIndexByte(p, '.'), strings.LastIndexByte(p, '['))
		if i <= 0 {
			return "catalog"
		}
		p = p[:i]
	}
}

func (im *importer) read(cat *oscalCatalog) {
	md := cat.Metadata
	if md == nil {
		im.problem("catalog.metadata", "the catalog has no metadata")
		md = &oscalMetadata{}
	}
	im.f.Title = md.Title
	im.paths["title"] = "catalog.metadata.title"
	im.f.Version = sanitizeVersion(md.Version)
	im.paths["version"] = "catalog.metadata.version"
	im.f.Notes = md.Remarks
	im.paths["notes"] = "catalog.metadata.remarks"
	if i, p := assureValue(md.Props, "framework-id"); i >= 0 {
		im.ours = true
		im.f.ID = p.Value
		im.paths["id"] = fmt.Sprintf("catalog.metadata.props[%d]", i)
	} else {
		im.f.ID = shortSlug(md.Title)
		if im.f.ID == "" {
			im.f.ID = shortSlug(strings.TrimSuffix(path.Base(im.name), path.Ext(im.name)))
		}
		if im.f.ID == "" {
			im.f.ID = "catalog"
		}
		im.paths["id"] = "catalog.metadata.title"
	}

	if cat.BackMatter != nil {
		for i, r := range cat.BackMatter.Resources {
			im.resource(r, fmt.Sprintf("catalog.back-matter.resources[%d]", i))
		}
	}
	if !im.ours && im.f.Source == "" {
		im.f.Source = fmt.Sprintf("Imported from the OSCAL catalog \"%s\"", strings.TrimSpace(md.Title))
		if v := strings.TrimSpace(md.Version); v != "" {
			im.f.Source += ", version " + v
		}
		im.f.Source += "."
	}

	im.collectParams(cat.Params, cat.Groups, cat.Controls)
	var controls []importedControl
	for i := range cat.Controls {
		if im.general == "" {
			im.general = im.groupIDs.take("general")
			n := len(im.f.AuditGroups)
			im.f.AuditGroups = append(im.f.AuditGroups, entry{ID: im.general, Name: "General",
				Description: "Controls that the catalog lists outside any group."})
			im.paths[fmt.Sprintf("audit_groups[%d]", n)] = "catalog.controls"
		}
		im.control(&controls, &cat.Controls[i], fmt.Sprintf("catalog.controls[%d]", i), im.general, nil, 0)
	}
	for i := range cat.Groups {
		im.group(&controls, &cat.Groups[i], fmt.Sprintf("catalog.groups[%d]", i), "", "", 0)
	}

	// Our catalogs list controls by group; their sort-ids give back the
	// framework's order.
	if im.ours && !slices.ContainsFunc(controls, func(c importedControl) bool { return c.sortKey == "" }) {
		slices.SortStableFunc(controls, func(a, b importedControl) int { return cmp.Compare(a.sortKey, b.sortKey) })
	}
	for i, c := range controls {
		im.f.Controls = append(im.f.Controls, c.row)
		for k, v := range c.paths {
			im.paths[fmt.Sprintf("controls[%d]%s", i, k)] = v
		}
	}
	if im.defaultImplementer && !slices.ContainsFunc(im.f.Implementers, func(e entry) bool { return e.ID == "provider" }) {
		im.f.Implementers = append(im.f.Implementers, entry{ID: "provider", Name: "Provider",
			Description: "The supervised provider, which carries out every control of the catalog."})
	}
}

// assureValue returns the index and value of the first prop named name in
// Assure's namespace, or -1.
func assureValue(props []oscalProp, name string) (int, oscalProp) {
	for i, p := range props {
		if p.NS == domain.OSCALNamespace && p.Name == name {
			return i, p
		}
	}
	return -1, oscalProp{}
}

// oscalValue returns the index and value of the first prop named name in
// OSCAL's own namespace (no ns, or OSCAL's), or -1.
func oscalValue(props []oscalProp, name string) (int, oscalProp) {
	for i, p := range props {
		if (p.NS == "" || p.NS == "http://csrc.nist.gov/ns/oscal") && p.Name == name {
			return i, p
		}
	}
	return -1, oscalProp{}
}

// resource reads a back-matter resource written by OSCALCatalog; other
// resources are skipped.
func (im *importer) resource(r oscalResource, jp string) {
	_, kind := assureValue(r.Props, "kind")
	var list *[]entry
	var key string
	switch kind.Value {
	case kindSource:
		im.f.Source = r.Description
		im.paths["source"] = jp + ".description"
		return
	case kindLicence:
		im.f.Licence = r.Description
		im.paths["licence"] = jp + ".description"
		return
	case kindDimension:
		list, key = &im.f.Dimensions, "dimensions"
	case kindStage:
		list, key = &im.f.Stages, "stages"
	case kindImplementer:
		list, key = &im.f.Implementers, "implementers"
	case kindLevel:
		list, key = &im.f.Levels, "levels"
	case kindThreat:
		im.threat(r, jp)
		return
	default:
		return
	}
	fp := fmt.Sprintf("%s[%d]", key, len(*list))
	idIndex, id := assureValue(r.Props, "id")
	*list = append(*list, entry{ID: id.Value, Name: r.Title, Description: r.Description})
	im.entryPaths(fp, jp, idIndex)
}

func (im *importer) entryPaths(fp, jp string, idIndex int) {
	im.paths[fp] = jp
	im.paths[fp+".name"] = jp + ".title"
	im.paths[fp+".description"] = jp + ".description"
	if idIndex >= 0 {
		im.paths[fp+".id"] = fmt.Sprintf("%s.props[%d]", jp, idIndex)
	} else {
		im.paths[fp+".id"] = jp + ".props"
	}
}

func (im *importer) threat(r oscalResource, jp string) {
	fp := fmt.Sprintf("threats[%d]", len(im.f.Threats))
	idIndex, id := assureValue(r.Props, "id")
	im.entryPaths(fp, jp, idIndex)
	t := threatRow{ID: id.Value, Name: r.Title, Description: r.Description}
	number := func(name string, p oscalProp, i int) int {
		if i < 0 {
			return 0 // the checker reports the missing value
		}
		pp := fmt.Sprintf("%s.props[%d]", jp, i)
		im.paths[fp+"."+name] = pp
		n, err := strconv.Atoi(p.Value)
		if err != nil {
			im.problem(pp, "threat %s: %s %q is not a whole number", t.ID, name, p.Value)
		}
		return n
	}
	i, p := assureValue(r.Props, "number")
	t.Number = number("number", p, i)
	i, p = assureValue(r.Props, "likelihood")
	t.Likelihood = number("likelihood", p, i)
	t.LikelihoodRationale = p.Remarks
	if i >= 0 {
		im.paths[fp+".likelihood_rationale"] = fmt.Sprintf("%s.props[%d].remarks", jp, i)
	}
	i, p = assureValue(r.Props, "impact")
	t.Impact = number("impact", p, i)
	t.ImpactRationale = p.Remarks
	if i >= 0 {
		im.paths[fp+".impact_rationale"] = fmt.Sprintf("%s.props[%d].remarks", jp, i)
	}
	for j, p := range r.Props {
		if p.NS != domain.OSCALNamespace {
			continue
		}
		switch p.Name {
		case "stage":
			im.paths[fmt.Sprintf("%s.stages[%d]", fp, len(t.Stages))] = fmt.Sprintf("%s.props[%d]", jp, j)
			t.Stages = append(t.Stages, p.Value)
		case "dimension":
			im.paths[fmt.Sprintf("%s.dimensions[%d]", fp, len(t.Dimensions))] = fmt.Sprintf("%s.props[%d]", jp, j)
			t.Dimensions = append(t.Dimensions, p.Value)
		}
	}
	im.f.Threats = append(im.f.Threats, t)
}

// collectParams records the text that stands for each parameter: its label,
// its values or its choices.
func (im *importer) collectParams(params []oscalParam, groups []oscalGroup, controls []oscalControl) {
	for _, p := range params {
		text := p.Label
		switch {
		case len(p.Values) > 0:
			text = strings.Join(p.Values, ", ")
		case p.Select != nil && len(p.Select.Choice) > 0:
			text = "one or more of: " + strings.Join(p.Select.Choice, "; ")
			if p.Select.HowMany == "" {
				text = "one of: " + strings.Join(p.Select.Choice, "; ")
			}
		}
		if text == "" {
			text = p.ID
		}
		im.params[p.ID] = "[" + text + "]"
	}
	for i := range groups {
		im.collectParams(groups[i].Params, groups[i].Groups, groups[i].Controls)
	}
	for i := range controls {
		im.collectParams(controls[i].Params, nil, controls[i].Controls)
	}
}

var insertParam = regexp.MustCompile(`\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}`)

// prose returns s with parameter insertions replaced, in a catalog of
// another tool: ours hold Assure's text as it is.
func (im *importer) prose(s string) string {
	if im.ours || !strings.Contains(s, "{{") {
		return s
	}
	return insertParam.ReplaceAllStringFunc(s, func(m string) string {
		id := insertParam.FindStringSubmatch(m)[1]
		if text, ok := im.params[id]; ok {
			return text
		}
		return "[" + id + "]"
	})
}

// partText returns the prose of a part with that of its sub-parts, each on
// its own line after its label and indented by its depth.
func (im *importer) partText(p oscalPart) string {
	var lines []string
	var walk func(p oscalPart, depth int)
	walk = func(p oscalPart, depth int) {
		if depth > maxNesting {
			return
		}
		text := im.prose(p.Prose)
		if _, label := oscalValue(p.Props, "label"); label.Value != "" {
			text = strings.TrimSpace(label.Value + " " + text)
		}
		if text != "" {
			lines = append(lines, strings.Repeat("  ", depth)+text)
		}
		for _, sub := range p.Parts {
			walk(sub, depth+1)
		}
	}
	walk(p, 0)
	return strings.Join(lines, "\n")
}

// partsText returns the text of the top-level parts whose name is one of
// names (in OSCAL's namespace), joined by blank lines, and the JSON path of
// the first.
func (im *importer) partsText(parts []oscalPart, jp string, names ...string) (string, string) {
	var texts []string
	first := ""
	for i, p := range parts {
		if p.NS != "" && p.NS != "http://csrc.nist.gov/ns/oscal" || !slices.Contains(names, p.Name) {
			continue
		}
		if t := im.partText(p); t != "" {
			texts = append(texts, t)
			if first == "" {
				first = fmt.Sprintf("%s.parts[%d]", jp, i)
			}
		}
	}
	return strings.Join(texts, "\n\n"), first
}

// uniqueSet hands out names not yet taken, suffixing -2, -3, … to a name
// already taken, without trying again the suffixes it gave before.
type uniqueSet struct {
	used map[string]bool
	next map[string]int
}

func newUniqueSet() *uniqueSet { return &uniqueSet{used: map[string]bool{}, next: map[string]int{}} }

func (u *uniqueSet) take(name string) string {
	out := name
	if u.used[out] {
		n := max(u.next[name], 2)
		for ; u.used[name+"-"+strconv.Itoa(n)]; n++ {
		}
		u.next[name] = n + 1
		out = name + "-" + strconv.Itoa(n)
	}
	u.used[out] = true
	return out
}

func (im *importer) group(controls *[]importedControl, g *oscalGroup, jp, parentID, parentTitle string, depth int) {
	if depth >= maxNesting {
		im.problem(jp, "groups nest deeper than %d levels", maxNesting)
		return
	}
	base := ""
	if _, label := oscalValue(g.Props, "label"); slugPattern.MatchString(strings.ToLower(label.Value)) {
		base = strings.ToLower(label.Value)
	} else if s := slug(g.ID); s != "" {
		base = s
	} else {
		base = "group-" + strconv.Itoa(len(im.f.AuditGroups)+1)
	}
	id := base
	if parentID != "" && !strings.HasPrefix(base, parentID+".") && !strings.HasPrefix(base, parentID+"-") {
		id = parentID + "." + base
	}

	hasOwn := len(g.Controls) > 0 || len(g.Groups) == 0
	if hasOwn {
		id = im.groupIDs.take(id)
		description, descPath := im.partsText(g.Parts, jp, "overview")
		if description == "" {
			description, descPath = im.partsText(g.Parts, jp, partNames(g.Parts)...)
		}
		if description == "" {
			descPath = jp
			description = fmt.Sprintf("The controls of the catalog under \"%s\".", strings.TrimSpace(g.Title))
			if parentTitle != "" {
				description = fmt.Sprintf("The controls of the catalog under \"%s\", part of \"%s\".", strings.TrimSpace(g.Title), parentTitle)
			}
		}
		fp := fmt.Sprintf("audit_groups[%d]", len(im.f.AuditGroups))
		im.f.AuditGroups = append(im.f.AuditGroups, entry{ID: id, Name: g.Title, Description: description})
		im.paths[fp] = jp
		im.paths[fp+".id"] = jp + ".id"
		im.paths[fp+".name"] = jp + ".title"
		im.paths[fp+".description"] = descPath
		for i := range g.Controls {
			im.control(controls, &g.Controls[i], fmt.Sprintf("%s.controls[%d]", jp, i), id, nil, 0)
		}
	}
	for i := range g.Groups {
		im.group(controls, &g.Groups[i], fmt.Sprintf("%s.groups[%d]", jp, i), id, strings.TrimSpace(g.Title), depth+1)
	}
}

func partNames(parts []oscalPart) []string {
	var names []string
	for _, p := range parts {
		names = append(names, p.Name)
	}
	return names
}

// importedControl is a control read from a catalog, before the controls are
// put in order: paths maps a file path below the control (".title") to a
// JSON path.
type importedControl struct {
	row     controlRow
	paths   map[string]string
	sortKey string
}

func (im *importer) control(controls *[]importedControl, c *oscalControl, jp, group string, parent *importedControl, depth int) {
	if depth >= maxNesting {
		im.problem(jp, "controls nest deeper than %d levels", maxNesting)
		return
	}
	ic := importedControl{paths: map[string]string{"": jp, ".title": jp + ".title", ".audit_group": jp}}
	row := &ic.row
	row.AuditGroup = group
	row.Title = c.Title

	labelIndex, label := oscalValue(c.Props, "label")
	switch {
	case itemPattern.MatchString(label.Value):
		row.ID = label.Value
		ic.paths[".id"] = fmt.Sprintf("%s.props[%d]", jp, labelIndex)
	case itemPattern.MatchString(c.ID):
		row.ID = c.ID
	case itemID(label.Value) != "":
		row.ID = itemID(label.Value)
	case itemID(c.ID) != "":
		row.ID = itemID(c.ID)
	case c.ID == "" && label.Value == "":
		im.problem(jp+".id", "the control has no id (nor a label to take one from)")
		return
	default: // an id of letters outside ASCII only
		row.ID = "control-" + strconv.Itoa(len(*controls)+1)
	}
	if ic.paths[".id"] == "" {
		ic.paths[".id"] = jp + ".id"
	}
	if parent != nil && !hasPrefixFold(row.ID, parent.row.ID) {
		row.ID = parent.row.ID + "." + row.ID
	}
	row.ID = im.controlIDs.take(row.ID)
	named := strings.TrimSpace(c.Title)
	if named == "" {
		named = row.ID
	}

	if i, p := oscalValue(c.Props, "sort-id"); i >= 0 {
		ic.sortKey = p.Value
	}
	im.section(&ic, c, jp, parent, len(*controls)+1)

	var where string
	row.Description, where = im.partsText(c.Parts, jp, "statement")
	if row.Description == "" {
		row.Description, where = im.partsText(c.Parts, jp, "guidance")
	}
	if row.Description == "" {
		row.Description, where = strings.TrimSpace(c.Title), jp+".title"
	}
	ic.paths[".description"] = where

	row.Question, where = im.partsText(c.Parts, jp, "assessment-objective", "objective")
	if row.Question == "" {
		row.Question, where = fmt.Sprintf("Is \"%s\" in place, and does it work as the catalog describes?", named), jp
	}
	ic.paths[".question"] = where

	var evidence []string
	for i, p := range c.Parts {
		if p.NS != "" && p.NS != "http://csrc.nist.gov/ns/oscal" || p.Name != "assessment-method" && p.Name != "assessment" {
			continue
		}
		if t, at := im.partsText(p.Parts, fmt.Sprintf("%s.parts[%d]", jp, i), "assessment-objects", "objects"); t != "" {
			evidence = append(evidence, t)
			if ic.paths[".evidence"] == "" {
				ic.paths[".evidence"] = at
			}
		}
	}
	row.Evidence = strings.Join(evidence, "\n\n")
	if row.Evidence == "" {
		row.Evidence = fmt.Sprintf("Documents, records or settings that show \"%s\" in place and working.", named)
		ic.paths[".evidence"] = jp
	}

	add := func(list *[]string, key string, j int, v string) {
		ic.paths[fmt.Sprintf(".%s[%d]", key, len(*list))] = fmt.Sprintf("%s.props[%d]", jp, j)
		*list = append(*list, v)
	}
	for j, p := range c.Props {
		if p.NS != domain.OSCALNamespace {
			continue
		}
		switch p.Name {
		case "implementer":
			add(&row.Implementers, "implementers", j, p.Value)
		case "channel":
			add(&row.Channels, "channels", j, p.Value)
		case "dimension":
			add(&row.Dimensions, "dimensions", j, p.Value)
		case "level":
			add(&row.Levels, "levels", j, p.Value)
		case "other-threat":
			add(&row.AlsoMitigates, "also_mitigates", j, p.Value)
		case "primary-threat":
			if row.Threat == "" {
				row.Threat = p.Value
				ic.paths[".threat"] = fmt.Sprintf("%s.props[%d]", jp, j)
			}
		}
	}
	if ic.paths[".threat"] == "" {
		ic.paths[".threat"] = jp + ".props"
	}
	var extra [][2]string
	for i, p := range c.Parts {
		if p.NS == domain.OSCALNamespace && p.Prose != "" && !slices.Contains(mappedControlFields, p.Name) && p.Name != "threat" && p.Name != "also_mitigates" {
			extra = append(extra, [2]string{p.Name, p.Prose})
			ic.paths["."+p.Name] = fmt.Sprintf("%s.parts[%d]", jp, i)
		}
	}
	setExtraFields(row, extra)
	row.AuditGroup, row.Title = group, c.Title // never taken from a part
	if len(row.Implementers) == 0 {
		row.Implementers = []string{"provider"}
		im.defaultImplementer = true
	}
	*controls = append(*controls, ic)

	for i := range c.Controls {
		im.control(controls, &c.Controls[i], fmt.Sprintf("%s.controls[%d]", jp, i), group, &ic, depth+1)
	}
}

// section gives the control its section: our prop as it is, else the first
// of its label, its sort-id and its place that makes a valid, unused section.
func (im *importer) section(ic *importedControl, c *oscalControl, jp string, parent *importedControl, place int) {
	if i, p := assureValue(c.Props, "section"); i >= 0 {
		ic.row.Section = p.Value
		ic.paths[".section"] = fmt.Sprintf("%s.props[%d]", jp, i)
		im.sections.used[p.Value] = true
		return
	}
	ic.paths[".section"] = jp
	var candidates []string
	for _, name := range []string{"label", "sort-id"} {
		if _, p := oscalValue(c.Props, name); p.Value != "" {
			candidates = append(candidates, sectionID(p.Value))
		}
	}
	candidates = append(candidates, strconv.Itoa(place))
	for _, s := range candidates {
		if s == "" {
			continue
		}
		if parent != nil && parent.row.Section != "" && !hasPrefixFold(s, parent.row.Section) {
			s = parent.row.Section + "." + s
		}
		if !im.sections.used[s] {
			ic.row.Section = im.sections.take(s)
			return
		}
	}
	ic.row.Section = im.sections.take(candidates[len(candidates)-1])
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// joinRuns keeps the ASCII letters and digits of s and writes one separator
// for each run of other characters between them: the run itself when keep
// accepts it, else sep.
func joinRuns(s string, keep func(run string) bool, sep string) string {
	var b strings.Builder
	start := -1 // where the current run of other characters began
	for i, r := range s {
		if !isASCIIAlnum(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && b.Len() > 0 {
			if run := s[start:i]; keep(run) {
				b.WriteString(run)
			} else {
				b.WriteString(sep)
			}
		}
		start = -1
		b.WriteRune(r)
	}
	return b.String()
}

// slug makes s an id for a framework or an audit group: lower-case letters
// and digits, runs of anything else written as '-'.
func slug(s string) string {
	return joinRuns(strings.ToLower(s), func(run string) bool { return run == "." || run == "_" }, "-")
}

// shortSlug is the slug of s cut to at most 64 characters at a separator
// where it can be.
func shortSlug(s string) string {
	id := slug(s)
	if len(id) <= 64 {
		return id
	}
	id = id[:64]
	if i := strings.LastIndexAny(id, "-._"); i >= 32 {
		id = id[:i]
	}
	return strings.TrimRight(id, "-._")
}

// itemID makes s a control id: letters and digits, runs of anything else
// written as '.' unless they are a single '-', '_' or '.'.
func itemID(s string) string {
	return joinRuns(s, func(run string) bool { return run == "-" || run == "_" || run == "." }, ".")
}

// sectionID makes s a free-form section: letters and digits, runs of
// anything else written as '.' unless they are a single '-' or '.'.
func sectionID(s string) string {
	return joinRuns(s, func(run string) bool { return run == "-" || run == "." }, ".")
}

// sanitizeVersion keeps letters, digits, '_', '-' and '.', writing '-' for
// runs of anything else, and starts the version with a letter or digit.
func sanitizeVersion(v string) string {
	return joinRuns(v, func(run string) bool { return strings.Trim(run, "_-.") == "" && len(run) == 1 }, "-")
}
