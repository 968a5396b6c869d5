package reports

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"assure/domain"
)

// TestEveryReportWordIsTranslated fails when a message a report asks for
// has no French text: the first argument of a T call, and both forms given
// to Plural (which must be literals at the call, so this scan sees them).
func TestEveryReportWordIsTranslated(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	check := func(arg ast.Expr, literalOnly bool) bool {
		lit, ok := arg.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			if literalOnly {
				t.Errorf("%s: Plural takes its messages as literals", fset.Position(arg.Pos()))
			}
			return false
		}
		s, _ := strconv.Unquote(lit.Value)
		if !c.Has(domain.French, s) {
			t.Errorf("%s: %q has no French text", fset.Position(lit.Pos()), s)
		}
		return true
	}
	plurals := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if fn.Sel.Name == "T" {
					check(call.Args[0], false)
				}
			case *ast.Ident:
				if fn.Name == "Plural" && len(call.Args) >= 4 {
					for _, arg := range call.Args[2:4] {
						if check(arg, true) {
							plurals++
						}
					}
				}
			}
			return true
		})
	}
	if plurals < 20 {
		t.Fatalf("found only %d plural messages; the scan is broken", plurals)
	}
}
