package api_test

import (
	"bytes"
	"net/http"
	"os"
	"testing"

	"assure/domain"
)

// TestUploadsLeaveNoTemporaryFiles: a multipart upload large enough to be
// spooled to disk leaves no file behind once it is answered, whether it is
// stored or refused. It changes TMPDIR, so it does not run in parallel.
func TestUploadsLeaveNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := newServer(t)
	sup := s.supervisorActor()
	bank := s.provider("Spool Bank")
	_, byProvider := s.openCampaign(sup, bank)
	editor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, bank)))
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 1<<20)...)
	r := editor.do(http.MethodPost, "/api/v1/assessments/"+byProvider[bank].ID+"/evidence",
		multipartBody{upload{name: "policy.pdf", content: big}})
	if r.status != http.StatusCreated {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	wantProblem(t, admin.do(http.MethodPost, "/api/v1/frameworks", multipartBody{upload{name: "big.yaml",
		content: bytes.Repeat([]byte("# padding\n"), 100000)}}), http.StatusUnprocessableEntity)
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("%s is left in the temporary folder", e.Name())
	}
}
