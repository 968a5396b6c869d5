package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"assure/api"
	"assure/domain"
)

type verification struct {
	OK       bool   `json:"ok"`
	Checked  int64  `json:"checked"`
	FirstBad *int64 `json:"first_bad"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
}

func TestAuditTrailAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	admin := s.user(domain.RoleAdmin, "")
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))
	p1 := s.provider("Banco de Crédito")
	adminClient := s.as(s.login(admin.Email, testPassword))
	var created api.User
	adminClient.json(http.MethodPost, "/api/v1/users", map[string]any{"email": "ed@bdc.test", "name": "Ed",
		"role": "provider_editor", "provider_id": p1, "password": testPassword}, http.StatusCreated, &created)
	s.as("").do(http.MethodPost, "/api/v1/session", map[string]string{"email": admin.Email, "password": "not the password"})

	// Filters narrow the trail; each event says who, what, on which object.
	var events list[api.AuditEvent]
	auditor.getJSON("/api/v1/audit?action=user.create&object_id="+created.ID, &events)
	if len(events.Items) != 1 {
		t.Fatalf("user.create events = %d", len(events.Items))
	}
	e := events.Items[0]
	var summary map[string]any
	json.Unmarshal(e.Summary, &summary)
	if e.ActorID != admin.ID || e.ActorRole != "admin" || e.ProviderID != p1 || e.RequestID == "" ||
		summary["email"] != "ed@bdc.test" || len(e.Hash) != 64 {
		t.Errorf("event = %+v", e)
	}
	auditor.getJSON("/api/v1/audit?actor="+url.QueryEscape(admin.Email)+"&action=session.login", &events)
	if len(events.Items) != 1 {
		t.Errorf("login events by admin = %d", len(events.Items))
	}
	auditor.getJSON("/api/v1/audit?action=session.login_failed", &events)
	if len(events.Items) != 1 || events.Items[0].Address == "" {
		t.Errorf("failed logins = %+v", events.Items)
	}
	auditor.getJSON("/api/v1/audit?provider="+p1, &events)
	for _, e := range events.Items {
		if e.ProviderID != p1 {
			t.Errorf("provider filter let %s through", e.Action)
		}
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	auditor.getJSON("/api/v1/audit?from="+future, &events)
	if len(events.Items) != 0 {
		t.Errorf("events from the future: %d", len(events.Items))
	}
	// Paging newest first, without overlap.
	all := readAll[api.AuditEvent](auditor, "/api/v1/audit?limit=2")
	for i := 1; i < len(all); i++ {
		if all[i].Seq != all[i-1].Seq-1 {
			t.Fatalf("pages skip or repeat: %d after %d", all[i].Seq, all[i-1].Seq)
		}
	}

	var v verification
	auditor.getJSON("/api/v1/audit/verify", &v)
	if !v.OK || v.Checked < 5 || v.FirstBad != nil || v.HeadSeq != v.Checked || len(v.HeadHash) != 64 {
		t.Errorf("verify = %+v", v)
	}
	var head string
	if err := s.queryRow(`select hash from audit_events where seq = $1`, []any{v.HeadSeq}, &head); err != nil {
		t.Fatal(err)
	}
	if head != v.HeadHash {
		t.Errorf("head hash = %s, the last event's is %s", v.HeadHash, head)
	}
	// A row altered behind Assure's back is found.
	s.queryRow(`alter table audit_events disable trigger audit_events_immutable`, nil)
	s.exec(`update audit_events set summary = '{"email":"mallory@example.test"}' where object_id = $1 and action = 'user.create'`, created.ID)
	auditor.getJSON("/api/v1/audit/verify", &v)
	if v.OK || v.FirstBad == nil || *v.FirstBad != e.Seq {
		t.Errorf("verify after tampering = %+v, want first bad %d", v, e.Seq)
	}
}
