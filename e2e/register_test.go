package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"assure/domain"
	"assure/store"
)

// Demo logins of the regulator.
const supervisorLogin = "supervisor@demo.assure.local"

// registered counts the providers of the register, straight from the store.
func (s *site) registered(t *testing.T) int {
	t.Helper()
	list, err := store.All(func(p store.Page) ([]domain.Provider, string, error) {
		return s.db.Providers(context.Background(), domain.System("e2e"), store.ProviderFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// testRegisterProviders follows a supervisor through the register: from the
// navigation to the list, a provider registered by the form (a problem
// first, shown next to its field), a file of two providers chosen, previewed
// and applied, and a provider page with its risk register explained and its
// trend drawn. axe checks every page on the way.
func testRegisterProviders(t *testing.T, env *suite) {
	s := newSite(t, env)
	p := s.newPage(t, "supervisor")
	p.signIn(supervisorLogin)
	before := s.registered(t)

	p.followLink("Providers")
	p.waitText("#register", "Banco de Crédito")
	axe(t, p)

	p.followLink("Register a provider")
	p.waitVisible("#provider-form")
	axe(t, p)
	p.typeInto("#legal_name", "Zawadi Savings Bank plc")
	p.typeInto("#short_name", "Zawadi")
	p.typeInto("#licence_number", "BNK-0001") // Banco de Crédito's
	p.do("choose the kind and tier", chromedp.SetValue(chromedp.CSS("#kind"), "bank"),
		chromedp.SetValue(chromedp.CSS("#tier"), "2"))
	p.click("#channel-app")
	p.click("#channel-ussd")
	p.typeInto("#contact-0-name", "Neema Otieno")
	p.typeInto("#contact-0-email", "neema@zawadi.example")
	p.clickAndLoad(`#provider-form button[type=submit].primary`)
	p.waitText("#licence_number-error", "Another provider already holds this licence number.")
	if got := eval[string](p, `document.querySelector("#contact-0-name").value`); got != "Neema Otieno" {
		t.Errorf("after a refusal the contact name is %q", got)
	}
	axe(t, p)
	p.do("fix the licence", chromedp.SetValue(chromedp.CSS("#licence_number"), "BNK-0100"))
	p.clickAndLoad(`#provider-form button[type=submit].primary`)
	p.waitText("#profile", "Zawadi Savings Bank plc")
	p.waitText("#contacts", "neema@zawadi.example")
	axe(t, p)

	p.followLink("Change the provider")
	p.waitVisible("#provider-form")
	axe(t, p)

	p.navigate("/providers/import")
	p.waitVisible("#import-upload")
	axe(t, p)
	file := filepath.Join(t.TempDir(), "new-providers.csv")
	csv := "legal_name,short_name,licence_number,kind,tier,channels\n" +
		"Umoja Bank plc,Umoja,BNK-3001,bank,1,app;ussd\n" +
		"Faraja Payments Ltd,Faraja,PSP-3002,psp,3,qr\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	p.clickAndLoad(`#import-upload button[type=submit]`)
	p.waitText("#preview", "Preview of new-providers.csv")
	p.waitText("#preview", "Rows read: 2; ready: 2; with problems: 0.")
	if n := s.registered(t); n != before+1 {
		t.Fatalf("after the preview %d providers more, want 1 (Zawadi)", n-before)
	}
	axe(t, p)
	p.clickAndLoad(`#import-confirm button[type=submit]`)
	p.waitText("#register", "Umoja")
	p.waitText("#register", "Faraja")
	if flash := p.text(".flash"); !strings.Contains(flash, "The providers of the file are registered.") {
		t.Errorf("after the import the page says %q", flash)
	}
	if n := s.registered(t); n != before+3 {
		t.Errorf("after the import %d providers more, want 3", n-before)
	}

	p.followLink("Banco de Crédito")
	p.waitText("#risk", "Risk register")
	if rows := eval[int](p, `document.querySelectorAll("table.risk-register tbody tr").length`); rows < 10 {
		t.Errorf("the risk register has %d rows", rows)
	}
	if !eval[bool](p, `document.querySelector("svg.trend-chart polyline.line-compliance") !== null`) {
		t.Error("the trend has no compliance line")
	}
	p.click("#explain-T1 summary")
	p.waitVisible("#override-T1-reason")
	axe(t, p)
}
