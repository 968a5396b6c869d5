package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Scores are kept current on write: every change to responses, verdicts,
// state or overrides recomputes the scores of the assessments it touches in
// the same transaction, so sector views read stored rows and never
// recompute responses. The maths is domain.AssessRisk; this file only
// gathers its inputs and persists its results.

// Bases of stored scores.
const (
	BasisCurrent = "current" // the assessment as it stands
	BasisFiled   = "filed"   // its latest submission
)

// scoreInput is everything the risk method needs for one assessment.
type scoreInput struct {
	id          string
	providerID  string
	framework   int64
	status      domain.AssessmentStatus
	submissions int
	profile     domain.Profile
	tier        int
	calibration int64               // key of the calibration that applies; 0 for the default
	figures     *domain.RiskProfile // the confirmed profile, else the stated one; nil when none
	stated      bool                // figures are the provider's, not confirmed by a supervisor
	current     map[string]domain.Answer
	sealed      []domain.SnapshotResponse // the latest submission's answers, while it is being revised
	filed       map[string]domain.Answer  // nil before the first submission
	overrides   map[string]domain.Override
}

// fileAnswers sets the answers the filed basis scores: the latest
// submission's while the assessment is being revised, otherwise what stands
// now (or none before the first submission). A change to a response clears
// its verdict, so a verdict that still stands on an unchanged answer is the
// verdict on the filed one.
func (in *scoreInput) fileAnswers() {
	switch {
	case in.submissions == 0:
		in.filed = nil
	case !in.status.Editable():
		in.filed = in.current
	case in.sealed == nil:
		in.filed = nil
	default:
		in.filed = make(map[string]domain.Answer, len(in.sealed))
		for _, r := range in.sealed {
			a := domain.Answer{Status: r.Status, Maturity: r.Maturity, Evidenced: len(r.Evidence) > 0}
			if c, ok := in.current[r.ControlID]; ok && c.Status == r.Status {
				a.Verdict, a.Grade = c.Verdict, c.Grade
			}
			in.filed[r.ControlID] = a
		}
	}
}

// assessmentScores is the result for one assessment, per basis.
type assessmentScores struct {
	input  scoreInput
	f      *cachedFramework
	bases  map[string]domain.RiskResult
	source map[string]string
}

// progress counts the questions asked and answered on a basis.
func (in scoreInput) progress(basis string) (asked, answered int) {
	answers := in.current
	if basis == BasisFiled {
		answers = in.filed
	}
	for _, a := range answers {
		if a.Status != "" {
			answered++
		}
	}
	return len(answers), answered
}

// scoreInputs are the inputs of some assessments, read by the queries
// queueScoreInputs puts in a batch; they are complete once it has run.
type scoreInputs struct {
	list []*scoreInput
	err  error
}

// queueScoreInputs queues on b the reads that scoring the given assessments
// needs, so they cost one round trip with whatever else b carries.
func queueScoreInputs(b *pgx.Batch, ids []string) *scoreInputs {
	out := &scoreInputs{}
	byID := map[string]*scoreInput{}
	b.Queue(`select a.id::text, a.provider_id::text, a.framework, a.status, a.submissions,
		a.provider_kind, a.provider_tier, a.provider_channels, `+scoringCalibrationSQL+`
		from assessments a where a.id = any($1::uuid[]) order by a.id`, ids, domain.RiskMethod).
		Query(func(rows pgx.Rows) error {
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*scoreInput, error) {
				in := &scoreInput{current: map[string]domain.Answer{}, overrides: map[string]domain.Override{}}
				err := r.Scan(&in.id, &in.providerID, &in.framework, &in.status, &in.submissions, &in.profile.Kind,
					&in.tier, &in.profile.Channels, &in.calibration)
				byID[in.id] = in
				return in, err
			})
			out.list = list
			return err
		})
	b.Queue(`select r.assessment_id::text, r.control_id, coalesce(r.status, ''), coalesce(r.verdict, ''),
		coalesce(r.assurance, ''), r.maturity::int, exists (select 1 from response_evidence e
			where e.assessment_id = r.assessment_id and e.control_id = r.control_id)
		from responses r where r.assessment_id = any($1::uuid[])`, ids).Query(func(rows pgx.Rows) error {
		var aid, cid string
		var answer domain.Answer
		_, err := pgx.ForEachRow(rows, []any{&aid, &cid, &answer.Status, &answer.Verdict, &answer.Grade, &answer.Maturity,
			&answer.Evidenced}, func() error {
			byID[aid].current[cid] = answer
			answer.Maturity = nil // a fresh pointer for the next row
			return nil
		})
		return err
	})
	b.Queue(`select distinct on (assessment_id) assessment_id::text, source, `+profileFigureColumns+`
		from risk_profiles where assessment_id = any($1::uuid[]) order by assessment_id, source = 'confirmed' desc`, ids).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var aid, source string
				p, err := scanProfileFigures(rows, &aid, &source)
				if err != nil {
					return err
				}
				byID[aid].figures, byID[aid].stated = p, source == ProfileStated
			}
			return rows.Err()
		})
	b.Queue(`select s.assessment_id::text, s.content->'responses' from submissions s
		join assessments a on a.id = s.assessment_id and a.submissions = s.version
		where s.assessment_id = any($1::uuid[]) and a.status = any($2)`, ids, editableStatuses()).
		Query(func(rows pgx.Rows) error {
			var aid string
			var raw []byte
			_, err := pgx.ForEachRow(rows, []any{&aid, &raw}, func() error {
				in := byID[aid]
				in.sealed = []domain.SnapshotResponse{}
				if err := json.Unmarshal(raw, &in.sealed); err != nil {
					return fmt.Errorf("read submission of %s: %w", aid, err)
				}
				return nil
			})
			return err
		})
	b.Queue(`select provider_id::text, framework, threat_id, likelihood::int, impact::int, reason from risk_overrides
		where provider_id in (select provider_id from assessments where id = any($1::uuid[]))`, ids).
		Query(func(rows pgx.Rows) error {
			var provider, threat string
			var framework int64
			var o domain.Override
			_, err := pgx.ForEachRow(rows, []any{&provider, &framework, &threat, &o.Likelihood, &o.Impact, &o.Reason}, func() error {
				for _, in := range out.list {
					if in.providerID == provider && in.framework == framework {
						in.overrides[threat] = o
					}
				}
				return nil
			})
			for _, in := range out.list {
				in.fileAnswers()
			}
			return err
		})
	return out
}

// loadScoreInputs reads the inputs of the given assessments in one round trip.
func loadScoreInputs(ctx context.Context, q batcher, ids []string) ([]scoreInput, error) {
	b := &pgx.Batch{}
	in := queueScoreInputs(b, ids)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	out := make([]scoreInput, len(in.list))
	for i, p := range in.list {
		out[i] = *p
	}
	return out, nil
}

// editableStatuses are domain.EditableStatuses as query arguments.
func editableStatuses() []string {
	var out []string
	for _, s := range domain.EditableStatuses() {
		out = append(out, string(s))
	}
	return out
}

// batcher is what sends a batch of queries: the pool or a transaction.
type batcher interface {
	querier
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// computeScores runs the risk method on each basis an assessment has.
func (db *DB) computeScores(ctx context.Context, q batcher, ids []string) ([]assessmentScores, error) {
	inputs, err := loadScoreInputs(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]assessmentScores, len(inputs))
	for i, in := range inputs {
		f, cal, err := db.scoringData(ctx, q, in.framework, in.calibration)
		if err != nil {
			return nil, err
		}
		out[i] = scoreOf(in, f, cal)
	}
	return out, nil
}

// scoreOf runs the risk method on each basis of one assessment's inputs.
func scoreOf(in scoreInput, f *cachedFramework, cal *domain.Calibration) assessmentScores {
	s := assessmentScores{input: in, f: f, bases: map[string]domain.RiskResult{}, source: map[string]string{}}
	s.bases[BasisCurrent] = domain.AssessRisk(f.Framework, cal, domain.RiskInputs{Profile: in.profile, Figures: in.figures,
		Answers: in.current, Overrides: in.overrides})
	s.source[BasisCurrent] = string(in.status)
	if in.filed != nil {
		s.bases[BasisFiled] = domain.AssessRisk(f.Framework, cal, domain.RiskInputs{Profile: in.profile, Figures: in.figures,
			Answers: in.filed, Overrides: in.overrides})
		switch in.status {
		case domain.StatusApproved, domain.StatusRejected:
			s.source[BasisFiled] = string(in.status)
		default:
			s.source[BasisFiled] = string(domain.StatusSubmitted)
		}
	}
	return s
}

// scoringData returns the framework and the calibration an assessment is scored with.
func (db *DB) scoringData(ctx context.Context, q querier, framework, calibration int64) (*cachedFramework, *domain.Calibration, error) {
	f, err := db.framework(ctx, q, framework)
	if err != nil {
		return nil, nil, err
	}
	cal, err := db.calibration(ctx, q, calibration)
	return f, cal, err
}

// cell returns the index of (likelihood, impact) in a 25-cell matrix array.
func cell(l, i int) int { return (l-1)*5 + (i - 1) }

// refreshScores recomputes and stores the scores of the given assessments,
// and their places in the priority ranking that reads them.
func (db *DB) refreshScores(ctx context.Context, t *txn, ids ...string) error {
	if err := db.storeScores(ctx, t, ids...); err != nil {
		return err
	}
	return db.refreshPriorities(ctx, t, ids...)
}

// rewrittenOver is the number of assessments above which storing scores
// replaces every row instead of writing those that differ: comparing costs
// a read of what is stored, which pays for itself when few rows change.
const rewrittenOver = 16

// storeScores recomputes and stores the scores of the given assessments and
// nothing that depends on them; refreshScores is for every caller that does
// not know the ranking is unchanged. For a few assessments it reads their
// inputs and stored rows in one round trip and writes, in another, only the
// rows that differ.
func (db *DB) storeScores(ctx context.Context, t *txn, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > rewrittenOver {
		all, err := db.computeScores(ctx, t, ids)
		if err != nil {
			return fmt.Errorf("compute scores: %w", err)
		}
		return writeScores(ctx, t, ids, all)
	}
	b := &pgx.Batch{}
	inputs := queueScoreInputs(b, ids)
	stored := queueStoredScores(b, ids)
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("read scores: %w", err)
	}
	all, err := db.scoresOf(ctx, t, inputs.list)
	if err != nil {
		return fmt.Errorf("compute scores: %w", err)
	}
	b = &pgx.Batch{}
	if err := queueScoreChanges(b, stored, all); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return t.SendBatch(ctx, b).Close()
}

// scoresOf runs the risk method on inputs.
func (db *DB) scoresOf(ctx context.Context, q querier, inputs []*scoreInput) ([]assessmentScores, error) {
	out := make([]assessmentScores, len(inputs))
	for i, in := range inputs {
		f, cal, err := db.scoringData(ctx, q, in.framework, in.calibration)
		if err != nil {
			return nil, err
		}
		out[i] = scoreOf(*in, f, cal)
	}
	return out, nil
}

// scoreTable is a table scores are stored in: its columns, of which the
// first keys name a row.
type scoreTable struct {
	name    string
	columns []string
	keys    int
}

var scoreTables = [3]scoreTable{
	{"threat_risks", []string{"assessment_id", "basis", "threat_id", "applicable", "l0", "i0", "credit", "weight", "confident",
		"counted", "capped", "l1", "i1", "score", "level", "overridden", "method"}, 3},
	{"compliance_scores", []string{"assessment_id", "basis", "facet", "key", "credit", "weight", "confident", "counted", "method"}, 4},
	{"assessment_risk", []string{"assessment_id", "basis", "source", "submission", "threats", "max_score", "sum_score",
		"max_inherent", "sum_inherent", "low", "medium", "high", "critical", "credit", "weight",
		"confident", "counted", "residual_cells", "inherent_cells", "asked", "answered", "method", "calibration"}, 2},
}

// scoreRows renders scores as the rows of each score table, in the order of
// scoreTables, with the assessment's id as text.
func scoreRows(all []assessmentScores) [3][][]any {
	var out [3][][]any
	for _, s := range all {
		id := s.input.id
		for basis, r := range s.bases {
			sum := struct{ threats, maxScore, sumScore, maxInherent, sumInherent int }{}
			levels := map[domain.RiskLevel]int{}
			residual, inherent := make([]int, 25), make([]int, 25)
			for _, tr := range r.Threats {
				out[0] = append(out[0], []any{id, basis, tr.ThreatID, tr.Applicable, tr.L0, tr.I0,
					tr.Credit, tr.Weight, tr.Confident, tr.Counted, tr.Capped(), tr.L1, tr.I1, tr.Score, string(tr.Level),
					tr.Override != nil, r.Method})
				if !tr.Applicable {
					continue
				}
				sum.threats++
				sum.maxScore, sum.sumScore = max(sum.maxScore, tr.Score), sum.sumScore+tr.Score
				sum.maxInherent, sum.sumInherent = max(sum.maxInherent, tr.InherentScore()), sum.sumInherent+tr.InherentScore()
				levels[tr.Level]++
				residual[cell(tr.L1, tr.I1)]++
				inherent[cell(tr.L0, tr.I0)]++
			}
			for _, c := range r.Compliance {
				out[1] = append(out[1], []any{id, basis, string(c.Facet), c.Key, c.Credit, c.Weight, c.Confident, c.Counted, r.Method})
			}
			o := r.Overall()
			asked, answered := s.input.progress(basis)
			out[2] = append(out[2], []any{id, basis, s.source[basis], s.input.submissions, sum.threats,
				sum.maxScore, sum.sumScore, sum.maxInherent, sum.sumInherent, levels[domain.LevelLow],
				levels[domain.LevelMedium], levels[domain.LevelHigh], levels[domain.LevelCritical], o.Credit, o.Weight,
				o.Confident, o.Counted, residual, inherent, asked, answered, r.Method, r.Calibration})
		}
	}
	return out
}

// writeScores replaces the stored scores of the given assessments with all.
// Assessments just made have none stored: ids is then empty.
func writeScores(ctx context.Context, t *txn, ids []string, all []assessmentScores) error {
	for _, table := range scoreTables {
		if len(ids) == 0 {
			break
		}
		if _, err := t.Exec(ctx, `delete from `+table.name+` where assessment_id = any($1::uuid[])`, ids); err != nil {
			return fmt.Errorf("clear %s: %w", table.name, err)
		}
	}
	for i, rows := range scoreRows(all) {
		for _, r := range rows {
			r[0] = uuidOf(r[0].(string)) // binary, so COPY does not parse the text per row
		}
		if err := copyRows(ctx, t, scoreTables[i].name, scoreTables[i].columns, rows); err != nil {
			return err
		}
	}
	return nil
}

// storedScoreRows are the stored rows of some assessments' scores, per
// table of scoreTables: each row's values by its key, both rendered by
// rowText.
type storedScoreRows [3]map[string]string

// queueStoredScores queues on b the reads of the stored scores of ids.
func queueStoredScores(b *pgx.Batch, ids []string) *storedScoreRows {
	out := &storedScoreRows{}
	for i, table := range scoreTables {
		out[i] = map[string]string{}
		b.Queue(`select assessment_id::text, `+strings.Join(table.columns[1:], ", ")+` from `+table.name+`
			where assessment_id = any($1::uuid[])`, ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				values, err := rows.Values()
				if err != nil {
					return err
				}
				key, text := rowText(table, values)
				out[i][key] = text
			}
			return rows.Err()
		})
	}
	return out
}

// rowText renders a score row's key and the rest of its values so that a
// stored row and a computed one compare equal when they hold the same.
func rowText(table scoreTable, values []any) (key, rest string) {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts[:table.keys], "\x1f"), strings.Join(parts[table.keys:], "\x1f")
}

// queueScoreChanges queues on b the writes that make the stored rows of the
// assessments scored in all equal to them: an upsert of each row that
// differs and a delete of each stored row no longer computed.
func queueScoreChanges(b *pgx.Batch, stored *storedScoreRows, all []assessmentScores) error {
	for i, rows := range scoreRows(all) {
		table := scoreTables[i]
		var changed []map[string]any
		computed := map[string]bool{}
		for _, r := range rows {
			key, text := rowText(table, r)
			computed[key] = true
			if old, ok := stored[i][key]; ok && old == text {
				continue
			}
			row := make(map[string]any, len(r))
			for j, c := range table.columns {
				row[c] = r[j]
			}
			changed = append(changed, row)
		}
		var gone []map[string]any
		for key := range stored[i] {
			if computed[key] {
				continue
			}
			row := map[string]any{}
			for j, v := range strings.Split(key, "\x1f") {
				row[table.columns[j]] = v
			}
			gone = append(gone, row)
		}
		keys := strings.Join(table.columns[:table.keys], ", ")
		if len(gone) > 0 {
			doc, err := json.Marshal(gone)
			if err != nil {
				return err
			}
			match := make([]string, table.keys)
			for j, c := range table.columns[:table.keys] {
				match[j] = "t." + c + " = d." + c
			}
			b.Queue(`delete from `+table.name+` t using jsonb_populate_recordset(null::`+table.name+`, $1::jsonb) d
				where `+strings.Join(match, " and "), doc)
		}
		if len(changed) > 0 {
			doc, err := json.Marshal(changed)
			if err != nil {
				return err
			}
			set := make([]string, 0, len(table.columns)-table.keys)
			for _, c := range table.columns[table.keys:] {
				set = append(set, c+" = excluded."+c)
			}
			b.Queue(`insert into `+table.name+` (`+strings.Join(table.columns, ", ")+`)
				select `+strings.Join(table.columns, ", ")+` from jsonb_populate_recordset(null::`+table.name+`, $1::jsonb)
				on conflict (`+keys+`) do update set `+strings.Join(set, ", "), doc)
		}
	}
	return nil
}

// storedScores returns the stored scores of an assessment by basis, for
// checking that they equal a fresh computation.
func (db *DB) storedScores(ctx context.Context, assessmentID string) (map[string][]string, error) {
	out := map[string][]string{}
	rows, err := db.pool.Query(ctx, `select basis, format('%s %s L0=%s I0=%s c=%s/%s/%s n=%s cap=%s L1=%s I1=%s %s %s o=%s m=%s', threat_id,
		applicable::text, l0, i0, credit, weight, confident, counted, capped::text, l1, i1, score, level, overridden::text, method)
		from threat_risks where assessment_id = $1
		union all select basis, format('%s:%s %s/%s/%s n=%s m=%s', facet, key, credit, weight, confident, counted, method)
		from compliance_scores where assessment_id = $1
		union all select basis, format('summary %s #%s %s %s %s %s %s/%s/%s/%s %s/%s/%s n=%s %s %s %s/%s m=%s %s', source, submission,
			threats, max_score, sum_score, max_inherent, low, medium, high, critical, credit, weight, confident, counted,
			array_to_string(residual_cells, ','), array_to_string(inherent_cells, ','), answered, asked, method, calibration)
		from assessment_risk where assessment_id = $1`,
		assessmentID)
	if err != nil {
		return nil, translate(err, "stored scores")
	}
	var basis, line string
	_, err = pgx.ForEachRow(rows, []any{&basis, &line}, func() error {
		out[basis] = append(out[basis], line)
		return nil
	})
	for _, lines := range out {
		slices.Sort(lines)
	}
	return out, translate(err, "stored scores")
}

// freshScores computes an assessment's scores from its data now, in the same
// rendering as storedScores.
func (db *DB) freshScores(ctx context.Context, assessmentID string) (map[string][]string, error) {
	all, err := db.computeScores(ctx, db.pool, []string{assessmentID})
	if err != nil {
		return nil, translate(err, "fresh scores")
	}
	out := map[string][]string{}
	s := all[0]
	for basis, r := range s.bases {
		var lines []string
		threats, maxScore, sumScore, maxInh := 0, 0, 0, 0
		levels := map[domain.RiskLevel]int{}
		for _, t := range r.Threats {
			lines = append(lines, fmt.Sprintf("%s %v L0=%d I0=%d c=%d/%d/%d n=%d cap=%v L1=%d I1=%d %d %s o=%v m=%s", t.ThreatID,
				t.Applicable, t.L0, t.I0, t.Credit, t.Weight, t.Confident, t.Counted, t.Capped(), t.L1, t.I1, t.Score, t.Level,
				t.Override != nil, r.Method))
			if t.Applicable {
				threats++
				maxScore, sumScore, maxInh = max(maxScore, t.Score), sumScore+t.Score, max(maxInh, t.InherentScore())
				levels[t.Level]++
			}
		}
		for _, c := range r.Compliance {
			lines = append(lines, fmt.Sprintf("%s:%s %d/%d/%d n=%d m=%s", c.Facet, c.Key, c.Credit, c.Weight, c.Confident, c.Counted, r.Method))
		}
		sumInh := 0
		residual, inherent := make([]string, 25), make([]string, 25)
		for i := range residual {
			residual[i], inherent[i] = "0", "0"
		}
		cells := [2][25]int{}
		for _, t := range r.Threats {
			if t.Applicable {
				sumInh += t.InherentScore()
				cells[0][cell(t.L1, t.I1)]++
				cells[1][cell(t.L0, t.I0)]++
			}
		}
		for i := range 25 {
			residual[i], inherent[i] = fmt.Sprint(cells[0][i]), fmt.Sprint(cells[1][i])
		}
		o := r.Overall()
		asked, answered := s.input.progress(basis)
		lines = append(lines, fmt.Sprintf("summary %s #%d %d %d %d %d %d/%d/%d/%d %d/%d/%d n=%d %s %s %d/%d m=%s %s", s.source[basis],
			s.input.submissions, threats, maxScore, sumScore, maxInh, levels[domain.LevelLow], levels[domain.LevelMedium],
			levels[domain.LevelHigh], levels[domain.LevelCritical], o.Credit, o.Weight, o.Confident, o.Counted,
			strings.Join(residual, ","), strings.Join(inherent, ","), answered, asked, r.Method, r.Calibration))
		slices.Sort(lines)
		out[basis] = lines
	}
	return out, nil
}

// CheckScores reports whether an assessment's stored scores equal a fresh
// computation from its data; the error names the first difference. Scores
// are kept current on write, so a difference means the database was changed
// behind Assure's back. Scores an earlier method computed, which a closed
// campaign keeps, are not checked.
func (db *DB) CheckScores(ctx context.Context, assessmentID string) error {
	var kept bool
	if err := db.pool.QueryRow(ctx, `select exists (select 1 from assessment_risk where assessment_id = $1 and method <> $2)`,
		assessmentID, domain.RiskMethod).Scan(&kept); err != nil {
		return translate(err, "stored scores")
	}
	if kept {
		// Scores of an earlier method, kept by a closed campaign: this
		// method cannot recompute them, so there is nothing to compare.
		return nil
	}
	stored, err := db.storedScores(ctx, assessmentID)
	if err != nil {
		return err
	}
	fresh, err := db.freshScores(ctx, assessmentID)
	if err != nil {
		return err
	}
	for _, basis := range []string{BasisCurrent, BasisFiled} {
		a, b := stored[basis], fresh[basis]
		if len(a) != len(b) {
			return fmt.Errorf("store: %s scores of %s: %d stored rows, %d computed", basis, assessmentID, len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				return fmt.Errorf("store: %s scores of %s: stored %q, computed %q", basis, assessmentID, a[i], b[i])
			}
		}
	}
	return nil
}

// RebuildScores recomputes the stored scores of every assessment of a
// campaign (of every campaign when campaignID is empty), in batches. It is
// the repair for scores found stale by CheckScores, e.g. after a restore.
func (db *DB) RebuildScores(ctx context.Context, actor domain.Actor, campaignID string) (int, error) {
	if campaignID != "" && !isUUID(campaignID) {
		return 0, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	rows, err := db.pool.Query(ctx, `select id::text from assessments where $1 = '' or campaign_id::text = $1 order by id`, campaignID)
	if err != nil {
		return 0, translate(err, "rebuild scores")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, translate(err, "rebuild scores")
	}
	return len(ids), db.rebuild(ctx, actor, campaignID, ids)
}

// rebuild recomputes the stored scores of the given assessments, 500 to a
// transaction.
func (db *DB) rebuild(ctx context.Context, actor domain.Actor, campaignID string, ids []string) error {
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		err := db.write(ctx, "rebuild scores", func(t *txn) error {
			if _, err := t.Exec(ctx, `select 1 from assessments where id = any($1::uuid[]) order by id for update`, part); err != nil {
				return err
			}
			if err := db.refreshScores(ctx, t, part...); err != nil {
				return err
			}
			return t.record(actor, "scores.rebuild", "campaign", campaignID, "", map[string]any{"assessments": len(part)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CheckAllScores checks the stored scores of every assessment and returns
// the problems found, one per assessment that differs.
func (db *DB) CheckAllScores(ctx context.Context) (int, []string, error) {
	rows, err := db.pool.Query(ctx, `select id::text from assessments order by id`)
	if err != nil {
		return 0, nil, translate(err, "check scores")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, nil, translate(err, "check scores")
	}
	var problems []string
	for _, id := range ids {
		if err := db.CheckScores(ctx, id); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return len(ids), problems, nil
}
