// Command table reads the output of go test -bench and prints one table of
// every benchmark that reports a bench.Pair or bench.Throughput ratio: the
// figure, Assure's time (or rate, for throughput), the baseline's, their
// ratio and the ratio allowed. With -count above one
// each column is the median of the runs. It exits 1 when a ratio is over
// its limit, so make bench fails while a hot spot is not fixed, and 2 when
// it finds no ratio at all.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"assure/bench"
)

// figures names what each benchmark measures, in the order of the table.
var figures = []struct{ name, figure string }{
	{"PriorityPage", "Priority ranking, one page (vs that page of stored scores)"},
	{"AuditTimeWindow", "Audit log, one week's page (vs the action filter)"},
	{"FindingsOfAssessment", "Findings of one assessment (vs its query)"},
	{"AssessmentList", "Assessments of a campaign, one page (vs its query)"},
	{"ProviderList", "Provider register, one page (vs its query)"},
	{"SectorHeatmap", "Sector risk heatmap (vs summing stored cells)"},
	{"ResponseWrite", "Saving an answer with its scores (vs a bare UPDATE)"},
	{"OpenCampaign", "Opening a campaign over every provider (vs COPY of its rows)"},
	{"AuditVerify", "Verifying the audit chain (vs COPY out of its columns)"},
	{"SectorWorkbook", "Sector workbook (vs a bare StreamWriter over one query)"},
	{"AssessmentPDF", "Assessment PDF (vs bare fpdf drawing its table)"},
	{"PrioritiesThroughput", "Priority page under wrk -c16 (vs pgbench -c16 running its SQL)"},
	{"FindingsThroughput", "Findings of one assessment under wrk -c16 (vs pgbench -c16 running its SQL)"},
	{"AuditWindowThroughput", "Audit log, one week's page, under wrk -c16 (vs pgbench -c16 running its SQL)"},
}

var line = regexp.MustCompile(`^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	unmet, err := run(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench table:", err)
		os.Exit(2)
	}
	if unmet > 0 {
		os.Exit(1)
	}
}

// result holds every run's metrics of one benchmark: times for a pair,
// rates for a throughput pair.
type result struct {
	assure, baseline, ratio, target []float64
	assureRate, baselineRate        []float64
}

func (r *result) add(o *result) {
	r.assure = append(r.assure, o.assure...)
	r.baseline = append(r.baseline, o.baseline...)
	r.ratio = append(r.ratio, o.ratio...)
	r.target = append(r.target, o.target...)
	r.assureRate = append(r.assureRate, o.assureRate...)
	r.baselineRate = append(r.baselineRate, o.baselineRate...)
}

// cells are the result's Assure and baseline columns: median times in
// milliseconds, or median rates in requests per second.
func (r *result) cells() (string, string) {
	if len(r.assureRate) > 0 || len(r.baselineRate) > 0 {
		return rate(median(r.assureRate)), rate(median(r.baselineRate))
	}
	return fmt.Sprintf("%.2f ms", median(r.assure)), fmt.Sprintf("%.2f ms", median(r.baseline))
}

// run prints the table of the benchmark output in and returns how many
// figures are over their allowed ratio.
func run(in io.Reader, out io.Writer) (int, error) {
	results := map[string]*result{}
	var order, machine []string
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		for _, k := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(text, k) && !slices.Contains(machine, text) {
				machine = append(machine, text)
			}
		}
		m := line.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		fields := strings.Fields(m[2])
		r := &result{}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case bench.UnitAssure:
				r.assure = append(r.assure, v)
			case bench.UnitBaseline:
				r.baseline = append(r.baseline, v)
			case bench.UnitRatio:
				r.ratio = append(r.ratio, v)
			case bench.UnitTarget:
				r.target = append(r.target, v)
			case bench.UnitAssureRate:
				r.assureRate = append(r.assureRate, v)
			case bench.UnitBaselineRate:
				r.baselineRate = append(r.baselineRate, v)
			}
		}
		if len(r.ratio) == 0 {
			continue
		}
		if old, ok := results[m[1]]; ok {
			old.add(r)
		} else {
			results[m[1]] = r
			order = append(order, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if len(results) == 0 {
		return 0, fmt.Errorf("no benchmark reported a ratio")
	}
	// Known figures first, in their order; any other after.
	var names []string
	for _, f := range figures {
		if results[f.name] != nil {
			names = append(names, f.name)
		}
	}
	for _, n := range order {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(machine) > 0 {
		fmt.Fprintf(out, "Machine: %s\n\n", strings.Join(machine, "; "))
	}
	fmt.Fprintln(out, "| Figure | Assure | Baseline | Ratio | Allowed | Met |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|:---:|")
	unmet := 0
	for _, n := range names {
		r := results[n]
		figure := n
		for _, f := range figures {
			if f.name == n {
				figure = f.figure
			}
		}
		ratio, target := median(r.ratio), median(r.target)
		met := "yes"
		if ratio > target {
			met, unmet = "no", unmet+1
		}
		runs := ""
		if len(r.ratio) > 1 {
			runs = fmt.Sprintf(" (median of %d)", len(r.ratio))
		}
		ours, theirs := r.cells()
		fmt.Fprintf(out, "| %s%s | %s | %s | %.2f× | %.2f× | %s |\n", figure, runs, ours, theirs, ratio, target, met)
	}
	if unmet > 0 {
		fmt.Fprintf(out, "\n%d of %d figures are over their allowed ratio.\n", unmet, len(names))
	}
	return unmet, nil
}

// rate prints requests per second with a decimal below 100, where one
// request a second is a percent or more.
func rate(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f req/s", v)
	}
	return fmt.Sprintf("%.0f req/s", v)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
