package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// Cookies of the pages besides the session cookie.
const (
	languageCookie = "assure_lang" // the language chosen before signing in
	preCSRFCookie  = "assure_csrf" // the CSRF secret of forms shown before signing in
)

// visit is one request of a signed-in user: who it is and how to speak to them.
type visit struct {
	actor    domain.Actor
	user     domain.User
	provider string // the short name of a provider user's provider
	token    string // the session token, from which the CSRF token derives
	printer
}

// csrfFor derives the CSRF token of a session. It cannot be computed without
// the session token, which the HttpOnly cookie keeps from scripts and from
// other sites, and it needs no storage, so any instance can check it.
func csrfFor(secret string) string {
	sum := sha256.Sum256([]byte("assure csrf\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

// csrfOK checks the token an unsafe request carries, in the form field csrf
// or the X-CSRF-Token header (htmx), against the one of secret.
func csrfOK(r *http.Request, secret string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	want := csrfFor(secret)
	return secret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func unsafeMethod(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

// signedIn wraps a handler for signed-in users. Without a valid session the
// browser goes to the sign-in page and back; a user who must first change a
// password or enrol a second factor is sent there; an unsafe request without
// the session's CSRF token is refused.
func (ui *UI) signedIn(h func(w http.ResponseWriter, r *http.Request, v *visit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(app.SessionCookie)
		if err != nil || c.Value == "" {
			ui.toSignIn(w, r)
			return
		}
		actor, err := ui.app.Authenticate(r.Context(), c.Value)
		if err != nil {
			ui.toSignIn(w, r)
			return
		}
		// What a signed-in visitor is shown is confidential supervisory
		// data: no cache, shared or private, keeps a copy.
		w.Header().Set("Cache-Control", "private, no-store")
		req := app.RequestFrom(r.Context())
		actor.RequestID, actor.Address = req.ID, req.Address
		v := &visit{actor: actor, token: c.Value}
		if v.user, err = ui.app.Me(r.Context(), actor); err != nil {
			ui.toSignIn(w, r)
			return
		}
		v.printer = ui.text.printer(ui.text.choose(r, v.user.Language))
		if v.user.ProviderID != "" {
			p, err := ui.app.MyProvider(r.Context(), actor)
			if err != nil {
				ui.toSignIn(w, r)
				return
			}
			v.provider = p.ShortName
		}
		if unsafeMethod(r) {
			if err := ui.readForm(w, r); err != nil {
				ui.fail(w, r, v, err)
				return
			}
			if !csrfOK(r, c.Value) {
				ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "the form has expired; reload the page and try again"))
				return
			}
		}
		switch {
		case actor.MustChangePassword && r.URL.Path != "/account/password" && r.URL.Path != "/signout":
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		case actor.MustEnrolTOTP && !actor.MustChangePassword && !strings.HasPrefix(r.URL.Path, "/account/totp") &&
			!strings.HasPrefix(r.URL.Path, "/account/passkeys") && r.URL.Path != "/signout":
			http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			return
		}
		h(w, r, v)
	}
}

// Bounds of what a form may send: a plain form, and a multipart upload of
// evidence files (the largest upload there is).
const maxFormBytes = 1 << 20

// readForm reads the form of an unsafe request within its bound, before
// anything looks at it: a plain form up to maxFormBytes, a multipart upload
// up to the evidence limit, large files spooled to disk.
func (ui *UI) readForm(w http.ResponseWriter, r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		limit := ui.app.MaxEvidenceBytes()*app.MaxEvidenceFiles + 1<<20
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		err = r.ParseMultipartForm(8 << 20)
		if err == nil {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return domain.Errorf(domain.ETooLarge, "the upload is larger than %d MB", limit>>20)
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err = r.ParseForm(); err == nil {
			return nil
		}
	}
	return domain.Invalid("the form could not be read", []domain.Problem{{Location: "form", Message: "send it again"}})
}

// toSignIn sends the browser to the sign-in page, coming back here after.
func (ui *UI) toSignIn(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext keeps a post-sign-in destination on this site: a path of ours,
// never a scheme, a host, a backslash or a control character, which browsers
// may read as another site.
func safeNext(next string) string {
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

// setSession sets or, with an empty token, clears the session cookie.
func (ui *UI) setSession(w http.ResponseWriter, token string, expires time.Time) {
	c := &http.Cookie{Name: app.SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: ui.secure,
		SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	http.SetCookie(w, c)
}

// preCSRF returns the CSRF secret of a browser not signed in yet, setting
// its cookie when it has none.
func (ui *UI) preCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	b := make([]byte, 16)
	rand.Read(b)
	secret := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: secret, Path: "/", HttpOnly: true, Secure: ui.secure,
		SameSite: http.SameSiteStrictMode})
	return secret
}

// openSession puts a new session in the cookie, with the user's language:
// every way of signing in ends here.
func (ui *UI) openSession(w http.ResponseWriter, s store.Session) {
	ui.setSession(w, s.Token, s.ExpiresAt)
	if s.User.Language != "" {
		http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: s.User.Language, Path: "/", HttpOnly: true,
			Secure: ui.secure, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	}
}
