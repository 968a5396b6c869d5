package store

import (
	"context"

	"assure/domain"
)

// RecomputeTrend replaces, in a provider's trend, the points stored under
// another method or calibration than the current one with their numbers
// computed now from the same answers, so that a trend compares like with
// like. What is stored does not change: a closed campaign keeps the scores
// it was decided on.
func (db *DB) RecomputeTrend(ctx context.Context, points []TrendPoint) error {
	var ids []string
	at := map[string]int{}
	for i, p := range points {
		ids, at[p.AssessmentID] = append(ids, p.AssessmentID), i
	}
	if len(ids) == 0 {
		return nil
	}
	all, err := db.computeScores(ctx, db.pool, ids)
	if err != nil {
		return translate(err, "recompute trend")
	}
	for _, s := range all {
		p := &points[at[s.input.id]]
		r, ok := s.bases[p.Basis]
		if !ok {
			continue
		}
		if p.Method == r.Method && p.Calibration == r.Calibration {
			continue
		}
		p.Method, p.Calibration, p.Recomputed = r.Method, r.Calibration, true
		p.Compliance = nil
		if v, ok := r.Overall().Value(); ok {
			p.Compliance = &v
		}
		p.Threats, p.MaxScore, p.MeanScore = 0, 0, 0
		p.Levels = map[domain.RiskLevel]int{}
		sum := 0
		for _, t := range r.Threats {
			if !t.Applicable {
				continue
			}
			p.Threats++
			p.MaxScore, sum = max(p.MaxScore, t.Score), sum+t.Score
			p.Levels[t.Level]++
		}
		if p.Threats > 0 {
			p.MeanScore = float64(sum) / float64(p.Threats)
		}
	}
	return nil
}
