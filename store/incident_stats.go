package store

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// incidentCountsSQL counts the incidents of the actor's scope detected in
// [@from, @to): all of them, and by threat, channel, kind of provider and
// month (UTC), each with how many are major. An incident naming two threats
// counts once under each.
const incidentCountsSQL = `with inc as (
	select i.id, cardinality(i.major_by) > 0 major, i.channels, p.kind,
		to_char(i.detected_at at time zone 'UTC', 'YYYY-MM') as month
	from incidents i join providers p on p.id = i.provider_id
	where i.detected_at >= @from and i.detected_at < @to
		and (@scope = '*' or i.provider_id = nullif(@scope, '*')::uuid))
select 'total', '', count(*)::int, (count(*) filter (where major))::int from inc
union all
select 'threat', t.threat_id, count(*)::int, (count(*) filter (where major))::int
	from inc join incident_threats t on t.incident_id = inc.id group by t.threat_id
union all
select 'channel', c, count(*)::int, (count(*) filter (where major))::int from inc cross join unnest(inc.channels) c group by c
union all
select 'kind', kind, count(*)::int, (count(*) filter (where major))::int from inc group by kind
union all
select 'month', month, count(*)::int, (count(*) filter (where major))::int from inc group by month`

// IncidentStatistics counts the incidents of the actor's scope detected
// from day from to day to, both included, and each threat's observed
// frequency over the twelve months up to day to, beside the default
// likelihood the latest X.1150 version gives it. EInvalid for a period
// domain.CheckStatisticsPeriod refuses.
func (db *DB) IncidentStatistics(ctx context.Context, actor domain.Actor, from, to domain.Date) (domain.IncidentStatistics, error) {
	s := domain.IncidentStatistics{From: from, To: to, WindowFrom: domain.FrequencyWindow(to), WindowTo: to}
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return s, err
	}
	if problems := domain.CheckStatisticsPeriod(from, to); len(problems) > 0 {
		return s, domain.Invalid("bad period", problems)
	}
	key, err := db.frameworkKey(ctx, FrameworkRef{ID: domain.IncidentFramework})
	if err != nil {
		return s, err
	}
	f, err := db.framework(ctx, db.pool, key)
	if err != nil {
		return s, translate(err, "incident statistics")
	}
	counts := map[string]map[string]domain.IncidentCount{"threat": {}, "channel": {}, "kind": {}, "month": {}}
	window := map[string]int{}
	providers := map[domain.ProviderKind]int{}
	end := func(d domain.Date) time.Time { return d.AddDays(1).Time() }
	batch := &pgx.Batch{}
	batch.Queue(incidentCountsSQL, pgx.StrictNamedArgs{"from": from.Time(), "to": end(to), "scope": scope}).
		Query(func(rows pgx.Rows) error {
			var group, key string
			var n, major int
			_, err := pgx.ForEachRow(rows, []any{&group, &key, &n, &major}, func() error {
				if group == "total" {
					s.Total, s.Major = n, major
				} else {
					counts[group][key] = domain.IncidentCount{Key: key, Incidents: n, Major: major}
				}
				return nil
			})
			return err
		})
	batch.Queue(`select t.threat_id, count(*)::int from incidents i join incident_threats t on t.incident_id = i.id
		where i.detected_at >= @from and i.detected_at < @to and (@scope = '*' or i.provider_id = nullif(@scope, '*')::uuid)
		group by t.threat_id`, pgx.StrictNamedArgs{"from": s.WindowFrom.Time(), "to": end(to), "scope": scope}).
		Query(func(rows pgx.Rows) error {
			var threat string
			var n int
			_, err := pgx.ForEachRow(rows, []any{&threat, &n}, func() error { window[threat] = n; return nil })
			return err
		})
	batch.Queue(`select kind, count(*)::int from providers where status <> 'exited'
		and ($1 = '*' or id = nullif($1, '*')::uuid) group by kind`, scope).Query(func(rows pgx.Rows) error {
		var kind domain.ProviderKind
		var n int
		_, err := pgx.ForEachRow(rows, []any{&kind, &n}, func() error { providers[kind] = n; s.Providers += n; return nil })
		return err
	})
	if err := db.pool.SendBatch(ctx, batch).Close(); err != nil {
		return s, translate(err, "incident statistics")
	}
	keyed := func(group, key string) domain.IncidentCount {
		c := counts[group][key]
		c.Key = key
		return c
	}
	for _, t := range f.Threats {
		c := keyed("threat", t.ID)
		c.Name = t.Name
		s.ByThreat = append(s.ByThreat, c)
		freq := domain.ObservedFrequency(window[t.ID], s.Providers)
		s.Frequency = append(s.Frequency, domain.ThreatFrequency{ThreatID: t.ID, Name: t.Name, Incidents: window[t.ID],
			PerProviderYear: freq, Default: t.Likelihood, Observed: domain.LikelihoodOfFrequency(freq)})
	}
	// A threat an incident names that the latest version has dropped still
	// counts, after the catalog's, so the rows add up to the incidents.
	var dropped []string
	for id := range counts["threat"] {
		if !slices.ContainsFunc(f.Threats, func(t domain.Threat) bool { return t.ID == id }) {
			dropped = append(dropped, id)
		}
	}
	slices.Sort(dropped)
	for _, id := range dropped {
		s.ByThreat = append(s.ByThreat, keyed("threat", id))
	}
	for _, c := range domain.Channels {
		s.ByChannel = append(s.ByChannel, keyed("channel", c))
	}
	for _, k := range domain.ProviderKinds {
		s.ByKind = append(s.ByKind, domain.KindCount{IncidentCount: keyed("kind", string(k)), Providers: providers[k]})
	}
	for m := time.Date(from.Time().Year(), from.Time().Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to.Time()); m = m.AddDate(0, 1, 0) {
		s.ByMonth = append(s.ByMonth, keyed("month", m.Format("2006-01")))
	}
	return s, nil
}
