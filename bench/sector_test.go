package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"assure/app"
	"assure/bench"
	"assure/demo"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
)

var ctx0 = context.Background()

// sector is the scale sector every benchmark here reads: its size comes
// from ASSURE_BENCH_PROVIDERS, _CAMPAIGNS and _EVENTS (2,000 × 8 × 1,000,000
// by default), and it is built once per size and code version.
type sector struct {
	app      *app.App
	db       *store.DB
	pool     *pgxpool.Pool
	sup      domain.Actor
	auditor  domain.Actor
	campaign string // the open campaign
	spec     demo.ScaleSpec
}

var (
	sectorOnce sync.Once
	shared     *sector
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func scaleSector(b *testing.B) *sector {
	b.Helper()
	sectorOnce.Do(func() {
		spec := demo.ScaleSpec{Providers: envInt("ASSURE_BENCH_PROVIDERS", 2000),
			Campaigns: envInt("ASSURE_BENCH_CAMPAIGNS", 8), AuditEvents: envInt("ASSURE_BENCH_EVENTS", 1000000), Seed: 1}
		// The sector outlives the benchmark that made it, so it is not
		// tied to its cleanup.
		db, url := storetest.Scale(keep{b}, spec)
		authz, err := policies.New()
		if err != nil {
			b.Fatal(err)
		}
		pool, err := pgxpool.New(ctx0, url)
		if err != nil {
			b.Fatal(err)
		}
		s := &sector{db: db, pool: pool, spec: spec,
			app: app.New(db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{SectorJobThreshold: 1 << 30})}
		for _, u := range []struct {
			email string
			actor *domain.Actor
		}{{"supervisor1@scale.assure.local", &s.sup}, {"auditor@scale.assure.local", &s.auditor}} {
			user, err := db.UserByEmail(ctx0, u.email)
			if err != nil {
				b.Fatal(err)
			}
			*u.actor = domain.ActorFor(user)
		}
		if err := pool.QueryRow(ctx0, `select id::text from campaigns where status = 'open'`).Scan(&s.campaign); err != nil {
			b.Fatal(err)
		}
		shared = s
	})
	if shared == nil {
		b.Fatal("no scale sector")
	}
	return shared
}

// keep is a testing.TB whose cleanups wait for the end of the process: the
// scale sector's copy is shared by every benchmark of the run.
type keep struct{ testing.TB }

func (keep) Cleanup(func()) {}

// value reads one value the benchmark needs.
func (s *sector) value(b *testing.B, dst any, sql string, args ...any) {
	b.Helper()
	if err := s.pool.QueryRow(ctx0, sql, args...).Scan(dst); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// rows runs a query and reads every row, the baseline's whole work.
func (s *sector) rows(sql string, args ...any) func() error {
	return func() error {
		rows, err := s.pool.Query(ctx0, sql, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

// BenchmarkPriorityPage: the first page of the sector's priority ranking,
// against reading that page of stored ranking rows alone (the smallest work
// that gives the page: 51 rows in the ranking's index order).
func BenchmarkPriorityPage(b *testing.B) {
	s := scaleSector(b)
	bench.Pair(b, 1.5, func() error {
		list, _, err := s.app.Priorities(ctx0, s.sup, s.campaign, store.Page{Limit: 50})
		if err == nil && len(list) != 50 {
			err = fmt.Errorf("%d priorities", len(list))
		}
		return err
	}, s.rows(`select assessment_id, provider_id, provider_name, provider_kind, tier, status, unfiled, rank_score,
		filing_overdue, overdue_findings, threats, max_score, sum_score, top_threats, worst_dimensions
		from priorities where campaign_id = $1
		order by unfiled, rank_score, tier, provider_name, assessment_id limit 51`, s.campaign))
}

// BenchmarkAuditTimeWindow: a page of the audit log in a week of its
// history, against a page filtered by action.
func BenchmarkAuditTimeWindow(b *testing.B) {
	s := scaleSector(b)
	var from time.Time
	s.value(b, &from, `select min(at) + (max(at) - min(at)) / 2 from audit_events`)
	window := func(f store.AuditFilter) func() error {
		return func() error {
			w, err := s.app.AuditWindow(ctx0, s.auditor, f, "", 50)
			if err == nil && len(w.Events) == 0 {
				err = fmt.Errorf("no events for %+v", f)
			}
			return err
		}
	}
	bench.Pair(b, 3, window(store.AuditFilter{From: from, To: from.AddDate(0, 0, 7)}),
		window(store.AuditFilter{Action: "assessment.submit"}))
}

// BenchmarkFindingsOfAssessment: the findings of one assessment, against
// the query that reads them.
func BenchmarkFindingsOfAssessment(b *testing.B) {
	s := scaleSector(b)
	var id string
	s.value(b, &id, `select assessment_id::text from findings group by 1 order by count(*) desc, 1 limit 1`)
	bench.Pair(b, 1.6, func() error {
		list, _, err := s.app.Findings(ctx0, s.sup, store.FindingFilter{AssessmentID: id}, store.Page{Limit: 50})
		if err == nil && len(list) == 0 {
			err = fmt.Errorf("no findings")
		}
		return err
	}, s.rows(`select id, assessment_id, provider_id, control_id, title, severity, description, due_at, status,
		remediation_plan, created_at, updated_at, version from findings where assessment_id = $1
		order by due_at, id limit 51`, id))
}

// BenchmarkAssessmentList: a page of a campaign's assessments, against one
// query giving the page's rows with every column the list shows: the
// campaign's name and dates, the progress (questions answered of those
// asked, kept with the current scores), who decided, whether the first
// filing was late and why changes were asked for.
func BenchmarkAssessmentList(b *testing.B) {
	s := scaleSector(b)
	bench.Pair(b, 1.6, func() error {
		_, _, err := s.app.Assessments(ctx0, s.sup, store.AssessmentFilter{CampaignID: s.campaign}, store.Page{Limit: 50})
		return err
	}, s.rows(`select a.id, a.campaign_id, c.name, a.provider_id, p.short_name, a.status, c.due_at, a.submissions,
		k.asked, k.answered, a.created_at, a.updated_at, a.submitted_at, a.decided_at, u.email, s.late, a.version,
		c.status, t.reason
		from assessments a join campaigns c on c.id = a.campaign_id join providers p on p.id = a.provider_id
		left join assessment_risk k on k.assessment_id = a.id and k.basis = 'current'
		left join users u on u.id = a.decided_by
		left join submissions s on s.assessment_id = a.id and s.version = 1
		left join lateral (select x.reason from assessment_transitions x where x.assessment_id = a.id
			and x.to_status = 'changes_requested' and a.status = 'changes_requested' order by x.id desc limit 1) t on true
		where a.campaign_id = $1 order by lower(p.short_name), a.id limit 51`, s.campaign))
}

// BenchmarkProviderList: a page of the provider register, against its query.
func BenchmarkProviderList(b *testing.B) {
	s := scaleSector(b)
	bench.Pair(b, 1.6, func() error {
		_, _, err := s.app.Providers(ctx0, s.sup, store.ProviderFilter{}, store.Page{Limit: 50})
		return err
	}, s.rows(`select id, legal_name, short_name, licence_number, kind, tier, channels, status, contacts,
		created_at, updated_at, version from providers order by lower(short_name), id limit 51`))
}

// BenchmarkSectorHeatmap: the sector's risk matrix, against summing the
// stored cells in SQL.
func BenchmarkSectorHeatmap(b *testing.B) {
	s := scaleSector(b)
	bench.Pair(b, 1.6, func() error {
		_, err := s.app.SectorRiskMatrix(ctx0, s.sup, s.campaign, store.SectorFilter{}, false)
		return err
	}, s.rows(`select i, sum(r.residual_cells[i]) from assessment_risk r join assessments a on a.id = r.assessment_id,
		generate_series(1, 25) i where a.campaign_id = $1 and r.basis = 'filed' group by i`, s.campaign))
}

// BenchmarkResponseWrite: saving one answer with its score maintenance,
// against a bare UPDATE of the row.
func BenchmarkResponseWrite(b *testing.B) {
	s := scaleSector(b)
	var assessment, provider string
	s.value(b, &assessment, `select id::text from assessments where campaign_id = $1 and status = 'draft' order by id limit 1`,
		s.campaign)
	s.value(b, &provider, `select provider_id::text from assessments where id = $1`, assessment)
	rows, _ := s.pool.Query(ctx0, `select control_id from responses where assessment_id = $1 order by ordinal limit 2`, assessment)
	controls, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(controls) < 2 {
		b.Fatal(err, controls)
	}
	var editorEmail string
	s.value(b, &editorEmail, `select email from users where provider_id = $1 and role = 'provider_editor'`, provider)
	editorUser, err := s.db.UserByEmail(ctx0, editorEmail)
	if err != nil {
		b.Fatal(err)
	}
	editor := domain.ActorFor(editorUser)
	var version int
	s.value(b, &version, `select version from responses where assessment_id = $1 and control_id = $2`, assessment, controls[0])
	statuses := []domain.ResponseStatus{domain.Implemented, domain.Partial}
	n := 0
	bench.Pair(b, 2, func() error {
		n++
		in := domain.ResponseInput{Status: statuses[n%2], Narrative: "Measured " + strconv.Itoa(n),
			RemediationDate: domain.Today().AddDays(200).String()}
		r, err := s.app.SaveResponse(ctx0, editor, assessment, controls[0], in, version)
		version = r.Version
		return err
	}, func() error {
		_, err := s.pool.Exec(ctx0, `update responses set narrative = $3, updated_at = now(), version = version + 1
			where assessment_id = $1 and control_id = $2`, assessment, controls[1], "Measured "+strconv.Itoa(n))
		return err
	})
}

// BenchmarkAuditVerify: verifying the whole audit chain, against reading
// the same columns out with COPY.
func BenchmarkAuditVerify(b *testing.B) {
	s := scaleSector(b)
	conn, err := s.pool.Acquire(ctx0)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	bench.Pair(b, 1.5, func() error {
		v, err := s.app.VerifyAudit(ctx0, s.auditor)
		if err == nil && !v.OK {
			err = fmt.Errorf("the chain does not verify: %+v", v)
		}
		return err
	}, func() error {
		_, err := conn.Conn().PgConn().CopyTo(ctx0, io.Discard, `copy (select seq, at, actor_id, actor_email, actor_role,
			action, object_type, object_id, provider_id, request_id, address, summary, prev_hash, hash
			from audit_events order by seq) to stdout`)
		return err
	})
}

// BenchmarkSectorWorkbook: the campaign's sector workbook, against a bare
// excelize StreamWriter writing the same sheets, each from one query.
//
// The baseline writes the workbook's seven sheets with their rows, not the
// register alone as it used to: the summary's risk matrix summed in SQL,
// the submission status, the priorities from the stored risk summaries
// (the priority page's baseline query, every row), compliance by dimension
// and the worst score by stage from the stored scores (a row per provider
// and facet, where the workbook pivots them), the overdue findings, and the
// register with its own columns and SQL: licence, section and evidence
// count are part of the same rows. It writes no styles, page setup or
// filters, and reads nothing twice.
func BenchmarkSectorWorkbook(b *testing.B) {
	s := scaleSector(b)
	workbook := func() error {
		r, err := s.app.SectorReport(ctx0, s.sup, "xlsx", store.ReportParams{CampaignID: s.campaign})
		if err != nil {
			return err
		}
		if r.File == nil {
			return fmt.Errorf("the workbook was queued")
		}
		_, err = r.File.WriteTo(io.Discard)
		r.File.Close()
		return err
	}
	// Memory, outside the timed pairs: what one workbook allocates per
	// response, which must not grow from one sector size to the next, and
	// the highest heap in use while it is made. The peak counts garbage not
	// yet collected and the per-provider tables of the other sheets, which
	// are held whole, so it grows with the providers; the register's share
	// is flat (reports.TestSectorWorkbookMemoryFlat measures it alone).
	defer func() {
		var responses int
		s.value(b, &responses, `select count(*) from responses r join assessments a on a.id = r.assessment_id
			where a.campaign_id = $1`, s.campaign)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		peak, done := before.HeapInuse, make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			top := uint64(0)
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			for {
				metrics.Read(sample)
				top = max(top, sample[0].Value.Uint64())
				select {
				case <-done:
					sampled <- top
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		if err := workbook(); err != nil {
			b.Fatal(err)
		}
		close(done)
		peak = <-sampled
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(max(responses, 1)), "alloc-B/response")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}()
	bench.Pair(b, 1.25, workbook, func() error {
		f := excelize.NewFile()
		defer f.Close()
		// sheet writes one query's rows to a new sheet.
		sheet := func(name, sql string) error {
			if name == "" {
				name = "Sheet1"
			} else if _, err := f.NewSheet(name); err != nil {
				return err
			}
			sw, err := f.NewStreamWriter(name)
			if err != nil {
				return err
			}
			rows, err := s.pool.Query(ctx0, sql, s.campaign)
			if err != nil {
				return err
			}
			defer rows.Close()
			n := 1
			for rows.Next() {
				v, err := rows.Values()
				if err != nil {
					return err
				}
				n++
				if err := sw.SetRow("A"+strconv.Itoa(n), v); err != nil {
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return sw.Flush()
		}
		for _, q := range []struct{ name, sql string }{
			{"", `select k, sum(v) from assessments a
				join assessment_risk r on r.assessment_id = a.id and r.basis = 'filed',
				unnest(r.residual_cells) with ordinality u(v, k)
				where a.campaign_id = $1 group by k order by k`},
			{"Submission status", `select p.short_name, p.licence_number, a.provider_kind, a.provider_tier, a.status,
				a.submissions, a.submitted_at from assessments a join providers p on p.id = a.provider_id
				where a.campaign_id = $1 order by lower(p.short_name), a.id`},
			{"Priorities", `select p.short_name, a.provider_kind, a.provider_tier, a.status, r.threats, r.max_score,
				r.sum_score from assessments a join providers p on p.id = a.provider_id
				join assessment_risk r on r.assessment_id = a.id and r.basis = 'filed'
				where a.campaign_id = $1 order by r.sum_score desc, a.id`},
			{"Dimensions", `select p.short_name, cs.key, cs.quarters::float8 / nullif(4 * cs.counted, 0)
				from compliance_scores cs join assessments a on a.id = cs.assessment_id
				join providers p on p.id = a.provider_id
				where a.campaign_id = $1 and cs.basis = 'filed' and cs.facet in ('overall', 'dimension')
				order by lower(p.short_name), a.id, cs.key`},
			{"Stages", `select p.short_name, ts.stage_id, max(tr.score) from threat_risks tr
				join assessments a on a.id = tr.assessment_id join providers p on p.id = a.provider_id
				join threat_stages ts on ts.framework = a.framework and ts.threat_id = tr.threat_id
				where a.campaign_id = $1 and tr.basis = 'filed' and tr.applicable
				group by p.short_name, a.id, ts.stage_id order by lower(p.short_name), a.id, ts.stage_id`},
			{"Overdue findings", `select p.short_name, f.title, coalesce(f.control_id, ''), f.severity, f.status, f.due_at
				from findings f join assessments a on a.id = f.assessment_id join providers p on p.id = f.provider_id
				where a.campaign_id = $1 and f.due_at < current_date and f.status in ('open', 'in_progress')
				order by f.due_at, f.id`},
			{"Responses", `select p.short_name, p.licence_number, r.control_id, c.section,
				coalesce(r.status, ''), r.maturity::int, r.remediation_date, coalesce(r.verdict, ''), coalesce(ev.n, 0),
				r.updated_at
				from responses r join assessments a on a.id = r.assessment_id join providers p on p.id = a.provider_id
				join controls c on c.framework = r.framework and c.id = r.control_id
				left join (select e.assessment_id, e.control_id, count(*) as n from response_evidence e
					join assessments ea on ea.id = e.assessment_id where ea.campaign_id = $1 group by 1, 2) ev
					on ev.assessment_id = r.assessment_id and ev.control_id = r.control_id
				where a.campaign_id = $1 order by lower(p.short_name), a.id, r.ordinal`},
		} {
			if err := sheet(q.name, q.sql); err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
		}
		return f.Write(io.Discard)
	})
}

// BenchmarkAssessmentPDF: one assessment's report pack, against bare fpdf
// drawing the report's tables from one query each.
//
// The baseline embeds the report's two UTF-8 fonts (regular for cells, bold
// for headings), the least that prints the same names: a core font's code
// page has no "Ł" or Cyrillic, so it needs no code-page translation either.
// It used to build a cp1252 translator for every row, parsing the code-page
// table each time: about half its time, and no part of drawing a table. Its
// rows are the report's rows: every response with its control and
// narrative, every threat with the controls that mitigate it and their
// answers, and the findings. It leaves out the cover, the sign-off, the
// charts and the risk arithmetic the report does besides.
func BenchmarkAssessmentPDF(b *testing.B) {
	s := scaleSector(b)
	var id string
	s.value(b, &id, `select id::text from assessments where campaign_id = $1 and status = 'approved' order by id limit 1`,
		s.campaign)
	regular, err := os.ReadFile("../reports/fonts/DejaVuSansCondensed.ttf")
	if err != nil {
		b.Fatal(err)
	}
	bold, err := os.ReadFile("../reports/fonts/DejaVuSansCondensed-Bold.ttf")
	if err != nil {
		b.Fatal(err)
	}
	// table draws one query's rows under a bold heading, the last column
	// wrapping.
	table := func(pdf *fpdf.Fpdf, heading string, widths []float64, sql string) error {
		pdf.SetFont("DejaVu", "B", 11)
		pdf.MultiCell(0, 7, heading, "", "L", false)
		pdf.SetFont("DejaVu", "", 8)
		rows, err := s.pool.Query(ctx0, sql, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		cells := make([]string, len(widths))
		dst := make([]any, len(widths))
		for i := range cells {
			dst[i] = &cells[i]
		}
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			last := len(widths) - 1
			for i, w := range widths[:last] {
				pdf.CellFormat(w, 5, cells[i], "1", 0, "", false, 0, "")
			}
			pdf.MultiCell(0, 5, cells[last], "1", "", false)
		}
		return rows.Err()
	}
	bench.Pair(b, 2, func() error {
		f, err := s.app.AssessmentReport(ctx0, s.sup, id, "pdf", domain.English)
		if err != nil {
			return err
		}
		_, err = f.WriteTo(io.Discard)
		f.Close()
		return err
	}, func() error {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("DejaVu", "", regular)
		pdf.AddUTF8FontFromBytes("DejaVu", "B", bold)
		pdf.AddPage()
		if err := table(pdf, "Controls by threat", []float64{18, 80, 30, 30}, `select ct.threat_id || ' ' || t.name,
			ct.control_id || ' ' || c.title, coalesce(r.status, ''), coalesce(r.verdict, '')
			from responses r join controls c on c.framework = r.framework and c.id = r.control_id
			join control_threats ct on ct.framework = r.framework and ct.control_id = r.control_id
			join threats t on t.framework = ct.framework and t.id = ct.threat_id
			where r.assessment_id = $1 order by t.ordinal, not ct.is_primary, ct.ordinal`); err != nil {
			return err
		}
		if err := table(pdf, "Responses and verdicts", []float64{18, 80, 25, 0}, `select r.control_id, c.title,
			coalesce(r.status, ''), r.narrative
			from responses r join controls c on c.framework = r.framework and c.id = r.control_id
			where r.assessment_id = $1 order by r.ordinal`); err != nil {
			return err
		}
		if err := table(pdf, "Findings", []float64{60, 18, 20, 0}, `select title, coalesce(control_id, ''), severity,
			remediation_plan from findings where assessment_id = $1 order by due_at, id`); err != nil {
			return err
		}
		return pdf.Output(io.Discard)
	})
}

// BenchmarkOpenCampaign: opening a campaign over every provider (queueing
// its job and running the job's work to the end), against copying the same
// assessment and response rows, in one transaction, into tables with the
// same keys and foreign keys. It runs last: each run adds a campaign to the
// sector.
func BenchmarkOpenCampaign(b *testing.B) {
	s := scaleSector(b)
	// The baseline writes the rows an opening writes (assessments,
	// responses and their first scores) with the same guarantees, and no
	// more: logged tables with the same keys, unique constraints and foreign
	// keys, so that a row breaking them is refused as it would be. Only the
	// audit events, one per assessment, are left out of it.
	if _, err := s.pool.Exec(ctx0, `drop table if exists bench_threat_risks, bench_compliance_scores, bench_assessment_risk,
			bench_responses, bench_assessments;
		create table bench_assessments (like assessments including defaults including constraints including indexes,
			foreign key (campaign_id) references campaigns (id), foreign key (provider_id) references providers (id),
			foreign key (framework) references frameworks (pk));
		create table bench_responses (like responses including defaults including constraints including indexes,
			foreign key (assessment_id) references bench_assessments (id),
			foreign key (framework, control_id) references controls (framework, id));
		create table bench_threat_risks (like threat_risks including defaults including constraints including indexes,
			foreign key (assessment_id) references bench_assessments (id));
		create table bench_compliance_scores (like compliance_scores including defaults including constraints including indexes,
			foreign key (assessment_id) references bench_assessments (id));
		create table bench_assessment_risk (like assessment_risk including defaults including constraints including indexes,
			foreign key (assessment_id) references bench_assessments (id))`); err != nil {
		b.Fatal(err)
	}
	openOnce := func(name string) (string, error) {
		c, err := s.app.CreateCampaign(ctx0, s.sup, domain.Campaign{Name: name,
			FrameworkID: "x1150", OpensAt: domain.Today(), DueAt: domain.Today().AddDays(60)})
		if err != nil {
			return "", err
		}
		// The whole opening: queued as the API queues it, then the job's
		// work run to completion, as a worker runs it.
		if _, err := s.app.StartOpeningCampaign(ctx0, s.sup, c.ID); err != nil {
			return "", err
		}
		return c.ID, s.app.RunCampaignOpening(ctx0, c.ID)
	}
	// The rows opening makes, read from a campaign opened first.
	model, err := openOnce("Bench opening 0")
	if err != nil {
		b.Fatal(err)
	}
	read := func(sql string) ([]string, [][]any) {
		rows, err := s.pool.Query(ctx0, sql, model)
		if err != nil {
			b.Fatal(err)
		}
		var columns []string
		for _, f := range rows.FieldDescriptions() {
			columns = append(columns, f.Name)
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
		if err != nil {
			b.Fatal(err)
		}
		return columns, list
	}
	aColumns, assessments := read(`select id, campaign_id, provider_id, framework, provider_kind, provider_tier,
		provider_channels from assessments where campaign_id = $1`)
	rColumns, responses := read(`select r.assessment_id, r.framework, r.control_id, r.ordinal from responses r
		join assessments a on a.id = r.assessment_id where a.campaign_id = $1`)
	tColumns, threats := read(`select t.* from threat_risks t join assessments a on a.id = t.assessment_id where a.campaign_id = $1`)
	cColumns, compliance := read(`select x.* from compliance_scores x join assessments a on a.id = x.assessment_id
		where a.campaign_id = $1`)
	sColumns, summaries := read(`select x.* from assessment_risk x join assessments a on a.id = x.assessment_id
		where a.campaign_id = $1`)
	n := 0
	bench.Pair(b, 1/0.7, func() error {
		n++
		_, err := openOnce(fmt.Sprintf("Bench opening %d", n))
		return err
	}, func() error {
		tx, err := s.pool.Begin(ctx0)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx0)
		if _, err := tx.Exec(ctx0, `truncate bench_threat_risks, bench_compliance_scores, bench_assessment_risk,
			bench_responses, bench_assessments`); err != nil {
			return err
		}
		for _, c := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{{"bench_assessments", aColumns, assessments}, {"bench_responses", rColumns, responses},
			{"bench_threat_risks", tColumns, threats}, {"bench_compliance_scores", cColumns, compliance},
			{"bench_assessment_risk", sColumns, summaries}} {
			if _, err := tx.CopyFrom(ctx0, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
				return err
			}
		}
		return tx.Commit(ctx0)
	})
}
