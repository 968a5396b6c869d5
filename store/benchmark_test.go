package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// peerSector is a campaign over providers of several kinds and tiers, most
// of them filed, each with a different number of gaps so that their scores
// differ.
type peerSector struct {
	db       *store.DB
	url      string
	sup      domain.Actor
	campaign string
	ids      map[string]string       // provider id by name
	editors  map[string]domain.Actor // a provider_editor of each, by name
	assessed map[string]string       // assessment id by name
}

type peerSpec struct {
	name  string
	kind  domain.ProviderKind
	tier  int
	gaps  int  // controls answered not implemented
	filed bool // submitted, or left a draft
}

// newPeerSector registers the providers, opens one campaign over them and
// files those marked filed.
func newPeerSector(t *testing.T, specs []peerSpec) *peerSector {
	t.Helper()
	ctx := context.Background()
	db, url := storetest.New(t)
	s := &peerSector{db: db, url: url, ids: map[string]string{}, editors: map[string]domain.Actor{},
		assessed: map[string]string{}}
	s.sup = actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	admins := map[string]domain.Actor{}
	var ids []string
	for i, p := range specs {
		exec(t, url, `insert into providers (legal_name, short_name, licence_number, kind, tier) values ($1, $1, $1, $2, $3)`,
			p.name, string(p.kind), p.tier)
		var id string
		if err := queryRow(url, `select id::text from providers where legal_name = $1`, []any{p.name}, &id); err != nil {
			t.Fatal(err)
		}
		s.ids[p.name] = id
		ids = append(ids, id)
		s.editors[p.name] = actorOf(newUser(t, db, fmt.Sprintf("editor%d@peers.test", i), domain.RoleProviderEditor, id))
		admins[p.name] = actorOf(newUser(t, db, fmt.Sprintf("admin%d@peers.test", i), domain.RoleProviderAdmin, id))
	}
	today := domain.Today()
	c, err := db.CreateCampaign(ctx, s.sup, domain.Campaign{Name: "2027 peers", FrameworkID: "x1150", ProviderIDs: ids,
		OpensAt: today.AddDays(-1), DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenCampaign(ctx, s.sup, c.ID); err != nil {
		t.Fatal(err)
	}
	s.campaign = c.ID
	list, _, err := db.Assessments(ctx, s.sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range specs {
		for _, a := range list {
			if a.ProviderID == s.ids[p.name] {
				s.assessed[p.name] = a.ID
			}
		}
		answerWithGaps(t, db, s.editors[p.name], s.assessed[p.name], p.gaps)
		if p.filed {
			if _, err := db.Submit(ctx, admins[p.name], s.assessed[p.name], attestation); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

// answerWithGaps answers every control of an assessment, the first gaps of
// them (in catalog order) as not implemented and the rest as implemented.
func answerWithGaps(t *testing.T, db *store.DB, editor domain.Actor, assessmentID string, gaps int) {
	t.Helper()
	list, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return db.Responses(context.Background(), editor, assessmentID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var ups []store.ResponseUpdate
	for i, r := range list {
		in := implemented("In place since 2025.")
		if i < gaps {
			in = domain.ResponseInput{Status: domain.NotImplemented, RemediationDate: domain.Today().AddDays(90).String()}
		}
		ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version, Input: in})
	}
	if _, err := db.SaveResponses(context.Background(), editor, assessmentID, ups, "body.responses"); err != nil {
		t.Fatal(err)
	}
}

// filedScores reads, behind the store's back, every filed applicable score
// of a threat in the campaign, by provider name.
func (s *peerSector) filedScores(t *testing.T, threat string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for name, id := range s.assessed {
		var score int
		err := queryRow(s.url, `select coalesce((select score::int from threat_risks where assessment_id = $1 and basis = 'filed'
			and threat_id = $2 and applicable), -1)`, []any{id, threat}, &score)
		if err != nil {
			t.Fatal(err)
		}
		if score >= 0 {
			out[name] = float64(score)
		}
	}
	return out
}

func TestBenchmarkGroupsPeers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newPeerSector(t, []peerSpec{
		{"Alder Bank", domain.KindBank, 2, 0, true},
		{"Birch Bank", domain.KindBank, 2, 30, true},
		{"Cedar Bank", domain.KindBank, 2, 60, true},
		{"Dune Bank", domain.KindBank, 2, 10, false}, // a draft: no peer
		{"Elm Bank", domain.KindBank, 1, 20, true},   // another tier
		{"Fir Pay", domain.KindPSP, 2, 40, true},     // another kind
	})
	alder := s.editors["Alder Bank"]
	read := func(actor domain.Actor, name string, g domain.PeerGrouping, named bool) store.Benchmark {
		t.Helper()
		b, err := s.db.Benchmark(ctx, actor, store.BenchmarkQuery{ProviderID: s.ids[name], Grouping: g, Named: named})
		if err != nil {
			t.Fatalf("benchmark of %s by %s: %v", name, g, err)
		}
		return b
	}

	for _, c := range []struct {
		g     domain.PeerGrouping
		peers []string
	}{
		{domain.GroupByKindTier, []string{"Alder Bank", "Birch Bank", "Cedar Bank"}},
		{domain.GroupByKind, []string{"Alder Bank", "Birch Bank", "Cedar Bank", "Elm Bank"}},
		{domain.GroupByTier, []string{"Alder Bank", "Birch Bank", "Cedar Bank", "Fir Pay"}},
	} {
		b := read(s.sup, "Alder Bank", c.g, true)
		if b.Peers != len(c.peers) || !b.Filed || b.CampaignID != s.campaign || b.Kind != domain.KindBank || b.Tier != 2 {
			t.Errorf("%s: %d peers, filed %v, campaign %s, %s tier %d; want %d peers of the campaign", c.g, b.Peers, b.Filed,
				b.CampaignID, b.Kind, b.Tier, len(c.peers))
		}
		if len(b.Threats) != len(b.Framework.Threats) || len(b.Dimensions) != len(b.Framework.Dimensions) {
			t.Fatalf("%s: %d threats and %d dimensions, want every one of the framework", c.g, len(b.Threats), len(b.Dimensions))
		}
		// Every threat's values are the filed applicable scores of the peers.
		scored := 0
		for _, th := range b.Threats {
			if len(th.Values) == len(c.peers) {
				scored++
			}
			all := s.filedScores(t, th.ID)
			var want []float64
			for _, name := range c.peers {
				if v, ok := all[name]; ok {
					want = append(want, v)
				}
			}
			slices.Sort(want)
			if !slices.Equal(th.Values, want) {
				t.Errorf("%s, %s: values %v, want %v", c.g, th.ID, th.Values, want)
			}
			if v, ok := all["Alder Bank"]; ok != (th.Own != nil) || ok && *th.Own != v {
				t.Errorf("%s, %s: own %v, want %v", c.g, th.ID, th.Own, v)
			}
			if len(th.Named) != len(want) {
				t.Errorf("%s, %s: %d named values, want %d", c.g, th.ID, len(th.Named), len(want))
			}
			for i, nv := range th.Named {
				if all[nv.Name] != nv.Value || s.ids[nv.Name] != nv.ProviderID || i > 0 && th.Named[i-1].Value > nv.Value {
					t.Errorf("%s, %s: named %+v is not the provider's filed score, lowest first", c.g, th.ID, th.Named)
				}
			}
		}
		if scored == 0 {
			t.Errorf("%s: no threat applies to every peer; the test checks nothing", c.g)
		}
	}

	// Compliance fractions are credit over weight of the filed dimension rows.
	b := read(s.sup, "Alder Bank", domain.GroupByKindTier, false)
	for _, d := range b.Dimensions {
		var credit, weight int64
		if err := queryRow(s.url, `select credit, weight from compliance_scores where assessment_id = $1 and basis = 'filed'
			and facet = 'dimension' and key = $2`, []any{s.assessed["Cedar Bank"], d.ID}, &credit, &weight); err != nil {
			t.Fatal(err)
		}
		if weight > 0 && !slices.Contains(d.Values, float64(credit)/float64(weight)) {
			t.Errorf("%s: values %v lack Cedar Bank's %d/%d", d.ID, d.Values, credit, weight)
		}
		if len(d.Named) != 0 {
			t.Errorf("%s: named values that were not asked for", d.ID)
		}
	}
	if spread := b.Dimensions[0].Values; len(spread) != 3 || spread[0] == spread[2] {
		t.Errorf("the banks' compliance in %s does not differ: %v", b.Dimensions[0].ID, spread)
	}

	// A provider's user reads its own group, never a peer's name.
	mine := read(alder, "Alder Bank", domain.GroupByKindTier, true)
	if mine.Peers != 3 {
		t.Errorf("the provider's user counts %d peers, want 3", mine.Peers)
	}
	for _, th := range mine.Threats {
		if th.Named != nil {
			t.Fatalf("%s: a provider's user got named values %+v", th.ID, th.Named)
		}
	}
	// … and not another provider's benchmark.
	_, err := s.db.Benchmark(ctx, alder, store.BenchmarkQuery{ProviderID: s.ids["Birch Bank"], Grouping: domain.GroupByKindTier})
	wantCode(t, "another provider's benchmark", err, domain.ENotFound)

	// A provider that has not filed has no figures of its own and is no peer.
	dune := read(s.sup, "Dune Bank", domain.GroupByKindTier, true)
	if dune.Filed || dune.Peers != 3 {
		t.Errorf("the draft: filed %v, %d peers; want not filed among 3", dune.Filed, dune.Peers)
	}
	for _, th := range dune.Threats {
		if th.Own != nil {
			t.Errorf("%s: the draft has a filed score %v", th.ID, *th.Own)
		}
	}

	// The campaign can be named; an unknown one has no assessment of the provider.
	if b, err := s.db.Benchmark(ctx, s.sup, store.BenchmarkQuery{ProviderID: s.ids["Fir Pay"], CampaignID: s.campaign,
		Grouping: domain.GroupByKindTier}); err != nil || b.Peers != 1 {
		t.Errorf("Fir Pay in the campaign: %d peers, %v", b.Peers, err)
	}
	_, err = s.db.Benchmark(ctx, s.sup, store.BenchmarkQuery{ProviderID: s.ids["Fir Pay"],
		CampaignID: "00000000-0000-0000-0000-000000000000", Grouping: domain.GroupByKindTier})
	wantCode(t, "a campaign without the provider", err, domain.ENotFound)
	_, err = s.db.Benchmark(ctx, s.sup, store.BenchmarkQuery{ProviderID: s.ids["Fir Pay"], Grouping: "region"})
	wantCode(t, "an unknown grouping", err, domain.EInvalid)
}

func TestSettingsKeepThePeerGrouping(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := storetest.New(t)
	s, version, err := db.Settings(ctx)
	if err != nil || s.PeerGrouping != domain.GroupByKindTier {
		t.Fatalf("fresh settings group peers by %q (%v), want kind_tier", s.PeerGrouping, err)
	}
	s.PeerGrouping = domain.GroupByTier
	if _, err := db.UpdateSettings(ctx, domain.System("test"), s, version); err != nil {
		t.Fatal(err)
	}
	if after, _, err := db.Settings(ctx); err != nil || after.PeerGrouping != domain.GroupByTier {
		t.Errorf("saved grouping %q, %v", after.PeerGrouping, err)
	}
	s.PeerGrouping = "region"
	_, err = db.UpdateSettings(ctx, domain.System("test"), s, 0)
	wantCode(t, "an unknown grouping", err, domain.EInvalid)
}
