// Package bench measures Assure against baselines on the same machine in
// the same run, so that a figure is a ratio that a shared, noisy machine
// does not move much: Pair runs an operation of Assure and its baseline
// alternately and reports both times, their ratio and the ratio the
// operation must stay within; Throughput does the same for two load
// generators and reports their rates. make bench collects every benchmark
// that reports a ratio into one table (bench/table).
package bench

import (
	"fmt"
	"testing"
	"time"
)

// Metric units of a pair, read back by bench/table.
const (
	UnitAssure   = "assure-ms/op"
	UnitBaseline = "baseline-ms/op"
	UnitRatio    = "ratio"
	UnitTarget   = "max-ratio"
	// A throughput pair reports rates instead of times.
	UnitAssureRate   = "assure-req/s"
	UnitBaselineRate = "baseline-req/s"
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

// Throughput runs two load generators, assure and baseline, each giving
// the requests per second it held, in the order assure, baseline, baseline,
// assure for every round, so that a machine getting slower or faster during
// the round weighs on both alike. It reports their mean rates, the ratio of
// baseline's rate to assure's (above 1 when Assure is slower, as with Pair)
// and target, the largest ratio allowed. A function that fails or reports
// no throughput stops the benchmark.
func Throughput(b *testing.B, target float64, assure, baseline func() (float64, error)) {
	b.Helper()
	var ours, theirs float64
	rounds := 0
	for b.Loop() {
		for k, run := range [4]func() (float64, error){assure, baseline, baseline, assure} {
			rate, err := run()
			if err == nil && !(rate > 0) {
				err = fmt.Errorf("no throughput (%v requests/s)", rate)
			}
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 || k == 3 {
				ours += rate
			} else {
				theirs += rate
			}
		}
		rounds++
	}
	n := float64(2 * rounds)
	b.ReportMetric(ours/n, UnitAssureRate)
	b.ReportMetric(theirs/n, UnitBaselineRate)
	b.ReportMetric(theirs/ours, UnitRatio)
	b.ReportMetric(target, UnitTarget)
}
