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

// TestEveryPluralIsTranslated fails when a message given to Plural (its two
// forms, written as literals at the call) has no French text: the scan of
// T calls does not see them.
func TestEveryPluralIsTranslated(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	found := 0
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
			if !ok {
				return true
			}
			if id, isIdent := call.Fun.(*ast.Ident); !isIdent || id.Name != "Plural" || len(call.Args) < 4 {
				return true
			}
			for _, arg := range call.Args[2:4] {
				lit, ok := arg.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: Plural takes its messages as literals", fset.Position(arg.Pos()))
					continue
				}
				found++
				s, _ := strconv.Unquote(lit.Value)
				if !c.Has(domain.French, s) {
					t.Errorf("%s: %q has no French text", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
	}
	if found < 20 {
		t.Fatalf("found only %d plural messages; the scan is broken", found)
	}
}
