// Package officetest has LibreOffice, running headless, convert files for
// tests that read the reports back with a tool independent of the one that
// wrote them. LibreOffice is a dependency of the tests (scripts/test-deps.sh
// installs it): without it a test fails, it is never skipped.
package officetest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Convert writes data to a file called name in a fresh directory, has
// LibreOffice convert it (to is the --convert-to argument, e.g.
// "xlsx:Calc MS Excel 2007 XML") and returns the directory LibreOffice wrote
// into. Each run has its own LibreOffice profile, so parallel tests do not
// share one.
func Convert(tb testing.TB, data []byte, name, to string) string {
	tb.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		tb.Fatalf("LibreOffice (soffice) is needed to read the file back; run scripts/test-deps.sh: %v", err)
	}
	dir := tb.TempDir()
	in := filepath.Join(dir, name)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", to, "--outdir", out, in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("soffice: %v\n%s", err, msg)
	}
	return out
}

// Read returns the file LibreOffice wrote under the name file in dir.
func Read(tb testing.TB, dir, file string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		tb.Fatalf("LibreOffice wrote no %s: %v", file, err)
	}
	return b
}
