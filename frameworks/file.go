package frameworks

// The types in this file mirror the YAML layout of a framework file. They are
// decoded strictly (unknown keys are problems) and then converted to the
// domain's types once every check has passed.

type file struct {
	ID           string       `yaml:"id"`
	Version      string       `yaml:"version"`
	Title        string       `yaml:"title"`
	Source       string       `yaml:"source"`
	Notes        string       `yaml:"notes"`
	Licence      string       `yaml:"licence"`
	Dimensions   []entry      `yaml:"dimensions"`
	Stages       []entry      `yaml:"stages"`
	Implementers []entry      `yaml:"implementers"`
	AuditGroups  []entry      `yaml:"audit_groups"`
	Threats      []threatRow  `yaml:"threats"`
	Levels       []entry      `yaml:"levels"`
	Controls     []controlRow `yaml:"controls"`
}

// entry is the shape shared by dimensions, stages, implementers, audit groups
// and levels.
type entry struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

type threatRow struct {
	ID                  string   `yaml:"id"`
	Number              int      `yaml:"number"`
	Name                string   `yaml:"name"`
	Description         string   `yaml:"description"`
	Stages              []string `yaml:"stages"`
	Dimensions          []string `yaml:"dimensions"`
	Likelihood          int      `yaml:"likelihood"`
	LikelihoodRationale string   `yaml:"likelihood_rationale"`
	Impact              int      `yaml:"impact"`
	ImpactRationale     string   `yaml:"impact_rationale"`
}

type controlRow struct {
	ID            string   `yaml:"id"`
	Section       string   `yaml:"section"`
	Title         string   `yaml:"title"`
	Description   string   `yaml:"description"`
	Dimensions    []string `yaml:"dimensions"`
	Implementers  []string `yaml:"implementers"`
	Threat        string   `yaml:"threat"`
	AlsoMitigates []string `yaml:"also_mitigates"`
	Channels      []string `yaml:"channels"`
	AuditGroup    string   `yaml:"audit_group"`
	Question      string   `yaml:"question"`
	Evidence      string   `yaml:"evidence"`
	PolicyArea    string   `yaml:"policy_area"`
	Levels        []string `yaml:"levels"`
}
