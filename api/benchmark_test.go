package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
)

// benchmarkBody is the answer of GET /api/v1/providers/{id}/benchmark.
type benchmarkBody struct {
	ProviderID string `json:"provider_id"`
	CampaignID string `json:"campaign_id"`
	PeerGroup  struct {
		Grouping string `json:"grouping"`
		Kind     string `json:"kind"`
		Tier     int    `json:"tier"`
	} `json:"peer_group"`
	Peers      int             `json:"peers"`
	MinPeers   int             `json:"min_peers"`
	Enough     bool            `json:"enough"`
	Threats    []benchmarkLine `json:"threats"`
	Dimensions []benchmarkLine `json:"dimensions"`
}

type benchmarkLine struct {
	ThreatID     string   `json:"threat_id"`
	DimensionID  string   `json:"dimension_id"`
	Own          *float64 `json:"own"`
	Count        int      `json:"count"`
	Q1           *float64 `json:"q1"`
	Median       *float64 `json:"median"`
	Q3           *float64 `json:"q3"`
	Distribution []struct {
		ProviderID   string  `json:"provider_id"`
		ProviderName string  `json:"provider_name"`
		Value        float64 `json:"value"`
	} `json:"distribution"`
}

// peerProvider inserts a provider of a kind and tier and returns its id.
func (s *server) peerProvider(name string, kind domain.ProviderKind, tier int) string {
	s.t.Helper()
	conn, err := pgx.Connect(context.Background(), s.dbURL)
	s.must(err)
	defer conn.Close(context.Background())
	var id string
	s.must(conn.QueryRow(context.Background(), `insert into providers (legal_name, short_name, licence_number, kind, tier)
		values ($1, $1, $1 || '-lic', $2, $3) returning id::text`, name, string(kind), tier).Scan(&id))
	return id
}

// fileWithGaps answers an assessment, its first gaps controls as not
// implemented and the rest as implemented, and files it.
func (s *server) fileWithGaps(admin domain.Actor, assessmentID string, gaps int) {
	s.t.Helper()
	list, _, err := s.db.Responses(ctx0, admin, assessmentID, store.ResponseFilter{}, store.Page{Limit: 500})
	s.must(err)
	updates := make([]store.ResponseUpdate, len(list))
	for i, r := range list {
		in := domain.ResponseInput{Status: domain.Implemented, Narrative: "In place and tested."}
		if i < gaps {
			in = domain.ResponseInput{Status: domain.NotImplemented, RemediationDate: future(90)}
		}
		updates[i] = store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version, Input: in}
	}
	_, err = s.db.SaveResponses(ctx0, admin, assessmentID, updates, "body.responses")
	s.must(err)
	_, err = s.db.Submit(ctx0, admin, assessmentID, attestation)
	s.must(err)
}

// peerCampaign opens one campaign over four filed banks of tier 2, a fifth
// bank of tier 2 still drafting, a filed bank of tier 1, and six filed
// payment service providers of tier 3. It returns the campaign, and the
// provider ids and assessment ids by name.
func peerCampaign(s *server) (string, map[string]string, map[string]string) {
	s.t.Helper()
	type spec struct {
		name  string
		kind  domain.ProviderKind
		tier  int
		gaps  int
		filed bool
	}
	specs := []spec{
		{"Acacia Bank", domain.KindBank, 2, 0, true}, {"Baobab Bank", domain.KindBank, 2, 25, true},
		{"Cypress Bank", domain.KindBank, 2, 50, true}, {"Douglas Bank", domain.KindBank, 2, 75, true},
		{"Ebony Bank", domain.KindBank, 2, 0, false}, {"Ficus Bank", domain.KindBank, 1, 40, true},
		{"Ginkgo Pay", domain.KindPSP, 3, 0, true}, {"Hazel Pay", domain.KindPSP, 3, 15, true},
		{"Iroko Pay", domain.KindPSP, 3, 30, true}, {"Juniper Pay", domain.KindPSP, 3, 45, true},
		{"Kapok Pay", domain.KindPSP, 3, 60, true}, {"Linden Pay", domain.KindPSP, 3, 90, true},
	}
	ids := map[string]string{}
	var list []string
	for _, p := range specs {
		ids[p.name] = s.peerProvider(p.name, p.kind, p.tier)
		list = append(list, ids[p.name])
	}
	c, assessments := s.openCampaign(s.supervisorActor(), list...)
	byName := map[string]string{}
	for _, p := range specs {
		byName[p.name] = assessments[ids[p.name]].ID
		if p.filed {
			s.fileWithGaps(actorOf(s.user(domain.RoleProviderAdmin, ids[p.name])), byName[p.name], p.gaps)
		}
	}
	return c.ID, ids, byName
}

// leaks returns the names and ids of the providers other than own that body holds.
func leaks(body []byte, own string, ids map[string]string) []string {
	var out []string
	for name, id := range ids {
		if id == own {
			continue
		}
		if strings.Contains(string(body), name) || strings.Contains(string(body), id) {
			out = append(out, name)
		}
	}
	return out
}

func TestBenchmarkKeepsPeersAnonymous(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	campaign, ids, assessments := peerCampaign(s)
	path := func(name string) string { return "/api/v1/providers/" + ids[name] + "/benchmark" }
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	auditor := s.as(s.tokenFor(s.user(domain.RoleAuditor, "")))

	t.Run("a provider among four filed peers sees no figures", func(t *testing.T) {
		editor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, ids["Acacia Bank"])))
		r := editor.get(path("Acacia Bank"))
		var b benchmarkBody
		jsonInto(t, r, &b)
		if b.Peers != 4 || b.Enough || b.MinPeers != 5 || len(b.Threats) != 0 || len(b.Dimensions) != 0 {
			t.Errorf("%d peers, enough %v, %d threats, %d dimensions; want 4 peers and nothing more", b.Peers, b.Enough,
				len(b.Threats), len(b.Dimensions))
		}
		if b.PeerGroup.Grouping != "kind_tier" || b.PeerGroup.Kind != "bank" || b.PeerGroup.Tier != 2 || b.CampaignID != campaign {
			t.Errorf("peer group %+v in campaign %s", b.PeerGroup, b.CampaignID)
		}
		if l := leaks(r.body, ids["Acacia Bank"], ids); len(l) > 0 {
			t.Errorf("the answer names %v: %s", l, r.body)
		}
	})

	t.Run("a provider among six filed peers sees its figures and the quartiles only", func(t *testing.T) {
		editor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, ids["Iroko Pay"])))
		r := editor.get(path("Iroko Pay") + "?campaign=" + campaign)
		var b benchmarkBody
		jsonInto(t, r, &b)
		if b.Peers != 6 || !b.Enough || len(b.Threats) == 0 || len(b.Dimensions) == 0 {
			t.Fatalf("%d peers, enough %v, %d threats, %d dimensions", b.Peers, b.Enough, len(b.Threats), len(b.Dimensions))
		}
		if l := leaks(r.body, ids["Iroko Pay"], ids); len(l) > 0 {
			t.Errorf("the answer names %v: %s", l, r.body)
		}
		if strings.Contains(string(r.body), "distribution") {
			t.Errorf("a provider's user got the distribution: %.300s", r.body)
		}
		// The quartiles are those of the values the supervisor sees.
		var full benchmarkBody
		jsonInto(t, sup.get(path("Iroko Pay")), &full)
		shown := 0
		for i, l := range b.Threats {
			f := full.Threats[i]
			var values []float64
			for _, d := range f.Distribution {
				values = append(values, d.Value)
			}
			q, ok := domain.QuartilesOf(values)
			switch {
			case l.ThreatID != f.ThreatID || l.Count != len(values):
				t.Errorf("line %d: %s of %d, the supervisor's %s of %d", i, l.ThreatID, l.Count, f.ThreatID, len(values))
			case domain.EnoughPeers(len(values)) != (l.Median != nil):
				t.Errorf("%s: median %v with %d peers", l.ThreatID, l.Median, len(values))
			case ok && l.Median != nil && (!near(*l.Q1, q.Q1) || !near(*l.Median, q.Median) || !near(*l.Q3, q.Q3)):
				t.Errorf("%s: %v %v %v, want %+v of %v", l.ThreatID, *l.Q1, *l.Median, *l.Q3, q, values)
			}
			if l.Median != nil {
				shown++
			}
			if (l.Own == nil) != (f.Own == nil) || l.Own != nil && *l.Own != *f.Own {
				t.Errorf("%s: own %v, the supervisor sees %v", l.ThreatID, l.Own, f.Own)
			}
		}
		if shown == 0 {
			t.Error("no threat shows quartiles")
		}
	})

	t.Run("supervisors and auditors see every peer by name", func(t *testing.T) {
		for _, c := range []*client{sup, auditor} {
			r := c.get(path("Acacia Bank"))
			var b benchmarkBody
			jsonInto(t, r, &b)
			if b.Peers != 4 || b.Enough || len(b.Threats) == 0 {
				t.Fatalf("%d peers, enough %v, %d threats", b.Peers, b.Enough, len(b.Threats))
			}
			for _, name := range []string{"Baobab Bank", "Cypress Bank", "Douglas Bank"} {
				if !strings.Contains(string(r.body), name) {
					t.Errorf("the distribution lacks %s", name)
				}
			}
			for _, name := range []string{"Ebony Bank", "Ficus Bank", "Ginkgo Pay"} {
				if strings.Contains(string(r.body), name) {
					t.Errorf("%s is no peer of Acacia Bank but is in the distribution", name)
				}
			}
			full := 0
			for _, l := range b.Threats {
				if len(l.Distribution) == 4 && l.Median != nil {
					full++
				}
			}
			if full == 0 {
				t.Error("no threat has all four peers with the quartiles")
			}
		}
	})

	t.Run("another provider's benchmark is not found", func(t *testing.T) {
		editor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, ids["Acacia Bank"])))
		wantProblem(t, editor.get(path("Baobab Bank")), http.StatusNotFound)
		wantProblem(t, sup.get(path("Acacia Bank")+"?campaign=00000000-0000-0000-0000-000000000000"), http.StatusNotFound)
	})

	t.Run("the assessment report holds to the same rule, whoever exports it", func(t *testing.T) {
		report := func(c *client, name string) string {
			t.Helper()
			r := c.get("/api/v1/reports/assessments/" + assessments[name] + ".pdf")
			if r.status != http.StatusOK {
				t.Fatalf("report of %s: %d %.300s", name, r.status, r.body)
			}
			return pdfText(t, r.body)
		}
		acacia := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, ids["Acacia Bank"])))
		few := report(acacia, "Acacia Bank")
		if !strings.Contains(few, "Peer benchmark") || !strings.Contains(few, "Too few peers with filings (4 of 5") ||
			strings.Contains(few, "First quartile") {
			t.Errorf("Acacia Bank's report does not say its group is too small")
		}
		iroko := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, ids["Iroko Pay"])))
		for _, text := range []string{report(iroko, "Iroko Pay"), report(sup, "Iroko Pay")} {
			if !strings.Contains(text, "Residual score by threat among peers") || !strings.Contains(text, "Median") {
				t.Errorf("Iroko Pay's report has no peer figures")
			}
			if l := leaks([]byte(text), ids["Iroko Pay"], ids); len(l) > 0 {
				t.Errorf("Iroko Pay's report names %v", l)
			}
		}
	})

	t.Run("the peer grouping is a setting", func(t *testing.T) {
		admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
		wantProblem(t, admin.get(path("Acacia Bank")), http.StatusForbidden)
		var settings struct {
			PeerGrouping string `json:"peer_grouping"`
		}
		admin.getJSON("/api/v1/settings", &settings)
		if settings.PeerGrouping != "kind_tier" {
			t.Errorf("default grouping %q", settings.PeerGrouping)
		}
		admin.json(http.MethodPut, "/api/v1/settings", map[string]any{"totp_required_roles": []string{}, "four_eyes": true,
			"peer_grouping": "kind"}, http.StatusOK, &settings)
		defer admin.json(http.MethodPut, "/api/v1/settings", map[string]any{"totp_required_roles": []string{}, "four_eyes": true},
			http.StatusOK, &settings)
		// Acacia Bank's group now takes in Ficus Bank, of tier 1: five filed banks.
		editor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, ids["Acacia Bank"])))
		r := editor.get(path("Acacia Bank"))
		var b benchmarkBody
		jsonInto(t, r, &b)
		if b.Peers != 5 || !b.Enough || b.PeerGroup.Grouping != "kind" || b.PeerGroup.Tier != 0 || len(b.Threats) == 0 {
			t.Errorf("grouped by kind: %d peers, enough %v, group %+v", b.Peers, b.Enough, b.PeerGroup)
		}
		if l := leaks(r.body, ids["Acacia Bank"], ids); len(l) > 0 {
			t.Errorf("the answer names %v", l)
		}
		wantProblem(t, admin.do(http.MethodPut, "/api/v1/settings", map[string]any{"totp_required_roles": []string{},
			"four_eyes": true, "peer_grouping": "region"}), http.StatusUnprocessableEntity)
	})
}

// near compares figures the API rounds to four decimals.
func near(a, b float64) bool { return a-b < 1e-3 && b-a < 1e-3 }
