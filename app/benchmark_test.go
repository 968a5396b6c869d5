package app

import (
	"testing"

	"assure/domain"
	"assure/store"
)

// rawBenchmark is a group's stored figures: threat T1 with a figure for
// every one of peers providers, T2 with three, and one dimension.
func rawBenchmark(peers int) store.Benchmark {
	f := &domain.Framework{Threats: []domain.Threat{{ID: "T1", Name: "Hijacking"}, {ID: "T2", Name: "SIM swap"}},
		Dimensions: []domain.Dimension{{ID: "access_control", Name: "Access control"}}}
	own := 9.0
	var t1 []float64
	var peersNamed []store.PeerValue
	for i := range peers {
		v := float64(4 + 3*i)
		t1 = append(t1, v)
		peersNamed = append(peersNamed, store.PeerValue{ProviderID: string(rune('a' + i)), Name: "Peer " + string(rune('A'+i)), Value: v})
	}
	share := 0.5
	return store.Benchmark{ProviderID: "p", Framework: f, Grouping: domain.GroupByKindTier, Kind: domain.KindBank, Tier: 2,
		Filed: true, Peers: peers,
		Threats: []store.PeerFigures{{ID: "T1", Own: &own, Values: t1, Named: peersNamed},
			{ID: "T2", Own: &own, Values: []float64{6, 9, 12}, Named: peersNamed[:min(3, peers)]}},
		Dimensions: []store.PeerFigures{{ID: "access_control", Own: &share, Values: []float64{0.25, 0.5, 0.75, 0.8, 0.9},
			Named: peersNamed[:min(5, peers)]}}}
}

func TestBenchmarkShapesWhatEachReaderSees(t *testing.T) {
	// A provider's users among four peers learn how many there are, nothing more.
	b := benchmarkOf(rawBenchmark(4), false)
	if b.Enough || b.Peers != 4 || len(b.Threats) != 0 || len(b.Dimensions) != 0 {
		t.Errorf("four peers, anonymised: %+v", b)
	}

	// Among six: their own figures and the quartiles, but only of lines
	// with five peers or more, and never a peer.
	b = benchmarkOf(rawBenchmark(6), false)
	if !b.Enough || len(b.Threats) != 2 || len(b.Dimensions) != 1 {
		t.Fatalf("six peers, anonymised: %+v", b)
	}
	t1, t2 := b.Threats[0], b.Threats[1]
	if t1.Name != "Hijacking" || t1.Own == nil || *t1.Own != 9 || t1.Count != 6 || t1.Quartiles == nil ||
		*t1.Quartiles != (domain.Quartiles{Q1: 7.75, Median: 11.5, Q3: 15.25}) {
		t.Errorf("T1 of six peers: %+v, quartiles %+v", t1, t1.Quartiles)
	}
	if t2.Quartiles != nil || t2.Count != 3 || t2.Own == nil {
		t.Errorf("T2 has three peers, yet shows quartiles %+v", t2.Quartiles)
	}
	for _, l := range append(b.Threats, b.Dimensions...) {
		if l.Peers != nil || l.Min != nil || l.Max != nil {
			t.Errorf("%s shows peers to a provider's users: %+v", l.ID, l)
		}
	}

	// Supervisors see everything, whatever the group's size.
	b = benchmarkOf(rawBenchmark(4), true)
	if b.Enough || len(b.Threats) != 2 {
		t.Fatalf("four peers, named: %+v", b)
	}
	t2 = b.Threats[1]
	if t2.Quartiles == nil || t2.Quartiles.Median != 9 || len(t2.Peers) != 3 || *t2.Min != 6 || *t2.Max != 12 {
		t.Errorf("T2 named: %+v", t2)
	}

	// The report's section is the anonymised one, and none without a benchmark.
	if peerBenchmarkOf(nil) != nil {
		t.Error("a report without a benchmark has a peer section")
	}
	six := benchmarkOf(rawBenchmark(6), false)
	r := peerBenchmarkOf(&six)
	if !r.Enough || r.Peers != 6 || len(r.Threats) != 2 || r.Threats[1].Quartiles != nil || r.Dimensions[0].Quartiles == nil {
		t.Errorf("report section %+v", r)
	}
}
