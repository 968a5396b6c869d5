package web

import (
	"errors"
	"net/http"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// The pages reached from a link in an e-mail, without signing in: accepting
// an invitation, asking for a password reset and choosing the new password.

// linkForm is the page of a single-use link: its token, carried in a
// hidden field from the address the e-mail gave.
type linkForm struct {
	Token       string
	Action      string // where the form posts
	Invitation  bool   // an invitation (else a reset)
	Dead        bool   // the link does not work: the page says what to do instead
	MinPassword int
}

// forgotForm is the page that asks for a reset.
type forgotForm struct {
	Email string
	Sent  bool // the answer: a link is on its way, if the account exists
}

func (ui *UI) invitationPage(w http.ResponseWriter, r *http.Request) {
	ui.showLink(w, r, linkForm{Token: r.URL.Query().Get("token"), Action: "/invitation", Invitation: true}, nil, http.StatusOK)
}

func (ui *UI) resetPage(w http.ResponseWriter, r *http.Request) {
	ui.showLink(w, r, linkForm{Token: r.URL.Query().Get("token"), Action: "/password/reset"}, nil, http.StatusOK)
}

func (ui *UI) showLink(w http.ResponseWriter, r *http.Request, f linkForm, problems []problem, status int) {
	f.MinPassword = domain.MinPasswordLength
	if !domain.LooksLikeLinkToken(f.Token) {
		f.Dead, f.Token = true, ""
	}
	p := ui.anonymousPage(w, r, "Choose a new password", f)
	if f.Invitation {
		p = ui.anonymousPage(w, r, "Welcome to Assure", f)
	}
	p.Problems = problems
	ui.render(w, r, status, "link.html", p)
}

// acceptInvitation sets the invited user's first password through the
// application, signs them in, and takes them to set up a second factor.
func (ui *UI) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	ui.useLink(w, r, linkForm{Action: "/invitation", Invitation: true})
}

// resetWithLink sets a new password through a reset's link and signs the
// visitor in with it.
func (ui *UI) resetWithLink(w http.ResponseWriter, r *http.Request) {
	ui.useLink(w, r, linkForm{Action: "/password/reset"})
}

func (ui *UI) useLink(w http.ResponseWriter, r *http.Request, f linkForm) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	secret := ui.preCSRF(w, r)
	f.Token = r.PostFormValue("token")
	pr := ui.text.printer(ui.text.choose(r, ""))
	if !csrfOK(r, secret) {
		ui.showLink(w, r, f, []problem{{Message: pr.T("The form has expired. Please try again.")}}, http.StatusForbidden)
		return
	}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("repeat_password") {
		ui.showLink(w, r, f, []problem{{Field: "repeat_password", Message: pr.T("The two new passwords are not the same.")}},
			http.StatusUnprocessableEntity)
		return
	}
	req := app.RequestFrom(r.Context())
	actor := domain.Actor{RequestID: req.ID, Address: req.Address}
	var u domain.User
	var err error
	if f.Invitation {
		u, err = ui.app.AcceptInvitation(r.Context(), actor, f.Token, password)
	} else {
		u, err = ui.app.ResetPasswordWithLink(r.Context(), actor, f.Token, password)
	}
	switch {
	case errors.Is(err, store.ErrBadLink):
		f.Dead = true
		ui.showLink(w, r, f, nil, http.StatusUnprocessableEntity)
		return
	case domain.ErrorCodeOf(err) == domain.ETooMany:
		ui.showLink(w, r, f, []problem{{Message: pr.T("Too many links that do not work were tried from here. Wait a while, then try again.")}},
			http.StatusTooManyRequests)
		return
	case domain.ErrorCodeOf(err) == domain.EInvalid:
		ui.showLink(w, r, f, labelled(problemsOf(err, pr), map[string]string{"password": "New password"}, pr),
			http.StatusUnprocessableEntity)
		return
	case err != nil:
		ui.fail(w, r, nil, err)
		return
	}
	// The password is set; sign in with it, as the sign-in page would.
	s, err := ui.app.Login(r.Context(), actor, store.Credentials{Email: u.Email, Password: password, Address: req.Address})
	if err != nil {
		// An account with a second factor signs in with it: the sign-in page asks.
		p := ui.anonymousPage(w, r, "Sign in", signInForm{Email: u.Email, Next: "/"})
		p.Flash = flashes["password_set_signin"]
		ui.render(w, r, http.StatusOK, "signin.html", p)
		return
	}
	ui.openSession(w, s)
	next := "/?done=password_set"
	if f.Invitation && !s.User.TOTPEnabled && s.User.Passkeys == 0 {
		next = "/account/totp?done=joined"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (ui *UI) forgotPage(w http.ResponseWriter, r *http.Request) {
	ui.render(w, r, http.StatusOK, "forgot.html", ui.anonymousPage(w, r, "Forgot your password?", forgotForm{}))
}

// forgotPassword asks the application to e-mail a reset link. The page
// answers the same whether the account exists or not.
func (ui *UI) forgotPassword(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	secret := ui.preCSRF(w, r)
	f := forgotForm{Email: strings.TrimSpace(r.PostFormValue("email"))}
	p := ui.anonymousPage(w, r, "Forgot your password?", &f)
	if !csrfOK(r, secret) {
		p.Problems = []problem{{Message: p.T("The form has expired. Please try again.")}}
		ui.render(w, r, http.StatusForbidden, "forgot.html", p)
		return
	}
	if f.Email == "" {
		p.Problems = []problem{{Field: "email", Message: p.T("Enter the email address of your account.")}}
		ui.render(w, r, http.StatusUnprocessableEntity, "forgot.html", p)
		return
	}
	req := app.RequestFrom(r.Context())
	err := ui.app.RequestPasswordReset(r.Context(), domain.Actor{RequestID: req.ID, Address: req.Address}, f.Email)
	switch {
	case domain.ErrorCodeOf(err) == domain.ETooMany:
		p.Problems = []problem{{Message: p.T("Too many resets were asked from here. Wait a while, then try again.")}}
		ui.render(w, r, http.StatusTooManyRequests, "forgot.html", p)
		return
	case err != nil:
		ui.fail(w, r, nil, err)
		return
	}
	f.Sent = true
	ui.render(w, r, http.StatusOK, "forgot.html", p)
}
