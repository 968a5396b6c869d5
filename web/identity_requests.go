package web

import (
	"net/http"
	"path"
	"time"

	"assure/domain"
	"assure/store"
)

// requestView is an identity request in plain words, with what the
// visitor may do with it.
type requestView struct {
	ID                      string
	What                    string // the change, in the visitor's language
	RequestedBy             string
	RequestedAt, ExpiresAt  time.Time
	State                   string // the state's value, for styling and tests
	StateName               string
	DecidedBy               string
	Reason                  string
	TargetID                string // the user's page, once there is a user
	Approve, Reject, Cancel bool
}

// requestStateNames name the states of a request for the visitor.
var requestStateNames = map[domain.IdentityRequestState]string{
	domain.RequestPending:   "Waiting for approval",
	domain.RequestApproved:  "Approved",
	domain.RequestRejected:  "Rejected",
	domain.RequestCancelled: "Cancelled by the requester",
	domain.RequestExpired:   "Expired unanswered",
}

// requestView describes r for the visitor; providers names providers by id
// when the change moves someone to one (nil: unnamed).
func (ui *UI) requestView(v *visit, r domain.IdentityRequest, providers map[string]string) requestView {
	now := time.Now()
	state := r.StateAt(now)
	may := ui.app.RequestActionsOn(v.actor, r, now)
	rv := requestView{ID: r.ID, RequestedBy: r.RequestedByEmail, RequestedAt: r.RequestedAt, ExpiresAt: r.ExpiresAt,
		State: string(state), StateName: v.T(requestStateNames[state]), DecidedBy: r.DecidedByEmail, Reason: r.Reason,
		TargetID: r.TargetID, Approve: may.Approve, Reject: may.Reject, Cancel: may.Cancel}
	c := r.Change
	role := ""
	if c.Role != nil {
		role = v.T(roleNames[*c.Role])
	}
	switch r.Kind {
	case domain.RequestUserCreate:
		name := ""
		if c.Name != nil {
			name = *c.Name
		}
		rv.What = v.T("Create the account of %s (%s) as %s", name, r.TargetEmail, role)
	case domain.RequestUserEnable:
		rv.What = v.T("Enable %s again", r.TargetEmail)
	case domain.RequestUserChange:
		switch {
		case c.Role != nil && c.ProviderID != nil && *c.ProviderID != "" && providers[*c.ProviderID] != "":
			rv.What = v.T("Change the role of %s to %s of %s", r.TargetEmail, role, providers[*c.ProviderID])
		case c.Role != nil:
			rv.What = v.T("Change the role of %s to %s", r.TargetEmail, role)
		default:
			rv.What = v.T("Change the account of %s", r.TargetEmail)
		}
	case domain.RequestPasswordReset:
		rv.What = v.T("Reset the password of %s", r.TargetEmail)
	case domain.RequestSecondFactorReset:
		rv.What = v.T("Remove the second factor of %s", r.TargetEmail)
	}
	if r.RequestedBy == "" {
		rv.RequestedBy = v.T("the command line (%s)", r.RequestedByEmail)
	}
	return rv
}

// requestsData is the list of identity requests.
type requestsData struct {
	State    string
	States   []choice
	Requests []requestView
	Next     string
}

// identityRequests lists the identity requests, waiting ones first by
// default, with what the visitor may do with each.
func (ui *UI) identityRequests(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showRequests(w, r, v, nil, http.StatusOK)
}

func (ui *UI) showRequests(w http.ResponseWriter, r *http.Request, v *visit, problems []problem, status int) {
	ctx := r.Context()
	q := r.URL.Query()
	state := domain.IdentityRequestState(q.Get("state"))
	if q.Get("state") == "" {
		state = domain.RequestPending
	}
	if state == "all" || !state.Valid() {
		state = ""
	}
	list, next, err := ui.app.IdentityRequests(ctx, v.actor, store.IdentityRequestFilter{State: state},
		store.Page{Limit: usersPage, Cursor: q.Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	providers := map[string]string{}
	if ui.app.OffersEveryProvider(v.actor, "provider", "read") {
		var ids []string
		for _, req := range list {
			if c := req.Change; c.ProviderID != nil {
				ids = append(ids, *c.ProviderID)
			}
		}
		if providers, err = ui.providerNames(ctx, v, ids); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	d := requestsData{State: string(state)}
	if d.State == "" {
		d.State = "all"
	}
	d.States = append(d.States, choice{Value: "all", Label: v.T("All"), Checked: d.State == "all"})
	for _, s := range domain.IdentityRequestStates {
		d.States = append(d.States, choice{Value: string(s), Label: v.T(requestStateNames[s]), Checked: d.State == string(s)})
	}
	for _, req := range list {
		d.Requests = append(d.Requests, ui.requestView(v, req, providers))
	}
	if next != "" {
		d.Next = "/users/requests?state=" + d.State + "&cursor=" + next
	}
	p := ui.newPage(r, v, "Requests waiting", d)
	p.Problems = problems
	p.Flash = flashes[q.Get("done")]
	ui.render(w, r, status, "user_requests.html", p)
}

// requestDecision is a page that asks before deciding on a request.
type requestDecision struct {
	confirmData
	What   string
	Reason bool // the form asks for an optional reason
}

// confirmRequest asks before approving, rejecting or cancelling a request,
// offered only to who may.
func (ui *UI) confirmRequest(w http.ResponseWriter, r *http.Request, v *visit) {
	req, err := ui.app.IdentityRequest(r.Context(), v.actor, r.PathValue("rid"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	view := ui.requestView(v, req, nil)
	d := requestDecision{confirmData: confirmData{Action: r.URL.Path, Back: "/users/requests"}, What: view.What}
	allowed := false
	switch path.Base(r.URL.Path) {
	case "approve":
		allowed = view.Approve
		d.Question, d.Button = v.T("Approve this change?"), v.T("Approve")
		d.Explanation = v.T("It takes effect now, in your name. A new account or password gets a temporary password shown to you once; give it to the user by another channel than email.")
		if ui.app.MailOn() {
			d.Explanation = v.T("It takes effect now, in your name. A new account is e-mailed an invitation, and a reset password a link, to choose their own password; nobody else learns it.")
		}
	case "reject":
		allowed, d.Reason = view.Reject, true
		d.Question, d.Button = v.T("Reject this change?"), v.T("Reject")
		d.Explanation = v.T("Nothing changes. The administrator who asked sees that you rejected it, and your reason if you give one.")
	case "cancel":
		allowed = view.Cancel
		d.Question, d.Button = v.T("Withdraw your request?"), v.T("Withdraw the request")
		d.Explanation = v.T("Nothing changes, and nobody can approve it any more.")
	}
	if !allowed {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "you may not do this with this request"))
		return
	}
	ui.render(w, r, http.StatusOK, "request_decide.html", ui.newPage(r, v, "Confirm", d))
}

// decisionFailed shows the list again with why a decision did not go
// through: a request decided meanwhile, expired, or no longer applicable.
func (ui *UI) decisionFailed(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	switch domain.ErrorCodeOf(err) {
	case domain.EConflict:
		ui.showRequests(w, r, v, []problem{{Message: v.T("This request cannot be decided as it stands: it was decided or expired meanwhile, or the rules no longer allow it (the user changed since, the email is taken, or no active administrator would remain).")}},
			http.StatusConflict)
	case domain.EInvalid:
		ui.showRequests(w, r, v, []problem{{Field: "reason", Message: v.T("Keep the reason under 1000 characters.")}}, http.StatusUnprocessableEntity)
	default:
		ui.fail(w, r, v, err)
	}
}

// approveRequest applies a request in the visitor's name. A temporary
// password made for it is shown on this answer only, to this approver.
func (ui *UI) approveRequest(w http.ResponseWriter, r *http.Request, v *visit) {
	req, u, password, err := ui.app.ApproveIdentityRequest(r.Context(), v.actor, r.PathValue("rid"))
	if err != nil {
		ui.decisionFailed(w, r, v, err)
		return
	}
	if password != "" {
		ui.showUser(w, r, v, u, userPageData{Secret: password, SecretNew: req.Kind == domain.RequestUserCreate}, nil, http.StatusOK)
		return
	}
	http.Redirect(w, r, "/users/"+u.ID+"?done=request_approved", http.StatusSeeOther)
}

// rejectRequest refuses a request, with the reason given.
func (ui *UI) rejectRequest(w http.ResponseWriter, r *http.Request, v *visit) {
	if _, err := ui.app.RejectIdentityRequest(r.Context(), v.actor, r.PathValue("rid"), r.PostFormValue("reason")); err != nil {
		ui.decisionFailed(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/users/requests?done=request_rejected", http.StatusSeeOther)
}

// cancelRequest withdraws the visitor's own request.
func (ui *UI) cancelRequest(w http.ResponseWriter, r *http.Request, v *visit) {
	if _, err := ui.app.CancelIdentityRequest(r.Context(), v.actor, r.PathValue("rid")); err != nil {
		ui.decisionFailed(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/users/requests?done=request_cancelled", http.StatusSeeOther)
}
