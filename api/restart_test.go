package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/frameworks"
	"assure/store"
	"assure/store/storetest"
)

// TestPostgresRestartUnderLoad restarts the database under a few writers
// creating providers and findings through the API, once cleanly (-m fast)
// and once as a crash (-m immediate), with the same server running
// throughout. Every acknowledged write must be in the database with its one
// audit event, no row may lack its event nor an event its row, the chain
// must verify, writes that failed must have failed as 503, and the server
// must write and be ready again afterwards without being restarted.
func TestPostgresRestartUnderLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cluster := storetest.NewCluster(t)
	db, err := store.Open(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := frameworks.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range list {
		if _, err := db.PublishFramework(ctx, domain.System("test"), f); err != nil {
			t.Fatal(err)
		}
	}
	s := serveWith(t, db, cluster.URL, app.Options{}, api.Options{})
	supervisor := s.user(domain.RoleSupervisor, "")
	token := s.tokenFor(supervisor)
	// The one provider made before the load is inserted directly, without
	// an event; the pairing check below leaves it out.
	setupProvider := s.provider("Restart Bank")
	_, assessments := s.openCampaign(actorOf(supervisor), setupProvider)
	var assessmentID string
	for _, a := range assessments {
		assessmentID = a.ID
	}

	const writers = 4
	var (
		mu       sync.Mutex
		acked    = map[string][]string{} // object type → ids acknowledged with 2xx
		statuses = map[int]int{}
		wrong    []string // failures that were not a clean 503
		phase    int      // incremented after each restart
		okAfter  = make([]bool, writers)
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				p := phase
				mu.Unlock()
				kind, path, body := "provider", "/api/v1/providers", map[string]any{
					"legal_name": fmt.Sprintf("Writer %d Provider %d plc", w, i), "short_name": fmt.Sprintf("W%d-%d", w, i),
					"licence_number": fmt.Sprintf("LIC-%d-%d", w, i), "kind": "bank", "tier": 2}
				if w%2 == 1 {
					kind, path, body = "finding", "/api/v1/findings", map[string]any{
						"assessment_id": assessmentID, "title": fmt.Sprintf("Gap %d of writer %d", i, w),
						"severity": "low", "description": "Found while the database restarted.", "due_at": future(30)}
				}
				status, id, problem := post(client, s.url+path, token, body)
				mu.Lock()
				statuses[status]++
				switch {
				case id != "":
					acked[kind] = append(acked[kind], id)
					if p == 2 {
						okAfter[w] = true
					}
				case status != http.StatusServiceUnavailable || problem != "":
					wrong = append(wrong, fmt.Sprintf("%s %d: %d %s", kind, i, status, problem))
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}

	time.Sleep(500 * time.Millisecond)
	for _, mode := range []string{"fast", "immediate"} {
		if err := cluster.Restart(mode); err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("%v\n%s", err, cluster.Log())
		}
		mu.Lock()
		phase++
		mu.Unlock()
		time.Sleep(500 * time.Millisecond)
	}
	// Keep writing until every writer got a write through after the crash.
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		all := true
		for _, ok := range okAfter {
			all = all && ok
		}
		mu.Unlock()
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	t.Logf("statuses: %v; acknowledged: %d providers, %d findings", statuses, len(acked["provider"]), len(acked["finding"]))
	for _, w := range wrong {
		t.Errorf("a write failed otherwise than with a 503 problem: %s", w)
	}
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Error("no write met the restarts: the test did not test the outage")
	}
	for w, ok := range okAfter {
		if !ok {
			t.Errorf("writer %d never wrote again after the crash", w)
		}
	}
	if log := cluster.Log(); !strings.Contains(log, "not properly shut down; automatic recovery in progress") {
		t.Errorf("the server log shows no crash recovery after -m immediate:\n%s", log)
	}
	if r := s.get("/readyz"); r.status != http.StatusOK {
		t.Errorf("/readyz after the restarts = %d %s", r.status, r.body)
	}

	// Read what the database holds through connections of its own.
	check, err := store.Open(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	conn, err := pgx.Connect(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for kind, table := range map[string]string{"provider": "providers", "finding": "findings"} {
		var missing []string
		if err := conn.QueryRow(ctx, fmt.Sprintf(`select coalesce(array_agg(x), '{}') from unnest($1::text[]) x
			where not exists (select 1 from %s where id::text = x)`, table), acked[kind]).Scan(&missing); err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Errorf("%d acknowledged %s writes are not in the database: %v", len(missing), kind, missing)
		}
		// Each row has exactly one creation event and each creation event
		// its row: a write committed whole or not at all.
		var orphans []string
		if err := conn.QueryRow(ctx, fmt.Sprintf(`
			select coalesce(array_agg(coalesce(r.id::text, e.object_id) || ' ' || coalesce(e.n, 0)), '{}')
			from (select id from %s where id::text <> $2) r
			full join (select object_id, count(*) n from audit_events where action = $1 group by object_id) e
				on e.object_id = r.id::text
			where r.id is null or e.object_id is null or e.n <> 1`, table), kind+".create", setupProvider).Scan(&orphans); err != nil {
			t.Fatal(err)
		}
		if len(orphans) > 0 {
			t.Errorf("%s rows and creation events do not pair up (id, events): %v", kind, orphans)
		}
	}
	v, err := check.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.FirstBad != nil {
		t.Errorf("the audit chain breaks at event %d after the restarts", *v.FirstBad)
	}
}

// post sends one JSON write with a bearer token and returns the status, the
// id of what was created, and what was wrong with a failure's answer ("" for
// a 2xx with an id or a well-formed 503 problem).
func post(client *http.Client, url, token string, body any) (int, string, string) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, "", err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, "", err.Error()
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		ID     string `json:"id"`
		Status int    `json:"status"`
	}
	json.Unmarshal(raw, &out)
	switch {
	case res.StatusCode/100 == 2 && out.ID != "":
		return res.StatusCode, out.ID, ""
	case res.StatusCode == http.StatusServiceUnavailable && out.Status == http.StatusServiceUnavailable &&
		res.Header.Get("Content-Type") == "application/problem+json" && res.Header.Get("Retry-After") != "":
		return res.StatusCode, "", ""
	}
	return res.StatusCode, "", string(raw)
}
