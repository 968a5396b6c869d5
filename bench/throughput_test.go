package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"assure/api"
	"assure/app"
	"assure/bench"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/web"
)

// The throughput figures load the heaviest reads from 16 clients at once:
// wrk against the HTTP API, served in this process on a TCP port by the
// handler cmd/assure serve builds, and pgbench running the statements one
// such request runs, captured as it runs them, on the same database with
// as many clients. Assure must hold at least 0.8× pgbench's rate.
const (
	clients        = 16
	throughputGoal = 1 / 0.8
)

// loadSeconds is how long each side runs per measurement:
// ASSURE_BENCH_LOAD_SECONDS, 10 unless it says otherwise.
func loadSeconds() int { return envInt("ASSURE_BENCH_LOAD_SECONDS", 10) }

// BenchmarkPrioritiesThroughput: the priority page of the open campaign.
func BenchmarkPrioritiesThroughput(b *testing.B) {
	s := scaleSector(b)
	throughput(b, s, s.sup, "/api/v1/priorities?"+url.Values{"campaign": {s.campaign}, "limit": {"50"}}.Encode())
}

// BenchmarkFindingsThroughput: the findings of the assessment with the most.
func BenchmarkFindingsThroughput(b *testing.B) {
	s := scaleSector(b)
	var id string
	s.value(b, &id, `select assessment_id::text from findings group by 1 order by count(*) desc, 1 limit 1`)
	throughput(b, s, s.sup, "/api/v1/findings?"+url.Values{"assessment": {id}, "limit": {"50"}}.Encode())
}

// BenchmarkAuditWindowThroughput: the audit log in a week in the middle of
// its history.
func BenchmarkAuditWindowThroughput(b *testing.B) {
	s := scaleSector(b)
	var from time.Time
	s.value(b, &from, `select min(at) + (max(at) - min(at)) / 2 from audit_events`)
	from = from.UTC().Truncate(time.Second)
	throughput(b, s, s.auditor, "/api/v1/audit?"+url.Values{"from": {from.Format(time.RFC3339)},
		"to": {from.AddDate(0, 0, 7).Format(time.RFC3339)}, "limit": {"50"}}.Encode())
}

// throughput measures the request at path (and query) signed in as actor.
func throughput(b *testing.B, s *sector, actor domain.Actor, path string) {
	b.Helper()
	for _, program := range []string{"wrk", "pgbench"} {
		if _, err := exec.LookPath(program); err != nil {
			b.Skipf("%s is not installed (scripts/bench-deps.sh installs it)", program)
		}
	}
	l := loadOf(b, s)
	token := l.token(b, s, actor)
	script := l.capture(b, s, token, path)
	dbURL := s.pool.Config().ConnString()
	bench.Throughput(b, throughputGoal, func() (float64, error) {
		return runWrk(l.base+path, token)
	}, func() (float64, error) {
		return runPgbench(dbURL, script)
	})
}

// load is what the throughput figures share: the server wrk loads, a
// second handler over a traced store to capture a request's statements,
// and a token per actor.
type load struct {
	base   string // the server's address, http://127.0.0.1:port
	traced http.Handler
	log    *statementLog
	mu     sync.Mutex
	tokens map[string]string
}

var (
	loadOnce   sync.Once
	sharedLoad *load
)

func loadOf(b *testing.B, s *sector) *load {
	b.Helper()
	loadOnce.Do(func() {
		authz, err := policies.New()
		if err != nil {
			b.Fatal(err)
		}
		// The access log is formatted as in production and thrown away.
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		l := &load{log: &statementLog{}, tokens: map[string]string{}}
		// The server's store is opened as cmd/assure serve opens it.
		// ASSURE_BENCH_URL_PARAMS adds parameters to its URL, as an
		// operator's DATABASE_URL would: pool_max_conns=4 shows what
		// pgx's default pool size costs.
		dbURL := s.pool.Config().ConnString()
		if extra := os.Getenv("ASSURE_BENCH_URL_PARAMS"); extra != "" {
			sep := "?"
			if strings.Contains(dbURL, "?") {
				sep = "&"
			}
			dbURL += sep + extra
		}
		db, err := store.OpenServing(ctx0, dbURL, store.ServeConns)
		if err != nil {
			b.Fatal(err)
		}
		served := app.New(db, authz, log, app.Options{SectorJobThreshold: 1 << 30})
		srv := &http.Server{Handler: handlerOf(b, served, log), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go srv.Serve(ln) // it serves until the process ends, like the sector
		l.base = "http://" + ln.Addr().String()

		traced, err := store.OpenTraced(ctx0, s.pool.Config().ConnString(), l.log)
		if err != nil {
			b.Fatal(err)
		}
		l.traced = handlerOf(b, app.New(traced, authz, log, app.Options{SectorJobThreshold: 1 << 30}), log)
		sharedLoad = l
	})
	if sharedLoad == nil {
		b.Fatal("no server to load")
	}
	return sharedLoad
}

// handlerOf builds the handler cmd/assure serve serves: the API with its
// middleware, the pages mounted under it.
func handlerOf(b *testing.B, application *app.App, log *slog.Logger) http.Handler {
	b.Helper()
	a := api.New(application, log, api.Options{})
	ui, err := web.New(application, log, web.Options{})
	if err != nil {
		b.Fatal(err)
	}
	a.Mount("/", ui.Handler())
	return a.Handler()
}

// token returns a personal API token of actor, made once per run.
func (l *load) token(b *testing.B, s *sector, actor domain.Actor) string {
	b.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.tokens[actor.UserID]; ok {
		return t
	}
	t, _, err := s.db.CreateAPIToken(ctx0, actor, "throughput benchmark", time.Now().Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	l.tokens[actor.UserID] = t
	return t
}

// pgbenchScript is a script file and the values of its variables.
type pgbenchScript struct {
	file string
	vars []string // NAME=VALUE
}

// capture serves the request once through the traced handler to warm what
// the first request warms, then again recording every statement it runs,
// and writes them into a pgbench script.
func (l *load) capture(b *testing.B, s *sector, token, path string) pgbenchScript {
	b.Helper()
	serve := func() {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		l.traced.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"items":[{`) {
			b.Fatalf("GET %s: %d %.300s", path, w.Code, w.Body.String())
		}
	}
	serve()
	l.log.take()
	serve()
	statements := l.log.take()
	if len(statements) == 0 {
		b.Fatalf("GET %s ran no statement", path)
	}
	conn, err := s.pool.Acquire(ctx0)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	// The script, and a check that each query of it read as many rows
	// under pgbench as it did for Assure: a replay that reads nothing
	// would be a baseline doing less than the request.
	var script, check strings.Builder
	var vars []string
	for n, st := range statements {
		sql, v, err := parameterised(ctx0, conn.Conn(), n+1, st)
		if err != nil {
			b.Fatalf("%s: %v", st.sql, err)
		}
		script.WriteString(sql + ";\n")
		vars = append(vars, v...)
		if st.rows >= 0 && readsRows(sql) {
			fmt.Fprintf(&check, "select count(*) as rows%d from (%s) q \\gset\n\\if :rows%d <> %d\n"+
				"select ('statement %d read ' || :rows%d || ' rows, not %d')::int;\n\\endif\n",
				n+1, sql, n+1, st.rows, n+1, n+1, st.rows)
		} else {
			check.WriteString(sql + ";\n")
		}
	}
	dir := b.TempDir()
	file, checkFile := filepath.Join(dir, "request.sql"), filepath.Join(dir, "check.sql")
	if err := os.WriteFile(file, []byte(script.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(checkFile, []byte(check.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("GET %s runs %d statements:\n%s\nwith %s", path, len(statements), script.String(), strings.Join(vars, "\n"))
	args := []string{"-n", "-c1", "-t1", "-M", "prepared"}
	for _, v := range vars {
		args = append(args, "-D", v)
	}
	if out, err := exec.Command("pgbench", append(args, "-f", checkFile, s.pool.Config().ConnString())...).CombinedOutput(); err != nil ||
		!bytes.Contains(out, []byte("number of failed transactions: 0")) {
		b.Fatalf("the script does not read what GET %s read: %v\n%s\n%s", path, err, out, check.String())
	}
	return pgbenchScript{file: file, vars: vars}
}

// statementLog records every statement a store runs, with its arguments.
type statementLog struct {
	mu         sync.Mutex
	statements []*statement
}

type statement struct {
	sql  string
	args []any
	rows int64 // rows it returned or changed, -1 until it ended
}

type statementKey struct{}

func (l *statementLog) add(sql string, args []any) *statement {
	st := &statement{sql: sql, args: args, rows: -1}
	l.mu.Lock()
	l.statements = append(l.statements, st)
	l.mu.Unlock()
	return st
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, statementKey{}, l.add(d.SQL, d.Args))
}

func (l *statementLog) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	if st, ok := ctx.Value(statementKey{}).(*statement); ok && d.Err == nil {
		l.mu.Lock()
		st.rows = d.CommandTag.RowsAffected()
		l.mu.Unlock()
	}
}

func (l *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (l *statementLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	st := l.add(d.SQL, d.Args)
	if d.Err == nil {
		l.mu.Lock()
		st.rows = d.CommandTag.RowsAffected()
		l.mu.Unlock()
	}
}

func (l *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// take returns the statements recorded since the last take and forgets them.
func (l *statementLog) take() []*statement {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.statements
	l.statements = nil
	return s
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// readsRows reports whether sql is a query whose rows can be counted in a
// subquery.
func readsRows(sql string) bool {
	head := strings.ToLower(strings.TrimSpace(sql))
	return strings.HasPrefix(head, "select") || strings.HasPrefix(head, "with") || strings.HasPrefix(head, "values")
}

// parameterised is the statement for a pgbench script: each argument,
// encoded as text by pgx as it encodes it for the server, becomes a pgbench
// variable in place of its placeholder, named after the statement (n) and
// its position, and set in vars as NAME=VALUE for pgbench -D. pgbench -M
// prepared then sends them as parameters of a statement prepared once per
// connection, as pgx does: the server parses, plans and caches plans alike
// for both. pgbench has no NULL variable and refuses an empty one, so those
// arguments are written in place as a NULL or an empty string of the
// parameter's type: the server then folds them into every plan, never
// only pgx's custom ones, which can only make the baseline faster.
func parameterised(ctx context.Context, conn *pgx.Conn, n int, st *statement) (string, []string, error) {
	sql, args := st.sql, st.args
	// Options and named arguments come first, as pgx reads them.
	for len(args) > 0 {
		switch a := args[0].(type) {
		case pgx.QueryExecMode, pgx.QueryResultFormats, pgx.QueryResultFormatsByOID:
			args = args[1:]
			continue
		case pgx.QueryRewriter:
			var err error
			if sql, args, err = a.RewriteQuery(ctx, conn, sql, args[1:]); err != nil {
				return "", nil, err
			}
			continue
		}
		break
	}
	sql = strings.TrimRight(strings.TrimSpace(sql), ";")
	if len(args) == 0 {
		return sql, nil, nil
	}
	desc, err := conn.Prepare(ctx, "", sql)
	if err != nil {
		return "", nil, err
	}
	if len(desc.ParamOIDs) != len(args) {
		return "", nil, fmt.Errorf("%d parameters, %d arguments", len(desc.ParamOIDs), len(args))
	}
	var types []string
	if err := conn.QueryRow(ctx, `select array_agg(t::regtype::text order by n) from unnest($1::oid[]) with ordinality u(t, n)`,
		desc.ParamOIDs).Scan(&types); err != nil {
		return "", nil, err
	}
	var vars []string
	places := make([]string, len(args))
	for i, arg := range args {
		// Encode answers nil for NULL only when given a buffer: an empty
		// value appended to nil is nil too.
		text, err := conn.TypeMap().Encode(desc.ParamOIDs[i], pgtype.TextFormatCode, arg, make([]byte, 0, 64))
		if err != nil {
			return "", nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		switch {
		case text == nil:
			places[i] = "(null::" + types[i] + ")"
			continue
		case len(text) == 0:
			places[i] = "(''::" + types[i] + ")"
			continue
		}
		name := fmt.Sprintf("s%da%d", n, i+1)
		places[i] = ":" + name
		vars = append(vars, name+"="+string(text))
	}
	var bad error
	sql = placeholder.ReplaceAllStringFunc(sql, func(p string) string {
		k, _ := strconv.Atoi(p[1:])
		if k < 1 || k > len(places) {
			bad = fmt.Errorf("placeholder %s of %d arguments", p, len(places))
			return p
		}
		return places[k-1]
	})
	return sql, vars, bad
}

var (
	wrkRate     = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: ([0-9]+)`)
	wrkErrors   = regexp.MustCompile(`(?m)^\s*Socket errors: .*`)
	pgbenchTPS  = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
	pgbenchFail = regexp.MustCompile(`(?m)^number of failed transactions: ([0-9]+)`)
)

// runWrk loads address from 16 connections for the load time and returns
// the requests per second; any answer that is not 2xx, or any socket error
// or timeout, fails the run.
func runWrk(address, token string) (float64, error) {
	// wrk gives up on an answer after 2 s unless told otherwise; a slow
	// answer is measured, not dropped.
	out, err := exec.Command("wrk", "-t2", "-c"+strconv.Itoa(clients), "-d"+strconv.Itoa(loadSeconds())+"s",
		"--timeout", "60s", "-H", "Authorization: Bearer "+token, address).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		return 0, fmt.Errorf("wrk: %s answers were not 2xx:\n%s", m[1], out)
	}
	if m := wrkErrors.Find(out); m != nil {
		return 0, fmt.Errorf("wrk: %s\n%s", m, out)
	}
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("wrk printed no rate:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// runPgbench runs script from 16 clients on two threads for the load time,
// each statement prepared once per connection as pgx prepares it and run
// with the script's variables as parameters, and returns the scripts run
// per second; a failed one fails the run.
func runPgbench(dbURL string, script pgbenchScript) (float64, error) {
	args := []string{"-n", "-c" + strconv.Itoa(clients), "-j2", "-T" + strconv.Itoa(loadSeconds()), "-M", "prepared"}
	for _, v := range script.vars {
		args = append(args, "-D", v)
	}
	out, err := exec.Command("pgbench", append(args, "-f", script.file, dbURL)...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	if m := pgbenchFail.FindSubmatch(out); m != nil && string(m[1]) != "0" {
		return 0, fmt.Errorf("pgbench: %s failed transactions:\n%s", m[1], out)
	}
	m := pgbenchTPS.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no rate:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
