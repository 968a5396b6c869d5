package frameworks

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"assure/domain"
)

// Methods holds the risk calibrations built into the binary.
//
//go:embed methods/*.yaml
var Methods embed.FS

// EmbeddedCalibrations parses every risk calibration built into the binary
// (methods/*.yaml). Whether the threats and controls a calibration names are
// its framework's is checked when it is published.
func EmbeddedCalibrations() ([]*domain.Calibration, error) {
	names, err := fs.Glob(Methods, "methods/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*domain.Calibration
	for _, name := range names {
		data, err := Methods.ReadFile(name)
		if err != nil {
			return nil, err
		}
		c, err := ParseCalibration(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// The YAML layout of a calibration file.
type calibrationFile struct {
	ID        string                       `yaml:"id"`
	Version   string                       `yaml:"version"`
	Title     string                       `yaml:"title"`
	Notes     string                       `yaml:"notes"`
	Framework struct{ ID, Version string } `yaml:"framework"`
	Profile   []struct {
		Measure   string        `yaml:"measure"`
		Affects   string        `yaml:"affects"`
		Threats   []string      `yaml:"threats"`
		Bands     []domain.Band `yaml:"bands"`
		Rationale string        `yaml:"rationale"`
	} `yaml:"profile"`
	Credit struct {
		Grades     map[string]int `yaml:"grades"`
		Unreviewed int            `yaml:"unreviewed"`
		Partial    int            `yaml:"partial"`
	} `yaml:"credit"`
	Weights         domain.LinkWeights       `yaml:"weights"`
	KeyControls     []domain.KeyControls     `yaml:"key_controls"`
	ImpactReduction []domain.ImpactReduction `yaml:"impact_reduction"`
	Maturity        struct {
		Levels   []domain.MaturityDefinition `yaml:"levels"`
		Required map[string]int              `yaml:"required"`
	} `yaml:"maturity"`
}

// ParseCalibration decodes a calibration file: unknown keys and wrong types
// are problems with their line, like a framework file's.
func ParseCalibration(name string, data []byte) (*domain.Calibration, error) {
	var f calibrationFile
	c, err := decodeStrict(name, data, "calibration", &f)
	if err != nil {
		return nil, err
	}
	if !slugPattern.MatchString(f.ID) {
		c.add([]any{"id"}, "calibration id %q must be lower-case letters, digits, '_', '-' or '.'", f.ID)
	}
	if !itemPattern.MatchString(f.Version) {
		c.add([]any{"version"}, "version %q may hold only letters, digits, '_', '-' and '.'", f.Version)
	}
	c.required([]any{"title"}, f.Title)
	if !slugPattern.MatchString(f.Framework.ID) || !itemPattern.MatchString(f.Framework.Version) {
		c.add([]any{"framework"}, "name the framework id and version the calibration is for")
	}
	out := &domain.Calibration{ID: f.ID, Version: f.Version, Title: strings.TrimSpace(f.Title), Notes: strings.TrimSpace(f.Notes),
		Framework: domain.MappedFramework{ID: f.Framework.ID, Version: f.Framework.Version},
		Credit:    domain.Credit{Grades: map[domain.Grade]int{}, Unreviewed: f.Credit.Unreviewed, Partial: f.Credit.Partial},
		Weights:   f.Weights, KeyControls: f.KeyControls, ImpactReduction: f.ImpactReduction,
		Maturity: domain.MaturityScale{Levels: f.Maturity.Levels, Required: map[domain.RiskLevel]int{}}}
	for _, r := range f.Profile {
		out.Profile = append(out.Profile, domain.ProfileRule{Measure: domain.Measure(r.Measure), Affects: r.Affects,
			Threats: r.Threats, Bands: r.Bands, Rationale: strings.TrimSpace(r.Rationale)})
	}
	for g, v := range f.Credit.Grades {
		out.Credit.Grades[domain.Grade(g)] = v
	}
	for l, v := range f.Maturity.Required {
		out.Maturity.Required[domain.RiskLevel(l)] = v
	}
	for i := range out.KeyControls {
		out.KeyControls[i].Rationale = strings.TrimSpace(out.KeyControls[i].Rationale)
	}
	for i := range out.ImpactReduction {
		out.ImpactReduction[i].Rationale = strings.TrimSpace(out.ImpactReduction[i].Rationale)
	}
	if len(c.problems) > 0 {
		return nil, domain.Invalid(fmt.Sprintf("%s has %d problem(s)", name, len(c.problems)), c.problems)
	}
	return out, nil
}
