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
