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
	current     map[string]domain.Answer
	filed       map[string]domain.Answer // nil before the first submission
	overrides   map[string]domain.Override
}

// assessmentScores is the result for one assessment, per basis.
type assessmentScores struct {
	input  scoreInput
	f      *cachedFramework
	bases  map[string]domain.RiskResult
	source map[string]string
}

// loadScoreInputs reads the inputs of the given assessments in a few queries.
func loadScoreInputs(ctx context.Context, q querier, ids []string) ([]scoreInput, error) {
	rows, err := q.Query(ctx, `select id::text, provider_id::text, framework, status, submissions,
		provider_kind, provider_tier, provider_channels from assessments where id = any($1::uuid[]) order by id`, ids)
	if err != nil {
		return nil, err
	}
	inputs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (scoreInput, error) {
		var in scoreInput
		err := r.Scan(&in.id, &in.providerID, &in.framework, &in.status, &in.submissions, &in.profile.Kind,
			&in.tier, &in.profile.Channels)
		in.current = map[string]domain.Answer{}
		in.overrides = map[string]domain.Override{}
		return in, err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]*scoreInput{}
	providers := map[string]bool{}
	var revised []string
	for i := range inputs {
		byID[inputs[i].id] = &inputs[i]
		providers[inputs[i].providerID] = true
		if inputs[i].submissions > 0 && inputs[i].status.Editable() {
			revised = append(revised, inputs[i].id)
		}
	}

	rows, err = q.Query(ctx, `select assessment_id::text, control_id, coalesce(status, ''), coalesce(verdict, '')
		from responses where assessment_id = any($1::uuid[])`, ids)
	if err != nil {
		return nil, err
	}
	var aid, cid string
	var answer domain.Answer
	if _, err := pgx.ForEachRow(rows, []any{&aid, &cid, &answer.Status, &answer.Verdict}, func() error {
		byID[aid].current[cid] = answer
		return nil
	}); err != nil {
		return nil, err
	}

	// Being revised, an assessment's filing is its latest submission;
	// otherwise the filing is what stands now.
	for i := range inputs {
		if in := &inputs[i]; in.submissions > 0 && !in.status.Editable() {
			in.filed = in.current
		}
	}
	if len(revised) > 0 {
		rows, err = q.Query(ctx, `select s.assessment_id::text, s.content->'responses' from submissions s
			join assessments a on a.id = s.assessment_id and a.submissions = s.version
			where s.assessment_id = any($1::uuid[])`, revised)
		if err != nil {
			return nil, err
		}
		var raw []byte
		if _, err := pgx.ForEachRow(rows, []any{&aid, &raw}, func() error {
			var sealed []domain.SnapshotResponse
			if err := json.Unmarshal(raw, &sealed); err != nil {
				return fmt.Errorf("read submission of %s: %w", aid, err)
			}
			// A change to a response clears its verdict, so a verdict that
			// still stands on an unchanged answer is the verdict on the filed one.
			current := byID[aid].current
			filed := map[string]domain.Answer{}
			for _, r := range sealed {
				a := domain.Answer{Status: r.Status}
				if c, ok := current[r.ControlID]; ok && c.Status == r.Status {
					a.Verdict = c.Verdict
				}
				filed[r.ControlID] = a
			}
			byID[aid].filed = filed
			return nil
		}); err != nil {
			return nil, err
		}
	}

	providerIDs := make([]string, 0, len(providers))
	for p := range providers {
		providerIDs = append(providerIDs, p)
	}
	rows, err = q.Query(ctx, `select provider_id::text, framework, threat_id, likelihood::int, impact::int, reason
		from risk_overrides where provider_id = any($1::uuid[])`, providerIDs)
	if err != nil {
		return nil, err
	}
	type overrideRow struct {
		provider  string
		framework int64
		threat    string
		o         domain.Override
	}
	overrides, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (overrideRow, error) {
		var o overrideRow
		return o, r.Scan(&o.provider, &o.framework, &o.threat, &o.o.Likelihood, &o.o.Impact, &o.o.Reason)
	})
	if err != nil {
		return nil, err
	}
	for i := range inputs {
		for _, o := range overrides {
			if o.provider == inputs[i].providerID && o.framework == inputs[i].framework {
				inputs[i].overrides[o.threat] = o.o
			}
		}
	}
	return inputs, nil
}

// computeScores runs the risk method on each basis an assessment has.
func (db *DB) computeScores(ctx context.Context, q querier, ids []string) ([]assessmentScores, error) {
	inputs, err := loadScoreInputs(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]assessmentScores, len(inputs))
	for i, in := range inputs {
		f, err := db.framework(ctx, q, in.framework)
		if err != nil {
			return nil, err
		}
		out[i] = scoreOf(in, f)
	}
	return out, nil
}

// scoreOf runs the risk method on each basis of one assessment's inputs.
func scoreOf(in scoreInput, f *cachedFramework) assessmentScores {
	s := assessmentScores{input: in, f: f, bases: map[string]domain.RiskResult{}, source: map[string]string{}}
	s.bases[BasisCurrent] = domain.AssessRisk(f.Framework, in.profile, in.tier, in.current, in.overrides)
	s.source[BasisCurrent] = string(in.status)
	if in.filed != nil {
		s.bases[BasisFiled] = domain.AssessRisk(f.Framework, in.profile, in.tier, in.filed, in.overrides)
		switch in.status {
		case domain.StatusApproved, domain.StatusRejected:
			s.source[BasisFiled] = string(in.status)
		default:
			s.source[BasisFiled] = string(domain.StatusSubmitted)
		}
	}
	return s
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

// storeScores recomputes and stores the scores of the given assessments and
// nothing that depends on them; refreshScores is for every caller that does
// not know the ranking is unchanged.
func (db *DB) storeScores(ctx context.Context, t *txn, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	all, err := db.computeScores(ctx, t, ids)
	if err != nil {
		return fmt.Errorf("compute scores: %w", err)
	}
	return writeScores(ctx, t, ids, all)
}

// writeScores replaces the stored scores of the given assessments with all.
// Assessments just made have none stored: ids is then empty.
func writeScores(ctx context.Context, t *txn, ids []string, all []assessmentScores) error {
	for _, table := range []string{"threat_risks", "compliance_scores", "assessment_risk"} {
		if len(ids) == 0 {
			break
		}
		if _, err := t.Exec(ctx, `delete from `+table+` where assessment_id = any($1::uuid[])`, ids); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	var threatRows, complianceRows, summaryRows [][]any
	for _, s := range all {
		id := uuidOf(s.input.id) // binary, so COPY does not parse the text per row
		for basis, r := range s.bases {
			sum := struct{ threats, maxScore, sumScore, maxInherent, sumInherent int }{}
			levels := map[domain.RiskLevel]int{}
			residual, inherent := make([]int, 25), make([]int, 25)
			for _, tr := range r.Threats {
				threatRows = append(threatRows, []any{id, basis, tr.ThreatID, tr.Applicable, tr.L0, tr.I0,
					tr.Quarters, tr.Counted, tr.L1, tr.I1, tr.Score, string(tr.Level), tr.Override != nil})
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
				complianceRows = append(complianceRows, []any{id, basis, string(c.Facet), c.Key, c.Quarters, c.Counted})
			}
			o := r.Overall()
			summaryRows = append(summaryRows, []any{id, basis, s.source[basis], s.input.submissions, sum.threats,
				sum.maxScore, sum.sumScore, sum.maxInherent, sum.sumInherent, levels[domain.LevelLow],
				levels[domain.LevelMedium], levels[domain.LevelHigh], levels[domain.LevelCritical], o.Quarters, o.Counted,
				residual, inherent})
		}
	}
	for _, c := range []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"threat_risks", []string{"assessment_id", "basis", "threat_id", "applicable", "l0", "i0", "quarters", "counted",
			"l1", "i1", "score", "level", "overridden"}, threatRows},
		{"compliance_scores", []string{"assessment_id", "basis", "facet", "key", "quarters", "counted"}, complianceRows},
		{"assessment_risk", []string{"assessment_id", "basis", "source", "submission", "threats", "max_score", "sum_score",
			"max_inherent", "sum_inherent", "low", "medium", "high", "critical", "quarters", "counted",
			"residual_cells", "inherent_cells"}, summaryRows},
	} {
		if err := copyRows(ctx, t, c.table, c.columns, c.rows); err != nil {
			return err
		}
	}
	return nil
}

// storedScores returns the stored scores of an assessment by basis, for
// checking that they equal a fresh computation.
func (db *DB) storedScores(ctx context.Context, assessmentID string) (map[string][]string, error) {
	out := map[string][]string{}
	rows, err := db.pool.Query(ctx, `select basis, format('%s %s L0=%s I0=%s q=%s/%s L1=%s I1=%s %s %s o=%s', threat_id, applicable::text,
		l0, i0, quarters, counted, l1, i1, score, level, overridden::text) from threat_risks where assessment_id = $1
		union all select basis, format('%s:%s %s/%s', facet, key, quarters, counted) from compliance_scores where assessment_id = $1
		union all select basis, format('summary %s #%s %s %s %s %s %s/%s/%s/%s %s/%s %s %s', source, submission, threats, max_score,
			sum_score, max_inherent, low, medium, high, critical, quarters, counted, array_to_string(residual_cells, ','),
			array_to_string(inherent_cells, ',')) from assessment_risk where assessment_id = $1`,
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
			lines = append(lines, fmt.Sprintf("%s %v L0=%d I0=%d q=%d/%d L1=%d I1=%d %d %s o=%v", t.ThreatID, t.Applicable,
				t.L0, t.I0, t.Quarters, t.Counted, t.L1, t.I1, t.Score, t.Level, t.Override != nil))
			if t.Applicable {
				threats++
				maxScore, sumScore, maxInh = max(maxScore, t.Score), sumScore+t.Score, max(maxInh, t.InherentScore())
				levels[t.Level]++
			}
		}
		for _, c := range r.Compliance {
			lines = append(lines, fmt.Sprintf("%s:%s %d/%d", c.Facet, c.Key, c.Quarters, c.Counted))
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
		lines = append(lines, fmt.Sprintf("summary %s #%d %d %d %d %d %d/%d/%d/%d %d/%d %s %s", s.source[basis], s.input.submissions,
			threats, maxScore, sumScore, maxInh, levels[domain.LevelLow], levels[domain.LevelMedium], levels[domain.LevelHigh],
			levels[domain.LevelCritical], o.Quarters, o.Counted, strings.Join(residual, ","), strings.Join(inherent, ",")))
		slices.Sort(lines)
		out[basis] = lines
	}
	return out, nil
}

// CheckScores reports whether an assessment's stored scores equal a fresh
// computation from its data; the error names the first difference. Scores
// are kept current on write, so a difference means the database was changed
// behind Assure's back.
func (db *DB) CheckScores(ctx context.Context, assessmentID string) error {
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
			return start, err
		}
	}
	return len(ids), nil
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
