package e2e

import (
	"context"
	"testing"
	"time"

	"assure/domain"
)

// testSignInWithTOTP gives a demo user a second factor, then signs them in
// through the form as a person would: a wrong password first, shown next to
// its field; the right one, after which the page asks for the code with the
// password again; both, which land on the home page.
func testSignInWithTOTP(t *testing.T, env *suite) {
	s := newSite(t, env)
	const email = "p03-admin@demo.assure.local"
	secret := enrolTOTP(t, s, email)
	p := s.newPage(t, "visitor")

	p.navigate("/signin")
	p.typeInto("#email", email)
	p.typeInto("#password", "not-the-password")
	p.clickAndLoad(`form[action="/signin"] button[type=submit]`)
	p.waitText("#password-error", "The email, password or code is not right.")
	if got := eval[string](p, `document.getElementById("password").getAttribute("aria-describedby") ?? ""`); got != "password-error" {
		t.Errorf("the password field is described by %q, want its error password-error", got)
	}
	if eval[bool](p, `document.getElementById("otp") !== null`) {
		t.Error("a wrong password already asks for the one-time code")
	}
	axe(t, p)

	// The email is kept; the password is typed again.
	if got := eval[string](p, `document.getElementById("email").value`); got != email {
		t.Errorf("after a wrong password the email field holds %q, want %q", got, email)
	}
	p.typeInto("#password", demoPassword)
	p.clickAndLoad(`form[action="/signin"] button[type=submit]`)
	p.waitVisible("#otp")
	if eval[bool](p, `document.querySelector('form[action="/signout"]') !== null`) {
		t.Fatal("the right password alone signed in an account with a second factor")
	}
	axe(t, p)

	// The page keeps no password between the steps, and says so next to
	// the code's field.
	p.waitText("#otp-error", "Enter your password again and the six-digit code")
	// The code just used to confirm the factor cannot be replayed: the
	// authenticator's next one.
	code, err := domain.TOTPCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	p.typeInto("#password", demoPassword)
	p.typeInto("#otp", code)
	p.clickAndLoad(`form[action="/signin"] button[type=submit]`)
	p.waitText("h1", "Home")
	if !eval[bool](p, `document.querySelector('form[action="/signout"]') !== null`) {
		t.Fatalf("after the code the page %q has no sign-out button", p.title())
	}
	axe(t, p)
}

// enrolTOTP turns a second factor on for a demo user through the store, as
// the account page would, and returns its secret.
func enrolTOTP(t *testing.T, s *site, email string) string {
	t.Helper()
	ctx := context.Background()
	actor := s.actor(t, email)
	secret, _, err := s.db.StartTOTP(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	code, err := domain.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.ConfirmTOTP(ctx, actor, code); err != nil {
		t.Fatalf("confirm the second factor of %s: %v", email, err)
	}
	return secret
}
