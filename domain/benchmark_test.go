package domain

import (
	"math"
	"testing"
)

// The quartiles below are worked by hand from the definition: for n sorted
// values x₀ … xₙ₋₁, the p-th fraction lies at h = (n − 1)·p, between x⌊h⌋
// and x⌊h⌋₊₁ in proportion to h − ⌊h⌋.
func TestQuartilesOf(t *testing.T) {
	for _, c := range []struct {
		name   string
		values []float64
		want   Quartiles
	}{
		// h = 0 for every fraction.
		{"one value", []float64{7}, Quartiles{7, 7, 7}},
		// h = 0.25, 0.5, 0.75 between 4 and 10.
		{"two values", []float64{10, 4}, Quartiles{5.5, 7, 8.5}},
		// n = 5, odd: h = 1, 2, 3 fall on values; the list is unsorted.
		{"odd count", []float64{25, 3, 12, 6, 9}, Quartiles{6, 9, 12}},
		// n = 4, even: h = 0.75 → 1 + 0.75·(2 − 1); h = 1.5 → the mean of
		// the middle two; h = 2.25 → 3 + 0.25·(4 − 3).
		{"even count", []float64{4, 3, 2, 1}, Quartiles{1.75, 2.5, 3.25}},
		// n = 6: h = 1.25 → 5 + 0.25·(8 − 5) = 5.75; h = 2.5 → (8 + 12)/2;
		// h = 3.75 → 12 + 0.75·(20 − 12) = 18.
		{"even count of six", []float64{20, 1, 12, 5, 8, 25}, Quartiles{5.75, 10, 18}},
		// Ties: n = 7, h = 1.5, 3, 4.5; x₁ = x₂ = 4 and x₄ = x₅ = 9.
		{"ties", []float64{9, 4, 16, 4, 9, 1, 6}, Quartiles{4, 6, 9}},
		// Ties straddling a rank: n = 8, h = 1.75 → 2 + 0.75·(2 − 2) = 2;
		// h = 3.5 → (2 + 5)/2; h = 5.25 → 5 + 0.25·(5 − 5) = 5.
		{"ties across the median", []float64{1, 2, 2, 2, 5, 5, 5, 9}, Quartiles{2, 3.5, 5}},
		// All equal.
		{"all equal", []float64{0.5, 0.5, 0.5, 0.5, 0.5}, Quartiles{0.5, 0.5, 0.5}},
		// Compliance fractions: n = 5, h = 1, 2, 3.
		{"fractions", []float64{0.9, 0.25, 0.6, 0.75, 0.5}, Quartiles{0.5, 0.6, 0.75}},
	} {
		got, ok := QuartilesOf(c.values)
		if !ok || !near(got.Q1, c.want.Q1) || !near(got.Median, c.want.Median) || !near(got.Q3, c.want.Q3) {
			t.Errorf("%s: QuartilesOf(%v) = %+v, %v; want %+v", c.name, c.values, got, ok, c.want)
		}
	}
	if _, ok := QuartilesOf(nil); ok {
		t.Error("an empty list has quartiles")
	}
}

func TestQuartilesOfLeavesItsInputAlone(t *testing.T) {
	values := []float64{3, 1, 2}
	QuartilesOf(values)
	if values[0] != 3 || values[1] != 1 || values[2] != 2 {
		t.Errorf("QuartilesOf sorted its argument: %v", values)
	}
}

func TestPercentileEnds(t *testing.T) {
	sorted := []float64{1, 4, 9}
	if got := Percentile(sorted, 0); got != 1 {
		t.Errorf("0th = %v, want the lowest", got)
	}
	if got := Percentile(sorted, 1); got != 9 {
		t.Errorf("100th = %v, want the highest", got)
	}
}

func TestEnoughPeers(t *testing.T) {
	if EnoughPeers(MinPeers-1) || !EnoughPeers(MinPeers) || MinPeers != 5 {
		t.Errorf("the five-peer rule moved: MinPeers = %d", MinPeers)
	}
}

func TestPeerGroupings(t *testing.T) {
	for _, c := range []struct {
		g              PeerGrouping
		byKind, byTier bool
	}{{GroupByKindTier, true, true}, {GroupByKind, true, false}, {GroupByTier, false, true}} {
		if !c.g.Valid() || c.g.ByKind() != c.byKind || c.g.ByTier() != c.byTier {
			t.Errorf("%s: valid %v, by kind %v, by tier %v", c.g, c.g.Valid(), c.g.ByKind(), c.g.ByTier())
		}
	}
	if (Settings{}).Peers() != GroupByKindTier {
		t.Error("settings without a grouping do not group by kind and tier")
	}
	if len((Settings{PeerGrouping: "region"}).Check()) != 1 || len((Settings{PeerGrouping: GroupByTier}).Check()) != 0 {
		t.Error("the settings' peer grouping is not checked")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
