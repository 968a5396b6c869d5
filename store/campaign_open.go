package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"assure/domain"
)

// Opening a campaign is one transaction that creates every provider's
// assessment, its responses and its first scores: all or nothing. At
// national scale it takes seconds to minutes, so it runs as a background
// job (OpenCampaignJobArgs), and the campaign_openings row tells any
// instance how far it is. That row is written outside the opening's
// transaction, in short transactions of its own, and is marked done inside
// it, so a campaign is open exactly when its opening says done.

// Opening statuses.
const (
	OpeningQueued  = "queued"
	OpeningRunning = "running"
	OpeningDone    = "done"
	OpeningFailed  = "failed"
)

// Opening phases, in order, while an opening runs.
const (
	PhasePreparing   = "preparing"   // reading the scope and the framework
	PhaseAssessments = "assessments" // creating the assessments
	PhaseResponses   = "responses"   // creating one response per applicable control
	PhaseScores      = "scores"      // the fresh assessments' first scores
	PhaseFinishing   = "finishing"   // audit trail and commit
)

// Opening is where the opening of a campaign stands. Done and Total count
// the rows the opening writes: assessments and responses.
type Opening struct {
	CampaignID  string
	Status      string // queued, running, done, failed
	Phase       string
	Done, Total int
	Error       string // why it failed, in words the supervisor can act on
	RequestedBy string
	Attempt     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

// Percent is how much of the opening is done, 0 to 100.
func (o Opening) Percent() int {
	if o.Status == OpeningDone {
		return 100
	}
	if o.Total <= 0 {
		return 0
	}
	return min(100, o.Done*100/o.Total)
}

// Active says the opening is queued or running.
func (o Opening) Active() bool { return o.Status == OpeningQueued || o.Status == OpeningRunning }

// OpenCampaignJobArgs is the queued work of opening a campaign.
type OpenCampaignJobArgs struct {
	CampaignID string `json:"campaign_id"`
}

// Kind names the work for the job queue.
func (OpenCampaignJobArgs) Kind() string { return "campaign_open" }

// OpeningAttempts is how many times an opening is tried: a worker killed
// mid-run is replaced; its transaction died with it, so the next attempt
// starts clean.
const OpeningAttempts = 3

// InsertOpts bound the attempts of an opening.
func (OpenCampaignJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: OpeningAttempts}
}

const openingColumns = `campaign_id::text, status, phase, done, total, error, coalesce(requested_by::text, ''), attempt,
	created_at, updated_at, started_at, finished_at`

func scanOpening(row pgx.CollectableRow) (Opening, error) {
	var o Opening
	err := row.Scan(&o.CampaignID, &o.Status, &o.Phase, &o.Done, &o.Total, &o.Error, &o.RequestedBy, &o.Attempt,
		&o.CreatedAt, &o.UpdatedAt, &o.StartedAt, &o.FinishedAt)
	return o, err
}

func getOpening(ctx context.Context, q querier, id string) (Opening, error) {
	rows, err := q.Query(ctx, `select `+openingColumns+` from campaign_openings where campaign_id = $1`, id)
	if err != nil {
		return Opening{}, err
	}
	o, err := pgx.CollectExactlyOneRow(rows, scanOpening)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, domain.Errorf(domain.ENotFound, "the campaign has not been asked to open")
	}
	return o, err
}

// QueueOpening asks for a draft campaign to be opened in the background: the
// opening's row and its job are written in one transaction with the audit
// event. An opening already queued or running is returned as it is, so a
// second click follows the first; one that failed is queued again. Only the
// sector's supervisors see drafts (ENotFound otherwise); EConflict when the
// campaign is not a draft or nobody is in its scope.
func (db *DB) QueueOpening(ctx context.Context, actor domain.Actor, id string) (Opening, error) {
	client, err := db.jobs()
	if err != nil {
		return Opening{}, err
	}
	var out Opening
	err = db.write(ctx, "queue campaign opening", func(t *txn) error {
		// Not locked: a running opening holds the campaign's row until it
		// commits, and the opening's row is what orders requests.
		c, err := getCampaign(ctx, t, actor, id, false)
		if err != nil {
			return err
		}
		if !actor.Scope().All() {
			return domain.Errorf(domain.ENotFound, "no such campaign")
		}
		if c.Status != domain.CampaignDraft {
			return &domain.Error{Code: domain.EConflict, Allowed: domain.CampaignActions(c.Status),
				Message: fmt.Sprintf("the campaign is %s; only a draft can be opened", c.Status)}
		}
		var inScope bool
		if err := t.QueryRow(ctx, `select exists (select 1 from providers p where p.status = 'active'
			and (cardinality($1::uuid[]) = 0 or p.id = any($1))
			and (cardinality($2::text[]) = 0 or p.kind = any($2))
			and (cardinality($3::smallint[]) = 0 or p.tier = any($3)))`,
			orEmpty(c.ProviderIDs), kindStrings(c.Kinds), orEmpty(c.Tiers)).Scan(&inScope); err != nil {
			return err
		}
		if !inScope {
			return domain.Errorf(domain.EConflict, "no active provider is in the campaign's scope")
		}
		rows, err := t.Query(ctx, `insert into campaign_openings as o (campaign_id, requested_by) values ($1, $2)
			on conflict (campaign_id) do update set status = 'queued', phase = '', done = 0, total = 0, error = '',
				requested_by = excluded.requested_by, attempt = 0, created_at = now(), updated_at = now(),
				started_at = null, finished_at = null
			where o.status = 'failed'
			returning `+openingColumns, id, nullable(actor.UserID))
		if err != nil {
			return err
		}
		queued, err := pgx.CollectRows(rows, scanOpening)
		if err != nil {
			return err
		}
		if len(queued) == 0 {
			// Asked for already and not failed: follow that opening.
			out, err = getOpening(ctx, t, id)
			return err
		}
		out = queued[0]
		if _, err := client.InsertTx(ctx, t.Tx, OpenCampaignJobArgs{CampaignID: id}, nil); err != nil {
			return fmt.Errorf("queue opening: %w", err)
		}
		return t.record(actor, "campaign.open_requested", "campaign", id, "", map[string]any{"name": c.Name})
	})
	return out, err
}

// Opening returns where the opening of a campaign stands. Only the sector's
// supervisors see openings: anyone else, and a campaign never asked to
// open, is ENotFound.
func (db *DB) Opening(ctx context.Context, actor domain.Actor, id string) (Opening, error) {
	if !isUUID(id) || !actor.Scope().All() {
		return Opening{}, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	if _, err := scopeArg(actor.Scope()); err != nil {
		return Opening{}, err
	}
	o, err := getOpening(ctx, db.pool, id)
	return o, translate(err, "get campaign opening")
}

// StartOpening marks an opening running, from the beginning: a run after a
// crash starts over, with no progress and no error. It reports false when
// the opening is finished (done or failed) and so there is nothing to do.
func (db *DB) StartOpening(ctx context.Context, id string) (Opening, bool, error) {
	rows, err := db.pool.Query(ctx, `update campaign_openings set status = 'running', phase = 'preparing', done = 0,
		total = 0, error = '', attempt = attempt + 1, started_at = now(), updated_at = now(), finished_at = null
		where campaign_id = $1 and status in ('queued', 'running') returning `+openingColumns, id)
	if err != nil {
		return Opening{}, false, translate(err, "start campaign opening")
	}
	list, err := pgx.CollectRows(rows, scanOpening)
	if err != nil || len(list) == 0 {
		return Opening{}, false, translate(err, "start campaign opening")
	}
	return list[0], true, nil
}

// FailOpening marks an unfinished opening failed with a reason the
// supervisor reads, and records it. The opening's transaction rolled back,
// so the campaign is still a draft with nothing created. An opening already
// finished is left as it is.
func (db *DB) FailOpening(ctx context.Context, id, reason string) error {
	return db.write(ctx, "fail campaign opening", func(t *txn) error {
		tag, err := t.Exec(ctx, `update campaign_openings set status = 'failed', error = $2, finished_at = now(),
			updated_at = now() where campaign_id = $1 and status in ('queued', 'running')`, id, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return t.record(domain.System("campaign-opening"), "campaign.open_failed", "campaign", id, "",
			map[string]any{"error": reason})
	})
}

// liveJobStates are the states of a River job that has still to run, or
// runs: every state but those River finishes a job in. A state a later River
// adds counts as live, so an opening is never failed on a guess.
var liveJobStates = func() []string {
	var live []string
	for _, s := range rivertype.JobStates() {
		switch s {
		case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		default:
			live = append(live, string(s))
		}
	}
	return live
}()

// FailStoppedOpenings marks failed, with reason, the unfinished openings
// that no job will finish: none of the campaign's opening jobs is live in
// River (each was completed, cancelled or discarded, or River has deleted
// it). That is what a worker killed on its last attempt leaves once River's
// rescuer gives its job up, for such a worker never says so itself. An
// opening whose row changed within quietFor is left to a later call:
// QueueOpening writes a row and its job in one transaction, so only a row
// written some other way is seen without a job, and never for long. It returns the
// campaigns whose opening it marked, each recorded in the audit trail.
func (db *DB) FailStoppedOpenings(ctx context.Context, reason string, quietFor time.Duration) ([]string, error) {
	var ids []string
	err := db.write(ctx, "fail stopped campaign openings", func(t *txn) error {
		// Unfinished openings are few; each looks its jobs up by the args index.
		rows, err := t.Query(ctx, `update campaign_openings o set status = 'failed', error = @reason,
				finished_at = now(), updated_at = now()
			where o.status in ('queued', 'running') and o.updated_at < now() - @quiet * interval '1 second'
			and not exists (select 1 from river_job j where j.kind = @kind
				and j.args @> jsonb_build_object('campaign_id', o.campaign_id::text)
				and j.state = any(@live::river_job_state[]))
			returning o.campaign_id::text`, pgx.StrictNamedArgs{"reason": reason, "quiet": seconds(quietFor),
			"kind": OpenCampaignJobArgs{}.Kind(), "live": liveJobStates})
		if err != nil {
			return err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		for _, id := range ids {
			if err := t.record(domain.System("campaign-opening"), "campaign.open_failed", "campaign", id, "",
				map[string]any{"error": reason}); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// OpeningProgress is one step of an opening, as OpenCampaignTracked reports it.
type OpeningProgress struct {
	Phase       string
	Done, Total int64
}

// progressWriter keeps an opening's row current from outside its
// transaction. The opening only sets the latest figures; a goroutine writes
// them a few times a second on a connection of its own, so the rows being
// copied never wait for it.
type progressWriter struct {
	db      *DB
	id      string
	observe func(OpeningProgress)

	mu      sync.Mutex
	now     OpeningProgress
	written OpeningProgress
	stop    chan struct{}
	stopped chan struct{}
}

const progressEvery = 250 * time.Millisecond

func (db *DB) newProgressWriter(ctx context.Context, id string, observe func(OpeningProgress)) *progressWriter {
	w := &progressWriter{db: db, id: id, observe: observe, stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(w.stopped)
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				w.flush(ctx)
			case <-w.stop:
				w.flush(ctx)
				return
			}
		}
	}()
	return w
}

func (w *progressWriter) set(phase string, done, total int64) {
	p := OpeningProgress{Phase: phase, Done: done, Total: total}
	w.mu.Lock()
	w.now = p
	w.mu.Unlock()
	if w.observe != nil {
		w.observe(p)
	}
}

// flush writes the latest figures when they changed. A failed write is
// only a stale progress bar: the next tick tries again.
func (w *progressWriter) flush(ctx context.Context) {
	w.mu.Lock()
	p := w.now
	w.mu.Unlock()
	if p == w.written {
		return
	}
	_, err := w.db.pool.Exec(ctx, `update campaign_openings set phase = $2, done = $3, total = $4, updated_at = now()
		where campaign_id = $1 and status = 'running'`, w.id, p.Phase, p.Done, p.Total)
	if err == nil {
		w.written = p
	}
}

// close writes the last figures and stops the writer; after it returns the
// opening's row is written only by the opening's transaction.
func (w *progressWriter) close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.stopped
}

// newUUID returns a time-ordered (version 7) UUID: the time in
// milliseconds, then seq, then random bits. Ids made here let the
// assessments be copied in with their responses rather than inserted and
// read back; made in order, the rows of one opening go to the growing end of
// every index that leads with the assessment's id, instead of all over
// indexes of millions of rows. It comes as text and as the binary value
// COPY sends without parsing. seq must stay below 2^26.
func newUUID(at time.Time, seq int) (string, pgtype.UUID) {
	var b [16]byte
	rand.Read(b[10:])
	ms := uint64(at.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = 0x70 | byte(seq>>22)&0x0f
	b[7] = byte(seq >> 14)
	b[8] = 0x80 | byte(seq>>8)&0x3f
	b[9] = byte(seq)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), pgtype.UUID{Bytes: b, Valid: true}
}

// uuidOf is the binary value of a UUID in text; "" and malformed text are NULL.
func uuidOf(s string) pgtype.UUID {
	var u pgtype.UUID
	if u.Scan(s) != nil {
		return pgtype.UUID{}
	}
	return u
}

// profileKey groups providers the risk method cannot tell apart: same kind,
// channels and tier.
func profileKey(p domain.Provider) string {
	channels := slices.Clone(p.Channels)
	slices.Sort(channels)
	return fmt.Sprintf("%s|%d|%s", p.Kind, p.Tier, strings.Join(channels, ","))
}

// OpenCampaignTracked opens a draft campaign: in one transaction it creates
// one assessment per active provider in scope, each with one response row
// per control that applies to the provider, and their first scores. It
// writes its progress to the campaign's opening row, when there is one, as
// it goes, and marks it done in the same transaction, and calls observe,
// when not nil, at each step. EConflict when the campaign is not a draft or
// nobody is in its scope.
func (db *DB) OpenCampaignTracked(ctx context.Context, actor domain.Actor, id string, observe func(OpeningProgress)) (domain.Campaign, error) {
	if !isUUID(id) {
		return domain.Campaign{}, domain.Errorf(domain.ENotFound, "no such campaign")
	}
	progress := db.newProgressWriter(ctx, id, observe)
	defer progress.close()
	var out domain.Campaign
	err := db.write(ctx, "open campaign", func(t *txn) error {
		var err error
		out, err = db.openCampaign(ctx, t, actor, id, progress)
		return err
	})
	return out, err
}

func (db *DB) openCampaign(ctx context.Context, t *txn, actor domain.Actor, id string, progress *progressWriter) (domain.Campaign, error) {
	progress.set(PhasePreparing, 0, 0)
	c, err := getCampaign(ctx, t, actor, id, true)
	if err != nil {
		return c, err
	}
	if c.Status != domain.CampaignDraft {
		return c, &domain.Error{Code: domain.EConflict, Allowed: domain.CampaignActions(c.Status),
			Message: fmt.Sprintf("the campaign is %s; only a draft can be opened", c.Status)}
	}
	var fwKey int64
	if err := t.QueryRow(ctx, `select framework from campaigns where id = $1`, id).Scan(&fwKey); err != nil {
		return c, err
	}
	f, err := db.framework(ctx, t, fwKey)
	if err != nil {
		return c, err
	}
	providers, err := providersInScope(ctx, t, c)
	if err != nil {
		return c, err
	}
	if len(providers) == 0 {
		return c, domain.Errorf(domain.EConflict, "no active provider is in the campaign's scope")
	}

	// What each provider answers, worked out once per profile.
	applicable := map[string][]string{}
	ids := make([]string, len(providers))
	keys := make([]pgtype.UUID, len(providers))
	var total int64
	now := time.Now()
	for i, p := range providers {
		ids[i], keys[i] = newUUID(now, i)
		key := profileKey(p)
		list, ok := applicable[key]
		if !ok {
			list = domain.ProfileOf(p).ApplicableControls(f.Framework, c.Level)
			applicable[key] = list
		}
		total += 1 + int64(len(list))
	}

	progress.set(PhaseAssessments, 0, total)
	campaignKey := uuidOf(id)
	_, err = t.CopyFrom(ctx, pgx.Identifier{"assessments"}, []string{"id", "campaign_id", "provider_id", "framework",
		"provider_kind", "provider_tier", "provider_channels"}, pgx.CopyFromSlice(len(providers), func(i int) ([]any, error) {
		p := providers[i]
		return []any{keys[i], campaignKey, uuidOf(p.ID), fwKey, string(p.Kind), int16(p.Tier), orEmpty(p.Channels)}, nil
	}))
	if err != nil {
		return c, fmt.Errorf("copy assessments: %w", err)
	}
	done := int64(len(providers))
	progress.set(PhaseResponses, done, total)

	// One COPY of every response, generated as it streams.
	var row []any
	pi, ci := 0, 0
	_, err = t.CopyFrom(ctx, pgx.Identifier{"responses"}, []string{"assessment_id", "framework", "control_id", "ordinal"},
		copySource(func() (bool, error) {
			for pi < len(providers) {
				list := applicable[profileKey(providers[pi])]
				if ci < len(list) {
					cid := list[ci]
					row = []any{keys[pi], fwKey, cid, int16(f.ordinals[cid])}
					ci++
					done++
					if done%5000 == 0 {
						progress.set(PhaseResponses, done, total)
					}
					return true, nil
				}
				pi, ci = pi+1, 0
			}
			return false, ctx.Err()
		}, func() []any { return row }))
	if err != nil {
		return c, fmt.Errorf("copy responses: %w", err)
	}
	progress.set(PhaseScores, done, total)
	if err := db.scoreOpened(ctx, t, fwKey, f, providers, ids, applicable); err != nil {
		return c, err
	}
	if err := db.refreshPriorities(ctx, t, ids...); err != nil {
		return c, err
	}

	progress.set(PhaseFinishing, done, total)
	notices := make([]domain.Notice, len(providers))
	for i, p := range providers {
		if err := t.record(actor, "assessment.create", "assessment", ids[i], p.ID,
			map[string]any{"campaign_id": id, "applicable_controls": len(applicable[profileKey(p)])}); err != nil {
			return c, err
		}
		notices[i] = domain.Notice{Kind: domain.NoticeCampaignOpened, ProviderID: p.ID, ObjectType: "assessment",
			ObjectID: ids[i], Key: "campaign.opened:" + ids[i],
			Params: map[string]string{"campaign": c.Name, "provider": p.ShortName, "due": c.DueAt.String()}}
	}
	// Every provider's users hear of the opening once, with it.
	if err := t.notify(ctx, notices...); err != nil {
		return c, err
	}
	if _, err := t.Exec(ctx, `update campaigns set status = 'open', opened_at = now(), updated_at = now(),
		version = version + 1 where id = $1`, id); err != nil {
		return c, err
	}
	out, err := getCampaign(ctx, t, actor, id, false)
	if err != nil {
		return c, err
	}
	// The progress writer is stopped before the opening's row is marked
	// done here: from now on the row belongs to this transaction, and a
	// write from outside would wait for it.
	progress.close()
	if _, err := t.Exec(ctx, `update campaign_openings set status = 'done', phase = 'done', done = $2, total = $2,
		error = '', finished_at = now(), updated_at = now() where campaign_id = $1`, id, total); err != nil {
		return c, err
	}
	return out, t.record(actor, "campaign.open", "campaign", id, "", map[string]any{"assessments": len(providers),
		"responses": total - int64(len(providers))})
}

// scoreOpened stores the first scores of the assessments an opening made.
// Nothing is answered yet, so providers of one profile and tier without
// risk overrides have the same scores: the risk method runs once per such
// group. A provider with overrides of this framework is scored on its own,
// from the rows just written.
func (db *DB) scoreOpened(ctx context.Context, t *txn, fwKey int64, f *cachedFramework, providers []domain.Provider,
	ids []string, applicable map[string][]string) error {
	providerIDs := make([]string, len(providers))
	for i, p := range providers {
		providerIDs[i] = p.ID
	}
	rows, err := t.Query(ctx, `select distinct provider_id::text from risk_overrides
		where framework = $1 and provider_id = any($2::uuid[])`, fwKey, providerIDs)
	if err != nil {
		return err
	}
	overridden, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	own := map[string]bool{}
	for _, p := range overridden {
		own[p] = true
	}
	var calKey int64
	if err := t.QueryRow(ctx, `select coalesce(max(pk), 0) from calibrations where framework = $1`, fwKey).Scan(&calKey); err != nil {
		return err
	}
	cal, err := db.calibration(ctx, t, calKey)
	if err != nil {
		return err
	}
	groups := map[string]assessmentScores{}
	var all []assessmentScores
	var alone []string
	for i, p := range providers {
		if own[p.ID] {
			alone = append(alone, ids[i])
			continue
		}
		in := scoreInput{id: ids[i], providerID: p.ID, framework: fwKey, status: domain.StatusDraft,
			profile: domain.ProfileOf(p), tier: p.Tier, calibration: calKey, overrides: map[string]domain.Override{}}
		key := profileKey(p)
		s, ok := groups[key]
		if !ok {
			in.current = map[string]domain.Answer{}
			for _, cid := range applicable[key] {
				in.current[cid] = domain.Answer{}
			}
			s = scoreOf(in, f, cal)
			groups[key] = s
		}
		in.current = s.input.current
		s.input = in
		all = append(all, s)
	}
	if len(alone) > 0 {
		scored, err := db.computeScores(ctx, t, alone)
		if err != nil {
			return fmt.Errorf("compute scores: %w", err)
		}
		all = append(all, scored...)
	}
	return writeScores(ctx, t, nil, all)
}

// copySource adapts a generator to pgx.CopyFromSource: next advances and
// says whether there is a row, values returns it.
func copySource(next func() (bool, error), values func() []any) pgx.CopyFromSource {
	return &generated{next: next, values: values}
}

type generated struct {
	next   func() (bool, error)
	values func() []any
	err    error
}

func (g *generated) Next() bool {
	var ok bool
	ok, g.err = g.next()
	return ok
}

func (g *generated) Values() ([]any, error) { return g.values(), nil }

func (g *generated) Err() error { return g.err }
