package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"assure/domain"
)

// TestUpdateCampaignSeries: a supervisor changes a series' name, period and
// due offset against its ETag; the campaign it made already keeps its name
// and dates, the next ones follow the change, and the change is audited. A
// stale ETag is 412, fields out of bounds or a schedule whose next campaign
// would open in the past are 422 beside their fields, and provider users
// and auditors may not change a series.
func TestUpdateCampaignSeries(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	type series struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		EveryMonths  int    `json:"every_months"`
		FirstOpensOn string `json:"first_opens_on"`
		DueAfterDays int    `json:"due_after_days"`
		NextOpensOn  string `json:"next_opens_on"`
		Campaigns    int    `json:"campaigns"`
		Version      int    `json:"version"`
	}
	var created series
	sup.json(http.MethodPost, "/api/v1/campaign-series", map[string]any{"name": "Yearly check", "framework": "x1150",
		"every_months": 12, "first_opens_on": future(5), "due_after_days": 60}, http.StatusCreated, &created)
	// The draft of occurrence 0 is made now, its lead time having begun.
	if run, err := s.app.RunCampaignSeries(ctx, domain.Today()); err != nil || len(run.Made) != 1 {
		t.Fatalf("series run = %+v, %v", run, err)
	}
	path := "/api/v1/campaign-series/" + created.ID
	var before series
	sup.getJSON(path, &before)

	r := sup.do(http.MethodPatch, path, map[string]any{"name": "Half-yearly check", "every_months": 6, "due_after_days": 45},
		"If-Match", fmt.Sprintf(`"%d"`, before.Version))
	var after series
	jsonInto(t, r, &after)
	first, _ := domain.ParseDate(created.FirstOpensOn)
	if r.status != http.StatusOK || r.header.Get("ETag") != fmt.Sprintf(`"%d"`, before.Version+1) || after.Name != "Half-yearly check" ||
		after.EveryMonths != 6 || after.DueAfterDays != 45 || after.FirstOpensOn != created.FirstOpensOn ||
		after.NextOpensOn != first.AddMonths(6).String() || after.Campaigns != 1 {
		t.Fatalf("PATCH = %d %s: %+v", r.status, r.header.Get("ETag"), after)
	}
	var made struct {
		Items []struct {
			Name    string `json:"name"`
			OpensAt string `json:"opens_at"`
			DueAt   string `json:"due_at"`
		} `json:"items"`
	}
	sup.getJSON(path+"/campaigns", &made)
	if len(made.Items) != 1 || made.Items[0].Name != "Yearly check "+first.Time().Format("2006") ||
		made.Items[0].DueAt != first.AddDays(60).String() {
		t.Errorf("the campaign made before the change = %+v", made.Items)
	}
	var audited int
	if err := s.queryRow(`select count(*) from audit_events where action = 'campaign_series.update' and object_id = $1
		and summary->'before'->>'name' = 'Yearly check' and summary->'after'->>'name' = 'Half-yearly check'`,
		[]any{created.ID}, &audited); err != nil || audited != 1 {
		t.Errorf("audited updates = %d, %v", audited, err)
	}

	// The ETag read before the change is stale now.
	wantProblem(t, sup.do(http.MethodPatch, path, map[string]any{"name": "Late edit"}, "If-Match", fmt.Sprintf(`"%d"`, before.Version)),
		http.StatusPreconditionFailed)

	for _, c := range []struct {
		body     map[string]any
		location string
	}{
		{map[string]any{"due_after_days": 0}, "body.due_after_days"},
		{map[string]any{"first_opens_on": "2020-01-15"}, "body.first_opens_on"},
		{map[string]any{"every_months": 1, "lead_days": 40}, "body.lead_days"},
		{map[string]any{"name": "  "}, "body.name"},
		{map[string]any{"first_opens_on": "15/01/2030"}, "body.first_opens_on"},
	} {
		p := wantProblem(t, sup.do(http.MethodPatch, path, c.body), http.StatusUnprocessableEntity)
		if len(p.Errors) == 0 || !strings.HasPrefix(p.Errors[0].Location, c.location) {
			t.Errorf("%v: problems %+v, want one at %s", c.body, p.Errors, c.location)
		}
	}
	var still series
	sup.getJSON(path, &still)
	if still.Version != after.Version || still.Name != after.Name {
		t.Errorf("refused changes changed the series: %+v", still)
	}

	for _, role := range []domain.Role{domain.RoleProviderAdmin, domain.RoleAuditor} {
		providerID := ""
		if role == domain.RoleProviderAdmin {
			providerID = s.provider("Series Outsider Bank")
		}
		r := s.as(s.tokenFor(s.user(role, providerID))).do(http.MethodPatch, path, map[string]any{"name": "Not mine"})
		wantProblem(t, r, http.StatusForbidden)
	}
}
