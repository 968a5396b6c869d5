package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"assure/app"
	"assure/demo"
	"assure/domain"
	"assure/store"
)

// onePixel is a PNG of one pixel.
var onePixel, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")

// resubmitted takes Nyota's assessment, sent back for changes, through a
// second submission: two answers change (one the supervisor had accepted,
// one they asked about, which now cites a picture), the rest stay as they
// were. It returns the assessment and the two changed controls.
func resubmitted(t *testing.T, s *site) (domain.Assessment, string, string) {
	t.Helper()
	ctx := context.Background()
	admin := s.actor("p04-admin" + demoDomain)
	list, _, err := s.app.Assessments(ctx, admin, store.AssessmentFilter{Status: domain.StatusChangesRequested}, store.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("Nyota has %d assessments sent back: %v", len(list), err)
	}
	as := list[0]
	responses, _, err := s.app.Responses(ctx, admin, as.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var accepted, asked domain.Response
	for _, r := range responses {
		switch {
		case r.Verdict == domain.Accepted && accepted.ControlID == "":
			accepted = r
		case r.Verdict == domain.NeedsInfo && asked.ControlID == "":
			asked = r
		}
	}
	if accepted.ControlID == "" || asked.ControlID == "" {
		t.Fatal("Nyota's review has no accepted or no needs-information control")
	}
	pic, err := s.app.UploadEvidence(ctx, admin, as.ID, []app.Upload{{Filename: "firewall-console.png",
		Size: int64(len(onePixel)), Content: bytes.NewReader(onePixel)}})
	if err != nil {
		t.Fatal(err)
	}
	future := domain.Today().AddDays(200).String()
	if _, err := s.app.SaveResponse(ctx, admin, as.ID, accepted.ControlID, domain.ResponseInput{Status: domain.Partial,
		Narrative: "Only the main data centre is covered now.", RemediationDate: future}, accepted.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.SaveResponse(ctx, admin, as.ID, asked.ControlID, domain.ResponseInput{Status: domain.Implemented,
		Narrative: "The test report is attached.", EvidenceIDs: []string{pic[0].ID}}, asked.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Submit(ctx, admin, as.ID, domain.Attestation{Name: "Compliance lead", Position: "Head of Compliance",
		Statement: "True and complete."}); err != nil {
		t.Fatal(err)
	}
	as, err = s.app.Assessment(ctx, admin, as.ID)
	if err != nil {
		t.Fatal(err)
	}
	return as, accepted.ControlID, asked.ControlID
}

// formValue reads the value of a hidden field of a page.
func formValue(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no field %s in:\n%s", name, body)
	}
	return m[1]
}

func TestReviewScreen(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	as, changed, asked := resubmitted(t, s)
	review := "/assessments/" + as.ID + "/review"
	grace, moussa := s.actor("supervisor"+demoDomain), s.actor("supervisor2"+demoDomain)

	before, _, err := s.db.Responses(ctx, domain.System("test"), as.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a provider user cannot open the review of their own assessment", func(t *testing.T) {
		p := s.browser(t)
		p.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		filing := p.get("/assessments/" + as.ID)
		filing.lacks(t, `href="`+review+`"`)
		page := p.get(review)
		if page.status != http.StatusForbidden && page.status != http.StatusNotFound {
			t.Fatalf("the provider's review page answers %d", page.status)
		}
		page.lacks(t, "Only the main data centre is covered now.", changed, "Decision", "verdict-form")
		p.post(review+"/verdict", url.Values{"control": {changed}, "version": {"1"}, "verdict": {"accepted"}}).
			want(t, http.StatusForbidden, review+"/verdict")
		p.post(review+"/accept-unchanged", url.Values{"pick": {changed + ":1"}}).want(t, http.StatusForbidden, "")
		p.get("/evidence/x/preview").want(t, http.StatusNotFound, "")
	})

	sup := s.browser(t)
	sup.signIn("supervisor2"+demoDomain, demo.Password).want(t, http.StatusOK, "/")

	t.Run("the filing page links supervisors to the review, which starts it", func(t *testing.T) {
		sup.get("/assessments/"+as.ID).want(t, http.StatusOK, "", `href="`+review+`"`)
		page := sup.get(review)
		page.want(t, http.StatusOK, review, "Start the review", "Submission 2", "Keyboard shortcuts", "Grace Wanjiru")
		page.lacks(t, `id="verdict-form"`, `action="`+review+`/approve"`)
		sup.post(review+"/start", url.Values{"version": {formVersion(t, page.body, review+"/start")}}).
			want(t, http.StatusOK, review+"?done=review_started", "The review has started.", `id="verdict-form"`)
	})

	t.Run("what changed since the previous submission is shown beside the answer", func(t *testing.T) {
		page := sup.get(review + "?control=" + changed)
		page.want(t, http.StatusOK, "", "What changed since submission 1", "Only the main data centre is covered now.",
			"Implemented", "Partially implemented", "No verdict yet.")
		pic := sup.get(review + "?control=" + asked)
		pic.want(t, http.StatusOK, "", "+ firewall-console.png", `class="evidence-preview"`, "The test report is attached.")
		m := regexp.MustCompile(`src="(/evidence/[0-9a-f-]{36}/preview)"`).FindStringSubmatch(pic.body)
		if m == nil {
			t.Fatal("no preview of the picture")
		}
		img := sup.get(m[1])
		if img.status != http.StatusOK || img.header.Get("Content-Type") != "image/png" ||
			img.header.Get("Content-Security-Policy") != "default-src 'none'; sandbox" ||
			!strings.HasPrefix(img.header.Get("Content-Disposition"), "inline") {
			t.Errorf("the preview answers %d %q, CSP %q, %q", img.status, img.header.Get("Content-Type"),
				img.header.Get("Content-Security-Policy"), img.header.Get("Content-Disposition"))
		}
		// A text file has no preview, only its download.
		files, _, err := s.db.EvidenceOf(ctx, domain.System("test"), as.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.MediaType == "text/plain" {
				sup.get("/evidence/"+f.ID+"/preview").want(t, http.StatusNotFound, "")
			}
		}
		unchanged := sup.get(review + "?filter=changed")
		if n := strings.Count(unchanged.body, `class="tag changed"`); n != 2 {
			t.Errorf("the changed view marks %d controls changed, want 2", n)
		}
	})

	t.Run("accept all unchanged touches only unchanged controls accepted before", func(t *testing.T) {
		page := sup.get(review)
		page.want(t, http.StatusOK, "", "Unchanged and accepted before")
		picks := regexp.MustCompile(`name="pick" value="([^"]+)"`).FindAllStringSubmatch(page.body, -1)
		want := map[string]bool{}
		for _, r := range before {
			if r.Verdict == domain.Accepted && r.ControlID != changed && r.ControlID != asked {
				want[r.ControlID] = true
			}
		}
		if len(picks) != len(want) || len(want) == 0 {
			t.Fatalf("the form picks %d controls, want the %d unchanged accepted ones", len(picks), len(want))
		}
		// The API lists the same, for machines.
		var api struct {
			Submission int `json:"submission"`
			ComparedTo int `json:"compared_to"`
			Items      []struct {
				ControlID string `json:"control_id"`
				Version   int    `json:"version"`
			}
		}
		raw := sup.get("/api/v1/assessments/" + as.ID + "/review-candidates")
		if err := json.Unmarshal([]byte(raw.body), &api); err != nil || raw.status != http.StatusOK {
			t.Fatalf("review candidates: %d %v\n%s", raw.status, err, raw.body)
		}
		if len(api.Items) != len(want) || api.Submission != 2 || api.ComparedTo != 1 {
			t.Errorf("the API lists %d candidates of submission %d, want %d of 2", len(api.Items), api.Submission, len(want))
		}
		for _, it := range api.Items {
			if !want[it.ControlID] {
				t.Errorf("the API lists %s", it.ControlID)
			}
		}
		var form url.Values = url.Values{}
		for _, p := range picks {
			form.Add("pick", p[1])
		}
		sup.post(review+"/accept-unchanged", form).want(t, http.StatusOK, review+"?done=accepted_unchanged",
			"The unchanged controls are accepted.")
		after, _, err := s.db.Responses(ctx, domain.System("test"), as.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range after {
			was := before[i]
			switch {
			case want[r.ControlID]:
				if r.Verdict != domain.Accepted || r.VerdictBy != moussa.UserID {
					t.Errorf("%s: %s by %s, want accepted by Moussa", r.ControlID, r.Verdict, r.VerdictByName)
				}
			case r.ControlID == changed || r.ControlID == asked:
				if r.Verdict != "" {
					t.Errorf("changed %s got the verdict %s", r.ControlID, r.Verdict)
				}
			default:
				if r.Verdict != was.Verdict || r.VerdictBy != was.VerdictBy || r.Version != was.Version {
					t.Errorf("%s, %s before, was touched: now %s by %s", r.ControlID, was.Verdict, r.Verdict, r.VerdictByName)
				}
			}
		}
		sup.get(review).lacks(t, "Unchanged and accepted before")
		sup.post(review+"/accept-unchanged", form).want(t, http.StatusUnprocessableEntity, "", "is not an unchanged control")
	})

	t.Run("verdicts: needs information and reject need a comment; a stale form records nothing", func(t *testing.T) {
		page := sup.get(review + "?control=" + changed)
		if formValue(t, page.body, "control") != changed {
			t.Fatalf("the verdict form is not on %s", changed)
		}
		control := url.Values{"control": {changed}, "version": {responseVersion(t, s, as.ID, changed)}}
		bare := cloneWith(control, "verdict", "needs_info")
		sup.post(review+"/verdict", bare).want(t, http.StatusUnprocessableEntity, "", `id="verdict-comment-error"`,
			"needs_info needs a comment", `href="#verdict-comment"`)
		sup.post(review+"/verdict", cloneWith(control, "verdict", "rejected")).want(t, http.StatusUnprocessableEntity, "",
			"rejected needs a comment")
		next := regexp.MustCompile(`name="next_control" value="([^"]+)"`).FindStringSubmatch(page.body)
		ok := cloneWith(control, "verdict", "needs_info")
		ok.Set("comment", "Which data centres are left, and when?")
		if next != nil {
			ok.Set("next_control", next[1])
		}
		done := sup.post(review+"/verdict", ok)
		done.want(t, http.StatusOK, "", "Verdict recorded.")
		if next != nil && !strings.Contains(done.path, "control="+next[1]) {
			t.Errorf("after the verdict the page is %s, not the next control %s", done.path, next[1])
		}
		r := s.response(t, as.ID, changed)
		if r.Verdict != domain.NeedsInfo || r.VerdictComment != "Which data centres are left, and when?" || r.VerdictByName != "Moussa Diallo" {
			t.Errorf("stored verdict %s %q by %q", r.Verdict, r.VerdictComment, r.VerdictByName)
		}
		stale := cloneWith(control, "verdict", "accepted")
		sup.post(review+"/verdict", stale).want(t, http.StatusConflict, "", "Someone changed this since the page was shown")
		if s.response(t, as.ID, changed).Verdict != domain.NeedsInfo {
			t.Error("a stale verdict was recorded")
		}
		sup.get(review+"?control="+changed).want(t, http.StatusOK, "", "by Moussa Diallo", "Which data centres are left")

		// Accepted with an assurance grade: the grade is kept and shown; with another verdict the form's grade is not sent on.
		page = sup.get(review + "?control=" + changed)
		page.want(t, http.StatusOK, "", `id="verdict-grade"`, `<option value="tested">Tested</option>`)
		graded := url.Values{"control": {changed}, "version": {responseVersion(t, s, as.ID, changed)}, "verdict": {"accepted"},
			"grade": {"tested"}}
		sup.post(review+"/verdict", graded).want(t, http.StatusOK, "", "Verdict recorded.")
		if r := s.response(t, as.ID, changed); r.Verdict != domain.Accepted || r.Grade != domain.GradeTested {
			t.Errorf("graded verdict %s %q", r.Verdict, r.Grade)
		}
		sup.get(review+"?control="+changed).want(t, http.StatusOK, "", "assurance: Tested", `<option value="tested" selected>`)
		asked := url.Values{"control": {changed}, "version": {responseVersion(t, s, as.ID, changed)}, "verdict": {"needs_info"},
			"grade": {"tested"}, "comment": {"One more report, please."}}
		sup.post(review+"/verdict", asked).want(t, http.StatusOK, "", "Verdict recorded.")
		if r := s.response(t, as.ID, changed); r.Verdict != domain.NeedsInfo || r.Grade != "" {
			t.Errorf("asked verdict %s %q", r.Verdict, r.Grade)
		}
	})

	t.Run("four eyes: who recorded verdicts is named, and that reviewer cannot approve", func(t *testing.T) {
		ctx := context.Background()
		for _, c := range []string{changed, asked} {
			r := s.response(t, as.ID, c)
			if _, err := s.app.SetVerdicts(ctx, moussa, as.ID, []store.VerdictInput{{ControlID: c, Verdict: domain.Accepted,
				Version: r.Version}}, "body"); err != nil {
				t.Fatal(err)
			}
		}
		rest, _, err := s.db.Responses(ctx, domain.System("test"), as.ID, store.ResponseFilter{Verdict: domain.NeedsInfo},
			store.Page{Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var vs []store.VerdictInput
		for _, r := range rest {
			vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
		}
		if len(vs) > 0 {
			if _, err := s.app.SetVerdicts(ctx, moussa, as.ID, vs, "body"); err != nil {
				t.Fatal(err)
			}
		}
		page := sup.get(review)
		page.want(t, http.StatusOK, "", "Moussa Diallo (you)", "another supervisor must approve it", "Four-eyes rule")
		page.lacks(t, `action="`+review+`/approve"`)
		sup.post(review+"/approve", url.Values{"version": {formVersion(t, page.body, review+"/approve")}}).
			want(t, http.StatusForbidden, "", "four-eyes rule")
		if a, _ := s.app.Assessment(ctx, grace, as.ID); a.Status != domain.StatusInReview {
			t.Errorf("after a refused approval the assessment is %s", a.Status)
		}
	})

	t.Run("request changes needs a reason and sends the assessment back", func(t *testing.T) {
		page := sup.get(review)
		version := formVersion(t, page.body, review+"/request-changes")
		sup.post(review+"/request-changes", url.Values{"version": {version}, "reason": {" "}}).
			want(t, http.StatusUnprocessableEntity, "", `id="changes-reason-error"`)
		sup.post(review+"/request-changes", url.Values{"version": {version}, "reason": {"Name the remaining data centres."}}).
			want(t, http.StatusOK, review+"?done=changes_requested", "Changes are requested", "Name the remaining data centres.")
		if a, _ := s.app.Assessment(ctx, grace, as.ID); a.Status != domain.StatusChangesRequested {
			t.Errorf("after requesting changes the assessment is %s", a.Status)
		}
	})

	t.Run("the review and campaign pages speak French", func(t *testing.T) {
		fr := s.browser(t)
		fr.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		fr.post("/language", url.Values{"language": {"fr"}, "next": {review}})
		fr.get(review).want(t, http.StatusOK, review, "Raccourcis clavier", "Qui a donné les avis", "Règle des quatre yeux")
		fr.get("/campaigns").want(t, http.StatusOK, "/campaigns", "Nouvelle campagne", "Campagnes, les plus récentes en premier")
		fr.get("/campaigns/new").want(t, http.StatusOK, "/campaigns/new", "Quels établissements", "Aperçu")
	})

	t.Run("a finding is raised from a control under review and found in the filtered list", func(t *testing.T) {
		page := sup.get(review + "?control=" + changed)
		page.want(t, http.StatusOK, "", "Raise a finding on this control")
		sup.post(review+"/finding", url.Values{"control": {changed}, "title": {""}, "severity": {"high"},
			"description": {"x"}, "due_at": {domain.Today().AddDays(-1).String()}}).
			want(t, http.StatusUnprocessableEntity, "", `id="finding-title-error"`, `id="finding-due_at-error"`)
		sup.post(review+"/finding", url.Values{"control": {changed}, "title": {"Second data centre not covered"},
			"severity": {"critical"}, "description": {"The disaster recovery site has no such control."},
			"due_at": {domain.Today().AddDays(45).String()}}).
			want(t, http.StatusOK, "", "The finding is raised.", "Second data centre not covered")
		list := sup.get("/findings?" + url.Values{"severity": {"critical"}, "provider": {as.ProviderID},
			"campaign": {as.CampaignID}}.Encode())
		list.want(t, http.StatusOK, "", "Second data centre not covered", `id="findings-filter"`)
		list.lacks(t, "Privileged access not reviewed quarterly") // medium
		id := regexp.MustCompile(`href="/findings/([0-9a-f-]{36})">Second data centre`).FindStringSubmatch(list.body)
		if id == nil {
			t.Fatal("no link to the new finding")
		}
		sup.get("/findings/"+id[1]).want(t, http.StatusOK, "", changed, "Second data centre not covered")
		// The history names who moved a finding: Nyota's verified demo
		// finding was verified by Moussa, seen here by Grace.
		verified, _, err := s.app.Findings(ctx, grace, store.FindingFilter{ProviderID: as.ProviderID, Status: domain.FindingVerified}, store.Page{})
		if err != nil || len(verified) == 0 {
			t.Fatalf("no verified finding at Nyota: %v", err)
		}
		g := s.browser(t)
		g.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		history := g.get("/findings/" + verified[0].ID).body
		if i := strings.Index(history, `class="history"`); i < 0 || !strings.Contains(history[i:], "Moussa Diallo") ||
			!strings.Contains(history[i:], "Compliance lead, Nyota") {
			t.Errorf("the finding's history does not name who moved it:\n%s", history)
		}
		sup.get("/findings?overdue=1").lacks(t, "Second data centre not covered")
		sup.get("/findings?status=verified").lacks(t, "Second data centre not covered")
	})
}

// TestSecondSupervisorApproves has one supervisor record every verdict of
// a filing under review and another approve it.
func TestSecondSupervisorApproves(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	grace, moussa := s.actor("supervisor"+demoDomain), s.actor("supervisor2"+demoDomain)
	list, _, err := s.app.Assessments(ctx, grace, store.AssessmentFilter{Status: domain.StatusInReview}, store.Page{})
	if err != nil || len(list) == 0 {
		t.Fatalf("no assessment in review: %v", err)
	}
	var as domain.Assessment
	for _, a := range list {
		if a.ProviderName == "Atlas Bank" {
			as = a
		}
	}
	responses, _, err := s.app.Responses(ctx, grace, as.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var vs []store.VerdictInput
	for _, r := range responses {
		if r.Verdict != domain.Accepted {
			vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
		}
	}
	if _, err := s.app.SetVerdicts(ctx, grace, as.ID, vs, "body"); err != nil {
		t.Fatal(err)
	}
	review := "/assessments/" + as.ID + "/review"

	first := s.browser(t)
	first.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	first.get(review).lacks(t, `action="`+review+`/approve"`)

	second := s.browser(t)
	second.signIn("supervisor2"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	page := second.get(review)
	page.want(t, http.StatusOK, "", `action="`+review+`/approve"`, "You recorded none", "Grace Wanjiru: ")
	second.post(review+"/approve", url.Values{"version": {"1"}, "comment": {"Looks right."}}).
		want(t, http.StatusConflict, "", "Someone changed this since the page was shown")
	second.post(review+"/approve", url.Values{"version": {formVersion(t, page.body, review+"/approve")}, "comment": {"Looks right."}}).
		want(t, http.StatusOK, review+"?done=approved", "The assessment is approved.", "the review is over", "Moussa Diallo")
	if a, _ := s.app.Assessment(ctx, moussa, as.ID); a.Status != domain.StatusApproved {
		t.Errorf("the assessment is %s", a.Status)
	}
}

// formVersion reads the version field of the form that posts to action.
func formVersion(t *testing.T, body, action string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)action="` + regexp.QuoteMeta(action) + `".*?name="version" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		// No such form (the approval barred, say): the assessment's version from the page's other forms.
		m = regexp.MustCompile(`(?s)action="[^"]*/review/(?:start|request-changes|reject)".*?name="version" value="(\d+)"`).FindStringSubmatch(body)
	}
	if m == nil {
		t.Fatalf("no form posting to %s in:\n%s", action, body)
	}
	return m[1]
}

func cloneWith(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, value)
	return out
}

func responseVersion(t *testing.T, s *site, assessmentID, control string) string {
	t.Helper()
	return strconv.Itoa(s.response(t, assessmentID, control).Version)
}

// response reads one control's stored answer.
func (s *site) response(t *testing.T, assessmentID, control string) domain.Response {
	t.Helper()
	r, err := s.db.Response(context.Background(), domain.System("test"), assessmentID, control)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
