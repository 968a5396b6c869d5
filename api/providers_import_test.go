package api_test

import (
	"net/http"
	"strings"
	"testing"

	"assure/domain"
)

// TestImportProviders previews a file with a bad row, which answers every
// row and problem and registers nothing, is refused whole when applied, and
// registers every row once fixed; the register can then be read by channel
// and in tier order.
func TestImportProviders(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sup := s.as(s.tokenFor(s.user(domain.RoleSupervisor, "")))
	head := "legal_name,short_name,licence_number,kind,tier,channels\n"
	good := "Umoja Bank plc,Umoja,BNK-9001,bank,1,app;ussd\nFaraja Pay Ltd,Faraja,PSP-9002,psp,3,qr\n"
	bad := "Tumaini Ltd,Tumaini,psp-9002,wallet,2,app\n"

	type outcome struct {
		DryRun bool `json:"dry_run"`
		Rows   []struct {
			Row      int                   `json:"row"`
			Provider struct{ Kind string } `json:"provider"`
			Problems []domain.Problem      `json:"problems"`
		} `json:"rows"`
		Problems []domain.Problem `json:"problems"`
		Created  []struct {
			ID        string `json:"id"`
			ShortName string `json:"short_name"`
		} `json:"created"`
	}
	var o outcome
	sup.json(http.MethodPost, "/api/v1/providers/import?dry_run=true", multipartBody{textFile("p.csv", head+good+bad)},
		http.StatusOK, &o)
	if !o.DryRun || len(o.Rows) != 3 || len(o.Created) != 0 || len(o.Problems) != 2 ||
		o.Problems[0].Location != "row 4, kind" || o.Problems[1].Location != "row 4, licence_number" ||
		len(o.Rows[2].Problems) != 2 || o.Rows[0].Provider.Kind != "bank" {
		t.Fatalf("dry run: %+v", o)
	}

	r := sup.do(http.MethodPost, "/api/v1/providers/import", multipartBody{textFile("p.csv", head+good+bad)})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "row 4, kind") {
		t.Fatalf("applying a file with problems: %d %s", r.status, r.body)
	}
	var list struct {
		Items []struct {
			ShortName string `json:"short_name"`
		}
	}
	sup.getJSON("/api/v1/providers?q=Umoja", &list)
	if len(list.Items) != 0 {
		t.Fatalf("a refused file registered %v", list.Items)
	}

	sup.json(http.MethodPost, "/api/v1/providers/import", multipartBody{textFile("p.csv", head+good)}, http.StatusCreated, &o)
	if o.DryRun || len(o.Created) != 2 || o.Created[0].ShortName != "Umoja" || o.Created[0].ID == "" {
		t.Fatalf("applied: %+v", o)
	}
	sup.getJSON("/api/v1/providers?channel=ussd&q=a", &list)
	if len(list.Items) != 1 || list.Items[0].ShortName != "Umoja" {
		t.Errorf("providers offering USSD: %+v", list.Items)
	}
	sup.getJSON("/api/v1/providers?sort=tier&limit=1&q=pay", &list)
	if len(list.Items) != 1 || list.Items[0].ShortName != "Faraja" {
		t.Errorf("by tier: %+v", list.Items)
	}
	if r := sup.get("/api/v1/providers?sort=colour"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown order: %d", r.status)
	}
}
