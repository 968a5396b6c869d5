package app_test

import (
	"context"
	"testing"
	"time"

	"assure/app"
	"assure/domain"
)

// TestAuditVerificationJob runs River for real: an auditor's verification
// is queued, walked in the background and its result kept, with both steps
// in the audit trail; a provider user may neither start nor read one.
func TestAuditVerificationJob(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	if _, err := s.app.StartAuditVerification(ctx, s.adminA); domain.ErrorCodeOf(err) != domain.EForbidden {
		t.Fatalf("a provider admin starts a verification: %v", err)
	}
	queued, err := s.app.StartAuditVerification(ctx, s.auditor)
	if err != nil {
		t.Fatal(err)
	}
	if queued.Status != "queued" || queued.HeadSeq == 0 || queued.RequestedBy != s.auditor.UserID {
		t.Fatalf("queued verification = %+v", queued)
	}
	if _, err := s.app.AuditVerification(ctx, s.editorB, queued.ID); domain.ErrorCodeOf(err) != domain.EForbidden {
		t.Fatalf("a provider editor reads a verification: %v", err)
	}
	runJobs(t, s.app, app.JobOptions{})
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, err := s.app.AuditVerification(ctx, s.auditor, queued.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status == "done" {
			// The chain at the start held the request's own event too.
			if v.OK == nil || !*v.OK || v.FirstBad != nil || v.Checked != v.HeadSeq || v.HeadSeq <= queued.HeadSeq ||
				v.HeadHash == "" || v.FinishedAt == nil {
				t.Fatalf("done verification = %+v", v)
			}
			break
		}
		if v.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("verification = %+v", v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	pending, done, err := s.app.LatestAuditVerifications(ctx, s.sup)
	if err != nil || pending != nil || done == nil || done.ID != queued.ID {
		t.Fatalf("latest: pending %+v, done %+v, %v", pending, done, err)
	}
	var requested, completed int
	if err := s.db.Pool().QueryRow(ctx, `select count(*) filter (where action = 'audit.verification_requested'),
		count(*) filter (where action = 'audit.verification_completed') from audit_events where object_id = $1`,
		queued.ID).Scan(&requested, &completed); err != nil || requested != 1 || completed != 1 {
		t.Fatalf("audit events: requested %d, completed %d (%v)", requested, completed, err)
	}
}
