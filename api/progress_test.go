package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"assure/api"
)

// TestCampaignProgressAndRiskPairs: the progress of a campaign with one
// filing and one untouched draft, as a supervisor and as the draft's
// provider; and the pairs behind each cell of the filed risk matrix add up
// to the matrix.
func TestCampaignProgressAndRiskPairs(t *testing.T) {
	t.Parallel()
	x := newSector(t)
	var p api.CampaignProgress
	x.sup.getJSON("/api/v1/campaigns/"+x.campaign+"/progress", &p)
	if p.Assessments != 2 || p.Submitted != 1 || p.NotStarted != 1 || p.Draft != 0 || p.Overdue != 0 ||
		p.Answered != len(x.bankResponses) || p.Applicable <= p.Answered || p.AnsweredShare <= 0 || p.AnsweredShare >= 1 {
		t.Errorf("progress = %+v", p)
	}
	var mine api.CampaignProgress
	x.mmoEditor.getJSON("/api/v1/campaigns/"+x.campaign+"/progress", &mine)
	if mine.Assessments != 1 || mine.NotStarted != 1 || mine.Submitted != 0 || mine.Answered != 0 {
		t.Errorf("the draft's provider's progress = %+v", mine)
	}
	wantProblem(t, x.sup.get("/api/v1/campaigns/00000000-0000-0000-0000-000000000000/progress"), http.StatusNotFound)

	var m api.RiskHeatmap
	x.sup.getJSON("/api/v1/heatmaps/risk?campaign="+x.campaign, &m)
	total := 0
	for _, c := range m.Cells {
		pairs := readAll[api.RiskPair](x.sup, fmt.Sprintf("/api/v1/heatmaps/risk/pairs?campaign=%s&likelihood=%d&impact=%d",
			x.campaign, c.Likelihood, c.Impact))
		if len(pairs) != c.Count {
			t.Errorf("cell L%d I%d: %d pairs, the matrix counts %d", c.Likelihood, c.Impact, len(pairs), c.Count)
		}
		for _, pr := range pairs {
			if pr.ProviderID != x.bank || pr.Level != c.Level || pr.Score != c.Likelihood*c.Impact {
				t.Errorf("cell L%d I%d lists %+v", c.Likelihood, c.Impact, pr)
			}
		}
		total += len(pairs)
	}
	if total != m.Pairs || total == 0 {
		t.Errorf("%d pairs in all, the matrix counts %d", total, m.Pairs)
	}
	wantProblem(t, x.sup.get("/api/v1/heatmaps/risk/pairs?campaign="+x.campaign+"&likelihood=6&impact=1"),
		http.StatusUnprocessableEntity)
}
