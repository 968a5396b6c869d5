package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// NewApp is an app a provider registers.
type NewApp struct {
	ProviderID string
	Name       string
	Platform   domain.AppPlatform
	PackageID  string
}

// AppFilter narrows the app register. Every field is optional.
type AppFilter struct {
	ProviderID string
}

// AppDetail is one app with its newest releases, newest first.
type AppDetail struct {
	domain.ProviderApp
	Releases     []domain.AppRelease
	MoreReleases bool
}

// ReleaseDetail is one release with its app, every lab result on it
// (newest test first) and its verdicts (the standing one first).
type ReleaseDetail struct {
	App      domain.ProviderApp
	Release  domain.AppRelease
	Results  []domain.LabSummary
	Verdicts []domain.ReleaseVerdict
}

// appReleaseLimit bounds the releases an app's page shows.
const appReleaseLimit = 100

const appColumns = `a.id::text, a.provider_id::text, p.short_name, a.name, a.platform, a.package_id, a.created_at`

const appFrom = ` from provider_apps a join providers p on p.id = a.provider_id `

func scanApp(row pgx.CollectableRow) (domain.ProviderApp, error) {
	var a domain.ProviderApp
	err := row.Scan(&a.ID, &a.ProviderID, &a.ProviderName, &a.Name, &a.Platform, &a.PackageID, &a.CreatedAt)
	return a, err
}

const releaseColumns = `r.id::text, r.app_id::text, r.version, r.build_hash, r.created_at`

func scanRelease(row pgx.CollectableRow) (domain.AppRelease, error) {
	var r domain.AppRelease
	err := row.Scan(&r.ID, &r.AppID, &r.Version, &r.BuildHash, &r.CreatedAt)
	return r, err
}

const labColumns = `l.id::text, l.release_id::text, l.provider_id::text, f.id, f.version, l.lab, l.tested_on, l.report_filename,
	l.report_type, l.report_size, l.report_sha256, coalesce(u.email, ''), l.recorded_at, n.passed, n.failed, n.not_applicable`

const labFrom = ` from lab_results l join frameworks f on f.pk = l.framework left join users u on u.id = l.recorded_by
	cross join lateral (select count(*) filter (where i.outcome = 'pass') as passed,
		count(*) filter (where i.outcome = 'fail') as failed,
		count(*) filter (where i.outcome = 'not_applicable') as not_applicable
		from lab_result_items i where i.result_id = l.id) n `

func scanLab(row pgx.CollectableRow) (domain.LabSummary, error) {
	var l domain.LabSummary
	var on time.Time
	err := row.Scan(&l.ID, &l.ReleaseID, &l.ProviderID, &l.FrameworkID, &l.FrameworkVersion, &l.Lab, &on, &l.Report.Filename,
		&l.Report.MediaType, &l.Report.Size, &l.Report.SHA256, &l.RecordedBy, &l.RecordedAt, &l.Passed, &l.Failed,
		&l.NotApplicable)
	l.TestedOn = domain.DateOf(on)
	return l, err
}

const verdictColumns = `v.id::text, v.release_id::text, v.lab_result_id::text, v.verdict, v.conditions, coalesce(u.email, ''), v.decided_at`

const verdictFrom = ` from release_verdicts v left join users u on u.id = v.decided_by `

func scanVerdict(row pgx.CollectableRow) (domain.ReleaseVerdict, error) {
	var v domain.ReleaseVerdict
	err := row.Scan(&v.ID, &v.ReleaseID, &v.LabResultID, &v.Verdict, &v.Conditions, &v.DecidedBy, &v.DecidedAt)
	return v, err
}

// RegisterApp adds an app to a provider's register. EInvalid lists every
// problem; the same platform and package id twice for a provider is
// EConflict.
func (db *DB) RegisterApp(ctx context.Context, actor domain.Actor, na NewApp) (domain.ProviderApp, error) {
	na.Name, na.PackageID = strings.TrimSpace(na.Name), strings.TrimSpace(na.PackageID)
	problems := domain.CheckNewApp(na.Name, na.Platform, na.PackageID)
	var out domain.ProviderApp
	err := db.write(ctx, "register app", func(t *txn) error {
		if _, err := getProvider(ctx, t, actor, na.ProviderID, false); domain.ErrorCodeOf(err) == domain.ENotFound {
			problems = append(problems, domain.Problem{Location: "body.provider_id", Message: "no such provider"})
		} else if err != nil {
			return err
		}
		if len(problems) > 0 {
			return domain.Invalid("the app cannot be registered", problems)
		}
		var id string
		err := t.QueryRow(ctx, `insert into provider_apps (provider_id, name, platform, package_id, created_by)
			values ($1, $2, $3, $4, $5) on conflict (provider_id, platform, package_id) do nothing returning id::text`,
			na.ProviderID, na.Name, na.Platform, na.PackageID, nullable(actor.UserID)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.EConflict, "the provider already registered the %s app %s", na.Platform, na.PackageID)
		}
		if err != nil {
			return err
		}
		if out, err = getApp(ctx, t, actor, id); err != nil {
			return err
		}
		return t.record(actor, "app.register", "app", id, na.ProviderID, map[string]any{
			"name": na.Name, "platform": na.Platform, "package_id": na.PackageID})
	})
	return out, err
}

func getApp(ctx context.Context, q querier, actor domain.Actor, id string) (domain.ProviderApp, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.ProviderApp{}, err
	}
	if !isUUID(id) {
		return domain.ProviderApp{}, domain.Errorf(domain.ENotFound, "no such app")
	}
	rows, err := q.Query(ctx, `select `+appColumns+appFrom+` where a.id = $1 and ($2 = '*' or a.provider_id = nullif($2, '*')::uuid)`,
		id, scope)
	if err != nil {
		return domain.ProviderApp{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanApp)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, domain.Errorf(domain.ENotFound, "no such app")
	}
	return a, err
}

// Apps lists the app register by name, each app with its newest release.
// Provider users see only their own provider's.
func (db *DB) Apps(ctx context.Context, actor domain.Actor, f AppFilter, page Page) ([]domain.ProviderApp, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		return nil, "", domain.Invalid("bad app filter", []domain.Problem{{Location: "query.provider", Message: "must be an id"}})
	}
	afterName, afterID := "", ""
	if _, err := decodeCursor(page.Cursor, &afterName, &afterID); err != nil {
		return nil, "", err
	}
	if afterID, err = cursorID(page.Cursor, afterID, lowestID); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	var c conditions
	if page.Cursor != "" {
		c.add("(lower(a.name), a.id) > ($?, $?::uuid)", afterName, afterID)
	}
	if scope != allProviders {
		c.add("a.provider_id = $?::uuid", scope)
	}
	if f.ProviderID != "" {
		c.add("a.provider_id = $?::uuid", f.ProviderID)
	}
	rows, err := db.pool.Query(ctx, `select `+appColumns+appFrom+` where `+c.where()+`
		order by lower(a.name), a.id limit `+pageLimit(limit), c.args...)
	if err != nil {
		return nil, "", translate(err, "list apps")
	}
	list, err := pgx.CollectRows(rows, scanApp)
	if err != nil {
		return nil, "", translate(err, "list apps")
	}
	list, next := pageOf(list, limit, func(a domain.ProviderApp) []any { return []any{strings.ToLower(a.Name), a.ID} })
	ids := make([]string, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	rows, err = db.pool.Query(ctx, `select distinct on (r.app_id) `+releaseColumns+` from app_releases r
		where r.app_id = any($1::uuid[]) order by r.app_id, r.created_at desc, r.id desc`, ids)
	if err != nil {
		return nil, "", translate(err, "list apps")
	}
	latest, err := pgx.CollectRows(rows, scanRelease)
	if err == nil {
		err = db.withOutcomes(ctx, latest)
	}
	if err != nil {
		return nil, "", translate(err, "list apps")
	}
	byApp := map[string]*domain.AppRelease{}
	for i := range latest {
		byApp[latest[i].AppID] = &latest[i]
	}
	for i := range list {
		list[i].Latest = byApp[list[i].ID]
	}
	return list, next, nil
}

// withOutcomes fills in each release's latest lab result and standing
// verdict, in two queries whatever the number of releases.
func (db *DB) withOutcomes(ctx context.Context, releases []domain.AppRelease) error {
	if len(releases) == 0 {
		return nil
	}
	ids := make([]string, len(releases))
	for i, r := range releases {
		ids[i] = r.ID
	}
	rows, err := db.pool.Query(ctx, `select distinct on (l.release_id) `+labColumns+labFrom+`
		where l.release_id = any($1::uuid[]) order by l.release_id, l.tested_on desc, l.recorded_at desc`, ids)
	if err != nil {
		return err
	}
	results, err := pgx.CollectRows(rows, scanLab)
	if err != nil {
		return err
	}
	rows, err = db.pool.Query(ctx, `select distinct on (v.release_id) `+verdictColumns+verdictFrom+`
		where v.release_id = any($1::uuid[]) order by v.release_id, v.decided_at desc, v.id desc`, ids)
	if err != nil {
		return err
	}
	verdicts, err := pgx.CollectRows(rows, scanVerdict)
	if err != nil {
		return err
	}
	byRelease := map[string]*domain.AppRelease{}
	for i := range releases {
		byRelease[releases[i].ID] = &releases[i]
	}
	for i := range results {
		byRelease[results[i].ReleaseID].Result = &results[i]
	}
	for i := range verdicts {
		byRelease[verdicts[i].ReleaseID].Verdict = &verdicts[i]
	}
	return nil
}

// App returns one app the actor may see with its newest releases.
func (db *DB) App(ctx context.Context, actor domain.Actor, id string) (AppDetail, error) {
	a, err := getApp(ctx, db.pool, actor, id)
	if err != nil {
		return AppDetail{}, translate(err, "get app")
	}
	d := AppDetail{ProviderApp: a}
	rows, err := db.pool.Query(ctx, `select `+releaseColumns+` from app_releases r where r.app_id = $1
		order by r.created_at desc, r.id desc limit $2`, id, appReleaseLimit+1)
	if err != nil {
		return d, translate(err, "get app")
	}
	if d.Releases, err = pgx.CollectRows(rows, scanRelease); err != nil {
		return d, translate(err, "get app")
	}
	if len(d.Releases) > appReleaseLimit {
		d.Releases, d.MoreReleases = d.Releases[:appReleaseLimit], true
	}
	if err := db.withOutcomes(ctx, d.Releases); err != nil {
		return d, translate(err, "get app")
	}
	if len(d.Releases) > 0 {
		d.Latest = &d.Releases[0]
	}
	return d, nil
}

// AddRelease registers a new build of an app. The same version twice is
// EConflict.
func (db *DB) AddRelease(ctx context.Context, actor domain.Actor, appID, version, buildHash string) (domain.AppRelease, error) {
	version, buildHash = strings.TrimSpace(version), strings.ToLower(strings.TrimSpace(buildHash))
	var out domain.AppRelease
	err := db.write(ctx, "add release", func(t *txn) error {
		a, err := getApp(ctx, t, actor, appID)
		if err != nil {
			return err
		}
		if problems := domain.CheckNewRelease(version, buildHash); len(problems) > 0 {
			return domain.Invalid("the release cannot be registered", problems)
		}
		rows, err := t.Query(ctx, `insert into app_releases as r (app_id, version, build_hash, created_by) values ($1, $2, $3, $4)
			on conflict (app_id, version) do nothing returning `+releaseColumns, appID, version, buildHash, nullable(actor.UserID))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, scanRelease)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.EConflict, "version %s of %s is already registered; a new build needs a new version", version, a.Name)
		}
		if err != nil {
			return err
		}
		return t.record(actor, "app.release", "app_release", out.ID, a.ProviderID, map[string]any{
			"app_id": appID, "version": version, "build_hash": buildHash})
	})
	return out, err
}

// Release returns one release the actor may see, with its lab results and
// verdicts.
func (db *DB) Release(ctx context.Context, actor domain.Actor, id string) (ReleaseDetail, error) {
	var d ReleaseDetail
	if !isUUID(id) {
		return d, domain.Errorf(domain.ENotFound, "no such release")
	}
	rows, err := db.pool.Query(ctx, `select `+releaseColumns+` from app_releases r where r.id = $1`, id)
	if err != nil {
		return d, translate(err, "get release")
	}
	d.Release, err = pgx.CollectExactlyOneRow(rows, scanRelease)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, domain.Errorf(domain.ENotFound, "no such release")
	}
	if err != nil {
		return d, translate(err, "get release")
	}
	if d.App, err = getApp(ctx, db.pool, actor, d.Release.AppID); err != nil {
		if domain.ErrorCodeOf(err) == domain.ENotFound {
			return ReleaseDetail{}, domain.Errorf(domain.ENotFound, "no such release")
		}
		return d, translate(err, "get release")
	}
	rows, err = db.pool.Query(ctx, `select `+labColumns+labFrom+` where l.release_id = $1
		order by l.tested_on desc, l.recorded_at desc limit $2`, id, appReleaseLimit)
	if err != nil {
		return d, translate(err, "get release")
	}
	if d.Results, err = pgx.CollectRows(rows, scanLab); err != nil {
		return d, translate(err, "get release")
	}
	rows, err = db.pool.Query(ctx, `select `+verdictColumns+verdictFrom+` where v.release_id = $1
		order by v.decided_at desc, v.id desc limit $2`, id, appReleaseLimit)
	if err != nil {
		return d, translate(err, "get release")
	}
	if d.Verdicts, err = pgx.CollectRows(rows, scanVerdict); err != nil {
		return d, translate(err, "get release")
	}
	if len(d.Results) > 0 {
		d.Release.Result = &d.Results[0]
	}
	if len(d.Verdicts) > 0 {
		d.Release.Verdict = &d.Verdicts[0]
	}
	return d, nil
}

// NewLabResult is what a lab found in one release, with its report.
type NewLabResult struct {
	ReleaseID string
	Framework FrameworkRef // the baseline tested against; its latest version when Version is empty
	Lab       string
	TestedOn  domain.Date
	Items     []domain.LabItem
	Report    UploadFile
}

// RecordLabResult records a lab result and stores its report as the
// provider's content, all or nothing. EInvalid lists every problem.
func (db *DB) RecordLabResult(ctx context.Context, actor domain.Actor, nr NewLabResult) (domain.LabResult, error) {
	nr.Lab = strings.TrimSpace(nr.Lab)
	for i := range nr.Items {
		nr.Items[i].MASVSRef, nr.Items[i].Note = strings.TrimSpace(nr.Items[i].MASVSRef), strings.TrimSpace(nr.Items[i].Note)
	}
	d, err := db.Release(ctx, actor, nr.ReleaseID)
	if err != nil {
		return domain.LabResult{}, err
	}
	key, err := db.frameworkKey(ctx, nr.Framework)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		return domain.LabResult{}, domain.Invalid("the lab result cannot be recorded", []domain.Problem{{Location: "body.framework",
			Message: fmt.Sprintf("framework %s is not published", nr.Framework)}})
	}
	if err != nil {
		return domain.LabResult{}, err
	}
	fw, err := db.framework(ctx, db.pool, key)
	if err != nil {
		return domain.LabResult{}, translate(err, "record lab result")
	}
	var id string
	err = db.write(ctx, "record lab result", func(t *txn) error {
		var today time.Time
		if err := t.QueryRow(ctx, `select current_date`).Scan(&today); err != nil {
			return err
		}
		if problems := domain.CheckLabResult(fw.Framework, nr.Lab, nr.TestedOn, domain.DateOf(today), nr.Items); len(problems) > 0 {
			return domain.Invalid("the lab result cannot be recorded", problems)
		}
		f := nr.Report
		tag, err := t.Exec(ctx, `insert into blobs (provider_id, sha256, size) values ($1, $2, $3) on conflict do nothing`,
			d.App.ProviderID, f.SHA256, f.Size)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			written, err := copyChunks(ctx, t, evidenceContent(d.App.ProviderID, f.SHA256), f.Content)
			if err != nil {
				return err
			}
			if written != f.Size {
				return fmt.Errorf("lab report %s: %d bytes stored, %d announced", f.Filename, written, f.Size)
			}
		}
		if err := t.QueryRow(ctx, `insert into lab_results (release_id, provider_id, framework, lab, tested_on, report_filename,
			report_type, report_size, report_sha256, recorded_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id::text`,
			nr.ReleaseID, d.App.ProviderID, key, nr.Lab, nr.TestedOn.Time(), f.Filename, f.MediaType, f.Size, f.SHA256,
			nullable(actor.UserID)).Scan(&id); err != nil {
			return err
		}
		rows := make([][]any, len(nr.Items))
		failed := []string{}
		for i, it := range nr.Items {
			rows[i] = []any{id, key, it.ControlID, string(it.Outcome), it.MASVSRef, it.Note}
			if it.Outcome == domain.LabFail {
				failed = append(failed, it.ControlID)
			}
		}
		if err := copyRows(ctx, t, "lab_result_items", []string{"result_id", "framework", "control_id", "outcome", "masvs_ref", "note"}, rows); err != nil {
			return err
		}
		return t.record(actor, "app.lab_result", "lab_result", id, d.App.ProviderID, map[string]any{
			"release_id": nr.ReleaseID, "framework": fw.ID, "version": fw.Version, "lab": nr.Lab,
			"tested_on": nr.TestedOn.String(), "failed": failed, "report_sha256": f.SHA256})
	})
	if err != nil {
		return domain.LabResult{}, err
	}
	return db.LabResult(ctx, actor, id)
}

// LabResult returns one lab result the actor may see, with its items in
// catalog order.
func (db *DB) LabResult(ctx context.Context, actor domain.Actor, id string) (domain.LabResult, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.LabResult{}, err
	}
	if !isUUID(id) {
		return domain.LabResult{}, domain.Errorf(domain.ENotFound, "no such lab result")
	}
	rows, err := db.pool.Query(ctx, `select `+labColumns+labFrom+` where l.id = $1 and ($2 = '*' or l.provider_id = nullif($2, '*')::uuid)`,
		id, scope)
	if err != nil {
		return domain.LabResult{}, translate(err, "get lab result")
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanLab)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.LabResult{}, domain.Errorf(domain.ENotFound, "no such lab result")
	}
	if err != nil {
		return domain.LabResult{}, translate(err, "get lab result")
	}
	out := domain.LabResult{LabSummary: s}
	rows, err = db.pool.Query(ctx, `select i.control_id, i.outcome, i.masvs_ref, i.note from lab_result_items i
		join controls c on c.framework = i.framework and c.id = i.control_id where i.result_id = $1 order by c.ordinal`, id)
	if err != nil {
		return out, translate(err, "get lab result")
	}
	out.Items, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.LabItem])
	return out, translate(err, "get lab result")
}

// DecideRelease records the supervisor's verdict on a release, made on one
// of its own lab results: a result of another release, even of the same
// app, does not count.
func (db *DB) DecideRelease(ctx context.Context, actor domain.Actor, releaseID, resultID string, v domain.ReleaseVerdictKind, conditions string) (domain.ReleaseVerdict, error) {
	conditions = strings.TrimSpace(conditions)
	d, err := db.Release(ctx, actor, releaseID)
	if err != nil {
		return domain.ReleaseVerdict{}, err
	}
	var result *domain.LabSummary
	for i := range d.Results {
		if d.Results[i].ID == resultID || (resultID == "" && i == 0) {
			result = &d.Results[i]
			break
		}
	}
	if result == nil {
		msg := "no lab result of this release has that id"
		if len(d.Results) == 0 {
			msg = "this release has no lab result yet: a new version needs a new test before a verdict"
		}
		return domain.ReleaseVerdict{}, domain.Invalid("the verdict cannot be recorded", []domain.Problem{{Location: "body.lab_result_id", Message: msg}})
	}
	if problems := domain.CheckReleaseVerdict(v, conditions, *result); len(problems) > 0 {
		return domain.ReleaseVerdict{}, domain.Invalid("the verdict cannot be recorded", problems)
	}
	var out domain.ReleaseVerdict
	err = db.write(ctx, "decide release", func(t *txn) error {
		var id string
		if err := t.QueryRow(ctx, `insert into release_verdicts (release_id, lab_result_id, verdict, conditions, decided_by)
			values ($1, $2, $3, $4, $5) returning id::text`, releaseID, result.ID, v, conditions, nullable(actor.UserID)).Scan(&id); err != nil {
			return err
		}
		rows, err := t.Query(ctx, `select `+verdictColumns+verdictFrom+` where v.id = $1`, id)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, scanVerdict); err != nil {
			return err
		}
		return t.record(actor, "app.verdict", "app_release", releaseID, d.App.ProviderID, map[string]any{
			"lab_result_id": result.ID, "verdict": v, "conditions": conditions, "version": d.Release.Version, "app_id": d.App.ID})
	})
	return out, err
}

// LabContradictions lists the controls of an assessment its provider
// answers as implemented while the lab failed, in the latest test of one of
// the provider's apps, a baseline item that a published mapping relates to
// the control (any relationship but not_related, read either way). Mappings
// are matched by framework id, so a mapping made for one version of a
// framework speaks for the same control ids in its other versions; where
// several do, the one of the assessment's version, then the strongest,
// counts.
func (db *DB) LabContradictions(ctx context.Context, actor domain.Actor, assessmentID string) ([]domain.LabContradiction, error) {
	a, err := db.Assessment(ctx, actor, assessmentID)
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `with current as (
			select distinct on (r.app_id) l.id, fw.id as fw, l.lab, l.tested_on, r.id as release_id, r.version,
				ap.id as app_id, ap.name, ap.platform
			from provider_apps ap join app_releases r on r.app_id = ap.id join lab_results l on l.release_id = r.id
			join frameworks fw on fw.pk = l.framework
			where ap.provider_id = $1
			order by r.app_id, l.tested_on desc, l.recorded_at desc
		), assessed as (
			select f.id, f.version from assessments a join campaigns cp on cp.id = a.campaign_id
			join frameworks f on f.pk = cp.framework where a.id = $2
		), links as (
			select source_framework as item_fw, source_control as item, target_framework as fw, target_control as control,
				relationship, strength, false as reversed
			from mapping_links where relationship <> 'not_related'
			union all
			select target_framework, target_control, source_framework, source_control, relationship, strength, true
			from mapping_links where relationship <> 'not_related'
		)
		select distinct on (k.control, c.id, i.control_id) k.control, c.app_id::text, c.name, c.platform, c.release_id::text,
			c.version, c.id::text, c.lab, c.tested_on, i.control_id, ctl.title, i.masvs_ref, k.relationship, k.strength, k.reversed
		from current c
		join lab_result_items i on i.result_id = c.id and i.outcome = 'fail'
		join controls ctl on ctl.framework = i.framework and ctl.id = i.control_id
		join links k on k.item = i.control_id
		join frameworks sf on sf.pk = k.item_fw and sf.id = c.fw
		join frameworks tf on tf.pk = k.fw
		join assessed on assessed.id = tf.id
		join responses resp on resp.assessment_id = $2 and resp.control_id = k.control and resp.status = 'implemented'
		order by k.control, c.id, i.control_id, (tf.version = assessed.version) desc, k.strength desc`,
		a.ProviderID, a.ID)
	if err != nil {
		return nil, translate(err, "lab contradictions")
	}
	var out []domain.LabContradiction
	var lc domain.LabContradiction
	var on time.Time
	var reversed bool
	_, err = pgx.ForEachRow(rows, []any{&lc.ControlID, &lc.AppID, &lc.AppName, &lc.Platform, &lc.ReleaseID, &lc.Version,
		&lc.ResultID, &lc.Lab, &on, &lc.ItemID, &lc.ItemTitle, &lc.MASVSRef, &lc.Relationship, &lc.Strength, &reversed}, func() error {
		lc.TestedOn = domain.DateOf(on)
		if reversed {
			lc.Relationship = lc.Relationship.Inverse()
		}
		out = append(out, lc)
		return nil
	})
	return out, translate(err, "lab contradictions")
}
