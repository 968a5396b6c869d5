// Package standards reads, for tests, the published standards kept beside
// the project as data (shared/standards/: the OSCAL JSON Schema, OWASP
// MASVS): it finds their files and compiles the OSCAL schema once.
package standards

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// OSCALSchemaFile is the OSCAL 1.2.2 complete schema, under the folder.
const OSCALSchemaFile = "oscal/oscal_complete_schema-1.2.2.json"

// File reads a file of the standards folder: rel is its path under it. The
// folder is ASSURE_STANDARDS when set, else shared/standards in the nearest
// folder above the working directory that holds one, so a checkout beside
// shared/ finds it wherever it is. A missing file is an error naming where
// it was looked for: the checks that need it fail, never pass unseen.
func File(rel string) ([]byte, error) {
	var tried []string
	if dir := os.Getenv("ASSURE_STANDARDS"); dir != "" {
		tried = append(tried, filepath.Join(dir, rel))
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		return nil, err
	}
	for {
		tried = append(tried, filepath.Join(dir, "shared", "standards", rel))
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, path := range tried {
		if data, err := os.ReadFile(path); err == nil {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%s is not among the published standards: looked in %v (set ASSURE_STANDARDS to the folder)", rel, tried)
}

var oscal struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

// OSCAL returns the compiled OSCAL 1.2.2 schema. Formats are asserted (the
// draft-07 schema only annotates them otherwise); its patterns run on Go's
// regexp package, which reads the \p{L} and \p{N} classes they use.
func OSCAL() (*jsonschema.Schema, error) {
	oscal.once.Do(func() {
		data, err := File(OSCALSchemaFile)
		if err != nil {
			oscal.err = err
			return
		}
		oscal.schema, oscal.err = Compile(data)
	})
	return oscal.schema, oscal.err
}

// Compile compiles an OSCAL schema document as OSCAL does, for tests that
// give a schema of their own.
func Compile(data []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the OSCAL schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("oscal_complete_schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("oscal_complete_schema.json")
}

// ValidateOSCAL checks a JSON document against the OSCAL schema.
func ValidateOSCAL(doc []byte) error {
	sch, err := OSCAL()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
