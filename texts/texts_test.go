package texts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"assure/domain"
)

// TestCommonWordsAreTranslated fails when a word this package prints has no
// French text: the names, the months and every message of its own code.
func TestCommonWordsAreTranslated(t *testing.T) {
	c, err := Load(fstest.MapFS{}, "none")
	if err != nil {
		t.Fatal(err)
	}
	keys := append([]string{}, Months...)
	for _, n := range Names {
		keys = append(keys, n)
	}
	file, err := parser.ParseFile(token.NewFileSet(), "texts.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "T" && len(call.Args) > 0 {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok {
					s, _ := strconv.Unquote(lit.Value)
					keys = append(keys, s)
				}
			}
		}
		return true
	})
	if len(keys) < 50 {
		t.Fatalf("found only %d keys; the scan is broken", len(keys))
	}
	for _, k := range keys {
		if !c.Has(domain.French, k) {
			t.Errorf("%q has no French text", k)
		}
	}
}

// TestCallersCannotTranslateACommonWordAgain keeps one translation per word.
func TestCallersCannotTranslateACommonWordAgain(t *testing.T) {
	fsys := fstest.MapFS{"i18n/fr/x.json": {Data: []byte(`{"Draft": "Ébauche"}`)}}
	if _, err := Load(fsys, "i18n"); err == nil {
		t.Fatal("a second translation of a common word was accepted")
	}
}

func TestPrinterFormatsForTheLanguage(t *testing.T) {
	c, err := Load(fstest.MapFS{}, "none")
	if err != nil {
		t.Fatal(err)
	}
	fr, en := c.Printer(domain.French), c.Printer(domain.English)
	d := domain.DateOf(mustTime(t, "2027-03-02T10:05:00Z"))
	for _, tc := range []struct{ got, want string }{
		{fr.Date(d), "2 mars 2027"}, {en.Date(d), "2 March 2027"},
		{fr.Decimal(12.5, 1), "12,5"}, {en.Decimal(12.5, 1), "12.5"}, {en.Decimal(81.25, 1), "81.3"},
		{en.Decimal(-0.125, 2), "-0.13"},
		{fr.Name("approved"), "Approuvée"}, {en.ProviderKindName(domain.KindBank), "Bank"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestTypedCodesHaveTheirOwnNames fails when a typed code that shares its
// spelling with another vocabulary's code is named with the other's words.
func TestTypedCodesHaveTheirOwnNames(t *testing.T) {
	c, err := Load(fstest.MapFS{}, "none")
	if err != nil {
		t.Fatal(err)
	}
	en, fr := c.Printer(domain.English), c.Printer(domain.French)
	for _, tc := range []struct{ got, want string }{
		{en.Name(domain.CriterionChannels), "Channels affected"}, {en.Name("channels"), "Channels offered"},
		{en.Name(domain.PhaseInitial), "Initial report"}, {en.Name("initial"), "initial"},
		{en.Name(domain.IncidentClosed), "Closed by the supervisor"}, {en.Name("closed"), "Closed"},
		{fr.Name(domain.ClockOverdue), "En retard"}, {fr.Name(domain.PhaseFinal), "Rapport final"},
		{en.Name(domain.IncidentOpen), "Open"}, {en.Name([]string{"x"}), "[x]"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
