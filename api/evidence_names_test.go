package api_test

import (
	"mime"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"assure/api"
	"assure/app"
	"assure/store/storetest"
)

// TestEvidenceNamesDownloadSafely uploads evidence named with a right-to-left
// override and a decomposed accent: the name the API answers with and the
// one its download carries have no format characters and are in NFC, and
// the Content-Disposition header is plain ASCII that parses back to it.
func TestEvidenceNamesDownloadSafely(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	s := serveWith(t, db, url, app.Options{}, api.Options{})
	f := newFiling(s, "fintech")
	for _, c := range []struct{ name, want string }{
		{"invoice\u202Efdp.exe.txt", "invoicefdp.exe.txt"},
		{"De\u0301claration\u200B.txt", "D\u00e9claration.txt"},
	} {
		var stored []api.Evidence
		f.editor.json(http.MethodPost, f.path("/evidence"), multipartBody{{name: c.name,
			content: []byte("Filed as " + c.name + "\n")}}, http.StatusCreated, &stored)
		if len(stored) != 1 || stored[0].Filename != c.want {
			t.Fatalf("%q stored as %+v, want %q", c.name, stored, c.want)
		}
		res := f.editor.get("/api/v1/evidence/" + stored[0].ID + "/content")
		cd := res.header.Get("Content-Disposition")
		if strings.ContainsFunc(cd, func(r rune) bool { return r > unicode.MaxASCII || unicode.IsControl(r) }) {
			t.Errorf("%q: Content-Disposition %q is not plain ASCII", c.name, cd)
		}
		kind, params, err := mime.ParseMediaType(cd)
		if err != nil || kind != "attachment" || params["filename"] != c.want {
			t.Errorf("%q: Content-Disposition %q reads as %q %q (%v), want attachment %q", c.name, cd, kind, params["filename"], err, c.want)
		}
		if name := params["filename"]; !norm.NFC.IsNormalString(name) || strings.ContainsFunc(name, func(r rune) bool {
			return unicode.Is(unicode.Cf, r)
		}) {
			t.Errorf("%q downloads as %q", c.name, name)
		}
	}
}
