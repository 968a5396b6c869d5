package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"assure/api"
	"assure/domain"
)

func clockOf(i api.Incident, phase string) api.IncidentClock {
	for _, c := range i.Clocks {
		if c.Phase == phase {
			return c
		}
	}
	return api.IncidentClock{}
}

// decode reads an answer's body into v.
func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// TestIncidentReportsThroughTheAPI: a provider reports an incident; 73 hours
// later its intermediate report is overdue for the provider and the
// supervisor alike, and the other provider's users can neither read, list
// nor update it; the late intermediate report is filed as late, a stale
// If-Match is refused, the supervisor asks for more and the provider's final
// report answers it; the supervisor closes it. A report missing what it
// needs is a 422 naming each field.
func TestIncidentReportsThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	now := time.Now().UTC().Truncate(time.Second)
	s.db.SetNow(func() time.Time { return now })
	own, other := s.provider("Able Mobile Money"), s.provider("Baker Bank")
	editor := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, own)))
	rival := s.as(s.tokenFor(s.user(domain.RoleProviderAdmin, other)))
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))

	body := map[string]any{"title": "USSD outage", "detected_at": now.Add(-2 * time.Hour), "classified_at": now.Add(-time.Hour),
		"description": "USSD sessions time out nationwide.", "customers_affected": 250000, "duration_hours": 2,
		"channels": []string{"ussd"}, "services": []string{"p2p_transfers", "cash_in_out"}, "threats": []string{"T6"}}
	var i api.Incident
	r := editor.do(http.MethodPost, "/api/v1/incidents", body)
	if r.status != http.StatusCreated || r.header.Get("ETag") != `"1"` {
		t.Fatalf("report: %d %s %s", r.status, r.header.Get("ETag"), r.body)
	}
	decode(t, r, &i)
	if i.ProviderID != own || !i.Major || !slices.Equal(i.MajorBy, []string{"customers_affected", "services"}) ||
		clockOf(i, "initial").State != "met" || clockOf(i, "intermediate").SecondsLeft != 71*3600 ||
		!slices.Equal(i.Actions, []string{"update", "file_final"}) {
		t.Errorf("reported %+v", i)
	}

	now = now.Add(73 * time.Hour)
	for who, c := range map[string]*client{"provider": editor, "supervisor": sup} {
		var got api.Incident
		c.getJSON("/api/v1/incidents/"+i.ID, &got)
		if ic := clockOf(got, "intermediate"); !got.Overdue || ic.State != "overdue" || ic.SecondsLeft != -2*3600 || !got.AsOf.Equal(now) {
			t.Errorf("the %s reads %+v as of %v", who, ic, got.AsOf)
		}
		var l list[api.Incident]
		c.getJSON("/api/v1/incidents?overdue=true", &l)
		if len(l.Items) != 1 || l.Items[0].ID != i.ID {
			t.Errorf("the %s's overdue list: %+v", who, l.Items)
		}
	}
	var sv api.Incident
	sup.getJSON("/api/v1/incidents/"+i.ID, &sv)
	if !slices.Equal(sv.Actions, []string{"request_information", "close"}) {
		t.Errorf("the supervisor may %v", sv.Actions)
	}

	// The other provider sees nothing of it.
	wantProblem(t, rival.get("/api/v1/incidents/"+i.ID), http.StatusNotFound)
	var theirs list[api.Incident]
	rival.getJSON("/api/v1/incidents", &theirs)
	if len(theirs.Items) != 0 {
		t.Errorf("the other provider lists %+v", theirs.Items)
	}
	wantProblem(t, rival.do(http.MethodPost, "/api/v1/incidents/"+i.ID+"/reports", map[string]any{"phase": "intermediate",
		"description": "Not ours."}), http.StatusNotFound)
	wantProblem(t, rival.do(http.MethodPost, "/api/v1/incidents", map[string]any{"provider_id": own, "title": "Theirs",
		"detected_at": now, "classified_at": now, "description": "x"}), http.StatusNotFound)
	wantProblem(t, editor.do(http.MethodPost, "/api/v1/incidents/"+i.ID+"/close", map[string]any{}), http.StatusForbidden)

	// The late intermediate report.
	update := map[string]any{"phase": "intermediate", "description": "Restored for most regions.", "customers_affected": 250000,
		"duration_hours": 9.5, "channels": []string{"ussd"}, "threats": []string{"T6"}}
	r = editor.do(http.MethodPost, "/api/v1/incidents/"+i.ID+"/reports", update, "If-Match", `"1"`)
	if r.status != http.StatusCreated {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	decode(t, r, &i)
	if ic := clockOf(i, "intermediate"); ic.State != "late" || ic.SecondsLeft != -2*3600 || ic.FiledAt == nil || i.Overdue {
		t.Errorf("after the late update: %+v", ic)
	}
	wantProblem(t, editor.do(http.MethodPost, "/api/v1/incidents/"+i.ID+"/reports", update, "If-Match", `"1"`), http.StatusPreconditionFailed)
	var none list[api.Incident]
	sup.getJSON("/api/v1/incidents?overdue=true", &none)
	if len(none.Items) != 0 {
		t.Errorf("still overdue: %+v", none.Items)
	}

	// A request, answered by the final report; then closing.
	sup.json(http.MethodPost, "/api/v1/incidents/"+i.ID+"/request-information", map[string]any{"comment": "Which regions stayed down?"},
		http.StatusOK, &i)
	if i.Status != "information_requested" || i.PendingRequest == nil || i.PendingRequest.Comment != "Which regions stayed down?" {
		t.Errorf("after the request: %+v", i)
	}
	final := map[string]any{"phase": "final", "description": "Restored everywhere.", "customers_affected": 250000,
		"duration_hours": 11, "channels": []string{"ussd"}, "threats": []string{"T6"}}
	p := wantProblem(t, editor.do(http.MethodPost, "/api/v1/incidents/"+i.ID+"/reports", final), http.StatusUnprocessableEntity)
	got := map[string]bool{}
	for _, e := range p.Errors {
		got[e.Location] = true
	}
	if !got["body.root_cause"] || !got["body.recovery"] {
		t.Errorf("an incomplete final report: %+v", p.Errors)
	}
	final["root_cause"], final["recovery"], final["losses"] = "A failed gateway upgrade.", "Rolled back; sessions replayed.", 120000
	editor.json(http.MethodPost, "/api/v1/incidents/"+i.ID+"/reports", final, http.StatusCreated, &i)
	if i.Status != "final_filed" || i.PendingRequest != nil || clockOf(i, "final").State != "met" {
		t.Errorf("after the final: %+v", i)
	}
	sup.json(http.MethodPost, "/api/v1/incidents/"+i.ID+"/close", map[string]any{}, http.StatusOK, &i)
	if i.Status != "closed" || i.ClosedAt == nil || len(i.Actions) != 0 {
		t.Errorf("after closing: %+v", i)
	}
	var full api.Incident
	editor.getJSON("/api/v1/incidents/"+i.ID, &full)
	if len(full.Reports) != 3 || len(full.Requests) != 1 || full.Requests[0].AnsweredBy != full.Reports[2].ID {
		t.Errorf("on record: %+v / %+v", full.Reports, full.Requests)
	}
	p = wantProblem(t, sup.do(http.MethodPost, "/api/v1/incidents/"+i.ID+"/close", map[string]any{}), http.StatusConflict)
	if p.Detail == "" {
		t.Errorf("closing twice: %+v", p)
	}

	// Problems beside their fields.
	p = wantProblem(t, editor.do(http.MethodPost, "/api/v1/incidents", map[string]any{"title": " ", "detected_at": now,
		"classified_at": now.Add(-time.Minute), "description": "x", "threats": []string{"T99"}}), http.StatusUnprocessableEntity)
	got = map[string]bool{}
	for _, e := range p.Errors {
		got[e.Location] = true
	}
	for _, loc := range []string{"body.title", "body.classified_at", "body.threats[0]"} {
		if !got[loc] {
			t.Errorf("no problem at %s: %+v", loc, p.Errors)
		}
	}
}

// TestIncidentStatisticsAgree: the statistics count the incidents filed by
// threat, channel, kind and month, with each threat's frequency per provider
// supervised; provider users may not read them.
func TestIncidentStatisticsAgree(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	now := time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC)
	s.db.SetNow(func() time.Time { return now })
	a, b := s.provider("Able Bank"), s.provider("Baker Bank")
	ea, eb := s.as(s.tokenFor(s.user(domain.RoleProviderEditor, a))), s.as(s.tokenFor(s.user(domain.RoleProviderEditor, b)))
	report := func(c *client, detected time.Time, threats, channels []string, breach bool) {
		t.Helper()
		c.json(http.MethodPost, "/api/v1/incidents", map[string]any{"title": "Incident", "detected_at": detected,
			"classified_at": detected, "description": "Something happened.", "threats": threats, "channels": channels,
			"data_breach": breach}, http.StatusCreated, nil)
	}
	report(ea, time.Date(2027, 4, 2, 8, 0, 0, 0, time.UTC), []string{"T12", "T17"}, []string{"app"}, true)
	report(ea, time.Date(2027, 5, 9, 8, 0, 0, 0, time.UTC), []string{"T12"}, []string{"app", "web"}, false)
	report(eb, time.Date(2027, 5, 30, 8, 0, 0, 0, time.UTC), []string{"T1"}, []string{"ussd"}, false)

	var st api.IncidentStatistics
	s.reader().getJSON("/api/v1/incident-statistics?from=2027-04-01&to=2027-06-15", &st)
	if st.Total != 3 || st.Major != 2 || st.Providers != 2 || st.WindowFrom != "2026-06-16" || len(st.ByMonth) != 3 {
		t.Errorf("totals: %+v", st)
	}
	counts := func(l []api.IncidentCount) map[string][2]int {
		m := map[string][2]int{}
		for _, c := range l {
			m[c.Key] = [2]int{c.Incidents, c.Major}
		}
		return m
	}
	threats, channels, months := counts(st.ByThreat), counts(st.ByChannel), counts(st.ByMonth)
	if threats["T12"] != [2]int{2, 2} || threats["T17"] != [2]int{1, 1} || threats["T1"] != [2]int{1, 0} || threats["T6"] != [2]int{} {
		t.Errorf("by threat %v", threats)
	}
	if channels["app"] != [2]int{2, 2} || channels["web"] != [2]int{1, 1} || channels["ussd"] != [2]int{1, 0} {
		t.Errorf("by channel %v", channels)
	}
	if months["2027-04"] != [2]int{1, 1} || months["2027-05"] != [2]int{2, 1} || months["2027-06"] != [2]int{} {
		t.Errorf("by month %v", months)
	}
	for _, k := range st.ByKind {
		if k.Key == "bank" && (k.Incidents != 3 || k.Providers != 2) {
			t.Errorf("banks %+v", k)
		}
	}
	for _, f := range st.Frequency {
		if f.ThreatID == "T12" && (f.Incidents != 2 || f.PerProviderYear != 1 || f.ObservedLikelihood != 5 || f.DefaultLikelihood != 3) {
			t.Errorf("T12 %+v", f)
		}
	}
	// By default the twelve months up to today.
	var def api.IncidentStatistics
	s.as(s.tokenFor(s.user(domain.RoleSupervisor, ""))).getJSON("/api/v1/incident-statistics", &def)
	if def.From != "2026-06-16" || def.To != "2027-06-15" || def.Total != 3 {
		t.Errorf("default period %s – %s: %d", def.From, def.To, def.Total)
	}
	wantProblem(t, ea.get("/api/v1/incident-statistics"), http.StatusForbidden)
	p := wantProblem(t, s.reader().get("/api/v1/incident-statistics?from=2027-06-01&to=2027-05-01"), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "query.to" {
		t.Errorf("a period backwards: %+v", p.Errors)
	}
}
