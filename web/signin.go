package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// signInForm is what the sign-in page shows and keeps between attempts.
type signInForm struct {
	Email   string
	NeedOTP bool // the account has a second factor: ask for the code
	Next    string
	Passkey passkeySignIn // the passkey block (see _passkey_signin.html)
}

func (ui *UI) anonymousPage(w http.ResponseWriter, r *http.Request, title string, data any) *page {
	return &page{printer: ui.text.printer(ui.text.choose(r, "")), Title: title, CSRF: csrfFor(ui.preCSRF(w, r)),
		Path: r.URL.RequestURI(), Data: data}
}

func (ui *UI) signInPage(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(app.SessionCookie); err == nil {
		if _, err := ui.app.Authenticate(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	next := safeNext(r.URL.Query().Get("next"))
	p := ui.anonymousPage(w, r, "Sign in", signInForm{Next: next, Passkey: passkeySignIn{On: ui.app.PasskeysOn(), Next: next}})
	ui.render(w, r, http.StatusOK, "signin.html", p)
}

// signIn checks the credentials through the application layer, which slows
// and locks repeated failures, and opens a session in the cookie.
func (ui *UI) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	secret := ui.preCSRF(w, r)
	form := signInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next")),
		NeedOTP: r.PostFormValue("otp") != "" || r.PostFormValue("need_otp") == "true"}
	form.Passkey = passkeySignIn{On: ui.app.PasskeysOn(), Next: form.Next}
	p := ui.anonymousPage(w, r, "Sign in", &form)
	if !csrfOK(r, secret) {
		p.Problems = []problem{{Message: p.T("The form has expired. Please sign in again.")}}
		ui.render(w, r, http.StatusForbidden, "signin.html", p)
		return
	}
	req := app.RequestFrom(r.Context())
	s, err := ui.app.Login(r.Context(), domain.Actor{RequestID: req.ID, Address: req.Address}, store.Credentials{
		Email: form.Email, Password: r.PostFormValue("password"), OTP: strings.TrimSpace(r.PostFormValue("otp")),
		Address: req.Address})
	switch {
	case err == nil:
		ui.openSession(w, s)
		http.Redirect(w, r, form.Next, http.StatusSeeOther)
		return
	case errors.Is(err, store.ErrOTPRequired) && ui.passkeyStep(w, r, err, &form, p):
	case errors.Is(err, store.ErrOTPRequired):
		// The password is not kept between the two steps, so the code step
		// asks for it again rather than failing on an empty field.
		form.NeedOTP = true
		p.Problems = []problem{{Field: "otp", Message: p.T("Enter your password again and the six-digit code from your authenticator app.")}}
	case errors.Is(err, store.ErrLocked):
		p.Problems = []problem{{Message: p.T("Too many failed attempts. Sign-in is locked for a while; try again later or ask your administrator.")}}
	case errors.Is(err, store.ErrBadCredentials):
		p.Problems = []problem{{Field: "password", Message: p.T("The email, password or code is not right.")}}
		var slow *app.Slowed
		if errors.As(err, &slow) {
			p.Problems = append(p.Problems, problem{Message: p.T("Several attempts have failed, so answers are slowed down; after a few more, sign-in is locked for a while.")})
		}
	default:
		ui.fail(w, r, nil, err)
		return
	}
	ui.render(w, r, http.StatusUnauthorized, "signin.html", p)
}

// signOut revokes the session, not only the cookie.
func (ui *UI) signOut(w http.ResponseWriter, r *http.Request, v *visit) {
	if err := ui.app.Logout(r.Context(), v.actor); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.setSession(w, "", time.Time{})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// setLanguage changes the language of the pages: saved for a signed-in user,
// remembered in a cookie for everyone.
func (ui *UI) setLanguage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	lang := domain.Language(r.PostFormValue("language"))
	if !lang.Valid() {
		http.Error(w, "unknown language", http.StatusBadRequest)
		return
	}
	// A signed-in visitor's form carries the session's token, anyone else's
	// the pre-sign-in one; the language is saved to the account of the first.
	var actor *domain.Actor
	if c, err := r.Cookie(app.SessionCookie); err == nil {
		if a, err := ui.app.Authenticate(r.Context(), c.Value); err == nil && csrfOK(r, c.Value) {
			actor = &a
		}
	}
	if actor == nil && !csrfOK(r, ui.preCSRF(w, r)) {
		http.Error(w, "the form has expired; reload the page", http.StatusForbidden)
		return
	}
	if actor != nil {
		req := app.RequestFrom(r.Context())
		actor.RequestID, actor.Address = req.ID, req.Address
		if err := ui.app.SetLanguage(r.Context(), *actor, string(lang)); err != nil {
			ui.fail(w, r, nil, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: string(lang), Path: "/", HttpOnly: true,
		Secure: ui.secure, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
