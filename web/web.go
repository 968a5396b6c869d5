// Package web is Assure's server-rendered user interface: html/template pages
// and static assets, all embedded and parsed once at start-up.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// UI serves the web pages and their static assets.
type UI struct {
	pages  *template.Template
	static map[string]asset // by hashed URL path
	urls   map[string]string
}

type asset struct {
	body        []byte
	contentType string
}

// New parses the templates and fingerprints the static files; it fails fast
// on any broken template.
func New() (*UI, error) {
	ui := &UI{static: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := fmt.Sprintf("/static/%s.%s%s", name[:len(name)-len(ext)], hex.EncodeToString(sum[:])[:10], ext)
		ui.static[hashed] = asset{body: b, contentType: contentTypes[ext]}
		ui.urls[name] = hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	funcs := template.FuncMap{"static": func(name string) (string, error) {
		u, ok := ui.urls[name]
		if !ok {
			return "", fmt.Errorf("no static file %q", name)
		}
		return u, nil
	}}
	ui.pages, err = template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return ui, nil
}

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// Handler returns the UI's routes.
func (ui *UI) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", ui.home)
	mux.HandleFunc("GET /static/{file}", ui.serveStatic)
	return mux
}

func (ui *UI) home(w http.ResponseWriter, r *http.Request) {
	ui.render(w, "home.html", nil)
}

// render executes a page into a buffer first, so a failing template never
// sends half a page.
func (ui *UI) render(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := ui.pages.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'")
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
