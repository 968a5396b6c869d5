package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"

	"assure/app"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"assure/store/storetest"
)

// sector is a fresh database with two providers, A and B, each with a
// provider_admin, a provider_editor and a draft assessment in one open
// campaign, watched by two supervisors and an auditor; A's assessment holds
// one evidence file.
type sector struct {
	app                *app.App
	db                 *store.DB
	sup, sup2, auditor domain.Actor
	adminA, editorA    domain.Actor
	adminB, editorB    domain.Actor
	a, b               domain.Assessment
	evidenceA          domain.Evidence
}

func newSector(t *testing.T) *sector {
	t.Helper()
	ctx := context.Background()
	db, _ := storetest.New(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	s := &sector{db: db, app: app.New(db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})}
	system := domain.System("test")
	provider := func(name string) string {
		p, err := db.CreateProvider(ctx, system, domain.Provider{LegalName: name + " plc", ShortName: name,
			LicenceNumber: "LIC-" + name, Kind: domain.KindBank, Tier: 2, Channels: []string{"app"}})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	user := func(email string, role domain.Role, providerID string) domain.Actor {
		u, err := db.CreateUser(ctx, system, store.NewUser{Email: email, Name: email, Role: role,
			ProviderID: providerID, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return domain.ActorFor(u)
	}
	pa, pb := provider("Alpha"), provider("Beta")
	s.sup = user("sup@regulator.test", domain.RoleSupervisor, "")
	s.sup2 = user("sup2@regulator.test", domain.RoleSupervisor, "")
	s.auditor = user("audit@regulator.test", domain.RoleAuditor, "")
	s.adminA, s.editorA = user("admin@alpha.test", domain.RoleProviderAdmin, pa), user("editor@alpha.test", domain.RoleProviderEditor, pa)
	s.adminB, s.editorB = user("admin@beta.test", domain.RoleProviderAdmin, pb), user("editor@beta.test", domain.RoleProviderEditor, pb)
	today := domain.Today()
	c, err := s.app.CreateCampaign(ctx, s.sup, domain.Campaign{Name: "2027 H1", FrameworkID: "x1150",
		ProviderIDs: []string{pa, pb}, OpensAt: today, DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.OpenCampaign(ctx, s.sup, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.app.Assessments(ctx, s.sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(list) != 2 {
		t.Fatalf("assessments: %v %v", list, err)
	}
	for _, as := range list {
		if as.ProviderID == pa {
			s.a = as
		} else {
			s.b = as
		}
	}
	content := []byte("Access control policy, approved by the board in 2026.\n")
	ev, err := s.app.UploadEvidence(ctx, s.editorA, s.a.ID, []app.Upload{{Filename: "policy.txt",
		Size: int64(len(content)), Content: bytes.NewReader(content)}})
	if err != nil {
		t.Fatal(err)
	}
	s.evidenceA = ev[0]
	return s
}

// answerAll answers every control of an assessment as implemented.
func (s *sector) answerAll(t *testing.T, actor domain.Actor, id string) {
	t.Helper()
	ctx := context.Background()
	list, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return s.app.Responses(ctx, actor, id, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var ups []store.ResponseUpdate
	for _, r := range list {
		ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: domain.ResponseInput{Status: domain.Implemented, Narrative: "In place and tested yearly."}})
	}
	if _, err := s.app.SaveResponses(ctx, actor, id, ups, "body.responses"); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, what string, err error, code domain.ErrorCode) {
	t.Helper()
	if got := domain.ErrorCodeOf(err); got != code {
		t.Errorf("%s = %v (%s), want %s", what, err, got, code)
	}
}

// TestRulesHoldWithoutHTTP calls the application layer directly, as the web
// pages do: an auditor cannot save a response, and provider B's users find
// nothing of provider A's.
func TestRulesHoldWithoutHTTP(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	r, err := s.app.Response(ctx, s.editorA, s.a.ID, "C1")
	if err != nil {
		t.Fatal(err)
	}
	answer := domain.ResponseInput{Status: domain.Implemented, Narrative: "Done."}

	_, err = s.app.SaveResponse(ctx, s.auditor, s.a.ID, "C1", answer, r.Version)
	wantCode(t, "auditor saves a response", err, domain.EForbidden)
	_, err = s.app.SaveResponses(ctx, s.auditor, s.a.ID, []store.ResponseUpdate{{ControlID: "C1", Version: r.Version, Input: answer}}, "body")
	wantCode(t, "auditor saves responses in bulk", err, domain.EForbidden)
	_, err = s.app.SaveResponse(ctx, s.sup, s.a.ID, "C1", answer, r.Version)
	wantCode(t, "supervisor saves a provider's response", err, domain.EForbidden)
	if after, _ := s.app.Response(ctx, s.editorA, s.a.ID, "C1"); after.Version != r.Version || after.Status != "" {
		t.Errorf("a refused save changed the response: %+v", after)
	}

	for _, b := range []domain.Actor{s.adminB, s.editorB} {
		_, err := s.app.Assessment(ctx, b, s.a.ID)
		wantCode(t, string(b.Role)+" of B reads A's assessment", err, domain.ENotFound)
		_, _, err = s.app.Responses(ctx, b, s.a.ID, store.ResponseFilter{}, store.Page{})
		wantCode(t, string(b.Role)+" of B reads A's responses", err, domain.ENotFound)
		_, err = s.app.Evidence(ctx, b, s.evidenceA.ID)
		wantCode(t, string(b.Role)+" of B reads A's evidence", err, domain.ENotFound)
		_, _, err = s.app.EvidenceOf(ctx, b, s.a.ID, store.Page{})
		wantCode(t, string(b.Role)+" of B lists A's evidence", err, domain.ENotFound)
		for _, format := range []string{"pdf", "xlsx"} {
			f, err := s.app.AssessmentReport(ctx, b, s.a.ID, format, "")
			wantCode(t, string(b.Role)+" of B exports A's "+format+" report", err, domain.ENotFound)
			if f != nil {
				f.Close()
			}
		}
		f, err := s.app.Questionnaire(ctx, b, s.a.ID, "")
		wantCode(t, string(b.Role)+" of B downloads A's questionnaire", err, domain.ENotFound)
		if f != nil {
			f.Close()
		}
		_, err = s.app.UploadQuestionnaire(ctx, b, s.a.ID, app.Upload{Filename: "q.xlsx", Size: 1, Content: bytes.NewReader([]byte{0})})
		wantCode(t, string(b.Role)+" of B uploads to A's questionnaire", err, domain.ENotFound)
		_, err = s.app.SaveResponse(ctx, b, s.a.ID, "C1", answer, r.Version)
		wantCode(t, string(b.Role)+" of B saves A's response", err, domain.ENotFound)
	}
	// The same calls succeed for A's own users, so the refusals above are
	// about the provider, not a broken fixture.
	if _, err := s.app.Evidence(ctx, s.editorA, s.evidenceA.ID); err != nil {
		t.Errorf("A's editor reads A's evidence: %v", err)
	}
	f, err := s.app.AssessmentReport(ctx, s.editorA, s.a.ID, "pdf", "")
	if err != nil {
		t.Fatalf("A's editor exports A's report: %v", err)
	}
	f.Close()
	f, err = s.app.Questionnaire(ctx, s.adminA, s.a.ID, "")
	if err != nil {
		t.Fatalf("A's admin downloads A's questionnaire: %v", err)
	}
	f.Close()
}

// TestActorWithoutScopeReadsNothing: an actor whose provider role has lost
// its provider reaches no provider's rows, rather than all of them.
func TestActorWithoutScopeReadsNothing(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	broken := s.editorA
	broken.ProviderID = ""
	if _, err := s.db.Assessment(ctx, broken, s.a.ID); err == nil {
		t.Error("a provider actor without a provider read an assessment")
	}
	if list, _, err := s.db.Assessments(ctx, broken, store.AssessmentFilter{}, store.Page{}); err == nil || len(list) != 0 {
		t.Errorf("a provider actor without a provider listed %d assessments (err %v)", len(list), err)
	}
	if _, _, err := s.db.Providers(ctx, domain.Actor{UserID: s.sup.UserID}, store.ProviderFilter{}, store.Page{}); err == nil {
		t.Error("an actor without a role listed providers")
	}
}

func allowed(t *testing.T, s *sector, actor domain.Actor, id string) []string {
	t.Helper()
	as, err := s.app.Assessment(context.Background(), actor, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.app.AllowedActions(context.Background(), actor, as)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// TestAllowedActionsAreTheCallers: what each caller may do now, not what the
// state machine allows anyone.
func TestAllowedActionsAreTheCallers(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	ctx := context.Background()
	has := func(who string, actions []string, action string, want bool) {
		t.Helper()
		if slices.Contains(actions, action) != want {
			t.Errorf("%s: allowed %v; %s present should be %v", who, actions, action, want)
		}
	}
	editor := allowed(t, s, s.editorA, s.a.ID)
	has("editor on a draft", editor, domain.ActionEdit, true)
	has("editor on a draft", editor, domain.ActionSubmit, false)
	admin := allowed(t, s, s.adminA, s.a.ID)
	has("provider_admin on a draft", admin, domain.ActionSubmit, true)
	sup := allowed(t, s, s.sup, s.a.ID)
	has("supervisor on a draft", sup, domain.ActionEdit, false)
	has("supervisor on a draft", sup, domain.ActionSubmit, false)
	if got := allowed(t, s, s.auditor, s.a.ID); len(got) != 0 {
		t.Errorf("auditor on a draft may %v", got)
	}

	s.answerAll(t, s.editorA, s.a.ID)
	if _, err := s.app.Submit(ctx, s.adminA, s.a.ID, domain.Attestation{Name: "Ada Obi", Position: "CCO",
		Statement: "True and complete."}); err != nil {
		t.Fatal(err)
	}
	if got := allowed(t, s, s.editorA, s.a.ID); len(got) != 0 {
		t.Errorf("editor on a submitted assessment may %v", got)
	}
	if _, err := s.app.StartReview(ctx, s.sup, s.a.ID, 0); err != nil {
		t.Fatal(err)
	}
	has("supervisor before any verdict", allowed(t, s, s.sup, s.a.ID), domain.ActionApprove, true)
	list, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return s.app.Responses(ctx, s.sup, s.a.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var vs []store.VerdictInput
	for _, r := range list {
		vs = append(vs, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
	}
	if _, err := s.app.SetVerdicts(ctx, s.sup, s.a.ID, vs, "body.verdicts"); err != nil {
		t.Fatal(err)
	}
	reviewer := allowed(t, s, s.sup, s.a.ID)
	has("supervisor who recorded the verdicts, four-eyes on", reviewer, domain.ActionApprove, false)
	has("supervisor who recorded the verdicts, four-eyes on", reviewer, domain.ActionReject, true)
	has("second supervisor", allowed(t, s, s.sup2, s.a.ID), domain.ActionApprove, true)

	// A page of assessments gets each one's own answer.
	page, _, err := s.app.Assessments(ctx, s.sup, store.AssessmentFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	actions, err := s.app.AllowedActions(ctx, s.sup, page...)
	if err != nil {
		t.Fatal(err)
	}
	for i, as := range page {
		if as.ID == s.a.ID && slices.Contains(actions[i], domain.ActionApprove) {
			t.Errorf("in a list, the reviewer may approve: %v", actions[i])
		}
		if as.ID == s.b.ID && slices.Contains(actions[i], domain.ActionEdit) {
			t.Errorf("in a list, the supervisor may edit B's draft: %v", actions[i])
		}
	}

	// With four-eyes off, the reviewer may approve.
	settings, version, err := s.db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings.FourEyes = false
	if _, err := s.db.UpdateSettings(ctx, domain.System("test"), settings, version); err != nil {
		t.Fatal(err)
	}
	has("reviewer, four-eyes off", allowed(t, s, s.sup, s.a.ID), domain.ActionApprove, true)
}

// TestClosedCampaignTakesNoAnswers: once the campaign closes, a draft offers
// neither editing nor filing, though its state alone would allow both.
func TestClosedCampaignTakesNoAnswers(t *testing.T) {
	t.Parallel()
	s := newSector(t)
	if got := allowed(t, s, s.adminB, s.b.ID); !slices.Contains(got, domain.ActionEdit) || !slices.Contains(got, domain.ActionSubmit) {
		t.Fatalf("provider_admin on a draft of an open campaign may %v", got)
	}
	if _, err := s.app.CloseCampaign(context.Background(), s.sup, s.b.CampaignID); err != nil {
		t.Fatal(err)
	}
	if got := allowed(t, s, s.adminB, s.b.ID); len(got) != 0 {
		t.Errorf("provider_admin on a draft of a closed campaign may %v", got)
	}
}

// TestDraftCampaignHasNoSectorReport: a campaign not yet opened has no
// assessments, so neither a report made at once nor a background job is
// taken for it; an opened one is.
func TestDraftCampaignHasNoSectorReport(t *testing.T) {
	s := newSector(t)
	ctx := context.Background()
	today := domain.Today()
	c, err := s.app.CreateCampaign(ctx, s.sup, domain.Campaign{Name: "Not yet", FrameworkID: "x1150",
		ProviderIDs: []string{s.a.ProviderID}, OpensAt: today, DueAt: today.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	params := store.ReportParams{CampaignID: c.ID}
	if _, err := s.app.CreateReportJob(ctx, s.auditor, "pdf", params); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("a job for a draft campaign = %v, want a conflict", err)
	}
	if _, err := s.app.SectorReport(ctx, s.auditor, "pdf", params); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("a report of a draft campaign = %v, want a conflict", err)
	}
	if _, err := s.app.CreateReportJob(ctx, s.auditor, "pdf", store.ReportParams{CampaignID: s.a.CampaignID}); err != nil {
		t.Errorf("a job for an open campaign = %v", err)
	}
}
