package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step of a test, so a page that never shows what a
// test waits for fails the test instead of hanging the package.
const stepTimeout = 20 * time.Second

// screenshotDir is where a failing test leaves a picture of its page.
func screenshotDir() string {
	if d := os.Getenv("ASSURE_E2E_SCREENSHOTS"); d != "" {
		return d
	}
	if wd, err := os.Getwd(); err == nil {
		return filepath.Join(wd, "screenshots")
	}
	return filepath.Join(os.TempDir(), "assure-e2e-screenshots")
}

// page is one browser tab of a test, in a browser context of its own: a
// visitor with their own cookies.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL
	name string // tells two tabs of one test apart in messages and screenshots
}

// newPage opens a tab of the suite's browser in a fresh browser context, on
// the site. When the test fails, the tab's page is saved as a screenshot
// first.
func (s *site) newPage(t *testing.T, name string) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.suite.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	p := &page{t: t, ctx: ctx, base: s.url, name: name}
	t.Cleanup(p.screenshotOnFailure)
	return p
}

func (p *page) screenshotOnFailure() {
	if !p.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("%s: no screenshot of %s: %v", p.name, url, err)
		return
	}
	dir := screenshotDir()
	file := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(p.t.Name())+"-"+p.name+".png")
	err = os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(file, shot, 0o644)
	}
	if err != nil {
		p.t.Logf("%s: cannot save the screenshot of %s: %v", p.name, url, err)
		return
	}
	p.t.Logf("%s: the page %s at the failure is in %s", p.name, url, file)
}

// do runs steps within the step timeout, failing the test with what was
// being done.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// run runs one action that returns a value within the step timeout.
func run[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	return run(p, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// waitFor evaluates a JavaScript expression until it is true. It polls from
// Go rather than with chromedp's Poll, which ends with an error when the
// page navigates meanwhile, as the evidence upload's page does.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+expr+")"))
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil {
			if err == nil {
				err = ctx.Err()
			}
			p.t.Fatalf("%s: waiting for %s: %v", p.name, what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// navigate opens a path of the server and waits for it to load.
func (p *page) navigate(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path))
}

// click clicks the first visible element of a CSS selector.
func (p *page) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// clickAndLoad clicks an element that leads to another page and waits for
// that page to load.
func (p *page) clickAndLoad(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("%s: click %s and wait for the next page: %v", p.name, sel, err)
	}
}

// followLink clicks the link whose text is text and waits for the page it
// leads to, as a person picks a link by what it says.
func (p *page) followLink(text string) {
	p.t.Helper()
	if strings.Contains(text, `"`) {
		p.t.Fatalf("followLink: %q cannot be quoted in XPath", text)
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	link := chromedp.Search(fmt.Sprintf(`//a[normalize-space()="%s"]`, text))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(link)); err != nil {
		p.t.Fatalf("%s: follow the link %q: %v", p.name, text, err)
	}
}

// typeInto types text into a field after what it holds.
func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	p.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// waitVisible waits until an element of a CSS selector is visible.
func (p *page) waitVisible(sel string) {
	p.t.Helper()
	p.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text returns the visible text of the first element of a CSS selector.
func (p *page) text(sel string) string {
	p.t.Helper()
	return run(p, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// waitText waits until the element of a CSS selector holds want.
func (p *page) waitText(sel, want string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%q in %s", want, sel),
		fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "").includes(%s)`, jsString(sel), jsString(want)))
}

// title is the document's title.
func (p *page) title() string {
	p.t.Helper()
	return run(p, "read the title", chromedp.Title())
}

// signIn signs in through the sign-in form and waits for the home page.
func (p *page) signIn(email string) {
	p.t.Helper()
	p.navigate("/signin")
	p.typeInto("#email", email)
	p.typeInto("#password", demoPassword)
	p.clickAndLoad(`form[action="/signin"] button[type=submit]`)
	if !eval[bool](p, `document.querySelector('form[action="/signout"]') !== null`) {
		p.t.Fatalf("%s: signed in as %s, the page %q has no sign-out button", p.name, email, p.title())
	}
}

// jsString quotes s as a JavaScript string literal; JSON's is one.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
