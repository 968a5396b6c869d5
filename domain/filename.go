package domain

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxFilenameBytes bounds a file name Assure keeps.
const MaxFilenameBytes = 255

// CleanFilename makes a name a client gave its file safe to store, show and
// send back in a Content-Disposition header: the base name only (no folder,
// with / or \), without control characters, Unicode format characters
// (category Cf: bidirectional overrides and isolates such as U+202E, zero
// width spaces and joiners, the byte order mark, soft hyphens) and other
// invisible ones (line and paragraph separators, default-ignorable fillers),
// without double quotes, other spaces as plain spaces, in Unicode NFC and at
// most MaxFilenameBytes. So "invoice\u202Efdp.exe.txt" keeps the name it
// really has, invoicefdp.exe.txt, and a decomposed "e\u0301" is "é". A name
// left empty becomes fallback.
func CleanFilename(name, fallback string) string {
	name = strings.ToValidUTF8(name, "")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		switch {
		case invisible(r) || r == '"':
			return -1
		case unicode.Is(unicode.Zs, r):
			return ' '
		}
		return r
	}, name)
	for {
		// NFC may lengthen a name, and cutting one may leave it in another form.
		name = strings.TrimSpace(norm.NFC.String(name))
		if len(name) <= MaxFilenameBytes {
			break
		}
		for len(name) > MaxFilenameBytes {
			_, size := utf8.DecodeLastRuneInString(name)
			name = name[:len(name)-size]
		}
	}
	if name == "" || name == "." || name == ".." || name == "/" {
		return fallback
	}
	return name
}

// invisible reports whether a character of a file name shows nothing, or
// changes how the characters around it show.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co,
		unicode.Other_Default_Ignorable_Code_Point)
}
