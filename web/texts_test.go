package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"golang.org/x/net/html"

	"assure/domain"
)

// action matches a template action, so that the text around actions can be
// read as HTML.
var action = regexp.MustCompile(`(?s)\{\{.*?\}\}`)

// labelAttributes are the attributes whose values people read or hear.
var labelAttributes = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true}

// hasWords reports whether s holds letters once template actions are removed.
func hasWords(s string) bool {
	return strings.IndexFunc(action.ReplaceAllString(s, ""), unicode.IsLetter) >= 0
}

// TestTemplatesHoldNoLiteralText fails when a template shows a word that
// does not come from the message catalogs: every visible text and every
// label attribute must be an action.
func TestTemplatesHoldNoLiteralText(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, f := range files {
		b, _ := templateFiles.ReadFile(f)
		src := action.ReplaceAllString(string(b), "\x00")
		z := html.NewTokenizer(strings.NewReader(src))
		inScript := false
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				inScript = tok.Data == "script" || tok.Data == "style"
				for _, a := range tok.Attr {
					if labelAttributes[a.Key] && hasWords(a.Val) {
						t.Errorf("%s: <%s %s=%q> is text outside the catalogs", f, tok.Data, a.Key, a.Val)
					}
				}
			case html.EndTagToken:
				inScript = false
			case html.TextToken:
				if !inScript && hasWords(tok.Data) {
					t.Errorf("%s: %q is text outside the catalogs", f, strings.TrimSpace(tok.Data))
				}
			}
		}
	}
}

// usedKeys collects the message keys the pages ask for: string arguments of
// T in the templates, and in the Go files the arguments of T, page titles,
// and the values of the tables of names.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, f := range files {
		b, _ := templateFiles.ReadFile(f)
		funcs := map[string]any{}
		for _, name := range strings.Fields("and call html index slice js len not or print printf println urlquery " +
			"eq ge gt le lt ne") {
			funcs[name] = 1
		}
		for name := range pageFuncs(nil) {
			funcs[name] = 1
		}
		trees, err := parse.Parse(f, string(b), "{{", "}}", funcs)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tree := range trees {
			walk(tree.Root, func(args []parse.Node) {
				if len(args) > 1 && isT(args[0]) {
					if s, ok := args[1].(*parse.StringNode); ok {
						keys[s.Text] = f
					}
				}
			})
		}
	}
	fset := token.NewFileSet()
	gofiles, _ := filepath.Glob("*.go")
	tables := map[string]bool{"names": true, "roleNames": true, "flashes": true, "months": true, "failures": true,
		"weekdays": true, "calendarKinds": true}
	for _, gf := range gofiles {
		if strings.HasSuffix(gf, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, gf, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		add := func(n ast.Node) {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && s != "" {
					keys[s] = gf
				}
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && len(n.Args) > 0 {
					switch sel.Sel.Name {
					case "T":
						add(n.Args[0])
					case "newPage", "anonymousPage":
						add(n.Args[2])
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if tables[name.Name] && i < len(n.Values) {
						ast.Inspect(n.Values[i], func(m ast.Node) bool {
							if kv, ok := m.(*ast.KeyValueExpr); ok {
								ast.Inspect(kv.Value, func(v ast.Node) bool { add(v); return true })
								return false
							}
							add(m)
							return true
						})
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && (id.Name == "Label" || id.Name == "Message") {
					add(n.Value)
				}
			}
			return true
		})
	}
	for _, l := range domain.MaturityLevels {
		keys[l.Name] = "domain.MaturityLevels"
	}
	return keys
}

func isT(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.FieldNode:
		return n.Ident[len(n.Ident)-1] == "T"
	case *parse.VariableNode:
		return len(n.Ident) > 1 && n.Ident[len(n.Ident)-1] == "T"
	}
	return false
}

// walk calls fn with the arguments of every command in the tree.
func walk(n parse.Node, fn func([]parse.Node)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, fn)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c, fn)
			}
		}
	case *parse.CommandNode:
		fn(n.Args)
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.IfNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.RangeNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.WithNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}

// TestEveryMessageIsTranslated fails when a message the pages use has no
// French text.
func TestEveryMessageIsTranslated(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for k, where := range usedKeys(t) {
		if !tx.Has(domain.French, k) {
			missing = append(missing, where+": "+strconv.Quote(k))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		if os.Getenv("ASSURE_LIST_MISSING") != "" {
			for _, m := range missing {
				t.Log(m)
			}
		}
		t.Errorf("%d messages have no French text, for example %s", len(missing), missing[0])
	}
}
