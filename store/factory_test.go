package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

// Factories shared by the store's resource tests. Every actor here is built
// from a user stored in the database (its role and provider set as a real
// sign-in would), never by hand, so the tests keep meaning the same thing
// however the store derives a caller's scope from the actor.

// side is one provider taking part in a filing, with its own people and its
// assessment in the campaign.
type side struct {
	id         string
	admin      domain.Actor // provider_admin
	editor     domain.Actor // provider_editor
	assessment domain.Assessment
}

// filing is a fresh database with one open x1150 campaign over two banks, A
// and B, each holding a draft assessment, watched by two supervisors and an
// auditor. audit follows the events appended since the filing was set up.
type filing struct {
	db       *store.DB
	url      string
	sup      domain.Actor
	sup2     domain.Actor
	auditor  domain.Actor
	campaign domain.Campaign
	a, b     side
	audit    *trail
}

// newFiling sets up a filing. Setting it up writes audit events of its own;
// the trail starts after them.
func newFiling(t *testing.T) *filing {
	t.Helper()
	db, url := storetest.New(t)
	return filingOn(t, db, url)
}

// filingOn sets up a filing on a database that holds the built-in catalogs
// and nothing else.
func filingOn(t *testing.T, db *store.DB, url string) *filing {
	t.Helper()
	ctx := context.Background()
	f := &filing{db: db, url: url}
	f.sup = actorOf(newUser(t, db, "sup@regulator.test", domain.RoleSupervisor, ""))
	f.sup2 = actorOf(newUser(t, db, "sup2@regulator.test", domain.RoleSupervisor, ""))
	f.auditor = actorOf(newUser(t, db, "audit@regulator.test", domain.RoleAuditor, ""))
	f.a = newSide(t, db, url, "Alpha Bank", "alpha")
	f.b = newSide(t, db, url, "Beta Bank", "beta")
	today := domain.Today()
	c, err := db.CreateCampaign(ctx, f.sup, domain.Campaign{Name: "2027 H1 self-assessment", FrameworkID: "x1150",
		ProviderIDs: []string{f.a.id, f.b.id}, OpensAt: today.AddDays(-1), DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	if f.campaign, err = db.OpenCampaign(ctx, f.sup, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := db.Assessments(ctx, f.sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(list) != 2 {
		t.Fatalf("assessments of the new campaign: %v, %v", list, err)
	}
	for _, a := range list {
		switch a.ProviderID {
		case f.a.id:
			f.a.assessment = a
		case f.b.id:
			f.b.assessment = a
		}
	}
	if f.a.assessment.ID == "" || f.b.assessment.ID == "" {
		t.Fatalf("the campaign did not open one assessment per provider: %+v", list)
	}
	f.audit = newTrail(t, url)
	return f
}

// newSide registers a provider with an admin and an editor.
func newSide(t *testing.T, db *store.DB, url, name, slug string) side {
	t.Helper()
	id := newProvider(t, url, name)
	return side{
		id:     id,
		admin:  actorOf(newUser(t, db, "admin@"+slug+".test", domain.RoleProviderAdmin, id)),
		editor: actorOf(newUser(t, db, "editor@"+slug+".test", domain.RoleProviderEditor, id)),
	}
}

// responses returns every response of an assessment, as actor sees them.
func (f *filing) responses(t *testing.T, actor domain.Actor, assessmentID string) []domain.Response {
	t.Helper()
	list, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return f.db.Responses(context.Background(), actor, assessmentID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("the assessment has no responses")
	}
	return list
}

// response returns one response, as the supervisor sees it.
func (f *filing) response(t *testing.T, assessmentID, controlID string) domain.Response {
	t.Helper()
	r, err := f.db.Response(context.Background(), f.sup, assessmentID, controlID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// implemented is an answer complete enough to be filed.
func implemented(narrative string) domain.ResponseInput {
	return domain.ResponseInput{Status: domain.Implemented, Narrative: narrative}
}

// answerAll answers every control of the side's assessment as implemented,
// so that it can be submitted.
func (f *filing) answerAll(t *testing.T, s side) []domain.Response {
	t.Helper()
	var ups []store.ResponseUpdate
	for _, r := range f.responses(t, s.editor, s.assessment.ID) {
		ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: implemented("In place since 2025; see the security policy.")})
	}
	out, err := f.db.SaveResponses(context.Background(), s.editor, s.assessment.ID, ups, "body.responses")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var attestation = domain.Attestation{Name: "Ada Obi", Position: "Chief Compliance Officer",
	Statement: "The answers are true and complete to the best of my knowledge."}

// submitted answers everything and files the side's assessment.
func (f *filing) submitted(t *testing.T, s side) store.Submission {
	t.Helper()
	f.answerAll(t, s)
	sub, err := f.db.Submit(context.Background(), s.admin, s.assessment.ID, attestation)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// inReview files the side's assessment and has the supervisor take it into review.
func (f *filing) inReview(t *testing.T, s side) {
	t.Helper()
	f.submitted(t, s)
	if _, err := f.db.StartReview(context.Background(), f.sup, s.assessment.ID, 0); err != nil {
		t.Fatal(err)
	}
}

// judgeAll records the same verdict on every response, as by.
func (f *filing) judgeAll(t *testing.T, by domain.Actor, s side, v domain.Verdict) {
	t.Helper()
	var vs []store.VerdictInput
	for _, r := range f.responses(t, by, s.assessment.ID) {
		vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: v, Comment: "Checked on site."})
	}
	if _, err := f.db.SetVerdicts(context.Background(), by, s.assessment.ID, vs, "body.verdicts"); err != nil {
		t.Fatal(err)
	}
}

// assessment reads an assessment as the supervisor sees it.
func (f *filing) assessment(t *testing.T, id string) domain.Assessment {
	t.Helper()
	a, err := f.db.Assessment(context.Background(), f.sup, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, what string, err error, code domain.ErrorCode) *domain.Error {
	t.Helper()
	if domain.ErrorCodeOf(err) != code {
		t.Fatalf("%s = %v, want %s", what, err, code)
	}
	e, _ := domain.AsError(err)
	return e
}

// problemAt reports whether e lists a problem at location.
func problemAt(e *domain.Error, location string) bool {
	return slices.ContainsFunc(e.Problems, func(p domain.Problem) bool { return p.Location == location })
}

// event is one stored audit event, read behind the store's back.
type event struct {
	Seq        int64
	At         time.Time
	ActorID    string
	Action     string
	ObjectType string
	ObjectID   string
	ProviderID string
	Summary    map[string]any
}

// ev names the event a test expects: its action and object.
type ev struct{ action, objectType, objectID string }

func (e ev) String() string { return e.action + " " + e.objectType + ":" + e.objectID }

func (e event) key() ev { return ev{e.Action, e.ObjectType, e.ObjectID} }

// trail follows what the audit chain of one database gains, change by change.
type trail struct {
	url  string
	seen int64
}

// newTrail starts following the audit chain at its current end.
func newTrail(t *testing.T, url string) *trail {
	t.Helper()
	tr := &trail{url: url}
	if err := queryRow(url, `select coalesce(max(seq), 0) from audit_events`, nil, &tr.seen); err != nil {
		t.Fatal(err)
	}
	return tr
}

// expect checks that exactly the wanted events (in any order) were appended
// since the last look, and that they were written by one transaction: they
// share its one timestamp. It returns them, oldest first. With nothing
// wanted it checks that nothing was appended.
func (tr *trail) expect(t *testing.T, want ...ev) []event {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, tr.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `select seq, at, coalesce(actor_id::text, ''), action, object_type, object_id,
		coalesce(provider_id::text, ''), summary::text from audit_events where seq > $1 order by seq`, tr.seen)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (event, error) {
		var e event
		var summary string
		err := r.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.ProviderID, &summary)
		if err == nil {
			err = json.Unmarshal([]byte(summary), &e.Summary)
		}
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		tr.seen = got[len(got)-1].Seq
	}
	keys := make([]string, len(got))
	for i, e := range got {
		keys[i] = e.key().String()
	}
	wanted := make([]string, len(want))
	for i, w := range want {
		wanted[i] = w.String()
	}
	slices.Sort(keys)
	slices.Sort(wanted)
	if !slices.Equal(keys, wanted) {
		t.Fatalf("audit events appended:\n%s\nwant:\n%s", listed(keys), listed(wanted))
	}
	for _, e := range got {
		if !e.At.Equal(got[0].At) {
			t.Fatalf("event %d (%s) at %v and event %d at %v: not one transaction", e.Seq, e.Action, e.At,
				got[0].Seq, got[0].At)
		}
	}
	return got
}

func listed(keys []string) string {
	if len(keys) == 0 {
		return "\t(none)"
	}
	return "\t" + strings.Join(keys, "\n\t")
}

// one expects exactly one event and returns it.
func (tr *trail) one(t *testing.T, want ev) event {
	t.Helper()
	return tr.expect(t, want)[0]
}

// sameInstant fails unless a row's timestamp is the time of the audit event
// that recorded its change: both come from the one transaction's clock.
func sameInstant(t *testing.T, what string, at time.Time, e event) {
	t.Helper()
	if !at.Equal(e.At) {
		t.Errorf("%s at %v, its audit event %s at %v: not written by the same change", what, at, e.Action, e.At)
	}
}

// summaryString returns a string field of an event's summary.
func summaryString(e event, key string) string {
	s, _ := e.Summary[key].(string)
	return s
}

// count runs a counting query behind the store's back.
func count(t *testing.T, url, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := queryRow(url, sql, args, &n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// responseID is the audit object id of one response.
func responseID(assessmentID, controlID string) string {
	return fmt.Sprintf("%s/%s", assessmentID, controlID)
}
