package storetest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// checkout is the source tree a test binary was built from.
type checkout struct {
	root   string // absolute directory holding go.mod
	module string // module path declared in go.mod
}

// findCheckout locates the module this package was compiled from: from the
// path the compiler recorded for this file, or, when that is not absolute
// (-trimpath), from the working directory, which go test sets to the
// directory of the package under test.
func findCheckout() (checkout, error) {
	start := ""
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		start = filepath.Dir(file)
	} else if wd, err := os.Getwd(); err == nil {
		start = wd
	}
	if start == "" {
		return checkout{}, errors.New("cannot tell where the source tree is")
	}
	if resolved, err := filepath.EvalSymlinks(start); err == nil {
		start = resolved
	}
	for dir := start; ; dir = filepath.Dir(dir) {
		module, err := modulePath(filepath.Join(dir, "go.mod"))
		if err == nil {
			return checkout{root: dir, module: module}, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return checkout{}, err
		}
		if filepath.Dir(dir) == dir {
			return checkout{}, fmt.Errorf("no go.mod in %s or above", start)
		}
	}
}

func modulePath(goMod string) (string, error) {
	f, err := os.Open(goMod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s declares no module", goMod)
}

// owner is the tag that marks templates built from this checkout. Two
// checkouts on one server get different tags even when their code is equal,
// so neither ever drops a template the other may be cloning.
func (c checkout) owner() string {
	sum := sha256.Sum256([]byte(c.root))
	return hex.EncodeToString(sum[:8])
}

// packageDirs lists, sorted, the directories of this package and of every
// package of the same module it imports directly or indirectly: the code
// that migrates a template and fills it, with its embedded SQL and YAML.
// Only import clauses are read, so this stays fast.
func (c checkout) packageDirs() ([]string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil, errors.New("cannot tell which package this is")
	}
	self := c.module + "/store/storetest"
	if filepath.IsAbs(file) {
		rel, err := filepath.Rel(c.root, filepath.Dir(file))
		if err == nil && !strings.HasPrefix(rel, "..") {
			self = c.module + "/" + filepath.ToSlash(rel)
		}
	}
	seen := map[string]bool{}
	queue := []string{self}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		dir := filepath.Join(c.root, filepath.FromSlash(strings.TrimPrefix(path, c.module)))
		pkg, err := build.ImportDir(dir, build.ImportComment)
		if err != nil {
			return nil, fmt.Errorf("read package %s: %w", path, err)
		}
		for _, imp := range pkg.Imports {
			if imp == c.module || strings.HasPrefix(imp, c.module+"/") {
				queue = append(queue, imp)
			}
		}
	}
	dirs := make([]string, 0, len(seen))
	for path := range seen {
		dirs = append(dirs, filepath.Join(c.root, filepath.FromSlash(strings.TrimPrefix(path, c.module))))
	}
	sort.Strings(dirs)
	return dirs, nil
}

// sourceFiles lists the files of a package directory that build it, sorted:
// every regular file but tests and hidden ones, and the files of its data
// folders (such as embedded catalogs), but not testdata nor folders that are
// packages of their own.
func sourceFiles(dir string, top bool) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	if !top {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".go") {
				return nil, nil // a package of its own, hashed if it is imported
			}
		}
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"):
		case e.IsDir() && name != "testdata":
			more, err := sourceFiles(filepath.Join(dir, name), false)
			if err != nil {
				return nil, err
			}
			files = append(files, more...)
		case e.Type().IsRegular() && !strings.HasSuffix(name, "_test.go"):
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files, nil
}

// digest hashes go.mod (it pins the driver and migration library) and every
// file of the template's packages except tests (with their data folders), in
// a fixed order, so any
// change to what builds a template gives it a new name.
func (c checkout) digest() (string, error) {
	dirs, err := c.packageDirs()
	if err != nil {
		return "", err
	}
	files := []string{filepath.Join(c.root, "go.mod")}
	for _, dir := range dirs {
		more, err := sourceFiles(dir, true)
		if err != nil {
			return "", err
		}
		files = append(files, more...)
	}
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(c.root, f)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
