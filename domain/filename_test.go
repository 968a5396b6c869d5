package domain

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestCleanFilename(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"policy.pdf", "policy.pdf"},
		{"invoice\u202Efdp.exe.txt", "invoicefdp.exe.txt"},               // right-to-left override
		{"\u202Btxt.\u202Cscan\u2067.pdf\u2069", "txt.scan.pdf"},         // embeddings, isolates
		{"e\u0301te\u0301.docx", "\u00e9t\u00e9.docx"},                   // decomposed accents
		{"zero\u200Bwidth\u200D\uFEFF\u00AD\u061C.csv", "zerowidth.csv"}, // invisible joiners, BOM, soft hyphen, ALM
		{"line\u2028break\u2029.txt", "linebreak.txt"},                   // separators
		{"hangul\u3164filler\u115F.txt", "hangulfiller.txt"},             // default-ignorable fillers
		{"no\u00A0break\u3000space.txt", "no break space.txt"},           // other spaces
		{"C:\\Users\\me\\..\\plan.xlsx", "plan.xlsx"},                    // folders
		{`../../"quoted" name.txt`, "quoted name.txt"},                   // quotes
		{"tab\there\x00\x7f\u0085.txt", "tabhere.txt"},                   // controls
		{"bad\xffbytes.txt", "badbytes.txt"},                             // not UTF-8
		{"\u202E\u200B", "evidence"}, {"..", "evidence"}, {"", "evidence"}, {" / ", "evidence"},
		{"\U0001F600 smile\uFE0F.png", "\U0001F600 smile\uFE0F.png"}, // variation selectors stay
	} {
		if got := CleanFilename(c.in, "evidence"); got != c.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := CleanFilename(strings.Repeat("e\u0301", 300)+".txt", "x")
	if len(long) > MaxFilenameBytes || !norm.NFC.IsNormalString(long) || strings.ContainsRune(long, '\u0301') {
		t.Errorf("a long decomposed name became %d bytes %q", len(long), long)
	}
	for _, r := range []rune{'\u202A', '\u202E', '\u2066', '\u2069', '\u200E', '\u200F', '\u061C', '\uFEFF', '\U000E0041'} {
		if !unicode.Is(unicode.Cf, r) || CleanFilename("a"+string(r)+"b", "x") != "ab" {
			t.Errorf("%U survives", r)
		}
	}
}
