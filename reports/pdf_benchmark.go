package reports

import (
	"math"

	"codeberg.org/go-pdf/fpdf"

	"assure/domain"
	"assure/texts"
)

// pdfPeerBenchmark writes the provider's filed figures beside its peer
// group's quartiles, or says that the group is too small to show any. b is
// nil when the reader may not read benchmarks: then there is no section.
func pdfPeerBenchmark(pdf *fpdf.Fpdf, p texts.Printer, b *PeerBenchmark) {
	if b == nil {
		return
	}
	pdfHeading(pdf, p.T("Peer benchmark"), 4*pdfLineH)
	pdfParagraph(pdf, p.T("Peer group: %s; providers of the group with a filing in the campaign: %d.", peerGroupName(p, b), b.Peers), true)
	if !b.Enough {
		pdfParagraph(pdf, p.T("Too few peers with filings (%d of %d needed): no peer figure is shown.", b.Peers, domain.MinPeers), false)
		pdf.Ln(1)
		return
	}
	pdfParagraph(pdf, p.T("Figures from each peer's latest filing, the provider included. No other provider is named and no other provider's figure is shown; a line shows quartiles only when at least %d peers have a figure for it.", domain.MinPeers), true)
	score := func(v float64) string { return pdfScore(p, v) }
	percent := func(v float64) string { return pdfWholePercent(p, v) }
	pdfPeerTable(pdf, p, p.T("Residual score by threat among peers (1–25)"), p.T("Threat"), b.Threats, score)
	pdfPeerTable(pdf, p, p.T("Compliance by security dimension among peers"), "", b.Dimensions, percent)
}

// pdfPeerTable tabulates the lines some peer has a figure for, each named
// by its id and name (threats) or by its name alone (what == "").
func pdfPeerTable(pdf *fpdf.Fpdf, p texts.Printer, title, what string, lines []PeerLine, word func(float64) string) {
	var rows [][]string
	for _, l := range lines {
		if l.Count == 0 {
			continue
		}
		figures := []string{"—", "—", "—", "—"}
		if l.Own != nil {
			figures[0] = word(*l.Own)
		}
		if q := l.Quartiles; q != nil {
			figures[1], figures[2], figures[3] = word(q.Q1), word(q.Median), word(q.Q3)
		} else {
			figures[2] = p.T("too few peers")
		}
		row := []string{l.Name}
		if what != "" {
			row = []string{l.ID, l.Name}
		}
		rows = append(rows, append(row, figures...))
	}
	if len(rows) == 0 {
		return
	}
	cols := []pdfColumn{{p.T("Name"), 6, "L"}}
	if what != "" {
		cols = []pdfColumn{{what, 1, "L"}, {p.T("Name"), 5, "L"}}
	}
	cols = append(cols, pdfColumn{p.T("This provider"), 1.7, "R"}, pdfColumn{p.T("First quartile"), 1.7, "R"},
		pdfColumn{p.T("Median"), 1.7, "R"}, pdfColumn{p.T("Third quartile"), 1.7, "R"})
	pdfSubheading(pdf, title)
	drawTable(pdf, p, title, cols, rows)
}

// peerGroupName words the profile a peer group shares.
func peerGroupName(p texts.Printer, b *PeerBenchmark) string {
	switch b.Grouping {
	case domain.GroupByKind:
		return p.T("%s, any tier", p.ProviderKindName(b.Kind))
	case domain.GroupByTier:
		return p.T("%s, any kind", p.ProviderTierName(b.Tier))
	}
	return p.T("%s, %s", p.ProviderKindName(b.Kind), p.ProviderTierName(b.Tier))
}

// pdfScore writes a residual score, or a quartile of scores, with as few
// decimals as it needs: quartiles of whole scores fall on quarters.
func pdfScore(p texts.Printer, v float64) string {
	switch {
	case v == math.Trunc(v):
		return p.Decimal(v, 0)
	case v*2 == math.Trunc(v*2):
		return p.Decimal(v, 1)
	}
	return p.Decimal(v, 2)
}
