package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// Incidents: a provider's initial report opens one; intermediate and final
// reports and a supervisor's requests and closing follow. Every write reads
// the clock once (the injected one in tests) and the settings in force,
// applies the domain's rules, and keeps on the incident row the latest facts
// and where each clock stands, so lists and the queue read one row each.

const incidentColumns = `i.id::text, i.provider_id::text, p.short_name, p.kind, i.title, i.detected_at, i.classified_at,
	i.status, i.facts, i.major_by, i.initial_due, i.intermediate_due, i.final_due, i.initial_filed_at,
	i.intermediate_filed_at, i.final_filed_at, coalesce(u.email, ''), i.reported_at, i.updated_at, i.closed_at,
	coalesce(cu.email, ''), i.closing_comment, i.version, coalesce(q.id::text, ''), coalesce(q.comment, '')`

// incidentFrom joins what an incident row is shown with: its provider, who
// reported and closed it, and the request for information awaiting an answer.
const incidentFrom = ` from incidents i join providers p on p.id = i.provider_id
	left join users u on u.id = i.reported_by left join users cu on cu.id = i.closed_by
	left join lateral (select r.id, r.comment from incident_requests r where i.status = 'information_requested'
		and r.incident_id = i.id and not exists (select 1 from incident_reports a where a.answers = r.id)
		order by r.requested_at desc, r.id desc limit 1) q on true `

// incidentSortDue is what the queue sorts by: the clock that runs out first,
// and after every running clock the incidents with none. The indexes
// incidents_queue_due and incidents_provider_queue_due hold the same
// expression (migration 028).
const incidentSortDue = `coalesce(i.next_due, '9999-12-31 00:00:00+00'::timestamptz)`

func scanIncident(row pgx.CollectableRow) (domain.Incident, error) {
	var i domain.Incident
	var facts []byte
	var major []string
	var intermediate, final, closed *time.Time
	i.Deadlines = make([]domain.PhaseDeadline, len(domain.IncidentPhases))
	for k, p := range domain.IncidentPhases {
		i.Deadlines[k].Phase = p
	}
	err := row.Scan(&i.ID, &i.ProviderID, &i.ProviderName, &i.ProviderKind, &i.Title, &i.DetectedAt, &i.ClassifiedAt,
		&i.Status, &facts, &major, &i.Deadlines[0].Due, &i.Deadlines[1].Due, &i.Deadlines[2].Due, &i.Deadlines[0].FiledAt,
		&intermediate, &final, &i.ReportedBy, &i.ReportedAt, &i.UpdatedAt, &closed, &i.ClosedBy, &i.Closing, &i.Version,
		&i.PendingID, &i.Pending)
	if err != nil {
		return i, err
	}
	if intermediate != nil {
		i.Deadlines[1].FiledAt = *intermediate
	}
	if final != nil {
		i.Deadlines[2].FiledAt = *final
	}
	if closed != nil {
		i.ClosedAt = *closed
	}
	for _, c := range major {
		i.MajorBy = append(i.MajorBy, domain.IncidentCriterion(c))
	}
	return i, json.Unmarshal(facts, &i.Facts)
}

// getIncident reads one incident within the actor's scope, locked for a
// write when lock is set. ENotFound when the actor may not see it.
func getIncident(ctx context.Context, q querier, actor domain.Actor, id string, lock bool) (domain.Incident, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.Incident{}, err
	}
	if !isUUID(id) {
		return domain.Incident{}, domain.Errorf(domain.ENotFound, "no such incident")
	}
	sql := `select ` + incidentColumns + incidentFrom + ` where i.id = $1 and ($2 = '*' or i.provider_id = nullif($2, '*')::uuid)`
	if lock {
		sql += ` for update of i`
	}
	rows, err := q.Query(ctx, sql, id, scope)
	if err != nil {
		return domain.Incident{}, err
	}
	i, err := pgx.CollectExactlyOneRow(rows, scanIncident)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, domain.Errorf(domain.ENotFound, "no such incident")
	}
	return i, err
}

// incidentWrite is what every incident write starts from: the transaction's
// one instant, the settings in force and the framework whose threats
// incidents name.
type incidentWrite struct {
	now       time.Time
	settings  domain.Settings
	framework int64
	threats   map[string]bool
}

func (db *DB) startIncidentWrite(ctx context.Context, t *txn) (incidentWrite, error) {
	var w incidentWrite
	var raw []byte
	if err := t.QueryRow(ctx, `select coalesce($1::timestamptz, now()), (select value from settings)`, db.nowArg()).
		Scan(&w.now, &raw); err != nil {
		return w, err
	}
	if err := json.Unmarshal(raw, &w.settings); err != nil {
		return w, err
	}
	key, err := db.frameworkKey(ctx, FrameworkRef{ID: domain.IncidentFramework})
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		return w, domain.Errorf(domain.EConflict, "no X.1150 catalog is published: incidents name its threats")
	}
	if err != nil {
		return w, err
	}
	f, err := db.framework(ctx, t, key)
	if err != nil {
		return w, err
	}
	w.framework, w.threats = key, map[string]bool{}
	for _, th := range f.Threats {
		w.threats[th.ID] = true
	}
	return w, nil
}

func (w incidentWrite) known(id string) bool { return w.threats[id] }

// criteria returns the criteria met as the column holds them.
func criteria(cs []domain.IncidentCriterion) []string {
	out := make([]string, len(cs))
	for k, c := range cs {
		out[k] = string(c)
	}
	return out
}

// nextDue is the incident's next_due column.
func nextDue(i domain.Incident) any {
	if due, ok := i.NextDue(); ok {
		return due
	}
	return nil
}

// filedAt is a phase's filed_at column.
func filedAt(i domain.Incident, p domain.IncidentPhase) any {
	if at := i.Deadline(p).FiledAt; !at.IsZero() {
		return at
	}
	return nil
}

// replaceThreats makes the incident's threats those its latest report names.
func replaceThreats(ctx context.Context, t *txn, id string, framework int64, threats []string) error {
	if _, err := t.Exec(ctx, `delete from incident_threats where incident_id = $1`, id); err != nil {
		return err
	}
	_, err := t.Exec(ctx, `insert into incident_threats (incident_id, framework, threat_id)
		select $1, $2, unnest($3::text[])`, id, framework, threats)
	return err
}

// insertReport files a report on the incident, as the next of its reports.
func insertReport(ctx context.Context, t *txn, actor domain.Actor, i domain.Incident, phase domain.IncidentPhase,
	major []domain.IncidentCriterion, answers string, at time.Time) (string, error) {
	facts, err := json.Marshal(i.Facts)
	if err != nil {
		return "", err
	}
	var id string
	err = t.QueryRow(ctx, `insert into incident_reports (incident_id, provider_id, seq, phase, facts, major_by, answers, filed_by, filed_at)
		values (@incident, @provider, (select coalesce(max(seq), 0) + 1 from incident_reports where incident_id = @incident),
			@phase, @facts, @major, @answers, @by, @at) returning id::text`,
		pgx.StrictNamedArgs{"incident": i.ID, "provider": i.ProviderID, "phase": string(phase), "facts": facts,
			"major": criteria(major), "answers": nullable(answers), "by": nullable(actor.UserID), "at": at}).Scan(&id)
	return id, err
}

// clockSummary says, for the audit trail, where the phase's clock stood when
// it was filed.
func clockSummary(i domain.Incident, p domain.IncidentPhase, at time.Time) map[string]any {
	d := i.Deadline(p)
	return map[string]any{"phase": p, "due": d.Due, "late": at.After(d.Due)}
}

// ReportIncident files a provider's initial report, which opens the
// incident: its deadlines are fixed from the detection, the classification
// and the settings in force, and the report's figures classify it. It
// returns ENotFound for a provider the actor cannot see, EInvalid listing
// every problem, and EConflict when no X.1150 catalog is published.
func (db *DB) ReportIncident(ctx context.Context, actor domain.Actor, n domain.NewIncident) (domain.Incident, error) {
	n = n.Trimmed()
	var out domain.Incident
	err := db.write(ctx, "report incident", func(t *txn) error {
		if _, err := getProvider(ctx, t, actor, n.ProviderID, false); err != nil {
			return err
		}
		w, err := db.startIncidentWrite(ctx, t)
		if err != nil {
			return err
		}
		if problems := domain.CheckNewIncident(n, w.now, w.known); len(problems) > 0 {
			return domain.Invalid("the incident cannot be reported", problems)
		}
		n.DetectedAt, n.ClassifiedAt = n.DetectedAt.UTC(), n.ClassifiedAt.UTC()
		inc := domain.Incident{ProviderID: n.ProviderID, Status: domain.IncidentOpen, Facts: n.Facts,
			MajorBy:   domain.Classify(n.Facts, w.settings.Thresholds()),
			Deadlines: domain.FileReport(w.settings.Deadlines().For(n.DetectedAt, n.ClassifiedAt), domain.PhaseInitial, w.now)}
		facts, err := json.Marshal(n.Facts)
		if err != nil {
			return err
		}
		if err := t.QueryRow(ctx, `insert into incidents (provider_id, title, detected_at, classified_at, status, facts,
			major_by, channels, initial_due, intermediate_due, final_due, initial_filed_at, next_due, framework, reported_by,
			reported_at, updated_at) values (@provider, @title, @detected, @classified, @status, @facts, @major, @channels,
			@initial, @intermediate, @final, @now, @next, @framework, @by, @now, @now) returning id::text`,
			pgx.StrictNamedArgs{"provider": n.ProviderID, "title": n.Title, "detected": n.DetectedAt,
				"classified": n.ClassifiedAt, "status": string(inc.Status), "facts": facts, "major": criteria(inc.MajorBy),
				"channels": n.Facts.Channels, "initial": inc.Deadlines[0].Due, "intermediate": inc.Deadlines[1].Due,
				"final": inc.Deadlines[2].Due, "now": w.now, "next": nextDue(inc), "framework": w.framework,
				"by": nullable(actor.UserID)}).Scan(&inc.ID); err != nil {
			return err
		}
		if err := replaceThreats(ctx, t, inc.ID, w.framework, n.Facts.Threats); err != nil {
			return err
		}
		if _, err := insertReport(ctx, t, actor, inc, domain.PhaseInitial, inc.MajorBy, "", w.now); err != nil {
			return err
		}
		if out, err = getIncident(ctx, t, actor, inc.ID, false); err != nil {
			return err
		}
		out.AsOf = w.now
		summary := clockSummary(inc, domain.PhaseInitial, w.now)
		summary["title"], summary["detected_at"], summary["classified_at"] = n.Title, n.DetectedAt, n.ClassifiedAt
		summary["major_by"], summary["threats"] = criteria(inc.MajorBy), n.Facts.Threats
		return t.record(actor, "incident.report", "incident", inc.ID, n.ProviderID, summary)
	})
	return out, err
}

// changeIncident locks an incident the actor may see, checks its version
// (ifVersion 0: any), moves it by action and lets change write the rest;
// the incident as it then stands is returned, read at the write's instant.
func (db *DB) changeIncident(ctx context.Context, actor domain.Actor, id, action string, ifVersion int,
	change func(t *txn, w incidentWrite, before domain.Incident, to domain.IncidentStatus) error) (domain.Incident, error) {
	var out domain.Incident
	err := db.write(ctx, "change incident", func(t *txn) error {
		before, err := getIncident(ctx, t, actor, id, true)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != before.Version {
			return domain.Errorf(domain.EPrecondition, "the incident has changed since version %d (now %d); reload and retry",
				ifVersion, before.Version)
		}
		to, err := domain.IncidentTransition(before, action)
		if err != nil {
			return err
		}
		w, err := db.startIncidentWrite(ctx, t)
		if err != nil {
			return err
		}
		if err := change(t, w, before, to); err != nil {
			return err
		}
		if out, err = getIncident(ctx, t, actor, id, false); err != nil {
			return err
		}
		out.AsOf = w.now
		return nil
	})
	return out, err
}

// FileIncidentReport files an intermediate or final report on an incident:
// its facts replace the incident's, classify it again with the thresholds in
// force, file the phase (and any earlier one missed) and answer the request
// for information awaiting one. It returns ENotFound for an incident the
// actor cannot see, EPrecondition for a stale ifVersion, EConflict when the
// incident's state does not take the report, and EInvalid listing every
// problem.
func (db *DB) FileIncidentReport(ctx context.Context, actor domain.Actor, id string, phase domain.IncidentPhase,
	facts domain.IncidentFacts, ifVersion int) (domain.Incident, error) {
	if phase != domain.PhaseIntermediate && phase != domain.PhaseFinal {
		return domain.Incident{}, domain.Invalid("the report cannot be filed", []domain.Problem{{Location: "body.phase",
			Message: "must be intermediate or final: the initial report is filed with the incident"}})
	}
	facts = facts.Trimmed()
	return db.changeIncident(ctx, actor, id, domain.ReportAction(phase), ifVersion,
		func(t *txn, w incidentWrite, before domain.Incident, to domain.IncidentStatus) error {
			// Once the final report is filed, any later answer replaces its
			// facts, so it must hold what a final report holds.
			checkAs := phase
			if before.Filed(domain.PhaseFinal) {
				checkAs = domain.PhaseFinal
			}
			if problems := domain.CheckIncidentFacts(facts, checkAs, w.known); len(problems) > 0 {
				return domain.Invalid("the report cannot be filed", problems)
			}
			after := before
			after.Status, after.Facts = to, facts
			after.MajorBy = domain.Classify(facts, w.settings.Thresholds())
			after.Deadlines = domain.FileReport(before.Deadlines, phase, w.now)
			encoded, err := json.Marshal(facts)
			if err != nil {
				return err
			}
			if _, err := t.Exec(ctx, `update incidents set status = @status, facts = @facts, major_by = @major,
				channels = @channels, framework = @framework, intermediate_filed_at = @intermediate, final_filed_at = @final,
				next_due = @next, updated_at = @now, version = version + 1 where id = @id`,
				pgx.StrictNamedArgs{"id": id, "status": string(to), "facts": encoded, "major": criteria(after.MajorBy),
					"channels": facts.Channels, "framework": w.framework, "intermediate": filedAt(after, domain.PhaseIntermediate),
					"final": filedAt(after, domain.PhaseFinal), "next": nextDue(after), "now": w.now}); err != nil {
				return err
			}
			if err := replaceThreats(ctx, t, id, w.framework, facts.Threats); err != nil {
				return err
			}
			reportID, err := insertReport(ctx, t, actor, after, phase, after.MajorBy, before.PendingID, w.now)
			if err != nil {
				return err
			}
			summary := clockSummary(before, phase, w.now)
			summary["report"], summary["from"], summary["to"] = reportID, before.Status, to
			summary["major_by"], summary["threats"] = criteria(after.MajorBy), facts.Threats
			if before.PendingID != "" {
				summary["answers"] = before.PendingID
			}
			action := "incident.update"
			if phase == domain.PhaseFinal {
				action = "incident.final"
			}
			return t.record(actor, action, "incident", id, before.ProviderID, summary)
		})
}

// RequestIncidentInformation files a supervisor's request for more
// information, which the provider answers with an update. Errors as
// FileIncidentReport's.
func (db *DB) RequestIncidentInformation(ctx context.Context, actor domain.Actor, id, comment string, ifVersion int) (domain.Incident, error) {
	return db.changeIncident(ctx, actor, id, domain.IncidentRequestInformation, ifVersion,
		func(t *txn, w incidentWrite, before domain.Incident, to domain.IncidentStatus) error {
			if problems := domain.CheckInformationRequest(comment); len(problems) > 0 {
				return domain.Invalid("the request cannot be made", problems)
			}
			var requestID string
			if err := t.QueryRow(ctx, `insert into incident_requests (incident_id, provider_id, comment, requested_by, requested_at)
				values ($1, $2, $3, $4, $5) returning id::text`, id, before.ProviderID, strings.TrimSpace(comment), nullable(actor.UserID),
				w.now).Scan(&requestID); err != nil {
				return err
			}
			if _, err := t.Exec(ctx, `update incidents set status = $2, updated_at = $3, version = version + 1 where id = $1`,
				id, string(to), w.now); err != nil {
				return err
			}
			return t.record(actor, "incident.request_information", "incident", id, before.ProviderID, map[string]any{
				"request": requestID, "comment": strings.TrimSpace(comment), "from": before.Status, "to": to})
		})
}

// CloseIncident closes an incident: its clocks stop. Closing before the final
// report is filed needs a comment. Errors as FileIncidentReport's.
func (db *DB) CloseIncident(ctx context.Context, actor domain.Actor, id, comment string, ifVersion int) (domain.Incident, error) {
	return db.changeIncident(ctx, actor, id, domain.IncidentClose, ifVersion,
		func(t *txn, w incidentWrite, before domain.Incident, to domain.IncidentStatus) error {
			if problems := domain.CheckClosing(before, comment); len(problems) > 0 {
				return domain.Invalid("the incident cannot be closed", problems)
			}
			if _, err := t.Exec(ctx, `update incidents set status = $2, closed_at = $3, closed_by = $4, closing_comment = $5,
				next_due = null, updated_at = $3, version = version + 1 where id = $1`, id, string(to), w.now,
				nullable(actor.UserID), strings.TrimSpace(comment)); err != nil {
				return err
			}
			summary := map[string]any{"from": before.Status, "comment": strings.TrimSpace(comment)}
			var unfiled []domain.IncidentPhase
			for _, c := range before.ClocksAt(w.now) {
				if c.FiledAt.IsZero() {
					unfiled = append(unfiled, c.Phase)
				}
			}
			summary["unfiled"] = unfiled
			return t.record(actor, "incident.close", "incident", id, before.ProviderID, summary)
		})
}

// Incident returns one incident the actor may see, with every report and
// request, read at the store's clock. ENotFound otherwise.
func (db *DB) Incident(ctx context.Context, actor domain.Actor, id string) (domain.Incident, error) {
	i, err := getIncident(ctx, db.pool, actor, id, false)
	if err != nil {
		return i, translate(err, "get incident")
	}
	i.AsOf = db.Now()
	batch := &pgx.Batch{}
	batch.Queue(`select r.id::text, r.seq, r.phase, r.facts, r.major_by, coalesce(r.answers::text, ''),
		coalesce(u.email, ''), r.filed_at from incident_reports r left join users u on u.id = r.filed_by
		where r.incident_id = $1 order by r.seq`, id).Query(func(rows pgx.Rows) error {
		i.Reports, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.IncidentReport, error) {
			var r domain.IncidentReport
			var facts []byte
			var major []string
			if err := row.Scan(&r.ID, &r.Seq, &r.Phase, &facts, &major, &r.Answers, &r.FiledBy, &r.FiledAt); err != nil {
				return r, err
			}
			for _, c := range major {
				r.MajorBy = append(r.MajorBy, domain.IncidentCriterion(c))
			}
			r.Deadline = i.Deadline(r.Phase).Due
			return r, json.Unmarshal(facts, &r.Facts)
		})
		return err
	})
	batch.Queue(`select q.id::text, q.comment, coalesce(u.email, ''), q.requested_at, coalesce(a.id::text, ''), a.filed_at
		from incident_requests q left join users u on u.id = q.requested_by left join incident_reports a on a.answers = q.id
		where q.incident_id = $1 order by q.requested_at, q.id`, id).Query(func(rows pgx.Rows) error {
		i.Requests, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.IncidentRequest, error) {
			var q domain.IncidentRequest
			var answered *time.Time
			err := row.Scan(&q.ID, &q.Comment, &q.RequestedBy, &q.RequestedAt, &q.AnsweredBy, &answered)
			if answered != nil {
				q.AnsweredAt = *answered
			}
			return q, err
		})
		return err
	})
	if err := db.pool.SendBatch(ctx, batch).Close(); err != nil {
		return i, translate(err, "get incident")
	}
	return i, nil
}

// IncidentFilter narrows a list of incidents. Every field is optional.
type IncidentFilter struct {
	ProviderID string
	Status     domain.IncidentStatus
	Open       bool // not closed: the queue
	Major      bool
	Overdue    bool // a phase past its deadline and not filed
	Threat     string
	Channel    string
}

// Incidents lists the incidents the actor may see, the clock that runs out
// first first (so the overdue lead), then those with no clock running.
// Provider users see only their own provider's. EInvalid for a filter or a
// cursor that is not one.
func (db *DB) Incidents(ctx context.Context, actor domain.Actor, f IncidentFilter, page Page) ([]domain.Incident, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	var problems []domain.Problem
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		problems = append(problems, domain.Problem{Location: "query.provider", Message: "must be an id"})
	}
	if f.Status != "" && !f.Status.Valid() {
		problems = append(problems, domain.Problem{Location: "query.status", Message: "is not a state of an incident"})
	}
	if f.Channel != "" && !domain.ValidChannel(f.Channel) {
		problems = append(problems, domain.Problem{Location: "query.channel", Message: "is not a channel"})
	}
	if len(problems) > 0 {
		return nil, "", domain.Invalid("bad incident filter", problems)
	}
	var afterDue time.Time
	var afterID string
	from, err := decodeCursor(page.Cursor, &afterDue, &afterID)
	if err != nil {
		return nil, "", err
	}
	now := db.Now()
	limit := page.limit()
	var c conditions
	if scope != allProviders {
		c.add("i.provider_id = $?::uuid", scope)
	}
	if from {
		if !isUUID(afterID) {
			return nil, "", domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", page.Cursor)
		}
		c.add("("+incidentSortDue+", i.id) > ($?::timestamptz, $?::uuid)", afterDue, afterID)
	}
	if f.ProviderID != "" {
		c.add("i.provider_id = $?::uuid", f.ProviderID)
	}
	if f.Status != "" {
		c.add("i.status = $?", string(f.Status))
	}
	if f.Open {
		c.add("i.status <> 'closed'")
	}
	if f.Major {
		c.add("cardinality(i.major_by) > 0")
	}
	if f.Overdue {
		c.add("i.next_due < $?::timestamptz", now)
	}
	if f.Threat != "" {
		c.add("exists (select 1 from incident_threats t where t.incident_id = i.id and t.threat_id = $?)", f.Threat)
	}
	if f.Channel != "" {
		c.add("$? = any (i.channels)", f.Channel)
	}
	rows, err := db.pool.Query(ctx, `select `+incidentColumns+`, `+incidentSortDue+incidentFrom+` where `+c.where()+`
		order by `+incidentSortDue+`, i.id limit `+pageLimit(limit), c.args...)
	if err != nil {
		return nil, "", translate(err, "list incidents")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sortedIncident, error) {
		var out sortedIncident
		i, err := scanIncident(&sortKeyRow{CollectableRow: r, extra: []any{&out.sortDue}})
		out.Incident, out.AsOf = i, now
		return out, err
	})
	if err != nil {
		return nil, "", translate(err, "list incidents")
	}
	list, next := pageOf(list, limit, func(r sortedIncident) []any { return []any{r.sortDue, r.ID} })
	out := make([]domain.Incident, len(list))
	for k, r := range list {
		out[k] = r.Incident
	}
	return out, next, nil
}

// sortedIncident is an incident of a list with the key it is sorted by.
type sortedIncident struct {
	domain.Incident
	sortDue time.Time
}

// sortKeyRow is a row whose last columns are read into extra after the
// columns its scanner reads.
type sortKeyRow struct {
	pgx.CollectableRow
	extra []any
}

func (r *sortKeyRow) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append(dest, r.extra...)...)
}

// incidentClocks reads the incidents matching cond (with its arguments) in
// the actor's scope, optionally of one provider, at the store's clock.
func (db *DB) incidentClocks(ctx context.Context, actor domain.Actor, providerID, what string, cond string, args ...any) ([]domain.Incident, time.Time, error) {
	return db.incidentClocksBy(ctx, actor, providerID, what, 0, func(c *conditions) string {
		c.add(cond, args...)
		return "i.id"
	})
}

// incidentClocksBy is incidentClocks with the conditions and the order that
// more adds and returns, at most limit incidents when limit is positive.
func (db *DB) incidentClocksBy(ctx context.Context, actor domain.Actor, providerID, what string, limit int,
	more func(c *conditions) (order string)) ([]domain.Incident, time.Time, error) {
	now := db.Now()
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, now, err
	}
	if providerID != "" && !isUUID(providerID) {
		return nil, now, domain.Invalid("bad provider", []domain.Problem{{Location: "query.provider", Message: "must be an id"}})
	}
	var c conditions
	if scope != allProviders {
		c.add("i.provider_id = $?::uuid", scope)
	}
	if providerID != "" {
		c.add("i.provider_id = $?::uuid", providerID)
	}
	order := more(&c)
	query := `select ` + incidentColumns + incidentFrom + ` where ` + c.where() + ` order by ` + order
	if limit > 0 {
		query += ` limit ` + strconv.Itoa(limit)
	}
	rows, err := db.pool.Query(ctx, query, c.args...)
	if err != nil {
		return nil, now, translate(err, "%s", what)
	}
	list, err := pgx.CollectRows(rows, scanIncident)
	if err != nil {
		return nil, now, translate(err, "%s", what)
	}
	for k := range list {
		list[k].AsOf = now
	}
	return list, now, nil
}

// sortClocks orders clocks by deadline, then incident and phase.
func sortClocks(list []domain.IncidentClock) []domain.IncidentClock {
	slices.SortStableFunc(list, func(a, b domain.IncidentClock) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		if a.IncidentID != b.IncidentID {
			if a.IncidentID < b.IncidentID {
				return -1
			}
			return 1
		}
		return slices.Index(domain.IncidentPhases, a.Phase) - slices.Index(domain.IncidentPhases, b.Phase)
	})
	return list
}

// IncidentDeadlines lists the phase deadlines that fall in [from, to), filed
// or not, of the incidents the actor may see (of one provider when
// providerID is set), earliest first, each with its clock read at the
// store's clock. It reads at most limit incidents, those whose first
// deadline in the window comes first; when more have one, complete is the
// instant before which the list lacks none (the list stops there), and zero
// otherwise.
func (db *DB) IncidentDeadlines(ctx context.Context, actor domain.Actor, providerID string, from, to time.Time,
	limit int) (clocks []domain.IncidentClock, complete time.Time, err error) {
	if limit <= 0 {
		limit = domain.MaxCalendarEntries
	}
	list, _, err := db.incidentClocksBy(ctx, actor, providerID, "list incident deadlines", limit+1, func(c *conditions) string {
		f, t := c.arg(from), c.arg(to)
		// A phase's deadline in the window, unless a closing stopped it.
		in := func(phase string) string {
			due := `i.` + phase + `_due`
			return `case when ` + due + ` >= ` + f + ` and ` + due + ` < ` + t + ` and (i.status <> 'closed' or i.` +
				phase + `_filed_at is not null) then ` + due + ` end`
		}
		// The first of the incident's deadlines in the window.
		first := `least(` + in("initial") + `, ` + in("intermediate") + `, ` + in("final") + `)`
		c.add(first + ` is not null`)
		return first + `, i.id`
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(list) > limit {
		for _, c := range list[limit].ClocksBetween(from, to) { // the first, as the query ordered them
			if complete.IsZero() || c.Due.Before(complete) {
				complete = c.Due
			}
		}
		list = list[:limit]
	}
	for _, i := range list {
		for _, c := range i.ClocksBetween(from, to) {
			if complete.IsZero() || c.Due.Before(complete) {
				clocks = append(clocks, c)
			}
		}
	}
	return sortClocks(clocks), complete, nil
}

// IncidentClockWarnings lists the clocks of the incidents the actor may see
// that are overdue, or still run and expire within the duration given, read
// at the store's clock, earliest deadline first.
func (db *DB) IncidentClockWarnings(ctx context.Context, actor domain.Actor, within time.Duration) ([]domain.IncidentClock, error) {
	until := db.Now().Add(within)
	list, _, err := db.incidentClocks(ctx, actor, "", "list incident clock warnings", `i.next_due <= $?`, until)
	if err != nil {
		return nil, err
	}
	var out []domain.IncidentClock
	for _, i := range list {
		out = append(out, i.ClockWarnings(within)...)
	}
	return sortClocks(out), nil
}
