package frameworks_test

import (
	"testing"

	"assure/standards"
)

// standard reads a file of the published standards kept beside the project
// (see package standards); a missing one fails the test.
func standard(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := standards.File(rel)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
