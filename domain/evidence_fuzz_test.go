package domain

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// evidenceTypes is every media type DetectEvidenceType may allow.
var evidenceTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/msword": true, "application/vnd.ms-excel": true, "application/vnd.ms-powerpoint": true,
	"application/vnd.oasis.opendocument.text":                                   true,
	"application/vnd.oasis.opendocument.spreadsheet":                            true,
	"application/vnd.oasis.opendocument.presentation":                           true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         true,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
	"text/csv": true, "text/plain": true,
}

// allowedMagic lists the leading bytes of the binary types evidence may be.
var allowedMagic = [][]byte{
	[]byte("%PDF-"), []byte("\x89PNG\r\n\x1a\n"), []byte("\xff\xd8\xff"), []byte("GIF87a"), []byte("GIF89a"),
	[]byte("RIFF"), []byte("PK\x03\x04"), []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
}

func hasAllowedMagic(head []byte) bool {
	for _, m := range allowedMagic {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	return false
}

// FuzzDetectEvidenceType gives the evidence sniffer arbitrary heads and file
// names. It must never panic nor change the head; the verdict is the same
// every time; an allowed type is one of the allow-list and a refusal names
// none; and what is refused stays refused whatever the name says: binary
// content without an allowed signature, markup a browser would run, a ZIP
// that is no office document, a macro workbook named .xlsx.
func FuzzDetectEvidenceType(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "report.pdf")
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "diagram.png")
	f.Add([]byte("control,status\nC1,implemented\n"), "answers.csv")
	f.Add([]byte("Policy reviewed by the board in March.\n"), "notes.txt")
	f.Add([]byte("PK\x03\x04\x14\x00\x06\x00[Content_Types].xml_rels/.relsxl/workbook.xml"), "book.xlsx")
	f.Add([]byte("PK\x03\x04\x14\x00\x06\x00[Content_Types].xmlxl/vbaProject.bin"), "book.xlsx")
	f.Add([]byte("PK\x03\x04\x14\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.text"), "letter.odt")
	f.Add([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), "old.xls")
	f.Add([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), "setup.pdf")
	f.Add([]byte("<!DOCTYPE html><script>alert(1)</script>"), "page.txt")
	f.Add([]byte("\x8b\x1f\xf3\x00\x42\xa7\x10\x99\xfe"), "random.bin")
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		if len(head) > SniffLength {
			head = head[:SniffLength]
		}
		kept := bytes.Clone(head)
		// Office packages are then inspected whole (macros, ActiveX, OLE,
		// DOCTYPE): that inspection never panics and says the same twice.
		media1, err1 := InspectOOXML(bytes.NewReader(head), int64(len(head)))
		if media2, err2 := InspectOOXML(bytes.NewReader(head), int64(len(head))); media1 != media2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("package inspections differ: %q %v, then %q %v", media1, err1, media2, err2)
		}
		mediaType, ok := DetectEvidenceType(head, name)
		if !bytes.Equal(head, kept) {
			t.Fatal("DetectEvidenceType changed the head")
		}
		if again, okAgain := DetectEvidenceType(head, name); again != mediaType || okAgain != ok {
			t.Fatalf("verdicts differ: %q %v, then %q %v", mediaType, ok, again, okAgain)
		}
		if ok != evidenceTypes[mediaType] || (!ok && mediaType != "") {
			t.Fatalf("verdict %q %v is not an allowed type with its refusal empty", mediaType, ok)
		}

		// Without a signature of its own, content is judged alone: the name
		// only tells CSV from plain text.
		if !hasAllowedMagic(head) {
			for _, other := range []string{"evidence.bin", "x.csv", "x.pdf", "x.docx", ""} {
				if _, okOther := DetectEvidenceType(head, other); okOther != ok {
					t.Fatalf("named %q the verdict is %v, named %q %v", name, ok, other, okOther)
				}
			}
			if ok && !strings.HasPrefix(mediaType, "text/") {
				t.Fatalf("content without a signature was taken for %s", mediaType)
			}
		}
		if !ok {
			return
		}
		switch {
		case !hasAllowedMagic(head) && bytes.IndexByte(head, 0) >= 0:
			t.Fatalf("binary content without an allowed signature was taken for %s", mediaType)
		case !hasAllowedMagic(head) && isMarkup(head):
			t.Fatalf("markup was taken for %s", mediaType)
		case bytes.HasPrefix(head, []byte("PK\x03\x04")) && !zipOfficeMarker(head):
			t.Fatalf("a ZIP that is no office document was taken for %s", mediaType)
		}
	})
}

func isMarkup(head []byte) bool {
	sniffed := http.DetectContentType(head)
	return strings.HasPrefix(sniffed, "text/html") || strings.HasPrefix(sniffed, "text/xml")
}

func zipOfficeMarker(head []byte) bool {
	for _, m := range []string{"mimetypeapplication/vnd.oasis.opendocument.", "[Content_Types].xml", "_rels/.rels",
		"docProps/", "word/", "xl/", "ppt/"} {
		if bytes.Contains(head, []byte(m)) {
			return true
		}
	}
	return false
}
