package app_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"assure/app"
	"assure/domain"
	"assure/store"
)

func upload(name, content string) app.Upload {
	return app.Upload{Filename: name, Size: int64(len(content)), Content: strings.NewReader(content)}
}

func locations(problems []domain.Problem) []string {
	var out []string
	for _, p := range problems {
		out = append(out, p.Location)
	}
	return out
}

func registered(t *testing.T, s *sector) int {
	t.Helper()
	list, err := store.All(func(p store.Page) ([]domain.Provider, string, error) {
		return s.app.Providers(context.Background(), s.sup, store.ProviderFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestImportProvidersAllOrNothing previews a file with good and bad rows,
// which names every bad row and column and writes nothing, refuses to apply
// it, and applies the fixed file whole, audited.
func TestImportProvidersAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	before := registered(t, s)
	file := "legal_name,short_name,licence_number,kind,tier,channels,status,contact_name,contact_email\n" +
		"Umoja Bank plc,Umoja,BNK-1001,bank,1,\"app, ussd\",,Asha Mwangi,asha@umoja.example\n" +
		"Faraja Payments Ltd,Faraja,PSP-1002,Payment service provider,2,qr;open api,active,,\n" +
		"\n" +
		"Tumaini Wallet Ltd,Tumaini,EMI-1003,emi,3,app,,,\n" +
		"Second Alpha,Alpha again,lic-alpha,bank,2,app,,,\n" +
		",Nameless,FTH-1005,casino,9,app;fax,,Bob,not-an-address\n"

	preview, err := s.app.ImportProviders(ctx, s.sup, upload("providers.csv", file), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(preview.Rows) != 5 || preview.Format != "csv" || len(preview.SHA256) != 64 {
		t.Fatalf("preview: %d rows, format %s, sha %q", len(preview.Rows), preview.Format, preview.SHA256)
	}
	got := locations(preview.Problems)
	want := []string{"row 6, licence_number", "row 7, legal_name", "row 7, kind", "row 7, tier", "row 7, channels",
		"row 7, contact_email"}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %v, want %v:\n%v", got, want, preview.Problems)
	}
	umoja, faraja := preview.Rows[0].Provider, preview.Rows[1].Provider
	if umoja.Tier != 1 || !slices.Equal(umoja.Channels, []string{"app", "ussd"}) || umoja.Status != domain.ProviderActive ||
		len(umoja.Contacts) != 1 || umoja.Contacts[0].Email != "asha@umoja.example" {
		t.Errorf("row 2 reads as %+v", umoja)
	}
	if faraja.Kind != domain.KindPSP || !slices.Equal(faraja.Channels, []string{"qr", "open_api"}) || len(faraja.Contacts) != 0 {
		t.Errorf("row 3 reads as %+v", faraja)
	}
	if preview.Rows[2].Row != 5 {
		t.Errorf("the row after a blank line is numbered %d, want 5", preview.Rows[2].Row)
	}
	if n := registered(t, s); n != before {
		t.Fatalf("a preview registered %d providers", n-before)
	}

	_, err = s.app.ImportProviders(ctx, s.sup, upload("providers.csv", file), true)
	if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || len(e.Problems) != len(want) {
		t.Fatalf("applying a file with problems: %v", err)
	}
	if n := registered(t, s); n != before {
		t.Fatalf("a refused file registered %d providers", n-before)
	}

	_, err = s.app.ImportProviders(ctx, s.editorA, upload("providers.csv", file), false)
	wantCode(t, "a provider user imports", err, domain.EForbidden)

	lines := strings.Split(file, "\n")
	fixed := strings.Join(slices.Delete(slices.Clone(lines), 5, 7), "\n")
	done, err := s.app.ImportProviders(ctx, s.sup, upload("providers.csv", fixed), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Created) != 3 || registered(t, s) != before+3 {
		t.Fatalf("applied: %d created, %d more registered", len(done.Created), registered(t, s)-before)
	}
	events, _, err := s.app.AuditEvents(ctx, s.sup, store.AuditFilter{ObjectType: "provider"}, store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if e.ActorID == s.sup.UserID {
			actions = append(actions, e.Action)
		}
	}
	if !slices.Equal(actions, []string{"provider.import", "provider.create", "provider.create", "provider.create"}) {
		t.Errorf("audit events of the import: %v", actions)
	}

	// The same file again: every licence is now registered.
	again, err := s.app.ImportProviders(ctx, s.sup, upload("providers.csv", fixed), false)
	if err != nil || len(again.Problems) != 3 || !strings.Contains(again.Problems[0].Message, "already registered to Umoja") {
		t.Errorf("the same file again: %v %v", again.Problems, err)
	}
}

// TestImportProvidersFiles reads semicolon CSV and workbooks, and refuses
// whole what cannot be read, naming why.
func TestImportProvidersFiles(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()

	semi := "\ufeffLegal name;Short name;Licence number;Kind;Tier;Channels\nKilimo Bank;Kilimo;BNK-2001;Bank;2;app, cards\n"
	res, err := s.app.ImportProviders(ctx, s.sup, upload("export.csv", semi), false)
	if err != nil || len(res.Rows) != 1 || len(res.Problems) != 0 || res.Rows[0].Provider.LicenceNumber != "BNK-2001" ||
		!slices.Equal(res.Rows[0].Provider.Channels, []string{"app", "cards"}) {
		t.Errorf("semicolon CSV: %+v %v", res, err)
	}
	mno := "Legal name,Short name,Licence number,Kind,Tier,Channels\nTelco Kenya Ltd,Telco,MNO-2001,Mobile network operator,1,\"USSD, Interactive voice response, Website\"\n"
	res, err = s.app.ImportProviders(ctx, s.sup, upload("operators.csv", mno), false)
	if err != nil || len(res.Rows) != 1 || len(res.Problems) != 0 || res.Rows[0].Provider.Kind != domain.KindMNO ||
		!slices.Equal(res.Rows[0].Provider.Channels, []string{"ussd", "web", "ivr"}) {
		t.Errorf("an operator offering no DFS: %+v %v", res, err)
	}

	x := excelize.NewFile()
	for i, row := range [][]any{{"legal_name", "short_name", "licence_number", "kind", "tier", "channels"},
		{"Bahari MFB Ltd", "Bahari", "MFI-2002", "mfi", 3, "agents"}, {"Bad Tier Ltd", "Bad", "MFI-2003", "mfi", 2.5, "agents"}} {
		if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	res, err = s.app.ImportProviders(ctx, s.sup, upload("providers.xlsx", b.String()), false)
	if err != nil || res.Format != "xlsx" || len(res.Rows) != 2 || res.Rows[0].Provider.Tier != 3 ||
		!slices.Equal(locations(res.Problems), []string{"row 3, tier"}) {
		t.Errorf("workbook: %+v %v", res, err)
	}

	refusals := []struct {
		what, name, content string
		code                domain.ErrorCode
		says                string
	}{
		{"a missing column", "p.csv", "legal_name,short_name,kind,tier,channels,colour\nA,B,bank,1,app,red\n", domain.EInvalid, ""},
		{"no rows", "p.csv", "legal_name,short_name,licence_number,kind,tier,channels\n", domain.EInvalid, "no provider"},
		{"a broken quote", "p.csv", "legal_name,short_name,licence_number,kind,tier,channels\n\"A,B,C,bank,1,app\n", domain.EInvalid, ""},
		{"a fake workbook", "p.xlsx", "not a workbook", domain.EInvalid, "not an Excel workbook"},
		{"binary", "p.bin", "\x00\x01\x02", domain.EUnsupported, ""},
		{"too large", "p.csv", strings.Repeat("x", app.MaxImportBytes+1), domain.ETooLarge, "5 MB"},
		{"too many rows", "p.csv", "legal_name,short_name,licence_number,kind,tier,channels\n" +
			strings.Repeat("A,B,C,bank,1,app\n", app.MaxImportRows+1), domain.ETooLarge, "5000"},
	}
	for _, r := range refusals {
		_, err := s.app.ImportProviders(ctx, s.sup, upload(r.name, r.content), false)
		if domain.ErrorCodeOf(err) != r.code || (r.says != "" && !strings.Contains(err.Error(), r.says)) {
			t.Errorf("%s: %v, want %s saying %q", r.what, err, r.code, r.says)
		}
	}
	_, err = s.app.ImportProviders(ctx, s.sup, upload("p.csv", refusals[0].content), false)
	if e, _ := domain.AsError(err); e == nil || !slices.Equal(locations(e.Problems), []string{"row 1, column 6", "row 1"}) {
		t.Errorf("a bad header: %v", err)
	}
	if tpl := string(app.ImportTemplateCSV()); !strings.HasPrefix(tpl, strings.Join(app.ImportColumns, ",")+"\n") {
		t.Errorf("template starts %q", tpl[:40])
	}
	res, err = s.app.ImportProviders(ctx, s.sup, upload("template.csv", string(app.ImportTemplateCSV())), false)
	if err != nil || len(res.Rows) != 1 || len(res.Problems) != 0 {
		t.Errorf("the template itself: %+v %v", res.Problems, err)
	}
}
