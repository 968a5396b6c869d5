package domain

import "math"

// Supervisory priority ranks providers for on-site inspection. The formula:
//
//	risk index       = 100 × (½ · worst residual score / 25 + ½ · mean residual score / 25)
//	priority         = risk index × tier weight + findings weight + inspection gap
//	                   + 15 when the filing is overdue
//	tier weight      = 1.5 for tier 1, 1.2 for tier 2, 1.0 for tier 3
//	findings weight  = Σ over the overdue findings of severity weight × age factor, at most 40
//	severity weight  = 8 critical, 5 high, 3 medium, 1 low
//	age factor       = 1 + days overdue / 30, at most 3 (reached at 60 days)
//	inspection gap   = 5 per full year since the last on-site inspection, at most 15;
//	                   15 when the provider was never inspected on site
//
// Each term is rounded to tenths and the priority is their sum, so the
// drivers a page shows add up to the priority it shows. A finding is overdue
// when it is open or in progress after its due date; a finding due yesterday
// is one day overdue. Off-site reviews are recorded but do not count as
// inspections here.
//
// The tier enters the priority once, through its weight. In the risk index
// the worst score keeps one critical threat from being averaged away; the
// mean rewards broad control.
// A provider that has not filed is taken at its inherent risk: without a
// filing, no control is credited.
type PriorityInput struct {
	Tier            int
	Threats         int              // applicable threats
	MaxScore        int              // worst residual score (inherent when not filed)
	SumScore        int              // Σ residual scores (inherent when not filed)
	OverdueFindings []OverdueFinding // the provider's findings past their due date and not closed
	LastOnSite      Date             // the latest on-site inspection; zero when there has been none
	FilingOverdue   bool
}

// OverdueFinding is what the priority takes from one overdue finding.
type OverdueFinding struct {
	Severity Severity
	DueAt    Date
}

// The bounds and weights of the formula.
const (
	findingsWeightCap   = 40
	ageFactorCap        = 3
	ageFactorDays       = 30 // the days overdue that add 1 to the age factor
	inspectionYearGap   = 5
	inspectionGapCap    = 15
	filingOverdueWeight = 15
)

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

// Weight returns what an overdue finding of severity s weighs before its
// age is counted.
func (s Severity) Weight() float64 {
	switch s {
	case SeverityCritical:
		return 8
	case SeverityHigh:
		return 5
	case SeverityMedium:
		return 3
	case SeverityLow:
		return 1
	}
	return 0
}

// AgeFactor returns the factor of a finding overdue by days days:
// 1 + days / 30, at most 3.
func AgeFactor(days int) float64 {
	return math.Min(1+float64(max(days, 0))/ageFactorDays, ageFactorCap)
}

// FindingsWeight returns the findings term of the priority on day today:
// Σ severity weight × age factor over the findings overdue that day, at most
// 40, in tenths. Findings not yet overdue weigh nothing.
func FindingsWeight(findings []OverdueFinding, today Date) float64 {
	sum := 0.0
	for _, f := range findings {
		if f.DueAt.Before(today) {
			sum += f.Severity.Weight() * AgeFactor(f.DueAt.DaysUntil(today))
		}
	}
	return round1(math.Min(sum, findingsWeightCap))
}

// FullYears returns how many anniversaries of from have come by to: 0 when
// to is before the first (a 29 February's anniversary is 1 March in other
// years).
func FullYears(from, to Date) int {
	n := to.t.Year() - from.t.Year()
	if n > 0 && from.t.AddDate(n, 0, 0).After(to.t) {
		n--
	}
	return max(n, 0)
}

// InspectionGap returns the full years from the last on-site inspection to
// today and the inspection term they give: 5 a year, at most 15. A provider
// never inspected on site (last is zero) takes the most, 15.
func InspectionGap(last, today Date) (years int, weight float64) {
	if last.IsZero() {
		return 0, inspectionGapCap
	}
	years = FullYears(last, today)
	return years, float64(min(inspectionYearGap*years, inspectionGapCap))
}

// PriorityDrivers are the terms of a provider's priority, as the ranking
// stores and shows them.
type PriorityDrivers struct {
	RiskIndex        float64 // 0–100
	TierWeight       float64
	OverdueFindings  int
	FindingsWeight   float64 // see FindingsWeight
	LastOnSite       Date    // zero when the provider was never inspected on site
	YearsSinceOnSite int     // full years from LastOnSite to the day of the drivers
	InspectionWeight float64 // see InspectionGap
	FilingOverdue    bool
}

// RiskWeight returns the risk term: risk index × tier weight, in tenths.
func (d PriorityDrivers) RiskWeight() float64 { return round1(d.RiskIndex * d.TierWeight) }

// FilingWeight returns the filing term: 15 when the filing is overdue.
func (d PriorityDrivers) FilingWeight() float64 {
	if d.FilingOverdue {
		return filingOverdueWeight
	}
	return 0
}

// Priority returns the sum of the terms; higher means inspect sooner.
func (d PriorityDrivers) Priority() float64 {
	return round1(d.RiskWeight() + d.FindingsWeight + d.InspectionWeight + d.FilingWeight())
}

// RiskIndex returns the 0–100 residual risk index.
func (p PriorityInput) RiskIndex() float64 {
	if p.Threats == 0 {
		return 0
	}
	mean := float64(p.SumScore) / float64(p.Threats)
	return round1(100 * (0.5*float64(p.MaxScore)/25 + 0.5*mean/25))
}

// Drivers returns the terms of the provider's priority on day today.
func (p PriorityInput) Drivers(today Date) PriorityDrivers {
	return p.DriversWith(len(p.OverdueFindings), FindingsWeight(p.OverdueFindings, today), today)
}

// DriversWith returns the terms of the priority on day today with the
// findings term given, rather than worked out from p.OverdueFindings: what
// a stored ranking row, which keeps the findings' count and weight, reads
// back.
func (p PriorityInput) DriversWith(overdue int, findingsWeight float64, today Date) PriorityDrivers {
	d := PriorityDrivers{RiskIndex: p.RiskIndex(), TierWeight: TierWeight(p.Tier), OverdueFindings: overdue,
		FindingsWeight: findingsWeight, LastOnSite: p.LastOnSite, FilingOverdue: p.FilingOverdue}
	d.YearsSinceOnSite, d.InspectionWeight = InspectionGap(p.LastOnSite, today)
	return d
}

// Priority returns the provider's priority score on day today.
func (p PriorityInput) Priority(today Date) float64 { return p.Drivers(today).Priority() }

// NextChange returns the first day after today on which time passing alone
// may change the findings or inspection term: tomorrow while an overdue
// finding's age factor still grows and the findings' total is below its cap;
// the next anniversary of the last on-site inspection while that term is
// below its cap; whichever comes first. It is the zero Date when neither
// will change. (A finding falling due, or the filing, is the caller's to
// add: p holds only the findings already overdue.)
func (p PriorityInput) NextChange(today Date) Date {
	var next Date
	sum, growing := 0.0, false
	for _, f := range p.OverdueFindings {
		if !f.DueAt.Before(today) {
			continue
		}
		days := f.DueAt.DaysUntil(today)
		sum += f.Severity.Weight() * AgeFactor(days)
		growing = growing || AgeFactor(days) < ageFactorCap
	}
	if growing && sum < findingsWeightCap {
		next = today.AddDays(1)
	}
	if years, w := InspectionGap(p.LastOnSite, today); !p.LastOnSite.IsZero() && w < inspectionGapCap {
		anniversary := Date{p.LastOnSite.t.AddDate(years+1, 0, 0)}
		if next.IsZero() || anniversary.Before(next) {
			next = anniversary
		}
	}
	return next
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
