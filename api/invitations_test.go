package api_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/notices/smtptest"
	"assure/store/storetest"
)

var linkPattern = regexp.MustCompile(`token=(assure_l_[A-Za-z0-9_-]+)`)

// mailServer is an API server whose application e-mails an SMTP server in
// the test.
func mailServer(t *testing.T) (*server, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	cfg := srv.SMTP()
	db, url := storetest.New(t)
	return serveWith(t, db, url, app.Options{SMTP: &cfg, PublicURL: "https://assure.test"}, api.Options{}), srv
}

// deliver sends the outbox and returns the messages to address.
func deliver(t *testing.T, s *server, srv *smtptest.Server, address string) []smtptest.Message {
	t.Helper()
	if _, err := s.app.DeliverMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv.To(address)
}

// TestInvitationThroughTheAPI invites an editor as an admin; the e-mail's
// link sets a password through the public endpoint, which then signs in,
// and the link works once. On such a server nobody chooses another's
// password, and the invitee's answers hold no secret.
func TestInvitationThroughTheAPI(t *testing.T) {
	t.Parallel()
	s, srv := mailServer(t)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	p := s.provider("Invite Bank")

	r := admin.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "chosen@invite.test", "name": "Chosen",
		"role": "provider_editor", "provider_id": p, "password": testPassword})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("creating a user with a chosen password = %d: %s", r.status, r.body)
	}
	var u api.User
	admin.json(http.MethodPost, "/api/v1/invitations", map[string]any{"email": "ama@invite.test", "name": "Ama Mensah",
		"role": "provider_editor", "provider_id": p}, http.StatusCreated, &u)
	if !u.AwaitingPassword {
		t.Errorf("the invited user = %+v", u)
	}
	var pending struct {
		State string `json:"state"`
	}
	admin.json(http.MethodPost, "/api/v1/invitations", map[string]any{"email": "sup@regulator.test", "name": "Kofi",
		"role": "supervisor"}, http.StatusAccepted, &pending)
	if pending.State != "pending" {
		t.Errorf("inviting a supervisor = %+v, want a pending request", pending)
	}
	msgs := deliver(t, s, srv, "ama@invite.test")
	if len(msgs) != 1 {
		t.Fatalf("%d invitations arrived", len(msgs))
	}
	if len(srv.To("sup@regulator.test")) != 0 {
		t.Error("a supervisor was invited before a second administrator approved")
	}
	token := linkPattern.FindStringSubmatch(msgs[0].Body)[1]
	anon := s.as("")
	if r := anon.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token, "password": "ama"}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a weak password = %d: %s", r.status, r.body)
	}
	if r := anon.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token,
		"password": "adinkra symbols at dawn"}); r.status != http.StatusNoContent {
		t.Fatalf("accept = %d: %s", r.status, r.body)
	}
	if tok := s.login("ama@invite.test", "adinkra symbols at dawn"); tok == "" {
		t.Fatal("no session after accepting")
	}
	r = anon.do(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token, "password": "adinkra symbols at dusk"})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("a second use = %d: %s", r.status, r.body)
	}
}

// TestPasswordResetThroughTheAPI asks a reset for an unknown address and a
// known one: the answers are the same, byte for byte but the request id;
// the known one's link sets a new password; an address that asks without
// end is 429.
func TestPasswordResetThroughTheAPI(t *testing.T) {
	t.Parallel()
	s, srv := mailServer(t)
	u := s.user(domain.RoleProviderEditor, s.provider("Reset Bank"))
	anon := s.as("")
	unknown := anon.do(http.MethodPost, "/api/v1/password-resets", map[string]any{"email": "nobody@example.test"},
		"X-Request-ID", "request-one")
	known := anon.do(http.MethodPost, "/api/v1/password-resets", map[string]any{"email": u.Email}, "X-Request-ID", "request-two")
	if unknown.status != http.StatusAccepted || known.status != unknown.status || string(known.body) != string(unknown.body) {
		t.Fatalf("unknown %d %s, known %d %s", unknown.status, unknown.body, known.status, known.body)
	}
	msgs := deliver(t, s, srv, u.Email)
	if len(msgs) != 1 || len(srv.Messages()) != 1 {
		t.Fatalf("%d messages to the user, %d in all", len(msgs), len(srv.Messages()))
	}
	token := linkPattern.FindStringSubmatch(msgs[0].Body)[1]
	if r := anon.do(http.MethodPost, "/api/v1/password-resets/confirm", map[string]any{"token": token,
		"password": "a quite new passphrase"}); r.status != http.StatusNoContent {
		t.Fatalf("confirm = %d: %s", r.status, r.body)
	}
	s.login(u.Email, "a quite new passphrase")
	var status int
	for range 12 {
		status = anon.do(http.MethodPost, "/api/v1/password-resets", map[string]any{"email": u.Email}).status
		if status != http.StatusAccepted {
			break
		}
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("an address asking without end = %d, want 429", status)
	}
}
