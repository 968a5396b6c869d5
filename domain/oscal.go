package domain

import (
	"crypto/sha1"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// OSCAL documents Assure writes (catalogs, assessment results, plans of
// action and milestones) share their version, the namespace of the names
// Assure adds, and how they derive UUIDs: from a name, so the same content
// always gives the same document.
const (
	// OSCALVersion is the version of OSCAL the documents conform to.
	OSCALVersion = "1.2.2"
	// OSCALNamespace qualifies the names of the props Assure adds.
	OSCALNamespace = "https://assure.example/ns/oscal"
)

// urlNamespace is the RFC 9562 namespace UUID for names that are URLs.
var urlNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// oscalNamespace is the namespace of Assure's OSCAL UUIDs: the version 5
// UUID of OSCALNamespace in the URL namespace.
var oscalNamespace = uuidV5(urlNamespace, OSCALNamespace)

// OSCALUUID returns the UUID of name in Assure's OSCAL documents: a version
// 5 (SHA-1, name-based) UUID, the same for the same name everywhere.
func OSCALUUID(name string) string {
	u := uuidV5(oscalNamespace, name)
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// uuidV5 is the RFC 9562 version 5 UUID of name in namespace ns.
func uuidV5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// OSCALToken turns an Assure id into an OSCAL token (an XML NCName):
// lower-cased, any character other than a letter, digit, '.', '-' or '_'
// replaced by '-', and '_' put in front when it would not start with a letter
// or '_'.
func OSCALToken(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	tok := b.String()
	if r := []rune(tok); len(r) == 0 || !(unicode.IsLetter(r[0]) || r[0] == '_') {
		tok = "_" + tok
	}
	return tok
}

// OSCALTokens are the ids a framework's OSCAL catalog gives its groups,
// controls and their parts: every document that points into the catalog
// (assessment results, plans of action) takes them from here.
type OSCALTokens struct {
	Group, Overview                       map[string]string // by audit group id
	Control, Statement, Objective, Method map[string]string // by control id
}

// OSCALTokensOf assigns f's tokens, each unique in the catalog: the audit
// groups', the controls', then each group's overview and its controls'
// statement, objective and method parts, a clash taking the first free
// suffix _2, _3, ….
func OSCALTokensOf(f *Framework) OSCALTokens {
	t := OSCALTokens{Group: map[string]string{}, Overview: map[string]string{}, Control: map[string]string{},
		Statement: map[string]string{}, Objective: map[string]string{}, Method: map[string]string{}}
	taken := map[string]bool{}
	unique := func(tok string) string {
		out := tok
		for n := 2; taken[out]; n++ {
			out = tok + "_" + strconv.Itoa(n)
		}
		taken[out] = true
		return out
	}
	for _, g := range f.AuditGroups {
		t.Group[g.ID] = unique(OSCALToken(g.ID))
	}
	for _, c := range f.Controls {
		t.Control[c.ID] = unique(OSCALToken(c.ID))
	}
	for _, g := range f.AuditGroups {
		t.Overview[g.ID] = unique(t.Group[g.ID] + "_ovw")
		for _, c := range f.Controls {
			if c.AuditGroup != g.ID {
				continue
			}
			tok := t.Control[c.ID]
			t.Statement[c.ID] = unique(tok + "_smt")
			t.Objective[c.ID] = unique(tok + "_obj")
			t.Method[c.ID] = unique(tok + "_asm-examine")
		}
	}
	return t
}
