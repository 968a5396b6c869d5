package web

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"assure/app"
	"assure/domain"
)

// ssoCookiePath scopes the attempt's cookie to the sign-on routes, so no
// other page ever receives it.
const ssoCookiePath = "/signin/sso"

// ssoFailure is what the failure page says and where it leads back to.
type ssoFailure struct {
	Message string
	Next    string
}

// startSSO sends the browser to the identity provider. The attempt's secret,
// from which its state, nonce and PKCE verifier derive, and the page to come
// back to travel in a short-lived HttpOnly cookie; SameSite=Lax lets it come
// back with the provider's top-level redirect.
func (ui *UI) startSSO(w http.ResponseWriter, r *http.Request) {
	if ui.app.SSOName() == "" {
		http.NotFound(w, r)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	secret := app.NewSSOSecret()
	target, err := ui.app.BeginSSO(r.Context(), secret)
	if err != nil {
		ui.ssoFailed(w, r, next, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: app.SSOCookie, Value: secret + "." + base64.RawURLEncoding.EncodeToString([]byte(next)),
		Path: ssoCookiePath, HttpOnly: true, Secure: ui.secure, SameSite: http.SameSiteLaxMode,
		MaxAge: int(app.SSOAttemptLife.Seconds())})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// finishSSO takes the identity provider's answer. The attempt's cookie is
// cleared whatever happens, so an answer is taken only once.
func (ui *UI) finishSSO(w http.ResponseWriter, r *http.Request) {
	if ui.app.SSOName() == "" {
		http.NotFound(w, r)
		return
	}
	var secret string
	next := "/"
	if c, err := r.Cookie(app.SSOCookie); err == nil {
		s, n, _ := strings.Cut(c.Value, ".")
		secret = s
		if b, err := base64.RawURLEncoding.DecodeString(n); err == nil {
			next = safeNext(string(b))
		}
	}
	http.SetCookie(w, &http.Cookie{Name: app.SSOCookie, Value: "", Path: ssoCookiePath, HttpOnly: true,
		Secure: ui.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	w.Header().Set("Cache-Control", "no-store")
	req := app.RequestFrom(r.Context())
	s, err := ui.app.FinishSSO(r.Context(), domain.Actor{RequestID: req.ID, Address: req.Address}, secret, r.URL.Query())
	if err != nil {
		ui.ssoFailed(w, r, next, err)
		return
	}
	ui.openSession(w, s)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// ssoFailed shows why a single sign-on did not sign the visitor in, with
// the way back to the sign-in page; errors that are not refusals are the
// usual error page.
func (ui *UI) ssoFailed(w http.ResponseWriter, r *http.Request, next string, err error) {
	var refused *app.SSOError
	if !errors.As(err, &refused) {
		ui.fail(w, r, nil, err)
		return
	}
	p := ui.anonymousPage(w, r, "Single sign-on did not work", nil)
	name := ui.app.SSOName()
	status := http.StatusUnauthorized
	var message string
	switch refused.Reason {
	case app.SSOUnknownAccount:
		message = p.T("%s signed you in as %s, but no Assure account has that e-mail address. Ask your administrator to create one.", name, refused.Email)
	case app.SSODisabled:
		status = http.StatusForbidden
		message = p.T("Your Assure account is disabled. Ask your administrator to enable it.")
	case app.SSOUnverifiedEmail:
		message = p.T("%s did not confirm that your e-mail address is verified, so Assure cannot tell which account is yours.", name)
	case app.SSOUnavailable:
		status = http.StatusServiceUnavailable
		message = p.T("%s cannot be reached right now. Try again in a few minutes, or sign in with your password.", name)
	case app.SSOProviderError:
		status = http.StatusBadGateway
		message = p.T("%s did not sign you in. Try again, or sign in with your password.", name)
	default: // a state that is not this browser's, a replayed answer, an ID token that does not verify
		message = p.T("This sign-in answer is not valid here: it expired, was already used or was meant for another browser. Start again from the sign-in page.")
	}
	p.Data = ssoFailure{Message: message, Next: next}
	ui.render(w, r, status, "sso_failed.html", p)
}
