package frameworks

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"

	"assure/domain"
)

// Mappings holds the mappings between frameworks built into the binary.
//
//go:embed all:mappings
var Mappings embed.FS

// EmbeddedMappings parses every mapping file built into the binary.
func EmbeddedMappings() ([]*domain.Mapping, error) {
	names, err := fs.Glob(Mappings, "mappings/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*domain.Mapping
	for _, name := range names {
		data, err := Mappings.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m, err := ParseMapping(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// The YAML layout of a mapping file.
type mappingFile struct {
	ID      string      `yaml:"id"`
	Version string      `yaml:"version"`
	Title   string      `yaml:"title"`
	Notes   string      `yaml:"notes"`
	Source  mappedSide  `yaml:"source"`
	Target  mappedSide  `yaml:"target"`
	Links   []mappedRow `yaml:"links"`
}

type mappedSide struct {
	Framework string `yaml:"framework"`
	Version   string `yaml:"version"`
}

type mappedRow struct {
	Source       string `yaml:"source"`
	Target       string `yaml:"target"`
	Relationship string `yaml:"relationship"`
	Strength     *int   `yaml:"strength"`
	Rationale    string `yaml:"rationale"`
}

// ParseMapping decodes a mapping file and checks it whole, as Parse checks
// a framework: every problem with its line. Whether the controls it names
// exist is checked against the frameworks when it is published.
func ParseMapping(name string, data []byte) (*domain.Mapping, error) {
	var f mappingFile
	c, err := decodeStrict(name, data, "mapping", &f)
	if err != nil {
		return nil, err
	}
	if !slugPattern.MatchString(f.ID) {
		c.add([]any{"id"}, "mapping id %q must be lower-case letters, digits, '_', '-' or '.'", f.ID)
	}
	if !itemPattern.MatchString(f.Version) {
		c.add([]any{"version"}, "version %q may hold only letters, digits, '_', '-' and '.'", f.Version)
	}
	c.required([]any{"title"}, f.Title)
	for _, side := range []struct {
		key string
		s   mappedSide
	}{{"source", f.Source}, {"target", f.Target}} {
		if !slugPattern.MatchString(side.s.Framework) {
			c.add([]any{side.key, "framework"}, "the %s framework %q is not a framework id", side.key, side.s.Framework)
		}
		if !itemPattern.MatchString(side.s.Version) {
			c.add([]any{side.key, "version"}, "the %s version %q is not a version", side.key, side.s.Version)
		}
	}
	if f.Source == f.Target && f.Source.Framework != "" {
		c.add([]any{"target"}, "a mapping relates two different framework versions")
	}
	if len(f.Links) == 0 {
		c.add([]any{"links"}, "a mapping needs at least one link")
	}
	out := &domain.Mapping{ID: f.ID, Version: f.Version, Title: strings.TrimSpace(f.Title), Notes: strings.TrimSpace(f.Notes),
		Source: domain.MappedFramework{ID: f.Source.Framework, Version: f.Source.Version},
		Target: domain.MappedFramework{ID: f.Target.Framework, Version: f.Target.Version}}
	seen := map[[2]string]int{}
	for i, l := range f.Links {
		p := []any{"links", i}
		c.itemID(at(p, "source"), l.Source, "control")
		c.itemID(at(p, "target"), l.Target, "control")
		if j, dup := seen[[2]string{l.Source, l.Target}]; dup {
			c.add(p, "%s → %s is already linked by links[%d]", l.Source, l.Target, j)
		}
		seen[[2]string{l.Source, l.Target}] = i
		rel := domain.Relationship(l.Relationship)
		if !rel.Valid() {
			names := make([]string, len(domain.Relationships))
			for k, r := range domain.Relationships {
				names[k] = string(r)
			}
			c.add(at(p, "relationship"), "relationship %q is not one of %s", l.Relationship, strings.Join(names, ", "))
		}
		strength := -1
		if l.Strength != nil {
			strength = *l.Strength
		}
		if strength < domain.StrengthMin || strength > domain.StrengthMax {
			c.add(at(p, "strength"), "strength must be a whole number from %d to %d", domain.StrengthMin, domain.StrengthMax)
		}
		c.required(at(p, "rationale"), l.Rationale)
		out.Links = append(out.Links, domain.ControlLink{Source: l.Source, Target: l.Target, Relationship: rel,
			Strength: strength, Rationale: strings.TrimSpace(l.Rationale)})
	}
	if len(c.problems) > 0 {
		return nil, domain.Invalid(fmt.Sprintf("%s has %d problem(s)", name, len(c.problems)), c.problems)
	}
	return out, nil
}

// decodeStrict decodes a YAML file into v, refusing keys v does not have:
// a file that is not YAML, is empty or cannot be decoded is an error; wrong
// types are problems, with their lines, on the checker it returns for the
// rest of the checks.
func decodeStrict(name string, data []byte, what string, v any) (*checker, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, domain.Invalid(fmt.Sprintf("%s is not valid YAML", name), []domain.Problem{syntaxProblem(name, err)})
	}
	if len(root.Content) == 0 {
		return nil, domain.Invalid(fmt.Sprintf("%s is empty", name),
			[]domain.Problem{{Location: name, Message: "the file holds no " + what}})
	}
	c := &checker{file: name, root: root.Content[0]}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, domain.Invalid(fmt.Sprintf("%s could not be decoded", name), []domain.Problem{syntaxProblem(name, err)})
		}
		for _, msg := range te.Errors {
			c.typeProblem(msg)
		}
	}
	return c, nil
}
