package domain_test

import (
	"slices"
	"testing"

	"assure/domain"
	"assure/frameworks"
)

func x1150(t *testing.T) *domain.Framework {
	t.Helper()
	f, err := frameworks.Builtin("x1150", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestApplicability checks the rule on a table of provider profiles against
// controls whose fate is plain from the framework.
func TestApplicability(t *testing.T) {
	f := x1150(t)
	type want struct {
		in, out []string
	}
	cases := []struct {
		name    string
		profile domain.Profile
		want    want
	}{
		{"bank with app, USSD and cards", domain.Profile{Kind: domain.KindBank, Channels: []string{"app", "ussd", "cards"}}, want{
			in: []string{"C1", "C6", "C9", "C66", "C7", "C63", "C116", "C54", "C3", "C41"},
			// SIM-swap identity checks and radio ciphers are the MNO's; user-only controls are never assessed.
			out: []string{"C52", "C38", "C10", "C65", "C103", "C112", "C114", "C82", "C93"}}},
		{"mobile money operator over USSD and agents", domain.Profile{Kind: domain.KindMobileMoneyOperator, Channels: []string{"ussd", "agents"}}, want{
			in:  []string{"C52", "C53", "C38", "C71", "C7", "C3", "C22", "C111"},
			out: []string{"C9", "C66", "C63", "C116", "C10"}}},
		{"MFI without digital channels", domain.Profile{Kind: domain.KindMFI}, want{
			in: []string{"C1", "C6", "C27", "C88"},
			// No device or network stage: rogue devices (T15) do not concern it; no app, no USSD.
			out: []string{"C111", "C7", "C9", "C3", "C52", "C63"}}},
		{"payment switch with open API", domain.Profile{Kind: domain.KindPaymentSwitch, Channels: []string{"open_api"}}, want{
			in:  []string{"C82", "C93", "C81", "C21", "C42"},
			out: []string{"C9", "C52", "C7", "C116"}}}, // no cards offered
		{"fintech app", domain.Profile{Kind: domain.KindFintech, Channels: []string{"app", "qr"}}, want{
			in:  []string{"C9", "C11", "C17", "C66", "C67", "C68", "C69", "C106", "C43"},
			out: []string{"C52", "C63", "C116"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.profile.ApplicableControls(f, "")
			for _, id := range c.want.in {
				if !slices.Contains(got, id) {
					t.Errorf("%s should apply", id)
				}
			}
			for _, id := range c.want.out {
				if slices.Contains(got, id) {
					t.Errorf("%s should not apply", id)
				}
			}
		})
	}

	// Controls carried out only by users or device makers are never assessed.
	everyone := domain.Profile{Kind: domain.KindMobileMoneyOperator, Channels: domain.Channels}
	got := everyone.ApplicableControls(f, "")
	for _, c := range f.Controls {
		if !domain.Assessed(c) && slices.Contains(got, c.ID) {
			t.Errorf("%s (implemented by %v) is assessed", c.ID, c.Implementers)
		}
	}
	if len(got) < 100 {
		t.Errorf("a provider offering everything answers only %d controls", len(got))
	}
}

func TestThreatsByStage(t *testing.T) {
	f := x1150(t)
	threat := func(id string) domain.Threat {
		for _, th := range f.Threats {
			if th.ID == id {
				return th
			}
		}
		t.Fatalf("no %s", id)
		return domain.Threat{}
	}
	offline := domain.Profile{Kind: domain.KindMFI}
	ussd := domain.Profile{Kind: domain.KindBank, Channels: []string{"ussd"}}
	if offline.ThreatApplies(threat("T15")) {
		t.Error("rogue devices on the mobile network concern a provider without mobile channels")
	}
	if !ussd.ThreatApplies(threat("T15")) || !offline.ThreatApplies(threat("T7")) {
		t.Error("threats at stages the provider operates do not apply")
	}
}

// TestChecklistApplicability: on the SIM-risk checklist, a mobile network
// operator offering no DFS answers the operators' items only, a bank the
// DFS providers' only, and no provider answers the regulators' guidance.
func TestChecklistApplicability(t *testing.T) {
	f, err := frameworks.Builtin("sim-risk", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]domain.Control{}
	for _, c := range f.Controls {
		byID[c.ID] = c
	}
	for _, tc := range []struct {
		name    string
		profile domain.Profile
		role    string
	}{
		{"operator", domain.Profile{Kind: domain.KindMNO, Channels: []string{domain.ChannelUSSD}}, domain.ImplMNO},
		{"bank", domain.Profile{Kind: domain.KindBank, Channels: []string{domain.ChannelApp}}, domain.ImplDFSProvider},
	} {
		got := tc.profile.ApplicableControls(f, "")
		if len(got) == 0 {
			t.Fatalf("%s answers nothing", tc.name)
		}
		for _, id := range got {
			c := byID[id]
			if !slices.Contains(c.Implementers, tc.role) && len(c.Channels) == 0 {
				t.Errorf("%s answers %s, implemented by %v", tc.name, id, c.Implementers)
			}
			if slices.Equal(c.Implementers, []string{domain.ImplRegulator}) {
				t.Errorf("%s answers the regulator's %s", tc.name, id)
			}
		}
	}
	if roles := (domain.Profile{Kind: domain.KindMNO}).Roles(); !slices.Equal(roles, []string{domain.ImplMNO}) {
		t.Errorf("an operator offering no DFS plays %v", roles)
	}
}
