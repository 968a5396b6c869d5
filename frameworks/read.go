package frameworks

import (
	"bytes"

	"go.yaml.in/yaml/v3"

	"assure/domain"
)

// Format is a kind of catalog file Assure reads.
type Format string

// The formats Read tells apart.
const (
	FormatAssure Format = "assure" // Assure's own YAML, as frameworks/*.yaml
	FormatMASVS  Format = "masvs"  // OWASP MASVS as its project publishes it
	FormatOSCAL  Format = "oscal"  // an OSCAL catalog in JSON
)

// Sniff tells the format of a catalog file: a JSON object is an OSCAL
// catalog; YAML with MASVS's top-level metadata and groups is MASVS; any
// other is Assure's own.
func Sniff(data []byte) Format {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return FormatOSCAL
	}
	var top map[string]any
	if yaml.Unmarshal(data, &top) == nil {
		_, meta := top["metadata"]
		_, groups := top["groups"]
		if meta && groups {
			return FormatMASVS
		}
	}
	return FormatAssure
}

// Read reads a catalog file in any format Assure knows, checked by the same
// rules as Parse. version is the version to give a framework whose file
// does not state one (MASVS ships with a placeholder); Assure's and OSCAL's
// files state their own and it must then be empty or the same.
func Read(name string, data []byte, version string) (*domain.Framework, error) {
	var f *domain.Framework
	var err error
	switch Sniff(data) {
	case FormatMASVS:
		return ImportMASVS(name, data, version)
	case FormatOSCAL:
		f, err = ImportOSCALCatalog(name, data)
	default:
		f, err = Parse(name, data)
	}
	if err == nil && version != "" && version != f.Version {
		return nil, domain.Invalid("the version given is not the file's", []domain.Problem{{Location: name + " version",
			Message: "the file is version " + f.Version + "; leave the version out or give that one"}})
	}
	return f, err
}
