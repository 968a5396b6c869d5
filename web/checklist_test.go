package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// TestChecklistFrameworkPages: a framework without threats is browsed, and a
// campaign over it is filed and reviewed, on the same pages as X.1150's;
// the pages show its groups and levels and never a threat.
func TestChecklistFrameworkPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	data, err := os.ReadFile("../frameworks/testdata/checklist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frameworks.Parse("checklist.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.PublishFramework(ctx, domain.System("test"), f); err != nil {
		t.Fatal(err)
	}
	sup := s.actor("supervisor" + demoDomain)
	editorActor := s.actor("p01-editor" + demoDomain)
	c, err := s.app.CreateCampaign(ctx, sup, domain.Campaign{Name: "App baseline pilot", FrameworkID: "test-checklist",
		ProviderIDs: []string{editorActor.ProviderID}, OpensAt: domain.Today().AddDays(-1), DueAt: domain.Today().AddDays(20)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.OpenCampaign(ctx, sup, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.app.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatal(err, list)
	}
	as := list[0]

	b := s.browser(t)
	b.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	b.get("/catalogs").want(t, http.StatusOK, "/catalogs", "Test app baseline")
	page := b.get("/catalogs/test-checklist/1.0")
	page.want(t, http.StatusOK, "/catalogs/test-checklist/1.0", "Data handling", "Defence in depth")
	page.lacks(t, "Threats")
	b.get("/catalogs/test-checklist/1.0/controls").want(t, http.StatusOK, "", "APP-1", "Encrypted storage", "L2")
	b.get("/campaigns/"+c.ID).want(t, http.StatusOK, "/campaigns/"+c.ID, "App baseline pilot")

	editor := s.browser(t)
	editor.signIn("p01-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	filing := editor.get("/assessments/" + as.ID)
	filing.want(t, http.StatusOK, "/assessments/"+as.ID, "APP-1", "Are secrets stored encrypted?")
	filing.lacks(t, "Threat")

	// Filed and reviewed like any other: the review screen shows the
	// control without a threat line.
	var updates []store.ResponseUpdate
	responses, _, err := s.app.Responses(ctx, editorActor, as.ID, store.ResponseFilter{}, store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range responses {
		updates = append(updates, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "Tested by the lab."}})
	}
	if _, err := s.app.SaveResponses(ctx, editorActor, as.ID, updates, "body.responses"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Submit(ctx, s.actor("p01-admin"+demoDomain), as.ID, domain.Attestation{Name: "Ama", Position: "CCO",
		Statement: "I attest that this self-assessment is true and complete."}); err != nil {
		t.Fatal(err)
	}
	review := b.get("/assessments/" + as.ID + "/review?control=APP-1")
	review.want(t, http.StatusOK, "", "APP-1 · Encrypted storage", "Are secrets stored encrypted?")
	review.lacks(t, "Threat:")
}

// TestMappingPages: the catalogs list the published mappings, and a
// mapping's page shows its links in words, narrowed to one control.
func TestMappingPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	for _, file := range []string{"checklist.yaml", "mapping.yaml"} {
		data, err := os.ReadFile("../frameworks/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if file == "checklist.yaml" {
			f, err := frameworks.Parse(file, data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.PublishFramework(ctx, domain.System("test"), f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		m, err := frameworks.ParseMapping(file, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.PublishMapping(ctx, domain.System("test"), m); err != nil {
			t.Fatal(err)
		}
	}
	b := s.browser(t)
	b.signIn("p02-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	b.get("/catalogs").want(t, http.StatusOK, "/catalogs", `href="/mappings/test-checklist-x1150/1.0"`, "Test app baseline to X.1150")
	page := b.get("/mappings/test-checklist-x1150/1.0")
	page.want(t, http.StatusOK, "", "is a superset of", "intersects with", "8/10", "Encrypted storage")
	narrowed := b.get("/mappings/test-checklist-x1150/1.0?target=C2")
	narrowed.want(t, http.StatusOK, "", "APP-2")
	narrowed.lacks(t, "APP-3")
	b.get("/mappings/nothing/1.0").want(t, http.StatusNotFound, "")

	// A provider whose app-baseline assessment is approved carries its
	// accepted answers over to a new X.1150 1.0 draft from the filing page.
	sup, sup2 := s.actor("supervisor"+demoDomain), s.actor("supervisor2"+demoDomain)
	editorActor, adminActor := s.actor("p01-editor"+demoDomain), s.actor("p01-admin"+demoDomain)
	open := func(framework, version string) domain.Assessment {
		c, err := s.app.CreateCampaign(ctx, sup, domain.Campaign{Name: framework + " pilot", FrameworkID: framework, FrameworkVersion: version,
			ProviderIDs: []string{editorActor.ProviderID}, OpensAt: domain.Today().AddDays(-1), DueAt: domain.Today().AddDays(20)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.OpenCampaign(ctx, sup, c.ID); err != nil {
			t.Fatal(err)
		}
		list, _, err := s.app.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{Limit: 10})
		if err != nil || len(list) != 1 {
			t.Fatal(err, list)
		}
		return list[0]
	}
	baseline := open("test-checklist", "1.0")
	responses, _, err := s.app.Responses(ctx, editorActor, baseline.ID, store.ResponseFilter{}, store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var updates []store.ResponseUpdate
	var verdicts []store.VerdictInput
	for _, r := range responses {
		updates = append(updates, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "Tested by the lab."}})
		verdicts = append(verdicts, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
	}
	steps := []func() error{
		func() error {
			_, err := s.app.SaveResponses(ctx, editorActor, baseline.ID, updates, "body.responses")
			return err
		},
		func() error {
			_, err := s.app.Submit(ctx, adminActor, baseline.ID, domain.Attestation{Name: "Ama", Position: "CCO",
				Statement: "I attest that this self-assessment is true and complete."})
			return err
		},
		func() error { _, err := s.app.StartReview(ctx, sup, baseline.ID, 0); return err },
		func() error {
			_, err := s.app.SetVerdicts(ctx, sup, baseline.ID, verdicts, "body.verdicts")
			return err
		},
		func() error { _, err := s.app.Approve(ctx, sup2, baseline.ID, "", 0); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	draft := open("x1150", "1.0")
	editor := s.browser(t)
	editor.signIn("p01-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	filing := editor.get("/assessments/" + draft.ID)
	filing.want(t, http.StatusOK, "", `id="carry"`, "test-checklist pilot (Test app baseline 1.0), through Test app baseline to X.1150")
	filing.lacks(t, `id="derived-C1"`)
	editor.post("/assessments/"+draft.ID+"/apply-mapping", url.Values{"choice": {baseline.ID + "|test-checklist-x1150|1.0"}}).
		want(t, http.StatusOK, "/assessments/"+draft.ID+"?done=carried", "filled in and marked as carried over",
			`id="derived-C1"`, "from APP-3 of test-checklist@1.0")
}
