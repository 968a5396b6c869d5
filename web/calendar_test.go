package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// A strict reader of the iCalendar the feed serves (RFC 5545), written for
// the tests: it refuses what a lenient calendar application would let
// through.

// icalComponent is a BEGIN…END block with its properties and the blocks in it.
type icalComponent struct {
	Name  string
	Props []icalProp
	Subs  []*icalComponent
}

// icalProp is one content line: NAME;PARAM=VALUE…:VALUE, the value still
// escaped.
type icalProp struct {
	Name   string
	Params map[string]string
	Value  string
}

// props returns the properties of a name.
func (c *icalComponent) props(name string) []icalProp {
	var out []icalProp
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// one returns the only property of a name, failing when there is not exactly one.
func (c *icalComponent) one(t *testing.T, name string) icalProp {
	t.Helper()
	ps := c.props(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s properties, want one", c.Name, len(ps), name)
	}
	return ps[0]
}

var (
	icalName     = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	icalDate     = regexp.MustCompile(`^\d{8}$`)
	icalDateTime = regexp.MustCompile(`^\d{8}T\d{6}Z$`)
)

// parseICal reads a document strictly: every line ends with CRLF and holds
// at most 75 octets of valid UTF-8; folded lines start with one space or
// tab; every content line has a name, well-formed parameters and a colon;
// BEGIN and END nest and match; there is one VCALENDAR and nothing after it.
func parseICal(t *testing.T, raw string) *icalComponent {
	t.Helper()
	if !strings.HasSuffix(raw, "\r\n") {
		t.Fatal("the document does not end with CRLF")
	}
	var logical []string
	for i, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		switch {
		case strings.ContainsAny(line, "\r\n"):
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, line)
		case len(line) > 75:
			t.Fatalf("line %d has %d octets, more than 75: %q", i+1, len(line), line)
		case !utf8.ValidString(line):
			t.Fatalf("line %d is not valid UTF-8 on its own (a folded character?): %q", i+1, line)
		case line == "":
			t.Fatalf("line %d is empty", i+1)
		case line[0] == ' ' || line[0] == '\t':
			if len(logical) == 0 {
				t.Fatal("the document starts with a folded line")
			}
			logical[len(logical)-1] += line[1:]
		default:
			logical = append(logical, line)
		}
	}
	var root *icalComponent
	var stack []*icalComponent
	for _, line := range logical {
		p := parseContentLine(t, line)
		switch p.Name {
		case "BEGIN":
			c := &icalComponent{Name: p.Value}
			if len(stack) == 0 {
				if root != nil {
					t.Fatalf("a second top-level component %s", p.Value)
				}
				root = c
			} else {
				top := stack[len(stack)-1]
				top.Subs = append(top.Subs, c)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != p.Value {
				t.Fatalf("END:%s does not close the open component", p.Value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				t.Fatalf("a property outside any component: %q", line)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	if len(stack) != 0 || root == nil || root.Name != "VCALENDAR" {
		t.Fatalf("the document is not one closed VCALENDAR (%d left open)", len(stack))
	}
	return root
}

// parseContentLine reads NAME *(;PARAM=VALUE) : VALUE.
func parseContentLine(t *testing.T, line string) icalProp {
	t.Helper()
	colon := -1
	quoted := false
	for i, r := range line {
		if r == '"' {
			quoted = !quoted
		}
		if r == ':' && !quoted {
			colon = i
			break
		}
	}
	if colon < 0 {
		t.Fatalf("no colon in %q", line)
	}
	head := strings.Split(line[:colon], ";")
	p := icalProp{Name: strings.ToUpper(head[0]), Params: map[string]string{}, Value: line[colon+1:]}
	if !icalName.MatchString(p.Name) {
		t.Fatalf("bad property name in %q", line)
	}
	for _, param := range head[1:] {
		k, v, ok := strings.Cut(param, "=")
		if !ok || !icalName.MatchString(k) || v == "" {
			t.Fatalf("bad parameter %q in %q", param, line)
		}
		p.Params[strings.ToUpper(k)] = v
	}
	return p
}

// unescapeText reads a TEXT value, failing on an unescaped comma or
// semicolon or an escape RFC 5545 does not know.
func unescapeText(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 == len(v) {
				t.Fatalf("a lone backslash ends %q", v)
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				t.Fatalf("unknown escape \\%c in %q", v[i], v)
			}
		case ',', ';':
			t.Fatalf("an unescaped %q in the TEXT value %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// feedEvent is a VEVENT read and checked.
type feedEvent struct {
	UID, Summary, Description, URL, Start string
	AllDay                                bool
}

// readFeed parses a feed and checks what RFC 5545 requires of it: VERSION
// 2.0 and PRODID once; in each event UID (unique), DTSTAMP in UTC, DTSTART
// as a DATE (all day) or a UTC date-time, and a summary.
func readFeed(t *testing.T, raw string) []feedEvent {
	t.Helper()
	cal := parseICal(t, raw)
	if v := cal.one(t, "VERSION").Value; v != "2.0" {
		t.Errorf("VERSION:%s", v)
	}
	if cal.one(t, "PRODID").Value == "" {
		t.Error("an empty PRODID")
	}
	var events []feedEvent
	uids := map[string]bool{}
	for _, c := range cal.Subs {
		if c.Name != "VEVENT" {
			t.Errorf("an unexpected %s", c.Name)
			continue
		}
		e := feedEvent{UID: unescapeText(t, c.one(t, "UID").Value), Summary: unescapeText(t, c.one(t, "SUMMARY").Value)}
		if uids[e.UID] {
			t.Errorf("UID %s twice", e.UID)
		}
		uids[e.UID] = true
		if v := c.one(t, "DTSTAMP").Value; !icalDateTime.MatchString(v) {
			t.Errorf("DTSTAMP:%s is not a UTC date-time", v)
		}
		start := c.one(t, "DTSTART")
		e.Start, e.AllDay = start.Value, start.Params["VALUE"] == "DATE"
		switch {
		case e.AllDay && !icalDate.MatchString(start.Value), !e.AllDay && !icalDateTime.MatchString(start.Value):
			t.Errorf("DTSTART %v:%s", start.Params, start.Value)
		}
		if e.AllDay {
			end := c.one(t, "DTEND")
			if end.Params["VALUE"] != "DATE" || !icalDate.MatchString(end.Value) || end.Value <= start.Value {
				t.Errorf("DTEND %v:%s after DTSTART %s", end.Params, end.Value, start.Value)
			}
		}
		if ds := c.props("DESCRIPTION"); len(ds) == 1 {
			e.Description = unescapeText(t, ds[0].Value)
		}
		if us := c.props("URL"); len(us) == 1 {
			e.URL = us[0].Value
		}
		events = append(events, e)
	}
	// A second reader, not ours: ical.js must read the same events.
	theirs := readWithICalJS(t, raw)
	if len(theirs) != len(events) {
		t.Fatalf("ical.js reads %d events, we read %d", len(theirs), len(events))
	}
	for k, e := range events {
		if th := theirs[k]; th.UID != e.UID || th.Summary != e.Summary || th.AllDay != e.AllDay {
			t.Errorf("event %d: ical.js reads %+v, we read %+v", k, th, e)
		}
	}
	return events
}

// icalJSPackage is the CommonJS build of the npm package ical.js that make
// test installs (scripts/test-deps.sh pins its version) under var/npm.
const icalJSPackage = "var/npm/node_modules/ical.js/dist/ical.es5.cjs"

// icalJSRead parses a document from standard input with ical.js, which
// throws on what is not iCalendar, and prints its events.
const icalJSRead = `const ICAL = require(process.argv[1]);
const cal = new ICAL.Component(ICAL.parse(require("fs").readFileSync(0, "utf8")));
if (cal.name !== "vcalendar" || cal.getFirstPropertyValue("version") !== "2.0") throw new Error("not a VCALENDAR 2.0");
process.stdout.write(JSON.stringify(cal.getAllSubcomponents("vevent").map(v => {
	const e = new ICAL.Event(v);
	return {UID: e.uid, Summary: e.summary, AllDay: e.startDate.isDate};
})));`

// readWithICalJS reads a feed's events with ical.js, run by node: the file
// is ASSURE_ICALJS, which the Makefile sets, or else under var/npm in the
// module's root.
func readWithICalJS(t *testing.T, raw string) []feedEvent {
	t.Helper()
	path := os.Getenv("ASSURE_ICALJS")
	if path == "" {
		path = filepath.Join("..", icalJSPackage)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("ical.js is not installed (%v): run make test, whose scripts/test-deps.sh installs the npm package ical.js into var/npm", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "-e", icalJSRead, abs)
	cmd.Stdin = strings.NewReader(raw)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if e, ok := err.(*exec.ExitError); ok {
			stderr = e.Stderr
		}
		t.Fatalf("ical.js does not read the feed: %v\n%s", err, stderr)
	}
	var events []feedEvent
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatalf("ical.js's events: %v\n%s", err, out)
	}
	return events
}

// fetch reads an address without any cookie, as a calendar application does.
func fetch(t *testing.T, address string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(address)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

var feedAddress = regexp.MustCompile(`<code id="feed-url">(http[^<]+\.ics)</code>`)

// makeFeed makes a feed on the account page and returns its address.
func makeFeed(t *testing.T, b *browser) string {
	t.Helper()
	b.get("/account").want(t, http.StatusOK, "/account", `id="calendar-feed"`)
	made := b.post("/account/calendar-feed", nil)
	made.want(t, http.StatusCreated, "/account/calendar-feed", `id="feed-secret"`, "You have a feed, made on")
	m := feedAddress.FindStringSubmatch(made.body)
	if m == nil {
		t.Fatalf("no feed address on the page:\n%s", made.body)
	}
	return m[1]
}

// TestCalendarFeed: a provider user makes a feed on the account page; its
// address, read without a session, serves iCalendar that a strict reader
// accepts, with long lines folded and commas and semicolons escaped, and
// none of another provider's dates; a supervisor's holds several
// providers'. A new address stops the old one, a revoked one answers 404,
// and the account page never shows an address again.
func TestCalendarFeed(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	own := s.assessmentOf(t, "Kopa")
	other := s.assessmentOf(t, "Nyota")
	sup := s.actor("supervisor" + demoDomain)
	long := "Rotate the HSM keys, review privileged access; patch the USSD gateway, then re-test every agent device before the next on-site inspection"
	mine, err := s.app.CreateFinding(ctx, sup, store.NewFinding{AssessmentID: own.ID, Title: long,
		Severity: domain.SeverityHigh, Description: "Seen on site.", DueAt: domain.Today().AddDays(5)})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := s.app.CreateFinding(ctx, sup, store.NewFinding{AssessmentID: other.ID, Title: "Their own finding",
		Severity: domain.SeverityLow, Description: "Seen on site.", DueAt: domain.Today().AddDays(6)})
	if err != nil {
		t.Fatal(err)
	}

	prov := s.browser(t)
	prov.signIn(adminOf(t, s, own.ProviderID), demo.Password)
	prov.get("/account").want(t, http.StatusOK, "/account", "You have no calendar feed.", "Make a feed address")
	address := makeFeed(t, prov)
	if !strings.HasPrefix(address, s.url+"/calendar/"+domain.CalendarFeedPrefix) {
		t.Fatalf("feed address %s", address)
	}
	prov.get("/account").lacks(t, address, domain.CalendarFeedPrefix)

	res, raw := fetch(t, address)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the feed: %d %s", res.StatusCode, raw)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q lets a shared cache keep the feed", cc)
	}
	events := readFeed(t, raw)
	byUID := map[string]feedEvent{}
	for _, e := range events {
		byUID[e.UID] = e
	}
	e, ok := byUID["finding-"+mine.ID+"-due@assure"]
	if !ok {
		t.Fatalf("the feed lacks the provider's finding; events: %v", events)
	}
	if !strings.Contains(e.Summary, long) || !e.AllDay || e.Start != strings.ReplaceAll(mine.DueAt.String(), "-", "") ||
		e.URL != s.url+"/findings/"+mine.ID {
		t.Errorf("the finding's event = %+v", e)
	}
	if !strings.Contains(raw, `HSM keys\, review privileged access\; patch`) {
		t.Error("the summary's comma and semicolon are not escaped in the document")
	}
	if !regexp.MustCompile(`\r\n [^\r\n]`).MatchString(raw) {
		t.Error("no line of the document is folded, though a summary is longer than 75 octets")
	}
	if _, ok := byUID["assessment-"+own.ID+"-due@assure"]; !ok && own.DueAt.After(domain.Today().AddDays(-domain.FeedPastDays)) {
		t.Errorf("the feed lacks the provider's own filing due %s", own.DueAt)
	}
	for _, secret := range []string{other.ID, theirs.ID, "Their own finding", other.ProviderID, "Nyota"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the provider's feed holds %q of another provider", secret)
		}
	}

	// A supervisor's feed holds the sector's dates.
	supB := s.browser(t)
	supB.signIn("supervisor"+demoDomain, demo.Password)
	supRes, supRaw := fetch(t, makeFeed(t, supB))
	if supRes.StatusCode != http.StatusOK {
		t.Fatalf("the supervisor's feed: %d", supRes.StatusCode)
	}
	sector := readFeed(t, supRaw)
	if !slices.ContainsFunc(sector, func(e feedEvent) bool { return e.UID == "finding-"+theirs.ID+"-due@assure" }) ||
		!slices.ContainsFunc(sector, func(e feedEvent) bool { return e.UID == "finding-"+mine.ID+"-due@assure" }) {
		t.Error("the supervisor's feed lacks a provider's finding")
	}

	// A new address stops the old one; a revoked one answers 404.
	rotated := makeFeed(t, prov)
	if rotated == address {
		t.Fatal("the new address is the old one")
	}
	if res, _ := fetch(t, address); res.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced address: %d, want 404", res.StatusCode)
	}
	if res, _ := fetch(t, rotated); res.StatusCode != http.StatusOK {
		t.Errorf("the new address: %d", res.StatusCode)
	}
	prov.post("/account/calendar-feed/revoke", nil).want(t, http.StatusOK, "/account?done=feed_revoked",
		"The calendar feed is revoked", "You have no calendar feed.")
	for _, gone := range []string{rotated, s.url + "/calendar/" + domain.CalendarFeedPrefix + "made-up.ics",
		s.url + "/calendar/" + strings.TrimPrefix(rotated, s.url+"/calendar/")[:20]} {
		res, body := fetch(t, gone)
		if res.StatusCode != http.StatusNotFound || strings.Contains(body, "BEGIN:VCALENDAR") {
			t.Errorf("%s: %d, want 404", gone, res.StatusCode)
		}
	}
	// The account page's forms carry the CSRF token like every other.
	prov.post("/account/calendar-feed", url.Values{"csrf": {"0000"}}).want(t, http.StatusForbidden, "")
}

// adminOf is the demo provider_admin of a provider.
func adminOf(t *testing.T, s *site, providerID string) string {
	t.Helper()
	users, _, err := s.db.Users(context.Background(), domain.System("test"), store.UserFilter{ProviderID: providerID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Role == domain.RoleProviderAdmin && strings.HasSuffix(u.Email, demoDomain) {
			return u.Email
		}
	}
	t.Fatalf("no demo provider_admin of %s", providerID)
	return ""
}

// TestCalendarPage: the month's agenda lists each day that holds something
// under its own heading, overdue entries flagged in words; a provider user
// sees their own provider's only, whatever the address asks; the
// navigation leads to it; an administrator, who reads no campaigns, may not
// open it.
func TestCalendarPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	own := s.assessmentOf(t, "Kopa")
	other := s.assessmentOf(t, "Nyota")
	sup := s.actor("supervisor" + demoDomain)
	late, err := s.app.CreateFinding(ctx, sup, store.NewFinding{AssessmentID: own.ID, Title: "Late remediation of agent PINs",
		Severity: domain.SeverityHigh, Description: "Seen.", DueAt: domain.Today().AddDays(1)})
	if err != nil {
		t.Fatal(err)
	}
	// Its due date passes.
	if _, err := s.db.Pool().Exec(ctx, `update findings set due_at = current_date - 2 where id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	lateDay := domain.Today().AddDays(-2)
	month := lateDay.Time().Format("2006-01")

	b := s.browser(t)
	b.signIn("supervisor"+demoDomain, demo.Password)
	home := b.get("/")
	home.want(t, http.StatusOK, "/", `href="/calendar"`)
	page := b.get("/calendar?month=" + month)
	page.want(t, http.StatusOK, "", `<h1>Calendar</h1>`, `id="day-`+lateDay.String()+`"`, `<time datetime="`+lateDay.String()+`">`,
		`id="entry-finding-`+late.ID+`-due"`, "Late remediation of agent PINs", `href="/findings/`+late.ID+`"`, "Overdue",
		`rel="prev"`, `rel="next"`, `for="cal-provider"`)
	entry := regexp.MustCompile(`(?s)<li class="entry kind-finding_due overdue" id="entry-finding-` + late.ID + `-due">.*?</li>`).FindString(page.body)
	if !strings.Contains(entry, `class="tag overdue"`) {
		t.Errorf("the late finding is not flagged overdue in words:\n%s", entry)
	}
	filtered := b.get("/calendar?" + url.Values{"month": {month}, "provider": {other.ProviderID}}.Encode())
	filtered.want(t, http.StatusOK, "")
	filtered.lacks(t, late.ID)

	prov := s.browser(t)
	prov.signIn(adminOf(t, s, own.ProviderID), demo.Password)
	mine := prov.get("/calendar?" + url.Values{"month": {month}, "provider": {other.ProviderID}}.Encode())
	mine.want(t, http.StatusOK, "", late.ID, "What falls due for your provider")
	mine.lacks(t, other.ID, "Nyota", `for="cal-provider"`)
	prov.get("/calendar?month=nonsense").want(t, http.StatusOK, "", `<h1>Calendar</h1>`)

	admin := s.newAdmin(t, "calendar-admin@regulator.test")
	admin.get("/").lacks(t, `href="/calendar"`)
	admin.get("/calendar").want(t, http.StatusForbidden, "")
}

// TestSeriesPages: a supervisor starts a series on its form (a refused one
// shown again beside its problems), reads its coming campaigns on its page,
// pauses and resumes it; a provider user may not open the pages.
func TestSeriesPages(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.signIn("supervisor"+demoDomain, demo.Password)
	b.get("/campaigns").want(t, http.StatusOK, "", `href="/campaign-series"`)
	b.get("/campaign-series").want(t, http.StatusOK, "", "Annual DFS security self-assessment", `href="/campaign-series/new"`)
	b.get("/campaign-series/new").want(t, http.StatusOK, "", `id="series-form"`, `for="first_opens_on"`, `for="lead_days"`)

	bad := b.post("/campaign-series/new", url.Values{"name": {" "}, "framework": {"x1150|"}, "every_months": {"12"},
		"first_opens_on": {domain.Today().AddDays(-1).String()}, "due_after_days": {"many"}, "lead_days": {"14"}})
	bad.want(t, http.StatusUnprocessableEntity, "", `id="due_after_days-error"`, `href="#due_after_days"`)
	good := url.Values{"name": {"Annual cyber self-assessment"}, "framework": {"x1150|"}, "every_months": {"12"},
		"first_opens_on": {domain.Today().AddDays(40).String()}, "due_after_days": {"60"}, "lead_days": {"14"},
		"kind": {"bank", "mobile_money_operator"}, "tier": {"1"}}
	bad = b.post("/campaign-series/new", url.Values{"name": {" "}, "framework": {"x1150|"}, "every_months": {"12"},
		"first_opens_on": {domain.Today().AddDays(-1).String()}, "due_after_days": {"60"}, "lead_days": {"14"}})
	bad.want(t, http.StatusUnprocessableEntity, "", `id="name-error"`, `id="first_opens_on-error"`)

	made := b.post("/campaign-series/new", good)
	made.want(t, http.StatusOK, "", "The campaign series is saved", "Annual cyber self-assessment", "Coming campaigns",
		s.dateOf(domain.Today().AddDays(40)), "Pause the series")
	if !strings.HasPrefix(made.path, "/campaign-series/") {
		t.Fatalf("after saving: %s", made.path)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(made.path, "/campaign-series/"), "?done=series_created")
	b.post("/campaign-series/"+id+"/pause", nil).want(t, http.StatusOK, "/campaign-series/"+id+"?done=series_paused",
		"The series is paused", "Resume the series", "None while the series is paused.")
	b.post("/campaign-series/"+id+"/resume", nil).want(t, http.StatusOK, "/campaign-series/"+id+"?done=series_resumed",
		"Pause the series")
	b.get("/campaign-series").want(t, http.StatusOK, "", "Annual cyber self-assessment", `href="/campaign-series/`+id+`"`)
	b.post("/campaign-series/"+id+"/pause", url.Values{"csrf": {"0000"}}).want(t, http.StatusForbidden, "")

	// The calendar shows its first campaign, planned.
	opens := domain.Today().AddDays(40)
	b.get("/calendar?month="+opens.Time().Format("2006-01")).want(t, http.StatusOK, "", `id="entry-series-`+id+`-0-opens"`, "Planned")

	prov := s.browser(t)
	prov.signIn("p04-admin"+demoDomain, demo.Password)
	prov.get("/campaign-series").want(t, http.StatusForbidden, "")
	prov.get("/campaign-series/"+id).want(t, http.StatusForbidden, "")
	prov.post("/campaign-series/new", good).want(t, http.StatusForbidden, "")
}
