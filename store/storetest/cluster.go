package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Cluster is a PostgreSQL server of one test's own, in a temporary
// directory, which the test may restart or crash without disturbing the
// shared server or any other test.
type Cluster struct {
	// URL is the cluster's postgres database, as the superuser postgres.
	URL string

	dir     string
	pgCtl   string
	asOwner []string // the command prefix that runs a program as the cluster's owner
}

// NewCluster creates and starts a cluster listening on a free port of
// 127.0.0.1, with its unix socket in its own directory. It is stopped and
// removed at cleanup. initdb refuses to run as root, so as root the cluster
// belongs to the postgres user and its programs run through runuser (or
// setpriv). A missing program fails the test, naming what to install.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	initdb := ServerProgram(t, "initdb")
	c := &Cluster{pgCtl: ServerProgram(t, "pg_ctl")}
	// Not under t.TempDir, whose parent is private: the cluster's owner
	// must reach it. As root, or when TMPDIR is long (a unix socket's path
	// must stay under about 100 bytes), /tmp, which everyone may enter.
	base := os.TempDir()
	if os.Getuid() == 0 || len(base) > 60 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "assure-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Getuid() == 0 {
		c.asOwner = ownerPrefix(t, dir)
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("storetest: initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	settings := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 50\n",
		port, dir)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(settings)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("storetest: configure the cluster: %v", err)
	}
	if out, err := c.ctl("start"); err != nil {
		t.Fatalf("storetest: start the cluster: %v\n%s\n%s", err, out, c.Log())
	}
	t.Cleanup(func() { c.ctl("stop", "-m", "immediate") })
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", port)
	return c
}

// Restart stops the server in mode ("fast": clients are disconnected and
// the server shuts down cleanly; "immediate": every server process quits at
// once, as in a crash, and the start recovers from the WAL) and starts it
// again, waiting until it accepts connections.
func (c *Cluster) Restart(mode string) error {
	if out, err := c.ctl("restart", "-m", mode); err != nil {
		return fmt.Errorf("pg_ctl restart -m %s: %w\n%s", mode, err, out)
	}
	return nil
}

// Log returns what the server logged so far.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

func (c *Cluster) ctl(args ...string) ([]byte, error) {
	args = append([]string{"-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60"}, args...)
	return c.run(c.pgCtl, args...)
}

// run runs a program as the cluster's owner, in the cluster's directory
// (the owner may not be able to enter the test's).
func (c *Cluster) run(program string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, c.asOwner...), program), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// ownerPrefix hands dir to the postgres user and returns how to run a
// program as that user.
func ownerPrefix(t testing.TB, dir string) []string {
	t.Helper()
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("storetest: initdb refuses root and there is no postgres user to run it as (%v): install the Debian package postgresql", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	if p, err := exec.LookPath("runuser"); err == nil {
		return []string{p, "-u", "postgres", "--"}
	}
	if p, err := exec.LookPath("setpriv"); err == nil {
		return []string{p, "--reuid=" + u.Uid, "--regid=" + u.Gid, "--init-groups", "--"}
	}
	t.Fatalf("storetest: running as root needs runuser or setpriv (util-linux) to start PostgreSQL as postgres")
	return nil
}

// freePort returns a TCP port of 127.0.0.1 that nothing listened on a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := strings.Cut(ln.Addr().String(), ":")
	n, _ := strconv.Atoi(port)
	return n
}
