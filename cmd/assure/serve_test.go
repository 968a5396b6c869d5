package main

import (
	"strings"
	"testing"
)

// TestServeRefusesARescueBeforeTheTimeout checks that a report job cannot be
// taken for lost while it may still be working.
func TestServeRefusesARescueBeforeTheTimeout(t *testing.T) {
	t.Parallel()
	code, _, errOut := assure(t, "serve", "--addr", "127.0.0.1:0", "--database-url", "postgres://127.0.0.1:1/none",
		"--report-timeout", "10m", "--report-rescue-after", "5m")
	if code == 0 || !strings.Contains(errOut, "--report-rescue-after") {
		t.Errorf("serve = %d %q", code, errOut)
	}
}
