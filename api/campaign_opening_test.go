package api_test

import (
	"context"
	"net/http"
	"testing"

	"assure/api"
	"assure/domain"
)

// openCampaign asks for a campaign to be opened, runs the queued job's work
// as a worker would, and returns the campaign as the finished opening gives it.
func (c *client) openCampaign(id string) api.Campaign {
	c.s.t.Helper()
	r := c.do(http.MethodPost, "/api/v1/campaigns/"+id+"/open", nil)
	if r.status != http.StatusAccepted || r.header.Get("Location") != "/api/v1/campaigns/"+id+"/opening" {
		c.s.t.Fatalf("open campaign = %d at %q: %s", r.status, r.header.Get("Location"), r.body)
	}
	if err := c.s.app.RunCampaignOpening(context.Background(), id); err != nil {
		c.s.t.Fatalf("run the opening of %s: %v", id, err)
	}
	var o api.CampaignOpening
	c.json(http.MethodGet, "/api/v1/campaigns/"+id+"/opening", nil, http.StatusOK, &o)
	if o.Status != "done" || o.Percent != 100 || o.Campaign.Status != "open" {
		c.s.t.Fatalf("finished opening = %+v", o)
	}
	return o.Campaign
}

// TestOpeningACampaignIsAJob: the open endpoint answers 202 at once with
// the opening queued and where to follow it; the campaign opens when the
// job has run, with its rows counted; provider users neither start nor see
// an opening; an opening that fails leaves a draft with nothing in it and a
// reason, and can be asked for again.
func TestOpeningACampaignIsAJob(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	bank := s.provider("Opening Bank")
	other := s.provider("Other Bank")
	provider := s.as(s.tokenFor(s.user(domain.RoleProviderAdmin, bank)))
	var c api.Campaign
	sup.json(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "Job", "framework": "x1150",
		"provider_ids": []string{bank, other}, "opens_at": future(0), "due_at": future(20)}, http.StatusCreated, &c)

	for _, r := range []response{provider.do(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/open", nil),
		provider.do(http.MethodGet, "/api/v1/campaigns/"+c.ID+"/opening", nil)} {
		if r.status != http.StatusForbidden && r.status != http.StatusNotFound {
			t.Errorf("a provider user reached an opening: %d %s", r.status, r.body)
		}
	}
	wantProblem(t, sup.do(http.MethodGet, "/api/v1/campaigns/"+c.ID+"/opening", nil), http.StatusNotFound)

	var o api.CampaignOpening
	sup.json(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/open", nil, http.StatusAccepted, &o)
	if o.Status != "queued" || o.Campaign.Status != "draft" || o.CampaignID != c.ID {
		t.Fatalf("queued opening = %+v", o)
	}
	// A second click follows the first.
	sup.json(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/open", nil, http.StatusAccepted, &o)
	if o.Status != "queued" {
		t.Fatalf("opening asked for twice = %+v", o)
	}

	// The scope empties before the job runs: the opening fails, nothing is made.
	for _, p := range []string{bank, other} {
		sup.json(http.MethodPatch, "/api/v1/providers/"+p, map[string]any{"status": "suspended"}, http.StatusOK, nil)
	}
	if err := s.app.RunCampaignOpening(context.Background(), c.ID); err == nil {
		t.Fatal("an opening over nobody succeeded")
	}
	sup.json(http.MethodGet, "/api/v1/campaigns/"+c.ID+"/opening", nil, http.StatusOK, &o)
	if o.Status != "failed" || o.Error == "" || o.Campaign.Status != "draft" || o.Campaign.Assessments != 0 {
		t.Fatalf("failed opening = %+v", o)
	}

	for _, p := range []string{bank, other} {
		sup.json(http.MethodPatch, "/api/v1/providers/"+p, map[string]any{"status": "active"}, http.StatusOK, nil)
	}
	opened := sup.openCampaign(c.ID)
	if opened.Assessments != 2 {
		t.Errorf("opened campaign = %+v", opened)
	}
	sup.json(http.MethodGet, "/api/v1/campaigns/"+c.ID+"/opening", nil, http.StatusOK, &o)
	if o.Total == 0 || o.Done != o.Total || o.Attempt != 1 || o.Error != "" {
		t.Errorf("finished opening = %+v", o)
	}
	wantProblem(t, sup.do(http.MethodPost, "/api/v1/campaigns/"+c.ID+"/open", nil), http.StatusConflict)
}
