package reports

import (
	"bytes"
	"strings"
	"testing"

	"assure/domain"
)

// pdfPeerLines are two threats and a dimension of a peer benchmark: one
// threat with quartiles, one with too few peers for them.
func pdfPeerLines(f *domain.Framework) ([]PeerLine, []PeerLine) {
	own, ownShare := 12.0, 0.625
	threats := []PeerLine{
		{ID: f.Threats[0].ID, Name: f.Threats[0].Name, Own: &own, Count: 6,
			Quartiles: &domain.Quartiles{Q1: 8.25, Median: 10.5, Q3: 15}},
		{ID: f.Threats[1].ID, Name: f.Threats[1].Name, Own: &own, Count: 3},
	}
	dimensions := []PeerLine{{ID: f.Dimensions[0].ID, Name: f.Dimensions[0].Name, Own: &ownShare, Count: 6,
		Quartiles: &domain.Quartiles{Q1: 0.5, Median: 0.7, Q3: 0.81}}}
	return threats, dimensions
}

func TestAssessmentPDFPeerBenchmark(t *testing.T) {
	t.Parallel()
	write := func(d AssessmentData) string {
		t.Helper()
		var b bytes.Buffer
		if err := WriteAssessmentPDF(&b, d); err != nil {
			t.Fatal(err)
		}
		return pdfText(t, b.Bytes())
	}

	d := pdfAssessmentFixture(t)
	if text := write(d); strings.Contains(text, "Peer benchmark") {
		t.Error("a report without a benchmark has a peer section")
	}

	d.Peers = &PeerBenchmark{Grouping: domain.GroupByKindTier, Kind: domain.KindMobileMoneyOperator, Tier: 1, Peers: 4}
	few := write(d)
	pdfCheckContains(t, few, "Peer benchmark", "Peer group: Mobile money operator, Tier 1 (systemic)")
	pdfCheckWords(t, few, "Too few peers with filings (4 of 5 needed): no peer figure is shown.")
	if strings.Contains(few, "First quartile") {
		t.Error("a group of four shows quartiles")
	}

	threats, dimensions := pdfPeerLines(d.Framework)
	d.Peers = &PeerBenchmark{Grouping: domain.GroupByKind, Kind: domain.KindMobileMoneyOperator, Tier: 1, Peers: 6,
		Enough: true, Threats: threats, Dimensions: dimensions}
	enough := write(d)
	pdfCheckContains(t, enough, "Peer group: Mobile money operator, any tier", "Residual score by threat among peers",
		"Compliance by security dimension among peers", "Median", "8.25", "10.5", "63%", "81%")
	for _, words := range []string{"First quartile", "Third quartile", "too few peers"} {
		pdfCheckWords(t, enough, words) // a narrow column may wrap them
	}
	if strings.Contains(enough, "Too few peers with filings") {
		t.Error("a group of six is said to be too small")
	}

	d.Lang = domain.French
	fr := write(d)
	pdfCheckContains(t, fr, "Comparaison avec les pairs", "Médiane", "Opérateur de monnaie mobile, tous niveaux", "8,25")
	for _, words := range []string{"Premier quartile", "trop peu de pairs"} {
		pdfCheckWords(t, fr, words)
	}
}
