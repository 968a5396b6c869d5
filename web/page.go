package web

import (
	"net/http"
	"strings"

	"assure/domain"
)

// page is what every template receives: the messages of the visitor's
// language, who is signed in, the CSRF token, the navigation for the role,
// problems to show, and the page's own data.
type page struct {
	printer
	Title    string // the message key of the page's title
	User     *domain.User
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
	p := &page{printer: v.printer, Title: title, User: &v.user, CSRF: csrfFor(v.token), Path: r.URL.RequestURI(), Data: data}
	for _, n := range navFor(v.user.Role) {
		n.Current = r.URL.Path == n.Href || (n.Href != "/" && strings.HasPrefix(r.URL.Path, n.Href))
		n.Label = v.T(n.Label)
		p.Nav = append(p.Nav, n)
	}
	return p
}

// navFor lists the main pages of a role.
func navFor(role domain.Role) []navItem {
	items := []navItem{{Label: "Home", Href: "/"}}
	switch {
	case role.ForProvider():
		items = append(items, navItem{Label: "Findings", Href: "/findings"})
		if role == domain.RoleProviderAdmin {
			items = append(items, navItem{Label: "Users", Href: "/users"})
		}
	case role == domain.RoleSupervisor || role == domain.RoleAuditor:
		items = append(items, navItem{Label: "Findings", Href: "/findings"})
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

// fail answers an error that ends the request: not found, forbidden, a
// conflict or an internal fault, as a page in the visitor's language.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	status, title := http.StatusInternalServerError, "Something went wrong"
	message := "Assure could not do this. Try again; if it keeps failing, tell your administrator the time it happened."
	switch domain.ErrorCodeOf(err) {
	case domain.ENotFound:
		status, title, message = http.StatusNotFound, "Not found", "There is nothing here, or it is not yours to see."
	case domain.EForbidden:
		status, title = http.StatusForbidden, "Not allowed"
		message = messageOf(err)
	case domain.EConflict, domain.EInvalid, domain.EPrecondition, domain.ETooLarge, domain.EUnsupported, domain.ETooMany:
		status, title = http.StatusConflict, "This cannot be done now"
		message = messageOf(err)
	default:
		ui.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	}
	var p *page
	if v != nil {
		p = ui.newPage(r, v, title, nil)
	} else {
		p = &page{printer: ui.text.printer(ui.text.choose(r, "")), Title: title}
	}
	p.Data = p.Say(message)
	ui.render(w, r, status, "error.html", p)
}

func messageOf(err error) string {
	if e, ok := domain.AsError(err); ok {
		return e.Message
	}
	return err.Error()
}
