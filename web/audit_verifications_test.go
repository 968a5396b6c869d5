package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"assure/demo"
)

var verificationPoll = regexp.MustCompile(`hx-get="/audit/verifications/([0-9a-f-]{36})" hx-trigger="every 1s"`)

// TestAuditVerificationPanel starts a background verification from the log,
// follows its bar while it runs and reads its result, in English and French;
// a provider user has neither the button nor the fragment.
func TestAuditVerificationPanel(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	auditor := s.browser(t)
	auditor.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	auditor.get("/audit").want(t, http.StatusOK, "", `id="verify-background"`)

	started := auditor.post("/audit/verifications", nil)
	started.want(t, http.StatusOK, "/audit", `role="progressbar"`, `aria-valuemin="0"`, "events checked")
	m := verificationPoll.FindStringSubmatch(started.body)
	if m == nil {
		t.Fatalf("the panel does not poll the verification:\n%s", started.body)
	}
	id := m[1]
	auditor.htmx("/audit/verifications/"+id).want(t, http.StatusOK, "", `role="progressbar"`, `hx-trigger="every 1s"`)

	// The worker's walk, run here without the queue.
	if ran, err := s.db.RunAuditVerification(ctx, id, 1000, nil, nil); err != nil || !ran {
		t.Fatalf("run: %v %v", ran, err)
	}
	done := auditor.htmx("/audit/verifications/" + id)
	done.want(t, http.StatusOK, "", `id="verification-ok"`, "The chain was intact on")
	if verificationPoll.MatchString(done.body) {
		t.Errorf("a finished verification is still polled:\n%s", done.body)
	}
	// The log shows the last result.
	auditor.get("/audit").want(t, http.StatusOK, "", `id="verification-ok"`, `id="verification-head-hash"`)
	auditor.post("/language", url.Values{"language": {"fr"}, "next": {"/audit"}})
	auditor.get("/audit").want(t, http.StatusOK, "", "La chaîne était intacte le", "Vérifier toute la chaîne en arrière-plan")

	p := s.browser(t)
	p.signIn("p05-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	if a := p.get("/audit"); a.status == http.StatusOK && regexp.MustCompile(`id="verify-background"`).MatchString(a.body) {
		t.Errorf("a provider admin is offered the verification")
	}
	if a := p.htmx("/audit/verifications/" + id); a.status != http.StatusForbidden && a.status != http.StatusNotFound {
		t.Errorf("a provider admin reads a verification: %d", a.status)
	}
	if a := p.post("/audit/verifications", nil); a.status != http.StatusForbidden {
		t.Errorf("a provider admin starts a verification: %d", a.status)
	}
}
