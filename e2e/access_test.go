package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testOtherProvidersAssessmentNotFound opens, as Imara MFB's administrator,
// the address of Nyota's assessment: the page is "Not found", with the 404
// status, and names nothing of Nyota's.
func testOtherProvidersAssessmentNotFound(t *testing.T, env *suite) {
	s := newSite(t, env)
	other := s.assessment(t, "Nyota")
	p := s.newPage(t, "admin")
	p.signIn(imaraAdmin)

	res := run(p, "open Nyota's assessment", chromedp.NavigateResponse(s.url+"/assessments/"+other.ID))
	if res.Status != http.StatusNotFound {
		t.Errorf("status of another provider's assessment = %d, want 404", res.Status)
	}
	if h1 := p.text("h1"); h1 != "Not found" {
		t.Errorf("heading = %q, want Not found", h1)
	}
	if title := p.title(); !strings.HasPrefix(title, "Not found") {
		t.Errorf("title = %q, want it to start with Not found", title)
	}
	if body := p.text("main"); strings.Contains(body, "Nyota") {
		t.Errorf("the not-found page names the other provider: %q", body)
	}
	axe(t, p)
}

// testSaveWithoutCSRFRefused signs in over plain HTTP and posts an answer
// without the form's CSRF token: 403, and the answer is not stored. The same
// post with the token is taken, so the refusal is the token's doing.
func testSaveWithoutCSRFRefused(t *testing.T, env *suite) {
	s := newSite(t, env)
	draft := s.assessment(t, "Imara MFB")
	c := signInHTTP(t, s.url, imaraAdmin)
	const control = "C1"
	before := s.response(t, draft.ID, control)
	answer := url.Values{"status": {"implemented"}, "narrative": {"Posted from outside the page."},
		"version": {strconv.Itoa(before.Version)}}

	res := postForm(t, c, s.url+"/assessments/"+draft.ID+"/responses/"+control, answer)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("save without the CSRF token: status %d, want 403", res.StatusCode)
	}
	if after := s.response(t, draft.ID, control); after.Version != before.Version || after.Narrative != before.Narrative {
		t.Errorf("a save without the CSRF token changed %s: version %d → %d, narrative %q", control,
			before.Version, after.Version, after.Narrative)
	}

	answer.Set("csrf", csrfToken(t, c, s.url+"/assessments/"+draft.ID))
	res = postForm(t, c, s.url+"/assessments/"+draft.ID+"/responses/"+control, answer)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("save with the CSRF token: status %d, want 303", res.StatusCode)
	}
	if after := s.response(t, draft.ID, control); after.Narrative != "Posted from outside the page." {
		t.Errorf("a save with the CSRF token stored narrative %q", after.Narrative)
	}
}

// signInHTTP signs in through the sign-in form without a browser and returns
// a client holding the session cookie. It follows no redirect, so callers
// see each status.
func signInHTTP(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: stepTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"email": {email}, "password": {demoPassword}, "next": {"/"},
		"csrf": {csrfToken(t, c, base+"/signin")}}
	res := postForm(t, c, base+"/signin", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s over HTTP: status %d", email, res.StatusCode)
	}
	return c
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfToken reads the CSRF token of the first form of a page.
func csrfToken(t *testing.T, c *http.Client, pageURL string) string {
	t.Helper()
	res, err := c.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := csrfField.FindSubmatch(b)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s: status %d, no CSRF field", pageURL, res.StatusCode)
	}
	return string(m[1])
}

// postForm posts a form as a browser would, from a page of the same site.
func postForm(t *testing.T, c *http.Client, target string, form url.Values) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
