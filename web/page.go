package web

import (
	"net/http"
	"strconv"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// page is what every template receives: the messages of the visitor's
// language, who is signed in, the CSRF token, the navigation for the role,
// problems to show, and the page's own data.
type page struct {
	printer
	Title    string // the message key of the page's title
	User     *domain.User
	Provider string // the signed-in provider user's provider
	CSRF     string
	Path     string // the address of this page, to come back to
	Nav      []navItem
	Flash    string // a message key, shown once at the top
	Problems []problem
	Fragment string // the template block an htmx request swaps in
	Data     any
}

// navItem is one entry of the navigation.
type navItem struct {
	Label, Href string
	Current     bool
	Badge       int // a count beside the label: the unread notifications
}

// problem is one thing wrong with what was sent, next to its field (Field
// is the id of the input) and in the summary.
type problem struct {
	Field   string
	Message string
}

// FieldProblem returns the message of the problem of field, or "".
func (p *page) FieldProblem(field string) string {
	for _, pr := range p.Problems {
		if pr.Field == field {
			return pr.Message
		}
	}
	return ""
}

// Role names the user's role in the page's language.
func (p *page) Role() string {
	if p.User == nil {
		return ""
	}
	return p.T(roleNames[p.User.Role])
}

var roleNames = map[domain.Role]string{
	domain.RoleAdmin: "Administrator", domain.RoleSupervisor: "Supervisor", domain.RoleProviderAdmin: "Provider administrator",
	domain.RoleProviderEditor: "Provider editor", domain.RoleAuditor: "Auditor",
}

// newPage starts the page of a signed-in visit.
func (ui *UI) newPage(r *http.Request, v *visit, title string, data any) *page {
	p := &page{printer: v.printer, Title: title, User: &v.user, Provider: v.provider, CSRF: csrfFor(v.token),
		Path: r.URL.RequestURI(), Data: data}
	for _, n := range ui.navFor(v.actor) {
		n.Current = r.URL.Path == n.Href || (n.Href != "/" && strings.HasPrefix(r.URL.Path, n.Href))
		n.Label = v.T(n.Label)
		if n.Href == "/notifications" {
			// A badge that cannot be counted is left off: the page still works.
			unread, err := ui.app.UnreadNotifications(r.Context(), v.actor)
			if err != nil {
				ui.log.WarnContext(r.Context(), "count unread notifications", "err", err)
			}
			n.Badge = unread
		}
		p.Nav = append(p.Nav, n)
	}
	return p
}

// navFor lists the main pages the actor may use, as the policy says.
func (ui *UI) navFor(actor domain.Actor) []navItem {
	items := []navItem{{Label: "Home", Href: "/"}}
	if ui.app.Offers(actor, "campaign", "read") {
		items = append(items, navItem{Label: "Campaigns", Href: "/campaigns"})
	}
	if ui.app.Offers(actor, "finding", "read") {
		items = append(items, navItem{Label: "Findings", Href: "/findings"})
	}
	if ui.app.Offers(actor, "calendar", "read") {
		items = append(items, navItem{Label: "Calendar", Href: "/calendar"})
	}
	if ui.app.Offers(actor, "app", "read") {
		items = append(items, navItem{Label: "Apps", Href: "/apps"})
	}
	if ui.app.Offers(actor, "incident", "read") {
		items = append(items, navItem{Label: "Incidents", Href: "/incidents"})
	}
	// The register where the actor may read every provider; a provider
	// user's register would be one row, so they go to their own page.
	switch {
	case ui.app.OffersEveryProvider(actor, "provider", "read"):
		items = append(items, navItem{Label: "Providers", Href: "/providers"})
	case actor.ProviderID != "" && ui.app.Offers(actor, "provider", "read"):
		items = append(items, navItem{Label: "My provider", Href: "/providers/" + actor.ProviderID})
	}
	// The auditor's part: the audit log.
	if ui.app.Offers(actor, "audit", "read") {
		items = append(items, navItem{Label: "Audit log", Href: "/audit"})
	}
	if ui.app.Offers(actor, "user", "create") {
		items = append(items, navItem{Label: "Users", Href: "/users"})
	}
	// The administrator's screens.
	if ui.app.Offers(actor, "settings", "read") {
		items = append(items, navItem{Label: "Settings", Href: "/settings"})
	}
	if ui.app.Offers(actor, "catalog", "read") {
		items = append(items, navItem{Label: "Catalogs", Href: "/catalogs"})
	}
	if ui.app.Offers(actor, "notification", "read") {
		items = append(items, navItem{Label: "Notifications", Href: "/notifications"})
	}
	return append(items, navItem{Label: "My account", Href: "/account"})
}

// problemsOf turns the problems of a domain error into problems of fields,
// naming each field by the last part of its location (body.narrative →
// narrative, responses.C52.justification → justification).
func problemsOf(err error, p printer) []problem {
	e, ok := domain.AsError(err)
	if !ok {
		return nil
	}
	var out []problem
	for _, pr := range e.Problems {
		field := pr.Location
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		out = append(out, problem{Field: field, Message: p.Say(pr.Message)})
	}
	if len(out) == 0 {
		out = append(out, problem{Message: p.Say(e.Message)})
	}
	return out
}

// failures are the pages of errors that end a request, by code: a title
// and, where the error's own words are not shown, a message.
var failures = map[domain.ErrorCode][2]string{
	domain.ENotFound:  {"Not found", "There is nothing here, or it is not yours to see."},
	domain.EForbidden: {"Not allowed", ""},
	domain.EConflict:  {"This cannot be done now", ""},
	domain.EInvalid:   {"This request is not valid", ""},
	domain.EInternal:  {"Something went wrong", "Assure could not do this. Try again; if it keeps failing, tell your administrator the time it happened."},
	domain.EUnavailable: {"Assure is unavailable",
		"Assure cannot reach its database just now. Try again in a few seconds."},
}

var failStatus = map[domain.ErrorCode]int{domain.ENotFound: http.StatusNotFound, domain.EForbidden: http.StatusForbidden,
	domain.EConflict: http.StatusConflict, domain.EInvalid: http.StatusBadRequest, domain.EInternal: http.StatusInternalServerError,
	domain.EUnavailable: http.StatusServiceUnavailable}

// retryAfter is how many seconds a visitor's browser is told to wait while
// the database does not answer; the API tells clients the same.
var retryAfter = strconv.Itoa(domain.RetryUnavailableSeconds)

// fail answers an error that ends the request: not found, forbidden, a
// conflict or an internal fault, as a page in the visitor's language.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	err = store.Unavailable(err)
	code := domain.ErrorCodeOf(err)
	switch code {
	case domain.ENotFound, domain.EForbidden, domain.EInternal, domain.EInvalid:
	case domain.EUnavailable:
		ui.log.WarnContext(r.Context(), "database unavailable", "path", app.LoggablePath(r.URL.Path), "err", err)
		w.Header().Set("Retry-After", retryAfter)
	case domain.EUnauthorized:
		ui.toSignIn(w, r)
		return
	case domain.EPrecondition, domain.EPreconditionRequired, domain.ETooLarge, domain.EUnsupported,
		domain.ETooMany, domain.EConflict:
		code = domain.EConflict
	default:
		code = domain.EInternal
	}
	if code == domain.EInternal {
		ui.log.ErrorContext(r.Context(), "page failed", "path", app.LoggablePath(r.URL.Path), "err", err)
	}
	f := failures[code]
	var p *page
	if v != nil {
		p = ui.newPage(r, v, f[0], nil)
	} else {
		p = &page{printer: ui.text.printer(ui.text.choose(r, "")), Title: f[0]}
	}
	if f[1] != "" {
		p.Data = p.T(f[1])
	} else {
		p.Data = p.Say(messageOf(err))
	}
	ui.render(w, r, failStatus[code], "error.html", p)
}

func messageOf(err error) string {
	if e, ok := domain.AsError(err); ok {
		return e.Message
	}
	return err.Error()
}
