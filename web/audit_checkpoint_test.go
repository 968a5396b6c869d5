package web_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"assure/app"
	"assure/demo"
	"assure/domain"
)

// TestAuditVerifyShowsTheLatestCheckpoint: a background verification checks
// the chain against the newest signed checkpoint, and its panel states the
// checkpoint and whether the chain still extended it; a superuser's
// truncation that leaves a chain holding on its own is caught there; with
// no checkpoint written, or none kept by the server, the panel says so.
func TestAuditVerifyShowsTheLatestCheckpoint(t *testing.T) {
	ctx := context.Background()
	key, _, err := domain.NewAuditKey()
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	s := newSiteWith(t, app.Options{CheckpointDir: filepath.Join(t.TempDir(), "checkpoints"), CheckpointKey: pub})
	auditor := s.browser(t)
	auditor.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")

	verifyInBackground(t, s, auditor).want(t, http.StatusOK, "", `id="verification-ok"`, `id="checkpoint-none"`,
		"No checkpoint has been written yet.")

	c, path, err := s.app.WriteCheckpoint(ctx, key)
	if err != nil || path == "" {
		t.Fatalf("write a checkpoint: %q %v", path, err)
	}
	for i := range 3 {
		if err := s.db.RecordEvent(ctx, domain.System("test"), "test.event", "thing", "", "", map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	// Written after the last verification: the panel says it was not checked.
	auditor.get("/audit").want(t, http.StatusOK, "", `id="checkpoint-later"`,
		"did not check the newest checkpoint, of event "+strconv.FormatInt(c.Seq, 10))
	page := verifyInBackground(t, s, auditor)
	page.want(t, http.StatusOK, "", `id="verification-ok"`, "The chain still extended this checkpoint.",
		`<dd id="checkpoint-seq">Event `+strconv.FormatInt(c.Seq, 10)+`</dd>`,
		`<code id="checkpoint-hash">`+c.Hash+`</code>`, `<code id="checkpoint-key">`+domain.KeyID(pub)+`</code>`,
		`<code id="checkpoint-tree-root">`+c.TreeRoot+`</code>`)
	if strings.Contains(page.body, `id="checkpoint-problem"`) {
		t.Error("a checkpoint that holds shows a problem")
	}

	// A superuser deletes the events from just before the checkpoint on and
	// moves the head back: the chain holds alone, not against the checkpoint.
	tx, err := s.db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `set local session_replication_role = replica`)
	if err == nil {
		_, err = tx.Exec(ctx, `delete from audit_events where seq >= $1`, c.Seq-1)
	}
	if err == nil {
		_, err = tx.Exec(ctx, `update audit_head set seq = $1, hash = (select hash from audit_events where seq = $1)`, c.Seq-2)
	}
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		tx.Rollback(ctx)
		t.Fatal(err)
	}
	page = verifyInBackground(t, s, auditor)
	page.want(t, http.StatusOK, "", `id="verification-broken"`, "The chain does not extend a signed checkpoint",
		"The chain no longer extended this checkpoint.", `id="checkpoint-problem"`, "truncated")
	if checked, seq, _ := verifiedHead(t, page); checked != seq || seq >= c.Seq {
		t.Errorf("the truncated chain reads %d events checked up to event %d; the checkpoint is at %d", checked, seq, c.Seq)
	}

	// In French.
	auditor.post("/language", url.Values{"language": {"fr"}, "next": {"/audit"}})
	auditor.get("/audit").want(t, http.StatusOK, "", "Dernier point de contrôle signé",
		"La chaîne ne prolongeait plus ce point de contrôle.", "Empreinte de la clé")

	// A server with no checkpoint directory or key says so plainly.
	plain := newSite(t)
	b := plain.browser(t)
	b.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	verifyInBackground(t, plain, b).want(t, http.StatusOK, "", `id="verification-ok"`, `id="checkpoint-none"`,
		"This server has no checkpoint directory and key")
}
