package domain

import "fmt"

// Settings is the regulator's configuration of Assure.
type Settings struct {
	// TOTPRequiredRoles lists the roles whose users must sign in with a
	// second factor.
	TOTPRequiredRoles []Role `json:"totp_required_roles"`
	// FourEyes, when true, keeps the supervisor who recorded the verdicts of
	// an assessment from also approving it.
	FourEyes bool `json:"four_eyes"`
	// PeerGrouping says which providers a provider's benchmark compares it
	// with; empty means DefaultPeerGrouping.
	PeerGrouping PeerGrouping `json:"peer_grouping,omitempty"`
}

// Check returns the problems of s.
func (s Settings) Check() []Problem {
	var problems []Problem
	for i, r := range s.TOTPRequiredRoles {
		if !r.Valid() {
			problems = append(problems, Problem{fmt.Sprintf("body.totp_required_roles[%d]", i),
				fmt.Sprintf("%q is not a role", r)})
		}
	}
	return append(problems, checkPeerGrouping(s.PeerGrouping)...)
}

// Peers returns the grouping of peer benchmarks: the one set, else the
// default.
func (s Settings) Peers() PeerGrouping {
	if s.PeerGrouping == "" {
		return DefaultPeerGrouping
	}
	return s.PeerGrouping
}

// RequiresTOTP reports whether users of role must use a second factor.
func (s Settings) RequiresTOTP(role Role) bool {
	for _, r := range s.TOTPRequiredRoles {
		if r == role {
			return true
		}
	}
	return false
}

// FourEyesBars reports whether the four-eyes rule keeps a supervisor who
// recorded verdicts on an assessment from approving it alone.
func FourEyesBars(s Settings, recordedVerdicts bool) bool { return s.FourEyes && recordedVerdicts }
