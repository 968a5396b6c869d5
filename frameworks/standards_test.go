package frameworks_test

import (
	"os"
	"path/filepath"
	"testing"
)

// standard reads a file of the published standards kept beside the project
// (shared/standards/, see its README): rel is its path under that folder. The
// folder is looked for in ASSURE_STANDARDS, then as shared/standards in each
// folder above this package's, so a checkout anywhere beside it finds it. A
// missing file fails the test: the checks that need it never pass unseen.
func standard(t *testing.T, rel string) []byte {
	t.Helper()
	var tried []string
	if dir := os.Getenv("ASSURE_STANDARDS"); dir != "" {
		tried = append(tried, filepath.Join(dir, rel))
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
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
			return data
		}
	}
	t.Fatalf("%s is not among the published standards: looked in %v (set ASSURE_STANDARDS to the folder)", rel, tried)
	return nil
}
