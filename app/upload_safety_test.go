package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"assure/app"
	"assure/domain"
)

// rezip copies an OOXML package, letting change rewrite an entry (nil drops
// it), and adds extra entries at the end.
func rezip(t *testing.T, data []byte, change func(name string, content []byte) []byte, extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if change != nil {
			content = change(f.Name, content)
		}
		if content == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	for name, content := range extra {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// inPart returns a change that replaces old with new in the named entry.
func inPart(part, old, new string) func(string, []byte) []byte {
	return func(name string, c []byte) []byte {
		if name == part {
			return bytes.Replace(c, []byte(old), []byte(new), 1)
		}
		return c
	}
}

// TestUploadsRefuseMacrosWhateverTheirNames takes an assessment's real
// questionnaire, written by excelize, and hides active content in it the
// ways an attacker could, none of them under the name vbaProject.bin: every
// one is refused as a questionnaire and as evidence, through the app's own
// upload functions, while the untouched workbook goes through both.
func TestUploadsRefuseMacrosWhateverTheirNames(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	book := download(t, s, s.editorA, s.a.ID, "")
	const (
		types   = "[Content_Types].xml"
		wbRels  = "xl/_rels/workbook.xml.rels"
		sheet   = "xl/worksheets/sheet1.xml"
		endType = "</Types>"
		endRels = "</Relationships>"
		vbaRel  = `<Relationship Id="rIdX" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="notmacros.bin"/>`
		ole     = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a VBA project"
	)
	both := func(a, b func(string, []byte) []byte) func(string, []byte) []byte {
		return func(name string, c []byte) []byte { return b(name, a(name, c)) }
	}
	cases := []struct {
		name string
		data []byte
		want string // in the questionnaire's refusal and the evidence problem
	}{
		{"a renamed VBA part declared by an override", rezip(t, book, both(
			inPart(types, endType, `<Override PartName="/xl/notmacros.bin" ContentType="application/vnd.ms-office.vbaProject"/>`+endType),
			inPart(wbRels, endRels, vbaRel+endRels)), map[string]string{"xl/notmacros.bin": ole}), "macros"},
		{"an override under a namespace prefix", rezip(t, book, both(
			inPart(types, endType, `<ct:Override xmlns:ct="http://schemas.openxmlformats.org/package/2006/content-types" PartName="/xl/notmacros.bin" ContentType="application/vnd.ms-office.vbaProject"/>`+endType),
			inPart(wbRels, endRels, vbaRel+endRels)), map[string]string{"xl/notmacros.bin": ole}), "macros"},
		{"a VBA default for another extension", rezip(t, book,
			inPart(types, endType, `<Default Extension="dat" ContentType="application/vnd.ms-office.vbaProject"/>`+endType),
			map[string]string{"xl/notmacros.dat": ole}), "macros"},
		{"a type spelt with a character reference", rezip(t, book,
			inPart(types, endType, `<Override PartName="/xl/notmacros.bin" ContentType="application/vnd.ms-office.vba&#80;roject"/>`+endType),
			map[string]string{"xl/notmacros.bin": ole}), "macros"},
		{"a vbaProject relationship to a neutral part", rezip(t, book, both(
			inPart(types, endType, `<Override PartName="/xl/notmacros.bin" ContentType="application/octet-stream"/>`+endType),
			inPart(wbRels, endRels, vbaRel+endRels)), map[string]string{"xl/notmacros.bin": ole}), "macros"},
		{"a macro-enabled main content type", rezip(t, book,
			inPart(types, "spreadsheetml.sheet.main+xml", "ms-excel.sheet.macro&#69;nabled.main+xml"), nil), "macros"},
		{"an ActiveX control", rezip(t, book,
			inPart(types, endType, `<Override PartName="/xl/controls/c1.xml" ContentType="application/vnd.ms-office.activeX+xml"/>`+endType),
			map[string]string{"xl/controls/c1.xml": `<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>`}), "macros"},
		{"an OLE object relationship", rezip(t, book,
			inPart(wbRels, endRels, `<Relationship Id="rIdO" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="embeddings/object1.dat"/>`+endRels),
			map[string]string{"xl/embeddings/object1.dat": ole}), "macros"},
		{"a DOCTYPE in a sheet", rezip(t, book,
			inPart(sheet, "<worksheet", `<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><worksheet`), nil), "DOCTYPE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.app.UploadQuestionnaire(ctx, s.editorA, s.a.ID, app.Upload{Filename: "questionnaire.xlsx",
				Size: int64(len(c.data)), Content: bytes.NewReader(c.data)})
			if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || !strings.Contains(e.Message, c.want) {
				t.Errorf("questionnaire upload: err = %v, want invalid saying %q", err, c.want)
			}
			_, err = s.app.UploadEvidence(ctx, s.editorA, s.a.ID, []app.Upload{{Filename: "book.xlsx",
				Size: int64(len(c.data)), Content: bytes.NewReader(c.data)}})
			e, ok := domain.AsError(err)
			if !ok || e.Code != domain.EUnsupported || len(e.Problems) != 1 || !strings.Contains(e.Problems[0].Message, c.want) {
				t.Errorf("evidence upload: err = %v (%+v), want unsupported saying %q", err, e, c.want)
			}
		})
	}

	t.Run("the untouched workbook", func(t *testing.T) {
		res, err := s.app.UploadQuestionnaire(ctx, s.editorA, s.a.ID, app.Upload{Filename: "questionnaire.xlsx",
			Size: int64(len(book)), Content: bytes.NewReader(book)})
		if err != nil || res.Applied != 0 {
			t.Errorf("questionnaire upload = %+v, %v; want nothing applied and no error", res, err)
		}
		ev, err := s.app.UploadEvidence(ctx, s.editorA, s.a.ID, []app.Upload{{Filename: "book.xlsx",
			Size: int64(len(book)), Content: bytes.NewReader(book)}})
		if err != nil {
			t.Fatalf("evidence upload: %v", err)
		}
		if want := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; ev[0].MediaType != want {
			t.Errorf("stored as %q, want %q", ev[0].MediaType, want)
		}
	})
}
