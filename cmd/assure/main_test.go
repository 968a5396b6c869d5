package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// assure runs one command line in-process and returns its exit code and output.
func assure(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCatalogValidate(t *testing.T) {
	t.Parallel()
	code, out, errOut := assure(t, "catalog", "validate", "../../frameworks/x1150.yaml")
	if code != 0 || !strings.Contains(out, "17 threats, 119 controls") {
		t.Errorf("validate x1150 = %d %q %q", code, out, errOut)
	}
	code, _, errOut = assure(t, "catalog", "validate", "../../frameworks/testdata/broken.yaml")
	if code != 1 {
		t.Fatalf("validate broken = %d", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) < 11 || !strings.Contains(errOut, `broken.yaml:28:24 threats[0].stages[1]: stage "moon" is not defined`) {
		t.Errorf("validate broken printed:\n%s", errOut)
	}
	if code, _, _ := assure(t, "catalog", "validate"); code != 2 {
		t.Errorf("validate without FILE = %d, want 2", code)
	}
	if code, _, _ := assure(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command = %d, want 2", code)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	if code, out, errOut := assure(t, "migrate", "--database-url", url); code != 0 || !strings.Contains(out, "schema is at version") {
		t.Fatalf("migrate = %d %q %q", code, out, errOut)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "update schema_version set version = version + 5")
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := assure(t, "migrate", "--database-url", url)
	if code != 1 || !strings.Contains(errOut, "newer assure") {
		t.Errorf("migrate on a newer schema = %d %q", code, errOut)
	}
}

func TestCatalogPublishAndList(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	if code, _, errOut := assure(t, "migrate", "--database-url", url); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := assure(t, "catalog", "publish", "--database-url", url, "../../frameworks/x1150.yaml")
	if code != 0 || !strings.Contains(out, "published") {
		t.Fatalf("publish = %d %q %q", code, out, errOut)
	}
	// A changed file under the same version is refused.
	data, _ := os.ReadFile("../../frameworks/x1150.yaml")
	changed := filepath.Join(t.TempDir(), "x1150.yaml")
	os.WriteFile(changed, bytes.Replace(data, []byte("likelihood: 4"), []byte("likelihood: 2"), 1), 0o600)
	code, _, errOut = assure(t, "catalog", "publish", "--database-url", url, changed)
	if code != 1 || !strings.Contains(errOut, "immutable") {
		t.Errorf("publish changed = %d %q", code, errOut)
	}
	code, out, _ = assure(t, "catalog", "list", "--database-url", url)
	if code != 0 || !strings.Contains(out, "x1150") || !strings.Contains(out, "119") {
		t.Errorf("list = %d %q", code, out)
	}

	// A calibration waits for its framework version, then publishes once; a changed one is refused.
	code, _, errOut = assure(t, "catalog", "calibrate", "--database-url", url, "../../frameworks/methods/x1150-1.1-risk.yaml")
	if code != 1 || !strings.Contains(errOut, "not published") {
		t.Errorf("calibrate before x1150 1.1 = %d %q", code, errOut)
	}
	assure(t, "catalog", "publish", "--database-url", url, "../../frameworks/x1150-1.1.yaml")
	code, out, errOut = assure(t, "catalog", "calibrate", "--database-url", url, "../../frameworks/methods/x1150-1.1-risk.yaml")
	if code != 0 || !strings.Contains(out, "x1150-risk@1.0 for x1150 1.1: published; 0 assessment(s)") {
		t.Errorf("calibrate = %d %q %q", code, out, errOut)
	}
	cal, _ := os.ReadFile("../../frameworks/methods/x1150-1.1-risk.yaml")
	recal := filepath.Join(t.TempDir(), "risk.yaml")
	os.WriteFile(recal, bytes.Replace(cal, []byte("cap: 40"), []byte("cap: 30"), 1), 0o600)
	code, _, errOut = assure(t, "catalog", "calibrate", "--database-url", url, recal)
	if code != 1 || !strings.Contains(errOut, "immutable") {
		t.Errorf("calibrate changed = %d %q", code, errOut)
	}
}

// TestServeFreshDatabase starts assure serve on an empty database, reads the
// catalog through the API and shuts the server down as a signal would.
func TestServeFreshDatabase(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database-url", url}, nil, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v %s", err, stderr.String())
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "Assure is serving on "))
	go io.Copy(io.Discard, pr)

	// A fresh installation has no users: bootstrap prints the first admin's
	// login, once.
	code, out, errOut := assure(t, "user", "bootstrap", "--database-url", url)
	if code != 0 || !strings.HasPrefix(out, "admin login: ") {
		t.Fatalf("bootstrap = %d %q %q", code, out, errOut)
	}
	email, password, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(out, "admin login: ")), " / ")
	if code, out, _ := assure(t, "user", "bootstrap", "--database-url", url); code != 0 || out != "" {
		t.Errorf("second bootstrap = %d %q", code, out)
	}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var session struct {
		Token string `json:"token"`
	}
	json.NewDecoder(res.Body).Decode(&session)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || session.Token == "" {
		t.Fatalf("login = %d", res.StatusCode)
	}

	get := func(path string, v any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+session.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, res.StatusCode)
		}
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var ready map[string]any
	get("/readyz", &ready)
	var fw struct {
		Counts map[string]int `json:"counts"`
	}
	get("/api/v1/frameworks/x1150", &fw)
	if fw.Counts["threats"] != 17 || fw.Counts["controls"] != 119 || fw.Counts["dimensions"] != 8 {
		t.Errorf("counts = %v", fw.Counts)
	}
	var controls struct {
		Items []struct {
			ID      string `json:"id"`
			Threats []struct {
				ID string `json:"id"`
			} `json:"threats"`
		} `json:"items"`
		Next string `json:"next"`
	}
	get("/api/v1/frameworks/x1150/controls?limit=500", &controls)
	covered := map[string]bool{}
	for _, c := range controls.Items {
		if len(c.Threats) == 0 {
			t.Errorf("%s mitigates nothing", c.ID)
		}
		for _, th := range c.Threats {
			covered[th.ID] = true
		}
	}
	if len(controls.Items) != 119 || controls.Next != "" || len(covered) != 17 {
		t.Errorf("%d controls cover %d threats", len(controls.Items), len(covered))
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	if code, _, errOut := assure(t, "migrate", "--database-url", url); code != 0 {
		t.Fatal(errOut)
	}
	create := func(stdin string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"user", "create", "--database-url", url}, args...),
			strings.NewReader(stdin), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := create("a long admin passphrase\n", "--email", "Root@Example.test", "--name", "Root", "--role", "admin", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created admin root@example.test") {
		t.Fatalf("create = %d %q %q", code, out, errOut)
	}
	code, _, errOut = create("short\n", "--email", "x@example.test", "--name", "X", "--role", "wizard", "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "body.role") || !strings.Contains(errOut, "body.password") {
		t.Errorf("bad create = %d %q", code, errOut)
	}
	if code, _, _ := create("whatever\n", "--email", "x@example.test"); code != 2 {
		t.Errorf("create without flags = %d, want 2", code)
	}
	// Once an admin exists, an auditor is only requested; an admin other than
	// the requester (here the command line) approves it.
	if code, _, errOut := create("another long passphrase\n", "--email", "aud@example.test", "--name", "Aud", "--role", "auditor", "--password-stdin"); code != 2 || !strings.Contains(errOut, "drop --password-stdin") {
		t.Errorf("create auditor with a password = %d %q", code, errOut)
	}
	code, out, errOut = create("", "--email", "aud@example.test", "--name", "Aud", "--role", "auditor")
	if code != 0 || !strings.Contains(out, "requested auditor aud@example.test") {
		t.Fatalf("request auditor = %d %q %q", code, out, errOut)
	}
	approveAll(t, url, "root@example.test")
	code, out, _ = assure(t, "user", "list", "--database-url", url)
	if code != 0 || !strings.Contains(out, "root@example.test") || !strings.Contains(out, "aud@example.test") {
		t.Errorf("list = %d %q", code, out)
	}
	if code, out, _ := assure(t, "user", "disable", "--database-url", url, "aud@example.test"); code != 0 || !strings.Contains(out, "disabled") {
		t.Errorf("disable = %d %q", code, out)
	}
	if code, _, errOut := assure(t, "user", "disable", "--database-url", url, "root@example.test"); code != 1 || !strings.Contains(errOut, "last active admin") {
		t.Errorf("disable last admin = %d %q", code, errOut)
	}
	// Bootstrap does nothing once users exist.
	if code, out, _ := assure(t, "user", "bootstrap", "--database-url", url); code != 0 || out != "" {
		t.Errorf("bootstrap with users = %d %q", code, out)
	}
	code, out, _ = assure(t, "audit", "verify", "--database-url", url)
	// root created (a bootstrap), aud requested, approved and created, aud disabled.
	if code != 0 || !strings.Contains(out, "audit chain ok: 5 events") {
		t.Errorf("audit verify = %d %q", code, out)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(context.Background(), `set session_replication_role = replica; delete from audit_events where seq = 2`)
	conn.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = assure(t, "audit", "verify", "--database-url", url)
	if code != 1 || !strings.Contains(out, "first bad event is 2") {
		t.Errorf("audit verify after tampering = %d %q", code, out)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	counts := func() string {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var s string
		err = conn.QueryRow(context.Background(), `select format('%s providers, %s users, %s campaigns, %s assessments, %s evidence, %s findings, %s incidents (%s major, %s closed, %s overdue, %s kinds), %s series, %s states',
			(select count(*) from providers), (select count(*) from users), (select count(*) from campaigns),
			(select count(*) from assessments), (select count(*) from evidence), (select count(*) from findings),
			(select count(*) from incidents), (select count(*) from incidents where major_by <> '{}'),
			(select count(*) from incidents where status = 'closed' and final_filed_at is not null),
			(select count(*) from incidents where next_due < now()),
			(select count(distinct p.kind) from incidents i join providers p on p.id = i.provider_id),
			(select count(*) from campaign_series where every_months = 12),
			(select count(distinct status) from assessments))`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	code, out, errOut := assure(t, "seed", "demo", "--database-url", url)
	if code != 0 || !strings.Contains(out, "supervisor@demo.assure.local") {
		t.Fatalf("seed = %d %q %q", code, out, errOut)
	}
	first := counts()
	// The incidents and the yearly series give the incident pages, the
	// sector statistics and the series pages something to show.
	if !strings.HasPrefix(first, "12 providers") || !strings.HasSuffix(first, "6 states") ||
		!strings.Contains(first, "9 incidents (6 major, 3 closed, 1 overdue, 7 kinds), 1 series") {
		t.Errorf("demo sector: %s", first)
	}
	if code, _, errOut := assure(t, "seed", "demo", "--database-url", url); code != 0 {
		t.Fatalf("second seed = %d %q", code, errOut)
	}
	if again := counts(); again != first {
		t.Errorf("second seed changed the data: %s → %s", first, again)
	}
	if code, out, _ := assure(t, "audit", "verify", "--database-url", url); code != 0 {
		t.Errorf("audit after seed: %s", out)
	}
}

func TestScoresCommands(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	if code, _, errOut := assure(t, "seed", "demo", "--database-url", url); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := assure(t, "scores", "check", "--database-url", url); code != 0 || !strings.Contains(out, "scores ok: 16 assessments") {
		t.Fatalf("check = %d %q", code, out)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(context.Background(), `update threat_risks set score = 1 where threat_id = 'T7'`)
	conn.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := assure(t, "scores", "check", "--database-url", url); code != 1 || !strings.Contains(out, "T7") {
		t.Errorf("check after tampering = %d %q", code, out)
	}
	if code, out, _ := assure(t, "scores", "rebuild", "--database-url", url); code != 0 || !strings.Contains(out, "16 assessments") {
		t.Errorf("rebuild = %d %q", code, out)
	}
	if code, _, _ := assure(t, "scores", "check", "--database-url", url); code != 0 {
		t.Error("scores still differ after the rebuild")
	}
}

func TestReportCommands(t *testing.T) {
	t.Parallel()
	url := storetest.Bare(t)
	if code, _, errOut := assure(t, "seed", "demo", "--database-url", url); code != 0 {
		t.Fatal(errOut)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	var assessment, campaign string
	err = conn.QueryRow(context.Background(), `select a.id::text, a.campaign_id::text from assessments a
		join providers p on p.id = a.provider_id join campaigns c on c.id = a.campaign_id
		where p.licence_number = 'BNK-0001' and c.name like '2027%'`).Scan(&assessment, &campaign)
	conn.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdf, xlsx := filepath.Join(dir, "a.pdf"), filepath.Join(dir, "s.xlsx")
	if code, out, errOut := assure(t, "report", "assessment", "--database-url", url, "--id", assessment, "--format", "pdf", "-o", pdf); code != 0 {
		t.Fatalf("report assessment = %d %q %q", code, out, errOut)
	}
	text, err := exec.Command("pdftotext", pdf, "-").Output()
	if err != nil || !strings.Contains(string(text), "Banco de Crédito del Sur") {
		t.Errorf("the assessment PDF text (%v) lacks the provider", err)
	}
	if code, _, errOut := assure(t, "report", "sector", "--database-url", url, "--campaign", campaign, "--format", "xlsx", "-o", xlsx); code != 0 {
		t.Fatalf("report sector = %d %q", code, errOut)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, err := f.GetRows("Responses"); err != nil || len(rows) < 100 {
		t.Errorf("sector register rows = %d (%v)", len(rows), err)
	}
	if code, _, _ := assure(t, "report", "sector", "--database-url", url, "--campaign", campaign, "-o", ""); code != 2 {
		t.Error("a report without -o is not a usage error")
	}
	if code, _, _ := assure(t, "report", "assessment", "--database-url", url, "--id", "00000000-0000-0000-0000-000000000000", "-o", pdf+"2"); code != 1 {
		t.Error("a report of no assessment succeeds")
	}
}

// approveAll approves every pending identity request as the admin with email.
func approveAll(t *testing.T, url, email string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, err := db.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	pending, _, err := db.IdentityRequests(ctx, domain.ActorFor(admin), store.IdentityRequestFilter{State: domain.RequestPending}, store.Page{})
	if err != nil || len(pending) == 0 {
		t.Fatalf("pending requests = %v, %v", pending, err)
	}
	for _, r := range pending {
		if _, _, _, err := db.ApproveIdentityRequest(ctx, domain.ActorFor(admin), r.ID, "a temporary passphrase"); err != nil {
			t.Fatal(err)
		}
	}
}
