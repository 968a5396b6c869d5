package domain

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
)

// An Office Open XML file (.docx, .xlsx, .pptx) is a ZIP package of parts.
// What a part is comes from the package's [Content_Types].xml and the
// relationships that point at it, never from its name: Office runs a VBA
// project called xl/notmacros.bin as readily as one called vbaProject.bin.

// The media types of the OOXML documents Assure accepts.
const (
	MediaTypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MediaTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	MediaTypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// Bounds of InspectOOXML, so that a small upload cannot make it unpack or
// walk without end (a ZIP bomb, a package of a million empty parts).
const (
	MaxOOXMLParts    = 10000    // entries in the package
	MaxOOXMLXMLBytes = 64 << 20 // unpacked bytes of all its XML parts together
)

// OOXMLFault says why InspectOOXML refused a package.
type OOXMLFault int

// The faults of an OOXML package.
const (
	OOXMLNotDocument OOXMLFault = iota + 1 // not a readable package of a document Assure accepts
	OOXMLActive                            // macros, ActiveX controls or OLE objects
	OOXMLDoctype                           // an XML part declares a DOCTYPE (entities, external references)
	OOXMLTooLarge                          // over MaxOOXMLParts or MaxOOXMLXMLBytes
	OOXMLUntyped                           // a part with no content type: damaged, or hiding something
)

// OOXMLError is a refusal of InspectOOXML: the fault, the part it was found
// in ("" for the package as a whole) and what was found, for logs.
type OOXMLError struct {
	Fault  OOXMLFault
	Part   string
	Detail string
}

func (e *OOXMLError) Error() string {
	if e.Part == "" {
		return "ooxml: " + e.Detail
	}
	return "ooxml: " + e.Part + ": " + e.Detail
}

func ooxmlFault(f OOXMLFault, part, format string, args ...any) *OOXMLError {
	return &OOXMLError{Fault: f, Part: part, Detail: fmt.Sprintf(format, args...)}
}

// contentTypeRel is the content type of relationship parts.
const contentTypeRel = "application/vnd.openxmlformats-package.relationships+xml"

// activeContentType reports whether a content type, lower case and without
// parameters, is that of code or of an object Office runs: VBA projects and
// their signatures, Word's VBA data, any macro-enabled document (the main
// part of .xlsm, .docm, .pptm, their templates and add-ins, or an embedded
// one), Excel 4 macro sheets, ActiveX controls and OLE objects.
func activeContentType(ct string) bool {
	for _, s := range []string{"vbaproject", "vbadata", "macroenabled", "macrosheet", "activex", "oleobject"} {
		if strings.Contains(ct, s) {
			return true
		}
	}
	return false
}

// activeRelationship reports whether a relationship type, lower case, points
// at code or an object Office runs, whatever the target part is called.
func activeRelationship(typ string) bool {
	for _, s := range []string{"/vbaproject", "/vbaprojectsignature", "/wordvbadata", "/xlmacrosheet",
		"/xlintlmacrosheet", "/control", "/activexcontrolbinary", "/oleobject"} {
		if strings.HasSuffix(typ, s) {
			return true
		}
	}
	return false
}

// mainDocumentTypes maps the content type of a package's main part to the
// media type of the document.
var mainDocumentTypes = map[string]string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":   MediaTypeDOCX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":         MediaTypeXLSX,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": MediaTypePPTX,
}

// InspectOOXML reads an OOXML package of size bytes and returns the media
// type of its document (MediaTypeDOCX, MediaTypeXLSX or MediaTypePPTX). It
// refuses with an *OOXMLError a package that
//   - is no ZIP, has no [Content_Types].xml, holds two parts of one name,
//     has an XML part that is not well-formed UTF-8 XML, or whose main part
//     is none of those documents (OOXMLNotDocument);
//   - holds a part with no content type (OOXMLUntyped);
//   - declares a macro, ActiveX or OLE content type for a part, gives one to
//     a part by its extension, or has a relationship of such a type
//     (OOXMLActive);
//   - has an XML part with a DOCTYPE or other declaration (OOXMLDoctype);
//   - has more than MaxOOXMLParts entries or unpacks to more than
//     MaxOOXMLXMLBytes of XML (OOXMLTooLarge).
//
// Every error is an *OOXMLError; one reading r is OOXMLNotDocument, as a
// damaged upload is.
func InspectOOXML(r io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", ooxmlFault(OOXMLNotDocument, "", "not a ZIP package: %v", err)
	}
	if len(zr.File) > MaxOOXMLParts {
		return "", ooxmlFault(OOXMLTooLarge, "", "%d entries, over %d", len(zr.File), MaxOOXMLParts)
	}
	// Part names compare without case, as Office compares them.
	parts := make(map[string]*zip.File, len(zr.File))
	var files []*zip.File // the parts in package order, so that a refusal names the same part every time
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		key := partKey(f.Name)
		if _, twice := parts[key]; twice {
			return "", ooxmlFault(OOXMLNotDocument, f.Name, "two parts of this name")
		}
		parts[key] = f
		files = append(files, f)
	}
	in := ooxmlReader{budget: MaxOOXMLXMLBytes}
	typesPart, ok := parts[partKey("[Content_Types].xml")]
	if !ok {
		return "", ooxmlFault(OOXMLNotDocument, "", "no [Content_Types].xml")
	}
	types := contentTypes{defaults: map[string]string{}, overrides: map[string]string{}}
	if err := in.walk(typesPart, types.add); err != nil {
		return "", err
	}

	// Active content first, by type and then by relationship, so that a
	// package with macros is called so whatever else is wrong with it.
	for _, o := range types.overrideList {
		if activeContentType(o.contentType) {
			return "", ooxmlFault(OOXMLActive, o.part, "declared %s", o.contentType)
		}
	}
	var rels, others []*zip.File
	for _, f := range files {
		if f == typesPart {
			continue
		}
		key := partKey(f.Name)
		ct := types.of(key)
		if activeContentType(ct) {
			return "", ooxmlFault(OOXMLActive, f.Name, "of type %s", ct)
		}
		if ct == contentTypeRel || (path.Ext(key) == ".rels" && path.Base(path.Dir(key)) == "_rels") {
			rels = append(rels, f)
		} else {
			others = append(others, f)
		}
	}
	var document string // the main part, named by the package relationships
	for _, f := range rels {
		key := partKey(f.Name)
		err := in.walk(f, func(el xml.StartElement) error {
			if el.Name.Local != "Relationship" {
				return nil
			}
			typ := strings.ToLower(strings.TrimSpace(attr(el, "Type")))
			if activeRelationship(typ) {
				return ooxmlFault(OOXMLActive, f.Name, "a relationship of type %s", typ)
			}
			if key == "_rels/.rels" && strings.HasSuffix(typ, "/officedocument") && document == "" {
				document = partKey(attr(el, "Target"))
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	for _, f := range others {
		key := partKey(f.Name)
		ct := types.of(key)
		if ct == "" {
			// Office opens no such package without repairing it; no part
			// slips past these checks untyped.
			return "", ooxmlFault(OOXMLUntyped, f.Name, "a part with no content type")
		}
		isXML := path.Ext(key) == ".xml" || strings.HasSuffix(ct, "xml")
		if !isXML {
			if isXML, err = in.looksLikeXML(f); err != nil {
				return "", err
			}
		}
		if isXML {
			if err := in.walk(f, nil); err != nil {
				return "", err
			}
		}
	}
	if document == "" {
		return "", ooxmlFault(OOXMLNotDocument, "_rels/.rels", "no main document")
	}
	if _, ok := parts[document]; !ok {
		return "", ooxmlFault(OOXMLNotDocument, document, "the main document is missing")
	}
	media, ok := mainDocumentTypes[types.of(document)]
	if !ok {
		return "", ooxmlFault(OOXMLNotDocument, document, "a main document of type %q", types.of(document))
	}
	return media, nil
}

// partKey names a part for lookup: its path from the package root, without
// percent-encoding, in lower case.
func partKey(name string) string {
	if u, err := url.PathUnescape(name); err == nil {
		name = u
	}
	return strings.ToLower(strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(name, `\`, "/")), "/"))
}

// contentTypes is a parsed [Content_Types].xml.
type contentTypes struct {
	defaults     map[string]string // by extension, without the dot
	overrides    map[string]string // by partKey
	overrideList []override        // in the order declared
}

type override struct{ part, contentType string }

// add records a Default or Override element, whatever its namespace prefix.
func (c *contentTypes) add(el xml.StartElement) error {
	ct := strings.ToLower(strings.TrimSpace(attr(el, "ContentType")))
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	switch el.Name.Local {
	case "Default":
		c.defaults[strings.ToLower(strings.TrimPrefix(attr(el, "Extension"), "."))] = ct
	case "Override":
		c.overrides[partKey(attr(el, "PartName"))] = ct
		c.overrideList = append(c.overrideList, override{attr(el, "PartName"), ct})
	}
	return nil
}

// of returns the content type of a part: its override, or the default for
// its extension, or "".
func (c *contentTypes) of(key string) string {
	if ct, ok := c.overrides[key]; ok {
		return ct
	}
	return c.defaults[strings.TrimPrefix(path.Ext(key), ".")]
}

// attr returns the value of an element's attribute by its local name.
func attr(el xml.StartElement, local string) string {
	for _, a := range el.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// ooxmlReader reads parts of one package within a budget of unpacked XML.
type ooxmlReader struct {
	budget int64
}

var errOverBudget = errors.New("over budget")

// budgetReader fails once more than the budget left is read.
type budgetReader struct {
	r    io.Reader
	left *int64
}

func (b budgetReader) Read(p []byte) (int, error) {
	if *b.left < 0 {
		return 0, errOverBudget
	}
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	if *b.left < 0 {
		return n, errOverBudget
	}
	return n, err
}

// walk reads an XML part to its end, calling each (when not nil) with every
// start element. A DOCTYPE or any other <!…> declaration is OOXMLDoctype;
// XML that does not parse, or is in another encoding than UTF-8, is
// OOXMLNotDocument. An error each returns is returned.
func (in *ooxmlReader) walk(f *zip.File, each func(xml.StartElement) error) error {
	rc, err := f.Open()
	if err != nil {
		return ooxmlFault(OOXMLNotDocument, f.Name, "cannot be opened: %v", err)
	}
	defer rc.Close()
	d := xml.NewDecoder(bufio.NewReader(budgetReader{r: rc, left: &in.budget}))
	depth := 0 // RawToken does not match elements; an unclosed one is a cut file
	for {
		tok, err := d.RawToken()
		switch {
		case errors.Is(err, io.EOF) && depth == 0:
			return nil
		case errors.Is(err, io.EOF):
			return ooxmlFault(OOXMLNotDocument, f.Name, "not well-formed XML: ends inside an element")
		case errors.Is(err, errOverBudget):
			return ooxmlFault(OOXMLTooLarge, f.Name, "the XML parts unpack to more than %d bytes", MaxOOXMLXMLBytes)
		case err != nil:
			return ooxmlFault(OOXMLNotDocument, f.Name, "not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return ooxmlFault(OOXMLDoctype, f.Name, "a declaration <!%.40s", t)
		case xml.EndElement:
			depth--
		case xml.StartElement:
			depth++
			if each != nil {
				if err := each(t); err != nil {
					return err
				}
			}
		}
	}
}

// looksLikeXML reports whether a part with no XML type or name starts as XML
// does (markup, or a UTF-16 byte order mark), so that it is read as XML too.
func (in *ooxmlReader) looksLikeXML(f *zip.File) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, ooxmlFault(OOXMLNotDocument, f.Name, "cannot be opened: %v", err)
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, ooxmlFault(OOXMLNotDocument, f.Name, "cannot be read: %v", err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte{0xfe, 0xff}) || bytes.HasPrefix(head, []byte{0xff, 0xfe}) {
		return true, nil
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(head, []byte("<")), nil
}
