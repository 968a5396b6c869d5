package app_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
)

var adminSeq atomic.Int64

// admins adds n admins to the sector, made directly by the system as a
// bootstrap or seeding would.
func (s *sector) admins(t *testing.T, n int) []domain.Actor {
	t.Helper()
	var out []domain.Actor
	for range n {
		i := adminSeq.Add(1)
		u, err := s.db.CreateUser(context.Background(), domain.System("test"), store.NewUser{
			Email: fmt.Sprintf("admin-%d@regulator.test", i), Name: fmt.Sprintf("Admin %d", i),
			Role: domain.RoleAdmin, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, domain.ActorFor(u))
	}
	return out
}

// actions returns the audit actions recorded about an identity request, in order.
func (s *sector) requestActions(t *testing.T, id string) []string {
	t.Helper()
	events, _, err := s.db.AuditEvents(context.Background(), domain.System("test"),
		store.AuditFilter{ObjectType: "identity_request", ObjectID: id}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(events) - 1; i >= 0; i-- {
		out = append(out, events[i].Action)
	}
	return out
}

func signsIn(s *sector, email, password string) bool {
	_, err := s.app.Login(context.Background(), domain.Actor{Address: "192.0.2.1"}, store.Credentials{Email: email, Password: password})
	return err == nil
}

// TestPrivilegedCreationNeedsASecondAdmin checks that a supervisor an
// admin creates does not exist, and cannot sign in, until another admin
// approves; that the approver alone receives the temporary password, which
// must be changed; and that every step is audited.
func TestPrivilegedCreationNeedsASecondAdmin(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	ad := s.admins(t, 2)
	u, req, err := s.app.CreateUser(ctx, ad[0], store.NewUser{Email: "New.Sup@regulator.test", Name: "New Supervisor",
		Role: domain.RoleSupervisor})
	if err != nil || req == nil || u.ID != "" {
		t.Fatalf("creating a supervisor = %+v, %+v, %v; want a request and no user", u, req, err)
	}
	if req.State != domain.RequestPending || req.TargetEmail != "new.sup@regulator.test" || req.RequestedBy != ad[0].UserID {
		t.Errorf("request = %+v", req)
	}
	if _, err := s.db.UserByEmail(ctx, "new.sup@regulator.test"); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("the requested supervisor exists before approval: %v", err)
	}
	for _, p := range []string{"", "a long enough password"} {
		if signsIn(s, "new.sup@regulator.test", p) {
			t.Errorf("the requested supervisor signs in with %q before approval", p)
		}
	}
	// The email stays reserved: neither a second request nor a direct user.
	_, _, err = s.app.CreateUser(ctx, ad[1], store.NewUser{Email: "new.sup@regulator.test", Name: "Again", Role: domain.RoleAuditor})
	wantCode(t, "a second request for the same email", err, domain.EConflict)
	_, err = s.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "new.sup@regulator.test", Name: "Direct",
		Role: domain.RoleSupervisor, Password: "a long enough password"})
	wantCode(t, "a direct user on a reserved email", err, domain.EConflict)
	// A password typed for a privileged user is refused: the approver gets one.
	_, _, err = s.app.CreateUser(ctx, ad[0], store.NewUser{Email: "typed@regulator.test", Name: "Typed",
		Role: domain.RoleAuditor, Password: "a long enough password"})
	wantCode(t, "a privileged request with a typed password", err, domain.EInvalid)

	_, _, _, err = s.app.ApproveIdentityRequest(ctx, ad[0], req.ID)
	wantCode(t, "the requester approves their own request", err, domain.EForbidden)
	_, _, _, err = s.app.ApproveIdentityRequest(ctx, s.sup, req.ID)
	wantCode(t, "a supervisor approves", err, domain.EForbidden)

	r, made, password, err := s.app.ApproveIdentityRequest(ctx, ad[1], req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != domain.RequestApproved || r.DecidedBy != ad[1].UserID || made.Role != domain.RoleSupervisor ||
		!made.MustChangePassword || password == "" {
		t.Fatalf("approval = %+v, user %+v, password %q", r, made, password)
	}
	sess, err := s.app.Login(ctx, domain.Actor{}, store.Credentials{Email: made.Email, Password: password})
	if err != nil || !sess.User.MustChangePassword {
		t.Fatalf("the approved supervisor signs in = %v (must change %v)", err, sess.User.MustChangePassword)
	}
	if _, err := s.app.Authenticate(ctx, sess.Token); err != nil {
		t.Errorf("the approved supervisor's session = %v", err)
	}
	_, _, _, err = s.app.ApproveIdentityRequest(ctx, ad[1], req.ID)
	wantCode(t, "approving twice", err, domain.EConflict)

	if got := s.requestActions(t, req.ID); len(got) != 2 || got[0] != "identity_request.requested" || got[1] != "identity_request.approved" {
		t.Errorf("audit of the request = %v", got)
	}
	events, _, err := s.db.AuditEvents(ctx, domain.System("test"), store.AuditFilter{ObjectType: "user", ObjectID: made.ID,
		Action: "user.create"}, store.Page{})
	if err != nil || len(events) != 1 || events[0].ActorID != ad[1].UserID {
		t.Errorf("user.create of the approved supervisor = %+v, %v", events, err)
	}
}

// TestOneAdminCannotMakeTwoSupervisors is the defect: two supervisor
// accounts one admin made used to pass four-eyes approvals alone. Now one
// admin's supervisors never come to exist, so neither can sign in.
func TestOneAdminCannotMakeTwoSupervisors(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	ad := s.admins(t, 1)[0]
	var ids []string
	for _, email := range []string{"first@regulator.test", "second@regulator.test"} {
		_, req, err := s.app.CreateUser(ctx, ad, store.NewUser{Email: email, Name: email, Role: domain.RoleSupervisor})
		if err != nil || req == nil {
			t.Fatalf("request %s = %v, %v", email, req, err)
		}
		ids = append(ids, req.ID)
	}
	for _, id := range ids {
		_, _, _, err := s.app.ApproveIdentityRequest(ctx, ad, id)
		wantCode(t, "the lone admin approves their own supervisor", err, domain.EForbidden)
	}
	for _, email := range []string{"first@regulator.test", "second@regulator.test"} {
		if _, err := s.db.UserByEmail(ctx, email); domain.ErrorCodeOf(err) != domain.ENotFound {
			t.Errorf("%s exists: %v", email, err)
		}
	}
	// Nor does a bootstrap by the system pass while an admin is active.
	_, err := s.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "boot@regulator.test", Name: "Boot",
		Role: domain.RoleSupervisor, Password: "a long enough password", Bootstrap: true})
	wantCode(t, "a bootstrap while an admin is active", err, domain.EConflict)
}

// TestPrivilegedResetWaits checks that an admin's reset of a supervisor's
// password or second factor changes nothing until approved, and that the
// target of a request cannot decide it.
func TestPrivilegedResetWaits(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	ad := s.admins(t, 3)
	password, req, err := s.app.ResetPasswordGenerated(ctx, ad[0], s.sup.UserID)
	if err != nil || req == nil || password != "" {
		t.Fatalf("resetting a supervisor's password = %q, %v, %v", password, req, err)
	}
	_, err = s.app.ResetPassword(ctx, ad[0], s.sup2.UserID, "a chosen new password")
	wantCode(t, "a typed password for a supervisor", err, domain.EInvalid)
	if !signsIn(s, s.sup.Email, "a long enough password") {
		t.Fatal("the supervisor's password changed before approval")
	}
	_, _, err = s.app.ResetPasswordGenerated(ctx, ad[1], s.sup.UserID)
	wantCode(t, "a second pending reset of the same password", err, domain.EConflict)
	_, _, _, err = s.app.ApproveIdentityRequest(ctx, ad[0], req.ID)
	wantCode(t, "the requester approves their own reset", err, domain.EForbidden)
	_, _, password, err = s.app.ApproveIdentityRequest(ctx, ad[1], req.ID)
	if err != nil || password == "" {
		t.Fatalf("approving the reset = %q, %v", password, err)
	}
	if signsIn(s, s.sup.Email, "a long enough password") || !signsIn(s, s.sup.Email, password) {
		t.Error("after approval, the old password still works or the new one does not")
	}

	// An admin's own reset: the target may not decide it, a third admin may.
	req, err = s.app.ResetTOTP(ctx, ad[0], ad[1].UserID)
	if err != nil || req == nil {
		t.Fatalf("resetting an admin's second factor = %v, %v", req, err)
	}
	_, _, _, err = s.app.ApproveIdentityRequest(ctx, ad[1], req.ID)
	wantCode(t, "the target approves a request about themselves", err, domain.EForbidden)
	_, err = s.app.RejectIdentityRequest(ctx, ad[1], req.ID, "")
	wantCode(t, "the target rejects a request about themselves", err, domain.EForbidden)
	if _, _, _, err := s.app.ApproveIdentityRequest(ctx, ad[2], req.ID); err != nil {
		t.Errorf("a third admin approves = %v", err)
	}
}

// TestDecidedOrExpiredRequestsCannotBeApproved checks cancel, reject and
// expiry: each ends the request, is audited, and refuses a later approval.
func TestDecidedOrExpiredRequestsCannotBeApproved(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	ad := s.admins(t, 2)
	file := func(email string) domain.IdentityRequest {
		_, req, err := s.app.CreateUser(ctx, ad[0], store.NewUser{Email: email, Name: email, Role: domain.RoleAuditor})
		if err != nil || req == nil {
			t.Fatalf("request %s = %v, %v", email, req, err)
		}
		return *req
	}
	cancelled, rejected := file("cancelled@regulator.test"), file("rejected@regulator.test")
	_, err := s.app.CancelIdentityRequest(ctx, ad[1], cancelled.ID)
	wantCode(t, "another admin cancels", err, domain.EForbidden)
	if _, err := s.app.CancelIdentityRequest(ctx, ad[0], cancelled.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.app.RejectIdentityRequest(ctx, ad[0], rejected.ID, "")
	wantCode(t, "the requester rejects", err, domain.EForbidden)
	r, err := s.app.RejectIdentityRequest(ctx, ad[1], rejected.ID, "  Not on the staff list.  ")
	if err != nil || r.State != domain.RequestRejected || r.Reason != "Not on the staff list." {
		t.Fatalf("reject = %+v, %v", r, err)
	}
	expired, err := s.db.FileIdentityRequest(ctx, ad[0], store.NewIdentityRequest{Kind: domain.RequestPasswordReset,
		TargetID: s.auditor.UserID, Lifetime: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	for _, c := range []struct {
		what, id, last string
	}{
		{"cancelled", cancelled.ID, "identity_request.cancelled"},
		{"rejected", rejected.ID, "identity_request.rejected"},
		{"expired", expired.ID, "identity_request.expired"},
	} {
		_, _, _, err := s.app.ApproveIdentityRequest(ctx, ad[1], c.id)
		wantCode(t, "approving a "+c.what+" request", err, domain.EConflict)
		got := s.requestActions(t, c.id)
		if len(got) != 2 || got[0] != "identity_request.requested" || got[1] != c.last {
			t.Errorf("audit of the %s request = %v", c.what, got)
		}
		r, err := s.app.IdentityRequest(ctx, ad[1], c.id)
		if err != nil || string(r.State) != c.what {
			t.Errorf("the %s request reads %s, %v", c.what, r.State, err)
		}
	}
	if !signsIn(s, s.auditor.Email, "a long enough password") {
		t.Error("the expired reset changed the auditor's password")
	}
	// An expired creation frees its email.
	if _, _, err := s.app.CreateUser(ctx, ad[0], store.NewUser{Email: "cancelled@regulator.test", Name: "Again",
		Role: domain.RoleAuditor}); err != nil {
		t.Errorf("asking again after a cancel = %v", err)
	}
	pending, _, err := s.app.IdentityRequests(ctx, ad[1], store.IdentityRequestFilter{State: domain.RequestPending}, store.Page{})
	if err != nil || len(pending) != 1 {
		t.Errorf("pending requests = %d, %v", len(pending), err)
	}
	if n, err := s.app.PendingIdentityRequestCount(ctx, ad[1]); n != 1 || err != nil {
		t.Errorf("pending count = %d, %v", n, err)
	}
	if _, _, err := s.app.IdentityRequests(ctx, s.sup, store.IdentityRequestFilter{}, store.Page{}); domain.ErrorCodeOf(err) != domain.EForbidden {
		t.Errorf("a supervisor lists identity requests: %v", err)
	}
}

// TestProviderRoleChangesStayImmediate checks that provider roles are made
// and changed at once, and that a move into a privileged role waits.
func TestProviderRoleChangesStayImmediate(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	ad := s.admins(t, 2)
	u, req, err := s.app.CreateUser(ctx, ad[0], store.NewUser{Email: "ed@alpha.test", Name: "Ed", Role: domain.RoleProviderEditor,
		ProviderID: s.adminA.ProviderID, Password: "a long enough password"})
	if err != nil || req != nil || u.ID == "" {
		t.Fatalf("creating an editor = %+v, %v, %v", u, req, err)
	}
	promoted := domain.RoleProviderAdmin
	if u, req, err = s.app.UpdateUser(ctx, ad[0], u.ID, store.UserChange{Role: &promoted}, 0); err != nil || req != nil || u.Role != promoted {
		t.Fatalf("promoting an editor = %v, %v, %v", u.Role, req, err)
	}
	if _, err := s.app.DisableUser(ctx, ad[0], s.sup.UserID); err != nil {
		t.Fatalf("disabling a supervisor stays immediate: %v", err)
	}
	// Into a privileged role, or re-enabling one: a request.
	sup := domain.RoleSupervisor
	u2, req, err := s.app.UpdateUser(ctx, ad[0], u.ID, store.UserChange{Role: &sup}, 0)
	if err != nil || req == nil || u2.Role != promoted || req.Kind != domain.RequestUserChange {
		t.Fatalf("making a provider admin a supervisor = %v, %+v, %v", u2.Role, req, err)
	}
	if _, req, err := s.app.EnableUser(ctx, ad[0], s.sup.UserID); err != nil || req == nil || req.Kind != domain.RequestUserEnable {
		t.Fatalf("re-enabling a supervisor = %+v, %v", req, err)
	}
	if signsIn(s, s.sup.Email, "a long enough password") {
		t.Error("the supervisor signs in before the re-enabling is approved")
	}
	if _, made, _, err := s.app.ApproveIdentityRequest(ctx, ad[1], req.ID); err != nil || made.Role != sup || made.ProviderID != "" {
		t.Fatalf("approving the move = %+v, %v", made, err)
	}
}

// TestLastAdminHoldsAtApproval checks the last-admin rule when a request is
// filed and again when it is approved, after the admins changed.
func TestLastAdminHoldsAtApproval(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	ad := s.admins(t, 1)
	sup := domain.RoleSupervisor
	_, _, err := s.app.UpdateUser(ctx, ad[0], ad[0].UserID, store.UserChange{Role: &sup}, 0)
	wantCode(t, "the lone admin asks to be demoted", err, domain.EConflict)

	ad = append(ad, s.admins(t, 2)...) // b and c
	_, req, err := s.app.UpdateUser(ctx, ad[0], ad[1].UserID, store.UserChange{Role: &sup}, 0)
	if err != nil || req == nil {
		t.Fatalf("asking to demote b = %v, %v", req, err)
	}
	// Meanwhile b disables a and c: b is the last active admin.
	for _, other := range []domain.Actor{ad[0], ad[2]} {
		if _, err := s.app.DisableUser(ctx, ad[1], other.UserID); err != nil {
			t.Fatal(err)
		}
	}
	_, _, _, err = s.app.ApproveIdentityRequest(ctx, ad[2], req.ID)
	wantCode(t, "approving the demotion of the last active admin", err, domain.EConflict)
	if r, err := s.app.IdentityRequest(ctx, ad[1], req.ID); err != nil || r.State != domain.RequestPending {
		t.Errorf("after a refused approval the request is %s, %v", r.State, err)
	}
}
