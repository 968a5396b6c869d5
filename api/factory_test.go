package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// Factories that build workflow state through the store, for tests that need
// it as a starting point rather than as the thing under test.

var ctx0 = context.Background()

func (s *server) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// supervisorActor is a system-made supervisor for factories.
func (s *server) supervisorActor() domain.Actor {
	s.t.Helper()
	return actorOf(s.user(domain.RoleSupervisor, ""))
}

// openCampaign creates and opens a campaign over the given providers and
// returns it with the assessment of each provider, by provider id.
func (s *server) openCampaign(sup domain.Actor, providers ...string) (domain.Campaign, map[string]domain.Assessment) {
	s.t.Helper()
	today := domain.Today()
	c, err := s.db.CreateCampaign(ctx0, sup, domain.Campaign{Name: fmt.Sprintf("Campaign %d", userSeq.Add(1)),
		FrameworkID: "x1150", ProviderIDs: providers, OpensAt: today.AddDays(-1), DueAt: today.AddDays(30)})
	s.must(err)
	c, err = s.db.OpenCampaign(ctx0, sup, c.ID)
	s.must(err)
	list, _, err := s.db.Assessments(ctx0, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{Limit: 500})
	s.must(err)
	out := map[string]domain.Assessment{}
	for _, a := range list {
		out[a.ProviderID] = a
	}
	return c, out
}

// answerAll answers every control of an assessment as implemented with a narrative.
func (s *server) answerAll(actor domain.Actor, assessmentID string) {
	s.t.Helper()
	list, _, err := s.db.Responses(ctx0, actor, assessmentID, store.ResponseFilter{}, store.Page{Limit: 500})
	s.must(err)
	updates := make([]store.ResponseUpdate, len(list))
	for i, r := range list {
		updates[i] = store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "In place and tested."}}
	}
	_, err = s.db.SaveResponses(ctx0, actor, assessmentID, updates, "body.responses")
	s.must(err)
}

var attestation = domain.Attestation{Name: "Ama Mensah", Position: "Chief Compliance Officer",
	Statement: "I attest that this self-assessment is true and complete."}

// textFile is a small evidence file.
func textFile(name, content string) upload { return upload{name: name, content: []byte(content)} }

type upload struct {
	name    string
	content []byte
}

// multipartBody is a request body of files, sent as multipart/form-data.
type multipartBody []upload

func (m multipartBody) encode() (io.Reader, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range m {
		h := textproto.MIMEHeader{}
		name := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(f.name)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, name))
		h.Set("Content-Type", "application/octet-stream")
		part, _ := w.CreatePart(h)
		part.Write(f.content)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

// formBody is a multipart/form-data body of named fields and files.
type formBody struct {
	fields map[string]string
	files  map[string]upload
}

func (m formBody) encode() (io.Reader, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for name, v := range m.fields {
		w.WriteField(name, v)
	}
	for field, f := range m.files {
		part, _ := w.CreateFormFile(field, f.name)
		part.Write(f.content)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

// uploadEvidence stores files through the store.
func (s *server) uploadEvidence(actor domain.Actor, assessmentID string, files ...upload) []domain.Evidence {
	s.t.Helper()
	var ups []store.UploadFile
	for _, f := range files {
		mt, ok := domain.DetectEvidenceType(f.content, f.name)
		if !ok {
			s.t.Fatalf("%s is not an allowed type", f.name)
		}
		ups = append(ups, store.UploadFile{Filename: f.name, MediaType: mt, Size: int64(len(f.content)),
			SHA256: sha256hex(f.content), Content: bytes.NewReader(f.content)})
	}
	list, err := s.db.UploadEvidence(ctx0, actor, assessmentID, ups)
	s.must(err)
	return list
}

func future(days int) string { return domain.Today().AddDays(days).String() }

// jsonInto decodes an answer that must be 200 into v.
func jsonInto(t testing.TB, r response, v any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %.300s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatal(err)
	}
}

// addZipEntry returns a copy of a ZIP archive with one more entry.
func addZipEntry(t testing.TB, archive []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// actorOf is the actor of a user, for calls made straight to the store.
func actorOf(u domain.User) domain.Actor { return domain.ActorFor(u) }

// registerApp registers an Android app of provider with one release and
// returns the app and the release.
func (s *server) registerApp(actor domain.Actor, providerID, name, version string) (domain.ProviderApp, domain.AppRelease) {
	s.t.Helper()
	ap, err := s.db.RegisterApp(ctx0, actor, store.NewApp{ProviderID: providerID, Name: name, Platform: domain.PlatformAndroid,
		PackageID: "test." + strings.ToLower(strings.ReplaceAll(name, " ", "."))})
	s.must(err)
	rel, err := s.db.AddRelease(ctx0, actor, ap.ID, version, sha256hex([]byte(name+" "+version)))
	s.must(err)
	return ap, rel
}

// labResult records a lab result on a release against the app baseline:
// every item passes but those named failed.
func (s *server) labResult(actor domain.Actor, releaseID string, failed ...string) domain.LabResult {
	s.t.Helper()
	fw, err := frameworks.Builtin("dfs-app-baseline", "")
	s.must(err)
	items := make([]domain.LabItem, len(fw.Controls))
	for i, c := range fw.Controls {
		items[i] = domain.LabItem{ControlID: c.ID, Outcome: domain.LabPass}
		if slices.Contains(failed, c.ID) {
			items[i].Outcome, items[i].MASVSRef = domain.LabFail, "MASVS-RESILIENCE-1"
		}
	}
	report := []byte("%PDF-1.4\nlab report for " + releaseID + "\n%%EOF\n")
	r, err := s.db.RecordLabResult(ctx0, actor, store.NewLabResult{ReleaseID: releaseID, Framework: store.FrameworkRef{ID: fw.ID},
		Lab: "Test Lab", TestedOn: domain.Today(), Items: items,
		Report: store.UploadFile{Filename: "report.pdf", MediaType: "application/pdf", Size: int64(len(report)),
			SHA256: sha256hex(report), Content: bytes.NewReader(report)}})
	s.must(err)
	return r
}
