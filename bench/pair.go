// Package bench measures Assure against baselines on the same machine in
// the same run, so that a figure is a ratio that a shared, noisy machine
// does not move much: Pair runs an operation of Assure and its baseline
// alternately and reports both times, their ratio and the ratio the
// operation must stay within. make bench collects every benchmark that
// reports a ratio into one table (bench/table).
package bench

import (
	"testing"
	"time"
)

// Metric units of a pair, read back by bench/table.
const (
	UnitAssure   = "assure-ms/op"
	UnitBaseline = "baseline-ms/op"
	UnitRatio    = "ratio"
	UnitTarget   = "max-ratio"
)

// Pair runs assure and baseline alternately, each in turn going first,
// until the benchmark has run long enough, and reports their mean times,
// the ratio of assure's to baseline's and target, the largest ratio
// allowed. A function that fails stops the benchmark.
func Pair(b *testing.B, target float64, assure, baseline func() error) {
	b.Helper()
	var ours, theirs time.Duration
	i := 0
	for b.Loop() {
		runs := [2]func() error{assure, baseline}
		times := [2]*time.Duration{&ours, &theirs}
		if i%2 == 1 {
			runs[0], runs[1] = runs[1], runs[0]
			times[0], times[1] = times[1], times[0]
		}
		for k, run := range runs {
			start := time.Now()
			if err := run(); err != nil {
				b.Fatal(err)
			}
			*times[k] += time.Since(start)
		}
		i++
	}
	n := float64(i)
	b.ReportMetric(float64(ours.Microseconds())/n/1000, UnitAssure)
	b.ReportMetric(float64(theirs.Microseconds())/n/1000, UnitBaseline)
	b.ReportMetric(float64(ours)/float64(theirs), UnitRatio)
	b.ReportMetric(target, UnitTarget)
}
