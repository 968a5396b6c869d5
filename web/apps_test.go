package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

// TestAppPages: a supervisor registers a provider's app and a release,
// records the lab's result with its report and decides on the release, each
// refusal shown beside its field; the review of the provider's filing then
// shows the lab contradicting the attested root-detection control, and
// another provider's user cannot open the app.
func TestAppPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sys := domain.System("test")

	// A filed assessment whose provider attests C106 (root detection) as implemented.
	list, _, err := s.db.Assessments(ctx, sys, store.AssessmentFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var filed domain.Assessment
	for _, a := range list {
		if a.Status != domain.StatusSubmitted && a.Status != domain.StatusInReview {
			continue
		}
		resps, _, err := s.db.Responses(ctx, sys, a.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resps {
			if r.ControlID == "C106" && r.Status == domain.Implemented {
				filed = a
			}
		}
		if filed.ID != "" {
			break
		}
	}
	if filed.ID == "" {
		t.Fatal("the demo has no filed assessment attesting C106")
	}

	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	sup.get("/apps").want(t, http.StatusOK, "/apps", "Register an app", `href="/apps"`)
	sup.post("/apps", url.Values{"provider_id": {filed.ProviderID}, "name": {" "}, "platform": {"android"}, "package_id": {"com.demo.wallet"}}).
		want(t, http.StatusUnprocessableEntity, "/apps", `id="name-error"`, `href="#name"`)
	registered := sup.post("/apps", url.Values{"provider_id": {filed.ProviderID}, "name": {"Demo Wallet"}, "platform": {"android"},
		"package_id": {"com.demo.wallet"}})
	registered.want(t, http.StatusOK, "", "The app is registered.", "com.demo.wallet", "Register a release")
	appPath := strings.TrimSuffix(registered.path, "?done=registered")

	sup.post(appPath+"/releases", url.Values{"version": {"3.2.0"}, "build_hash": {"not a hash"}}).
		want(t, http.StatusUnprocessableEntity, appPath+"/releases", `id="build_hash-error"`)
	release := sup.post(appPath+"/releases", url.Values{"version": {"3.2.0"}, "build_hash": {strings.Repeat("ab", 32)}})
	release.want(t, http.StatusOK, "", "Demo Wallet 3.2.0", "This release has not been tested yet", "Record a lab result",
		`name="outcome-APP-INT-1"`)
	relPath := release.path

	baseline, err := frameworks.Builtin("dfs-app-baseline", "")
	if err != nil {
		t.Fatal(err)
	}
	fields := url.Values{"lab": {"National DFS Lab"}, "tested_on": {domain.Today().String()}}
	for _, c := range baseline.Controls {
		fields.Add("item", c.ID)
		fields.Set("outcome-"+c.ID, "pass")
	}
	fields.Set("outcome-APP-INT-1", "fail")
	fields.Set("masvs-APP-INT-1", "MASVS-RESILIENCE-1")
	sup.postUpload(relPath+"/lab-results", "", "", nil, fields).
		want(t, http.StatusUnprocessableEntity, relPath+"/lab-results", "Attach the lab&#39;s report.", `id="report-error"`)
	bad := url.Values{}
	for k, v := range fields {
		bad[k] = v
	}
	bad.Set("masvs-APP-INT-2", "storage one")
	sup.postUpload(relPath+"/lab-results", "report", "report.pdf", []byte("%PDF-1.4\nlab\n%%EOF\n"), bad).
		want(t, http.StatusUnprocessableEntity, relPath+"/lab-results", `id="item-APP-INT-2"`, "must be a MASVS control id such as MASVS-STORAGE-1")
	recorded := sup.postUpload(relPath+"/lab-results", "report", "report.pdf", []byte("%PDF-1.4\nlab\n%%EOF\n"), fields)
	recorded.want(t, http.StatusOK, "", "The lab result is recorded.", "23 passed, 1 failed, 0 not applicable", "MASVS-RESILIENCE-1")
	rep := sup.get(strings.TrimSuffix(recorded.path, "?done=recorded") + "/report")
	if rep.status != http.StatusOK || rep.body != "%PDF-1.4\nlab\n%%EOF\n" ||
		!strings.Contains(rep.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("lab report = %d %q %v, want the file, sandboxed", rep.status, rep.body, rep.header)
	}

	sup.get(relPath)
	sup.post(relPath+"/verdicts", url.Values{"verdict": {"approved"}}).
		want(t, http.StatusUnprocessableEntity, relPath+"/verdicts", "approve with conditions, or refuse")
	sup.post(relPath+"/verdicts", url.Values{"verdict": {"conditions"}, "conditions": {"Detect rooted handsets within 60 days."}}).
		want(t, http.StatusOK, "", "The verdict is recorded.", "Approved with conditions", "Detect rooted handsets within 60 days.")

	sup.get("/assessments/"+filed.ID+"/review?control=C106").
		want(t, http.StatusOK, "", "The app lab contradicts this answer", "APP-INT-1", "Demo Wallet 3.2.0", "Lab contradicts")
	sup.get("/providers/"+filed.ProviderID).want(t, http.StatusOK, "", "Lab contradicts")

	// Another provider's user does not learn the app exists.
	other := ""
	for _, a := range list {
		if a.ProviderID != filed.ProviderID {
			other = a.ProviderID
			break
		}
	}
	users, _, err := s.db.Users(ctx, sys, store.UserFilter{ProviderID: other}, store.Page{Limit: 10})
	if err != nil || len(users) == 0 {
		t.Fatalf("users of another provider: %v %v", users, err)
	}
	stranger := s.browser(t)
	stranger.signIn(users[0].Email, demo.Password)
	stranger.get(appPath).want(t, http.StatusNotFound, appPath)
	if page := stranger.get("/apps"); regexp.MustCompile(`Demo Wallet`).MatchString(page.body) {
		t.Error("another provider's user lists the app")
	}
}
