package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"assure/api"
	"assure/domain"
	"assure/store"
)

// filing is a provider's open assessment and its signed-in users.
type filing struct {
	s          *server
	provider   string
	assessment domain.Assessment
	editor     *client
	admin      *client
	adminActor domain.Actor
	sup        domain.Actor
}

func newFiling(s *server, kind string) *filing {
	s.t.Helper()
	p := s.provider("Filer " + kind + fmt.Sprint(userSeq.Add(1)))
	sup := s.supervisorActor()
	_, assessments := s.openCampaign(sup, p)
	ed, ad := s.user(domain.RoleProviderEditor, p), s.user(domain.RoleProviderAdmin, p)
	return &filing{s: s, provider: p, assessment: assessments[p], editor: s.as(s.tokenFor(ed)),
		admin: s.as(s.tokenFor(ad)), adminActor: actorOf(ad), sup: sup}
}

func (f *filing) path(rest string) string { return "/api/v1/assessments/" + f.assessment.ID + rest }

func TestConcurrentEditsAreNotLost(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	f := newFiling(s, "bank")
	var r api.Response
	f.editor.getJSON(f.path("/responses/C1"), &r)

	// Two people save the same response from the same version at once.
	var wg sync.WaitGroup
	results := make([]response, 2)
	for i, narrative := range []string{"Written by Ana.", "Written by Kofi."} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.editor.do(http.MethodPut, f.path("/responses/C1"),
				map[string]any{"status": "implemented", "narrative": narrative}, "If-Match", r.ETag)
		}()
	}
	wg.Wait()
	statuses := []int{results[0].status, results[1].status}
	slices.Sort(statuses)
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusPreconditionFailed {
		t.Fatalf("statuses = %v, want one 200 and one 412", statuses)
	}
	winner := "Written by Ana."
	if results[1].status == http.StatusOK {
		winner = "Written by Kofi."
	}
	var after api.Response
	f.editor.getJSON(f.path("/responses/C1"), &after)
	if after.Narrative != winner || after.Version != r.Version+1 {
		t.Errorf("stored %q v%d, want %q v%d", after.Narrative, after.Version, winner, r.Version+1)
	}
	// Without If-Match nothing is written.
	wantProblem(t, f.editor.do(http.MethodPut, f.path("/responses/C1"), map[string]any{"status": "partial"}), http.StatusPreconditionRequired)
	wantProblem(t, f.editor.do(http.MethodPut, f.path("/responses/C1"), map[string]any{"status": "partial"}, "If-Match", "bogus"),
		http.StatusUnprocessableEntity)
	wantProblem(t, f.editor.do(http.MethodPut, f.path("/responses/C999"), map[string]any{"status": "partial"}, "If-Match", `"1"`),
		http.StatusNotFound)
}

func TestBulkSaveIsAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	f := newFiling(s, "psp")
	all := readAll[api.Response](f.editor, f.path("/responses"))
	if len(all) < 5 {
		t.Fatalf("%d responses", len(all))
	}
	item := func(r api.Response, fields map[string]any) map[string]any {
		m := map[string]any{"control_id": r.ControlID, "version": r.Version}
		for k, v := range fields {
			m[k] = v
		}
		return m
	}
	ok := map[string]any{"status": "implemented", "narrative": "Done."}
	// Three bad items among good ones: each is named, nothing is saved.
	p := wantProblem(t, f.editor.do(http.MethodPut, f.path("/responses"), map[string]any{"responses": []map[string]any{
		item(all[0], ok),
		item(all[0], map[string]any{"status": "partial", "remediation_date": future(30)}),
		item(all[2], ok),
		item(all[3], map[string]any{"status": "implemented", "evidence_ids": []string{"00000000-0000-0000-0000-000000000000"}}),
		{"control_id": "C999", "version": 1, "status": "implemented"},
	}}), http.StatusUnprocessableEntity)
	var locations []string
	for _, e := range p.Errors {
		locations = append(locations, e.Location)
	}
	joined := strings.Join(locations, " | ")
	for _, want := range []string{"body.responses[1] (" + all[0].ControlID + ").control_id",
		"body.responses[3] (" + all[3].ControlID + ").evidence_ids[0]", "body.responses[4] (C999).control_id"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %q lack %s", joined, want)
		}
	}
	// A stale version anywhere: 412, nothing saved.
	wantProblem(t, f.editor.do(http.MethodPut, f.path("/responses"), map[string]any{"responses": []map[string]any{
		item(all[0], ok), item(api.Response{ControlID: all[1].ControlID, Version: all[1].Version + 7}, ok),
	}}), http.StatusPreconditionFailed)
	var answered list[api.Response]
	f.editor.getJSON(f.path("/responses?answered=true"), &answered)
	if len(answered.Items) != 0 {
		t.Fatalf("a failed bulk save wrote %d responses", len(answered.Items))
	}
	// The good ones alone go through together.
	f.editor.json(http.MethodPut, f.path("/responses"), map[string]any{"responses": []map[string]any{
		item(all[0], ok), item(all[2], ok)}}, http.StatusOK, nil)
	f.editor.getJSON(f.path("/responses?answered=true"), &answered)
	if len(answered.Items) != 2 {
		t.Errorf("%d answered after the good save", len(answered.Items))
	}
}

func TestSubmitListsEveryProblem(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	f := newFiling(s, "emi")
	all := readAll[api.Response](f.editor, f.path("/responses"))
	put := func(r api.Response, body map[string]any) {
		res := f.editor.do(http.MethodPut, f.path("/responses/"+r.ControlID), body, "If-Match", r.ETag)
		if res.status != http.StatusOK {
			t.Fatalf("save %s = %d %s", r.ControlID, res.status, res.body)
		}
	}
	put(all[0], map[string]any{"status": "not_applicable"})                                    // no justification
	put(all[1], map[string]any{"status": "implemented"})                                       // no narrative, no evidence
	put(all[2], map[string]any{"status": "partial"})                                           // no remediation date
	put(all[3], map[string]any{"status": "not_implemented", "remediation_date": "2020-01-01"}) // date in the past
	p := wantProblem(t, f.admin.do(http.MethodPost, f.path("/submit"),
		map[string]any{"attestation": map[string]string{"name": "", "position": "CCO", "statement": "True."}}),
		http.StatusUnprocessableEntity)
	got := map[string]bool{}
	for _, e := range p.Errors {
		got[e.Location] = true
	}
	for _, want := range []string{
		"responses." + all[0].ControlID + ".justification",
		"responses." + all[1].ControlID,
		"responses." + all[2].ControlID + ".remediation_date",
		"responses." + all[3].ControlID + ".remediation_date",
		"responses." + all[4].ControlID, // unanswered
		"body.attestation.name",
	} {
		if !got[want] {
			t.Errorf("no problem at %s", want)
		}
	}
	if len(p.Errors) != len(all)+1 {
		t.Errorf("%d problems, want %d (every response and the attestation)", len(p.Errors), len(all)+1)
	}
	var a api.Assessment
	f.admin.getJSON(f.path(""), &a)
	if a.Status != "draft" || a.Submission != 0 {
		t.Errorf("after a refused submission: %+v", a)
	}
}

// TestIllegalTransitions tries every action in every state where it is not
// allowed: each is 409 and names the actions that are.
func TestIllegalTransitions(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	supA, supB := s.supervisorActor(), s.supervisorActor()
	states := map[domain.AssessmentStatus]*filing{}
	for _, st := range domain.AssessmentStatuses {
		f := newFiling(s, string(st))
		states[st] = f
		id := f.assessment.ID
		if st == domain.StatusDraft {
			continue
		}
		s.answerAll(f.adminActor, id)
		_, err := s.db.Submit(ctx0, f.adminActor, id, attestation)
		s.must(err)
		if st == domain.StatusSubmitted {
			continue
		}
		_, err = s.db.StartReview(ctx0, supA, id, 0)
		s.must(err)
		switch st {
		case domain.StatusChangesRequested:
			_, err = s.db.RequestChanges(ctx0, supA, id, "More please.", 0)
		case domain.StatusRejected:
			_, err = s.db.Reject(ctx0, supA, id, "Not credible.", 0)
		case domain.StatusApproved:
			responses, _, _ := s.db.Responses(ctx0, supA, id, store.ResponseFilter{}, store.Page{Limit: 500})
			var vs []store.VerdictInput
			for _, r := range responses {
				vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
			}
			_, err = s.db.SetVerdicts(ctx0, supA, id, vs, "body.verdicts")
			s.must(err)
			_, err = s.db.Approve(ctx0, supB, id, "", 0)
		}
		s.must(err)
	}
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	actions := []struct {
		name   string
		path   string
		body   map[string]any
		client func(*filing) *client
	}{
		{domain.ActionSubmit, "/submit", map[string]any{"attestation": attestation}, func(f *filing) *client { return f.admin }},
		{domain.ActionStartReview, "/start-review", nil, func(*filing) *client { return sup }},
		{domain.ActionRequestChanges, "/request-changes", map[string]any{"reason": "x"}, func(*filing) *client { return sup }},
		{domain.ActionApprove, "/approve", map[string]any{}, func(*filing) *client { return sup }},
		{domain.ActionReject, "/reject", map[string]any{"reason": "x"}, func(*filing) *client { return sup }},
		{domain.ActionVerdict, "/responses/C1/verdict", map[string]any{"verdict": "accepted"}, func(*filing) *client { return sup }},
	}
	checked := 0
	for st, f := range states {
		allowed := domain.AllowedActions(st)
		for _, act := range actions {
			if slices.Contains(allowed, act.name) {
				continue
			}
			method := http.MethodPost
			if act.name == domain.ActionVerdict {
				method = http.MethodPut
			}
			p := wantProblem(t, act.client(f).do(method, f.path(act.path), act.body), http.StatusConflict)
			if !slices.Equal(p.Allowed, allowed) {
				t.Errorf("%s when %s: allowed = %v, want %v", act.name, st, p.Allowed, allowed)
			}
			checked++
		}
		if !slices.Contains(allowed, domain.ActionEdit) {
			var r api.Response
			f.editor.getJSON(f.path("/responses/C1"), &r)
			p := wantProblem(t, f.editor.do(http.MethodPut, f.path("/responses/C1"), map[string]any{"status": "partial"},
				"If-Match", r.ETag), http.StatusConflict)
			if !slices.Equal(p.Allowed, allowed) {
				t.Errorf("edit when %s: allowed = %v", st, p.Allowed)
			}
			wantProblem(t, f.editor.do(http.MethodPost, f.path("/evidence"), multipartBody{textFile("late.txt", "late")}),
				http.StatusConflict)
			checked++
		}
	}
	if checked < 25 {
		t.Errorf("only %d illegal transitions tried", checked)
	}
	// Wrong roles are refused outright, whatever the state.
	f := states[domain.StatusInReview]
	wantProblem(t, f.admin.do(http.MethodPost, f.path("/approve"), map[string]any{}), http.StatusForbidden)
	wantProblem(t, f.editor.do(http.MethodPost, f.path("/start-review"), nil), http.StatusForbidden)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	wantProblem(t, admin.do(http.MethodPost, f.path("/approve"), map[string]any{}), http.StatusForbidden)
}

func TestFourEyesCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	f := newFiling(s, "mfi")
	s.answerAll(f.adminActor, f.assessment.ID)
	_, err := s.db.Submit(ctx0, f.adminActor, f.assessment.ID, attestation)
	s.must(err)
	supUser := s.user(domain.RoleSupervisor, "")
	sup := s.as(s.tokenFor(supUser))
	sup.json(http.MethodPost, f.path("/start-review"), nil, http.StatusOK, nil)
	responses := readAll[api.Response](sup, f.path("/responses"))
	var vs []map[string]any
	for _, r := range responses {
		vs = append(vs, map[string]any{"control_id": r.ControlID, "verdict": "accepted"})
	}
	sup.json(http.MethodPut, f.path("/verdicts"), map[string]any{"verdicts": vs}, http.StatusOK, nil)
	wantProblem(t, sup.do(http.MethodPost, f.path("/approve"), map[string]any{}), http.StatusForbidden)
	admin := s.as(s.tokenFor(s.user(domain.RoleAdmin, "")))
	admin.json(http.MethodPut, "/api/v1/settings", map[string]any{"totp_required_roles": []string{}, "four_eyes": false}, http.StatusOK, nil)
	sup.json(http.MethodPost, f.path("/approve"), map[string]any{}, http.StatusOK, nil)
}

func TestVerdictsDetectConcurrentReview(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	f := newFiling(s, "emi")
	s.answerAll(f.adminActor, f.assessment.ID)
	_, err := s.db.Submit(ctx0, f.adminActor, f.assessment.ID, attestation)
	s.must(err)
	a, b := s.as(s.tokenFor(s.user(domain.RoleSupervisor, ""))), s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	a.json(http.MethodPost, f.path("/start-review"), nil, http.StatusOK, nil)
	var r api.Response
	a.getJSON(f.path("/responses/C1"), &r)
	if res := a.do(http.MethodPut, f.path("/responses/C1/verdict"), map[string]any{"verdict": "accepted"}, "If-Match", r.ETag); res.status != http.StatusOK {
		t.Fatalf("first verdict = %d", res.status)
	}
	// The second supervisor read the same version: their verdict is refused, not silently laid over the first.
	wantProblem(t, b.do(http.MethodPut, f.path("/responses/C1/verdict"), map[string]any{"verdict": "rejected", "comment": "No."},
		"If-Match", r.ETag), http.StatusPreconditionFailed)
	// A stale ETag on a transition is refused under the assessment's lock.
	var as api.Assessment
	a.getJSON(f.path(""), &as)
	b.json(http.MethodPost, f.path("/request-changes"), map[string]any{"reason": "More."}, http.StatusOK, nil)
	wantProblem(t, a.do(http.MethodPost, f.path("/reject"), map[string]any{"reason": "No."}, "If-Match", as.ETag),
		http.StatusPreconditionFailed)
}
