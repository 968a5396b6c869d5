package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// stateCount reads the number of filings the dashboard shows in a state.
func stateCount(t *testing.T, body, state string) int {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="state-` + state + `">.*?<td class="num">([0-9]+)</td>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the dashboard has no count of %s", state)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// storeCounts counts a campaign's filings by state straight from the list of
// its assessments, drafts without an answer apart.
func storeCounts(t *testing.T, s *site, campaignID string) map[string]int {
	t.Helper()
	sup := s.actor("supervisor" + demoDomain)
	list, err := store.All(func(p store.Page) ([]domain.Assessment, string, error) {
		return s.db.Assessments(context.Background(), sup, store.AssessmentFilter{CampaignID: campaignID}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, a := range list {
		state := string(a.Status)
		if a.Status == domain.StatusDraft && a.Answered == 0 {
			state = store.NotStarted
		}
		counts[state]++
	}
	return counts
}

func TestDashboard(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup := s.actor("supervisor" + demoDomain)
	campaigns, _, err := s.db.Campaigns(ctx, sup, "", store.Page{})
	if err != nil || len(campaigns) != 2 {
		t.Fatalf("demo campaigns: %v %v", campaigns, err)
	}
	current, previous := campaigns[0], campaigns[1] // newest first
	states := []string{store.NotStarted, "draft", "submitted", "in_review", "changes_requested", "approved", "rejected"}

	t.Run("a supervisor starts from the dashboard of the current campaign", func(t *testing.T) {
		b := s.browser(t)
		page := b.signIn("supervisor"+demoDomain, demo.Password)
		page.want(t, http.StatusOK, "/", "<h1>Dashboard</h1>", `<option value="`+current.ID+`" selected>`,
			`id="risk-matrix"`, `id="dimensions"`, `id="stages"`, `id="priorities"`, `id="review-queue"`,
			"Waiting for a second approver", "Overdue findings")
		want := storeCounts(t, s, current.ID)
		for _, st := range states {
			if got := stateCount(t, page.body, st); got != want[st] {
				t.Errorf("%s: the dashboard shows %d, the store has %d", st, got, want[st])
			}
		}
		// The demo's current campaign has a filing in every state.
		for _, st := range states[1:] {
			if want[st] == 0 {
				t.Errorf("the demo's current campaign has no %s filing", st)
			}
		}
		// Heatmap cells say their value in words and link to what is behind them.
		page.want(t, http.StatusOK, "/", `href="/campaigns/`+current.ID+`/risk-cell?l=`, `href="/providers/`,
			`<caption id="dimensions-caption">Providers by compliance`, `scope="row"`, "pairs at likelihood")
		if !regexp.MustCompile(`<td class="fill-[0-9a-f]{6}"><a href="/assessments/[0-9a-f-]{36}"><span class="visually-hidden">[^<]+</span>[0-9]+%</a></td>`).MatchString(page.body) {
			t.Error("no compliance cell shows its percentage and links to the filing")
		}
		// The review queue holds the submitted and in-review filings of the demo, oldest first.
		for _, name := range []string{"Kopa", "Mtandao Agents", "Crédit Rural", "SG Mobile Money", "Atlas Bank"} {
			if !strings.Contains(page.body, ">"+name+"</a></th>") {
				t.Errorf("the review queue lacks %s", name)
			}
		}
	})

	t.Run("switching to the previous campaign", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("supervisor2"+demoDomain, demo.Password)
		page := b.get("/?campaign=" + previous.ID)
		page.want(t, http.StatusOK, "", `<option value="`+previous.ID+`" selected>`, previous.Name)
		want := storeCounts(t, s, previous.ID)
		for _, st := range states {
			if got := stateCount(t, page.body, st); got != want[st] {
				t.Errorf("%s: the dashboard shows %d, the store has %d", st, got, want[st])
			}
		}
		if want[store.NotStarted] != 1 || want["approved"] != 3 {
			t.Errorf("the previous campaign's counts: %v", want)
		}
		// One filing never started, past the due date.
		if !regexp.MustCompile(`(?s)id="progress-overdue"><span class="desk-number">1</span>`).MatchString(page.body) {
			t.Error("the previous campaign's overdue filing is not counted")
		}
		// The current campaign is among the others, linked to switch back.
		page.want(t, http.StatusOK, "", `id="other-campaigns"`, `href="/?campaign=`+current.ID+`"`)
		b.get("/?campaign=00000000-0000-0000-0000-000000000000").want(t, http.StatusNotFound, "")
	})

	t.Run("a provider user keeps their own home", func(t *testing.T) {
		b := s.browser(t)
		page := b.signIn("p01-admin"+demoDomain, demo.Password)
		page.want(t, http.StatusOK, "/", "<h1>Home</h1>", current.Name)
		page.lacks(t, "Dashboard", "risk-matrix", "Your review queue")
		b.get("/campaigns/"+current.ID+"/risk-cell?l=3&i=3").want(t, http.StatusOK, "")
		b.get("/review-queue").want(t, http.StatusForbidden, "")
	})

	t.Run("an auditor sees the dashboard, read-only", func(t *testing.T) {
		b := s.browser(t)
		page := b.signIn("auditor"+demoDomain, demo.Password)
		page.want(t, http.StatusOK, "/", "<h1>Dashboard</h1>", `id="risk-matrix"`, `id="priorities"`, "Overdue findings")
		page.lacks(t, "Your review queue", "Waiting for a second approver", `method="post" action="/assessments`)
		if n := strings.Count(page.body, `method="post"`); n != 2 { // the language and sign-out forms
			t.Errorf("the auditor's dashboard has %d forms that post", n)
		}
		b.get("/review-queue").want(t, http.StatusForbidden, "")
		b.get("/overdue-findings").want(t, http.StatusOK, "", "Overdue findings")
	})

	t.Run("a cell of the matrix lists the pairs it counts", func(t *testing.T) {
		b := s.browser(t)
		page := b.signIn("auditor"+demoDomain, demo.Password)
		m, err := s.app.SectorRiskMatrix(ctx, sup, current.ID, store.SectorFilter{}, false)
		if err != nil {
			t.Fatal(err)
		}
		cells := 0
		for l := 1; l <= 5; l++ {
			for i := 1; i <= 5; i++ {
				link := fmt.Sprintf(`href="/campaigns/%s/risk-cell?l=%d&amp;i=%d"`, current.ID, l, i)
				if has := strings.Contains(page.body, link); has != (m.Counts[l-1][i-1] > 0) {
					t.Errorf("cell (%d, %d) holds %d pairs; linked: %v", l, i, m.Counts[l-1][i-1], has)
				}
				if m.Counts[l-1][i-1] == 0 || m.Counts[l-1][i-1] > 50 {
					continue
				}
				cells++
				list := b.get(fmt.Sprintf("/campaigns/%s/risk-cell?l=%d&i=%d", current.ID, l, i))
				list.want(t, http.StatusOK, "", fmt.Sprintf("Likelihood %d, impact %d", l, i), `id="risk-pairs"`)
				if n := strings.Count(list.body, `<th scope="row"><a href="/providers/`); n != m.Counts[l-1][i-1] {
					t.Errorf("cell (%d, %d) lists %d pairs, the matrix counts %d", l, i, n, m.Counts[l-1][i-1])
				}
			}
		}
		if cells == 0 {
			t.Error("no cell of the demo's matrix was checked")
		}
		b.get("/campaigns/"+current.ID+"/risk-cell?l=9&i=1").want(t, http.StatusNotFound, "")
		b.get("/campaigns/"+current.ID+"/risk-cell?l=x").want(t, http.StatusNotFound, "")
	})

	t.Run("a filing reviewed in full waits for the second supervisor", func(t *testing.T) {
		list, _, err := s.db.Assessments(ctx, sup, store.AssessmentFilter{CampaignID: current.ID,
			Status: domain.StatusInReview}, store.Page{})
		if err != nil || len(list) == 0 {
			t.Fatalf("in review: %v %v", list, err)
		}
		a := list[0]
		responses, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
			return s.app.Responses(ctx, sup, a.ID, store.ResponseFilter{}, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		var verdicts []store.VerdictInput
		for _, r := range responses {
			if r.Verdict == "" || r.Verdict == domain.NeedsInfo {
				verdicts = append(verdicts, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
			}
		}
		if _, err := s.app.SetVerdicts(ctx, sup, a.ID, verdicts, "body.verdicts"); err != nil {
			t.Fatal(err)
		}
		grace := s.browser(t)
		page := grace.signIn("supervisor"+demoDomain, demo.Password)
		approval := regexp.MustCompile(`(?s)<table class="list desk-queue" id="approval-queue">.*?</table>`).FindString(page.body)
		if !strings.Contains(approval, ">"+a.ProviderName+"</a>") {
			t.Errorf("Grace's second-approver list lacks %s: %q", a.ProviderName, approval)
		}
		grace.get("/review-queue?wait=second").want(t, http.StatusOK, "", "Waiting for a second approver", a.ProviderName)
		moussa := s.browser(t)
		mine := moussa.signIn("supervisor2"+demoDomain, demo.Password)
		row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="/assessments/` + a.ID + `">.*?</tr>`).FindString(mine.body)
		if !strings.Contains(row, "Ready for your approval") {
			t.Errorf("Moussa's queue row of %s: %q", a.ProviderName, row)
		}
		moussa.get("/review-queue").want(t, http.StatusOK, "", "Your review queue", a.ProviderName)
	})

	t.Run("the dashboard speaks French", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("supervisor"+demoDomain, demo.Password)
		b.post("/language", map[string][]string{"language": {"fr"}, "next": {"/"}})
		b.get("/").want(t, http.StatusOK, "/", "Tableau de bord", "Avancement de la campagne", "Matrice des risques",
			"Non commencée")
	})
}
