// Package frameworks holds the control catalogs Assure ships with, as YAML
// embedded in the binary, and the parser that turns a catalog file into a
// validated domain.Framework, reporting every problem with its line.
package frameworks

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"assure/domain"
)

// Files holds the framework files built into the binary.
//
//go:embed *.yaml
var Files embed.FS

// Embedded parses every framework file built into the binary. An error means
// the binary itself is broken; tests keep that from happening.
func Embedded() ([]*domain.Framework, error) {
	names, err := fs.Glob(Files, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*domain.Framework
	for _, name := range names {
		data, err := Files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	// Versions of one framework publish oldest first, so the latest
	// published is the newest whatever the files are called.
	slices.SortStableFunc(out, func(a, b *domain.Framework) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return domain.CompareVersions(a.Version, b.Version)
	})
	return out, nil
}

// Parse decodes a framework file and checks it whole. On failure it returns a
// *domain.Error with code EInvalid whose Problems list every problem found,
// each located as "name:line:column path".
func Parse(name string, data []byte) (*domain.Framework, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, domain.Invalid(fmt.Sprintf("%s is not valid YAML", name),
			[]domain.Problem{syntaxProblem(name, err)})
	}
	if len(root.Content) == 0 {
		return nil, domain.Invalid(fmt.Sprintf("%s is empty", name),
			[]domain.Problem{{Location: name, Message: "the file holds no framework"}})
	}

	c := &checker{file: name, root: root.Content[0]}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, domain.Invalid(fmt.Sprintf("%s could not be decoded", name),
				[]domain.Problem{syntaxProblem(name, err)})
		}
		for _, msg := range te.Errors {
			c.typeProblem(msg)
		}
	}
	c.check(&f)
	if len(c.problems) > 0 {
		return nil, domain.Invalid(
			fmt.Sprintf("%s has %d problem(s)", name, len(c.problems)), c.problems)
	}
	return convert(&f), nil
}

var (
	slugPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
	itemPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	sectionPattern = regexp.MustCompile(`^([0-9]+)\.[0-9]+[a-z]?$`)
	freeSection    = regexp.MustCompile(`^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$`)
	linePattern    = regexp.MustCompile(`^(?:yaml: )?line ([0-9]+): (.*)$`)
	unknownField   = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

func syntaxProblem(name string, err error) domain.Problem {
	msg := err.Error()
	if m := linePattern.FindStringSubmatch(msg); m != nil {
		return domain.Problem{Location: name + ":" + m[1], Message: m[2]}
	}
	return domain.Problem{Location: name, Message: strings.TrimPrefix(msg, "yaml: ")}
}

// checker collects problems. Paths are written like controls[4].threat and
// located in the YAML tree to give the line and column of the offending value.
type checker struct {
	file     string
	root     *yaml.Node
	problems []domain.Problem
}

func (c *checker) typeProblem(msg string) {
	loc := c.file
	if m := linePattern.FindStringSubmatch(msg); m != nil {
		loc = c.file + ":" + m[1]
		msg = m[2]
	}
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("unknown field %q", m[1])
	}
	c.problems = append(c.problems, domain.Problem{Location: loc, Message: msg})
}

// add records a problem at path, given as keys (string) and list indexes (int).
func (c *checker) add(path []any, format string, args ...any) {
	line, col := locate(c.root, path)
	c.problems = append(c.problems, domain.Problem{
		Location: fmt.Sprintf("%s:%d:%d %s", c.file, line, col, pathString(path)),
		Message:  fmt.Sprintf(format, args...),
	})
}

// at extends a path without aliasing the caller's slice.
func at(base []any, more ...any) []any {
	return append(append(make([]any, 0, len(base)+len(more)), base...), more...)
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// locate finds the node at path, or the deepest ancestor that exists, and
// returns its line and column.
func locate(n *yaml.Node, path []any) (int, int) {
	for _, p := range path {
		next := child(n, p)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line, n.Column
}

func child(n *yaml.Node, p any) *yaml.Node {
	switch p := p.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				return n.Content[i+1]
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && p < len(n.Content) {
			return n.Content[p]
		}
	}
	return nil
}

// check runs every rule over the decoded file.
func (c *checker) check(f *file) {
	if !slugPattern.MatchString(f.ID) {
		c.add([]any{"id"}, "framework id %q must be lower-case letters, digits, '_', '-' or '.'", f.ID)
	}
	c.required([]any{"version"}, f.Version)
	c.required([]any{"title"}, f.Title)
	if f.Version != "" && !itemPattern.MatchString(f.Version) {
		c.add([]any{"version"}, "version %q may hold only letters, digits, '_', '-' and '.'", f.Version)
	}

	// A framework with threats rates risk along X.1150's lines: every
	// control mitigates a threat and carries its section number, and the
	// dimensions and stages are needed. One without threats is a checklist
	// scored for compliance only, its sections free-form ids.
	rated := len(f.Threats) > 0
	dims := c.entries("dimensions", f.Dimensions, rated)
	stages := c.entries("stages", f.Stages, rated)
	impls := c.entries("implementers", f.Implementers, true)
	groups := c.entries("audit_groups", f.AuditGroups, true)
	levels := c.levels(f.Levels)

	threats := map[string]int{} // id → number
	numbers := map[int]string{}
	for i, t := range f.Threats {
		p := []any{"threats", i}
		if c.itemID(at(p, "id"), t.ID, "threat") {
			if _, dup := threats[t.ID]; dup {
				c.add(at(p, "id"), "threat %s is defined twice", t.ID)
			}
			threats[t.ID] = t.Number
		}
		if t.Number < 1 {
			c.add(at(p, "number"), "threat %s: number must be a positive integer", t.ID)
		} else if other, dup := numbers[t.Number]; dup {
			c.add(at(p, "number"), "threat %s: number %d is already used by %s", t.ID, t.Number, other)
		} else {
			numbers[t.Number] = t.ID
		}
		c.required(at(p, "name"), t.Name)
		c.required(at(p, "description"), t.Description)
		c.refs(at(p, "stages"), t.Stages, stages, "stage", true)
		c.refs(at(p, "dimensions"), t.Dimensions, dims, "dimension", true)
		c.scale(at(p, "likelihood"), t.Likelihood, "likelihood", t.ID)
		c.scale(at(p, "impact"), t.Impact, "impact", t.ID)
		c.required(at(p, "likelihood_rationale"), t.LikelihoodRationale)
		c.required(at(p, "impact_rationale"), t.ImpactRationale)
	}

	controls := map[string]bool{}
	sections := map[string]string{}
	mitigated := map[string]bool{}
	if len(f.Controls) == 0 {
		c.add([]any{"controls"}, "a framework needs at least one control")
	}
	for i, ctl := range f.Controls {
		p := []any{"controls", i}
		if c.itemID(at(p, "id"), ctl.ID, "control") {
			if controls[ctl.ID] {
				c.add(at(p, "id"), "control %s is defined twice", ctl.ID)
			}
			controls[ctl.ID] = true
		}
		var m []string // the threat number a rated framework's section starts with
		switch {
		case rated:
			if m = sectionPattern.FindStringSubmatch(ctl.Section); m == nil {
				c.add(at(p, "section"), "control %s: section %q must look like 1.2 or 8.9a", ctl.ID, ctl.Section)
			}
		case !freeSection.MatchString(ctl.Section):
			c.add(at(p, "section"), "control %s: section %q must be letters or digits, parts joined by '.' or '-'", ctl.ID, ctl.Section)
		}
		if ctl.Section != "" {
			if other := sections[ctl.Section]; other != "" {
				c.add(at(p, "section"), "control %s: section %s is already used by %s", ctl.ID, ctl.Section, other)
			} else {
				sections[ctl.Section] = ctl.ID
			}
		}
		c.required(at(p, "title"), ctl.Title)
		c.required(at(p, "description"), ctl.Description)
		c.required(at(p, "question"), ctl.Question)
		c.required(at(p, "evidence"), ctl.Evidence)
		c.refs(at(p, "dimensions"), ctl.Dimensions, dims, "dimension", rated)
		c.refs(at(p, "implementers"), ctl.Implementers, impls, "implementer", true)
		c.refs(at(p, "levels"), ctl.Levels, levels, "level", len(levels) > 0)

		switch number, ok := threats[ctl.Threat]; {
		case !rated && ctl.Threat != "":
			c.add(at(p, "threat"), "control %s: the framework defines no threats, so its controls name none", ctl.ID)
		case !rated:
		case ctl.Threat == "":
			c.add(at(p, "threat"), "control %s: the primary threat is missing", ctl.ID)
		case !ok:
			c.add(at(p, "threat"), "control %s: threat %q is not defined", ctl.ID, ctl.Threat)
		default:
			mitigated[ctl.Threat] = true
			if m != nil && m[1] != strconv.Itoa(number) {
				c.add(at(p, "threat"), "control %s: section %s belongs to threat number %s, but the primary threat %s is number %d",
					ctl.ID, ctl.Section, m[1], ctl.Threat, number)
			}
		}
		seen := map[string]bool{}
		for j, t := range ctl.AlsoMitigates {
			switch _, ok := threats[t]; {
			case !ok:
				c.add(at(p, "also_mitigates", j), "control %s: threat %q is not defined", ctl.ID, t)
			case t == ctl.Threat:
				c.add(at(p, "also_mitigates", j), "control %s: %s is already its primary threat", ctl.ID, t)
			case seen[t]:
				c.add(at(p, "also_mitigates", j), "control %s: %s is listed twice", ctl.ID, t)
			default:
				mitigated[t] = true
			}
			seen[t] = true
		}
		for j, ch := range ctl.Channels {
			if !domain.ValidChannel(ch) {
				c.add(at(p, "channels", j), "control %s: channel %q is not one of %s", ctl.ID, ch, strings.Join(domain.Channels, ", "))
			}
		}
		if ctl.AuditGroup == "" {
			c.add(at(p, "audit_group"), "control %s: audit_group is missing", ctl.ID)
		} else if !groups[ctl.AuditGroup] {
			c.add(at(p, "audit_group"), "control %s: audit group %q is not defined", ctl.ID, ctl.AuditGroup)
		}
	}
	for i, t := range f.Threats {
		if t.ID != "" && !mitigated[t.ID] {
			c.add([]any{"threats", i, "id"}, "threat %s is not mitigated by any control", t.ID)
		}
	}
}

// entries checks a list of id/name/description entries and returns its ids;
// an empty list is a problem when the list is required.
func (c *checker) entries(key string, list []entry, required bool) map[string]bool {
	ids := map[string]bool{}
	if required && len(list) == 0 {
		c.add([]any{key}, "%s must list at least one entry", key)
	}
	for i, e := range list {
		p := []any{key, i}
		if !slugPattern.MatchString(e.ID) {
			c.add(at(p, "id"), "id %q must be lower-case letters, digits, '_', '-' or '.'", e.ID)
		} else if ids[e.ID] {
			c.add(at(p, "id"), "%s is defined twice", e.ID)
		}
		ids[e.ID] = true
		c.required(at(p, "name"), e.Name)
		c.required(at(p, "description"), e.Description)
	}
	return ids
}

// levels checks the optional levels: ids as control ids are written (a
// testing profile such as L1 keeps its case), names and descriptions given.
func (c *checker) levels(list []entry) map[string]bool {
	ids := map[string]bool{}
	for i, e := range list {
		p := []any{"levels", i}
		if c.itemID(at(p, "id"), e.ID, "level") && ids[e.ID] {
			c.add(at(p, "id"), "level %s is defined twice", e.ID)
		}
		ids[e.ID] = true
		c.required(at(p, "name"), e.Name)
		c.required(at(p, "description"), e.Description)
	}
	return ids
}

func (c *checker) itemID(p []any, id, what string) bool {
	if !itemPattern.MatchString(id) {
		c.add(p, "%s id %q must be letters, digits, '_', '-' or '.'", what, id)
		return false
	}
	return true
}

func (c *checker) required(p []any, v string) {
	if strings.TrimSpace(v) == "" {
		c.add(p, "%s is required", p[len(p)-1])
	}
}

func (c *checker) scale(p []any, v int, what, id string) {
	if v < domain.RiskScaleMin || v > domain.RiskScaleMax {
		c.add(p, "threat %s: %s %d is outside %d–%d", id, what, v, domain.RiskScaleMin, domain.RiskScaleMax)
	}
}

func (c *checker) refs(p []any, list []string, known map[string]bool, what string, required bool) {
	if required && len(list) == 0 {
		c.add(p, "at least one %s is required", what)
	}
	seen := map[string]bool{}
	for j, id := range list {
		switch {
		case !known[id]:
			c.add(at(p, j), "%s %q is not defined", what, id)
		case seen[id]:
			c.add(at(p, j), "%s %q is listed twice", what, id)
		}
		seen[id] = true
	}
}

func convert(f *file) *domain.Framework {
	out := &domain.Framework{
		ID: f.ID, Version: f.Version, Title: f.Title,
		Source: strings.TrimSpace(f.Source), Notes: strings.TrimSpace(f.Notes),
		Licence: strings.TrimSpace(f.Licence),
	}
	for _, e := range f.Levels {
		out.Levels = append(out.Levels, domain.Level(trimEntry(e)))
	}
	for _, e := range f.Dimensions {
		out.Dimensions = append(out.Dimensions, domain.Dimension(trimEntry(e)))
	}
	for _, e := range f.Stages {
		out.Stages = append(out.Stages, domain.Stage(trimEntry(e)))
	}
	for _, e := range f.Implementers {
		out.Implementers = append(out.Implementers, domain.Implementer(trimEntry(e)))
	}
	for _, e := range f.AuditGroups {
		out.AuditGroups = append(out.AuditGroups, domain.AuditGroup(trimEntry(e)))
	}
	for _, t := range f.Threats {
		out.Threats = append(out.Threats, domain.Threat{
			ID: t.ID, Number: t.Number, Name: strings.TrimSpace(t.Name),
			Description: strings.TrimSpace(t.Description),
			Stages:      t.Stages, Dimensions: t.Dimensions,
			Likelihood: t.Likelihood, LikelihoodRationale: strings.TrimSpace(t.LikelihoodRationale),
			Impact: t.Impact, ImpactRationale: strings.TrimSpace(t.ImpactRationale),
		})
	}
	for _, c := range f.Controls {
		out.Controls = append(out.Controls, domain.Control{
			ID: c.ID, Section: c.Section, Title: strings.TrimSpace(c.Title),
			Description: strings.TrimSpace(c.Description),
			Dimensions:  c.Dimensions, Implementers: c.Implementers,
			PrimaryThreat: c.Threat, OtherThreats: c.AlsoMitigates, Channels: c.Channels,
			AuditGroup: c.AuditGroup, Question: strings.TrimSpace(c.Question),
			Evidence: strings.TrimSpace(c.Evidence), Levels: c.Levels, PolicyArea: strings.TrimSpace(c.PolicyArea),
		})
	}
	return out
}

func trimEntry(e entry) entry {
	return entry{ID: e.ID, Name: strings.TrimSpace(e.Name), Description: strings.TrimSpace(e.Description)}
}

// Builtin returns the framework built into the binary with id and version,
// the newest version when version is empty; ENotFound when there is none.
func Builtin(id, version string) (*domain.Framework, error) {
	list, err := Embedded()
	if err != nil {
		return nil, err
	}
	var found *domain.Framework
	for _, f := range list {
		if f.ID == id && (version == "" || f.Version == version) {
			found = f // the list runs oldest first
		}
	}
	if found == nil {
		return nil, domain.Errorf(domain.ENotFound, "no built-in framework %s %s", id, version)
	}
	return found, nil
}
