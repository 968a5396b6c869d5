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

// account shows who the visitor is and where to look after their
// credentials.
func (ui *UI) account(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showAccount(w, r, v, "", http.StatusOK)
}

// accountData is the account page's own part: the calendar feed, when the
// visitor may keep one.
type accountData struct {
	Feed *feedSection
}

// showAccount renders the account page; feedURL is a feed address just
// made, shown this once.
func (ui *UI) showAccount(w http.ResponseWriter, r *http.Request, v *visit, feedURL string, status int) {
	feed, err := ui.accountFeed(r, v)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if feed != nil && feedURL != "" {
		feed.URL = feedURL
	}
	p := ui.newPage(r, v, "My account", accountData{Feed: feed})
	p.Path = "/account" // the page to come back to, also after the post that made a feed
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "account.html", p)
}

// passwordForm is the change-password page.
type passwordForm struct {
	Forced  bool // the password was set by someone else and must be changed first
	NeedOTP bool // the account has a second factor, so signing in again needs a code
}

func (ui *UI) passwordPage(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showPassword(w, r, v, nil, http.StatusOK)
}

func (ui *UI) showPassword(w http.ResponseWriter, r *http.Request, v *visit, problems []problem, status int) {
	p := ui.newPage(r, v, "Change your password", passwordForm{Forced: v.actor.MustChangePassword, NeedOTP: v.user.TOTPEnabled})
	p.Problems = problems
	ui.render(w, r, status, "password.html", p)
}

// changePassword changes the visitor's password through the application,
// which checks the current one and revokes every session of the account,
// this one too; the visitor is then signed in afresh with the new password
// so the change does not throw them out.
func (ui *UI) changePassword(w http.ResponseWriter, r *http.Request, v *visit) {
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	code := strings.TrimSpace(r.PostFormValue("otp"))
	var problems []problem
	if next != r.PostFormValue("repeat_password") {
		problems = append(problems, problem{Field: "repeat_password", Message: v.T("The two new passwords are not the same.")})
	}
	if v.user.TOTPEnabled && code == "" {
		problems = append(problems, problem{Field: "otp", Message: v.T("Enter the six-digit code from your authenticator app.")})
	}
	if len(problems) > 0 {
		ui.showPassword(w, r, v, problems, http.StatusUnprocessableEntity)
		return
	}
	if err := ui.app.ChangePassword(r.Context(), v.actor, current, next); err != nil {
		if problems := credentialProblems(err, v.printer); problems != nil {
			ui.showPassword(w, r, v, labelled(problems, passwordLabels, v.printer), http.StatusUnprocessableEntity)
			return
		}
		ui.fail(w, r, v, err)
		return
	}
	req := app.RequestFrom(r.Context())
	s, err := ui.app.Login(r.Context(), domain.Actor{RequestID: req.ID, Address: req.Address}, store.Credentials{
		Email: v.user.Email, Password: next, OTP: code, Address: req.Address})
	if err != nil {
		// The password is changed, but the old session is gone and no new
		// one could be opened (a code no longer current, say): sign in anew.
		ui.setSession(w, "", time.Time{})
		p := ui.anonymousPage(w, r, "Sign in", signInForm{Email: v.user.Email, Next: "/"})
		p.Flash = "Your password is changed. Sign in again with the new one."
		ui.render(w, r, http.StatusOK, "signin.html", p)
		return
	}
	ui.setSession(w, s.Token, s.ExpiresAt)
	http.Redirect(w, r, "/?done=password", http.StatusSeeOther)
}

// labelled starts each problem of a known field with the field's label, so
// the summary at the top of the page says which field it means.
func labelled(problems []problem, labels map[string]string, p printer) []problem {
	for i, pr := range problems {
		if label, ok := labels[pr.Field]; ok {
			problems[i].Message = p.T("%s: %s", p.T(label), pr.Message)
		}
	}
	return problems
}

var passwordLabels = map[string]string{"current_password": "Current password", "new_password": "New password"}

// credentialProblems turns a refusal of a password or code check into
// problems to show on the form: what was wrong with the input, or that this
// check is locked for now. Anything else is nil.
func credentialProblems(err error, p printer) []problem {
	switch {
	case errors.Is(err, store.ErrLocked) || domain.ErrorCodeOf(err) == domain.ETooMany:
		// These checks have counters of their own: signing in is not locked.
		return []problem{{Message: p.T("Too many wrong entries here, so this is locked for a while; signing in is not affected. Try again later or ask your administrator.")}}
	case domain.ErrorCodeOf(err) == domain.EInvalid:
		return problemsOf(err, p)
	}
	return nil
}
