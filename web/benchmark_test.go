package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// peerGroups registers four fintechs of tier 1 and five agent networks of
// tier 3, opens a campaign over them and files every assessment. It returns
// the provider ids and the email of each provider's admin, by name.
func peerGroups(t *testing.T, s *site) (map[string]string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	sup := s.actor("supervisor" + demoDomain)
	groups := []struct {
		kind  domain.ProviderKind
		tier  int
		names []string
	}{
		{domain.KindFintech, 1, []string{"Quokka Fintech", "Raven Fintech", "Stoat Fintech", "Tapir Fintech"}},
		{domain.KindAgentNetwork, 3, []string{"Umber Agents", "Vole Agents", "Wren Agents", "Xerus Agents", "Yak Agents"}},
	}
	ids, admins := map[string]string{}, map[string]string{}
	var all []string
	n := 0
	for _, g := range groups {
		for _, name := range g.names {
			n++
			p, err := s.db.CreateProvider(ctx, sup, domain.Provider{LegalName: name + " Ltd", ShortName: name,
				LicenceNumber: fmt.Sprintf("PEER-%02d", n), Kind: g.kind, Tier: g.tier, Channels: []string{"app"},
				Status: domain.ProviderActive})
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = p.ID
			all = append(all, p.ID)
			admins[name] = fmt.Sprintf("peer%02d-admin@peers.test", n)
			if _, err := s.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: admins[name], Name: name + " admin",
				Role: domain.RoleProviderAdmin, ProviderID: p.ID, Password: demo.Password}); err != nil {
				t.Fatal(err)
			}
		}
	}
	today := domain.Today()
	c, err := s.db.CreateCampaign(ctx, sup, domain.Campaign{Name: "Peer campaign", FrameworkID: "x1150", ProviderIDs: all,
		OpensAt: today.AddDays(-1), DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.OpenCampaign(ctx, sup, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.db.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range list {
		admin := s.actor(admins[a.ProviderName])
		responses, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
			return s.db.Responses(ctx, admin, a.ID, store.ResponseFilter{}, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		var ups []store.ResponseUpdate
		for j, r := range responses {
			in := domain.ResponseInput{Status: domain.Implemented, Narrative: "In place."}
			if j < 12*i {
				in = domain.ResponseInput{Status: domain.NotImplemented, RemediationDate: today.AddDays(90).String()}
			}
			ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version, Input: in})
		}
		if _, err := s.db.SaveResponses(ctx, admin, a.ID, ups, "body.responses"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Submit(ctx, admin, a.ID, domain.Attestation{Name: "Ama Mensah", Position: "CISO",
			Statement: "True and complete."}); err != nil {
			t.Fatal(err)
		}
	}
	return ids, admins
}

func TestProviderPageBenchmark(t *testing.T) {
	s := newSite(t)
	ids, admins := peerGroups(t, s)
	others := func(own string) []string {
		var out []string
		for name, id := range ids {
			if name != own {
				out = append(out, name, id)
			}
		}
		return out
	}

	t.Run("a provider among four filed peers sees that there are too few", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(admins["Quokka Fintech"], demo.Password).want(t, http.StatusOK, "/")
		page := b.get("/providers/" + ids["Quokka Fintech"])
		page.want(t, http.StatusOK, "", `id="benchmark"`, "Peer benchmark", "Too few peers with filings (4 of 5 needed).")
		page.lacks(t, `id="benchmark-threats"`, `id="benchmark-dimensions"`, "First quartile")
		page.lacks(t, others("Quokka Fintech")...)
	})

	t.Run("a provider among five filed peers sees the quartiles and no peer", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(admins["Wren Agents"], demo.Password).want(t, http.StatusOK, "/")
		page := b.get("/providers/" + ids["Wren Agents"])
		page.want(t, http.StatusOK, "", `id="benchmark-threats"`, `id="benchmark-dimensions"`, "<caption>Residual score by threat",
			`<th scope="col">First quartile</th>`, `<th scope="col">Median</th>`, `<th scope="col">Third quartile</th>`,
			"Providers of the group with a filing: 5")
		page.lacks(t, "Too few peers with filings", "Peers, lowest–highest")
		page.lacks(t, others("Wren Agents")...)

		b.post("/language", url.Values{"language": {"fr"}, "next": {"/providers/" + ids["Wren Agents"]}})
		fr := b.get("/providers/" + ids["Wren Agents"])
		fr.want(t, http.StatusOK, "", "Comparaison avec les pairs", "Premier quartile", "Médiane")
		fr.lacks(t, others("Wren Agents")...)
	})

	t.Run("a supervisor sees every peer with its figure", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		page := b.get("/providers/" + ids["Wren Agents"])
		page.want(t, http.StatusOK, "", `id="benchmark-threats"`, "Peers, lowest–highest", "Umber Agents", "Yak Agents",
			`href="/providers/`+ids["Xerus Agents"]+`#benchmark"`)
		page.lacks(t, "Quokka Fintech", "Too few peers with filings")
		small := b.get("/providers/" + ids["Quokka Fintech"])
		small.want(t, http.StatusOK, "", "Fewer than 5 peers with filings: the provider&#39;s own users see none of these figures.",
			"Raven Fintech", "Tapir Fintech")
	})

	t.Run("the settings page chooses the peer grouping", func(t *testing.T) {
		admin := s.newAdmin(t, "peers-admin@regulator.test")
		page := admin.get("/settings")
		page.want(t, http.StatusOK, "/settings", `id="peer-grouping-kind_tier" name="peer_grouping" value="kind_tier" checked`,
			"Providers of the same tier, any kind")
		_, version, err := s.db.Settings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		admin.post("/settings", url.Values{"four_eyes": {"on"}, "peer_grouping": {"region"}, "version": {fmt.Sprint(version)}}).
			want(t, http.StatusUnprocessableEntity, "/settings", "Choose one of the peer groups listed.")
		admin.post("/settings", url.Values{"four_eyes": {"on"}, "peer_grouping": {"tier"}, "version": {fmt.Sprint(version)}}).
			want(t, http.StatusOK, "/settings?done=settings_saved", `id="peer-grouping-tier" name="peer_grouping" value="tier" checked`)
		// Grouped by tier, the campaign's providers of tier 1 are its four fintechs still.
		b := s.browser(t)
		b.signIn(admins["Quokka Fintech"], demo.Password).want(t, http.StatusOK, "/")
		b.get("/providers/"+ids["Quokka Fintech"]).want(t, http.StatusOK, "", "Tier 1 (systemic), any kind",
			"Too few peers with filings (4 of 5 needed).")
	})
}
