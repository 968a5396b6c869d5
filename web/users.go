package web

import (
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// usersPage is how many users one page of the list shows.
const usersPage = 100

// usersData is the users page: the filters, the list and the form that adds
// a user (an editor of the visitor's provider, or anyone for an admin).
type usersData struct {
	Filter userFilterView
	Users  []userView
	Next   string // the address of the next page, or ""
	CanAdd bool   // the visitor may add editors to their own provider
	// CanCreate is set for who may create users of any role and provider;
	// the form then offers the role and the provider.
	CanCreate bool
	Roles     []choice
	Providers []domain.Provider
	Email     string // what the add form sent, kept beside its problems
	Name      string
	Role      string
	Provider  string
	// ProviderSearch narrows the provider selects to the providers it
	// names; MoreProviders says more match than they offer.
	ProviderSearch   string
	MoreProviders    bool
	ProviderSearchAt string // where the provider search goes
	// MinPassword is the shortest password the domain accepts, for the hint.
	MinPassword int
	// Invites says this server e-mails invitations: nobody chooses the new
	// user's password, and the form asks the invitation's language instead.
	Invites  bool
	Language string
}

// userFilterView is the filter row of the users list.
type userFilterView struct {
	Role, Status, ProviderID, Query string
	Roles, Statuses                 []choice
	Providers                       []domain.Provider // to pick from; none for provider users
	Any                             bool
}

// userView is a user with what the visitor may do to them.
type userView struct {
	domain.User
	RoleName     string
	ProviderName string
	CanDisable   bool
}

// users lists the users the visitor manages: a provider_admin their
// provider's, an admin everyone, narrowed by the filters.
func (ui *UI) users(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showUsers(w, r, v, usersData{}, nil, http.StatusOK)
}

// roleChoices are the roles in the order of the domain, named for the visitor.
func roleChoices(p printer, chosen string) []choice {
	var out []choice
	for _, role := range domain.Roles {
		out = append(out, choice{Value: string(role), Label: p.T(roleNames[role]), Checked: string(role) == chosen})
	}
	return out
}

func (ui *UI) showUsers(w http.ResponseWriter, r *http.Request, v *visit, d usersData, problems []problem, status int) {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.UserFilter{Role: domain.Role(q.Get("role")), Status: domain.UserStatus(q.Get("status")),
		ProviderID: q.Get("provider"), Query: strings.TrimSpace(q.Get("q"))}
	if !f.Role.Valid() {
		f.Role = ""
	}
	if !f.Status.Valid() {
		f.Status = ""
	}
	everyProvider := ui.app.OffersEveryProvider(v.actor, "provider", "read")
	var providers providerChoice
	if everyProvider {
		var err error
		if providers, err = ui.providerChoices(ctx, v, strings.TrimSpace(q.Get("pq")), f.ProviderID, d.Provider); err != nil {
			ui.fail(w, r, v, err)
			return
		}
		if f.ProviderID != "" && !slices.ContainsFunc(providers.Providers, func(p domain.Provider) bool { return p.ID == f.ProviderID }) {
			f.ProviderID = "" // a provider not to be picked filters nothing; the store scopes the list anyway
		}
	} else {
		f.ProviderID = ""
	}
	d.Filter = userFilterView{Role: string(f.Role), Status: string(f.Status), ProviderID: f.ProviderID, Query: f.Query,
		Roles: roleChoices(v.printer, string(f.Role)), Providers: providers.Providers,
		Statuses: []choice{{Value: string(domain.UserActive), Label: v.T("Active")},
			{Value: string(domain.UserDisabled), Label: v.T("Disabled")}},
		Any: f != (store.UserFilter{})}
	d.ProviderSearch, d.MoreProviders, d.ProviderSearchAt = providers.Search, providers.More, "/users#add-title"
	list, next, err := ui.app.Users(ctx, v.actor, f, store.Page{Limit: usersPage, Cursor: q.Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	names := map[string]string{}
	if everyProvider {
		ids := make([]string, len(list))
		for i, u := range list {
			ids[i] = u.ProviderID
		}
		if names, err = ui.providerNames(ctx, v, ids); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	for _, u := range list {
		name := names[u.ProviderID]
		if name == "" && u.ProviderID == v.actor.ProviderID {
			name = v.provider
		}
		d.Users = append(d.Users, userView{User: u, RoleName: v.T(roleNames[u.Role]), ProviderName: name,
			CanDisable: ui.app.UserActionsOn(v.actor, u).Disable})
	}
	if next != "" {
		keep := url.Values{}
		for _, k := range []string{"role", "status", "provider", "q", "pq"} {
			if q.Get(k) != "" {
				keep.Set(k, q.Get(k))
			}
		}
		keep.Set("cursor", next)
		d.Next = "/users?" + keep.Encode()
	}
	d.MinPassword, d.Invites = domain.MinPasswordLength, ui.app.MailOn()
	// Who may create users anywhere chooses the role and the provider; a
	// provider's administrator adds editors to their own provider.
	d.CanCreate = ui.app.OffersEveryProvider(v.actor, "user", "create")
	d.CanAdd = !d.CanCreate && v.actor.ProviderID != "" && ui.app.Offers(v.actor, "user", "create")
	if d.CanCreate {
		d.Roles = roleChoices(v.printer, d.Role)
		d.Providers = providers.Providers
	}
	p := ui.newPage(r, v, "Users", d)
	p.Problems = problems
	p.Flash = flashes[q.Get("done")]
	ui.render(w, r, status, "users.html", p)
}

// createUser adds a user: for an admin of the role and provider chosen, for
// a provider_admin an editor of their own provider. The first password is
// the one typed or, left empty, one made by Assure and shown once; either
// way the new user must change it at their first sign-in.
func (ui *UI) createUser(w http.ResponseWriter, r *http.Request, v *visit) {
	d := usersData{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Role: r.PostFormValue("role"), Provider: r.PostFormValue("provider"), Language: r.PostFormValue("language")}
	nu := store.NewUser{Email: d.Email, Name: d.Name, Role: domain.Role(d.Role), ProviderID: d.Provider,
		Password: r.PostFormValue("password"), Language: d.Language}
	if !ui.app.OffersEveryProvider(v.actor, "user", "create") {
		nu.Role, nu.ProviderID = domain.RoleProviderEditor, v.actor.ProviderID
	}
	// A user who needs a second administrator's approval gets their password
	// only then, shown to that administrator; on a server that sends e-mail
	// the user is invited and chooses their own.
	invited := ui.app.MailOn()
	if invited {
		nu.Password = ""
	}
	generated := nu.Password == "" && !ui.app.CreationNeedsApproval(nu) && !invited
	if generated {
		nu.Password = app.TemporaryPassword()
	}
	u, req, err := ui.app.CreateUser(r.Context(), v.actor, nu)
	switch code := domain.ErrorCodeOf(err); {
	case err == nil && req != nil:
		http.Redirect(w, r, "/users/requests?done=sent_for_approval", http.StatusSeeOther)
	case err == nil && generated:
		ui.showUser(w, r, v, u, userPageData{Secret: nu.Password, SecretNew: true}, nil, http.StatusCreated)
	case err == nil && invited:
		http.Redirect(w, r, "/users/"+u.ID+"?done=invited", http.StatusSeeOther)
	case err == nil:
		http.Redirect(w, r, "/users/"+u.ID+"?done=user_added", http.StatusSeeOther)
	case code == domain.EInvalid:
		problems := problemsOf(err, v.printer)
		for i := range problems {
			switch problems[i].Field {
			case "email": // the domain's words quote the address; ours explain
				problems[i].Message = v.T("Enter a valid email address, such as name@example.com.")
			case "provider_id":
				problems[i].Field = "provider"
				problems[i].Message = v.T("Choose the provider for a provider role, and none for the other roles.")
			case "role":
				problems[i].Message = v.T("Choose a role.")
			case "password":
				if ui.app.CreationNeedsApproval(nu) {
					problems[i].Message = v.T("Leave it empty for this role: the administrator who approves the account receives a temporary password.")
				}
			}
		}
		ui.showUsers(w, r, v, d, labelled(problems, map[string]string{"name": "Name", "password": "Initial password"}, v.printer),
			http.StatusUnprocessableEntity)
	case code == domain.EConflict:
		ui.showUsers(w, r, v, d, []problem{{Field: "email", Message: v.T("Someone already uses this email address, or an account with it waits for approval.")}},
			http.StatusConflict)
	default:
		ui.fail(w, r, v, err)
	}
}

// userPageData is one user's page: who they are, what the visitor may do,
// and, once, a temporary password just made.
type userPageData struct {
	U                      domain.User
	RoleName, ProviderName string
	Secret                 string // a temporary password shown once, never stored in the page's address
	SecretNew              bool   // the user was just created (else the password was reset)
	CanChange              bool
	CanDisable, CanEnable  bool
	CanResetPassword       bool
	CanResetTOTP           bool
	CanUnlock              bool
	// CanReinvite offers to e-mail an invitation again to a user who has
	// not chosen a password yet; Invites says this server e-mails links.
	CanReinvite, Invites bool
	// Pending lists the requests about this user that wait for a second
	// administrator, described for the visitor.
	Pending []requestView
	// Which acts offered here wait for another administrator.
	ChangeNeedsApproval, EnableNeedsApproval, ResetPasswordNeedsApproval, ResetTOTPNeedsApproval bool
	Roles                                                                                        []choice
	Providers                                                                                    []domain.Provider
	Role, Provider                                                                               string // the change form's values
	Version                                                                                      int
	ProviderSearch, ProviderSearchAt                                                             string // see usersData
	MoreProviders                                                                                bool
}

// user shows one user the visitor may read.
func (ui *UI) user(w http.ResponseWriter, r *http.Request, v *visit) {
	u, err := ui.app.User(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.showUser(w, r, v, u, userPageData{}, nil, http.StatusOK)
}

func (ui *UI) showUser(w http.ResponseWriter, r *http.Request, v *visit, u domain.User, d userPageData, problems []problem, status int) {
	ctx := r.Context()
	d.U = u
	d.RoleName = v.T(roleNames[u.Role])
	may := ui.app.UserActionsOn(v.actor, u)
	d.CanChange, d.CanDisable, d.CanEnable, d.CanResetPassword, d.CanResetTOTP, d.CanUnlock = may.Change, may.Disable,
		may.Enable, may.ResetPassword, may.ResetTOTP, may.Unlock
	d.ChangeNeedsApproval, d.EnableNeedsApproval = may.ChangeNeedsApproval, may.EnableNeedsApproval
	d.ResetPasswordNeedsApproval, d.ResetTOTPNeedsApproval = may.ResetPasswordNeedsApproval, may.ResetTOTPNeedsApproval
	d.Invites = ui.app.MailOn()
	d.CanReinvite = d.Invites && u.AwaitingPassword && u.Status == domain.UserActive &&
		domain.CheckUserManagement(v.actor, u.Role, u.ProviderID) == nil && ui.app.Offers(v.actor, "user", "create")
	if ui.app.Offers(v.actor, "identity_request", "read") {
		pending, _, err := ui.app.IdentityRequests(ctx, v.actor, store.IdentityRequestFilter{State: domain.RequestPending, TargetID: u.ID},
			store.Page{Limit: store.MaxLimit})
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		for _, req := range pending {
			d.Pending = append(d.Pending, ui.requestView(v, req, nil))
		}
	}
	if d.Role == "" {
		d.Role, d.Provider = string(u.Role), u.ProviderID
	}
	if d.Version == 0 {
		d.Version = u.Version
	}
	if u.ProviderID != "" {
		if u.ProviderID == v.actor.ProviderID {
			d.ProviderName = v.provider
		} else if p, err := ui.app.Provider(ctx, v.actor, u.ProviderID); err == nil {
			d.ProviderName = p.ShortName
		}
	}
	if d.CanChange {
		d.Roles = roleChoices(v.printer, d.Role)
		var err error
		choice, err := ui.providerChoices(ctx, v, strings.TrimSpace(r.URL.Query().Get("pq")), d.Provider)
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		d.Providers, d.ProviderSearch, d.MoreProviders = choice.Providers, choice.Search, choice.More
		d.ProviderSearchAt = "/users/" + u.ID + "#change-title"
	}
	p := ui.newPage(r, v, "User", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "user.html", p)
}

// updateUser changes a user's role and provider at the version the page
// showed; a change by someone else meanwhile is a conflict the page explains
// with the user as they are now.
func (ui *UI) updateUser(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	id := r.PathValue("id")
	role, provider := domain.Role(r.PostFormValue("role")), r.PostFormValue("provider")
	if !role.ForProvider() {
		provider = "" // the provider select stays on the page for other roles; it means nothing for them
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if version <= 0 {
		ui.fail(w, r, v, domain.Errorf(domain.EInvalid, "the form has no version; reload the page and try again"))
		return
	}
	u, req, err := ui.app.UpdateUser(ctx, v.actor, id, store.UserChange{Role: &role, ProviderID: &provider}, version)
	if err == nil && req != nil {
		http.Redirect(w, r, "/users/"+u.ID+"?done=sent_for_approval", http.StatusSeeOther)
		return
	}
	if err == nil {
		http.Redirect(w, r, "/users/"+u.ID+"?done=user_changed", http.StatusSeeOther)
		return
	}
	code := domain.ErrorCodeOf(err)
	if code != domain.EInvalid && code != domain.EPrecondition && code != domain.EConflict {
		ui.fail(w, r, v, err)
		return
	}
	current, lerr := ui.app.User(ctx, v.actor, id)
	if lerr != nil {
		ui.fail(w, r, v, lerr)
		return
	}
	d := userPageData{Role: string(role), Provider: provider, Version: version}
	switch code {
	case domain.EPrecondition:
		// Show what is there now, with its version, so a second try applies to it.
		ui.showUser(w, r, v, current, userPageData{}, []problem{{Message: v.T(
			"Someone changed this user since you opened the page. This is the user as they are now; make your change again if it is still needed.")}},
			http.StatusConflict)
	case domain.EConflict:
		ui.showUser(w, r, v, current, d, []problem{{Field: "role", Message: v.T(
			"This is the last active administrator. Make another user an administrator first.")}}, http.StatusConflict)
	default:
		problems := problemsOf(err, v.printer)
		for i := range problems {
			switch problems[i].Field {
			case "provider_id":
				problems[i].Field = "provider"
				problems[i].Message = v.T("Choose the provider for a provider role, and none for the other roles.")
			case "role":
				problems[i].Message = v.T("Choose a role.")
			}
		}
		ui.showUser(w, r, v, current, d, problems, http.StatusUnprocessableEntity)
	}
}

// userActions are the acts on a user that ask to be confirmed first: the
// question, what follows, and the button.
var userActions = map[string]struct {
	Question, Explanation, Button string
	Allowed                       func(app.UserActions) bool
	NeedsApproval                 func(app.UserActions) bool
}{
	"disable": {"Disable %s?", "They can no longer sign in, and every session and API token of theirs ends now. You can enable them again later.", "Disable the user", func(m app.UserActions) bool { return m.Disable }, nil},
	"enable":  {"Enable %s again?", "They can sign in again with their password. Their old sessions and API tokens stay ended.", "Enable the user", func(m app.UserActions) bool { return m.Enable }, func(m app.UserActions) bool { return m.EnableNeedsApproval }},
	"reset-password": {"Reset the password of %s?", "Assure makes a new temporary password and shows it to you once. Their sessions and API tokens end, and they must choose their own password at their next sign-in.",
		"Reset the password", func(m app.UserActions) bool { return m.ResetPassword }, func(m app.UserActions) bool { return m.ResetPasswordNeedsApproval }},
	"reset-totp": {"Remove the second factor of %s?", "Their authenticator app no longer works for Assure; their sessions and API tokens end. If their role requires a second factor, they set up a new one at their next sign-in.",
		"Remove the second factor", func(m app.UserActions) bool { return m.ResetTOTP }, func(m app.UserActions) bool { return m.ResetTOTPNeedsApproval }},
}

// confirmData is a page that asks before an act.
type confirmData struct {
	Question, Explanation, Button string
	Action                        string // where the form posts
	Back                          string // where "cancel" goes
}

// confirmUser asks before disabling, enabling or resetting a user.
func (ui *UI) confirmUser(w http.ResponseWriter, r *http.Request, v *visit) {
	act, ok := userActions[path.Base(r.URL.Path)]
	if !ok {
		ui.fail(w, r, v, domain.Errorf(domain.ENotFound, "no such page"))
		return
	}
	u, err := ui.app.User(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if !act.Allowed(ui.app.UserActionsOn(v.actor, u)) {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "you may not do this to this user"))
		return
	}
	d := confirmData{Question: v.T(act.Question, u.Name), Explanation: v.T(act.Explanation), Button: v.T(act.Button),
		Action: r.URL.Path, Back: "/users/" + u.ID}
	if path.Base(r.URL.Path) == "reset-password" && ui.app.MailOn() {
		d.Explanation = v.T("Their password stops working now, their sessions and API tokens end, and Assure e-mails them a link to choose a new one, valid a day. Nobody else learns it.")
		d.Button = v.T("E-mail a reset link")
	}
	if act.NeedsApproval != nil && act.NeedsApproval(ui.app.UserActionsOn(v.actor, u)) {
		d.Explanation = v.T("This waits for another administrator: nothing changes until they approve it.") + " " + d.Explanation
		if path.Base(r.URL.Path) == "reset-password" && ui.app.MailOn() {
			d.Explanation = v.T("This waits for another administrator: nothing changes until they approve it. Then the user's password stops working, their sessions and API tokens end, and Assure e-mails them a link to choose a new one.")
		} else if path.Base(r.URL.Path) == "reset-password" {
			d.Explanation = v.T("This waits for another administrator: nothing changes until they approve it. The administrator who approves receives the temporary password, not you; the user's sessions and API tokens end then, and they must choose their own password at their next sign-in.")
		}
		d.Button = v.T("Ask for approval")
	}
	ui.render(w, r, http.StatusOK, "confirm.html", ui.newPage(r, v, "Confirm", d))
}

// disableUser stops a user signing in and ends their sessions.
func (ui *UI) disableUser(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	_, err := ui.app.DisableUser(r.Context(), v.actor, id)
	if domain.ErrorCodeOf(err) == domain.EConflict {
		message := v.T("This is the last active administrator. Make another user an administrator first.")
		if id == v.actor.UserID {
			message = v.T("You cannot disable your own account. Ask another administrator.")
		}
		u, uerr := ui.app.User(r.Context(), v.actor, id)
		if uerr != nil {
			ui.fail(w, r, v, uerr)
			return
		}
		ui.showUser(w, r, v, u, userPageData{}, []problem{{Message: message}}, http.StatusConflict)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/users/"+id+"?done=disabled", http.StatusSeeOther)
}

// enableUser lets a disabled user sign in again.
func (ui *UI) enableUser(w http.ResponseWriter, r *http.Request, v *visit) {
	u, req, err := ui.app.EnableUser(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if req != nil {
		http.Redirect(w, r, "/users/"+u.ID+"?done=sent_for_approval", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/users/"+u.ID+"?done=enabled", http.StatusSeeOther)
}

// resetPassword gives the user a temporary password made on the server and
// shows it on this answer only: not in an address, not in a log, not again.
func (ui *UI) resetPassword(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	id := r.PathValue("id")
	password, req, err := ui.app.ResetPasswordGenerated(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if req != nil {
		http.Redirect(w, r, "/users/"+id+"?done=sent_for_approval", http.StatusSeeOther)
		return
	}
	if password == "" {
		http.Redirect(w, r, "/users/"+id+"?done=reset_link_sent", http.StatusSeeOther)
		return
	}
	u, err := ui.app.User(ctx, v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.showUser(w, r, v, u, userPageData{Secret: password}, nil, http.StatusOK)
}

// resendInvitation e-mails a user who has not chosen a password a new
// invitation.
func (ui *UI) resendInvitation(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	if _, err := ui.app.Reinvite(r.Context(), v.actor, id); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/users/"+id+"?done=invited_again", http.StatusSeeOther)
}

// resetTOTP removes the user's second factor.
func (ui *UI) resetTOTP(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	req, err := ui.app.ResetTOTP(r.Context(), v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if req != nil {
		http.Redirect(w, r, "/users/"+id+"?done=sent_for_approval", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/users/"+id+"?done=totp_reset", http.StatusSeeOther)
}

// unlockUser clears the user's failed sign-ins from every address. It asks
// nothing first: an unlock takes nothing from the user.
func (ui *UI) unlockUser(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	if err := ui.app.UnlockUser(r.Context(), v.actor, id); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/users/"+id+"?done=unlocked", http.StatusSeeOther)
}
