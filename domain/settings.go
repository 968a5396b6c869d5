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
	// IncidentDeadlines are the deadlines of incident reports; nil means
	// DefaultIncidentDeadlines.
	IncidentDeadlines *IncidentDeadlines `json:"incident_deadlines,omitempty"`
	// IncidentThresholds are the thresholds that make an incident major;
	// nil means DefaultIncidentThresholds.
	IncidentThresholds *IncidentThresholds `json:"incident_thresholds,omitempty"`
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
	problems = append(problems, checkPeerGrouping(s.PeerGrouping)...)
	if s.IncidentDeadlines != nil {
		problems = append(problems, s.IncidentDeadlines.Check()...)
	}
	if s.IncidentThresholds != nil {
		problems = append(problems, s.IncidentThresholds.Check()...)
	}
	return problems
}

// Deadlines returns the deadlines of incident reports: the ones set, else
// the defaults.
func (s Settings) Deadlines() IncidentDeadlines {
	if s.IncidentDeadlines == nil {
		return DefaultIncidentDeadlines
	}
	return *s.IncidentDeadlines
}

// Thresholds returns the thresholds that make an incident major: the ones
// set, else the defaults.
func (s Settings) Thresholds() IncidentThresholds {
	if s.IncidentThresholds == nil {
		return DefaultIncidentThresholds
	}
	return *s.IncidentThresholds
}

// WithDefaults returns s with every setting that falls back to a default
// holding it: what is stored and shown.
func (s Settings) WithDefaults() Settings {
	s.PeerGrouping = s.Peers()
	d, t := s.Deadlines(), s.Thresholds()
	s.IncidentDeadlines, s.IncidentThresholds = &d, &t
	return s
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
