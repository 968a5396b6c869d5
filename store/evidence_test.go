package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"assure/domain"
	"assure/store"
)

// upload prepares a file the way the API hands it to the store: typed,
// sized and hashed.
func upload(name, mediaType string, content []byte) store.UploadFile {
	sum := sha256.Sum256(content)
	return store.UploadFile{Filename: name, MediaType: mediaType, Size: int64(len(content)),
		SHA256: hex.EncodeToString(sum[:]), Content: bytes.NewReader(content)}
}

// pdf returns n bytes that start like a PDF, the rest drawn from seed.
func pdf(n int, seed uint64) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	copy(b, "%PDF-1.7\n")
	return b
}

// TestUploadEvidenceStoresContent: uploaded files are kept with their size
// and SHA-256 and come back byte for byte, large ones across several
// chunks; the same content is stored once, and uploading it again to the
// same assessment returns the record already there.
func TestUploadEvidenceStoresContent(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	policy := []byte("Access control policy, version 3.\nReviewed yearly.\n")
	report := pdf(2<<20+12345, 1) // over two chunks
	up := []store.UploadFile{upload("policy.txt", "text/plain", policy), upload("pentest.pdf", "application/pdf", report)}

	list, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID, up)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d records for 2 files", len(list))
	}
	events := f.audit.expect(t, ev{"evidence.upload", "evidence", list[0].ID}, ev{"evidence.upload", "evidence", list[1].ID})
	for i, e := range list {
		if e.SHA256 != up[i].SHA256 || e.Size != up[i].Size || e.Filename != up[i].Filename || e.MediaType != up[i].MediaType ||
			e.ProviderID != f.a.id || e.AssessmentID != f.a.assessment.ID || e.UploadedBy != "editor@alpha.test" {
			t.Errorf("record %d = %+v", i, e)
		}
		if events[i].ProviderID != f.a.id || summaryString(events[i], "sha256") == "" {
			t.Errorf("event %d = %+v", i, events[i])
		}
	}
	for i, content := range [][]byte{policy, report} {
		var out bytes.Buffer
		if err := f.db.WriteEvidence(ctx, list[i].ProviderID, list[i].SHA256, &out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), content) {
			t.Errorf("file %d came back as %d different bytes (%d stored)", i, out.Len(), len(content))
		}
		sum := sha256.Sum256(out.Bytes())
		if hex.EncodeToString(sum[:]) != list[i].SHA256 {
			t.Errorf("file %d: what comes back does not hash to its recorded SHA-256", i)
		}
	}
	if n := count(t, f.url, `select count(*) from blob_chunks where sha256 = $1`, list[1].SHA256); n != 3 {
		t.Errorf("the large file is in %d chunks, want 3", n)
	}

	// The same content again, under another name, is the record already there.
	again, err := f.db.UploadEvidence(ctx, f.a.admin, f.a.assessment.ID, []store.UploadFile{upload("policy-copy.txt", "text/plain", policy)})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].ID != list[0].ID || again[0].Filename != "policy.txt" {
		t.Errorf("re-upload = %+v, want the first record", again)
	}
	f.audit.expect(t)

	// Another provider's copy is its own record.
	theirs, err := f.db.UploadEvidence(ctx, f.b.editor, f.b.assessment.ID, []store.UploadFile{upload("policy.txt", "text/plain", policy)})
	if err != nil {
		t.Fatal(err)
	}
	if theirs[0].ID == list[0].ID || theirs[0].ProviderID != f.b.id {
		t.Errorf("provider B's upload = %+v", theirs[0])
	}
	f.audit.one(t, ev{"evidence.upload", "evidence", theirs[0].ID})
	var out bytes.Buffer
	if err := f.db.WriteEvidence(ctx, f.b.id, theirs[0].SHA256, &out); err != nil || !bytes.Equal(out.Bytes(), policy) {
		t.Errorf("provider B's copy reads back as %q, %v", out.Bytes(), err)
	}
}

// TestEvidenceContentIsStoredPerProvider: content is shared within one
// provider only. A provider uploading a file that another provider already
// holds stores the content itself, doing the same work as a first upload, so
// how long its upload takes cannot tell it what others hold; the same file
// uploaded again by one provider, to another of its assessments, is not
// stored twice. Each copy reads back whole and none can be changed.
func TestEvidenceContentIsStoredPerProvider(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	x := pdf(2<<20+777, 7) // three chunks
	file := upload("pentest.pdf", "application/pdf", x)
	chunks := func() int {
		return count(t, f.url, `select count(*) from blob_chunks where sha256 = $1`, file.SHA256)
	}

	first, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID, []store.UploadFile{file})
	if err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != 3 {
		t.Fatalf("provider A's upload stored %d chunks, want 3", n)
	}

	file = upload("pentest.pdf", "application/pdf", x)
	second, err := f.db.UploadEvidence(ctx, f.b.editor, f.b.assessment.ID, []store.UploadFile{file})
	if err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != 6 {
		t.Errorf("after provider B uploaded the file provider A holds, %d chunks are stored, want 6: "+
			"B's upload reused A's content instead of writing its own", n)
	}
	if n := count(t, f.url, `select count(*) from blobs where sha256 = $1`, file.SHA256); n != 2 {
		t.Errorf("the content is stored %d times, want once for each provider", n)
	}
	for _, s := range []side{f.a, f.b} {
		if n := count(t, f.url, `select count(*) from blob_chunks where provider_id = $1`, s.id); n != 3 {
			t.Errorf("provider %s holds %d chunks, want its own 3", s.id, n)
		}
	}

	// Provider A again, in another campaign: its content is there already.
	today := domain.Today()
	c, err := f.db.CreateCampaign(ctx, f.sup, domain.Campaign{Name: "2027 thematic review", FrameworkID: "x1150",
		ProviderIDs: []string{f.a.id}, OpensAt: today.AddDays(-1), DueAt: today.AddDays(60)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.OpenCampaign(ctx, f.sup, c.ID); err != nil {
		t.Fatal(err)
	}
	later, _, err := f.db.Assessments(ctx, f.sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(later) != 1 {
		t.Fatalf("assessments of the second campaign: %v, %v", later, err)
	}
	file = upload("pentest-again.pdf", "application/pdf", x)
	third, err := f.db.UploadEvidence(ctx, f.a.editor, later[0].ID, []store.UploadFile{file})
	if err != nil {
		t.Fatal(err)
	}
	if third[0].ID == first[0].ID || third[0].AssessmentID != later[0].ID {
		t.Errorf("provider A's second upload = %+v", third[0])
	}
	if n := chunks(); n != 6 {
		t.Errorf("provider A uploading its own file again made %d chunks, want still 6", n)
	}

	for _, e := range []domain.Evidence{first[0], second[0], third[0]} {
		var out bytes.Buffer
		if err := f.db.WriteEvidence(ctx, e.ProviderID, e.SHA256, &out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), x) {
			t.Errorf("evidence %s of provider %s reads back as %d different bytes", e.ID, e.ProviderID, out.Len())
		}
	}
	// A content only provider A holds is not there for provider B.
	own, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID,
		[]store.UploadFile{upload("register.csv", "text/csv", []byte("asset,owner\nfirewall,ops\n"))})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = f.db.WriteEvidence(ctx, f.b.id, own[0].SHA256, &out)
	wantCode(t, "reading, as provider B, content only provider A holds", err, domain.ENotFound)
	if out.Len() != 0 {
		t.Errorf("provider B read %d bytes of provider A's content", out.Len())
	}
	err = f.db.WriteEvidence(ctx, "not-a-provider", own[0].SHA256, &out)
	wantCode(t, "reading content under a malformed provider id", err, domain.ENotFound)

	for _, sql := range []string{
		`update blobs set size = size + 1`,
		`delete from blobs`,
		`truncate blobs cascade`,
		`update blob_chunks set data = ''::bytea`,
		`delete from blob_chunks`,
		`truncate blob_chunks`,
		`delete from evidence`,
	} {
		if err := execErr(f.url, sql); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Errorf("%s: %v, want it refused", sql, err)
		}
	}
}

// TestEvidenceScopedToProvider: another provider's evidence, and uploading
// to another provider's assessment, do not exist for a provider's users.
func TestEvidenceScopedToProvider(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	list, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID,
		[]store.UploadFile{upload("register.csv", "text/csv", []byte("asset,owner\nswitch,ops\n"))})
	if err != nil {
		t.Fatal(err)
	}
	e := list[0]
	f.audit = newTrail(t, f.url)

	for _, reader := range []domain.Actor{f.a.editor, f.a.admin, f.sup, f.auditor} {
		if got, err := f.db.Evidence(ctx, reader, e.ID); err != nil || got.SHA256 != e.SHA256 {
			t.Errorf("%s reads the evidence: %+v, %v", reader.Email, got, err)
		}
	}
	for _, reader := range []domain.Actor{f.b.editor, f.b.admin} {
		_, err := f.db.Evidence(ctx, reader, e.ID)
		wantCode(t, "reading another provider's evidence", err, domain.ENotFound)
		_, _, err = f.db.EvidenceOf(ctx, reader, f.a.assessment.ID, store.Page{})
		wantCode(t, "listing another provider's evidence", err, domain.ENotFound)
		_, err = f.db.UploadEvidence(ctx, reader, f.a.assessment.ID,
			[]store.UploadFile{upload("planted.txt", "text/plain", []byte("planted"))})
		wantCode(t, "uploading to another provider's assessment", err, domain.ENotFound)
	}
	_, err = f.db.Evidence(ctx, f.sup, "no-such-id")
	wantCode(t, "reading a malformed id", err, domain.ENotFound)
	if n := count(t, f.url, `select count(*) from evidence`); n != 1 {
		t.Errorf("%d evidence records, want only the one uploaded", n)
	}
	if n := count(t, f.url, `select count(*) from blobs`); n != 1 {
		t.Errorf("%d stored contents, want 1: a refused upload left its content", n)
	}
	f.audit.expect(t)

	own, _, err := f.db.EvidenceOf(ctx, f.a.editor, f.a.assessment.ID, store.Page{})
	if err != nil || len(own) != 1 || own[0].ID != e.ID {
		t.Errorf("provider A's evidence list: %+v, %v", own, err)
	}
}

// TestEvidenceUploadIsAllOrNothing: a batch with one bad file stores none,
// and a filed assessment takes no more evidence.
func TestEvidenceUploadIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	short := upload("short.pdf", "application/pdf", pdf(5000, 2))
	short.Size = 6000 // announced more than it holds
	_, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID,
		[]store.UploadFile{upload("fine.pdf", "application/pdf", pdf(3000, 3)), short})
	if err == nil {
		t.Fatal("a file shorter than announced was accepted")
	}
	for _, table := range []string{"evidence", "blobs", "blob_chunks"} {
		if n := count(t, f.url, `select count(*) from `+table); n != 0 {
			t.Errorf("%d rows left in %s by a refused upload", n, table)
		}
	}
	f.audit.expect(t)

	f.submitted(t, f.a)
	f.audit = newTrail(t, f.url)
	_, err = f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID,
		[]store.UploadFile{upload("late.pdf", "application/pdf", pdf(100, 4))})
	wantCode(t, "uploading to a submitted assessment", err, domain.EConflict)
	if n := count(t, f.url, `select count(*) from evidence`); n != 0 {
		t.Errorf("%d evidence records after the refused upload", n)
	}
	f.audit.expect(t)
}

// TestResponseLinksOnlyItsOwnEvidence: an answer may cite evidence uploaded
// to its assessment only, and the sealed filing carries the cited files'
// hashes.
func TestResponseLinksOnlyItsOwnEvidence(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	mine, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID,
		[]store.UploadFile{upload("mfa.pdf", "application/pdf", pdf(800, 5))})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := f.db.UploadEvidence(ctx, f.b.editor, f.b.assessment.ID,
		[]store.UploadFile{upload("keys.pdf", "application/pdf", pdf(900, 6))})
	if err != nil {
		t.Fatal(err)
	}
	f.audit = newTrail(t, f.url)
	r := f.responses(t, f.a.editor, f.a.assessment.ID)[0]

	in := domain.ResponseInput{Status: domain.Implemented, EvidenceIDs: []string{mine[0].ID, theirs[0].ID}}
	_, err = f.db.SaveResponse(ctx, f.a.editor, f.a.assessment.ID, r.ControlID, in, r.Version)
	if e := wantCode(t, "citing another assessment's evidence", err, domain.EInvalid); !problemAt(e, "body.evidence_ids[1]") ||
		len(e.Problems) != 1 {
		t.Errorf("problems %v, want only evidence_ids[1]", e.Problems)
	}
	f.audit.expect(t)

	in.EvidenceIDs = []string{mine[0].ID, mine[0].ID}
	saved, err := f.db.SaveResponse(ctx, f.a.editor, f.a.assessment.ID, r.ControlID, in, r.Version)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(saved.EvidenceIDs, []string{mine[0].ID}) {
		t.Errorf("evidence links %v, want the one file once", saved.EvidenceIDs)
	}
	f.audit.one(t, ev{"response.update", "response", responseID(f.a.assessment.ID, r.ControlID)})

	// File it: the other answers without evidence, this one with its file.
	var ups []store.ResponseUpdate
	for _, o := range f.responses(t, f.a.editor, f.a.assessment.ID) {
		if o.ControlID != r.ControlID {
			ups = append(ups, store.ResponseUpdate{ControlID: o.ControlID, Version: o.Version, Input: implemented("yes")})
		}
	}
	if _, err := f.db.SaveResponses(ctx, f.a.editor, f.a.assessment.ID, ups, "body.responses"); err != nil {
		t.Fatal(err)
	}
	var filed []ev
	for _, u := range ups {
		filed = append(filed, ev{"response.update", "response", responseID(f.a.assessment.ID, u.ControlID)})
	}
	f.audit.expect(t, filed...)
	sub, err := f.db.Submit(ctx, f.a.admin, f.a.assessment.ID, attestation)
	if err != nil {
		t.Fatal(err)
	}
	f.audit.one(t, ev{"assessment.submit", "assessment", f.a.assessment.ID})
	var snap domain.Snapshot
	if err := json.Unmarshal(sub.Content, &snap); err != nil {
		t.Fatal(err)
	}
	cited := 0
	for _, sr := range snap.Responses {
		for _, e := range sr.Evidence {
			cited++
			if sr.ControlID != r.ControlID || e.ID != mine[0].ID || e.SHA256 != mine[0].SHA256 || e.Filename != "mfa.pdf" {
				t.Errorf("%s cites %+v in the filing", sr.ControlID, e)
			}
		}
	}
	if cited != 1 {
		t.Errorf("the filing cites %d files, want 1", cited)
	}
}
