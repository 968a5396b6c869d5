package frameworks

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"assure/domain"
)

// This file imports the OWASP Mobile Application Security Verification
// Standard (MASVS) from the YAML document the MAS project publishes. The
// group and control texts are read from that document at run time and kept
// as they are; only the wording of this file (questions, evidence prompts,
// levels, notes) is Assure's own.

// MASVSFrameworkID is the id of every framework ImportMASVS returns.
const MASVSFrameworkID = "owasp-masvs"

// The layout of OWASP_MASVS.yaml, decoded strictly: any other key is a problem.
type masvsFile struct {
	Metadata masvsMetadata `yaml:"metadata"`
	Groups   []masvsGroup  `yaml:"groups"`
}

type masvsMetadata struct {
	Title   string `yaml:"title"`
	Remarks string `yaml:"remarks"`
	Version string `yaml:"version"`
}

type masvsGroup struct {
	ID          string         `yaml:"id"`
	Index       int            `yaml:"index"`
	Title       string         `yaml:"title"`
	Description string         `yaml:"description"`
	Controls    []masvsControl `yaml:"controls"`
}

type masvsControl struct {
	ID          string `yaml:"id"`
	Statement   string `yaml:"statement"`
	Description string `yaml:"description"`
}

var (
	// masvsGroupPattern is a MASVS group id such as MASVS-STORAGE; its
	// controls are numbered after it (MASVS-STORAGE-1).
	masvsGroupPattern = regexp.MustCompile(`^MASVS-[A-Z0-9]+(?:-[A-Z0-9]+)*$`)
	masvsNumber       = regexp.MustCompile(`^[0-9]+$`)
	hasDigit          = regexp.MustCompile(`[0-9]`)
)

// The MAS testing profiles Assure offers as levels of a MASVS assessment.
const (
	masvsL1 = "L1"
	masvsL2 = "L2"
	masvsR  = "R"
	masvsP  = "P"
)

var masvsLevels = []entry{
	{ID: masvsL1, Name: "Baseline security",
		Description: "The protections any mobile app handling customer data or money should have: " +
			"the profile an assessment starts from."},
	{ID: masvsL2, Name: "Defence in depth",
		Description: "Additional protections for apps whose compromise would cause serious harm, such as " +
			"those that move money or hold credentials; it builds on L1."},
	{ID: masvsR, Name: "Resilience against reverse engineering and tampering",
		Description: "Protections that make it harder to analyse, modify or repackage the app and to run it " +
			"on a compromised device, on top of L1 or L2."},
	{ID: masvsP, Name: "Privacy",
		Description: "Protections for the customer's privacy: collecting and sharing only what is needed, " +
			"openly and under the customer's control, on top of L1 or L2."},
}

const masvsImplementer = domain.ImplAppDeveloper

// ImportMASVS turns OWASP's machine-readable MASVS document (name is only used
// to locate problems) into a checklist framework with id owasp-masvs. version
// is the MASVS version being imported; when it is empty the document's own
// metadata.version is used, which must then be a real version rather than the
// placeholder (vx.x.x) found in copies taken between releases.
//
// Each MASVS group becomes an audit group and each of its controls a control
// that keeps its MASVS id, numbered "<group index>.<position in the group>".
// The result passes every rule Parse enforces. On failure the error is a
// *domain.Error with code EInvalid whose Problems are located like Parse's,
// "name:line:column path", the path being written in the document's terms
// (groups[1].controls[0].statement). A version given must hold a digit and
// only letters, digits, '_', '-' and '.'; it is trimmed of spaces.
func ImportMASVS(name string, data []byte, version string) (*domain.Framework, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, domain.Invalid(fmt.Sprintf("%s is not valid YAML", name),
			[]domain.Problem{syntaxProblem(name, err)})
	}
	if len(root.Content) == 0 {
		return nil, domain.Invalid(fmt.Sprintf("%s is empty", name),
			[]domain.Problem{{Location: name, Message: "the file holds no MASVS document"}})
	}

	c := &checker{file: name, root: root.Content[0]}
	var m masvsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, domain.Invalid(fmt.Sprintf("%s could not be decoded", name),
				[]domain.Problem{syntaxProblem(name, err)})
		}
		for _, msg := range te.Errors {
			c.typeProblem(msg)
		}
	}
	version = c.masvsVersion(version, m.Metadata.Version)
	c.checkMASVS(&m)
	if len(c.problems) > 0 {
		return nil, domain.Invalid(name+" is not a usable MASVS document", c.problems)
	}

	f := masvsToFile(&m, version)
	// The document has passed the MASVS checks above; the framework built
	// from it must also keep every rule of a framework file. The checks above
	// are meant to leave nothing for this one to find, so a problem here is a
	// fault of the import: it is reported with the framework's path, as the
	// document has no place for it.
	fc := &checker{root: &yaml.Node{}}
	fc.check(f)
	if len(fc.problems) > 0 {
		for _, p := range fc.problems {
			c.problems = append(c.problems, domain.Problem{Location: name,
				Message: fmt.Sprintf("the imported framework breaks a rule at %s: %s",
					strings.TrimPrefix(p.Location, ":0:0 "), p.Message)})
		}
		return nil, domain.Invalid(name+" does not make a valid framework", c.problems)
	}
	return convert(f), nil
}

// masvsVersion picks the version to import: the caller's when given, else the
// document's when it is a real version. It records a problem and returns ""
// when neither will do.
func (c *checker) masvsVersion(given, inFile string) string {
	if v := strings.TrimSpace(given); v != "" {
		var msg string
		switch {
		case !itemPattern.MatchString(v):
			msg = fmt.Sprintf("the version given, %q, may hold only letters, digits, '_', '-' and '.'", v)
		case !hasDigit.MatchString(v):
			msg = fmt.Sprintf("the version given, %q, names no release: it holds no digit", v)
		default:
			return v
		}
		c.problems = append(c.problems, domain.Problem{Location: c.file, Message: msg})
		return ""
	}
	v := strings.TrimSpace(inFile)
	p := []any{"metadata", "version"}
	switch {
	case v == "":
		c.add(p, "the document gives no version: state the MASVS version being imported")
	case !hasDigit.MatchString(v):
		c.add(p, "version %q is a placeholder, not a release: state the MASVS version being imported", v)
	case !itemPattern.MatchString(v):
		c.add(p, "version %q may hold only letters, digits, '_', '-' and '.': state the MASVS version being imported", v)
	default:
		return v
	}
	return ""
}

// checkMASVS checks the document in its own terms, so that problems name the
// MASVS keys a reader of the document sees.
func (c *checker) checkMASVS(m *masvsFile) {
	c.required([]any{"metadata", "title"}, m.Metadata.Title)
	if len(m.Groups) == 0 {
		c.add([]any{"groups"}, "the document lists no groups of controls")
	}
	groups := map[string]bool{}
	indexes := map[int]string{}
	controls := map[string]bool{}
	for i, g := range m.Groups {
		p := []any{"groups", i}
		switch {
		case !masvsGroupPattern.MatchString(g.ID):
			c.add(at(p, "id"), "group id %q must look like MASVS-STORAGE: upper-case letters and digits after MASVS-", g.ID)
		case groups[g.ID]:
			c.add(at(p, "id"), "group %s is listed twice", g.ID)
		}
		groups[g.ID] = true
		if g.Index < 1 {
			c.add(at(p, "index"), "group %s: index must be a positive integer", g.ID)
		} else if other, dup := indexes[g.Index]; dup {
			c.add(at(p, "index"), "group %s: index %d is already used by %s", g.ID, g.Index, other)
		} else {
			indexes[g.Index] = g.ID
		}
		c.required(at(p, "title"), g.Title)
		c.required(at(p, "description"), g.Description)
		if len(g.Controls) == 0 {
			c.add(at(p, "controls"), "group %s lists no controls", g.ID)
		}
		for j, ctl := range g.Controls {
			q := at(p, "controls", j)
			number, ok := strings.CutPrefix(ctl.ID, g.ID+"-")
			switch {
			case ctl.ID == "":
				c.add(at(q, "id"), "id is required")
			case !ok || !masvsNumber.MatchString(number):
				c.add(at(q, "id"), "control id %q must be its group's id and a number, such as %s-1", ctl.ID, g.ID)
			case controls[ctl.ID]:
				c.add(at(q, "id"), "control %s is listed twice", ctl.ID)
			}
			controls[ctl.ID] = true
			c.required(at(q, "statement"), ctl.Statement)
			c.required(at(q, "description"), ctl.Description)
		}
	}
}

// masvsToFile builds the framework file a checked document stands for.
func masvsToFile(m *masvsFile, version string) *file {
	f := &file{
		ID:      MASVSFrameworkID,
		Version: version,
		Title:   m.Metadata.Title,
		Source: fmt.Sprintf("OWASP Mobile Application Security Verification Standard (MASVS) %s, "+
			"imported from the machine-readable OWASP_MASVS.yaml of the OWASP Mobile Application Security "+
			"project (https://mas.owasp.org/MASVS/).", version),
		Licence: "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). " +
			"Attribution: the group and control texts are from OWASP MASVS " + version +
			", © OWASP Foundation and the OWASP MAS project contributors, published under CC BY-SA 4.0 " +
			"and imported into Assure without change. The questions, evidence prompts, levels, " +
			"section numbers and notes around them were written for Assure.",
		Notes: "Sections are numbered by Assure as the MASVS group's index and the control's position in its " +
			"group (MASVS-STORAGE-1 is 1.1). The levels are the MAS testing profiles, assigned to controls by " +
			"Assure, not by this document: MASVS states no profiles per control, since OWASP MASTG gives them " +
			"per test. Assure puts the MASVS-RESILIENCE controls in R, the MASVS-PRIVACY controls in P and " +
			"every other control in both L1 and L2; an assessment at a profile should rest on the MASTG tests " +
			"of that profile. Every control is carried out by the DFS provider that publishes the app and " +
			"applies to providers offering the mobile app channel.",
		Implementers: []entry{{ID: masvsImplementer, Name: "App developer",
			Description: "The DFS provider that publishes the mobile app to its customers and answers for its " +
				"security, whether it builds the app itself or has it built."}},
		Levels: masvsLevels,
	}
	for _, g := range m.Groups {
		slug := strings.ToLower(g.ID)
		f.AuditGroups = append(f.AuditGroups, entry{ID: slug, Name: g.Title, Description: g.Description})

		levels := []string{masvsL1, masvsL2}
		switch g.ID {
		case "MASVS-RESILIENCE":
			levels = []string{masvsR}
		case "MASVS-PRIVACY":
			levels = []string{masvsP}
		}
		for j, ctl := range g.Controls {
			statement := strings.TrimSpace(ctl.Statement)
			f.Controls = append(f.Controls, controlRow{
				ID:           ctl.ID,
				Section:      strconv.Itoa(g.Index) + "." + strconv.Itoa(j+1),
				Title:        statement,
				Description:  ctl.Description,
				Implementers: []string{masvsImplementer},
				Channels:     []string{domain.ChannelApp},
				AuditGroup:   slug,
				Question: fmt.Sprintf("Does the app meet %s (%s)?", ctl.ID,
					strings.TrimRight(statement, ".")),
				Evidence: fmt.Sprintf("A security test report on the app version in use, from a testing lab or "+
					"the provider's own testers, that verifies %s (for example with the OWASP MASTG tests for it), "+
					"or the provider's documented verification of %s with its results.", ctl.ID, ctl.ID),
				Levels: slices.Clone(levels),
			})
		}
	}
	return f
}
