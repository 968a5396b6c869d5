package domain

import (
	"math"
	"testing"
)

// The day the hand-worked examples below are computed for.
var priorityDay = mustDate("2027-06-30")

func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// overdueBy is a finding of severity s whose due date is days before priorityDay.
func overdueBy(s Severity, days int) OverdueFinding {
	return OverdueFinding{Severity: s, DueAt: priorityDay.AddDays(-days)}
}

func TestAgeFactor(t *testing.T) {
	for _, c := range []struct {
		days int
		want float64
	}{
		{1, 1 + 1.0/30},   // due yesterday
		{15, 1.5},         // 1 + 15/30
		{29, 1 + 29.0/30}, // a day short of the first band edge
		{30, 2},           // exactly 30 days: 1 + 30/30
		{45, 2.5},
		{59, 1 + 59.0/30},
		{60, 3}, // the cap is reached at 60 days
		{61, 3},
		{400, 3},
	} {
		if got := AgeFactor(c.days); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("AgeFactor(%d) = %v, want %v", c.days, got, c.want)
		}
	}
}

func TestFindingsWeight(t *testing.T) {
	for _, c := range []struct {
		name     string
		findings []OverdueFinding
		want     float64
	}{
		{"none", nil, 0},
		{"due today is not overdue", []OverdueFinding{overdueBy(SeverityCritical, 0)}, 0},
		{"due tomorrow is not overdue", []OverdueFinding{overdueBy(SeverityCritical, -1)}, 0},
		// 8 × (1 + 30/30) = 16.
		{"critical, exactly 30 days", []OverdueFinding{overdueBy(SeverityCritical, 30)}, 16},
		// 8 × (1 + 29/30) = 15.733…, in tenths 15.7.
		{"critical, 29 days", []OverdueFinding{overdueBy(SeverityCritical, 29)}, 15.7},
		// 1 × (1 + 1/30) = 1.033…, in tenths 1.0.
		{"low, 1 day", []OverdueFinding{overdueBy(SeverityLow, 1)}, 1},
		// 1 × 3: the age factor stops at 3.
		{"low, 180 days", []OverdueFinding{overdueBy(SeverityLow, 180)}, 3},
		// 5 × 1.5 + 3 × 3 + 1 × 1.033… = 7.5 + 9 + 1.033… = 17.533…, in tenths 17.5.
		{"high, medium and low", []OverdueFinding{overdueBy(SeverityHigh, 15), overdueBy(SeverityMedium, 60),
			overdueBy(SeverityLow, 1)}, 17.5},
		// 8 × 3 + 8 × 2 = 24 + 16 = 40: exactly the cap.
		{"at the cap", []OverdueFinding{overdueBy(SeverityCritical, 60), overdueBy(SeverityCritical, 30)}, 40},
		// 8 × 3 + 8 × 3 = 48, capped at 40.
		{"over the cap", []OverdueFinding{overdueBy(SeverityCritical, 90), overdueBy(SeverityCritical, 61)}, 40},
	} {
		if got := FindingsWeight(c.findings, priorityDay); got != c.want {
			t.Errorf("%s: FindingsWeight = %v, want %v", c.name, got, c.want)
		}
	}
	// An overdue critical finding outweighs an overdue low one of the same age.
	critical := FindingsWeight([]OverdueFinding{overdueBy(SeverityCritical, 10)}, priorityDay)
	low := FindingsWeight([]OverdueFinding{overdueBy(SeverityLow, 10)}, priorityDay)
	if critical <= low {
		t.Errorf("critical %v does not outweigh low %v", critical, low)
	}
}

func TestInspectionGap(t *testing.T) {
	for _, c := range []struct {
		last   string
		today  Date
		years  int
		weight float64
	}{
		{"", priorityDay, 0, 15},           // never inspected on site
		{"2027-06-30", priorityDay, 0, 0},  // inspected today
		{"2026-07-01", priorityDay, 0, 0},  // the first anniversary is tomorrow
		{"2026-06-30", priorityDay, 1, 5},  // exactly one year
		{"2024-07-01", priorityDay, 2, 10}, // the third anniversary is tomorrow
		{"2024-06-30", priorityDay, 3, 15}, // exactly three years
		{"2019-01-15", priorityDay, 8, 15}, // capped at 15
		{"2024-02-29", mustDate("2025-02-28"), 0, 0},
		{"2024-02-29", mustDate("2025-03-01"), 1, 5}, // a 29 February's anniversary is 1 March
	} {
		var last Date
		if c.last != "" {
			last = mustDate(c.last)
		}
		years, weight := InspectionGap(last, c.today)
		if years != c.years || weight != c.weight {
			t.Errorf("InspectionGap(%s, %s) = %d, %v; want %d, %v", c.last, c.today, years, weight, c.years, c.weight)
		}
	}
}

func TestPriority(t *testing.T) {
	in := PriorityInput{Tier: 1, Threats: 4, MaxScore: 20, SumScore: 40, LastOnSite: priorityDay}
	// index = 100 × (0.5·20/25 + 0.5·10/25) = 60; × 1.5 = 90; nothing overdue and
	// inspected today, so the other terms are 0.
	if in.RiskIndex() != 60 || in.Priority(priorityDay) != 90 {
		t.Errorf("index %v, priority %v", in.RiskIndex(), in.Priority(priorityDay))
	}
	// Tier 3, seven high findings a day overdue, never inspected, filing overdue:
	// 60 × 1 + 7 × 5 × (1 + 1/30) + 15 + 15 = 60 + 36.166… (36.2) + 15 + 15 = 126.2.
	in.Tier, in.LastOnSite, in.FilingOverdue = 3, Date{}, true
	for range 7 {
		in.OverdueFindings = append(in.OverdueFindings, overdueBy(SeverityHigh, 1))
	}
	if got := in.Priority(priorityDay); got != 126.2 {
		t.Errorf("priority = %v, want 126.2", got)
	}
	// No applicable threat and inspected today: 0.
	if got := (PriorityInput{Tier: 2, LastOnSite: priorityDay}).Priority(priorityDay); got != 0 {
		t.Errorf("no applicable threat, nothing else: priority %v", got)
	}
	// Never inspected: the gap alone, 15.
	if got := (PriorityInput{Tier: 2}).Priority(priorityDay); got != 15 {
		t.Errorf("never inspected: priority %v, want 15", got)
	}
}

func TestPriorityDrivers(t *testing.T) {
	// Tier 2, five threats, worst 16, sum 40 (mean 8): index = 100 × (0.5·16/25 +
	// 0.5·8/25) = 48, × 1.2 = 57.6. A critical finding 30 days overdue (8 × 2 =
	// 16) and a low one a day overdue (1.033…): 17.033…, in tenths 17.0. Last
	// inspected on site two full years ago: 10. Filing overdue: 15.
	// Priority = 57.6 + 17 + 10 + 15 = 99.6.
	in := PriorityInput{Tier: 2, Threats: 5, MaxScore: 16, SumScore: 40, FilingOverdue: true,
		OverdueFindings: []OverdueFinding{overdueBy(SeverityCritical, 30), overdueBy(SeverityLow, 1)},
		LastOnSite:      mustDate("2025-06-30")}
	d := in.Drivers(priorityDay)
	want := PriorityDrivers{RiskIndex: 48, TierWeight: 1.2, OverdueFindings: 2, FindingsWeight: 17,
		LastOnSite: mustDate("2025-06-30"), YearsSinceOnSite: 2, InspectionWeight: 10, FilingOverdue: true}
	if d != want {
		t.Fatalf("drivers = %+v, want %+v", d, want)
	}
	if d.RiskWeight() != 57.6 || d.FilingWeight() != 15 || d.Priority() != 99.6 || in.Priority(priorityDay) != 99.6 {
		t.Errorf("risk %v, filing %v, priority %v", d.RiskWeight(), d.FilingWeight(), d.Priority())
	}
	// A stored row gives back its findings' count and weight: the same drivers.
	if got := in.DriversWith(2, 17, priorityDay); got != want {
		t.Errorf("DriversWith = %+v, want %+v", got, want)
	}
	// The critical finding turned low would weigh 1 × 2 + 1.033… = 3.0: an
	// overdue critical finding outweighs an overdue low one.
	in.OverdueFindings[0].Severity = SeverityLow
	if low := in.Priority(priorityDay); low != 57.6+3+10+15 {
		t.Errorf("with a low finding instead: %v, want 85.6", low)
	}
}

func TestPriorityNextChange(t *testing.T) {
	tomorrow := priorityDay.AddDays(1)
	for _, c := range []struct {
		name string
		in   PriorityInput
		want Date
	}{
		{"never inspected, nothing overdue", PriorityInput{}, Date{}},
		{"a finding still ageing", PriorityInput{OverdueFindings: []OverdueFinding{overdueBy(SeverityLow, 59)},
			LastOnSite: priorityDay.AddDays(-100)}, tomorrow},
		{"a finding at the age cap, gap at its cap", PriorityInput{OverdueFindings: []OverdueFinding{overdueBy(SeverityLow, 60)},
			LastOnSite: mustDate("2020-01-01")}, Date{}},
		// 3 × 8 × 2 = 48: the total is at its cap whatever their ages do.
		{"findings at the total's cap", PriorityInput{OverdueFindings: []OverdueFinding{overdueBy(SeverityCritical, 30),
			overdueBy(SeverityCritical, 30), overdueBy(SeverityCritical, 30)}}, Date{}},
		{"the next anniversary", PriorityInput{LastOnSite: mustDate("2026-03-15")}, mustDate("2028-03-15")},
		{"an anniversary tomorrow", PriorityInput{LastOnSite: mustDate("2025-07-01")}, tomorrow},
		{"three years: no more anniversaries count", PriorityInput{LastOnSite: mustDate("2024-06-30")}, Date{}},
	} {
		if got := c.in.NextChange(priorityDay); got != c.want {
			t.Errorf("%s: NextChange = %s, want %s", c.name, got, c.want)
		}
	}
}
