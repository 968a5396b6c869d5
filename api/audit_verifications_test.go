package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

// TestAuditVerifications starts a background verification through the API
// (202 with the verification to poll), polls it until done, and refuses a
// provider user both ways.
func TestAuditVerifications(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	s := serveWith(t, db, url, app.Options{}, api.Options{})
	jobs, err := s.app.NewJobs(slog.New(slog.NewTextHandler(io.Discard, nil)), app.JobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		jobs.Stop(stop)
		cancel()
	})
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	provider := s.as(s.tokenFor(s.user(domain.RoleProviderAdmin, s.provider("Alpha Bank"))))

	wantProblem(t, provider.do(http.MethodPost, "/api/v1/audit/verifications", nil), http.StatusForbidden)
	r := auditor.do(http.MethodPost, "/api/v1/audit/verifications", nil)
	location := r.header.Get("Location")
	if r.status != http.StatusAccepted || !strings.HasPrefix(location, "/api/v1/audit-verifications/") {
		t.Fatalf("start = %d %v %s", r.status, r.header, r.body)
	}
	wantProblem(t, provider.get(location), http.StatusForbidden)
	wantProblem(t, auditor.get("/api/v1/audit-verifications/not-an-id"), http.StatusNotFound)
	deadline := time.Now().Add(60 * time.Second)
	var v api.AuditVerification
	for {
		auditor.getJSON(location, &v)
		if v.Status == "done" || v.Status == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v.Status != "done" || v.OK == nil || !*v.OK || v.Checked != v.HeadSeq || v.Checked == 0 || len(v.HeadHash) != 64 ||
		v.FirstBad != nil || v.FinishedAt == nil {
		t.Fatalf("verification = %+v", v)
	}

	// Past app.SyncVerifyLimit events the old GET holds no request for the
	// walk: it queues a verification (here the head is moved behind
	// Assure's back, so the walk will find the chain broken).
	s.exec(`update audit_head set seq = $1`, app.SyncVerifyLimit+1)
	r = auditor.get("/api/v1/audit/verify")
	if r.status != http.StatusAccepted || !strings.HasPrefix(r.header.Get("Location"), "/api/v1/audit-verifications/") {
		t.Fatalf("verify a long chain = %d %v %s", r.status, r.header, r.body)
	}
}
