package domain

import (
	"bytes"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"
)

// Evidence is an uploaded file backing a provider's answers. Its content is
// immutable; a new version is a new upload.
type Evidence struct {
	ID           string
	AssessmentID string
	ProviderID   string
	Filename     string
	MediaType    string
	Size         int64
	SHA256       string
	UploadedBy   string
	UploadedAt   string
}

// DefaultMaxEvidenceBytes is the default size limit of one evidence file.
const DefaultMaxEvidenceBytes = 25 << 20

// SniffLength is how many leading bytes DetectEvidenceType needs.
const SniffLength = 4096

// DetectEvidenceType decides a file's type from its first bytes (at least
// SniffLength, or the whole file when shorter), never from its name, and
// reports whether the type is allowed as evidence: PDF, PNG, JPEG, GIF, WebP,
// office documents (OOXML and the older OLE formats, OpenDocument), CSV and
// plain UTF-8 text. Anything else — executables, archives, scripts, HTML — is
// refused. An OOXML type is to be confirmed by InspectOOXML on the whole file.
func DetectEvidenceType(head []byte, filename string) (string, bool) {
	ext := strings.ToLower(path.Ext(filename))
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf", true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", true
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return "image/jpeg", true
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "image/gif", true
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "image/webp", true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return officeZip(head, ext)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		// The OLE compound format of older Word, Excel and PowerPoint files.
		switch ext {
		case ".doc":
			return "application/msword", true
		case ".xls":
			return "application/vnd.ms-excel", true
		case ".ppt":
			return "application/vnd.ms-powerpoint", true
		}
		return "", false
	}
	return plainText(head, ext)
}

// officeZip accepts a ZIP only when it is an office document: OOXML files
// carry [Content_Types].xml, OpenDocument files a mimetype entry first. For
// OOXML this is a first guess from the entry names in the head: the whole
// package decides, in InspectOOXML, what it is and whether it runs code.
func officeZip(head []byte, ext string) (string, bool) {
	if bytes.Contains(head, []byte("mimetypeapplication/vnd.oasis.opendocument.")) {
		switch {
		case bytes.Contains(head, []byte("opendocument.text")):
			return "application/vnd.oasis.opendocument.text", true
		case bytes.Contains(head, []byte("opendocument.spreadsheet")):
			return "application/vnd.oasis.opendocument.spreadsheet", true
		case bytes.Contains(head, []byte("opendocument.presentation")):
			return "application/vnd.oasis.opendocument.presentation", true
		}
		return "", false
	}
	if !bytes.Contains(head, []byte("[Content_Types].xml")) && !bytes.Contains(head, []byte("_rels/.rels")) &&
		!bytes.Contains(head, []byte("docProps/")) && !bytes.Contains(head, []byte("word/")) &&
		!bytes.Contains(head, []byte("xl/")) && !bytes.Contains(head, []byte("ppt/")) {
		return "", false
	}
	switch {
	case ext == ".docx" || bytes.Contains(head, []byte("word/")):
		return MediaTypeDOCX, true
	case ext == ".xlsx" || bytes.Contains(head, []byte("xl/")):
		return MediaTypeXLSX, true
	case ext == ".pptx" || bytes.Contains(head, []byte("ppt/")):
		return MediaTypePPTX, true
	}
	return "", false
}

// plainText accepts valid UTF-8 text without control bytes, as CSV when the
// name says so. Markup that a browser would run is refused.
func plainText(head []byte, ext string) (string, bool) {
	if len(head) == 0 || bytes.IndexByte(head, 0) >= 0 {
		return "", false
	}
	// The head may end inside a multi-byte character.
	trimmed := head
	for i := 0; i < 3 && len(trimmed) > 0 && !utf8.Valid(trimmed); i++ {
		trimmed = trimmed[:len(trimmed)-1]
	}
	if !utf8.Valid(trimmed) {
		return "", false
	}
	for _, b := range trimmed {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' {
			return "", false
		}
	}
	if sniffed := http.DetectContentType(head); strings.HasPrefix(sniffed, "text/html") || strings.HasPrefix(sniffed, "text/xml") {
		return "", false
	}
	if ext == ".csv" {
		return "text/csv", true
	}
	return "text/plain", true
}
