package domain

import "math"

// Supervisory priority ranks providers for on-site inspection. The formula:
//
//	risk index  = 100 × (½ · worst residual score / 25 + ½ · mean residual score / 25)
//	priority    = risk index × tier weight + 5 × overdue findings (at most 5 counted)
//	              + 15 when the filing is overdue
//	tier weight = 1.5 for tier 1, 1.2 for tier 2, 1.0 for tier 3
//
// The worst score keeps one critical threat from being averaged away; the
// mean rewards broad control. A provider that has not filed is taken at its
// inherent risk: without a filing, no control is credited.
type PriorityInput struct {
	Tier            int
	Threats         int // applicable threats
	MaxScore        int // worst residual score (inherent when not filed)
	SumScore        int // Σ residual scores (inherent when not filed)
	OverdueFindings int
	FilingOverdue   bool
}

// TierWeight returns the weight of a systemic tier.
func TierWeight(tier int) float64 {
	switch tier {
	case 1:
		return 1.5
	case 2:
		return 1.2
	}
	return 1.0
}

// RiskIndex returns the 0–100 residual risk index.
func (p PriorityInput) RiskIndex() float64 {
	if p.Threats == 0 {
		return 0
	}
	mean := float64(p.SumScore) / float64(p.Threats)
	return round1(100 * (0.5*float64(p.MaxScore)/25 + 0.5*mean/25))
}

// Priority returns the provider's priority score; higher means inspect sooner.
func (p PriorityInput) Priority() float64 {
	score := p.RiskIndex()*TierWeight(p.Tier) + 5*float64(min(p.OverdueFindings, 5))
	if p.FilingOverdue {
		score += 15
	}
	return round1(score)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
