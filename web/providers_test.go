package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"assure/demo"
	"assure/domain"
	"assure/store"
)

// postFile sends a multipart form with one file, as a browser sends the
// import form, with the CSRF token of the last page shown.
func (b *browser) postFile(path string, fields url.Values, field, filename, content string) answer {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if !fields.Has("csrf") {
		fields.Set("csrf", b.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if field != "" {
		part, err := w.CreateFormFile(field, filename)
		if err != nil {
			b.t.Fatal(err)
		}
		part.Write([]byte(content))
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// hidden reads the value of a hidden field of the page.
func (a answer) hidden(t *testing.T, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("the page at %s has no field %s", a.path, name)
	}
	return html.UnescapeString(m[1])
}

// providerNamed finds a provider of the register by short name.
func (s *site) providerNamed(t *testing.T, name string) domain.Provider {
	t.Helper()
	list, _, err := s.db.Providers(context.Background(), domain.System("test"), store.ProviderFilter{Query: name},
		store.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.ShortName == name {
			return p
		}
	}
	t.Fatalf("no provider %s", name)
	return domain.Provider{}
}

func (s *site) registered(t *testing.T) int {
	t.Helper()
	list, err := store.All(func(p store.Page) ([]domain.Provider, string, error) {
		return s.db.Providers(context.Background(), domain.System("test"), store.ProviderFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func TestProviderRegister(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password).want(t, http.StatusOK, "/", `href="/providers"`)

	t.Run("the register searches, filters and orders", func(t *testing.T) {
		sup.get("/providers").want(t, http.StatusOK, "/providers", "Banco de Crédito", "Pesa Wallet", "Register a provider",
			"Import providers from a file")
		a := sup.get("/providers?channel=agents&sort=tier")
		a.want(t, http.StatusOK, "", "SG Mobile Money", "Imara MFB", "Crédit Rural")
		a.lacks(t, "Kopa", "Banco de Crédito")
		if i, j := strings.Index(a.body, "SG Mobile Money"), strings.Index(a.body, "Imara MFB"); i < 0 || j < i {
			t.Error("by tier, the tier-1 SG Mobile Money does not come before the tier-3 Imara MFB")
		}
		sup.get("/providers?q=psp-0003").want(t, http.StatusOK, "", "Kopa Payments Ltd")
		sup.get("/providers?q=nobody-at-all").want(t, http.StatusOK, "", "No provider matches this search.")
	})

	t.Run("a supervisor registers a provider by form, problems next to their fields", func(t *testing.T) {
		sup.get("/providers/new").want(t, http.StatusOK, "/providers/new", `id="legal_name"`, `id="channel-ussd"`,
			`id="contact-2-email"`)
		bad := sup.post("/providers/new", url.Values{"legal_name": {""}, "short_name": {"Zawadi"},
			"licence_number": {"BNK-0001"}, "kind": {"casino"}, "tier": {"7"}, "channels": {"app", "fax"},
			"status": {"active"}, "contact-0-name": {""}, "contact-0-email": {"not an address"}})
		bad.want(t, http.StatusUnprocessableEntity, "/providers/new", `id="legal_name-error"`, `id="kind-error"`,
			`id="tier-error"`, `id="channels-error"`, `id="contact-0-email-error"`, `href="#contact-0-name"`,
			`aria-invalid="true"`, `value="Zawadi"`)
		taken := sup.post("/providers/new", url.Values{"legal_name": {"Zawadi Bank plc"}, "short_name": {"Zawadi"},
			"licence_number": {"bnk-0001"}, "kind": {"bank"}, "tier": {"2"}, "channels": {"app"}, "status": {"active"}})
		taken.want(t, http.StatusConflict, "/providers/new", `id="licence_number-error"`,
			"Another provider already holds this licence number.")
		done := sup.post("/providers/new", url.Values{"legal_name": {"Zawadi Bank plc"}, "short_name": {"Zawadi"},
			"licence_number": {"BNK-0100"}, "kind": {"bank"}, "tier": {"2"}, "channels": {"ussd", "app"}, "status": {"active"},
			"contact-0-name": {"Neema Otieno"}, "contact-0-position": {"CISO"}, "contact-0-email": {"neema@zawadi.example"},
			"contact-1-name": {""}})
		z := s.providerNamed(t, "Zawadi")
		done.want(t, http.StatusOK, "/providers/"+z.ID+"?done=created", "The provider is registered.", "Zawadi Bank plc",
			"Neema Otieno", "Mobile app, USSD")
		if len(z.Contacts) != 1 || z.Contacts[0].Email != "neema@zawadi.example" || z.Tier != 2 {
			t.Errorf("stored %+v", z)
		}
	})

	t.Run("an edit meeting someone else's save shows both and keeps mine only when asked", func(t *testing.T) {
		z := s.providerNamed(t, "Zawadi")
		form := sup.get("/providers/" + z.ID + "/edit")
		form.want(t, http.StatusOK, "", `value="Zawadi Bank plc"`, `name="version" value="1"`, `value="neema@zawadi.example"`)
		// Someone else changes the legal name and the tier meanwhile.
		other := s.actor("supervisor2" + demoDomain)
		name, tier := "Zawadi Bank Group plc", 1
		if _, err := s.app.UpdateProvider(ctx, other, z.ID, store.ProviderChange{LegalName: &name, Tier: &tier}, 1); err != nil {
			t.Fatal(err)
		}
		mine := url.Values{"version": {"1"}, "legal_name": {"Zawadi Bank plc"}, "short_name": {"Zawadi"},
			"licence_number": {"BNK-0100"}, "kind": {"bank"}, "tier": {"3"}, "channels": {"app", "ussd"}, "status": {"active"},
			"contact-0-name": {"Neema Otieno"}, "contact-0-position": {"CISO"}, "contact-0-email": {"neema@zawadi.example"},
			"contact-1-name": {"Baraka Kimani"}, "contact-1-phone": {"+254 711 000111"}}
		conflict := sup.post("/providers/"+z.ID+"/edit", mine)
		conflict.want(t, http.StatusConflict, "/providers/"+z.ID+"/edit", "Someone else saved this provider while you were editing it.",
			"Zawadi Bank Group plc", "Tier 1 (systemic)", "≠ differs from yours", `value="Baraka Kimani"`, "Keep mine",
			"Take theirs", `name="version" value="2"`)
		if now := s.providerNamed(t, "Zawadi"); now.LegalName != name || now.Tier != 1 || len(now.Contacts) != 1 {
			t.Fatalf("the stale save changed the provider: %+v", now)
		}
		mine.Set("version", conflict.hidden(t, "version"))
		sup.post("/providers/"+z.ID+"/edit", mine).want(t, http.StatusOK, "/providers/"+z.ID+"?done=saved",
			"The provider is saved.", "Baraka Kimani", "Tier 3 (low)")
		if now := s.providerNamed(t, "Zawadi"); now.LegalName != "Zawadi Bank plc" || now.Tier != 3 || len(now.Contacts) != 2 ||
			now.Version != 3 {
			t.Errorf("after keeping mine: %+v", now)
		}
	})

	t.Run("a provider is marked exited after a confirmation", func(t *testing.T) {
		z := s.providerNamed(t, "Zawadi")
		page := sup.get("/providers/" + z.ID)
		page.want(t, http.StatusOK, "", "Mark the provider exited", `name="version" value="3"`)
		sup.post("/providers/"+z.ID+"/exit", url.Values{"version": {"3"}}).want(t, http.StatusUnprocessableEntity, "",
			`id="exit-confirm-error"`)
		sup.post("/providers/"+z.ID+"/exit", url.Values{"version": {"2"}, "confirm": {"yes"}}).want(t, http.StatusConflict, "",
			"Someone else changed the provider since you opened this page.")
		done := sup.post("/providers/"+z.ID+"/exit", url.Values{"version": {"3"}, "confirm": {"yes"}})
		done.want(t, http.StatusOK, "/providers/"+z.ID+"?done=exited", "The provider is marked exited.")
		done.lacks(t, "Mark the provider exited")
		if now := s.providerNamed(t, "Zawadi"); now.Status != domain.ProviderExited {
			t.Errorf("status %s", now.Status)
		}
	})

	t.Run("an import previews every bad row, writes nothing, and applies the fixed file whole", func(t *testing.T) {
		sup.get("/providers/import").want(t, http.StatusOK, "/providers/import", "Download the template (CSV)", "licence_number")
		tpl := sup.get("/providers/import/template.csv")
		if tpl.status != http.StatusOK || !strings.HasPrefix(tpl.body, "legal_name,short_name,licence_number,kind,tier,channels") ||
			!strings.Contains(tpl.header.Get("Content-Disposition"), "providers-template.csv") {
			t.Fatalf("template: %d %q %v", tpl.status, tpl.body, tpl.header)
		}
		head := "legal_name,short_name,licence_number,kind,tier,channels,status,contact_name,contact_email\n"
		good := "Umoja Bank plc,Umoja,BNK-2001,bank,1,\"app, ussd\",,Asha Mwangi,asha@umoja.example\n" +
			"Faraja Payments Ltd,Faraja,PSP-2002,psp,2,qr;open_api,active,,\n" +
			"Tumaini Wallet Ltd,Tumaini,EMI-2003,Mobile money operator,3,app,,,\n"
		bad := "Kopa Again Ltd,Kopa Again,PSP-0003,psp,2,qr,,,\n" +
			"Nameless Ltd,Nameless,FTH-2005,casino,2,app,,,\n"
		before := s.registered(t)
		preview := sup.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "providers.csv", head+good+bad)
		preview.want(t, http.StatusUnprocessableEntity, "/providers/import", "Nothing is registered. Problems found: 2",
			"<td>5</td><td><code>licence_number</code></td>", "already registered to Kopa",
			"<td>6</td><td><code>kind</code></td>", "Rows read: 5; ready: 3; with problems: 2.", "Umoja Bank plc", "✓ ready")
		preview.lacks(t, "Register these")
		if n := s.registered(t); n != before {
			t.Fatalf("a preview registered %d providers", n-before)
		}

		fixed := head + good
		ok := sup.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "providers.csv", fixed)
		ok.want(t, http.StatusOK, "/providers/import", "Register these 3 providers", "Every row can be registered.")
		if n := s.registered(t); n != before {
			t.Fatalf("a preview registered %d providers", n-before)
		}
		confirm := url.Values{"step": {"apply"}, "filename": {ok.hidden(t, "filename")}, "sha256": {ok.hidden(t, "sha256")},
			"content": {ok.hidden(t, "content")}}
		tampered := url.Values{"step": {"apply"}, "filename": {"providers.csv"}, "sha256": {ok.hidden(t, "sha256")},
			"content": {"bGVnYWxfbmFtZQo="}}
		sup.postFile("/providers/import", tampered, "", "", "").want(t, http.StatusUnprocessableEntity, "/providers/import",
			"The file sent to confirm is not the one previewed.")
		done := sup.postFile("/providers/import", confirm, "", "", "")
		done.want(t, http.StatusOK, "/providers?done=imported", "The providers of the file are registered.", "Umoja", "Faraja", "Tumaini")
		if n := s.registered(t); n != before+3 {
			t.Fatalf("applied: %d more providers, want 3", n-before)
		}
		if u := s.providerNamed(t, "Tumaini"); u.Kind != domain.KindMobileMoneyOperator || u.Tier != 3 {
			t.Errorf("Tumaini stored as %+v", u)
		}
		events, _, err := s.app.AuditEvents(ctx, s.actor("auditor"+demoDomain), store.AuditFilter{Action: "provider.import"},
			store.Page{Limit: 5})
		if err != nil || len(events) != 1 || !strings.Contains(string(events[0].Summary), "providers.csv") {
			t.Errorf("import events: %v %v", events, err)
		}
		created, _, err := s.app.AuditEvents(ctx, s.actor("auditor"+demoDomain), store.AuditFilter{Action: "provider.create",
			Actor: "supervisor" + demoDomain}, store.Page{Limit: 10})
		if err != nil || len(created) != 4 { // Zawadi by form, three by file
			t.Errorf("provider.create events of the supervisor: %d %v", len(created), err)
		}
		// The same file again is refused row by row: every licence is now held.
		sup.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "providers.csv", fixed).
			want(t, http.StatusUnprocessableEntity, "", "already registered to Umoja")
		sup.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "providers.xlsx", "not a workbook").
			want(t, http.StatusUnprocessableEntity, "", `id="file-error"`, "not an Excel workbook")
		sup.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "huge.csv", strings.Repeat("x", 5<<20+1)).
			want(t, http.StatusRequestEntityTooLarge, "", `id="file-error"`, "The file is larger than 5 MB.")
	})

	t.Run("the register pages on", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("legal_name,short_name,licence_number,kind,tier,channels\n")
		for i := range 60 {
			fmt.Fprintf(&b, "Paged %02d Ltd,Paged %02d,PG-%02d,fintech,3,app\n", i, i, i)
		}
		ok := sup.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "paged.csv", b.String())
		sup.postFile("/providers/import", url.Values{"step": {"apply"}, "filename": {"paged.csv"},
			"sha256": {ok.hidden(t, "sha256")}, "content": {ok.hidden(t, "content")}}, "", "", "").want(t, http.StatusOK, "")
		first := sup.get("/providers?kind=fintech&sort=kind")
		first.want(t, http.StatusOK, "", "Jamii", "Paged 00", "Paged 48", "Next page")
		first.lacks(t, "Paged 49", "Banco")
		next := regexp.MustCompile(`href="(/providers\?[^"]*cursor=[^"]*)" rel="next"`).FindStringSubmatch(first.body)
		if next == nil {
			t.Fatal("no next page link")
		}
		second := sup.get(html.UnescapeString(next[1]))
		second.want(t, http.StatusOK, "", "Paged 49", "Paged 59")
		second.lacks(t, "Paged 00", "Jamii", "Next page", "Banco")
	})

	t.Run("the provider page explains the risk register and draws the trend", func(t *testing.T) {
		banco := s.providerNamed(t, "Banco de Crédito")
		page := sup.get("/providers/" + banco.ID)
		page.want(t, http.StatusOK, "", "Risk register", "How each number came about", "rounded up to",
			"Inherent-risk profile", "Confirm or correct the figures", "Risk method 2",
			"coverage =", `class="trend-chart"`, "<title id=\"trend-svg-title\">", "2026 H2 DFS security self-assessment",
			"2027 H1 DFS security self-assessment", "The trend&#39;s numbers", `id="explain-T1"`, "Save the override",
			`id="findings"`, `id="assessments"`, "Banco de Crédito del Sur S.A.")
		page.lacks(t, `style=`)
		if !regexp.MustCompile(`<polyline points="\d+,\d+ \d+,\d+" fill="none" class="line-compliance">`).MatchString(page.body) {
			t.Error("the trend has no compliance line through two campaigns")
		}

		noReason := sup.post("/providers/"+banco.ID+"/overrides/T1", url.Values{"framework": {"x1150"},
			"framework_version": {page.hidden(t, "framework_version")}, "likelihood": {"5"}, "reason": {""}})
		noReason.want(t, http.StatusUnprocessableEntity, "", `id="override-T1-reason-error"`, `href="#override-T1-reason"`)
		set := sup.post("/providers/"+banco.ID+"/overrides/T1", url.Values{"framework": {"x1150"},
			"framework_version": {page.hidden(t, "framework_version")}, "likelihood": {"5"}, "impact": {""},
			"reason": {"Two SIM-swap frauds in the last quarter."}})
		set.want(t, http.StatusOK, "/providers/"+banco.ID+"?done=override", "The override is saved",
			"Two SIM-swap frauds in the last quarter.", "5, set by a supervisor.", "overridden",
			"Remove the override of T1")
		// The supervisor corrects the profile: the register says which figure moved what.
		action := regexp.MustCompile(`action="(/assessments/[^"?]+/risk-profile/confirmation)\?`).FindStringSubmatch(page.body)
		if action == nil {
			t.Fatal("no profile form")
		}
		version := page.hidden(t, "version") // the demo's supervisor confirmed the figures once already
		bad := sup.post(action[1], url.Values{"provider": {banco.ID}, "version": {version}, "customers": {"many"}})
		bad.want(t, http.StatusUnprocessableEntity, "", `id="profile-customers-error"`, "Give a number, or leave it empty.")
		saved := sup.post(action[1], url.Values{"provider": {banco.ID}, "version": {version}, "customers": {"3000000"}, "agents": {"50"},
			"note": {"From the annual return."}})
		saved.want(t, http.StatusOK, "", "The profile is saved", "inherent risk from the profile as a supervisor confirmed it",
			"Customers 3,000,000, in the top band from 2,000,000: &#43;1", "From the annual return.")
		sup.post("/providers/"+banco.ID+"/overrides/T1/remove", url.Values{"framework": {"x1150"},
			"framework_version": {page.hidden(t, "framework_version")}}).
			want(t, http.StatusOK, "/providers/"+banco.ID+"?done=removed", "The override is removed",
				"No supervisor has overridden this provider")
	})

	t.Run("a provider user sees their own provider only", func(t *testing.T) {
		nyota, kopa := s.providerNamed(t, "Nyota"), s.providerNamed(t, "Kopa")
		admin := s.browser(t)
		home := admin.signIn("p04-admin"+demoDomain, demo.Password)
		home.want(t, http.StatusOK, "/", `href="/providers/`+nyota.ID+`"`, "My provider")
		home.lacks(t, `href="/providers"`)
		admin.get("/providers/"+nyota.ID).want(t, http.StatusOK, "", "Nyota E-Money Ltd", "Risk register", `id="users"`)
		mine := admin.get("/providers/" + nyota.ID)
		mine.lacks(t, "Change the provider", "Mark the provider exited", "Save the override", "Confirm or correct the figures")
		// The provider states its own profile; confirming it is the supervisor's.
		form := regexp.MustCompile(`action="(/assessments/[^"?]+/risk-profile)\?`).FindStringSubmatch(mine.body)
		if form == nil {
			t.Fatal("the provider's page has no form to state its profile")
		}
		admin.post(form[1], url.Values{"provider": {nyota.ID}, "version": {mine.hidden(t, "version")}, "customers": {"250000"},
			"note": {"From the 2026 annual report."}}).
			want(t, http.StatusOK, "", "The profile is saved", "250,000")
		admin.post(form[1]+"/confirmation", url.Values{"provider": {nyota.ID}, "version": {"0"}, "customers": {"1"}}).
			want(t, http.StatusForbidden, "")
		admin.get("/providers/"+kopa.ID).want(t, http.StatusNotFound, "")
		admin.get("/providers/"+kopa.ID+"/edit").want(t, http.StatusNotFound, "")
		list := admin.get("/providers")
		list.want(t, http.StatusOK, "", "Nyota")
		list.lacks(t, "Kopa", "Register a provider")
		admin.get("/providers/new").want(t, http.StatusForbidden, "")
		before := s.registered(t)
		admin.post("/providers/new", url.Values{"legal_name": {"Sneaky Ltd"}, "short_name": {"Sneaky"},
			"licence_number": {"SNK-1"}, "kind": {"fintech"}, "tier": {"3"}, "status": {"active"}}).
			want(t, http.StatusForbidden, "")
		admin.postFile("/providers/import", url.Values{"step": {"preview"}}, "file", "p.csv",
			"legal_name,short_name,licence_number,kind,tier,channels\nSneaky Ltd,Sneaky,SNK-1,fintech,3,app\n").
			want(t, http.StatusForbidden, "")
		admin.post("/providers/"+nyota.ID+"/exit", url.Values{"version": {"1"}, "confirm": {"yes"}}).
			want(t, http.StatusForbidden, "")
		admin.post("/providers/"+kopa.ID+"/exit", url.Values{"version": {"1"}, "confirm": {"yes"}}).
			want(t, http.StatusForbidden, "")
		if n := s.registered(t); n != before {
			t.Errorf("a provider user registered %d providers", n-before)
		}
	})

	t.Run("in French", func(t *testing.T) {
		fr := s.browser(t)
		fr.signIn("supervisor2"+demoDomain, demo.Password)
		fr.post("/language", url.Values{"language": {"fr"}, "next": {"/providers"}}).
			want(t, http.StatusOK, "/providers", "Établissements", "Enregistrer un établissement", "Niveau 1 (systémique)")
		banco := s.providerNamed(t, "Banco de Crédito")
		fr.get("/providers/"+banco.ID).want(t, http.StatusOK, "", "Registre des risques", "D’où vient chaque valeur", "Tendance")
	})
}
