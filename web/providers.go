package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"assure/domain"
	"assure/store"
)

// The provider register: the list with its search, filters and orders, and
// the forms that register a provider, change one and mark one exited.

// registerPage is how many providers one page of the register shows.
const registerPage = 50

// registerDone are the messages a redirect may ask the register's pages to
// show, by their code in the address.
var registerDone = map[string]struct{ Message string }{
	"created":  {Message: "The provider is registered."},
	"saved":    {Message: "The provider is saved."},
	"exited":   {Message: "The provider is marked exited. It keeps its history and enters no new campaign."},
	"override": {Message: "The override is saved and the provider's scores are updated."},
	"removed":  {Message: "The override is removed; the threat's defaults apply again."},
	"imported": {Message: "The providers of the file are registered."},
	"profile":  {Message: "The profile is saved and the provider's scores are updated."},
	"recorded": {Message: "The inspection is recorded and the provider's place in the supervisory ranking is updated."},
}

func registerFlash(r *http.Request) string { return registerDone[r.URL.Query().Get("done")].Message }

var (
	providerStatuses = []domain.ProviderStatus{domain.ProviderActive, domain.ProviderSuspended, domain.ProviderExited}
	providerTiers    = []int{1, 2, 3}
)

// registerFilter is the register's search, as the address gives it.
type registerFilter struct {
	Q, Kind, Status, Channel, Sort string
	Tier                           int
}

func (f registerFilter) Any() bool {
	return f.Q != "" || f.Kind != "" || f.Status != "" || f.Channel != "" || f.Tier != 0
}

// values are the filter's query parameters, for the next page's address.
func (f registerFilter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "kind": f.Kind, "status": f.Status, "channel": f.Channel, "sort": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Tier != 0 {
		q.Set("tier", strconv.Itoa(f.Tier))
	}
	return q
}

func registerFilterOf(q url.Values) registerFilter {
	f := registerFilter{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Status: q.Get("status"),
		Channel: q.Get("channel"), Sort: q.Get("sort")}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	if !domain.ProviderKind(f.Kind).Valid() {
		f.Kind = ""
	}
	if !domain.ProviderStatus(f.Status).Valid() {
		f.Status = ""
	}
	if !domain.ValidChannel(f.Channel) {
		f.Channel = ""
	}
	if s := store.ProviderSort(f.Sort); s == store.SortByName || !s.Valid() {
		f.Sort = ""
	}
	if t, err := strconv.Atoi(q.Get("tier")); err == nil && t >= 1 && t <= 3 {
		f.Tier = t
	}
	return f
}

// registerData is the register page.
type registerData struct {
	Providers []domain.Provider
	Filter    registerFilter
	Next      string // the address of the next page, or ""
	CanCreate bool
	Kinds     []domain.ProviderKind
	Channels  []string
	Statuses  []domain.ProviderStatus
	Tiers     []int
}

// register lists the providers the visitor may see (a provider user only
// their own), searched, filtered and ordered as the address asks, a page at
// a time.
func (ui *UI) register(w http.ResponseWriter, r *http.Request, v *visit) {
	f := registerFilterOf(r.URL.Query())
	list, next, err := ui.app.Providers(r.Context(), v.actor, store.ProviderFilter{Kind: domain.ProviderKind(f.Kind),
		Tier: f.Tier, Status: domain.ProviderStatus(f.Status), Channel: f.Channel, Query: f.Q, Sort: store.ProviderSort(f.Sort)},
		store.Page{Limit: registerPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := registerData{Providers: list, Filter: f, CanCreate: ui.app.Offers(v.actor, "provider", "create"),
		Kinds: domain.ProviderKinds, Channels: domain.Channels, Statuses: providerStatuses, Tiers: providerTiers}
	if next != "" {
		q := f.values()
		q.Set("cursor", next)
		d.Next = "/providers?" + q.Encode()
	}
	p := ui.newPage(r, v, "Providers", d)
	p.Flash = registerFlash(r)
	ui.render(w, r, http.StatusOK, "providers.html", p)
}

// maxContactRows bounds the contact rows of the form, as the domain bounds
// a provider's contacts.
const maxContactRows = 20

// providerForm is what the provider form shows and sends, as text.
type providerForm struct {
	LegalName, ShortName, LicenceNumber, Kind, Tier, Status string
	Channels                                                []string
	Contacts                                                []domain.Contact // every row shown, blank ones too
	Version                                                 int
}

// formOfProvider fills the form from a stored provider, with blank contact
// rows to add more.
func formOfProvider(p domain.Provider) providerForm {
	f := providerForm{LegalName: p.LegalName, ShortName: p.ShortName, LicenceNumber: p.LicenceNumber, Kind: string(p.Kind),
		Status: string(p.Status), Channels: slices.Clone(p.Channels), Contacts: slices.Clone(p.Contacts), Version: p.Version}
	if p.Tier != 0 {
		f.Tier = strconv.Itoa(p.Tier)
	}
	return f.withBlankRows()
}

// withBlankRows adds blank contact rows: at least three rows, and two
// blank ones after those filled, within maxContactRows.
func (f providerForm) withBlankRows() providerForm {
	filled := 0
	for i, c := range f.Contacts {
		if c != (domain.Contact{}) {
			filled = i + 1
		}
	}
	f.Contacts = f.Contacts[:filled]
	for len(f.Contacts) < min(max(filled+2, 3), maxContactRows) {
		f.Contacts = append(f.Contacts, domain.Contact{})
	}
	return f
}

// readProviderForm reads the provider form as sent.
func readProviderForm(r *http.Request) providerForm {
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := providerForm{LegalName: get("legal_name"), ShortName: get("short_name"), LicenceNumber: get("licence_number"),
		Kind: get("kind"), Tier: get("tier"), Status: get("status"), Channels: r.PostForm["channels"]}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	for i := range maxContactRows {
		prefix := fmt.Sprintf("contact-%d-", i)
		if !r.PostForm.Has(prefix + "name") {
			break
		}
		f.Contacts = append(f.Contacts, domain.Contact{Name: get(prefix + "name"), Position: get(prefix + "position"),
			Email: get(prefix + "email"), Phone: get(prefix + "phone")})
	}
	return f
}

// provider is the provider the form describes, and for each of its
// contacts the form row it came from (blank rows are left out).
func (f providerForm) provider() (domain.Provider, []int) {
	p := domain.Provider{LegalName: f.LegalName, ShortName: f.ShortName, LicenceNumber: f.LicenceNumber,
		Kind: domain.ProviderKind(f.Kind), Status: domain.ProviderStatus(f.Status), Channels: slices.Clone(f.Channels),
		Contacts: []domain.Contact{}}
	if p.Channels == nil {
		p.Channels = []string{}
	}
	p.Tier, _ = strconv.Atoi(f.Tier)
	var rows []int
	for i, c := range f.Contacts {
		if c != (domain.Contact{}) {
			p.Contacts = append(p.Contacts, c)
			rows = append(rows, i)
		}
	}
	return p, rows
}

// Has reports whether the form has channel c ticked.
func (f providerForm) Has(c string) bool { return slices.Contains(f.Channels, c) }

// providerFormData is the page of the provider form.
type providerFormData struct {
	New      bool
	ID       string
	Name     string // the provider's short name as stored, for the heading
	Form     providerForm
	Conflict []conflictRow // the stored values, when someone else saved since the form was made
	// ContactRows are the form's contact rows, ready to show.
	ContactRows []contactRowView
	Kinds       []domain.ProviderKind
	Channels    []string
	Statuses    []domain.ProviderStatus
	Tiers       []int
}

// contactRowView is one row of contact fields of the form.
type contactRowView struct {
	Index, Number int
	Fields        []contactFieldView
}

// contactFieldView is one field of a contact row.
type contactFieldView struct {
	ID, Label, Value, Type string
	Max                    int
}

func contactRowsOf(contacts []domain.Contact, p printer) []contactRowView {
	var rows []contactRowView
	for i, c := range contacts {
		id := func(field string) string { return fmt.Sprintf("contact-%d-%s", i, field) }
		rows = append(rows, contactRowView{Index: i, Number: i + 1, Fields: []contactFieldView{
			{ID: id("name"), Label: p.T("Name"), Value: c.Name, Type: "text", Max: 200},
			{ID: id("position"), Label: p.T("Position"), Value: c.Position, Type: "text", Max: 200},
			{ID: id("email"), Label: p.T("Email"), Value: c.Email, Type: "email", Max: 254},
			{ID: id("phone"), Label: p.T("Phone"), Value: c.Phone, Type: "tel", Max: 50},
		}})
	}
	return rows
}

// conflictRow is one field of the stored provider beside what the user sent.
type conflictRow struct {
	Label, Theirs string
	Differs       bool
}

func (ui *UI) showProviderForm(w http.ResponseWriter, r *http.Request, v *visit, d providerFormData, problems []problem, status int) {
	d.Kinds, d.Channels, d.Statuses, d.Tiers = domain.ProviderKinds, domain.Channels, providerStatuses, providerTiers
	d.Form = d.Form.withBlankRows()
	d.ContactRows = contactRowsOf(d.Form.Contacts, v.printer)
	title := "Change the provider"
	if d.New {
		title = "Register a provider"
	}
	p := ui.newPage(r, v, title, d)
	p.Problems = problems
	ui.render(w, r, status, "provider_form.html", p)
}

// registerNew shows the empty form to register a provider.
func (ui *UI) registerNew(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "provider", "create") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "You may not register providers."))
		return
	}
	ui.showProviderForm(w, r, v, providerFormData{New: true, Form: providerForm{Status: string(domain.ProviderActive)}},
		nil, http.StatusOK)
}

// registerCreate registers the provider of the form, or shows the form
// again with its problems next to their fields.
func (ui *UI) registerCreate(w http.ResponseWriter, r *http.Request, v *visit) {
	f := readProviderForm(r)
	p, rows := f.provider()
	created, err := ui.app.CreateProvider(r.Context(), v.actor, p)
	if err == nil {
		http.Redirect(w, r, "/providers/"+created.ID+"?done=created", http.StatusSeeOther)
		return
	}
	problems, status, ok := providerFormProblems(err, rows, v.printer)
	if !ok {
		ui.fail(w, r, v, err)
		return
	}
	ui.showProviderForm(w, r, v, providerFormData{New: true, Form: f}, problems, status)
}

// providerEdit shows the form of a stored provider, carrying its version.
func (ui *UI) providerEdit(w http.ResponseWriter, r *http.Request, v *visit) {
	p, err := ui.app.Provider(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if !ui.app.Offers(v.actor, "provider", "update") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "You may not change providers."))
		return
	}
	ui.showProviderForm(w, r, v, providerFormData{ID: p.ID, Name: p.ShortName, Form: formOfProvider(p)}, nil, http.StatusOK)
}

// providerUpdate saves the form over the version it was made from. When
// someone else saved the provider in between, nothing is saved: the page
// shows their values beside the user's, and the user keeps theirs (sending
// the form again, now at the current version) or takes the others'.
func (ui *UI) providerUpdate(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	f := readProviderForm(r)
	p, rows := f.provider()
	ch := store.ProviderChange{LegalName: &p.LegalName, ShortName: &p.ShortName, LicenceNumber: &p.LicenceNumber,
		Kind: &p.Kind, Tier: &p.Tier, Channels: &p.Channels, Status: &p.Status, Contacts: &p.Contacts}
	// Version 0 would skip the check: a form always names the version it shows.
	version := max(f.Version, 1)
	_, err := ui.app.UpdateProvider(r.Context(), v.actor, id, ch, version)
	if err == nil {
		http.Redirect(w, r, "/providers/"+id+"?done=saved", http.StatusSeeOther)
		return
	}
	var problems []problem
	status := http.StatusConflict
	if domain.ErrorCodeOf(err) != domain.EPrecondition {
		var ok bool
		if problems, status, ok = providerFormProblems(err, rows, v.printer); !ok {
			ui.fail(w, r, v, err)
			return
		}
	}
	current, cerr := ui.app.Provider(r.Context(), v.actor, id)
	if cerr != nil {
		ui.fail(w, r, v, cerr)
		return
	}
	d := providerFormData{ID: id, Name: current.ShortName, Form: f}
	if current.Version != f.Version {
		d.Conflict = conflictRows(current, p, v.printer)
		d.Form.Version = current.Version // "keep mine" now saves over what the user has seen
	}
	ui.showProviderForm(w, r, v, d, problems, status)
}

// conflictRows sets the stored provider's values beside the user's.
func conflictRows(theirs, mine domain.Provider, p printer) []conflictRow {
	contacts := func(list []domain.Contact) string {
		var out []string
		for _, c := range list {
			out = append(out, strings.Join(slices.DeleteFunc([]string{c.Name, c.Position, c.Email, c.Phone},
				func(s string) bool { return s == "" }), ", "))
		}
		if len(out) == 0 {
			return p.T("None")
		}
		return strings.Join(out, "; ")
	}
	sorted := func(list []string) []string {
		out := slices.Clone(list)
		slices.SortFunc(out, func(a, b string) int { return slices.Index(domain.Channels, a) - slices.Index(domain.Channels, b) })
		return out
	}
	rows := []conflictRow{
		{p.T("Legal name"), theirs.LegalName, theirs.LegalName != mine.LegalName},
		{p.T("Short name"), theirs.ShortName, theirs.ShortName != mine.ShortName},
		{p.T("Licence number"), theirs.LicenceNumber, theirs.LicenceNumber != mine.LicenceNumber},
		{p.T("Kind"), p.ProviderKindName(theirs.Kind), theirs.Kind != mine.Kind},
		{p.T("Tier"), p.ProviderTierName(theirs.Tier), theirs.Tier != mine.Tier},
		{p.T("Channels"), p.ProviderChannelNames(theirs.Channels), !slices.Equal(sorted(theirs.Channels), sorted(mine.Channels))},
		{p.T("Status"), p.ProviderStatusName(theirs.Status), theirs.Status != mine.Status},
		{p.T("Contacts"), contacts(theirs.Contacts), contacts(theirs.Contacts) != contacts(mine.Contacts)},
	}
	return rows
}

// providerFormProblems turns a refusal of the provider form into problems
// next to its fields and the page's status; ok is false for errors that are
// not about the form. rows maps the provider's contacts to the form's rows.
func providerFormProblems(err error, rows []int, p printer) (problems []problem, status int, ok bool) {
	e, isDomain := domain.AsError(err)
	switch {
	case !isDomain:
		return nil, 0, false
	case e.Code == domain.EConflict:
		return []problem{{Field: "licence_number", Message: p.T("Another provider already holds this licence number.")}},
			http.StatusConflict, true
	case e.Code != domain.EInvalid:
		return nil, 0, false
	}
	labels := map[string]string{"legal_name": "Legal name", "short_name": "Short name", "licence_number": "Licence number"}
	seen := map[string]bool{}
	for _, pr := range e.Problems {
		loc := strings.TrimPrefix(pr.Location, "body.")
		var out problem
		switch {
		case labels[loc] != "":
			out = problem{Field: loc, Message: p.T("%s: %s", p.T(labels[loc]), p.Say(pr.Message))}
		case loc == "kind":
			out = problem{Field: "kind", Message: p.T("Choose the kind of licence.")}
		case loc == "tier":
			out = problem{Field: "tier", Message: p.T("Choose the tier: 1, 2 or 3.")}
		case loc == "status":
			out = problem{Field: "status", Message: p.T("Choose a status.")}
		case strings.HasPrefix(loc, "channels"):
			out = problem{Field: "channels", Message: p.T("Choose the channels from the list.")}
		case strings.HasPrefix(loc, "contacts["):
			var i int
			var rest string
			fmt.Sscanf(strings.Replace(loc, "]", "] ", 1), "contacts[%d] %s", &i, &rest)
			row := i
			if i >= 0 && i < len(rows) {
				row = rows[i]
			}
			switch rest {
			case ".name":
				out = problem{Field: fmt.Sprintf("contact-%d-name", row), Message: p.T("Contact %d: give a name (at most 200 characters).", row+1)}
			case ".email":
				out = problem{Field: fmt.Sprintf("contact-%d-email", row), Message: p.T("Contact %d: enter a valid email address, such as name@example.com.", row+1)}
			default:
				out = problem{Field: fmt.Sprintf("contact-%d-position", row), Message: p.T("Contact %d: the position or the phone number is too long.", row+1)}
			}
		case loc == "contacts":
			out = problem{Field: "contact-0-name", Message: p.T("At most 20 contacts.")}
		default:
			out = problem{Message: p.Say(pr.Message)}
		}
		if !seen[out.Field+out.Message] {
			seen[out.Field+out.Message] = true
			problems = append(problems, out)
		}
	}
	if len(problems) == 0 {
		problems = []problem{{Message: p.Say(e.Message)}}
	}
	return problems, http.StatusUnprocessableEntity, true
}

// providerExit marks a provider exited, after the visitor confirms, at the
// version of the page they confirmed on.
func (ui *UI) providerExit(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") != "yes" {
		ui.showProvider(w, r, v, id, &providerState{Problems: []problem{{Field: "exit-confirm",
			Message: v.T("Tick the box to confirm that the provider has left the market.")}}}, http.StatusUnprocessableEntity)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	exited := domain.ProviderExited
	_, err := ui.app.UpdateProvider(r.Context(), v.actor, id, store.ProviderChange{Status: &exited}, max(version, 1))
	switch {
	case err == nil:
	case domain.ErrorCodeOf(err) == domain.EPrecondition:
		ui.showProvider(w, r, v, id, &providerState{Problems: []problem{{Field: "exit-confirm",
			Message: v.T("Someone else changed the provider since you opened this page. Check it, then confirm again.")}}},
			http.StatusConflict)
		return
	default:
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/providers/"+id+"?done=exited", http.StatusSeeOther)
}
