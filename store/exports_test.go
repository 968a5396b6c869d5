package store_test

import (
	"context"
	"testing"

	"assure/domain"
	"assure/store"
)

// TestEachResponse: the register has every response of the campaign, by
// provider name, with each response's evidence counted; a provider user
// gets its own provider's rows only.
func TestEachResponse(t *testing.T) {
	t.Parallel()
	f := newFiling(t)
	ctx := context.Background()
	campaign := f.a.assessment.CampaignID
	list, err := f.db.UploadEvidence(ctx, f.a.editor, f.a.assessment.ID, []store.UploadFile{
		upload("policy.txt", "text/plain", []byte("policy")), upload("pentest.pdf", "application/pdf", pdf(1000, 2))})
	if err != nil {
		t.Fatal(err)
	}
	var first, second string
	if err := queryRow(f.url, `select min(control_id), max(control_id) from responses where assessment_id = $1`,
		[]any{f.a.assessment.ID}, &first, &second); err != nil {
		t.Fatal(err)
	}
	exec(t, f.url, `insert into response_evidence (assessment_id, control_id, evidence_id)
		values ($1, $2, $3), ($1, $2, $4), ($1, $5, $3)`, f.a.assessment.ID, first, list[0].ID, list[1].ID, second)
	want := map[string]int{first: 2, second: 1}

	read := func(who string, actor domain.Actor) map[string][]store.RegisterRow {
		t.Helper()
		rows := map[string][]store.RegisterRow{}
		var order []string
		err := f.db.EachResponse(ctx, actor, campaign, func(r store.RegisterRow) error {
			if len(order) == 0 || order[len(order)-1] != r.Provider {
				order = append(order, r.Provider)
			}
			rows[r.Provider] = append(rows[r.Provider], r)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if len(order) != len(rows) {
			t.Errorf("%s: providers come in runs %v, not one run each", who, order)
		}
		return rows
	}
	all := read("supervisor", f.sup)
	total := count(t, f.url, `select count(*) from responses r join assessments a on a.id = r.assessment_id
		where a.campaign_id = $1`, campaign)
	if n := len(all["Alpha Bank"]) + len(all["Beta Bank"]); len(all) != 2 || n != total {
		t.Fatalf("the supervisor's register has %d rows of %d providers, want %d of 2", n, len(all), total)
	}
	for _, r := range all["Alpha Bank"] {
		if r.Evidence != want[r.ControlID] {
			t.Errorf("Alpha's %s counts %d evidence, want %d", r.ControlID, r.Evidence, want[r.ControlID])
		}
	}
	own := read("Alpha's editor", f.a.editor)
	if len(own) != 1 || len(own["Alpha Bank"]) != len(all["Alpha Bank"]) {
		t.Errorf("Alpha's editor sees %d providers' rows, want Alpha's %d only", len(own), len(all["Alpha Bank"]))
	}
}
