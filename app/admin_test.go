package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// TestAdminActions checks the administrator's actions the pages call: a
// provider_admin re-enables only its own editors, a generated password
// works once set and must be changed, and the session lifetimes are the
// admin's to read.
func TestAdminActions(t *testing.T) {
	s := newSector(t)
	ctx := context.Background()
	admin, err := s.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "admin@regulator.test", Name: "Admin",
		Role: domain.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	ad := domain.ActorFor(admin)

	if _, err := s.app.DisableUser(ctx, ad, s.editorA.UserID); err != nil {
		t.Fatal(err)
	}
	// Only administrators undo a disable: a provider could otherwise reverse
	// one made for a reason it does not know.
	_, _, err = s.app.EnableUser(ctx, s.adminB, s.editorA.UserID)
	wantCode(t, "another provider's admin enables A's editor", err, domain.EForbidden)
	_, _, err = s.app.EnableUser(ctx, s.adminA, s.editorA.UserID)
	wantCode(t, "A's admin enables A's editor", err, domain.EForbidden)
	_, _, err = s.app.EnableUser(ctx, s.sup, s.editorA.UserID)
	wantCode(t, "a supervisor enables a user", err, domain.EForbidden)
	if u, _, err := s.app.EnableUser(ctx, ad, s.editorA.UserID); err != nil || u.Status != domain.UserActive {
		t.Fatalf("an administrator enables A's editor = %v, %s", err, u.Status)
	}
	_, err = s.app.DisableUser(ctx, ad, admin.ID)
	wantCode(t, "an administrator disables their own account", err, domain.EConflict)

	password, _, err := s.app.ResetPasswordGenerated(ctx, ad, s.editorB.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if len(password) < domain.MinPasswordLength || password == app.TemporaryPassword() {
		t.Errorf("the temporary password %q is weak", password)
	}
	sess, err := s.app.Login(ctx, domain.Actor{}, store.Credentials{Email: s.editorB.Email, Password: password})
	if err != nil || !sess.User.MustChangePassword {
		t.Errorf("signing in with the reset password = %v, must change %v", err, sess.User.MustChangePassword)
	}
	_, _, err = s.app.ResetPasswordGenerated(ctx, s.sup, s.editorB.UserID)
	wantCode(t, "a supervisor resets a password", err, domain.EForbidden)

	life, err := s.app.SessionLifetimes(ctx, ad)
	if err != nil || life != store.DefaultSessionPolicy {
		t.Errorf("session lifetimes = %v, %v", life, err)
	}
	_, err = s.app.SessionLifetimes(ctx, s.sup)
	wantCode(t, "a supervisor reads the session lifetimes", err, domain.EForbidden)
}

// TestCheckFramework checks a broken file: every problem comes back with
// its line and column, in file order; a valid one parses; only those who
// may publish may check.
func TestCheckFramework(t *testing.T) {
	s := newSector(t)
	ctx := context.Background()
	admin, err := s.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: "admin@regulator.test", Name: "Admin",
		Role: domain.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	ad := domain.ActorFor(admin)
	broken, err := os.ReadFile("../frameworks/testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.app.CheckFramework(ctx, ad, "uploads/broken.yaml", broken, "")
	wantCode(t, "checking the broken file", err, domain.EInvalid)
	problems := app.FrameworkProblems(err)
	if len(problems) != 11 {
		t.Fatalf("%d problems, want 11: %+v", len(problems), problems)
	}
	var moon bool
	for i, p := range problems {
		if p.Line == 0 {
			t.Errorf("problem %q has no line", p.Message)
		}
		if i > 0 && p.Line < problems[i-1].Line {
			t.Errorf("problems out of file order: line %d after %d", p.Line, problems[i-1].Line)
		}
		moon = moon || (p.Line == 28 && p.Column == 24 && p.Path == "threats[0].stages[1]" && strings.Contains(p.Message, "moon"))
	}
	if !moon {
		t.Errorf("no problem for the stage moon at 28:24: %+v", problems)
	}

	x1150, err := os.ReadFile("../frameworks/x1150.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.app.CheckFramework(ctx, ad, "x1150.yaml", x1150, "")
	if err != nil || f.ID == "" || len(f.Controls) == 0 {
		t.Fatalf("checking the X.1150 catalog = %v", err)
	}
	_, err = s.app.CheckFramework(ctx, ad, "big.yaml", make([]byte, app.MaxFrameworkBytes+1), "")
	wantCode(t, "checking a file too large", err, domain.ETooLarge)
	_, err = s.app.CheckFramework(ctx, s.sup, "x1150.yaml", x1150, "")
	wantCode(t, "a supervisor checks a framework", err, domain.EForbidden)
}
