package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoAuditor is the demo sector's auditor, as assure seed demo prints it.
const demoAuditor = "auditor@demo.assure.local"

// fetched is what a page's own fetch of one of its links brought back.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Chain  string `json:"chain"`
	Start  string `json:"start"` // the first bytes of the body, as text
}

// fetchLink fetches the address of the link sel within the page, with the
// page's cookies, as a click on a download link does.
func (p *page) fetchLink(sel string) fetched {
	p.t.Helper()
	return run(p, "fetch the link "+sel, chromedp.Evaluate[fetched](`fetch(document.querySelector(`+jsString(sel)+`).href)
		.then(async r => ({status: r.status, type: r.headers.get("content-type") || "",
			chain: r.headers.get("assure-audit-chain") || "",
			start: new TextDecoder().decode((await r.arrayBuffer()).slice(0, 60))}))`, chromedp.EvalAwaitPromise))
}

// jobProgress is a report job's progress bar as the page shows it.
type jobProgress struct {
	Value    float64 `json:"value"`
	Max      float64 `json:"max"`
	Count    string  `json:"count"`
	Download bool    `json:"download"`
	Same     bool    `json:"same"` // the page is the one first loaded: it changed in place
}

func (p *page) jobProgress() jobProgress {
	p.t.Helper()
	return eval[jobProgress](p, `(() => { const b = document.querySelector("#job-progress");
		return {value: b ? b.value : -1, max: b ? b.max : -1, count: document.querySelector("#job-count")?.textContent || "",
			download: document.querySelector("#job-download") !== null, same: window.assureFirstLoad === true}; })()`)
}

// testAuditorJourney follows the demo auditor, who reads everything and
// changes nothing, clicking from page to page without typing an id: to a
// campaign and an assessment, whose pack they download; to the campaign's
// exports, where a sector PDF runs in the background and its page shows the
// progress bar filling until the download appears; to the audit log,
// filtered by actor and action, paged to older events, an event opened,
// the chain verified and the trail exported. axe checks every page.
func testAuditorJourney(t *testing.T, env *suite) {
	s := newSiteWithoutJobs(t, env)
	imara := s.assessment(t, "Imara MFB")
	p := s.newPage(t, "auditor")
	p.signIn(demoAuditor)
	axe(t, p)

	p.followLink("Campaigns")
	p.waitText("h1", "Campaigns")
	axe(t, p)
	p.followLink(imara.CampaignName)
	p.waitText("h1", imara.CampaignName)
	axe(t, p)
	p.clickAndLoad("#assessment-" + imara.ID + ` a[href="/assessments/` + imara.ID + `"]`)
	p.waitVisible("#assessment-exports")
	// The filing page shows an auditor nothing to fill or send.
	if n := eval[int](p, `document.querySelectorAll('#main form[method=post], #main textarea, #main input[type=file], #panel').length`); n != 0 {
		t.Errorf("the filing page offers the auditor %d controls that change something", n)
	}
	if body := p.text("#main"); strings.Contains(body, "Before you can submit") || strings.Contains(body, "cannot be changed now") {
		t.Error("the filing page speaks to the auditor as to a filer")
	}
	axe(t, p)

	p.clickAndLoad("#assessment-exports")
	p.waitText("h1", "Exports")
	axe(t, p)
	pdf := p.fetchLink("#export-pdf a")
	if pdf.Status != 200 || pdf.Type != "application/pdf" || !strings.HasPrefix(pdf.Start, "%PDF-") {
		t.Errorf("the assessment pack answers %d %q starting %q", pdf.Status, pdf.Type, pdf.Start)
	}

	// A sector PDF, watched from the moment it is asked for.
	p.followLink("Campaigns")
	p.followLink(imara.CampaignName)
	p.clickAndLoad("#campaign-exports")
	p.waitText("h1", "Exports")
	axe(t, p)
	p.clickAndLoad("#format-pdf")
	p.waitVisible("#job-progress")
	p.waitText("#job-state", "Waiting to start")
	if got := p.jobProgress(); got.Value != 0 || got.Download {
		t.Errorf("a job not yet started shows %+v", got)
	}
	axe(t, p)
	p.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.assureFirstLoad = true`))
	s.startJobs(t)
	var seen []jobProgress
	deadline := time.Now().Add(stepTimeout)
	for {
		got := p.jobProgress()
		if len(seen) == 0 || got != seen[len(seen)-1] {
			seen = append(seen, got)
		}
		if got.Download || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the progress bar went through %+v", seen)
	last := seen[len(seen)-1]
	if !last.Download || last.Max < 1 || last.Value != last.Max {
		t.Fatalf("the job's page went through %+v without reaching its end with a download", seen)
	}
	if !last.Same {
		t.Error("the job's page was reloaded rather than updated in place")
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Value < seen[i-1].Value {
			t.Errorf("the progress went back: %+v", seen)
		}
	}
	if want := strconv.Itoa(int(last.Max)) + " of " + strconv.Itoa(int(last.Max)); !strings.Contains(last.Count, want) {
		t.Errorf("the finished job says %q, want %q", last.Count, want)
	}
	p.waitText("#job-live", "The report is ready to download.")
	sector := p.fetchLink("#job-download")
	if sector.Status != 200 || sector.Type != "application/pdf" || !strings.HasPrefix(sector.Start, "%PDF-") {
		t.Errorf("the sector report answers %d %q starting %q", sector.Status, sector.Type, sector.Start)
	}
	axe(t, p)

	// The audit log, filtered by actor and action.
	p.followLink("Audit log")
	p.waitText("h1", "Audit log")
	axe(t, p)
	p.typeInto("#actor", demoAuditor)
	p.do("choose the action", chromedp.SetValue(chromedp.CSS("#action"), "report.export"))
	p.clickAndLoad("#audit-filter button[type=submit]")
	p.waitVisible("#audit-events")
	type row struct {
		Actor  string `json:"actor"`
		Action string `json:"action"`
	}
	rows := eval[[]row](p, `[...document.querySelectorAll("#audit-events tbody tr")].map(r => ({actor: r.dataset.actor, action: r.dataset.action}))`)
	if len(rows) == 0 {
		t.Fatal("the auditor's own export is not in the log")
	}
	for _, r := range rows {
		if r.Actor != demoAuditor || r.Action != "report.export" {
			t.Errorf("the filtered log shows %+v", r)
		}
	}
	axe(t, p)

	// Older events, then one event in full.
	p.followLink("Show all")
	newest := eval[[]string](p, `[...document.querySelectorAll("#audit-events tbody tr")].map(r => r.id)`)
	p.clickAndLoad("#audit-older")
	older := eval[[]string](p, `[...document.querySelectorAll("#audit-events tbody tr")].map(r => r.id)`)
	if len(newest) == 0 || len(older) == 0 || seqOfRow(t, older[0]) >= seqOfRow(t, newest[len(newest)-1]) {
		t.Errorf("the older page starts at %v after %v", older, newest)
	}
	axe(t, p)
	p.clickAndLoad("#audit-events tbody tr a")
	p.waitVisible("#event-hash")
	if h := p.text("#event-hash"); len(h) != 64 {
		t.Errorf("the event's hash is %q", h)
	}
	axe(t, p)

	// The chain verified in the background, the panel following the worker
	// until it states the result and the head; and the trail exported.
	p.followLink("Audit log")
	p.clickAndLoad("#verify-background")
	p.waitVisible("#verification-ok")
	headSeq, err := strconv.ParseInt(strings.TrimPrefix(p.text("#verification-head-seq"), "Event "), 10, 64)
	if err != nil {
		t.Fatalf("the head's sequence reads %q", p.text("#verification-head-seq"))
	}
	if checked := strings.ReplaceAll(p.text("#verification-checked"), ",", ""); checked != strconv.FormatInt(headSeq, 10) {
		t.Errorf("the panel says %s events checked up to event %d", checked, headSeq)
	}
	var hash string
	if err := s.db.Pool().QueryRow(context.Background(), `select hash from audit_events where seq = $1`, headSeq).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if got := p.text("#verification-head-hash"); got != hash {
		t.Errorf("the page gives the head %d the hash %s; it is %s", headSeq, got, hash)
	}
	axe(t, p)
	csv := p.fetchLink("#export-csv")
	if csv.Status != 200 || !strings.HasPrefix(csv.Type, "text/csv") || !strings.HasPrefix(csv.Start, "seq,at,actor_id,") ||
		!strings.HasPrefix(csv.Chain, "ok; checked=") {
		t.Errorf("the CSV export answers %d %q, chain %q, starting %q", csv.Status, csv.Type, csv.Chain, csv.Start)
	}
}

// seqOfRow reads the sequence number from an event row's id, event-123.
func seqOfRow(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "event-"), 10, 64)
	if err != nil {
		t.Fatalf("row id %q", id)
	}
	return n
}
