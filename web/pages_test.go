package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
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

// site is the whole server, API and pages, in-process over a fresh
// database holding the demo sector.
type site struct {
	t   *testing.T
	url string
	db  *store.DB
	app *app.App
}

func newSite(t *testing.T) *site {
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
	application := app.New(db, authz, log, app.Options{})
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

// actor is a demo user as the application layer knows them.
func (s *site) actor(email string) domain.Actor {
	s.t.Helper()
	u, err := s.db.UserByEmail(context.Background(), email)
	if err != nil {
		s.t.Fatal(err)
	}
	return domain.ActorFor(u)
}

// browser is one visitor with a cookie jar, keeping the CSRF token of the
// last page that carried one, as a browser keeps the page's form.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (s *site) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: s.url, c: &http.Client{Jar: jar}}
}

// answer is what the browser ends on after following redirects.
type answer struct {
	status int
	path   string // of the last request, after redirects
	body   string
	header http.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return answer{status: res.StatusCode, path: res.Request.URL.RequestURI(), body: string(body), header: res.Header}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form with the CSRF token of the last page shown.
func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(email, password string) answer {
	b.t.Helper()
	if a := b.get("/signin"); a.status != http.StatusOK {
		b.t.Fatalf("GET /signin: %d", a.status)
	}
	return b.post("/signin", url.Values{"email": {email}, "password": {password}})
}

func (a answer) want(t *testing.T, status int, path string, texts ...string) {
	t.Helper()
	if a.status != status || (path != "" && a.path != path) {
		t.Fatalf("ended on %s with %d, want %s with %d; page:\n%s", a.path, a.status, path, status, a.body)
	}
	for _, s := range texts {
		if !strings.Contains(a.body, s) {
			t.Errorf("the page at %s does not show %q", a.path, s)
		}
	}
}

func (a answer) lacks(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(a.body, s) {
			t.Errorf("the page at %s shows %q", a.path, s)
		}
	}
}

const demoDomain = "@demo.assure.local"

func TestPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()

	t.Run("a provider admin adds an editor, who must choose a password, then disables them", func(t *testing.T) {
		admin := s.browser(t)
		admin.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		admin.get("/users").want(t, http.StatusOK, "/users", "Compliance officer, Nyota", "Add an editor")

		bad := admin.post("/users", url.Values{"email": {"not an address"}, "name": {"Amina"}, "password": {"short"}})
		bad.want(t, http.StatusUnprocessableEntity, "/users", `id="email-error"`, `id="password-error"`,
			`aria-describedby="email-error"`, `href="#password"`)

		email := "amina.editor@nyota.example"
		admin.post("/users", url.Values{"email": {email}, "name": {"Amina Odhiambo"}, "password": {"a fresh start for Amina"}}).
			want(t, http.StatusOK, "", email, "Amina Odhiambo", "has not yet chosen a password", "The user is added.")

		editor := s.browser(t)
		editor.signIn(email, "a fresh start for Amina").want(t, http.StatusOK, "/account/password",
			"Your password was set by an administrator; choose your own before you continue")
		editor.get("/findings").want(t, http.StatusOK, "/account/password")

		editor.post("/account/password", url.Values{"current_password": {"a fresh start for Amina"},
			"new_password": {"Amina's own passphrase"}, "repeat_password": {"something else"}}).
			want(t, http.StatusUnprocessableEntity, "/account/password", `id="repeat_password-error"`)
		editor.post("/account/password", url.Values{"current_password": {"not it at all"},
			"new_password": {"Amina's own passphrase"}, "repeat_password": {"Amina's own passphrase"}}).
			want(t, http.StatusUnprocessableEntity, "/account/password", `id="current_password-error"`)
		editor.post("/account/password", url.Values{"current_password": {"a fresh start for Amina"},
			"new_password": {"Amina's own passphrase"}, "repeat_password": {"Amina's own passphrase"}}).
			want(t, http.StatusOK, "/?done=password", "Your password is changed.")
		editor.get("/findings").want(t, http.StatusOK, "/findings", "Idle sessions stay open too long")
		editor.get("/account").want(t, http.StatusOK, "/account", email, "Provider editor")

		again := s.browser(t)
		again.signIn(email, "Amina's own passphrase").want(t, http.StatusOK, "/")

		u, err := s.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		admin.get("/users").want(t, http.StatusOK, "/users", `href="/users/`+u.ID+`/disable"`)
		admin.get("/users/"+u.ID+"/disable").want(t, http.StatusOK, "", `action="/users/`+u.ID+`/disable"`, "Disable Amina Odhiambo?")
		admin.post("/users/"+u.ID+"/disable", nil).want(t, http.StatusOK, "/users/"+u.ID+"?done=disabled", "Disabled")
		if a := editor.get("/findings"); !strings.HasPrefix(a.path, "/signin") {
			t.Errorf("a disabled user's session still opens %s", a.path)
		}
	})

	t.Run("an editor may not manage users", func(t *testing.T) {
		editor := s.browser(t)
		editor.signIn("p01-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		editor.get("/users").want(t, http.StatusForbidden, "/users")
		editor.get("/")
		editor.post("/users", url.Values{"email": {"x@bank.example"}, "name": {"X"}, "password": {"long enough password"}}).
			want(t, http.StatusForbidden, "/users")
		if _, err := s.db.UserByEmail(ctx, "x@bank.example"); domain.ErrorCodeOf(err) != domain.ENotFound {
			t.Errorf("the editor's user exists: %v", err)
		}
	})

	t.Run("a form without its CSRF token is refused", func(t *testing.T) {
		admin := s.browser(t)
		admin.signIn("p03-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		admin.post("/users", url.Values{"csrf": {"0000"}, "email": {"y@kopa.example"}, "name": {"Y"},
			"password": {"long enough password"}}).want(t, http.StatusForbidden, "/users")
	})

	t.Run("second factor enrolment and removal", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("p02-editor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		first := b.get("/account/totp")
		first.want(t, http.StatusOK, "/account/totp", "Set up a second factor")
		first.lacks(t, "data:image/png")

		started := b.post("/account/totp/start", nil)
		started.want(t, http.StatusOK, "/account/totp/start", `src="data:image/png;base64,`, `id="totp-secret"`)
		if cc := started.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the page with the secret has Cache-Control %q", cc)
		}
		m := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(started.body)
		if m == nil {
			t.Fatalf("no QR image in:\n%s", started.body)
		}
		raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1])) // the attribute writes + as &#43;
		if err != nil {
			t.Fatal(err)
		}
		if img, err := png.Decode(bytes.NewReader(raw)); err != nil || img.Bounds().Dx() != 220 {
			t.Errorf("the QR code is not a 220-pixel PNG: %v", err)
		}
		secret := strings.ReplaceAll(regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7 ]+)<`).FindStringSubmatch(started.body)[1], " ", "")

		b.post("/account/totp", url.Values{"code": {"000000"}}).
			want(t, http.StatusUnprocessableEntity, "/account/totp", `id="code-error"`, "Start again with a new key")
		code, err := domain.TOTPCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.post("/account/totp", url.Values{"code": {code}}).want(t, http.StatusOK, "/account?done=totp_on", "The second factor is on")
		b.get("/account/totp").want(t, http.StatusOK, "/account/totp", "Remove the second factor")

		// A code of the next step, since the one just used cannot be replayed.
		next, err := domain.TOTPCode(secret, time.Now().Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		b.post("/account/totp/remove", url.Values{"code": {next}}).want(t, http.StatusOK, "/account?done=totp_off",
			"The second factor is removed")
	})

	// Nyota's three demo findings: one open, one in progress, one verified.
	all, _, err := s.db.Findings(ctx, domain.System("test"), store.FindingFilter{}, store.Page{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var open, banks domain.Finding
	for _, f := range all {
		switch {
		case f.ProviderName == "Nyota" && f.Status == domain.FindingOpen:
			open = f
		case f.ProviderName == "Banco de Crédito":
			banks = f
		}
	}
	if open.ID == "" || banks.ID == "" {
		t.Fatalf("the demo has no open finding at Nyota or none at Banco de Crédito: %+v", all)
	}

	t.Run("a provider answers a finding, starts and resolves it; a supervisor verifies it", func(t *testing.T) {
		p := s.browser(t)
		p.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		list := p.get("/findings")
		list.want(t, http.StatusOK, "/findings", open.Title, "Idle sessions stay open too long", `id="finding-`+open.ID+`"`)
		list.lacks(t, "Banco de Crédito")

		page := p.get("/findings/" + open.ID)
		page.want(t, http.StatusOK, "/findings/"+open.ID, "Save and start work", "Save and mark resolved",
			`href="/assessments/`+open.AssessmentID+`#evidence"`)
		path := "/findings/" + open.ID
		p.post(path+"/respond", url.Values{"remediation_plan": {"Review privileged access every quarter."},
			"note": {"Access review procedure drafted."}, "action": {"start"}}).
			want(t, http.StatusOK, path+"?done=started", "In progress", "Review privileged access every quarter.",
				"Access review procedure drafted.")
		p.post(path+"/respond", url.Values{"remediation_plan": {"Review privileged access every quarter."},
			"note": {"First review done; see access-review-q1.pdf in the evidence."}, "action": {"resolve"}}).
			want(t, http.StatusOK, path+"?done=resolved", "Resolved", "access-review-q1.pdf")
		after := p.get(path)
		after.lacks(t, `action="`+path+`/respond"`, `action="`+path+`/verify"`)
		p.post(path+"/respond", url.Values{"remediation_plan": {"Review privileged access every quarter."},
			"note": {"One more thing."}}).
			want(t, http.StatusConflict, path+"/respond", "The finding has moved on since the page was shown")

		sup := s.browser(t)
		sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		sup.get(path).want(t, http.StatusOK, path, "Verify the remediation", "Reopen the finding", "Nyota")
		sup.post(path+"/reopen", url.Values{"reason": {" "}}).
			want(t, http.StatusUnprocessableEntity, path+"/reopen", `id="reason-error"`)
		sup.post(path+"/verify", url.Values{"note": {"Review minutes checked."}}).
			want(t, http.StatusOK, path+"?done=verified", "Verified", "Review minutes checked.")
		sup.get("/findings").want(t, http.StatusOK, "/findings", "Banco de Crédito", "Nyota")

		aud := s.browser(t)
		aud.signIn("auditor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		read := aud.get(path)
		read.want(t, http.StatusOK, path, "Review minutes checked.")
		read.lacks(t, `action="`+path+`/reopen"`, `action="`+path+`/verify"`, `action="`+path+`/respond"`)
		aud.post(path+"/reopen", url.Values{"reason": {"An auditor may not."}}).want(t, http.StatusForbidden, path+"/reopen")
	})

	t.Run("another provider's finding is not found", func(t *testing.T) {
		p := s.browser(t)
		p.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		p.get("/findings/"+banks.ID).want(t, http.StatusNotFound, "/findings/"+banks.ID)
		p.post("/findings/"+banks.ID+"/respond", url.Values{"note": {"Not ours."}, "action": {"resolve"}}).
			want(t, http.StatusNotFound, "/findings/"+banks.ID+"/respond")
		f, err := s.db.Finding(ctx, domain.System("test"), banks.ID)
		if err != nil || f.Status != banks.Status {
			t.Errorf("another provider's finding changed: %v, %s", err, f.Status)
		}
	})

	t.Run("the list of findings pages", func(t *testing.T) {
		sup := s.actor("supervisor" + demoDomain)
		for i := len(all); i <= 60; i++ {
			if _, err := s.app.CreateFinding(ctx, sup, store.NewFinding{AssessmentID: open.AssessmentID,
				Title: "Paging finding", Severity: domain.SeverityLow, Description: "For paging.",
				DueAt: domain.Today().AddDays(300)}); err != nil {
				t.Fatal(err)
			}
		}
		b := s.browser(t)
		b.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		first := b.get("/findings")
		m := regexp.MustCompile(`href="(/findings\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.body)
		if m == nil {
			t.Fatalf("no next page link among %d findings", strings.Count(first.body, `class="finding"`))
		}
		if n := strings.Count(first.body, `class="finding"`); n != 50 {
			t.Errorf("the first page shows %d findings", n)
		}
		second := b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		second.want(t, http.StatusOK, "", "Paging finding")
		for _, id := range regexp.MustCompile(`id="finding-([0-9a-f-]{36})"`).FindAllStringSubmatch(second.body, -1) {
			if strings.Contains(first.body, `id="finding-`+id[1]+`"`) {
				t.Errorf("finding %s is on both pages", id[1])
			}
		}
	})

	t.Run("the pages speak French", func(t *testing.T) {
		b := s.browser(t)
		b.signIn("p04-admin"+demoDomain, demo.Password).want(t, http.StatusOK, "/")
		b.post("/language", url.Values{"language": {"fr"}, "next": {"/account"}})
		b.get("/account").want(t, http.StatusOK, "/account", "Changer votre mot de passe", "Configurer un second facteur")
		b.get("/findings/"+open.ID).want(t, http.StatusOK, "", "Plan de remédiation", "Historique")
		b.get("/users").want(t, http.StatusOK, "/users", "Ajouter un éditeur", "Mot de passe initial")
		b.get("/account/password").want(t, http.StatusOK, "/account/password", "Mot de passe actuel")
	})
}

// TestOwnMessagesHaveFrench checks that every message the account, findings
// and users pages ask for has a French text, unless another page's files
// use it too and so leave it to the shared catalog.
func TestOwnMessagesHaveFrench(t *testing.T) {
	mine := map[string]bool{"account.html": true, "password.html": true, "totp.html": true, "findings.html": true,
		"finding.html": true, "users.html": true, "account.go": true, "totp.go": true, "findings.go": true, "users.go": true}
	french := map[string]bool{}
	catalogs, _ := filepath.Glob("i18n/fr/*.json")
	for _, f := range catalogs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k := range m {
			french[k] = true
		}
	}
	call := regexp.MustCompile(`(?:\.T |\bv\.T\(|\bp\.T\(|newPage\(r, v, )"((?:[^"\\]|\\.)*)"`)
	// Other files also name messages in tables (navigation, titles,
	// states), so any string literal of theirs may be a shared message.
	literal := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	used := map[string][]string{} // message → files asking for it
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rx := call
		if !mine[filepath.Base(f)] && strings.HasSuffix(f, ".go") {
			rx = literal
		}
		for _, m := range rx.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = append(used[m[1]], filepath.Base(f))
		}
	}
	for key, where := range used {
		ours, shared := false, false
		for _, f := range where {
			if mine[f] {
				ours = true
			} else {
				shared = true
			}
		}
		if ours && !shared && !french[key] {
			t.Errorf("%q (%s) has no French text", key, strings.Join(where, ", "))
		}
	}
}
