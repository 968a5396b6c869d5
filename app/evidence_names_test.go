package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// shown reports whether a name has no format or control characters and is
// in NFC.
func shown(name string) bool {
	return norm.NFC.IsNormalString(name) && !strings.ContainsFunc(name, func(r rune) bool {
		return unicode.Is(unicode.Cf, r) || unicode.IsControl(r)
	})
}

// TestEvidenceFilenamesLoseFormatCharacters uploads evidence whose names
// carry a right-to-left override, a decomposed accent and other invisible
// characters: the names stored, read back and listed have no format
// characters and are in NFC, as are those of a provider import and of a
// framework file, echoed in their results and problems.
func TestEvidenceFilenamesLoseFormatCharacters(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	names := map[string]string{
		"invoice\u202Efdp.exe.txt":           "invoicefdp.exe.txt",
		"re\u0301sume\u0301\u200B.txt":       "r\u00e9sum\u00e9.txt",
		"\u2066policy\u2069\uFEFF\u00AD.txt": "policy.txt",
		"C:\\temp\\\u202Dplan\u061C.txt":     "plan.txt",
	}
	var uploads []app.Upload
	for name := range names {
		content := []byte("Board minutes, filed as " + name + ".\n") // evidence of the same content is stored once
		uploads = append(uploads, app.Upload{Filename: name, Size: int64(len(content)), Content: bytes.NewReader(content)})
	}
	stored, err := s.app.UploadEvidence(ctx, s.editorA, s.a.ID, uploads)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range stored {
		want := names[uploads[i].Filename]
		if e.Filename != want {
			t.Errorf("%q stored as %q, want %q", uploads[i].Filename, e.Filename, want)
		}
		back, err := s.app.Evidence(ctx, s.sup, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if back.Filename != want {
			t.Errorf("%q read back as %q, want %q", uploads[i].Filename, back.Filename, want)
		}
		if !shown(back.Filename) {
			t.Errorf("%q read back as %q, with format characters or not NFC", uploads[i].Filename, back.Filename)
		}
	}
	listed, _, err := s.app.EvidenceOf(ctx, s.sup, s.a.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range listed {
		if !shown(e.Filename) {
			t.Errorf("listed as %q", e.Filename)
		}
	}

	res, err := s.app.ImportProviders(ctx, s.sup, upload("provi\u202Ede\u0301rs.csv",
		"legal_name,short_name,licence_number,kind,tier,channels\nGamma Bank plc,Gamma,LIC-G,bank,2,app\n"), false)
	if err != nil || res.Filename != "provid\u00e9rs.csv" {
		t.Errorf("import of a strange name = %q, %v; want %q", res.Filename, err, "provid\u00e9rs.csv")
	}

	admin, err := s.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "admin@regulator.test", Name: "Admin",
		Role: domain.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.app.CheckFramework(ctx, domain.ActorFor(admin), "uploads/x1150\u202Elmay.yaml", []byte("id: [unclosed\n"), "")
	e, ok := domain.AsError(err)
	if !ok || len(e.Problems) == 0 || len(app.FrameworkProblems(err)) == 0 {
		t.Fatalf("a broken framework = %v", err)
	}
	for _, p := range e.Problems {
		if !strings.HasPrefix(p.Location, "x1150lmay.yaml") {
			t.Errorf("framework problem located at %q", p.Location)
		}
	}
}
