package e2e

import (
	"context"
	"strings"
	"testing"

	"assure/domain"
	"assure/store"
)

// testSecondAdminApprovesASupervisor walks two administrators through the
// two-person rule: one asks for a supervisor, who cannot sign in; the form
// says the request went for approval and offers the requester no approval;
// the other sees the waiting count on their start page, approves on the
// confirm page and is shown the first password once; the new supervisor
// signs in with it. axe checks every page.
func testSecondAdminApprovesASupervisor(t *testing.T, env *suite) {
	s := newSite(t, env)
	ctx := context.Background()
	const asker, approver = "ama.asker@regulator.example", "kwame.approver@regulator.example"
	for _, email := range []string{asker, approver} {
		if _, err := s.db.CreateUser(ctx, domain.System("e2e"), store.NewUser{Email: email, Name: email,
			Role: domain.RoleAdmin, Password: demoPassword}); err != nil {
			t.Fatal(err)
		}
	}
	const newcomer = "zawadi.supervisor@regulator.example"

	p := s.newPage(t, "asker")
	p.signIn(asker)
	p.followLink("Users")
	p.waitText("#add-approval", "only once another administrator approves")
	p.typeInto("#email", newcomer)
	p.typeInto("#name", "Zawadi Supervisor")
	p.setSelect("role", "supervisor")
	p.clickAndLoad(`#add-user button[type=submit]`)
	p.waitText(".flash", "Sent for approval by another administrator")
	p.waitText("#requests-list", "Create the account of Zawadi Supervisor")
	axe(t, p)
	if eval[bool](p, `document.querySelector('#requests-list a[href$="/approve"]') !== null`) {
		t.Error("the requester is offered to approve their own request")
	}
	if _, err := s.db.UserByEmail(ctx, newcomer); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Fatalf("the requested supervisor exists before approval: %v", err)
	}

	q := s.newPage(t, "approver")
	q.signIn(approver)
	q.waitText("#requests-waiting", "Requests waiting for a second administrator: 1")
	axe(t, q)
	q.followLink("Requests waiting for a second administrator: 1")
	q.waitText("h1", "Requests waiting")
	q.waitText("#requests-list", asker)
	axe(t, q)
	q.followLink("Approve Create the account of Zawadi Supervisor (" + newcomer + ") as Supervisor")
	q.waitText("h1", "Approve this change?")
	q.waitText("#request-what", "Zawadi Supervisor")
	axe(t, q)
	q.clickAndLoad(`#confirm button[type=submit]`)
	q.waitText("#secret", "Their first password")
	first := q.text("#secret-value")
	q.waitText("#user-facts", "Supervisor")
	axe(t, q)
	if first == "" {
		t.Fatal("no first password shown to the approver")
	}
	u, err := s.db.UserByEmail(ctx, newcomer)
	if err != nil || u.Role != domain.RoleSupervisor || !u.MustChangePassword {
		t.Fatalf("the approved supervisor: %+v, %v", u, err)
	}
	q.navigate("/users/" + u.ID)
	if strings.Contains(q.text("#main"), first) {
		t.Error("the first password shows again to the approver")
	}
	p.navigate("/users/requests?state=approved")
	p.waitText("#requests-list", approver)
	if strings.Contains(p.text("#main"), first) {
		t.Error("the requester sees the first password")
	}

	// The newcomer signs in with the password the approver passed on, and
	// must choose their own.
	n := s.newPage(t, "newcomer")
	n.navigate("/signin")
	n.typeInto("#email", newcomer)
	n.typeInto("#password", first)
	n.clickAndLoad(`form[action="/signin"] button[type=submit]`)
	n.waitText("h1", "Change your password")
}
