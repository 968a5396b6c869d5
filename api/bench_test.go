package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"assure/domain"
	"assure/store"
)

// benchSector seeds a sector of n providers with answered assessments in
// one open campaign. Providers and answers are written in bulk by SQL (they
// are the setting, not the subject); the campaign is opened and the scores
// rebuilt through the store, as in production.
func benchSector(b *testing.B, n int) (*server, string, string) {
	b.Helper()
	s := newServer(b)
	s.exec(`insert into providers (legal_name, short_name, licence_number, kind, tier, channels)
		select 'Provider ' || g, 'P' || lpad(g::text, 5, '0'), 'LIC-' || g,
			(array['bank','mobile_money_operator','psp','emi','mfi','fintech','agent_network','payment_switch'])[1 + g % 8],
			1 + g % 3,
			case g % 4 when 0 then array['app','cards'] when 1 then array['ussd','agents']
				when 2 then array['open_api','qr'] else array['app','ussd','sms'] end
		from generate_series(1, $1) g`, n)
	sup := s.supervisorActor()
	c, err := s.db.CreateCampaign(ctx0, sup, domain.Campaign{Name: "Bench", FrameworkID: "x1150",
		Kinds: nil, OpensAt: domain.Today().AddDays(-1), DueAt: domain.Today().AddDays(30)})
	s.must(err)
	start := time.Now()
	_, err = s.db.OpenCampaign(ctx0, sup, c.ID)
	s.must(err)
	b.Logf("opened a campaign over %d providers in %v", n, time.Since(start).Round(time.Millisecond))
	s.exec(`update responses set
		status = (array['implemented','implemented','partial','not_implemented','not_applicable'])[1 + abs(hashtext(assessment_id::text || control_id)) % 5],
		narrative = 'Answered.', justification = 'Not ours.',
		remediation_date = current_date + 90,
		verdict = (array[null, 'accepted', 'accepted', 'rejected'])[1 + abs(hashtext(control_id || assessment_id::text)) % 4]`)
	start = time.Now()
	_, err = s.db.RebuildScores(ctx0, sup, c.ID)
	s.must(err)
	b.Logf("rebuilt the scores in %v", time.Since(start).Round(time.Millisecond))
	token := s.tokenFor(s.user(domain.RoleSupervisor, ""))
	return s, c.ID, token
}

// BenchmarkSectorHeatmap reports the latency of the sector risk heatmap
// through the whole HTTP handler (authentication included) next to the
// latency of the one SQL query it runs, interleaved so both see the same
// machine. The ratio is the figure to watch.
func BenchmarkSectorHeatmap(b *testing.B) {
	s, campaign, token := benchSector(b, 2000)
	path := "/api/v1/heatmaps/risk?basis=current&campaign=" + campaign
	c := s.as(token)
	actor := s.supervisorActor()
	var handler, query time.Duration
	for b.Loop() {
		t0 := time.Now()
		r := c.get(path)
		t1 := time.Now()
		m, err := s.db.SectorRiskMatrix(ctx0, actor, campaign, store.SectorFilter{Basis: store.BasisCurrent}, false)
		t2 := time.Now()
		if r.status != http.StatusOK || err != nil || m.Providers != 2000 {
			b.Fatalf("heatmap = %d %v (%d providers)", r.status, err, m.Providers)
		}
		handler, query = handler+t1.Sub(t0), query+t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(handler.Microseconds())/n/1000, "handler-ms/op")
	b.ReportMetric(float64(query.Microseconds())/n/1000, "query-ms/op")
	b.ReportMetric(float64(handler)/float64(query), "handler/query")
}

// BenchmarkResponseWrite reports the cost of saving one response, score
// maintenance included, in a sector of 2,000 providers: through the store,
// and through the HTTP handler.
func BenchmarkResponseWrite(b *testing.B) {
	s, campaign, token := benchSector(b, 2000)
	sup := s.supervisorActor()
	list, _, err := s.db.Assessments(ctx0, sup, store.AssessmentFilter{CampaignID: campaign}, store.Page{Limit: 1})
	s.must(err)
	a := list[0]
	editor := s.user(domain.RoleProviderEditor, a.ProviderID)
	r, err := s.db.Response(ctx0, actorOf(editor), a.ID, "C1")
	s.must(err)
	statuses := []domain.ResponseStatus{domain.Implemented, domain.Partial}
	b.Run("store", func(b *testing.B) {
		i := 0
		for b.Loop() {
			in := domain.ResponseInput{Status: statuses[i%2], Narrative: fmt.Sprint("n", i), RemediationDate: future(30)}
			r, err = s.db.SaveResponse(ctx0, actorOf(editor), a.ID, "C1", in, r.Version)
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	c := s.as(s.tokenFor(editor))
	_ = token
	b.Run("http", func(b *testing.B) {
		i := 0
		for b.Loop() {
			res := c.do(http.MethodPut, "/api/v1/assessments/"+a.ID+"/responses/C1",
				map[string]any{"status": statuses[i%2], "narrative": fmt.Sprint("h", i), "remediation_date": future(30)},
				"If-Match", fmt.Sprintf(`"%d"`, r.Version))
			if res.status != http.StatusOK {
				b.Fatalf("put = %d %s", res.status, res.body)
			}
			r.Version++
			i++
		}
	})
}
