package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"assure/api"
	"assure/app"
	"assure/demo"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
	"assure/web"
)

// newSiteWith is newSite with options of the application layer.
func newSiteWith(t *testing.T, opts app.Options) *site {
	t.Helper()
	db, _ := storetest.New(t)
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	application := app.New(db, authz, log, opts)
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(ts.Close)
	return &site{t: t, url: ts.URL, db: db, app: application}
}

// htmx sends a GET as htmx does: with its header, so that the answer is a
// fragment.
func (b *browser) htmx(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// previewRow matches a provider's row of a campaign preview.
var previewRow = regexp.MustCompile(`<tr data-provider="([0-9a-f-]{36})"><td>[^<]*</td><td>[^<]*</td><td>\d</td><td class="num">([\d,  ]+)</td></tr>`)

// previewCounts reads a preview's counts: providers, controls and, by
// provider, the controls each must answer.
func previewCounts(t *testing.T, body string) (int, int, map[string]int) {
	t.Helper()
	m := regexp.MustCompile(`id="preview-counts">([\d,  ]+) providers in scope; ([\d,  ]+) controls to answer in all\.`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no preview counts in:\n%s", body)
	}
	rows := map[string]int{}
	for _, r := range previewRow.FindAllStringSubmatch(body, -1) {
		rows[r[1]] = number(t, r[2])
	}
	return number(t, m[1]), number(t, m[2]), rows
}

func number(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.NewReplacer(",", "", " ", "", " ", "").Replace(s))
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// campaignIDOf reads a campaign's id from the address of its page.
func campaignIDOf(t *testing.T, path string) string {
	t.Helper()
	m := regexp.MustCompile(`^/campaigns/([0-9a-f-]{36})`).FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("%s is not a campaign's page", path)
	}
	return m[1]
}

// opened checks that what opening a campaign created is what its preview said.
func opened(t *testing.T, s *site, id string, providers, controls int, rows map[string]int) {
	t.Helper()
	list, _, err := s.db.Assessments(context.Background(), domain.System("test"), store.AssessmentFilter{CampaignID: id},
		store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, a := range list {
		total += a.Applicable
		if n, ok := rows[a.ProviderID]; ok && n != a.Applicable {
			t.Errorf("the preview said %s answers %d controls; opening gave it %d", a.ProviderName, n, a.Applicable)
		}
	}
	if len(list) != providers || total != controls {
		t.Errorf("opening created %d assessments with %d controls; the preview said %d and %d", len(list), total, providers, controls)
	}
}

func TestCampaignPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	fw, _, err := s.app.Frameworks(ctx, s.actor("supervisor"+demoDomain), store.Page{})
	if err != nil || len(fw) == 0 {
		t.Fatalf("no framework: %v", err)
	}
	framework := fw[len(fw)-1].ID + "|" + fw[len(fw)-1].Version
	today := domain.Today()

	t.Run("the list shows the demo campaigns, newest first, and offers a new one", func(t *testing.T) {
		list := sup.get("/campaigns")
		list.want(t, http.StatusOK, "/campaigns", `href="/campaigns/new"`, "2027 H1 DFS security self-assessment",
			"2026 H2 DFS security self-assessment", `aria-current="page"`)
		if strings.Index(list.body, "2027 H1") > strings.Index(list.body, "2026 H2") {
			t.Error("the older campaign comes first")
		}
		sup.get("/campaigns?status=closed").lacks(t, "2027 H1 DFS security self-assessment")
	})

	t.Run("the wizard's preview by kind and tier counts what opening creates", func(t *testing.T) {
		q := url.Values{"framework": {framework}, "mode": {"kinds"}, "kind": {"bank", "mfi"}, "name": {"Banks and MFIs"}}
		live := sup.htmx("/campaigns/preview?" + q.Encode())
		live.want(t, http.StatusOK, "", "Preview: what opening the campaign creates")
		live.lacks(t, "<html", `id="wizard"`)
		providers, controls, rows := previewCounts(t, live.body)
		if providers != 4 || len(rows) != 4 { // two banks and two microfinance institutions
			t.Errorf("the preview counts %d providers, lists %d; the demo has 2 banks and 2 MFIs", providers, len(rows))
		}
		// Without scripts the Preview button shows the same.
		sup.get("/campaigns/new").want(t, http.StatusOK, "/campaigns/new", `name="mode"`, "Find providers by name or licence number")
		form := url.Values{"name": {"Banks and MFIs 2027"}, "framework": {framework}, "mode": {"kinds"},
			"kind": {"bank", "mfi"}, "opens_at": {today.String()}, "due_at": {today.AddDays(60).String()}}
		form.Set("action", "preview")
		plain := sup.post("/campaigns/new", form)
		plain.want(t, http.StatusOK, "/campaigns/new", `id="wizard"`)
		if p, c, _ := previewCounts(t, plain.body); p != providers || c != controls {
			t.Errorf("the Preview button counts %d/%d, the live preview %d/%d", p, c, providers, controls)
		}

		form.Set("action", "create")
		created := sup.post("/campaigns/new", form)
		created.want(t, http.StatusOK, "", "Banks and MFIs 2027", "The campaign is drafted.", "Open the campaign")
		id := campaignIDOf(t, created.path)
		if p, c, _ := previewCounts(t, created.body); p != providers || c != controls {
			t.Errorf("the draft's page counts %d/%d, the wizard %d/%d", p, c, providers, controls)
		}
		s.openThroughJob(t, sup, id).want(t, http.StatusOK, "/campaigns/"+id+"?done=opened",
			"The campaign is open", `id="assessments"`, "Extend the due date", "Close the campaign")
		opened(t, s, id, providers, controls, rows)

		page := sup.get("/campaigns/" + id)
		if n := strings.Count(page.body, `<tr id="assessment-`); n != providers {
			t.Errorf("the campaign's page lists %d assessments, want %d", n, providers)
		}
		page.want(t, http.StatusOK, "", "0 of ", `/review">Review`)

		sup.post("/campaigns/"+id+"/extend", url.Values{"due_at": {today.AddDays(10).String()}, "reason": {"Holidays"}}).
			want(t, http.StatusUnprocessableEntity, "", `id="extend-due-error"`, "must be after the current due date")
		sup.post("/campaigns/"+id+"/extend", url.Values{"due_at": {today.AddDays(90).String()}, "reason": {" "}}).
			want(t, http.StatusUnprocessableEntity, "", `id="extend-reason-error"`)
		sup.post("/campaigns/"+id+"/extend", url.Values{"due_at": {today.AddDays(90).String()}, "reason": {"Public holidays"}}).
			want(t, http.StatusOK, "/campaigns/"+id+"?done=extended", "The due date is extended.", s.dateOf(today.AddDays(90)))
		sup.post("/campaigns/"+id+"/open", nil).want(t, http.StatusConflict, "", "only a draft can be opened")
		sup.post("/campaigns/"+id+"/close", nil).want(t, http.StatusOK, "/campaigns/"+id+"?done=closed", "The campaign is closed.")
	})

	t.Run("chosen providers: searched, kept across searches, counted; none chosen is refused", func(t *testing.T) {
		providers, _, err := s.db.Providers(ctx, domain.System("test"), store.ProviderFilter{}, store.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]domain.Provider{}
		for _, p := range providers {
			byName[p.ShortName] = p
		}
		kopa, atlas := byName["Kopa"], byName["Atlas Bank"]
		search := sup.htmx("/campaigns/preview?" + url.Values{"part": {"picker"}, "q": {"Kopa"}, "provider": {atlas.ID},
			"framework": {framework}}.Encode())
		search.want(t, http.StatusOK, "", `value="`+kopa.ID+`"`, `id="pick-`+atlas.ID+`" name="provider" value="`+atlas.ID+`" checked`)
		search.lacks(t, `value="`+byName["Jamii"].ID+`"`)

		form := url.Values{"name": {"Two providers"}, "framework": {framework}, "mode": {"providers"},
			"opens_at": {today.String()}, "due_at": {today.AddDays(30).String()}, "action": {"create"}}
		sup.post("/campaigns/new", form).want(t, http.StatusUnprocessableEntity, "/campaigns/new", `id="providers-error"`,
			"choose at least one provider")

		form["provider"] = []string{kopa.ID, atlas.ID}
		form.Set("action", "preview")
		pv := sup.post("/campaigns/new", form)
		p, c, rows := previewCounts(t, pv.body)
		if p != 2 || len(rows) != 2 {
			t.Errorf("two chosen providers preview as %d", p)
		}
		form.Set("action", "create")
		id := campaignIDOf(t, sup.post("/campaigns/new", form).path)
		s.openThroughJob(t, sup, id).want(t, http.StatusOK, "/campaigns/"+id+"?done=opened")
		opened(t, s, id, p, c, rows)
	})

	t.Run("the wizard names each problem next to its field", func(t *testing.T) {
		bad := sup.post("/campaigns/new", url.Values{"name": {""}, "framework": {framework}, "mode": {"kinds"},
			"opens_at": {"tomorrow"}, "due_at": {today.String()}, "action": {"create"}})
		bad.want(t, http.StatusUnprocessableEntity, "/campaigns/new", `id="name-error"`, `id="opens_at-error"`, `href="#name"`)
	})

	t.Run("only supervisors run campaigns", func(t *testing.T) {
		p := s.browser(t)
		p.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		p.get("/campaigns/new").want(t, http.StatusForbidden, "/campaigns/new")
		p.htmx("/campaigns/preview?mode=kinds").want(t, http.StatusForbidden, "")
		p.get("/")
		p.post("/campaigns/new", url.Values{"name": {"Mine"}, "mode": {"kinds"}, "action": {"create"}}).
			want(t, http.StatusForbidden, "/campaigns/new")
		list := p.get("/campaigns")
		list.want(t, http.StatusOK, "/campaigns", "2027 H1 DFS security self-assessment")
		list.lacks(t, `href="/campaigns/new"`)
	})
}

// dateOf formats a date as the English pages do.
func (s *site) dateOf(d domain.Date) string {
	t := d.Time()
	return strconv.Itoa(t.Day()) + " " + t.Month().String() + " " + strconv.Itoa(t.Year())
}

// openThroughJob opens a campaign from its page: the page follows the
// queued opening, the job's work runs as a worker would, and the polling
// sends the page to the open campaign.
func (s *site) openThroughJob(t *testing.T, b *browser, id string) answer {
	t.Helper()
	b.post("/campaigns/"+id+"/open", nil).want(t, http.StatusOK, "/campaigns/"+id+"?opening=1",
		"Opening the campaign…", `role="progressbar"`, `aria-valuenow="0"`, "Waiting for a worker to start the opening.")
	if err := s.app.RunCampaignOpening(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if to := b.htmx("/campaigns/" + id + "/opening").header.Get("HX-Redirect"); to != "/campaigns/"+id+"?done=opened" {
		t.Fatalf("the finished opening sends the page to %q", to)
	}
	return b.get("/campaigns/" + id + "?done=opened")
}

// TestCampaignOpensInTheBackground opens a campaign with River's workers
// running, as assure serve runs them: the page shows the queued opening's
// progress bar, in English and French, and follows it until the campaign is
// open; an opening that failed says why, with nothing created, and can be
// asked for again.
func TestCampaignOpensInTheBackground(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	today := domain.Today()
	fw, _, err := s.app.Frameworks(ctx, s.actor("supervisor"+demoDomain), store.Page{})
	if err != nil || len(fw) == 0 {
		t.Fatalf("no framework: %v", err)
	}
	draft := func(name string) (string, int, int, map[string]int) {
		created := sup.post("/campaigns/new", url.Values{"name": {name}, "mode": {"kinds"}, "opens_at": {today.String()},
			"framework": {fw[0].ID + "|" + fw[0].Version},
			"due_at":    {today.AddDays(30).String()}, "action": {"create"}})
		id := campaignIDOf(t, created.path)
		providers, controls, rows := previewCounts(t, created.body)
		return id, providers, controls, rows
	}

	// Queued while no worker runs: the page shows the bar and polls.
	id, providers, controls, rows := draft("Everyone")
	busy := sup.post("/campaigns/"+id+"/open", nil)
	busy.want(t, http.StatusOK, "/campaigns/"+id+"?opening=1", "Opening the campaign…", `hx-get="/campaigns/`+id+`/opening"`,
		`hx-trigger="every 2s"`, `role="progressbar"`, `aria-valuemin="0"`, `aria-valuemax="100"`, `aria-valuenow="0"`)
	busy.lacks(t, `action="/campaigns/`+id+`/open"`)
	sup.htmx("/campaigns/"+id+"/opening").want(t, http.StatusOK, "", "Waiting for a worker to start the opening.", `role="progressbar"`)
	fr := s.browser(t)
	fr.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	fr.post("/language", url.Values{"language": {"fr"}, "next": {"/campaigns"}})
	fr.get("/campaigns/"+id).want(t, http.StatusOK, "", "Ouverture de la campagne…", "En attente d’un processus qui lance l’ouverture.")
	// The language is the user's: back to English for the rest.
	fr.post("/language", url.Values{"language": {"en"}, "next": {"/campaigns"}})

	// A provider user sees neither the draft nor its opening.
	p := s.browser(t)
	p.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	if a := p.htmx("/campaigns/" + id + "/opening"); a.status != http.StatusForbidden && a.status != http.StatusNotFound {
		t.Errorf("a provider user follows an opening: %d", a.status)
	}

	jobs, err := s.app.NewJobs(slog.New(slog.NewTextHandler(io.Discard, nil)), app.JobOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	run, cancel := context.WithCancel(ctx)
	if err := jobs.Start(run); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		jobs.Stop(stop)
		cancel()
	})
	follow := func(id string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			a := sup.htmx("/campaigns/" + id + "/opening")
			if to := a.header.Get("HX-Redirect"); to != "" {
				if to != "/campaigns/"+id+"?done=opened" {
					t.Errorf("the finished opening sends the page to %s", to)
				}
				return
			}
			if !strings.Contains(a.body, "Opening the campaign…") {
				t.Fatalf("while opening, the status says:\n%s", a.body)
			}
			if time.Now().After(deadline) {
				t.Fatal("the campaign is still opening after a minute")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	follow(id)
	opened(t, s, id, providers, controls, rows)
	sup.get("/campaigns/"+id+"?done=opened").want(t, http.StatusOK, "", "The campaign is open")

	// The requester loses the right to open campaigns before the job runs:
	// it fails, says why, and nothing is created.
	id2, _, _, _ := draft("Refused")
	if _, err := s.db.Pool().Exec(ctx, `insert into campaign_openings (campaign_id, status, requested_by)
		select $1, 'queued', id from users where email = $2`, id2, "p04-admin"+demoDomain); err != nil {
		t.Fatal(err)
	}
	if err := s.app.RunCampaignOpening(ctx, id2); err == nil {
		t.Fatal("an opening asked for by a provider user ran")
	}
	failed := sup.get("/campaigns/" + id2)
	failed.want(t, http.StatusOK, "", "The campaign is not open", `id="opening-error"`, "can no longer open campaigns",
		`action="/campaigns/`+id2+`/open"`)
	failed.lacks(t, "every 2s")
	if n := countAssessments(t, s, id2); n != 0 {
		t.Errorf("a failed opening left %d assessments", n)
	}
	sup.post("/campaigns/"+id2+"/open", nil).want(t, http.StatusOK, "/campaigns/"+id2+"?opening=1")
	follow(id2)
}

func countAssessments(t *testing.T, s *site, campaignID string) int {
	t.Helper()
	var n int
	if err := s.db.Pool().QueryRow(context.Background(), `select count(*) from assessments where campaign_id = $1`,
		campaignID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStoppedOpeningShowsItsFailure: an opening whose job River gave up
// (its worker lost on the last attempt) is marked failed by housekeeping's
// sweep; the campaign's page then stops polling and shows the reason, in
// English and French, with the button that asks for the opening again.
func TestStoppedOpeningShowsItsFailure(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
	fw, _, err := s.app.Frameworks(ctx, s.actor("supervisor"+demoDomain), store.Page{})
	if err != nil || len(fw) == 0 {
		t.Fatalf("no framework: %v", err)
	}
	today := domain.Today()
	created := sup.post("/campaigns/new", url.Values{"name": {"Stopped"}, "mode": {"kinds"}, "opens_at": {today.String()},
		"framework": {fw[0].ID + "|" + fw[0].Version}, "due_at": {today.AddDays(30).String()}, "action": {"create"}})
	id := campaignIDOf(t, created.path)
	sup.post("/campaigns/"+id+"/open", nil).want(t, http.StatusOK, "/campaigns/"+id+"?opening=1", "Opening the campaign…")

	// What River leaves of a worker lost on its last attempt an hour ago.
	if _, ok, err := s.db.StartOpening(ctx, id); err != nil || !ok {
		t.Fatalf("start: %v %v", ok, err)
	}
	pool := s.db.Pool()
	if _, err := pool.Exec(ctx, `update campaign_openings set updated_at = now() - interval '1 hour' where campaign_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `update river_job set state = 'discarded', attempt = max_attempts, attempted_at = now() - interval '1 hour',
		finalized_at = now() where kind = 'campaign_open' and args->>'campaign_id' = $1`, id); err != nil {
		t.Fatal(err)
	}
	sup.get("/campaigns/"+id).want(t, http.StatusOK, "", "Opening the campaign…", "every 2s")

	if n, err := s.app.FailStoppedOpenings(ctx); err != nil || n != 1 {
		t.Fatalf("the sweep marked %d openings (%v), want 1", n, err)
	}
	failed := sup.get("/campaigns/" + id)
	failed.want(t, http.StatusOK, "", "The campaign is not open", `id="opening-error"`,
		"the opening stopped without finishing and no worker will take it up again", `action="/campaigns/`+id+`/open"`)
	failed.lacks(t, "every 2s")
	sup.post("/language", url.Values{"language": {"fr"}, "next": {"/campaigns"}})
	sup.get("/campaigns/"+id).want(t, http.StatusOK, "", "l’ouverture s’est arrêtée avant la fin et aucun processus ne la reprendra")
	sup.post("/language", url.Values{"language": {"en"}, "next": {"/campaigns"}})

	// The button asks again: the page follows a fresh opening.
	sup.post("/campaigns/"+id+"/open", nil).want(t, http.StatusOK, "/campaigns/"+id+"?opening=1", "Waiting for a worker to start the opening.")
}
