package domain

import (
	"fmt"
	"math"
	"slices"
)

// Peer benchmarks set a provider's filed residual scores and compliance
// beside those of the providers most like it in the same campaign. A
// provider's users may see where they stand but must never learn another
// provider's figures, so a group's figures are shown to them only once
// enough providers make it up (MinPeers) that no one value can be read back
// from the quartiles.

// MinPeers is the fewest providers with a filing, the provider itself
// included, that a peer group needs before its quartiles are shown to a
// provider's users. It holds for the group as a whole and for every threat
// or dimension on its own: a threat that applies to fewer providers of the
// group shows no figures either.
const MinPeers = 5

// EnoughPeers reports whether n providers may be shown to a provider's users
// as a group.
func EnoughPeers(n int) bool { return n >= MinPeers }

// PeerGrouping says which part of the provider profile an assessment was
// opened with makes its peer group.
type PeerGrouping string

// Peer groupings.
const (
	GroupByKindTier PeerGrouping = "kind_tier" // same kind of licence and same tier
	GroupByKind     PeerGrouping = "kind"      // same kind of licence, any tier
	GroupByTier     PeerGrouping = "tier"      // same tier, any kind
)

// DefaultPeerGrouping is the grouping of settings that name none.
const DefaultPeerGrouping = GroupByKindTier

// PeerGroupings lists every grouping, the default first.
var PeerGroupings = []PeerGrouping{GroupByKindTier, GroupByKind, GroupByTier}

// Valid reports whether g is a known grouping.
func (g PeerGrouping) Valid() bool { return slices.Contains(PeerGroupings, g) }

// ByKind reports whether peers must share the provider's kind.
func (g PeerGrouping) ByKind() bool { return g == GroupByKindTier || g == GroupByKind }

// ByTier reports whether peers must share the provider's tier.
func (g PeerGrouping) ByTier() bool { return g == GroupByKindTier || g == GroupByTier }

// checkPeerGrouping returns the problem of a stored grouping, if any; empty
// stands for the default.
func checkPeerGrouping(g PeerGrouping) []Problem {
	if g == "" || g.Valid() {
		return nil
	}
	return []Problem{{"body.peer_grouping", fmt.Sprintf("%q is not one of kind_tier, kind, tier", g)}}
}

// Quartiles are the first quartile, the median and the third quartile of a
// list of values.
type Quartiles struct {
	Q1, Median, Q3 float64
}

// QuartilesOf returns the quartiles of values (in any order), and false for
// an empty list. Each is Percentile of the sorted values at ¼, ½ and ¾.
func QuartilesOf(values []float64) (Quartiles, bool) {
	if len(values) == 0 {
		return Quartiles{}, false
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return Quartiles{Q1: Percentile(sorted, 0.25), Median: Percentile(sorted, 0.5), Q3: Percentile(sorted, 0.75)}, true
}

// Percentile returns the p-th fraction (0–1) of sorted, ascending values, by
// linear interpolation between the closest ranks: the value at position
// h = (n − 1)·p, counting from 0, where a fractional h lies between the two
// values either side of it in proportion. It is the method of PostgreSQL's
// percentile_cont and of spreadsheets' QUARTILE.INC (Hyndman and Fan's
// type 7): the median of an even count is the mean of the middle two, and
// the quartiles of 1, 2, 3, 4 are 1.75 and 3.25. It panics on an empty list.
func Percentile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}
