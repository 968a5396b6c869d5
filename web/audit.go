package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// auditRows is how many events one page of the audit log shows.
const auditRows = 50

// auditForm is the audit log's filter as the form and the address hold it.
type auditForm struct {
	From, To, Actor, Action, ObjectType, Provider string
}

// query is the filter as an address holds it, without empty fields.
func (f auditForm) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"from": f.From, "to": f.To, "actor": f.Actor, "action": f.Action,
		"object_type": f.ObjectType, "provider": f.Provider} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// Values are the filter's fields in use, by name, for hidden fields.
func (f auditForm) Values() map[string]string {
	out := map[string]string{}
	for k, v := range f.query() {
		out[k] = v[0]
	}
	return out
}

// Any reports whether the filter narrows the log at all.
func (f auditForm) Any() bool { return len(f.query()) > 0 }

// Query is the filter as the query string of an address, with a leading
// "?" when there is one.
func (f auditForm) Query() string {
	if q := f.query().Encode(); q != "" {
		return "?" + q
	}
	return ""
}

// auditTimeLayouts are the ways a time of the filter may be written: as a
// date-time field sends it, with seconds, or a date alone.
var auditTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02"}

// auditTime reads a time of the filter, in UTC. A date alone as the end of
// the range means the end of that day, so "to 3 March" includes 3 March.
func auditTime(s string, end bool) (time.Time, bool) {
	for _, layout := range auditTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			if end && layout == "2006-01-02" {
				t = t.AddDate(0, 0, 1)
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// auditFilterOf reads the filter from the address, with a problem for each
// field that cannot be read.
func auditFilterOf(q url.Values, p printer) (auditForm, store.AuditFilter, []problem) {
	form := auditForm{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), ObjectType: q.Get("object_type"),
		Provider: q.Get("provider")}
	f := store.AuditFilter{Actor: form.Actor, Action: form.Action, ObjectType: form.ObjectType, ProviderID: form.Provider}
	var problems []problem
	var ok bool
	if form.From != "" {
		if f.From, ok = auditTime(form.From, false); !ok {
			problems = append(problems, problem{Field: "from", Message: p.T("From: write a date and time such as 2027-03-01T08:30.")})
		}
	}
	if form.To != "" {
		if f.To, ok = auditTime(form.To, true); !ok {
			problems = append(problems, problem{Field: "to", Message: p.T("To: write a date and time such as 2027-03-31T18:00.")})
		}
	}
	return form, f, problems
}

// auditLogData is one page of the audit log with its filter.
type auditLogData struct {
	Filter    auditForm
	Choices   auditChoicesView
	Events    []eventView
	Older     string // the address of the page of older events, or ""
	Newer     string
	CanVerify bool
	CanExport bool
	// Verification is the background verification under way, else the
	// last one done, for those who may verify.
	Verification *verificationView
}

// auditChoicesView is what the filter's fields offer.
type auditChoicesView struct {
	Actions, ObjectTypes, Actors []string
	Providers                    []domain.Provider
}

// eventView is an audit event as the log shows it.
type eventView struct {
	domain.Event
	When     string
	Role     string
	Provider string // the provider's short name
	Object   string // the address of the object's page, where there is one
	Summary  []summaryItem
}

// summaryItem is one key of an event's summary and its value in words.
type summaryItem struct{ Key, Value string }

// objectPages are the pages of the objects an event can be about.
var objectPages = map[string]string{"assessment": "/assessments/", "campaign": "/campaigns/", "provider": "/providers/",
	"finding": "/findings/"}

// summaryOf spells out an event's summary as key and value pairs, keys in
// order; a value that is not text is shown as JSON.
func summaryOf(raw json.RawMessage) []summaryItem {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		return []summaryItem{{Value: string(raw)}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]summaryItem, 0, len(keys))
	for _, k := range keys {
		var s string
		if json.Unmarshal(m[k], &s) != nil {
			var b bytes.Buffer
			if json.Compact(&b, m[k]) == nil {
				s = b.String()
			} else {
				s = string(m[k])
			}
		}
		out = append(out, summaryItem{Key: k, Value: s})
	}
	return out
}

func (ui *UI) eventViewOf(e domain.Event, providers map[string]string, p printer) eventView {
	v := eventView{Event: e, When: p.Time(e.At), Role: e.ActorRole, Provider: providers[e.ProviderID], Summary: summaryOf(e.Summary)}
	if name, ok := roleNames[domain.Role(e.ActorRole)]; ok {
		v.Role = p.T(name)
	}
	if prefix, ok := objectPages[e.ObjectType]; ok && e.ObjectID != "" {
		v.Object = prefix + url.PathEscape(e.ObjectID)
	}
	return v
}

// auditLog shows the audit trail, newest first, filtered and paged.
func (ui *UI) auditLog(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showAuditLog(w, r, v)
}

// showAuditLog renders the log, with the verification panel for those who
// may verify the chain.
func (ui *UI) showAuditLog(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	q := r.URL.Query()
	form, f, problems := auditFilterOf(q, v.printer)
	choices, err := ui.app.AuditChoices(ctx, v.actor)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	readsProviders := ui.app.Offers(v.actor, "provider", "read")
	var providers []domain.Provider
	if readsProviders {
		choice, err := ui.providerChoices(ctx, v, "", form.Provider)
		if err != nil {
			ui.fail(w, r, v, err)
			return
		}
		providers = choice.Providers
	}
	d := auditLogData{Filter: form, CanVerify: ui.app.Offers(v.actor, "audit", "verify"),
		CanExport: ui.app.Offers(v.actor, "audit", "export"),
		Choices: auditChoicesView{Actions: choices.Actions, ObjectTypes: choices.ObjectTypes, Actors: choices.Actors,
			Providers: providers}}
	if d.CanVerify {
		if d.Verification, err = ui.latestVerification(r, v); err != nil {
			ui.fail(w, r, v, err)
			return
		}
	}
	status := http.StatusOK
	if len(problems) == 0 {
		win, err := ui.app.AuditWindow(ctx, v.actor, f, q.Get("cursor"), auditRows)
		switch {
		case domain.ErrorCodeOf(err) == domain.EInvalid:
			problems = problemsOf(err, v.printer)
			for i := range problems {
				if problems[i].Field != "to" { // a cursor or provider that is not one: no field to point at
					problems[i].Field = ""
				} else {
					problems[i].Message = v.T("To: %s", problems[i].Message)
				}
			}
		case err != nil:
			ui.fail(w, r, v, err)
			return
		}
		names := map[string]string{}
		if readsProviders {
			ids := make([]string, len(win.Events))
			for i, e := range win.Events {
				ids[i] = e.ProviderID
			}
			if names, err = ui.providerNames(ctx, v, ids); err != nil {
				ui.fail(w, r, v, err)
				return
			}
		}
		for _, e := range win.Events {
			d.Events = append(d.Events, ui.eventViewOf(e, names, v.printer))
		}
		page := func(cursor string) string {
			if cursor == "" {
				return ""
			}
			pq := form.query()
			pq.Set("cursor", cursor)
			return "/audit?" + pq.Encode()
		}
		d.Older, d.Newer = page(win.Older), page(win.Newer)
	}
	if len(problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	p := ui.newPage(r, v, "Audit log", d)
	p.Problems = problems
	ui.render(w, r, status, "audit.html", p)
}

// auditEventData is one event's page.
type auditEventData struct {
	Event eventView
}

// auditEvent shows one event in full.
func (ui *UI) auditEvent(w http.ResponseWriter, r *http.Request, v *visit) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq <= 0 {
		ui.fail(w, r, v, domain.Errorf(domain.ENotFound, "no such audit event"))
		return
	}
	e, err := ui.app.AuditEvent(r.Context(), v.actor, seq)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	names := map[string]string{}
	if e.ProviderID != "" && ui.app.Offers(v.actor, "provider", "read") {
		if pr, err := ui.app.Provider(r.Context(), v.actor, e.ProviderID); err == nil {
			names[pr.ID] = pr.ShortName
		}
	}
	ui.render(w, r, http.StatusOK, "audit_event.html", ui.newPage(r, v, "Audit event",
		auditEventData{Event: ui.eventViewOf(e, names, v.printer)}))
}

func (ui *UI) auditExportCSV(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.auditExport(w, r, v, "csv")
}

func (ui *UI) auditExportXLSX(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.auditExport(w, r, v, "xlsx")
}

func (ui *UI) auditExportZIP(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.auditExport(w, r, v, "zip")
}

// auditExport sends the audit trail of the log's filter, with the chain's
// verification in the Assure-Audit-Chain header as the API sends it.
func (ui *UI) auditExport(w http.ResponseWriter, r *http.Request, v *visit, format string) {
	form, f, problems := auditFilterOf(r.URL.Query(), v.printer)
	if len(problems) > 0 {
		ui.showAuditLog(w, r, v)
		return
	}
	file, err := ui.app.AuditExport(r.Context(), v.actor, f, format, auditScope(form))
	if domain.ErrorCodeOf(err) == domain.EInvalid {
		ui.showAuditLog(w, r, v)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	w.Header().Set(app.AuditChainHeader, file.Chain.Header())
	sendFile(w, file.File)
}

// auditScope says in words which events an export holds, for its
// verification; it is part of the record, so it is in English.
func auditScope(f auditForm) string {
	s := "all events"
	if f.From != "" || f.To != "" {
		s = "events from " + orElse(f.From, "the start") + " to " + orElse(f.To, "now") + " (UTC)"
	}
	for _, part := range []struct{ name, v string }{{"actor", f.Actor}, {"action", f.Action},
		{"object type", f.ObjectType}, {"provider", f.Provider}} {
		if part.v != "" {
			s += "; " + part.name + " " + part.v
		}
	}
	return s
}

func orElse(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
