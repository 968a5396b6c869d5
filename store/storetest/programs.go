package storetest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
)

// serverBinDirs lists the bin directories of the PostgreSQL versions Debian
// installs side by side, newest first.
func serverBinDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return dirMajor(dirs[i]) > dirMajor(dirs[j]) })
	return dirs
}

func dirMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

var versionLine = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// programMajor runs path --version and returns the major version it names.
func programMajor(path string) (int, error) {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s --version: %w", path, err)
	}
	m := versionLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("%s --version printed %q", path, out)
	}
	return strconv.Atoi(string(m[1]))
}

// ClientProgram returns the path of a PostgreSQL client program (pg_dump,
// pg_restore, psql) of major version atLeast or newer: pg_dump refuses a
// server newer than itself. The test fails, naming the package to install,
// when there is none.
func ClientProgram(t testing.TB, name string, atLeast int) string {
	t.Helper()
	var candidates []string
	for _, dir := range serverBinDirs() {
		candidates = append(candidates, filepath.Join(dir, name))
	}
	if p, err := exec.LookPath(name); err == nil {
		candidates = append(candidates, p)
	}
	var found []string
	for _, p := range candidates {
		major, err := programMajor(p)
		if err != nil {
			continue
		}
		if major >= atLeast {
			return p
		}
		found = append(found, fmt.Sprintf("%s is version %d", p, major))
	}
	t.Fatalf("storetest: no %s of PostgreSQL %d or newer (%v): install the Debian package postgresql-client "+
		"(scripts/test-deps.sh does as root)", name, atLeast, found)
	return ""
}

// ServerProgram returns the path of a PostgreSQL server program (initdb,
// pg_ctl) of the newest version installed. The test fails, naming the package
// to install, when there is none.
func ServerProgram(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range serverBinDirs() {
		p := filepath.Join(dir, name)
		if _, err := programMajor(p); err == nil {
			return p
		}
	}
	t.Fatalf("storetest: no %s under /usr/lib/postgresql/*/bin: install the Debian package postgresql", name)
	return ""
}

// ServerMajor returns the major version of the server at dbURL.
func ServerMajor(t testing.TB, dbURL string) int {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, dbURL)
	defer conn.Close(ctx)
	var num int
	if err := conn.QueryRow(ctx, "select current_setting('server_version_num')::int").Scan(&num); err != nil {
		t.Fatalf("storetest: server version: %v", err)
	}
	return num / 10000
}

// Role creates a login role without special rights on the test server, as
// the role an installation runs Assure as, and returns its name. It is
// dropped at cleanup, after what cleanups registered later have dropped.
func Role(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := "assure_role_" + randomSuffix()
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "create role "+pgx.Identifier{name}.Sanitize()+" login"); err != nil {
		t.Fatalf("storetest: create role: %v", err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(context.Background(), AdminURL())
		if err != nil {
			return
		}
		defer admin.Close(context.Background())
		admin.Exec(context.Background(), "drop role if exists "+pgx.Identifier{name}.Sanitize())
	})
	return name
}

// OwnedDatabase creates an empty database owned by role, as an operator
// prepares one to restore into, and returns its URL for connecting as role.
// It is dropped at cleanup.
func OwnedDatabase(t testing.TB, role string) string {
	t.Helper()
	ctx := context.Background()
	name := "assure_test_" + randomSuffix()
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf("create database %s owner %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{role}.Sanitize())); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() { drop(name) })
	u, err := databaseURL(AdminURL(), name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s", cfg.Host, cfg.Port, role, name)
}
