package domain

// Sector incident statistics: the incidents detected in a period counted by
// threat, channel, provider kind and month, and each threat's observed
// frequency over a rolling window, which a supervisor compares with the
// threat's default inherent likelihood in the framework to recalibrate it.

// FrequencyWindowMonths is the length of the rolling window the observed
// frequency is counted over: the twelve months up to the end of the period.
const FrequencyWindowMonths = 12

// IncidentCount is how many incidents fall under one key (a threat, a
// channel, a provider kind, a month), and how many of them are major.
type IncidentCount struct {
	Key       string
	Name      string // a threat's name; "" for the other keys
	Incidents int
	Major     int
}

// KindCount is the incidents of one kind of provider, beside how many
// providers of that kind are supervised.
type KindCount struct {
	IncidentCount
	Providers int
}

// ThreatFrequency is a threat's observed frequency over the window beside
// the likelihood the framework gives it by default.
type ThreatFrequency struct {
	ThreatID string
	Name     string
	// Incidents is how many incidents of the window involve the threat.
	Incidents int
	// PerProviderYear is Incidents over the providers supervised and the
	// window's years.
	PerProviderYear float64
	// Default is the framework's default inherent likelihood (1–5).
	Default int
	// Observed is the likelihood the frequency reads as (1–5), see
	// LikelihoodOfFrequency.
	Observed int
}

// IncidentStatistics are the sector's incidents detected from From to To,
// both days included.
type IncidentStatistics struct {
	From, To  Date
	Total     int
	Major     int
	ByThreat  []IncidentCount // every threat of the framework, in its order
	ByChannel []IncidentCount // every channel, in display order
	ByKind    []KindCount     // every kind of provider, in display order
	ByMonth   []IncidentCount // every month of the period, keyed YYYY-MM
	// The rolling window of the observed frequency, both days included, and
	// the providers supervised (not exited) it is counted over.
	WindowFrom, WindowTo Date
	Providers            int
	Frequency            []ThreatFrequency
}

// MaxStatisticsYears bounds the period the statistics count over.
const MaxStatisticsYears = 10

// CheckStatisticsPeriod returns the problems of a period from day from to
// day to: it ends no earlier than it starts, and spans at most
// MaxStatisticsYears years.
func CheckStatisticsPeriod(from, to Date) []Problem {
	switch {
	case from.IsZero() || to.IsZero():
		return []Problem{{"query", "give the first and the last day of the period"}}
	case to.Before(from):
		return []Problem{{"query.to", "comes before the start of the period"}}
	case !to.Time().Before(from.Time().AddDate(MaxStatisticsYears, 0, 0)):
		return []Problem{{"query.from", "the period is longer than 10 years"}}
	}
	return nil
}

// FrequencyWindow returns the first day of the rolling window that ends on
// day to: FrequencyWindowMonths months back, the day after.
func FrequencyWindow(to Date) Date {
	return Date{to.Time().AddDate(0, -FrequencyWindowMonths, 1)}
}

// ObservedFrequency is how many incidents a provider has a year, on
// average: incidents over providers over the window's years. With no
// provider it is zero.
func ObservedFrequency(incidents, providers int) float64 {
	if providers <= 0 {
		return 0
	}
	years := float64(FrequencyWindowMonths) / 12
	return float64(incidents) / float64(providers) / years
}

// Frequency bands: the upper bound (exclusive) of incidents per provider
// per year that each likelihood from 1 to 4 reads; at or above the last, 5.
// 1 is rarer than one provider in twenty a year, 5 once a year or more.
var frequencyBands = []float64{0.05, 0.2, 0.5, 1}

// LikelihoodOfFrequency reads an observed frequency (incidents per provider
// per year) as a likelihood from 1 to 5: below 0.05 is 1, below 0.2 is 2,
// below 0.5 is 3, below 1 is 4, and 1 or more is 5.
func LikelihoodOfFrequency(perProviderYear float64) int {
	for i, upper := range frequencyBands {
		if perProviderYear < upper {
			return i + 1
		}
	}
	return len(frequencyBands) + 1
}
