package api

import (
	"assure/app"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// RequestIDFrom returns the id of the request being served, or "".
func RequestIDFrom(ctx context.Context) string { return app.RequestFrom(ctx).ID }

// denyAll is the content security policy of every answer that is not a page.
const denyAll = "default-src 'none'; frame-ancestors 'none'; sandbox"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// statusRecorder remembers the status written, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware gives every request an id, safe default headers, an access log
// line, and a problem+json answer instead of a dropped connection on panic.
func (a *API) middleware(next http.Handler) http.Handler {
	log := a.log
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !requestIDPattern.MatchString(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		h := w.Header()
		h.Set("X-Request-ID", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		// Every answer is denied everything unless it says otherwise: JSON,
		// problems, files and the SVG heatmaps cannot load anything, be
		// framed or run script, even when opened directly. The web's pages
		// and the API docs replace this with their own policy.
		h.Set("Content-Security-Policy", denyAll)
		if a.secure {
			// Secure cookies mean Assure is reached over HTTPS only; HSTS
			// keeps browsers from ever trying plain HTTP again.
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		ctx := app.WithRequest(r.Context(), app.Request{ID: id, Address: a.clientAddress(r)})
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(ctx, "panic", "request_id", id, "panic", v)
				if rec.status == 0 {
					writeProblem(rec, &Problem{Status: http.StatusInternalServerError,
						Title: http.StatusText(http.StatusInternalServerError), Detail: "internal error", RequestID: id})
				}
			}
			log.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", app.LoggablePath(r.URL.Path),
				"status", rec.status, "duration_ms", time.Since(start).Milliseconds())
		}()
		if !cleanURL(r) {
			writeProblem(rec, &Problem{Status: http.StatusBadRequest, Title: http.StatusText(http.StatusBadRequest),
				Detail: "the address holds a NUL character or bytes that are not UTF-8", RequestID: id})
			return
		}
		inner := r.WithContext(ctx)
		// The server removes the temporary files of a multipart form parsed
		// on the request it made, not on this copy: uploads are parsed here.
		defer func() {
			if inner.MultipartForm != nil {
				inner.MultipartForm.RemoveAll()
			}
		}()
		next.ServeHTTP(rec, inner)
	})
}

// cleanURL reports whether the path and query are valid UTF-8 without NULs.
func cleanURL(r *http.Request) bool {
	ok := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
	if !ok(r.URL.Path) {
		return false
	}
	for k, vs := range r.URL.Query() {
		if !ok(k) {
			return false
		}
		for _, v := range vs {
			if !ok(v) {
				return false
			}
		}
	}
	return true
}

// writeProblem writes a problem made by problemFor, or one of the few the
// HTTP layer answers itself (routing, cross-origin, panics, broken addresses).
func writeProblem(w http.ResponseWriter, p *Problem) {
	for k, v := range p.GetHeaders() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}
