package policies

import (
	"strings"
	"testing"

	"assure/domain"
)

func TestPolicy(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		role     domain.Role
		dom      string
		obj, act string
		want     bool
	}{
		{domain.RoleAdmin, Sector, "catalog", "read", true},
		{domain.RoleAdmin, Sector, "catalog", "publish", true},
		{domain.RoleSupervisor, Sector, "catalog", "publish", false},
		{domain.RoleProviderEditor, Sector, "catalog", "read", true},
		{domain.RoleProviderAdmin, Sector, "catalog", "read", true}, // inherited from provider_editor
		{domain.RoleProviderAdmin, Own, "user", "create", true},
		{domain.RoleProviderAdmin, Other, "user", "create", false},
		{domain.RoleProviderAdmin, Sector, "user", "create", false},
		{domain.RoleProviderEditor, Own, "user", "create", false},
		{domain.RoleAuditor, Sector, "audit", "export", true},
		{domain.RoleSupervisor, Sector, "audit", "export", false},
		{domain.RoleAuditor, Sector, "user", "update", false},
		{domain.RoleProviderEditor, Other, "me", "read", true},
		{domain.RoleAuditor, Sector, "token", "manage", true},
		{domain.Role("intruder"), Sector, "me", "read", false},
		{domain.RoleAdmin, Sector, "audit", "read", false},
	}
	for _, c := range cases {
		if got := a.Allowed(c.role, c.dom, c.obj, c.act); got != c.want {
			t.Errorf("Allowed(%s, %s, %s, %s) = %v, want %v", c.role, c.dom, c.obj, c.act, got, c.want)
		}
	}

	editor := domain.Actor{UserID: "u", Role: domain.RoleProviderAdmin, ProviderID: "p1"}
	if !a.CanOn(editor, "p1", "user", "disable") || a.CanOn(editor, "p2", "user", "disable") {
		t.Error("provider_admin's user rights do not follow its provider")
	}
	if a.SeesAllProviders(editor, "user", "read") {
		t.Error("provider_admin sees every provider's users")
	}
	admin := domain.Actor{UserID: "a", Role: domain.RoleAdmin}
	if !a.SeesAllProviders(admin, "user", "read") || !a.Can(admin, "user", "reset_totp") {
		t.Error("admin cannot manage users")
	}
}

// TestRememberedAnswers asks every request the policy can answer twice and
// compares both answers with casbin's own: a remembered answer is the one
// the policy gives.
func TestRememberedAnswers(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := New()
	if err != nil {
		t.Fatal(err)
	}
	roles := []domain.Role{domain.RoleAdmin, domain.RoleSupervisor, domain.RoleProviderAdmin,
		domain.RoleProviderEditor, domain.RoleAuditor}
	asked, allowed := 0, 0
	for _, line := range strings.Split(policyLines(), "\n") {
		f := strings.Split(line, ", ")
		if f[0] != "p" || len(f) != 5 {
			continue
		}
		for _, role := range roles {
			for _, dom := range Domains {
				want, err := fresh.e.Enforce(string(role), dom, f[3], f[4])
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if got := a.Allowed(role, dom, f[3], f[4]); got != want {
						t.Fatalf("Allowed(%s, %s, %s, %s) = %v, casbin says %v", role, dom, f[3], f[4], got, want)
					}
				}
				asked++
				if want {
					allowed++
				}
			}
		}
	}
	if allowed == 0 || allowed == asked {
		t.Fatalf("%d of %d requests allowed: the walk asks nothing useful", allowed, asked)
	}
}
