package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axePackage is the file of the npm package axe-core that make test
// installs, at the version scripts/test-deps.sh pins, under var/npm.
const axePackage = "var/npm/node_modules/axe-core/axe.min.js"

var axeSource struct {
	once sync.Once
	js   string
	err  error
}

// axeScript reads axe.min.js from ASSURE_AXE, which the Makefile sets, or
// else from var/npm in the module's root.
func axeScript() (string, error) {
	axeSource.once.Do(func() {
		path := os.Getenv("ASSURE_AXE")
		if path == "" {
			root, err := moduleRoot()
			if err != nil {
				axeSource.err = err
				return
			}
			path = filepath.Join(root, axePackage)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeSource.err = fmt.Errorf("axe-core is not installed (%v): run make test, whose scripts/test-deps.sh "+
				"installs the npm package axe-core into var/npm", err)
			return
		}
		axeSource.js = string(b)
	})
	return axeSource.js, axeSource.err
}

// moduleRoot is the nearest folder above the working directory (the
// package's, under go test) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// axeResult is the part of axe.run's results the tests read.
type axeResult struct {
	Violations []axeViolation `json:"violations"`
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"` // selectors; nested lists for shadow DOM and frames
	} `json:"nodes"`
}

// axe checks the page as it is now with axe-core's default rules (WCAG 2.x
// A and AA and best practices) and fails the test for every serious or
// critical violation, naming the rule, its impact, its help and the
// elements. Lesser ones are logged.
func axe(t *testing.T, p *page) {
	t.Helper()
	axeWithin(t, p, "")
}

// axeWithin checks only the part of the page a CSS selector picks, or the
// whole page for "": a change to one part of a page that axe checked as a
// whole already.
func axeWithin(t *testing.T, p *page, sel string) {
	t.Helper()
	axeCheck(t, p, sel, false)
}

// axeClean checks the whole page as axe does and fails the test for every
// violation, whatever its impact: for pages that have none.
func axeClean(t *testing.T, p *page) {
	t.Helper()
	axeCheck(t, p, "", true)
}

// axeCheck runs axe-core on the part of the page sel picks ("" for all of
// it); every violation fails the test when strict, only the serious and
// critical ones otherwise.
func axeCheck(t *testing.T, p *page, sel string, strict bool) {
	t.Helper()
	src, err := axeScript()
	if err != nil {
		t.Fatal(err)
	}
	if !eval[bool](p, `typeof window.axe === "object"`) {
		p.do("inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	}
	scope, where := "document", p.title()
	if sel != "" {
		scope, where = jsString(sel), where+" "+sel
	}
	res := run(p, "run axe-core", chromedp.Evaluate[axeResult](
		`axe.run(`+scope+`, {resultTypes: ["violations"]})`+
			`.then(r => ({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))}))}))`,
		chromedp.EvalAwaitPromise))
	for _, v := range res.Violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		msg := fmt.Sprintf("axe on %q: %s (%s): %s: %s", where, v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
		if strict || v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}
