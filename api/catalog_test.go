package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"assure/api"
)

type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// readAll follows next cursors from path and returns every item.
func readAll[T any](c *client, path string) []T {
	c.s.t.Helper()
	var all []T
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	next, pages := "", 0
	for {
		var page list[T]
		p := path
		if next != "" {
			p += sep + "cursor=" + next
		}
		c.getJSON(p, &page)
		all = append(all, page.Items...)
		pages++
		if page.Next == "" {
			break
		}
		if pages > 1000 {
			c.s.t.Fatal("pagination does not end")
		}
		next = page.Next
	}
	return all
}

func TestCatalogEndpoints(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := s.reader()

	// X.1150 and the DFS security lab's checklists are published on
	// start-up: the checklists rate no threats.
	published := map[string]api.Framework{}
	for _, f := range readAll[api.Framework](c, "/api/v1/frameworks") {
		published[f.ID+"@"+f.Version] = f
	}
	for key, controls := range map[string]int{"x1150@1.0": 119, "x1150@1.1": 119, "dfs-app-baseline@1.0": 24, "sim-risk@1.0": 15, "ss7@1.0": 19} {
		f, ok := published[key]
		if !ok || f.Counts.Controls != controls || !strings.HasPrefix(key, "x1150@") != (f.Counts.Threats == 0) {
			t.Errorf("%s published = %v %+v", key, ok, f.Counts)
		}
	}
	var fw api.Framework
	c.getJSON("/api/v1/frameworks/x1150", &fw)
	if fw.Version != "1.1" || fw.Counts.Threats != 17 || fw.Counts.Dimensions != 8 || fw.Counts.Stages != 5 ||
		len(fw.Implementers) == 0 || len(fw.AuditGroups) != 6 || len(fw.SHA256) != 64 {
		t.Errorf("framework = %+v", fw)
	}
	c.getJSON("/api/v1/frameworks/x1150?version=1.0", &fw)

	dims := readAll[map[string]string](c, "/api/v1/frameworks/x1150/dimensions")
	stages := readAll[map[string]string](c, "/api/v1/frameworks/x1150/stages?limit=2")
	if len(dims) != 8 || dims[0]["id"] != "access_control" || len(stages) != 5 {
		t.Errorf("dimensions %d, stages %d", len(dims), len(stages))
	}

	threats := readAll[api.Threat](c, "/api/v1/frameworks/x1150/threats?limit=5")
	if len(threats) != 17 {
		t.Fatalf("threats = %d", len(threats))
	}
	controls := readAll[api.Control](c, "/api/v1/frameworks/x1150/controls?limit=7")
	if len(controls) != 119 {
		t.Fatalf("controls = %d", len(controls))
	}
	seen := map[string]bool{}
	for i, c := range controls {
		if seen[c.ID] {
			t.Errorf("%s appears twice across pages", c.ID)
		}
		seen[c.ID] = true
		if i > 0 && c.ID == controls[i-1].ID {
			t.Errorf("page overlap at %s", c.ID)
		}
	}

	// The mapping is complete both ways, as the API tells it.
	byThreat := map[string][]string{}
	for _, c := range controls {
		if len(c.Threats) == 0 || !c.Threats[0].Primary {
			t.Errorf("%s: threats %+v", c.ID, c.Threats)
		}
		for _, th := range c.Threats {
			byThreat[th.ID] = append(byThreat[th.ID], c.ID)
		}
	}
	for _, th := range threats {
		var detail api.Threat
		c.getJSON("/api/v1/frameworks/x1150/threats/"+th.ID, &detail)
		if len(detail.Controls) == 0 {
			t.Errorf("%s has no mitigating controls", th.ID)
		}
		var ids []string
		for _, c := range detail.Controls {
			ids = append(ids, c.ID)
		}
		slices.Sort(ids)
		want := slices.Clone(byThreat[th.ID])
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("%s: threat says %v, controls say %v", th.ID, ids, want)
		}
	}

	var c52 api.Control
	c.getJSON("/api/v1/frameworks/x1150/controls/C52", &c52)
	if c52.Section != "10.1" || c52.Threats[0].ID != "T10" || c52.Question == "" || c52.Evidence == "" {
		t.Errorf("C52 = %+v", c52)
	}
}

func TestControlFilters(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := s.reader()
	base := "/api/v1/frameworks/x1150/controls"

	byDim := readAll[api.Control](c, base+"?dimension=privacy")
	if len(byDim) == 0 {
		t.Fatal("no privacy controls")
	}
	for _, c := range byDim {
		if !slices.Contains(c.Dimensions, "privacy") {
			t.Errorf("%s is not tagged privacy", c.ID)
		}
	}
	byImpl := readAll[api.Control](c, base+"?implementer=mno&threat=T10")
	if len(byImpl) == 0 {
		t.Fatal("no MNO controls for T10")
	}
	for _, c := range byImpl {
		ok := false
		for _, th := range c.Threats {
			ok = ok || th.ID == "T10"
		}
		if !ok || !slices.Contains(c.Implementers, "mno") {
			t.Errorf("%s slipped through", c.ID)
		}
	}
	byStage := readAll[api.Control](c, base+"?stage=mno")
	var t15 api.Threat
	c.getJSON("/api/v1/frameworks/x1150/threats/T15", &t15)
	found := false
	for _, c := range byStage {
		found = found || c.ID == t15.Controls[0].ID
	}
	if !found {
		t.Errorf("stage=mno misses %s, a control of the MNO-only threat T15", t15.Controls[0].ID)
	}
	search := readAll[api.Control](c, base+"?q=SIM%20swap")
	if len(search) == 0 || len(search) > 30 {
		t.Errorf("q=SIM swap matched %d controls", len(search))
	}
	exact := readAll[api.Control](c, base+"?q=c17")
	if len(exact) == 0 || exact[0].ID != "C17" {
		t.Errorf("q=c17 = %v", exact)
	}
}

func TestCatalogErrors(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := s.reader()
	cases := []struct {
		path     string
		status   int
		location string
	}{
		{"/api/v1/frameworks/nope", http.StatusNotFound, ""},
		{"/api/v1/frameworks/x1150?version=9.9", http.StatusNotFound, ""},
		{"/api/v1/frameworks/nope/threats", http.StatusNotFound, ""},
		{"/api/v1/frameworks/x1150/threats/T99", http.StatusNotFound, ""},
		{"/api/v1/frameworks/x1150/controls/C0", http.StatusNotFound, ""},
		{"/api/v1/frameworks/nope/controls/C1", http.StatusNotFound, ""},
		{"/api/v1/frameworks/x1150/controls?limit=0", http.StatusUnprocessableEntity, "query.limit"},
		{"/api/v1/frameworks/x1150/controls?limit=501", http.StatusUnprocessableEntity, "query.limit"},
		{"/api/v1/frameworks/x1150/controls?limit=ten", http.StatusUnprocessableEntity, "query.limit"},
		{"/api/v1/frameworks/x1150/controls?dimension=speed", http.StatusUnprocessableEntity, "query.dimension"},
		{"/api/v1/frameworks/x1150/controls?stage=moon", http.StatusUnprocessableEntity, "query.stage"},
		{"/api/v1/frameworks/x1150/controls?threat=T0", http.StatusUnprocessableEntity, "query.threat"},
		{"/api/v1/frameworks/x1150/controls?implementer=wizard", http.StatusUnprocessableEntity, "query.implementer"},
		{"/api/v1/frameworks/x1150/controls?colour=red", http.StatusUnprocessableEntity, "query.colour"},
		{"/api/v1/frameworks/x1150/controls?cursor=bm9wZQ", http.StatusUnprocessableEntity, ""},
		{"/api/v1/frameworks/x1150/threats?cursor=%7B", http.StatusUnprocessableEntity, ""},
		{"/api/v1/no-such-thing", http.StatusNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			p := wantProblem(t, c.get(tc.path), tc.status)
			if tc.location != "" {
				found := false
				for _, e := range p.Errors {
					found = found || e.Location == tc.location
				}
				if !found {
					t.Errorf("no error at %s: %+v", tc.location, p.Errors)
				}
			}
		})
	}

	// Several bad filters are all reported at once.
	p := wantProblem(t, c.get("/api/v1/frameworks/x1150/controls?dimension=a&stage=b&threat=c&implementer=d"),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 4 {
		t.Errorf("errors = %+v, want 4", p.Errors)
	}
}

func TestInternalErrorsStayInside(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := s.reader()
	s.db.Close() // every query now fails inside the driver: the database is unavailable
	p := wantProblem(t, c.get("/api/v1/frameworks/x1150/controls"), http.StatusServiceUnavailable)
	if strings.Contains(strings.ToLower(p.Detail), "pool") || strings.Contains(p.Detail, "closed") ||
		len(p.Errors) != 0 || p.RequestID == "" {
		t.Errorf("the problem leaks the driver's words or lacks the request id: %+v", p)
	}
	r := c.get("/readyz")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz with a closed database = %d", r.status)
	}
}
