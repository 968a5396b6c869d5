package web

import (
	"math"
	"net/http"

	"assure/app"
	"assure/domain"
)

// The peer benchmark section of the provider page: the provider's filed
// residual scores and compliance beside its peer group's quartiles, with
// every peer by name for supervisors and auditors. What each visitor may see
// is decided by the application layer; this file only words it.

// benchmarkView is the peer benchmark of the provider page.
type benchmarkView struct {
	Shown      bool   // there is a benchmark to show (else Note says why)
	Note       string // why there is none, or why its figures are withheld
	Campaign   string
	Group      string // the peer group in words
	Peers      int
	MinPeers   int
	Enough     bool
	Named      bool
	Threats    []benchmarkRow
	Dimensions []benchmarkRow
}

// benchmarkRow is one threat or dimension of the benchmark, its figures
// worded; an empty figure is shown as a dash.
type benchmarkRow struct {
	ID, Name           string
	Own                string
	Q1, Median, Q3     string
	Range              string // lowest–highest, for visitors who see every peer
	Count              int
	Peers              []benchmarkPeer
	HasFigures, Hidden bool // Hidden: the line has too few peers to be shown
}

// benchmarkPeer is one named peer's figure.
type benchmarkPeer struct {
	ProviderID, Name, Value string
}

// providerBenchmark reads the benchmark of the provider in the campaign the
// address names (else its latest) and words it for the visitor.
func (ui *UI) providerBenchmark(r *http.Request, v *visit, providerID string) (*benchmarkView, error) {
	campaign := r.URL.Query().Get("campaign")
	b, err := ui.app.Benchmark(r.Context(), v.actor, providerID, campaign)
	switch {
	case domain.ErrorCodeOf(err) == domain.ENotFound && campaign != "":
		return &benchmarkView{Note: v.T("There is no peer benchmark: the provider has no assessment in this campaign.")}, nil
	case domain.ErrorCodeOf(err) == domain.ENotFound:
		return &benchmarkView{Note: v.T("There is no peer benchmark yet: the provider has taken part in no campaign.")}, nil
	case err != nil:
		return nil, err
	}
	return benchmarkViewOf(b, v.printer), nil
}

// benchmarkTable is what the table template of one part of the benchmark
// receives.
type benchmarkTable struct {
	Page              *page
	ID, Caption, What string
	Named             bool
	Rows              []benchmarkRow
}

// Table hands the table template one part of the benchmark.
func (b *benchmarkView) Table(p *page, id, caption, what string, rows []benchmarkRow) benchmarkTable {
	return benchmarkTable{Page: p, ID: id, Caption: caption, What: what, Named: b.Named, Rows: rows}
}

func benchmarkViewOf(b app.Benchmark, p printer) *benchmarkView {
	bv := &benchmarkView{Shown: true, Campaign: b.CampaignName, Peers: b.Peers, MinPeers: domain.MinPeers,
		Enough: b.Enough, Named: b.Named}
	switch b.Grouping {
	case domain.GroupByKind:
		bv.Group = p.T("%s, any tier", p.ProviderKindName(b.Kind))
	case domain.GroupByTier:
		bv.Group = p.T("%s, any kind", p.ProviderTierName(b.Tier))
	default:
		bv.Group = p.T("%s, %s", p.ProviderKindName(b.Kind), p.ProviderTierName(b.Tier))
	}
	switch {
	case !b.Enough && !b.Named:
		bv.Note = p.T("Too few peers with filings (%d of %d needed).", b.Peers, domain.MinPeers)
		return bv
	case !b.Enough:
		bv.Note = p.T("Fewer than %d peers with filings: the provider's own users see none of these figures.", domain.MinPeers)
	}
	score := func(f float64) string { return scoreWords(p, f) }
	percent := func(f float64) string { return percentOf(f) }
	for _, l := range b.Threats {
		bv.Threats = append(bv.Threats, benchmarkRowOf(l, b.Named, score))
	}
	for _, l := range b.Dimensions {
		bv.Dimensions = append(bv.Dimensions, benchmarkRowOf(l, b.Named, percent))
	}
	return bv
}

// scoreWords writes a residual score, or a quartile of scores, with as
// few decimals as it needs: quartiles of whole scores fall on quarters.
func scoreWords(p printer, f float64) string {
	switch {
	case f == math.Trunc(f):
		return p.Decimal(f, 0)
	case f*2 == math.Trunc(f*2):
		return p.Decimal(f, 1)
	}
	return p.Decimal(f, 2)
}

func benchmarkRowOf(l app.BenchmarkLine, named bool, word func(float64) string) benchmarkRow {
	row := benchmarkRow{ID: l.ID, Name: l.Name, Count: l.Count, Own: "—", Q1: "—", Median: "—", Q3: "—"}
	if l.Own != nil {
		row.Own = word(*l.Own)
	}
	if q := l.Quartiles; q != nil {
		row.HasFigures = true
		row.Q1, row.Median, row.Q3 = word(q.Q1), word(q.Median), word(q.Q3)
	} else if !named && l.Count > 0 {
		row.Hidden = true
	}
	if l.Min != nil && l.Max != nil {
		row.Range = word(*l.Min) + "–" + word(*l.Max)
	}
	for _, peer := range l.Peers {
		row.Peers = append(row.Peers, benchmarkPeer{ProviderID: peer.ProviderID, Name: peer.Name, Value: word(peer.Value)})
	}
	return row
}
