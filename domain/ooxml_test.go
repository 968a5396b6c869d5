package domain

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// ooxmlPart is one entry of a package made by ooxmlPackage.
type ooxmlPart struct{ name, content string }

func ooxmlPackage(t *testing.T, parts ...ooxmlPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	ooxmlTypesHead = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>`
	ooxmlRelsHead = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
)

// ooxmlDocument is a minimal package whose main part, at main, has the main
// content type, with extra content types, package relationships and parts.
func ooxmlDocument(t *testing.T, main, mainType, types, rels string, extra ...ooxmlPart) []byte {
	t.Helper()
	parts := []ooxmlPart{
		{"[Content_Types].xml", ooxmlTypesHead + `<Override PartName="/` + main + `" ContentType="` + mainType + `"/>` + types + `</Types>`},
		{"_rels/.rels", ooxmlRelsHead + `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` +
			main + `"/>` + rels + `</Relationships>`},
		{main, `<?xml version="1.0" encoding="UTF-8"?><document/>`},
	}
	return ooxmlPackage(t, append(parts, extra...)...)
}

const (
	wordMain  = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	sheetMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	slideMain = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
)

func inspect(data []byte) (string, error) {
	return InspectOOXML(bytes.NewReader(data), int64(len(data)))
}

func TestInspectOOXMLTellsTheDocument(t *testing.T) {
	for _, c := range []struct {
		main, mainType, want string
	}{
		{"word/document.xml", wordMain, MediaTypeDOCX},
		{"xl/workbook.xml", sheetMain, MediaTypeXLSX},
		{"ppt/presentation.xml", slideMain, MediaTypePPTX},
		{"weird/place%20here.xml", sheetMain, MediaTypeXLSX}, // named anywhere, percent-encoded in the relationship
	} {
		data := ooxmlDocument(t, strings.ReplaceAll(c.main, "%20", " "), c.mainType, "", "")
		if strings.Contains(c.main, "%20") {
			data = ooxmlPackage(t,
				ooxmlPart{"[Content_Types].xml", ooxmlTypesHead + `<Override PartName="/` + c.main + `" ContentType="` + c.mainType + `"/></Types>`},
				ooxmlPart{"_rels/.rels", ooxmlRelsHead + `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/` + c.main + `"/></Relationships>`},
				ooxmlPart{strings.ReplaceAll(c.main, "%20", " "), `<document/>`})
		}
		got, err := inspect(data)
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.main, got, err, c.want)
		}
	}
}

func TestInspectOOXMLRefusals(t *testing.T) {
	word := func(types, rels string, extra ...ooxmlPart) []byte {
		return ooxmlDocument(t, "word/document.xml", wordMain, types, rels, extra...)
	}
	many := []ooxmlPart{{"[Content_Types].xml", ooxmlTypesHead + `</Types>`}}
	for i := range MaxOOXMLParts {
		many = append(many, ooxmlPart{fmt.Sprintf("p/%d.xml", i), "<a/>"})
	}
	// Highly compressible XML, over the budget once unpacked.
	bomb := "<a>" + strings.Repeat("<b/>", MaxOOXMLXMLBytes/4) + "</a>"
	for _, c := range []struct {
		name string
		data []byte
		want OOXMLFault
	}{
		{"not a zip", []byte("PK\x03\x04 not really"), OOXMLNotDocument},
		{"no content types", ooxmlPackage(t, ooxmlPart{"word/document.xml", "<document/>"}), OOXMLNotDocument},
		{"no main document", ooxmlPackage(t, ooxmlPart{"[Content_Types].xml", ooxmlTypesHead + `</Types>`}), OOXMLNotDocument},
		{"a template is no document", ooxmlDocument(t, "word/document.xml",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "", ""), OOXMLNotDocument},
		{"two parts of one name", word("", "", ooxmlPart{"Word/Document.xml", "<x/>"}), OOXMLNotDocument},
		{"a part with no content type", word("", "", ooxmlPart{"word/hidden.dat", "\x00\x01"}), OOXMLUntyped},
		{"XML in UTF-16", word("", "", ooxmlPart{"word/u.xml", `<?xml version="1.0" encoding="UTF-16"?><a/>`}), OOXMLNotDocument},
		{"XML cut short", word("", "", ooxmlPart{"word/u.xml", `<a><b>`}), OOXMLNotDocument},
		{"a Word VBA project under another name", word(`<Override PartName="/word/data.bin" ContentType="application/vnd.ms-office.vbaProject"/>`, "",
			ooxmlPart{"word/data.bin", "\xd0\xcf"}), OOXMLActive},
		{"a macro-enabled document", ooxmlDocument(t, "word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", "", ""), OOXMLActive},
		{"an Excel 4 macro sheet", word(`<Override PartName="/xl/macrosheets/s.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>`, "",
			ooxmlPart{"xl/macrosheets/s.xml", "<a/>"}), OOXMLActive},
		{"an embedded macro-enabled workbook", word(`<Default Extension="xlsm" ContentType="application/vnd.ms-excel.sheet.macroEnabled.12"/>`, "",
			ooxmlPart{"word/embeddings/book.xlsm", "PK"}), OOXMLActive},
		{"a VBA signature declared for no part", word(`<Override PartName="/nowhere.bin" ContentType="application/vnd.ms-office.vbaProjectSignature"/>`, ""), OOXMLActive},
		{"an ActiveX binary relationship", word("", `<Relationship Id="r2" Type="http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary" Target="word/x.xml"/>`), OOXMLActive},
		{"a wordVbaData relationship in a part's rels", word("", "",
			ooxmlPart{"word/_rels/document.xml.rels", ooxmlRelsHead + `<Relationship Id="r9" Type="http://schemas.microsoft.com/office/2006/relationships/wordVbaData" Target="x.xml"/></Relationships>`}), OOXMLActive},
		{"a DOCTYPE in the content types", ooxmlPackage(t, ooxmlPart{"[Content_Types].xml", `<?xml version="1.0"?><!DOCTYPE Types SYSTEM "http://evil.test/x.dtd"><Types/>`}), OOXMLDoctype},
		{"a DOCTYPE in relationships", word("", "", ooxmlPart{"word/_rels/document.xml.rels", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Relationships>&x;</Relationships>`}), OOXMLDoctype},
		{"a DOCTYPE in a part that is XML by its content only", word(`<Default Extension="png" ContentType="image/png"/>`, "",
			ooxmlPart{"word/media/image1.png", "\xef\xbb\xbf <!DOCTYPE a [<!ENTITY a 'x'>]><a/>"}), OOXMLDoctype},
		{"too many parts", ooxmlPackage(t, many...), OOXMLTooLarge},
		{"a ZIP bomb of XML", word("", "", ooxmlPart{"word/bomb.xml", bomb}), OOXMLTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := inspect(c.data)
			var e *OOXMLError
			if !errors.As(err, &e) || e.Fault != c.want {
				t.Errorf("= %q, %v; want fault %d", got, err, c.want)
			}
		})
	}
}
