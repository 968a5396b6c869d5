package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testReportAnIncident walks Nyota's administrator from the navigation to
// the form of a new incident, which they fill in and send: that files the
// initial report, and the incident's page and the home page show the next
// report's clock. A supervisor then opens the queue, the incident from it
// and the sector's statistics, in English and in French. axe finds no
// violation of any impact on any of those pages, and none is wider than a
// 360-pixel phone. With ASSURE_E2E_SHOTS set, each page is saved there as
// a desktop and a phone show it, for a person to look at.
func testReportAnIncident(t *testing.T, env *suite) {
	s := newSite(t, env)
	p := s.newPage(t, "provider")
	p.signIn(nyotaAdmin)
	p.followLink("Incidents")
	p.waitText("h1", "Incidents")
	p.followLink("Report an incident")
	p.waitVisible("#incident-form")
	axeClean(t, p)
	fitsPhone(t, p)
	shoot(t, p, "incident-form")

	p.typeInto("#title", "USSD gateway outage")
	now := time.Now().UTC()
	eval[string](p, `document.getElementById("detected_at").value = "`+now.Add(-2*time.Hour).Format("2006-01-02T15:04")+`"`)
	eval[string](p, `document.getElementById("classified_at").value = "`+now.Add(-time.Hour).Format("2006-01-02T15:04")+`"`)
	p.typeInto("#description", "The USSD gateway stopped answering; transfers failed for an hour.")
	p.typeInto("#customers_affected", "1200")
	p.click("#channel-ussd")
	p.click("#service-p2p_transfers")
	p.click("#threat-T10")
	p.clickAndLoad(`#incident-form button[type=submit]`)
	p.waitText("main", "The incident is reported.")
	p.waitText("#clock-initial", "Filed on time")
	p.waitText("#clock-intermediate", "Due in")
	axeClean(t, p)
	fitsPhone(t, p)
	shoot(t, p, "incident-provider")
	id := strings.TrimPrefix(eval[string](p, `location.pathname`), "/incidents/")

	p.navigate("/")
	p.waitText("#due-incident-"+id, "Intermediate report")
	p.waitText("#due-incident-"+id, "Running")
	axeClean(t, p)
	fitsPhone(t, p)
	shoot(t, p, "home-provider")

	sup := s.newPage(t, "supervisor")
	sup.signIn(supervisor)
	for _, lang := range []string{"en", "fr"} {
		if lang == "fr" {
			sup.clickAndLoad(`form[action="/language"] button[value=fr]`)
		}
		sup.navigate("/incidents")
		sup.waitVisible("#incident-" + id)
		axeClean(t, sup)
		fitsPhone(t, sup)
		shoot(t, sup, "queue-"+lang)
		sup.clickAndLoad(`#incident-` + id + ` a[href="/incidents/` + id + `"]`)
		sup.waitVisible("#clocks")
		sup.waitVisible("#request-information")
		axeClean(t, sup)
		fitsPhone(t, sup)
		shoot(t, sup, "incident-supervisor-"+lang)
		sup.navigate("/incidents")
		sup.clickAndLoad(`a[href="/incidents/statistics"]`)
		sup.waitVisible("#statistics-summary")
		axeClean(t, sup)
		fitsPhone(t, sup)
		shoot(t, sup, "statistics-"+lang)
	}
	sup.waitText("#statistics-summary", "1")
	if lang := eval[string](sup, `document.documentElement.lang`); lang != "fr" {
		t.Errorf("the statistics page says lang=%q after the switch to French", lang)
	}

	p.clickAndLoad(`form[action="/language"] button[value=fr]`)
	p.navigate("/incidents/new")
	p.waitVisible("#incident-form")
	axeClean(t, p)
	fitsPhone(t, p)
	shoot(t, p, "incident-form-fr")
	p.navigate("/")
	p.waitText("#due-incident-"+id, "Rapport intermédiaire")
	axeClean(t, p)
	fitsPhone(t, p)
	shoot(t, p, "home-provider-fr")
}

// fitsPhone fails the test when the page, laid out 360 pixels wide, is
// wider than that: a phone would scroll it sideways. It names the widest
// elements that stick out. The tab is left at desktop width.
func fitsPhone(t *testing.T, p *page) {
	t.Helper()
	p.do("set the viewport to 360 pixels", chromedp.EmulateViewport(360, 740))
	defer p.do("set the viewport back", chromedp.EmulateViewport(1280, 900))
	out := eval[[]string](p, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return [];
		return [...document.querySelectorAll("body *")]
			.filter(e => e.getBoundingClientRect().right > w + 1)
			.map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") +
				" (" + Math.round(e.getBoundingClientRect().right) + "px)")
			.slice(0, 12);
	})()`)
	if len(out) > 0 {
		t.Errorf("%s is wider than a 360-pixel screen: %s", p.title(), strings.Join(out, ", "))
	}
}

// shoot saves the whole page as a desktop and as a 360-pixel-wide phone
// shows it, under ASSURE_E2E_SHOTS when that names a folder (for a person
// to look at), and does nothing otherwise. The tab is left at desktop
// width.
func shoot(t *testing.T, p *page, name string) {
	t.Helper()
	dir := os.Getenv("ASSURE_E2E_SHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		label         string
		width, height int64
	}{{"360", 360, 740}, {"desktop", 1280, 900}} {
		// The viewport as tall as the page, so that no scroll bar takes
		// from its width.
		p.do("set the viewport to "+size.label, chromedp.EmulateViewport(size.width, size.height))
		height := max(size.height, int64(eval[float64](p, `document.documentElement.scrollHeight`)))
		p.do("make the viewport as tall as the page", chromedp.EmulateViewport(size.width, height))
		shot := run(p, "take a screenshot", chromedp.CaptureScreenshot())
		file := filepath.Join(dir, name+"-"+size.label+".png")
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.do("set the viewport back", chromedp.EmulateViewport(1280, 900))
}
