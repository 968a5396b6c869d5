package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"assure/api"
	"assure/app"
	"assure/store/storetest"
)

func TestEvidenceLimitsAndTypes(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	s := serveWith(t, db, url, app.Options{MaxEvidenceBytes: 4096}, api.Options{})
	f := newFiling(s, "fintech")
	count := func() (evidence, blobs int) {
		s.queryRow(`select (select count(*) from evidence), (select count(*) from blobs)`, nil, &evidence, &blobs)
		return
	}
	send := func(files ...upload) response {
		return f.editor.do(http.MethodPost, f.path("/evidence"), multipartBody(files))
	}

	pdf := upload{name: "policy.pdf", content: []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")}
	png := upload{name: "diagram.png", content: append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)}
	exe := upload{name: "report.pdf", content: append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 64)...)}
	html := upload{name: "notes.txt", content: []byte("<html><script>alert(1)</script></html>")}
	zip := upload{name: "backup.docx", content: []byte("PK\x03\x04" + strings.Repeat("z", 40))}
	big := upload{name: "scan.pdf", content: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 5000)...)}

	// A disallowed type anywhere refuses the whole upload, naming each file.
	p := wantProblem(t, send(pdf, exe, html, zip), http.StatusUnsupportedMediaType)
	if len(p.Errors) != 3 || !strings.Contains(p.Errors[0].Location, "report.pdf") {
		t.Errorf("type problems = %+v", p.Errors)
	}
	p = wantProblem(t, send(pdf, big), http.StatusRequestEntityTooLarge)
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Location, "scan.pdf") {
		t.Errorf("size problems = %+v", p.Errors)
	}
	if e, b := count(); e != 0 || b != 0 {
		t.Fatalf("refused uploads stored %d evidence, %d blobs", e, b)
	}
	// An interrupted upload (the body ends mid-file) leaves nothing behind.
	body, ct := multipartBody{pdf, png}.encode()
	raw := new(bytes.Buffer)
	raw.ReadFrom(body)
	cut := raw.Bytes()[:raw.Len()-60]
	r := s.do(http.MethodPost, f.path("/evidence"), bytes.NewReader(cut), "Authorization", "Bearer "+f.editor.token, "Content-Type", ct)
	if r.status < 400 || r.status >= 500 {
		t.Errorf("interrupted upload = %d %s", r.status, r.body)
	}
	if e, b := count(); e != 0 || b != 0 {
		t.Fatalf("an interrupted upload stored %d evidence, %d blobs", e, b)
	}

	// Good files are stored with the type their content shows.
	var stored []api.Evidence
	f.editor.json(http.MethodPost, f.path("/evidence"), multipartBody{pdf, png}, http.StatusCreated, &stored)
	if len(stored) != 2 || stored[0].MediaType != "application/pdf" || stored[1].MediaType != "image/png" ||
		stored[0].SHA256 != sha256hex(pdf.content) || stored[0].Size != int64(len(pdf.content)) {
		t.Fatalf("stored = %+v", stored)
	}
	// The same content again is the same evidence; another provider's copy
	// is stored apart, as its own.
	var again []api.Evidence
	f.editor.json(http.MethodPost, f.path("/evidence"), multipartBody{pdf}, http.StatusCreated, &again)
	if again[0].ID != stored[0].ID {
		t.Error("a repeated upload made a second record")
	}
	other := newFiling(s, "bank")
	other.editor.json(http.MethodPost, other.path("/evidence"), multipartBody{pdf}, http.StatusCreated, &again)
	if e, b := count(); e != 3 || b != 3 {
		t.Errorf("evidence %d, blobs %d; want 3 and 3", e, b)
	}
	// Names are cleaned; downloads are attachments with a safe name.
	var odd []api.Evidence
	f.editor.json(http.MethodPost, f.path("/evidence"), multipartBody{{name: `..\..\Déclaration "finale".txt`,
		content: []byte("Déclaration de conformité\n")}}, http.StatusCreated, &odd)
	if odd[0].Filename != "Déclaration finale.txt" {
		t.Errorf("filename = %q", odd[0].Filename)
	}
	res := f.editor.get("/api/v1/evidence/" + odd[0].ID + "/content")
	if res.header.Get("Content-Type") != "text/plain" || !strings.Contains(res.header.Get("Content-Disposition"), "filename*=utf-8''D%C3%A9claration") ||
		res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download headers = %v", res.header)
	}
	// Another provider sees none of it.
	wantProblem(t, other.editor.get("/api/v1/evidence/"+stored[0].ID), http.StatusNotFound)
	wantProblem(t, other.editor.get("/api/v1/evidence/"+stored[0].ID+"/content"), http.StatusNotFound)
	// Evidence cannot be changed, even behind the application's back.
	if err := s.queryRow(`update evidence set filename = 'x'`, nil); err == nil {
		t.Error("evidence could be renamed in the database")
	}
}
