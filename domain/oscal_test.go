package domain_test

import (
	"regexp"
	"testing"

	"assure/domain"
)

// TestOSCALUUID: names give stable version 5 UUIDs, different names
// different ones. The RFC 9562 example (www.example.com in the DNS
// namespace) is not reachable here, so the check is of form and stability.
func TestOSCALUUID(t *testing.T) {
	a, b := domain.OSCALUUID("catalog x1150 1.0"), domain.OSCALUUID("catalog x1150 1.1")
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !form.MatchString(a) || !form.MatchString(b) || a == b || a != domain.OSCALUUID("catalog x1150 1.0") {
		t.Errorf("uuids %s, %s", a, b)
	}
}

func TestOSCALToken(t *testing.T) {
	for id, want := range map[string]string{"C12": "c12", "AC-2(1)": "ac-2-1-", "1.2": "_1.2", "Réseau 3": "réseau-3"} {
		if got := domain.OSCALToken(id); got != want {
			t.Errorf("OSCALToken(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestOSCALTokensOf: ids that clash once made tokens get suffixes, in the
// order the catalog hands them out.
func TestOSCALTokensOf(t *testing.T) {
	f := &domain.Framework{AuditGroups: []domain.AuditGroup{{ID: "a"}},
		Controls: []domain.Control{{ID: "A", AuditGroup: "a"}, {ID: "a_obj", AuditGroup: "a"}}}
	tok := domain.OSCALTokensOf(f)
	if tok.Group["a"] != "a" || tok.Control["A"] != "a_2" || tok.Control["a_obj"] != "a_obj" ||
		tok.Objective["A"] != "a_2_obj" || tok.Objective["a_obj"] != "a_obj_obj" || tok.Overview["a"] != "a_ovw" {
		t.Errorf("tokens = %+v", tok)
	}
}
