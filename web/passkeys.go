package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// passkeyCookie carries the token of the passkey ceremony in progress
// between its two requests; the server keeps the challenge.
const passkeyCookie = "assure_passkey"

// maxPasskeyAnswer bounds the JSON a browser posts back from a ceremony.
const maxPasskeyAnswer = 64 << 10

// passkeysData is the account's passkeys page.
type passkeysData struct {
	Passkeys []passkeyView
	On       bool // the site offers passkeys
}

// passkeyView is one passkey as the list shows it.
type passkeyView struct {
	ID, Name, Created, LastUsed string
	Synced                      bool // backed up to the cloud of its maker
	Flagged                     bool // its counter went back: refused from now on
}

var passkeyFlashes = map[string]string{
	"passkey_added":   "The passkey is added. You can sign in with it instead of your password.",
	"passkey_removed": "The passkey is removed.",
}

func (ui *UI) passkeysPage(w http.ResponseWriter, r *http.Request, v *visit) {
	list, err := ui.app.Passkeys(r.Context(), v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := passkeysData{On: ui.app.PasskeysOn()}
	for _, p := range list {
		pv := passkeyView{ID: p.ID, Name: p.Name, Created: v.Time(p.CreatedAt), Synced: p.BackupState, Flagged: p.CloneWarning}
		if p.LastUsedAt != nil {
			pv.LastUsed = v.Time(*p.LastUsedAt)
		}
		d.Passkeys = append(d.Passkeys, pv)
	}
	p := ui.newPage(r, v, "Passkeys", d)
	p.Flash = passkeyFlashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "passkeys.html", p)
}

// passkeyAnswer is the JSON the passkey script reads: where to go next, or
// what went wrong and next to which field.
type passkeyAnswer struct {
	Redirect string `json:"redirect,omitempty"`
	Message  string `json:"message,omitempty"`
	Field    string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeOptions sends a ceremony's options and keeps its token in the cookie.
func (ui *UI) writeOptions(w http.ResponseWriter, options []byte, token string) {
	ui.setPasskeyCookie(w, token)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(options)
}

// setPasskeyCookie keeps a ceremony's token for as long as the ceremony lives.
func (ui *UI) setPasskeyCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: passkeyCookie, Value: token, Path: "/", HttpOnly: true, Secure: ui.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(domain.PasskeyCeremonyLife / time.Second)})
}

// takePasskeyCookie returns the ceremony token and clears the cookie: a
// ceremony answers once.
func (ui *UI) takePasskeyCookie(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(passkeyCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: passkeyCookie, Path: "/", HttpOnly: true, Secure: ui.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	return c.Value
}

// readAnswer reads the JSON body of a ceremony's answer within its bound.
func readAnswer(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPasskeyAnswer))
	return body, err == nil && len(body) > 0
}

// beginPasskeyRegistration checks the name given and answers with the
// options for navigator.credentials.create.
func (ui *UI) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request, v *visit) {
	options, token, err := ui.app.BeginPasskeyRegistration(r.Context(), v.actor, r.PostFormValue("name"))
	if err != nil {
		ui.passkeyProblem(w, r, v.printer, err)
		return
	}
	ui.writeOptions(w, options, token)
}

// finishPasskeyRegistration registers the passkey the browser made.
func (ui *UI) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request, v *visit) {
	token := ui.takePasskeyCookie(w, r)
	body, ok := readAnswer(w, r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, passkeyAnswer{Message: v.T("The browser's answer could not be read. Try again.")})
		return
	}
	if _, err := ui.app.FinishPasskeyRegistration(r.Context(), v.actor, token, body); err != nil {
		ui.passkeyProblem(w, r, v.printer, err)
		return
	}
	writeJSON(w, http.StatusOK, passkeyAnswer{Redirect: "/account/passkeys?done=passkey_added"})
}

// passkeyProblem answers a refused passkey request as JSON in the
// visitor's words; an internal fault is logged and said in general terms.
func (ui *UI) passkeyProblem(w http.ResponseWriter, r *http.Request, p printer, err error) {
	var e *domain.Error
	switch {
	case errors.Is(err, store.ErrCeremonyGone):
		writeJSON(w, http.StatusBadRequest, passkeyAnswer{Message: p.T("The passkey request has expired or was already used. Try again.")})
	case errors.Is(err, store.ErrPasskeyRefused):
		writeJSON(w, http.StatusUnauthorized, passkeyAnswer{Message: p.T("The passkey was not accepted. Try again, or sign in with your password.")})
	case errors.As(err, &e) && e.Code == domain.EInvalid && len(e.Problems) > 0 && e.Problems[0].Location == "body.name":
		writeJSON(w, http.StatusUnprocessableEntity, passkeyAnswer{Field: "passkey-name",
			Message: p.T("Passkey name: %s", p.Say(e.Problems[0].Message))})
	case errors.As(err, &e) && e.Code == domain.EInvalid:
		writeJSON(w, http.StatusUnprocessableEntity, passkeyAnswer{Message: p.T("Your device's answer could not be verified. Try again.")})
	case errors.As(err, &e) && e.Code == domain.EConflict:
		writeJSON(w, http.StatusConflict, passkeyAnswer{Message: p.Say(e.Message)})
	case errors.As(err, &e) && e.Code == domain.ENotFound:
		writeJSON(w, http.StatusNotFound, passkeyAnswer{Message: p.T("Passkeys are not set up on this site.")})
	default:
		ui.log.ErrorContext(r.Context(), "passkey", "request_id", app.RequestFrom(r.Context()).ID, "err", err)
		writeJSON(w, http.StatusInternalServerError, passkeyAnswer{Message: p.T("Something went wrong on our side. Try again later.")})
	}
}

func (ui *UI) confirmRemovePasskey(w http.ResponseWriter, r *http.Request, v *visit) {
	list, err := ui.app.Passkeys(r.Context(), v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	for _, p := range list {
		if p.ID == r.PathValue("id") {
			d := confirmData{Question: v.T("Remove the passkey %s?", p.Name),
				Explanation: v.T("It no longer signs you in. Remove it from the device too, or add it again later if you need it."),
				Button:      v.T("Remove the passkey"), Action: r.URL.Path, Back: "/account/passkeys"}
			ui.render(w, r, http.StatusOK, "confirm.html", ui.newPage(r, v, "Confirm", d))
			return
		}
	}
	ui.fail(w, r, v, domain.Errorf(domain.ENotFound, "no such passkey"))
}

func (ui *UI) removePasskey(w http.ResponseWriter, r *http.Request, v *visit) {
	if err := ui.app.RemovePasskey(r.Context(), v.actor, r.PathValue("id")); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/account/passkeys?done=passkey_removed", http.StatusSeeOther)
}

// anonymousJSON checks the pre-sign-in CSRF token of a passkey request and
// returns the visitor's printer; false when the request is refused (and
// answered).
func (ui *UI) anonymousJSON(w http.ResponseWriter, r *http.Request) (printer, bool) {
	p := ui.text.printer(ui.text.choose(r, ""))
	if !csrfOK(r, ui.preCSRF(w, r)) {
		writeJSON(w, http.StatusForbidden, passkeyAnswer{Message: p.T("The form has expired. Please sign in again.")})
		return p, false
	}
	return p, true
}

// beginPasskeySignIn answers with the options for navigator.credentials.get
// for a sign-in with a passkey alone.
func (ui *UI) beginPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p, ok := ui.anonymousJSON(w, r)
	if !ok {
		return
	}
	options, token, err := ui.app.BeginPasskeySignIn(r.Context())
	if err != nil {
		ui.passkeyProblem(w, r, p, err)
		return
	}
	ui.writeOptions(w, options, token)
}

// finishPasskeySignIn checks the passkey's answer, of a sign-in with the
// passkey alone or of the second factor after the password, and opens the
// session.
func (ui *UI) finishPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	body, ok := readAnswer(w, r)
	p, allowed := ui.anonymousJSON(w, r)
	if !allowed {
		return
	}
	token := ui.takePasskeyCookie(w, r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, passkeyAnswer{Message: p.T("The browser's answer could not be read. Try again.")})
		return
	}
	req := app.RequestFrom(r.Context())
	s, err := ui.app.FinishPasskeySignIn(r.Context(), domain.Actor{RequestID: req.ID, Address: req.Address}, token, body)
	if err != nil {
		ui.passkeyProblem(w, r, p, err)
		return
	}
	ui.openSession(w, s)
	writeJSON(w, http.StatusOK, passkeyAnswer{Redirect: safeNext(r.URL.Query().Get("next"))})
}

// passkeySignIn is what the sign-in page's passkey block needs: whether to
// offer it, and for the second step after a password, the options of that
// account's passkeys.
type passkeySignIn struct {
	On      bool
	Options string // JSON; set for the second factor
	Next    string
}

// FinishURL is where the block posts the passkey's answer.
func (s passkeySignIn) FinishURL() string { return "/signin/passkey?next=" + url.QueryEscape(s.Next) }

// passkeyStep answers a right password of an account with passkeys: the
// sign-in page comes back offering that account's passkeys, and the code
// field too when the account also has a one-time code. false when the
// account has no passkey (or the site offers none), for the caller to ask
// for the code.
func (ui *UI) passkeyStep(w http.ResponseWriter, r *http.Request, err error, form *signInForm, p *page) bool {
	var need *store.SecondFactorNeeded
	if !errors.As(err, &need) || !need.Passkey || !ui.app.PasskeysOn() {
		return false
	}
	options, token, err := ui.app.BeginPasskeySecondFactor(r.Context(), need)
	if err != nil {
		ui.log.ErrorContext(r.Context(), "passkey second factor", "err", err)
		return false
	}
	ui.setPasskeyCookie(w, token)
	form.Passkey.Options = string(options)
	form.NeedOTP = need.TOTP
	if need.TOTP {
		p.Problems = []problem{{Field: "otp", Message: p.T("Confirm with your passkey, or enter your password again and the six-digit code from your authenticator app.")}}
	} else {
		p.Problems = []problem{{Message: p.T("Your password is right. Now confirm with your passkey.")}}
	}
	return true
}
