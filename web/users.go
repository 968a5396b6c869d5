package web

import (
	"net/http"
	"net/url"

	"assure/domain"
	"assure/store"
)

// usersPage is how many users one page of the list shows.
const usersPage = 100

// usersData is the users page: the list and the form that adds an editor.
type usersData struct {
	Users  []userView
	Next   string // the address of the next page, or ""
	CanAdd bool   // the visitor may add editors to their own provider
	Email  string // what the add form sent, kept beside its problems
	Name   string
	// MinPassword is the shortest password the domain accepts, for the hint.
	MinPassword int
}

// userView is a user with what the visitor may do to them.
type userView struct {
	domain.User
	RoleName   string
	CanDisable bool
}

// users lists the users the visitor manages: a provider_admin their
// provider's, an admin everyone.
func (ui *UI) users(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showUsers(w, r, v, usersData{}, nil, http.StatusOK)
}

func (ui *UI) showUsers(w http.ResponseWriter, r *http.Request, v *visit, d usersData, problems []problem, status int) {
	list, next, err := ui.app.Users(r.Context(), v.actor, store.UserFilter{ProviderID: v.actor.ProviderID},
		store.Page{Limit: usersPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	mayDisable := ui.app.Offers(v.actor, "user", "disable")
	for _, u := range list {
		d.Users = append(d.Users, userView{User: u, RoleName: v.T(roleNames[u.Role]),
			CanDisable: mayDisable && u.Status == domain.UserActive &&
				domain.CheckUserManagement(v.actor, u.Role, u.ProviderID) == nil})
	}
	if next != "" {
		d.Next = "/users?cursor=" + url.QueryEscape(next)
	}
	// Editors are added to the visitor's own provider; an admin, who
	// belongs to none, adds users elsewhere.
	d.MinPassword = domain.MinPasswordLength
	d.CanAdd = v.actor.ProviderID != "" && ui.app.Offers(v.actor, "user", "create")
	p := ui.newPage(r, v, "Users", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "users.html", p)
}

// createUser adds a provider_editor to the visitor's own provider with an
// initial password, which the new user must change at the first sign-in.
func (ui *UI) createUser(w http.ResponseWriter, r *http.Request, v *visit) {
	d := usersData{Email: r.PostFormValue("email"), Name: r.PostFormValue("name")}
	_, err := ui.app.CreateUser(r.Context(), v.actor, store.NewUser{Email: d.Email, Name: d.Name,
		Role: domain.RoleProviderEditor, ProviderID: v.actor.ProviderID, Password: r.PostFormValue("password")})
	switch code := domain.ErrorCodeOf(err); {
	case err == nil:
		http.Redirect(w, r, "/users?done=added", http.StatusSeeOther)
	case code == domain.EInvalid:
		problems := problemsOf(err, v.printer)
		for i := range problems {
			if problems[i].Field == "email" { // the domain's words quote the address; ours explain
				problems[i].Message = v.T("Enter a valid email address, such as name@example.com.")
			}
		}
		ui.showUsers(w, r, v, d, labelled(problems, map[string]string{"name": "Name", "password": "Initial password"}, v.printer),
			http.StatusUnprocessableEntity)
	case code == domain.EConflict:
		ui.showUsers(w, r, v, d, []problem{{Field: "email", Message: v.T("Someone already uses this email address.")}},
			http.StatusConflict)
	default:
		ui.fail(w, r, v, err)
	}
}

// disableUser stops a user signing in and ends their sessions.
func (ui *UI) disableUser(w http.ResponseWriter, r *http.Request, v *visit) {
	if _, err := ui.app.DisableUser(r.Context(), v.actor, r.PathValue("id")); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/users?done=disabled", http.StatusSeeOther)
}
