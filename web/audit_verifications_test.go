package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"assure/demo"
)

var (
	verificationPoll = regexp.MustCompile(`hx-get="/audit/verifications/([0-9a-f-]{36})" hx-trigger="every 1s"`)
	verifiedChecked  = regexp.MustCompile(`<dd id="verification-checked">([0-9,]+)</dd>`)
	verifiedHeadSeq  = regexp.MustCompile(`<dd id="verification-head-seq">Event (\d+)</dd>`)
	verifiedHeadHash = regexp.MustCompile(`<code id="verification-head-hash">([0-9a-f]{64})</code>`)
)

// verifyInBackground presses the log's verify button, runs the queued
// verification's work as a worker would, and returns the log with its result.
func verifyInBackground(t *testing.T, s *site, b *browser) answer {
	t.Helper()
	started := b.post("/audit/verifications", nil)
	started.want(t, http.StatusOK, "/audit", `role="progressbar"`)
	m := verificationPoll.FindStringSubmatch(started.body)
	if m == nil {
		t.Fatalf("the panel does not poll the verification:\n%s", started.body)
	}
	if err := s.app.RunAuditVerification(context.Background(), m[1]); err != nil {
		t.Fatalf("run the verification: %v", err)
	}
	return b.get("/audit")
}

// verifiedHead reads the result the panel states: the events checked, and
// the head's sequence number and hash.
func verifiedHead(t *testing.T, a answer) (checked, seq int64, hash string) {
	t.Helper()
	c, q, h := verifiedChecked.FindStringSubmatch(a.body), verifiedHeadSeq.FindStringSubmatch(a.body),
		verifiedHeadHash.FindStringSubmatch(a.body)
	if c == nil || q == nil || h == nil {
		t.Fatalf("the panel does not state the result:\n%s", a.body)
	}
	checked, err := strconv.ParseInt(strings.ReplaceAll(c[1], ",", ""), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	seq, err = strconv.ParseInt(q[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return checked, seq, h[1]
}

// TestAuditVerificationPanel starts a background verification from the log,
// follows its bar while it runs and reads its result, in English and French;
// a provider user has neither the button nor the fragment.
func TestAuditVerificationPanel(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	auditor := s.browser(t)
	auditor.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	// One way to verify: the button that starts the background verification.
	log := auditor.get("/audit")
	log.want(t, http.StatusOK, "", `id="verify-background"`, `action="/audit/verifications"`)
	log.lacks(t, `action="/audit/verify"`, `id="verify-chain"`)
	auditor.get("/audit/verify").want(t, http.StatusNotFound, "")

	started := auditor.post("/audit/verifications", nil)
	started.want(t, http.StatusOK, "/audit", `role="progressbar"`, `aria-valuemin="0"`, "events checked")
	m := verificationPoll.FindStringSubmatch(started.body)
	if m == nil {
		t.Fatalf("the panel does not poll the verification:\n%s", started.body)
	}
	id := m[1]
	auditor.htmx("/audit/verifications/"+id).want(t, http.StatusOK, "", `role="progressbar"`, `hx-trigger="every 1s"`)

	// The worker's walk, run here without the queue.
	if err := s.app.RunAuditVerification(ctx, id); err != nil {
		t.Fatalf("run: %v", err)
	}
	done := auditor.htmx("/audit/verifications/" + id)
	done.want(t, http.StatusOK, "", `id="verification-ok"`, "The chain was intact on")
	if verificationPoll.MatchString(done.body) {
		t.Errorf("a finished verification is still polled:\n%s", done.body)
	}
	// The log shows the last result.
	auditor.get("/audit").want(t, http.StatusOK, "", `id="verification-ok"`, `id="verification-head-hash"`)
	auditor.post("/language", url.Values{"language": {"fr"}, "next": {"/audit"}})
	auditor.get("/audit").want(t, http.StatusOK, "", "La chaîne était intacte le", "Vérifier la chaîne", "Tête de la chaîne")

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
