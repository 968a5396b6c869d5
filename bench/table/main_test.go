package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
cpu: AMD EPYC
BenchmarkPriorityPage-2   	5	90039228 ns/op	78.61 assure-ms/op	11.42 baseline-ms/op	1.500 max-ratio	6.881 ratio
BenchmarkAuditTimeWindow-2	5	7124528 ns/op	2.648 assure-ms/op	4.475 baseline-ms/op	3.000 max-ratio	0.5918 ratio
BenchmarkPriorityPage-2   	5	90039228 ns/op	70.00 assure-ms/op	10.00 baseline-ms/op	1.500 max-ratio	7.000 ratio
BenchmarkPriorityPage-2   	5	90039228 ns/op	60.00 assure-ms/op	12.00 baseline-ms/op	1.500 max-ratio	5.000 ratio
BenchmarkFindingsThroughput-2	1	12513353845 ns/op	664.3 assure-req/s	4735 baseline-req/s	1.250 max-ratio	7.128 ratio
BenchmarkFindingsThroughput-2	1	12513353845 ns/op	4000 assure-req/s	4200 baseline-req/s	1.250 max-ratio	1.050 ratio
BenchmarkFindingsThroughput-2	1	12513353845 ns/op	4100 assure-req/s	4300 baseline-req/s	1.250 max-ratio	1.049 ratio
BenchmarkPrioritiesThroughput-2	1	42222588553 ns/op	6.940 assure-req/s	12.79 baseline-req/s	1.250 max-ratio	1.844 ratio
BenchmarkOther-2          	5	100 ns/op
`

// TestTable reads go test -bench output: medians over runs, times and
// rates, figures in the table's order, a count of the figures over their
// limit.
func TestTable(t *testing.T) {
	var out strings.Builder
	unmet, err := run(strings.NewReader(sample), &out)
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Machine: goos: linux; cpu: AMD EPYC",
		"| Priority ranking, one page (vs that page of stored scores) (median of 3) | 70.00 ms | 11.42 ms | 6.88× | 1.50× | no |",
		"| Audit log, one week's page (vs the action filter) | 2.65 ms | 4.47 ms | 0.59× | 3.00× | yes |",
		"| Findings of one assessment under wrk -c16 (vs pgbench -c16 running its SQL) (median of 3) | 4000 req/s | 4300 req/s | 1.05× | 1.25× | yes |",
		"| Priority page under wrk -c16 (vs pgbench -c16 running its SQL) | 6.9 req/s | 12.8 req/s | 1.84× | 1.25× | no |",
		"2 of 4 figures are over their allowed ratio.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if unmet != 2 || strings.Contains(text, "Other") {
		t.Errorf("unmet = %d, table:\n%s", unmet, text)
	}
	if _, err := run(strings.NewReader("PASS\n"), &out); err == nil {
		t.Error("output without ratios made a table")
	}
}
