package api_test

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"assure/api"
	"assure/domain"
)

// sector is two providers in one campaign: a tier-1 bank that filed and a
// mobile money operator still in draft.
type sector struct {
	s             *server
	sup           *client
	campaign      string
	bank, mmo     string
	bankA, mmoA   string
	bankEditor    *client
	mmoEditor     *client
	bankResponses []api.Response
}

func newSector(t *testing.T) *sector {
	s := newServer(t)
	x := &sector{s: s, sup: s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))}
	var bank, mmo api.Provider
	x.sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Banco de Crédito", "short_name": "BdC",
		"licence_number": "B-1", "kind": "bank", "tier": 1, "channels": []string{"app", "cards"}}, http.StatusCreated, &bank)
	x.sup.json(http.MethodPost, "/api/v1/providers", map[string]any{"legal_name": "Mobile Money Co", "short_name": "MoMo",
		"licence_number": "M-2", "kind": "mobile_money_operator", "tier": 2, "channels": []string{"ussd", "agents"}},
		http.StatusCreated, &mmo)
	x.bank, x.mmo = bank.ID, mmo.ID
	var c api.Campaign
	x.sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "2027 H1", "framework": "x1150",
		"provider_ids": []string{x.bank, x.mmo}, "opens_at": future(-1), "due_at": future(30)}, http.StatusCreated, &c)
	x.sup.openCampaign(c.ID)
	x.campaign = c.ID
	var list listOfAssessments
	x.sup.getJSON("/api/v1/assessments?campaign="+c.ID, &list)
	for _, a := range list.Items {
		if a.ProviderID == x.bank {
			x.bankA = a.ID
		} else {
			x.mmoA = a.ID
		}
	}
	bankAdmin := s.user(domain.RoleProviderAdmin, x.bank)
	x.bankEditor = s.as(s.tokenFor(s.user(domain.RoleProviderEditor, x.bank)))
	x.mmoEditor = s.as(s.tokenFor(s.user(domain.RoleProviderEditor, x.mmo)))

	// The bank answers: a mix, and files.
	x.bankResponses = readAll[api.Response](x.bankEditor, "/api/v1/assessments/"+x.bankA+"/responses")
	var bulk []map[string]any
	for i, r := range x.bankResponses {
		item := map[string]any{"control_id": r.ControlID, "version": r.Version}
		switch i % 4 {
		case 0, 1:
			item["status"], item["narrative"] = "implemented", "In place."
		case 2:
			item["status"], item["remediation_date"] = "partial", future(60)
		default:
			item["status"], item["remediation_date"] = "not_implemented", future(90)
		}
		bulk = append(bulk, item)
	}
	x.bankEditor.json(http.MethodPut, "/api/v1/assessments/"+x.bankA+"/responses", map[string]any{"responses": bulk}, http.StatusOK, nil)
	s.as(s.tokenFor(bankAdmin)).json(http.MethodPost, "/api/v1/assessments/"+x.bankA+"/submit",
		map[string]any{"attestation": attestation}, http.StatusOK, nil)
	return x
}

type listOfAssessments = list[api.Assessment]

func TestProviderRiskRegister(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	var r api.ProviderRisk
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk?campaign="+x.campaign, &r)
	if r.Basis != "filed" || r.Source != "submitted" || r.Submission != 1 || r.Tier != 1 || len(r.Threats) != 17 {
		t.Fatalf("register = %+v", r)
	}
	// Every number is explained by what produced it.
	for _, th := range r.Threats {
		if !th.Applicable {
			continue
		}
		// Coverage = Σ weight × credit / Σ weight, capped while a key control earns nothing;
		// L1 rounds up; the impact loses the levels of its resilience rules.
		var credit, weight int64
		for _, c := range th.Controls {
			if c.Counted {
				credit += int64(c.Weight) * int64(math.Round(c.Effectiveness*domain.Unit))
				weight += int64(c.Weight) * domain.Unit
			}
		}
		num, den := credit, weight
		if th.Cap != nil {
			if len(th.KeyMissing) == 0 || credit*100 <= int64(*th.Cap)*weight {
				t.Errorf("%s is capped without cause: %+v", th.ThreatID, th)
			}
			num, den = int64(*th.Cap), 100
		}
		l1 := domain.ResidualLikelihood(th.Inherent.Likelihood, num, den)
		i1 := th.Inherent.Impact
		for _, red := range th.Reductions {
			i1 -= red.Levels
		}
		i1 = max(i1, 1)
		// No profile is stated: every driver but the channels (known from the register entry) is "not stated",
		// and the impact is the default (tier counts no more).
		for _, d := range th.Inherent.Drivers {
			if d.Stated != (d.Measure == "channels") {
				t.Errorf("%s driver %s stated = %v without a profile", th.ThreatID, d.Measure, d.Stated)
			}
		}
		if th.Inherent.Impact != th.Inherent.DefaultImpact || th.Residual.Likelihood != l1 || th.Residual.Impact != i1 ||
			th.Residual.Score != l1*i1 || th.Residual.Level != string(domain.LevelOf(l1*i1)) {
			t.Errorf("%s does not follow from its inputs: %+v", th.ThreatID, th)
		}
	}
	if r.Method != domain.RiskMethod || r.Calibration != "x1150-risk@1.0" || r.Profile != "" {
		t.Errorf("method %q calibration %q profile %q", r.Method, r.Calibration, r.Profile)
	}
	total := 0
	for _, c := range r.Residual {
		total += c.Count
	}
	applicable := 0
	for _, th := range r.Threats {
		if th.Applicable {
			applicable++
		}
	}
	if total != applicable || len(r.Residual) != 25 {
		t.Errorf("matrix holds %d threats in %d cells, %d apply", total, len(r.Residual), applicable)
	}
	if r.Compliance.Overall == nil || *r.Compliance.Overall <= 0 || *r.Compliance.Overall >= 1 || len(r.Compliance.Dimensions) != 8 ||
		len(r.Compliance.Stages) != 5 || len(r.Compliance.AuditGroups) != 6 {
		t.Errorf("compliance = %+v", r.Compliance)
	}

	// The draft provider's numbers come from its draft; there is no filing yet.
	var d api.ProviderRisk
	x.sup.getJSON("/api/v1/providers/"+x.mmo+"/risk", &d)
	if d.Basis != "current" || d.Source != "draft" || d.Compliance.Overall == nil || *d.Compliance.Overall != 0 {
		t.Errorf("draft register = %+v", d)
	}
	wantProblem(t, x.sup.get("/api/v1/providers/"+x.mmo+"/risk?basis=filed"), http.StatusConflict)

	// A supervisor's override changes the inherent and residual values, with its reason shown.
	x.sup.json(http.MethodPut, "/api/v1/providers/"+x.bank+"/risk/overrides/T1",
		map[string]any{"likelihood": 5, "impact": 2, "reason": "Account takeovers reported in 2026"}, http.StatusNoContent, nil)
	var o api.ProviderRisk
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk", &o)
	t1 := o.Threats[0]
	if t1.Inherent.Likelihood != 5 || t1.Inherent.Impact != 2 || t1.Inherent.Override == nil ||
		t1.Inherent.Override.Reason != "Account takeovers reported in 2026" || t1.Residual.Impact != 2 {
		t.Errorf("overridden T1 = %+v", t1)
	}
	var overrides list[api.OverrideEntry]
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk/overrides", &overrides)
	if len(overrides.Items) != 1 || overrides.Items[0].ThreatID != "T1" {
		t.Errorf("overrides = %+v", overrides.Items)
	}
	if x.s.events("risk.override", x.bank) != 1 {
		t.Error("the override is not audited")
	}
	wantProblem(t, x.sup.do(http.MethodPut, "/api/v1/providers/"+x.bank+"/risk/overrides/T1",
		map[string]any{"likelihood": 4, "reason": ""}), http.StatusUnprocessableEntity)
	wantProblem(t, x.sup.do(http.MethodPut, "/api/v1/providers/"+x.bank+"/risk/overrides/T99",
		map[string]any{"likelihood": 4, "reason": "x"}), http.StatusNotFound)
	wantProblem(t, x.bankEditor.do(http.MethodPut, "/api/v1/providers/"+x.bank+"/risk/overrides/T1",
		map[string]any{"likelihood": 1, "reason": "we disagree"}), http.StatusForbidden)
	x.sup.json(http.MethodDelete, "/api/v1/providers/"+x.bank+"/risk/overrides/T1", nil, http.StatusNoContent, nil)
	o = api.ProviderRisk{}
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk", &o)
	if o.Threats[0].Inherent.Override != nil || o.Threats[0].Residual != r.Threats[0].Residual {
		t.Errorf("after removal T1 = %+v", o.Threats[0])
	}

	// Provider users see their own register only.
	x.bankEditor.getJSON("/api/v1/providers/"+x.bank+"/risk", &o)
	wantProblem(t, x.mmoEditor.get("/api/v1/providers/"+x.bank+"/risk"), http.StatusNotFound)
}

func TestSectorHeatmaps(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	var bank api.ProviderRisk
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/risk", &bank)

	// Filed basis: only the bank counts; its cells equal its register.
	var m api.RiskHeatmap
	x.sup.getJSON("/api/v1/heatmaps/risk?campaign="+x.campaign, &m)
	if m.Providers != 1 || m.Missing != 1 || m.Basis != "filed" {
		t.Fatalf("matrix = %+v", m)
	}
	for i, c := range m.Cells {
		if c.Count != bank.Residual[i].Count || c.Likelihood != bank.Residual[i].Likelihood || c.Impact != bank.Residual[i].Impact {
			t.Errorf("cell L%d I%d = %d, the register says %d", c.Likelihood, c.Impact, c.Count, bank.Residual[i].Count)
		}
	}
	var cur api.RiskHeatmap
	x.sup.getJSON("/api/v1/heatmaps/risk?campaign="+x.campaign+"&basis=current", &cur)
	if cur.Providers != 2 || cur.Missing != 0 || cur.Pairs <= m.Pairs {
		t.Errorf("current matrix = %+v", cur)
	}
	var banks api.RiskHeatmap
	x.sup.getJSON("/api/v1/heatmaps/risk?campaign="+x.campaign+"&basis=current&kind=bank&tier=1", &banks)
	if banks.Providers != 1 || banks.Pairs != m.Pairs {
		t.Errorf("bank-only matrix = %+v", banks)
	}
	var inh api.RiskHeatmap
	x.sup.getJSON("/api/v1/heatmaps/risk?campaign="+x.campaign+"&view=inherent", &inh)
	for i, c := range inh.Cells {
		if c.Count != bank.Inherent[i].Count {
			t.Errorf("inherent cell %d = %d, register %d", i, c.Count, bank.Inherent[i].Count)
		}
	}

	// Providers × dimensions and × stages agree with the register.
	var dims api.GridHeatmap
	x.sup.getJSON("/api/v1/heatmaps/dimensions?campaign="+x.campaign+"&basis=current&sort=worst", &dims)
	if len(dims.Items) != 2 || len(dims.Columns) != 8 || dims.Items[0].ProviderID != x.mmo {
		t.Fatalf("dimensions = %+v", dims)
	}
	for i, c := range dims.Items[1].Cells {
		want := bank.Compliance.Dimensions[i].Compliance
		if (c.Compliance == nil) != (want == nil) || (want != nil && *c.Compliance != *want) {
			t.Errorf("%s: heatmap %v, register %v", c.ID, c.Compliance, want)
		}
	}
	var stages api.GridHeatmap
	x.sup.getJSON("/api/v1/heatmaps/stages?campaign="+x.campaign, &stages)
	if len(stages.Items) != 1 || len(stages.Columns) != 5 {
		t.Fatalf("stages = %+v", stages)
	}
	var fw api.Framework
	x.sup.getJSON("/api/v1/frameworks/x1150", &fw)
	threatStages := map[string][]string{}
	for _, th := range readAll[api.Threat](x.sup, "/api/v1/frameworks/x1150/threats") {
		threatStages[th.ID] = th.Stages
	}
	for _, c := range stages.Items[0].Cells {
		worst := ""
		for _, th := range bank.Threats {
			for _, st := range threatStages[th.ThreatID] {
				if th.Applicable && st == c.ID && domain.RiskLevel(th.Residual.Level).Rank() > domain.RiskLevel(worst).Rank() {
					worst = th.Residual.Level
				}
			}
		}
		if c.Level != worst {
			t.Errorf("stage %s = %q, register says %q", c.ID, c.Level, worst)
		}
	}
	// Paging keeps every provider exactly once.
	var page1, page2 api.GridHeatmap
	x.sup.getJSON("/api/v1/heatmaps/dimensions?campaign="+x.campaign+"&basis=current&limit=1", &page1)
	x.sup.getJSON("/api/v1/heatmaps/dimensions?campaign="+x.campaign+"&basis=current&limit=1&cursor="+page1.Next, &page2)
	if len(page1.Items) != 1 || len(page2.Items) != 1 || page2.Next != "" || page1.Items[0].ProviderID == page2.Items[0].ProviderID {
		t.Errorf("pages = %+v / %+v", page1.Items, page2.Items)
	}

	// SVG: by suffix or by Accept, a titled chart without scripts.
	for _, r := range []response{
		x.sup.get("/api/v1/heatmaps/risk.svg?campaign=" + x.campaign),
		x.sup.do(http.MethodGet, "/api/v1/heatmaps/risk?campaign="+x.campaign, nil, "Accept", "image/svg+xml"),
	} {
		body := string(r.body)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "image/svg+xml") ||
			!strings.Contains(body, `role="img"`) || !strings.Contains(body, "<title") || !strings.Contains(body, "Likelihood") ||
			strings.Contains(strings.ToLower(body), "<script") || !strings.Contains(body, "2027 H1") {
			t.Errorf("svg = %d %s %.300s", r.status, r.header.Get("Content-Type"), body)
		}
	}
	svg := string(x.sup.get("/api/v1/heatmaps/dimensions.svg?campaign=" + x.campaign + "&basis=current").body)
	if !strings.Contains(svg, "BdC (tier 1)") || !strings.Contains(svg, "Access control") || !strings.Contains(svg, "%") {
		t.Errorf("dimensions svg lacks its labels: %.400s", svg)
	}
	if r := x.sup.get("/api/v1/heatmaps/stages.svg?campaign=" + x.campaign); r.status != http.StatusOK || !strings.Contains(string(r.body), "Value-chain stage") {
		t.Errorf("stages svg = %d", r.status)
	}
	wantProblem(t, x.sup.get("/api/v1/heatmaps/risk?campaign=00000000-0000-0000-0000-000000000000"), http.StatusNotFound)
	wantProblem(t, x.sup.get("/api/v1/heatmaps/risk"), http.StatusUnprocessableEntity)

	// A provider user's heatmaps hold its own rows and threats only.
	var own api.RiskHeatmap
	x.mmoEditor.getJSON("/api/v1/heatmaps/risk?campaign="+x.campaign+"&basis=current", &own)
	var mmo api.ProviderRisk
	x.mmoEditor.getJSON("/api/v1/providers/"+x.mmo+"/risk", &mmo)
	mine := 0
	for _, th := range mmo.Threats {
		if th.Applicable {
			mine++
		}
	}
	if own.Providers != 1 || own.Pairs != mine {
		t.Errorf("the MMO's matrix counts %d pairs of %d providers; it has %d threats", own.Pairs, own.Providers, mine)
	}
	x.mmoEditor.getJSON("/api/v1/heatmaps/dimensions?campaign="+x.campaign+"&basis=current", &dims)
	if len(dims.Items) != 1 || dims.Items[0].ProviderID != x.mmo {
		t.Errorf("the MMO sees rows %+v", dims.Items)
	}
	if strings.Contains(string(x.mmoEditor.get("/api/v1/heatmaps/dimensions.svg?campaign="+x.campaign+"&basis=current").body), "BdC") {
		t.Error("the MMO's SVG shows the bank")
	}
}

func TestPrioritiesAndTrend(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	var ranking list[api.PriorityEntry]
	x.sup.getJSON("/api/v1/priorities?campaign="+x.campaign, &ranking)
	if len(ranking.Items) != 2 {
		t.Fatalf("ranking = %+v", ranking.Items)
	}
	for i, p := range ranking.Items {
		if p.Rank != i+1 || len(p.TopThreats) != 3 || (p.Filed && len(p.WorstDimensions) != 2) {
			t.Errorf("entry %d = %+v", i, p)
		}
		// Nothing overdue, never inspected on site: risk index × tier weight + 15.
		if !p.FilingOverdue && p.OverdueFindings == 0 && p.Priority != round1(round1(p.RiskIndex*domain.TierWeight(p.Tier))+15) {
			t.Errorf("%s: priority %v is not risk index %v × %v + 15", p.ProviderName, p.Priority, p.RiskIndex, p.TierWeight)
		}
	}
	// The filed provider ranks first, whatever the unfiled one's inherent
	// priority: without a filing there is no compliance to rank by.
	if !ranking.Items[0].Filed || ranking.Items[1].Filed {
		t.Errorf("the ranking does not put the filed provider first: %+v", ranking.Items)
	}
	var unfiled api.PriorityEntry
	for _, p := range ranking.Items {
		if p.ProviderID == x.mmo {
			unfiled = p
		}
	}
	if unfiled.Filed || unfiled.TopThreats[0].Score < 15 {
		t.Errorf("an unfiled provider is not taken at its inherent risk: %+v", unfiled)
	}
	if len(unfiled.WorstDimensions) != 0 {
		t.Errorf("an unfiled provider shows weakest dimensions, as if it had a compliance: %+v", unfiled.WorstDimensions)
	}
	// Overdue findings raise a provider's priority: a critical one a day
	// overdue by 8 × (1 + 1/30) = 8.27, in tenths 8.3.
	before := unfiled.Priority
	var f api.Finding
	x.sup.json(http.MethodPost, "/api/v1/findings", map[string]any{"assessment_id": x.mmoA, "title": "No SIM-swap checks",
		"severity": "critical", "description": "None.", "due_at": future(5)}, http.StatusCreated, &f)
	// Days pass: the finding falls due. The stored ranking row computed when
	// it was raised is stale from the day after its due date, which has come.
	x.s.exec(`update findings set due_at = current_date - 1 where id = $1`, f.ID)
	x.s.exec(`update priorities set stale_from = current_date where provider_id = $1`, x.mmo)
	x.sup.getJSON("/api/v1/priorities?campaign="+x.campaign, &ranking)
	for _, p := range ranking.Items {
		if p.ProviderID == x.mmo && (p.OverdueFindings != 1 || p.Priority != round1(before+8.3)) {
			t.Errorf("after an overdue finding: %+v (before %v)", p, before)
		}
	}
	var page list[api.PriorityEntry]
	x.sup.getJSON("/api/v1/priorities?campaign="+x.campaign+"&limit=1", &page)
	if len(page.Items) != 1 || page.Next == "" || page.Items[0].Rank != 1 {
		t.Errorf("first page = %+v", page)
	}
	next := page.Next
	page = list[api.PriorityEntry]{}
	x.sup.getJSON("/api/v1/priorities?campaign="+x.campaign+"&limit=1&cursor="+next, &page)
	if len(page.Items) != 1 || page.Items[0].Rank != 2 || page.Next != "" {
		t.Errorf("second page = %+v", page)
	}
	x.mmoEditor.getJSON("/api/v1/priorities?campaign="+x.campaign, &ranking)
	if len(ranking.Items) != 1 || ranking.Items[0].ProviderID != x.mmo {
		t.Errorf("a provider user's ranking = %+v", ranking.Items)
	}

	// Trend across two campaigns, oldest first.
	var c2 api.Campaign
	x.sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "2027 H2", "framework": "x1150",
		"provider_ids": []string{x.bank}, "opens_at": future(10), "due_at": future(60)}, http.StatusCreated, &c2)
	x.sup.openCampaign(c2.ID)
	var trend list[api.TrendEntry]
	x.sup.getJSON("/api/v1/providers/"+x.bank+"/trend", &trend)
	if len(trend.Items) != 2 || trend.Items[0].CampaignName != "2027 H1" || trend.Items[0].Basis != "filed" ||
		trend.Items[1].Basis != "current" || trend.Items[0].Compliance == nil || *trend.Items[0].Compliance <= *trend.Items[1].Compliance {
		t.Errorf("trend = %+v", trend.Items)
	}
	wantProblem(t, x.mmoEditor.get("/api/v1/providers/"+x.bank+"/trend"), http.StatusNotFound)
}

func round1(v float64) float64 { return float64(int(v*10+0.5)) / 10 }
