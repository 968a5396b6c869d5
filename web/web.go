// Package web is Assure's server-rendered user interface: html/template
// pages and static assets, all embedded and parsed once at start-up, over the
// application layer (package app), so a page can do nothing the API would
// refuse. Every page works as plain forms; htmx and a little script of our
// own make them quicker where the browser runs scripts.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"assure/app"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// UI serves the web pages and their static assets.
type UI struct {
	app    *app.App
	log    *slog.Logger
	secure bool // cookies only over HTTPS

	pages  map[string]*template.Template // by page file name
	static map[string]asset              // by hashed URL path
	urls   map[string]string             // static file name → hashed URL path
	text   *texts
}

type asset struct {
	body        []byte
	contentType string
}

// Options configure the pages.
type Options struct {
	// SecureCookies marks cookies Secure; set it whenever Assure is reached
	// over HTTPS.
	SecureCookies bool
}

// New parses the templates, loads the message catalogs and fingerprints the
// static files; it fails fast on any broken template or catalog.
func New(application *app.App, log *slog.Logger, opts Options) (*UI, error) {
	ui := &UI{app: application, log: log, secure: opts.SecureCookies, static: map[string]asset{},
		urls: map[string]string{}, pages: map[string]*template.Template{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(p)
		if contentTypes[ext] == "" {
			return nil // licences and version notes travel with the code, not to browsers
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		hashed := fmt.Sprintf("/static/%s.%s%s", strings.TrimSuffix(name, ext), hex.EncodeToString(sum[:])[:10], ext)
		ui.static[hashed] = asset{body: b, contentType: contentTypes[ext]}
		ui.urls[name] = hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if ui.text, err = loadTexts(); err != nil {
		return nil, fmt.Errorf("web: messages: %w", err)
	}
	if err := ui.parse(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return ui, nil
}

// parse builds one template set per page: the layout, the shared partials
// and the page itself.
func (ui *UI) parse() error {
	funcs := pageFuncs(ui)
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return err
	}
	var shared []string
	for _, n := range names {
		if base := path.Base(n); base == "layout.html" || strings.HasPrefix(base, "_") {
			shared = append(shared, n)
		}
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, append(shared, n)...)
		if err != nil {
			return err
		}
		ui.pages[base] = t
	}
	return nil
}

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

// contentSecurity allows nothing inline and nothing from elsewhere; images
// may also be data: URIs, which is how the pages show a QR code drawn on the
// server.
const contentSecurity = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// render executes a page into a buffer first, so a failing template never
// sends half a page. name is the page's file; a request from htmx asking for
// a fragment gets the block named by fragment instead of the whole page.
func (ui *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := ui.pages[name]
	if !ok {
		ui.log.Error("no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	block := "layout"
	if p.Fragment != "" && r.Header.Get("HX-Request") == "true" {
		block = p.Fragment
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, block, p); err != nil {
		ui.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurity)
	h.Set("Vary", "HX-Request, Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (ui *UI) serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := ui.static[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

// percent shows a fraction as a whole percentage.
func percent(done, total int) int {
	if total <= 0 {
		return 0
	}
	return done * 100 / total
}

// cardView is what the card template receives: the page, for its messages
// and token, and the card.
type cardView struct {
	Page *page
	Card *card
}

// pageFuncs are the functions templates may call.
func pageFuncs(ui *UI) template.FuncMap {
	return template.FuncMap{
		"static": func(name string) (string, error) {
			u, ok := ui.urls[name]
			if !ok {
				return "", fmt.Errorf("no static file %q", name)
			}
			return u, nil
		},
		"percent": percent,
		"ssoName": func() string { return ui.app.SSOName() },
		"mailOn":  func() bool { return ui.app.MailOn() },
		"neg":     func(n int) int { return -n },
		"kb":      func(size int64) int { return int((size + 1023) / 1024) },
		"join":    strings.Join,
		"cardOf":  func(p *page, c *card) cardView { return cardView{Page: p, Card: c} },
		"contains": func(list []string, s string) bool {
			for _, v := range list {
				if v == s {
					return true
				}
			}
			return false
		},
	}
}
