package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/api"
	"assure/domain"
	"assure/store"
)

// The test in this file walks every operation of the OpenAPI document, as
// every role, on an object of the caller's own provider and of another, and
// checks each answer against expectedAccess, a table written by hand. An
// operation without a line in that table, a path
// parameter without a fixture or a body-taking operation without a body
// fixture fails the test, so new endpoints join it at once.

// scope says what the "other" variant of a fixture is.
type scope int

const (
	sameObject    scope = iota // no owner: both variants name the same object
	otherProvider              // the other variant belongs to another provider
	otherUser                  // the other variant belongs to another user: always not found
)

// world is the fixture data: two providers, a user of every role acting for
// the first, and objects of both.
type world struct {
	s           *server
	own, other  string // provider ids
	actors      map[domain.Role]domain.User
	ownTarget   domain.User // a provider_editor of own, to be read, changed, disabled
	otherTarget domain.User // a provider_editor of other
	otherToken  string      // an API token id of another user
	secrets     []string    // strings of the other provider no provider user may see
	seq         atomic.Int64

	campaign                       string
	ownAssessment, otherAssessment domain.Assessment
	ownEvidence, otherEvidence     string
	ownFinding, otherFinding       string
	job                            string // a report job another user asked for
	ownApp, otherApp               string
	ownRelease, otherRelease       string
	ownLabResult, otherLabResult   string
	ownIncident, otherIncident     string
	series                         string // a campaign series
}

func newWorld(s *server) *world {
	w := &world{s: s, own: s.provider("Own Bank"), other: s.provider("Rival Mobile Money")}
	w.actors = map[domain.Role]domain.User{}
	for _, r := range domain.Roles {
		p := ""
		if r.ForProvider() {
			p = w.own
		}
		w.actors[r] = s.user(r, p)
	}
	w.ownTarget = s.user(domain.RoleProviderEditor, w.own)
	w.otherTarget = s.user(domain.RoleProviderEditor, w.other)
	otherAdmin := s.user(domain.RoleProviderAdmin, w.other)
	_, tok, err := s.db.CreateAPIToken(context.Background(), actorOf(otherAdmin), "theirs", time.Now().Add(time.Hour))
	if err != nil {
		s.t.Fatal(err)
	}
	w.otherToken = tok.ID
	w.secrets = []string{w.other, "Rival Mobile Money", w.otherTarget.ID, w.otherTarget.Email, otherAdmin.ID, otherAdmin.Email}

	// A campaign over both providers; each files once and has evidence and a finding.
	sup := actorOf(w.actors[domain.RoleSupervisor])
	c, assessments := s.openCampaign(sup, w.own, w.other)
	w.campaign = c.ID
	w.ownAssessment, w.otherAssessment = assessments[w.own], assessments[w.other]
	for _, side := range []struct {
		a        domain.Assessment
		admin    domain.Actor
		evidence *string
		finding  *string
	}{
		{w.ownAssessment, actorOf(w.actors[domain.RoleProviderAdmin]), &w.ownEvidence, &w.ownFinding},
		{w.otherAssessment, actorOf(otherAdmin), &w.otherEvidence, &w.otherFinding},
	} {
		ev := s.uploadEvidence(side.admin, side.a.ID, textFile("policy.txt", "Access policy of "+side.a.ProviderID))
		*side.evidence = ev[0].ID
		s.answerAll(side.admin, side.a.ID)
		_, err := s.db.Submit(context.Background(), side.admin, side.a.ID, attestation)
		s.must(err)
		f, err := s.db.CreateFinding(context.Background(), sup, store.NewFinding{AssessmentID: side.a.ID, ControlID: "C1",
			Title: "Weak session policy", Severity: domain.SeverityHigh, Description: "Sessions never time out.",
			DueAt: domain.Today().AddDays(60)})
		s.must(err)
		*side.finding = f.ID
	}
	for _, side := range []struct {
		provider, name       string
		app, release, result *string
	}{
		{w.own, "Own Wallet", &w.ownApp, &w.ownRelease, &w.ownLabResult},
		{w.other, "Rival Wallet", &w.otherApp, &w.otherRelease, &w.otherLabResult},
	} {
		ap, rel := s.registerApp(sup, side.provider, side.name, "1.0.0")
		*side.app, *side.release = ap.ID, rel.ID
		*side.result = s.labResult(sup, rel.ID, "APP-INT-1").ID
	}
	for _, side := range []struct {
		reporter domain.Actor
		provider string
		title    string
		id       *string
	}{
		{actorOf(w.actors[domain.RoleProviderAdmin]), w.own, "Own outage", &w.ownIncident},
		{actorOf(otherAdmin), w.other, "Rival outage", &w.otherIncident},
	} {
		i, err := s.db.ReportIncident(context.Background(), side.reporter, domain.NewIncident{ProviderID: side.provider,
			Title: side.title, DetectedAt: time.Now().Add(-time.Hour), ClassifiedAt: time.Now().Add(-time.Hour),
			Facts: domain.IncidentFacts{Description: "Wallet app down.", Channels: []string{"app"}, Threats: []string{"T6"}}})
		s.must(err)
		*side.id = i.ID
	}
	w.secrets = append(w.secrets, w.otherAssessment.ID, w.otherEvidence, w.otherFinding, w.otherApp, w.otherRelease,
		w.otherLabResult, "Rival Wallet", w.otherIncident, "Rival outage")
	job, err := s.db.CreateReportJob(context.Background(), actorOf(s.user(domain.RoleAuditor, "")), "pdf",
		store.ReportParams{CampaignID: c.ID})
	s.must(err)
	w.job = job.ID
	series, err := s.db.CreateCampaignSeries(context.Background(), sup, domain.CampaignSeries{Name: "Walk series",
		FrameworkID: "x1150", EveryMonths: 12, FirstOpensOn: domain.Today().AddDays(30), DueAfterDays: 60, LeadDays: 14},
		domain.Today())
	s.must(err)
	w.series = series.ID
	publishTestMapping(s.t, s)
	return w
}

// paramFixtures resolve a path parameter, named by the path segment before
// it, for an actor and a variant.
var paramFixtures = map[string]func(w *world, actor domain.User, other bool) (string, scope){
	"frameworks/{fw}": func(*world, domain.User, bool) (string, scope) { return "x1150", sameObject },
	"threats/{id}":    func(*world, domain.User, bool) (string, scope) { return "T10", sameObject },
	"controls/{id}":   func(*world, domain.User, bool) (string, scope) { return "C52", sameObject },
	"mappings/{mapping}": func(*world, domain.User, bool) (string, scope) {
		return "test-checklist-x1150", sameObject
	},
	"users/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		if other {
			return w.otherTarget.ID, otherProvider
		}
		return w.ownTarget.ID, otherProvider
	},
	"providers/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.own, w.other), otherProvider
	},
	"campaigns/{id}":        func(w *world, _ domain.User, _ bool) (string, scope) { return w.campaign, sameObject },
	"campaign-series/{id}":  func(w *world, _ domain.User, _ bool) (string, scope) { return w.series, sameObject },
	"responses/{control}":   func(*world, domain.User, bool) (string, scope) { return "C1", sameObject },
	"submissions/{version}": func(*world, domain.User, bool) (string, scope) { return "1", sameObject },
	"assessments/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownAssessment.ID, w.otherAssessment.ID), otherProvider
	},
	"evidence/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownEvidence, w.otherEvidence), otherProvider
	},
	"findings/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownFinding, w.otherFinding), otherProvider
	},
	"apps/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownApp, w.otherApp), otherProvider
	},
	"app-releases/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownRelease, w.otherRelease), otherProvider
	},
	"lab-results/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownLabResult, w.otherLabResult), otherProvider
	},
	"incidents/{id}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownIncident, w.otherIncident), otherProvider
	},
	"overrides/{threat}": func(*world, domain.User, bool) (string, scope) { return "T1", sameObject },
	"assessments/{file}": func(w *world, _ domain.User, other bool) (string, scope) {
		return pick(other, w.ownAssessment.ID, w.otherAssessment.ID) + ".xlsx", otherProvider
	},
	"jobs/{id}": func(w *world, actor domain.User, other bool) (string, scope) {
		if other {
			return w.job, otherUser
		}
		job, err := w.s.db.CreateReportJob(context.Background(), actorOf(actor), "pdf", store.ReportParams{CampaignID: w.campaign})
		w.s.must(err)
		return job.ID, otherUser
	},
	"identity-requests/{id}": func(w *world, _ domain.User, _ bool) (string, scope) {
		return identityRequest(w, domain.System("walk")), sameObject
	},
	"audit-verifications/{id}": func(w *world, _ domain.User, _ bool) (string, scope) {
		v, err := w.s.db.CreateAuditVerification(context.Background(), domain.System("walk"))
		w.s.must(err)
		return v.ID, sameObject
	},
	"tokens/{id}": func(w *world, actor domain.User, other bool) (string, scope) {
		if other {
			return w.otherToken, otherUser
		}
		_, tok, err := w.s.db.CreateAPIToken(context.Background(), actorOf(actor), "to revoke", time.Now().Add(time.Hour))
		if err != nil {
			w.s.t.Fatal(err)
		}
		return tok.ID, otherUser
	},
	"audit/{seq}": func(*world, domain.User, bool) (string, scope) { return "1", sameObject },
}

// identityRequest files a fresh request (a supervisor's password reset)
// by requester, for the walk to read, approve or reject.
func identityRequest(w *world, requester domain.Actor) string {
	r, err := w.s.db.FileIdentityRequest(context.Background(), requester, store.NewIdentityRequest{
		Kind: domain.RequestPasswordReset, TargetID: w.s.user(domain.RoleSupervisor, "").ID})
	w.s.must(err)
	return r.ID
}

// operationParamFixtures override paramFixtures for one operation, keyed by
// operation id and parameter.
var operationParamFixtures = map[string]func(w *world, actor domain.User, other bool) (string, scope){
	// Only the admin who asked may cancel: an admin cancels their own request.
	"cancel-identity-request identity-requests/{id}": func(w *world, actor domain.User, _ bool) (string, scope) {
		requester := domain.System("walk")
		if actor.Role == domain.RoleAdmin {
			requester = actorOf(actor)
		}
		return identityRequest(w, requester), sameObject
	},
}

// queryFixtures fill required query parameters, by name.
var queryFixtures = map[string]func(w *world) string{
	"campaign": func(w *world) string { return w.campaign },

	// a cell of the risk matrix
	"likelihood": func(*world) string { return "3" },
	"impact":     func(*world) string { return "3" },

	// a Merkle tree of the audit trail's first events
	"tree_size": func(*world) string { return "1" },
}

// bodyFixtures give a request body for an operation, by operation id.
var bodyFixtures = map[string]func(w *world, actor domain.User, other bool) (any, scope){
	"login": func(w *world, actor domain.User, _ bool) (any, scope) {
		return map[string]string{"email": actor.Email, "password": testPassword}, sameObject
	},
	"change-my-password": func(*world, domain.User, bool) (any, scope) {
		// The same password again: refused by rule, so the actor keeps it.
		return map[string]string{"current_password": testPassword, "new_password": testPassword}, sameObject
	},
	"confirm-totp": func(*world, domain.User, bool) (any, scope) { return map[string]string{"code": "000000"}, sameObject },
	"disable-totp": func(*world, domain.User, bool) (any, scope) { return map[string]string{"code": "000000"}, sameObject },
	"create-token": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"name": "walk", "expires_at": time.Now().Add(time.Hour)}, sameObject
	},
	"create-user": func(w *world, _ domain.User, other bool) (any, scope) {
		p := w.own
		if other {
			p = w.other
		}
		return map[string]any{"email": fmt.Sprintf("walk%d@example.test", w.seq.Add(1)), "name": "Walker",
			"role": "provider_editor", "provider_id": p, "password": testPassword}, otherProvider
	},
	"create-invitation": func(w *world, _ domain.User, other bool) (any, scope) {
		return map[string]any{"email": fmt.Sprintf("invited%d@example.test", w.seq.Add(1)), "name": "Invitee",
			"role": "provider_editor", "provider_id": pick(other, w.own, w.other), "language": "fr"}, otherProvider
	},
	"accept-invitation": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"token": "assure_l_walk", "password": "a walking passphrase"}, sameObject
	},
	"confirm-password-reset": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"token": "assure_l_walk", "password": "a walking passphrase"}, sameObject
	},
	"request-password-reset": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"email": "nobody@example.test"}, sameObject
	},
	"mark-notifications-read": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"ids": []string{}}, sameObject
	},
	"put-notification-preferences": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"preferences": []any{}}, sameObject
	},
	"update-user": func(*world, domain.User, bool) (any, scope) { return map[string]any{"name": "Renamed"}, sameObject },
	"reject-identity-request": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"reason": "Not on the staff list."}, sameObject
	},
	"reset-user-password": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"password": "a reset passphrase"}, sameObject
	},
	"update-settings": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"totp_required_roles": []string{}, "four_eyes": true}, sameObject
	},
	"create-provider": func(w *world, _ domain.User, _ bool) (any, scope) {
		return map[string]any{"legal_name": "Walk Bank plc", "short_name": "Walk", "kind": "bank", "tier": 2,
			"licence_number": fmt.Sprintf("WALK-%d", w.seq.Add(1)), "channels": []string{"app"}}, sameObject
	},
	"update-provider": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"tier": 2}, sameObject
	},
	"import-providers": func(w *world, _ domain.User, _ bool) (any, scope) {
		return multipartBody{textFile("providers.csv", "legal_name,short_name,licence_number,kind,tier,channels\n"+
			fmt.Sprintf("Walk Import plc,Walk Import,WALK-IMPORT-%d,psp,3,qr\n", w.seq.Add(1)))}, sameObject
	},
	"register-app": func(w *world, _ domain.User, other bool) (any, scope) {
		return map[string]any{"provider_id": pick(other, w.own, w.other), "name": "Walk app", "platform": "ios",
			"package_id": fmt.Sprintf("walk.app.%d", w.seq.Add(1))}, otherProvider
	},
	"add-release": func(w *world, _ domain.User, _ bool) (any, scope) {
		return map[string]any{"version": fmt.Sprintf("2.%d", w.seq.Add(1)), "build_hash": sha256hex([]byte(fmt.Sprint(w.seq.Add(1))))}, sameObject
	},
	"record-lab-result": func(w *world, _ domain.User, _ bool) (any, scope) {
		// Items that name no baseline item: a caller allowed through gets a 422.
		return formBody{fields: map[string]string{"lab": "Walk Lab", "tested_on": domain.Today().String(), "items": "[]"},
			files: map[string]upload{"report": textFile("report.txt", "walk report")}}, sameObject
	},
	"decide-release": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"verdict": "refused"}, sameObject
	},
	"record-inspection": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"held_on": domain.Today().String(), "kind": "off_site", "lead_inspector": "Walker",
			"summary": "Desk review on a walk."}, sameObject
	},
	"report-incident": func(w *world, _ domain.User, other bool) (any, scope) {
		return map[string]any{"provider_id": pick(other, w.own, w.other), "title": "Walk outage",
			"detected_at": time.Now().Add(-time.Hour), "classified_at": time.Now().Add(-time.Hour),
			"description": "Found on a walk.", "channels": []string{"ussd"}}, otherProvider
	},
	"file-incident-report": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"phase": "intermediate", "description": "Still down on the walk.", "threats": []string{"T6"}}, sameObject
	},
	"request-incident-information": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"comment": "Which agents were involved?"}, sameObject
	},
	"close-incident": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"comment": "Closed on a walk."}, sameObject
	},
	"publish-framework": func(w *world, _ domain.User, _ bool) (any, scope) {
		// A broken file: a caller allowed through gets a 422, never a new catalog.
		return multipartBody{textFile("walk.yaml", "id: [unclosed\n")}, sameObject
	},
	"create-campaign": func(w *world, _ domain.User, _ bool) (any, scope) {
		return map[string]any{"name": "Walk campaign", "framework": "x1150", "provider_ids": []string{w.own},
			"opens_at": future(0), "due_at": future(30)}, sameObject
	},
	"create-campaign-series": func(w *world, _ domain.User, _ bool) (any, scope) {
		return map[string]any{"name": "Walk yearly", "framework": "x1150", "scope": map[string]any{"kinds": []string{"bank"}},
			"every_months": 12, "first_opens_on": future(10), "due_after_days": 45}, sameObject
	},
	"update-campaign-series": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"name": "Walk series, renamed"}, sameObject
	},
	"extend-campaign": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"due_at": future(90), "reason": "Public holiday"}, sameObject
	},
	"submit-assessment": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"attestation": attestation}, sameObject
	},
	"request-changes":    reasonBody,
	"reject-assessment":  reasonBody,
	"reopen-finding":     reasonBody,
	"approve-assessment": func(*world, domain.User, bool) (any, scope) { return map[string]any{}, sameObject },
	"verify-finding":     func(*world, domain.User, bool) (any, scope) { return map[string]any{"note": "Checked"}, sameObject },
	"put-response": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"status": "implemented", "narrative": "Done."}, sameObject
	},
	"put-responses": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"responses": []map[string]any{{"control_id": "C1", "version": 1, "status": "partial",
			"remediation_date": future(30)}}}, sameObject
	},
	"apply-mapping": func(w *world, _ domain.User, other bool) (any, scope) {
		// The assessment to carry from is the path's own: not approved, so
		// a caller allowed through gets a 422, never a change.
		from := w.ownAssessment.ID
		if other {
			from = w.otherAssessment.ID
		}
		return map[string]any{"mapping": "test-checklist-x1150", "from_assessment": from}, sameObject
	},
	"put-verdict": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"verdict": "accepted"}, sameObject
	},
	"put-verdicts": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"verdicts": []map[string]any{{"control_id": "C1", "verdict": "accepted"}}}, sameObject
	},
	"upload-evidence": func(w *world, _ domain.User, _ bool) (any, scope) {
		return multipartBody{textFile("walk.txt", fmt.Sprintf("walk %d", w.seq.Add(1)))}, sameObject
	},
	"create-finding": func(w *world, _ domain.User, other bool) (any, scope) {
		return map[string]any{"assessment_id": pick(other, w.ownAssessment.ID, w.otherAssessment.ID),
			"title": "Walk finding", "severity": "low", "description": "Found on a walk.", "due_at": future(30)}, otherProvider
	},
	"put-risk-profile": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"customers": 120000, "agents": 800, "note": "From the 2026 annual report."}, sameObject
	},
	"put-risk-profile-confirmation": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"customers": 150000, "note": "Corrected from the supervisory return."}, sameObject
	},
	"put-risk-override": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"likelihood": 5, "reason": "Two breaches in 2026."}, sameObject
	},
	"create-report-job": func(w *world, _ domain.User, _ bool) (any, scope) {
		return map[string]any{"kind": "sector", "campaign": w.campaign, "format": "xlsx"}, sameObject
	},
	"upload-questionnaire": func(*world, domain.User, bool) (any, scope) {
		return multipartBody{textFile("questionnaire.xlsx", "not a workbook")}, sameObject
	},
	"respond-to-finding": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"note": "Working on it."}, sameObject
	},
	"verify-audit-checkpoints": func(*world, domain.User, bool) (any, scope) {
		return map[string]any{"checkpoints": []map[string]any{{"seq": 1, "hash": strings.Repeat("0", 64),
			"at": time.Now(), "key_id": "walk", "signature": "d2Fsaw=="}}}, sameObject
	},
}

func reasonBody(*world, domain.User, bool) (any, scope) {
	return map[string]any{"reason": "Evidence is missing for several controls."}, sameObject
}

func pick(other bool, own, theirs string) string {
	if other {
		return theirs
	}
	return own
}

var pathParam = regexp.MustCompile(`([a-z-]+)/\{([a-z_]+)\}`)

type operation struct {
	method, path string
	op           *huma.Operation
	public       bool
}

func operations(t *testing.T, oa *huma.OpenAPI) []operation {
	var ops []operation
	for path, item := range oa.Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post,
			http.MethodPut: item.Put, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil {
				continue
			}
			ops = append(ops, operation{method: method, path: path, op: op, public: api.IsPublic(op)})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].op.OperationID < ops[j].op.OperationID })
	return ops
}

func TestEveryOperationFollowsThePolicy(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	w := newWorld(s)
	ops := operations(t, s.api.OpenAPI())
	if len(ops) < 20 {
		t.Fatalf("only %d operations found", len(ops))
	}
	table := expectedAccessRows(t)
	seen := map[string]bool{}
	for _, o := range ops {
		seen[o.op.OperationID] = true
		row, ok := table[o.op.OperationID]
		switch {
		case !ok:
			t.Errorf("%s: no line in expectedAccess; write down who may call it", o.op.OperationID)
		case row.public != o.public:
			t.Errorf("%s: public is %v, expectedAccess says %v", o.op.OperationID, o.public, row.public)
		}
	}
	for id := range table {
		if !seen[id] {
			t.Errorf("expectedAccess names %s, which the API does not have", id)
		}
	}

	checked := 0
	statuses := map[string]int{}
	for _, o := range ops {
		// Without credentials: 401, except the public operations.
		path, _, ok := w.resolve(t, o, w.actors[domain.RoleAdmin], false)
		if !ok {
			continue
		}
		body, _ := w.body(t, o, w.actors[domain.RoleAdmin], false)
		r := s.as("").do(o.method, path, body)
		if o.public {
			if r.status == http.StatusUnauthorized && o.op.OperationID != "login" {
				t.Errorf("%s is public but answered 401", o.op.OperationID)
			}
		} else if r.status != http.StatusUnauthorized {
			t.Errorf("%s %s without credentials = %d, want 401", o.method, path, r.status)
		}
		row, ok := table[o.op.OperationID]
		if o.public || !ok || row.public {
			continue
		}
		for _, role := range domain.Roles {
			actor := w.actors[role]
			for _, other := range []bool{false, true} {
				path, pathScope, _ := w.resolve(t, o, actor, other)
				body, bodyScope := w.body(t, o, actor, other)
				want := row.want(role, other)
				if other {
					checkVariant(t, o.op.OperationID, role, row, max(pathScope, bodyScope))
				}
				r := s.as(s.tokenFor(actor)).do(o.method, path, body)
				checked++
				statuses[fmt.Sprintf("%s %d", o.op.OperationID, r.status)]++
				if !want.met(r.status) {
					t.Errorf("%s as %s (%s): %d, want %s: %s %s %.200s", o.op.OperationID, role, variantName(other),
						r.status, want, o.method, path, r.body)
				}
				if role.ForProvider() {
					for _, secret := range w.secrets {
						if strings.Contains(string(r.body), secret) {
							t.Errorf("%s %s as %s leaks %q of another provider", o.method, path, role, secret)
						}
					}
				}
			}
		}
	}
	t.Logf("%d operations, %d authenticated requests checked", len(ops), checked)
	keys := make([]string, 0, len(statuses))
	for k := range statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-40s ×%d", k, statuses[k])
	}
}

// checkVariant holds a line of expectedAccess to what the fixtures name: both
// variants of an object of no owner are one object and answer alike, and
// another user's object is never reachable.
func checkVariant(t *testing.T, id string, role domain.Role, row accessRow, sc scope) {
	t.Helper()
	own, other := row.want(role, false), row.want(role, true)
	switch {
	case sc == sameObject && own != other:
		t.Errorf("expectedAccess[%q] for %s: %s on own but %s on other, yet both name the same object", id, role, own, other)
	case sc == otherUser && other == allowed:
		t.Errorf("expectedAccess[%q] for %s: another user's object cannot be allowed", id, role)
	}
}

func variantName(other bool) string {
	if other {
		return "other"
	}
	return "own"
}

// resolve fills the path parameters of o.
func (w *world) resolve(t *testing.T, o operation, actor domain.User, other bool) (string, scope, bool) {
	sc := sameObject
	ok := true
	path := pathParam.ReplaceAllStringFunc(o.path, func(m string) string {
		parts := pathParam.FindStringSubmatch(m)
		f, found := operationParamFixtures[o.op.OperationID+" "+parts[1]+"/{"+parts[2]+"}"]
		if !found {
			f, found = paramFixtures[parts[1]+"/{"+parts[2]+"}"]
		}
		if !found {
			t.Errorf("%s: no fixture for path parameter %s/{%s}", o.op.OperationID, parts[1], parts[2])
			ok = false
			return m
		}
		v, s := f(w, actor, other)
		sc = max(sc, s)
		return parts[1] + "/" + v
	})
	var query []string
	for _, p := range o.op.Parameters {
		if p.In != "query" || !p.Required {
			continue
		}
		f, found := queryFixtures[p.Name]
		if !found {
			t.Errorf("%s: no fixture for required query parameter %s", o.op.OperationID, p.Name)
			ok = false
			continue
		}
		query = append(query, p.Name+"="+f(w))
	}
	if len(query) > 0 {
		path += "?" + strings.Join(query, "&")
	}
	return path, sc, ok
}

// body returns the body fixture of o, if it takes one, and its scope.
func (w *world) body(t *testing.T, o operation, actor domain.User, other bool) (any, scope) {
	if o.op.RequestBody == nil {
		return nil, sameObject
	}
	f, ok := bodyFixtures[o.op.OperationID]
	if !ok {
		t.Errorf("%s takes a body but has no body fixture", o.op.OperationID)
		return map[string]any{}, sameObject
	}
	return f(w, actor, other)
}
