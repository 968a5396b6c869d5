package reports

import (
	"assure/domain"
	"assure/texts"
)

// Plural returns the message one or other, whose English texts are keys of
// the catalogs, in p's language, with args formatted into it: one when n
// takes the singular in that language (1 in English; 0 and 1 in French),
// other otherwise. Both messages usually start with n's verb, e.g.
// Plural(p, n, "%d provider", "%d providers", n).
func Plural(p texts.Printer, n int, one, other string, args ...any) string {
	if pluralIsOne(p.Language(), n) {
		return p.T(one, args...)
	}
	return p.T(other, args...)
}

// pluralIsOne reports whether n takes the singular in l.
func pluralIsOne(l domain.Language, n int) bool {
	if l == domain.French {
		return n == 0 || n == 1
	}
	return n == 1
}

// JoinWords joins items as a list in p's language: "a", "a and b",
// "a, b and c".
func JoinWords(p texts.Printer, items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	head := items[0]
	for _, it := range items[1 : len(items)-1] {
		head += ", " + it
	}
	return p.T("%s and %s", head, items[len(items)-1])
}
