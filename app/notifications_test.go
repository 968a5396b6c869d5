package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"assure/app"
	"assure/domain"
	"assure/notices/smtptest"
	"assure/policies"
	"assure/store"
)

// mailing is a sector whose application sends e-mail to an SMTP server in
// the test, at a clock the test moves.
type mailing struct {
	*sector
	mail  *app.App
	smtp  *smtptest.Server
	clock *clock
}

func newMailing(t *testing.T) *mailing {
	t.Helper()
	s := newSector(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	c := &clock{now: time.Now()}
	cfg := srv.SMTP()
	m := app.New(s.db, authz, slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.Options{SMTP: &cfg, Now: c.Now, PublicURL: "https://assure.test"})
	return &mailing{sector: s, mail: m, smtp: srv, clock: c}
}

// deliver sends what is due and returns the messages that arrived with it.
func (m *mailing) deliver(t *testing.T) []smtptest.Message {
	t.Helper()
	before := len(m.smtp.Messages())
	if _, err := m.mail.DeliverMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m.smtp.Messages()[before:]
}

var linkToken = regexp.MustCompile(`token=(assure_l_[A-Za-z0-9_-]+)`)

// linkOf returns the single-use token a message carries.
func linkOf(t *testing.T, msg smtptest.Message) string {
	t.Helper()
	found := linkToken.FindStringSubmatch(msg.Body)
	if found == nil {
		t.Fatalf("no link in the message to %v:\n%s", msg.To, msg.Body)
	}
	return found[1]
}

func recipients(list []smtptest.Message) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}

// TestOpeningACampaignEmailsEachProviderUserOnce opens a campaign over two
// providers: each provider user gets exactly one e-mail, sent by the River
// worker the opening's transaction queued, with its own Message-ID, a link
// to their own assessment and nothing secret; supervisors get none, and
// running the worker again sends nothing more. A French user reads French.
func TestOpeningACampaignEmailsEachProviderUserOnce(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	if err := m.app.SetLanguage(ctx, m.editorB, "fr"); err != nil {
		t.Fatal(err)
	}
	runJobs(t, m.mail, app.JobOptions{})
	got := m.smtp.Wait(t, 4, 30*time.Second)
	time.Sleep(300 * time.Millisecond) // nothing more should come
	got = m.smtp.Messages()
	want := []string{"admin@alpha.test", "admin@beta.test", "editor@alpha.test", "editor@beta.test"}
	if r := recipients(got); !slices.Equal(r, want) {
		t.Fatalf("recipients %v, want %v", r, want)
	}
	ids := map[string]bool{}
	for _, msg := range got {
		ids[msg.MessageID()] = true
		own, other := m.a.ID, m.b.ID
		if strings.HasSuffix(msg.To[0], "@beta.test") {
			own, other = other, own
		}
		if !strings.Contains(msg.Body, "https://assure.test/assessments/"+own) || strings.Contains(msg.Body, other) {
			t.Errorf("the message to %s does not lead to its own assessment only:\n%s", msg.To[0], msg.Body)
		}
		if strings.Contains(msg.Body, "token=") || strings.Contains(strings.ToLower(msg.Body), "password:") {
			t.Errorf("the message to %s carries a secret:\n%s", msg.To[0], msg.Body)
		}
		switch msg.To[0] {
		case "editor@beta.test":
			if msg.Subject != "La campagne 2027 H1 est ouverte pour Beta" || !strings.Contains(msg.Body, "Bonjour") {
				t.Errorf("French recipient got %q:\n%s", msg.Subject, msg.Body)
			}
		default:
			if !strings.HasPrefix(msg.Subject, "Campaign 2027 H1 is open for ") {
				t.Errorf("English recipient %s got %q", msg.To[0], msg.Subject)
			}
		}
	}
	if len(ids) != 4 {
		t.Errorf("Message-IDs %v: want one of its own per message", ids)
	}
	if again := m.deliver(t); len(again) != 0 {
		t.Errorf("a second run sent %d more", len(again))
	}
	// The notification centre shows the same, once.
	list, _, err := m.app.Notifications(ctx, m.editorA, store.NotificationFilter{}, store.Page{})
	if err != nil || len(list) != 1 || list[0].Kind != domain.NoticeCampaignOpened || list[0].ObjectID != m.a.ID {
		t.Fatalf("editor A's notifications = %+v, %v", list, err)
	}
	if sup, _, _ := m.app.Notifications(ctx, m.sup, store.NotificationFilter{}, store.Page{}); len(sup) != 0 {
		t.Errorf("a supervisor was notified of the opening: %+v", sup)
	}
	if n, err := m.app.MarkNotificationsRead(ctx, m.editorA, []string{list[0].ID}); err != nil || n != 1 {
		t.Errorf("mark read = %d, %v", n, err)
	}
	_, err = m.app.MarkNotificationsRead(ctx, m.editorB, []string{list[0].ID})
	wantCode(t, "B marks A's notification read", err, domain.ENotFound)
	if n, _ := m.app.UnreadNotifications(ctx, m.editorA); n != 0 {
		t.Errorf("unread after marking = %d", n)
	}
}

// TestRemindersArriveOnTheirDays walks the clock from the opening past the
// due date, running the daily reminders twice each day: A's users hear 14
// and 3 days before, on the day and the day after, and A's administrator
// alone a week after; B, which filed, hears nothing; a finding is reminded
// on its due date and the day after.
func TestRemindersArriveOnTheirDays(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	m.deliver(t) // the opening's e-mails
	m.answerAll(t, m.editorB, m.b.ID)
	if _, err := m.app.Submit(ctx, m.adminB, m.b.ID, domain.Attestation{Name: "Bea", Position: "CCO",
		Statement: "True and complete."}); err != nil {
		t.Fatal(err)
	}
	today := domain.Today()
	_, err := m.app.CreateFinding(ctx, m.sup, store.NewFinding{AssessmentID: m.a.ID, Title: "Weak passwords",
		Severity: domain.SeverityHigh, Description: "Eight characters suffice.", DueAt: today.AddDays(5)})
	if err != nil {
		t.Fatal(err)
	}
	if raised := m.deliver(t); !slices.Equal(recipients(raised), []string{"admin@alpha.test", "editor@alpha.test"}) ||
		!strings.Contains(raised[0].Subject, "Weak passwords") {
		t.Fatalf("finding raised: %v", recipients(raised))
	}
	due := m.a.DueAt
	arrived := map[string][]string{} // "day offset" → "recipient kind"
	for d := 0; d <= today.DaysUntil(due.AddDays(8)); d++ {
		day := today.AddDays(d)
		m.clock.Set(day.Time().Add(7 * time.Hour))
		for range 2 {
			if _, err := m.mail.SendReminders(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, msg := range m.deliver(t) {
			arrived[day.String()] = append(arrived[day.String()], msg.To[0]+" "+msg.Subject)
		}
	}
	both := func(subject string) []string {
		return []string{"admin@alpha.test " + subject, "editor@alpha.test " + subject}
	}
	dueText := "2027 H1 is due on "
	want := map[string][]string{
		today.AddDays(5).String(): both("Finding due today: Weak passwords"),
		today.AddDays(6).String(): both("Finding overdue: Weak passwords"),
		due.AddDays(-14).String(): both("Reminder: " + dueText + texts(due)),
		due.AddDays(-3).String():  both("Last reminder: " + dueText + texts(due)),
		due.String():              both("2027 H1 is due today"),
		due.AddDays(1).String():   both("2027 H1 is overdue"),
		due.AddDays(7).String():   {"admin@alpha.test Escalation: 2027 H1 is a week overdue"},
	}
	for day, list := range arrived {
		slices.Sort(list)
		if !slices.Equal(list, want[day]) {
			t.Errorf("on %s arrived %q, want %q", day, list, want[day])
		}
	}
	for day, list := range want {
		if _, ok := arrived[day]; !ok {
			t.Errorf("on %s nothing arrived, want %q", day, list)
		}
	}
}

// texts writes a date as the English e-mails do.
func texts(d domain.Date) string { return d.Time().Format("2 January 2006") }

// TestInvitationSetsAPasswordOnce has a provider's administrator invite an
// editor: the e-mail's link sets the password, which then signs in, and
// works only once; the database never holds the token, only its hash.
func TestInvitationSetsAPasswordOnce(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	m.deliver(t)
	u, req, err := m.mail.Invite(ctx, m.adminA, store.NewUser{Email: "Kofi@Alpha.test", Name: "Kofi Boateng",
		Role: domain.RoleProviderEditor, ProviderID: m.a.ProviderID, Language: "fr"})
	if err != nil || req != nil || !u.AwaitingPassword {
		t.Fatalf("invite = %+v, %v, %v", u, req, err)
	}
	_, _, err = m.mail.Invite(ctx, m.adminA, store.NewUser{Email: "boss@alpha.test", Name: "Boss",
		Role: domain.RoleProviderAdmin, ProviderID: m.a.ProviderID})
	wantCode(t, "a provider_admin invites an administrator", err, domain.EForbidden)
	_, _, err = m.mail.Invite(ctx, m.adminA, store.NewUser{Email: "x@beta.test", Name: "X",
		Role: domain.RoleProviderEditor, ProviderID: m.b.ProviderID})
	wantCode(t, "a provider_admin invites into another provider", err, domain.ENotFound)

	sent := m.deliver(t)
	if len(sent) != 1 || sent[0].To[0] != "kofi@alpha.test" || sent[0].Subject != "Votre compte Assure" {
		t.Fatalf("invitation e-mails: %+v", sent)
	}
	token := linkOf(t, sent[0])
	if !strings.Contains(sent[0].Body, "https://assure.test/invitation?token="+token) {
		t.Errorf("the link leads elsewhere:\n%s", sent[0].Body)
	}
	var stored, leaks int
	if err := m.db.Pool().QueryRow(ctx, `select count(*) from link_tokens where token_hash = $1`,
		domain.HashToken(token)).Scan(&stored); err != nil || stored != 1 {
		t.Errorf("the token's hash is stored %d times (%v)", stored, err)
	}
	if err := m.db.Pool().QueryRow(ctx, `select (select count(*) from mail_outbox where params::text like '%'||$1||'%')
		+ (select count(*) from audit_events where summary::text like '%'||$1||'%')
		+ (select count(*) from notifications where params::text like '%'||$1||'%')`, token).Scan(&leaks); err != nil || leaks != 0 {
		t.Errorf("the token itself is stored in %d rows (%v)", leaks, err)
	}

	anon := domain.Actor{Address: "192.0.2.7"}
	creds := store.Credentials{Email: "kofi@alpha.test", Password: "kente cloth and cocoa", Address: "192.0.2.7"}
	if _, err := m.mail.Login(ctx, anon, creds); err == nil {
		t.Fatal("an invited user signed in before choosing a password")
	}
	_, err = m.mail.AcceptInvitation(ctx, anon, token, "kofi")
	wantCode(t, "a weak password", err, domain.EInvalid)
	if _, err := m.mail.AcceptInvitation(ctx, anon, token, creds.Password); err != nil {
		t.Fatal(err)
	}
	s, err := m.mail.Login(ctx, anon, creds)
	if err != nil || s.User.AwaitingPassword || s.User.MustChangePassword {
		t.Fatalf("sign-in after accepting = %+v, %v", s.User, err)
	}
	_, err = m.mail.AcceptInvitation(ctx, anon, token, "another long passphrase")
	if !errors.Is(err, store.ErrBadLink) {
		t.Errorf("the link's second use = %v, want ErrBadLink", err)
	}
	if _, err := m.mail.Reinvite(ctx, m.adminA, u.ID); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Errorf("reinviting a user who joined = %v", err)
	}
}

// TestPasswordResetAnswersAlikeForUnknownAddresses asks a reset for an
// address nobody has and for a real one: both answer the same, only the
// real one gets an e-mail, its link sets the new password once, the second
// factor stays, and an address that asks too often is refused.
func TestPasswordResetAnswersAlikeForUnknownAddresses(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	m.deliver(t)
	anon := domain.Actor{Address: "198.51.100.4"}
	// Both answers are the same, and neither comes before the floor that
	// hides the work an existing account costs.
	timed := func(email string) (time.Duration, error) {
		start := time.Now()
		err := m.mail.RequestPasswordReset(ctx, anon, email)
		return time.Since(start), err
	}
	unknownTook, unknown := timed("nobody@alpha.test")
	knownTook, known := timed("Editor@Alpha.test")
	if unknown != nil || known != nil {
		t.Fatalf("answers: unknown %v, known %v", unknown, known)
	}
	if unknownTook < app.ResetAnswerTime || knownTook < app.ResetAnswerTime {
		t.Errorf("answered in %v (unknown) and %v (known), before %v", unknownTook, knownTook, app.ResetAnswerTime)
	}
	sent := m.deliver(t)
	if !slices.Equal(recipients(sent), []string{"editor@alpha.test"}) {
		t.Fatalf("reset e-mails went to %v", recipients(sent))
	}
	token := linkOf(t, sent[0])
	if !strings.Contains(sent[0].Body, "https://assure.test/password/reset?token=") {
		t.Errorf("the reset link:\n%s", sent[0].Body)
	}
	if _, err := m.mail.ResetPasswordWithLink(ctx, anon, token, "a fresh long passphrase"); err != nil {
		t.Fatal(err)
	}
	old := store.Credentials{Email: "editor@alpha.test", Password: "a long enough password", Address: "198.51.100.5"}
	if _, err := m.mail.Login(ctx, domain.Actor{}, old); err == nil {
		t.Error("the old password still signs in")
	}
	if _, err := m.mail.Login(ctx, domain.Actor{}, store.Credentials{Email: "editor@alpha.test",
		Password: "a fresh long passphrase", Address: "198.51.100.5"}); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	if _, err := m.mail.ResetPasswordWithLink(ctx, anon, token, "yet another passphrase"); !errors.Is(err, store.ErrBadLink) {
		t.Errorf("the link's second use = %v", err)
	}

	// One email gets at most three links an hour, whoever asks; the answer
	// stays the same. (A link waiting to go when a newer one is asked is
	// dropped: only the newest works.)
	sentTo := 0
	for i := range 4 {
		if err := m.mail.RequestPasswordReset(ctx, domain.Actor{Address: "203.0.113." + string(rune('1'+i))}, "admin@alpha.test"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		sentTo += len(m.deliver(t))
	}
	if sentTo != 3 {
		t.Errorf("four requests for one email sent %d e-mails, want 3", sentTo)
	}
	// One address is locked past ten requests.
	var err error
	for i := range 12 {
		if err = m.mail.RequestPasswordReset(ctx, domain.Actor{Address: "203.0.113.99"}, "someone"+string(rune('a'+i))+"@x.test"); err != nil {
			break
		}
	}
	if !errors.Is(err, store.ErrTooManyResets) {
		t.Errorf("an address asking without end = %v, want ErrTooManyResets", err)
	}
}

// TestAWorkerKilledAfterClaimingLosesNoMail claims e-mails as a worker
// would and never sends them, as if killed: they are not sent while the
// claim's lease runs, then another worker sends each once, under the same
// Message-ID; a link carried by a lost claim is made anew, and only the copy
// sent works. A temporary refusal by the server is tried again after its
// delay.
func TestAWorkerKilledAfterClaimingLosesNoMail(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	if _, _, err := m.mail.Invite(ctx, m.adminA, store.NewUser{Email: "ama@alpha.test", Name: "Ama",
		Role: domain.RoleProviderEditor, ProviderID: m.a.ProviderID}); err != nil {
		t.Fatal(err)
	}
	claimed, err := m.db.ClaimMail(ctx, m.clock.Now(), 5*time.Minute, 100, "regulator.test")
	if err != nil || len(claimed) != 5 {
		t.Fatalf("claimed %d (%v), want the opening's 4 and the invitation", len(claimed), err)
	}
	lost := map[string]string{}
	var lostLink string
	for _, c := range claimed {
		lost[c.Address] = c.MessageID
		if c.Link != "" {
			lostLink = c.Link
		}
	}
	// The worker dies here. While its lease runs, nobody sends them.
	if got := m.deliver(t); len(got) != 0 {
		t.Fatalf("%d claimed messages were sent under another's claim", len(got))
	}
	m.clock.Add(6 * time.Minute)
	got := m.deliver(t)
	if len(got) != 5 {
		t.Fatalf("after the lease, %d of 5 were sent", len(got))
	}
	for _, msg := range got {
		// A copy of a message sent again is the same message, unless it
		// carries a link: its link is new, and so is its Message-ID.
		if same := lost[msg.To[0]] == msg.MessageID(); same != (msg.To[0] != "ama@alpha.test") {
			t.Errorf("%s: Message-ID %s, claimed as %s", msg.To[0], msg.MessageID(), lost[msg.To[0]])
		}
		if msg.To[0] == "ama@alpha.test" {
			sentLink := linkOf(t, msg)
			if sentLink == lostLink {
				t.Error("the lost claim's link was sent")
			}
			anon := domain.Actor{Address: "192.0.2.9"}
			if _, err := m.mail.AcceptInvitation(ctx, anon, lostLink, "a long passphrase here"); !errors.Is(err, store.ErrBadLink) {
				t.Errorf("the lost claim's link works: %v", err)
			}
			if _, err := m.mail.AcceptInvitation(ctx, anon, sentLink, "a long passphrase here"); err != nil {
				t.Errorf("the sent link does not work: %v", err)
			}
		}
	}
	if again := m.deliver(t); len(again) != 0 {
		t.Errorf("%d sent twice", len(again))
	}

	// A temporary refusal is tried again after a minute, not before.
	if err := m.mail.RequestPasswordReset(ctx, domain.Actor{Address: "192.0.2.10"}, "editor@alpha.test"); err != nil {
		t.Fatal(err)
	}
	m.smtp.RefuseNext(1)
	if got := m.deliver(t); len(got) != 0 {
		t.Fatalf("a refused message arrived")
	}
	if got := m.deliver(t); len(got) != 0 {
		t.Fatalf("a refused message was tried again at once")
	}
	m.clock.Add(61 * time.Second)
	if got := m.deliver(t); len(got) != 1 {
		t.Fatalf("after the delay %d arrived, want 1", len(got))
	}
	list, err := m.db.Outbox(ctx, "editor@alpha.test", 10)
	if err != nil || list[0].State != "sent" || list[0].Attempts != 2 {
		t.Errorf("the retried message: %+v, %v", list, err)
	}
}

// TestDecisionsAndSecondApprovalsAreTold follows a filing through review:
// when every answer has its verdict, the supervisor who may approve under
// the four-eyes rule is told, not the one who recorded them; the provider's
// users hear of the request for changes. A user who turned e-mail off for
// a kind sees it in the centre only.
func TestDecisionsAndSecondApprovalsAreTold(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	m.deliver(t)
	if _, err := m.app.SetNotificationPreferences(ctx, m.editorA, []domain.NoticePreference{
		{Kind: domain.NoticeChangesRequested, InApp: true, Email: false}}); err != nil {
		t.Fatal(err)
	}
	_, err := m.app.SetNotificationPreferences(ctx, m.editorA, []domain.NoticePreference{{Kind: domain.NoticeSecondApproval, Email: true}})
	wantCode(t, "an editor chooses a supervisor's notice", err, domain.EInvalid)
	_, err = m.app.SetNotificationPreferences(ctx, m.adminA, []domain.NoticePreference{{Kind: domain.NoticeOverdueEscalated}})
	wantCode(t, "turning an escalation off", err, domain.EInvalid)

	m.answerAll(t, m.editorA, m.a.ID)
	if _, err := m.app.Submit(ctx, m.adminA, m.a.ID, domain.Attestation{Name: "Ada", Position: "CCO", Statement: "True."}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.app.StartReview(ctx, m.sup, m.a.ID, 0); err != nil {
		t.Fatal(err)
	}
	responses, err := store.All(func(p store.Page) ([]domain.Response, string, error) {
		return m.app.Responses(ctx, m.sup, m.a.ID, store.ResponseFilter{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []store.VerdictInput
	for _, r := range responses {
		verdicts = append(verdicts, store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted})
	}
	half := len(verdicts) / 2
	if _, err := m.app.SetVerdicts(ctx, m.sup, m.a.ID, verdicts[:half], "body"); err != nil {
		t.Fatal(err)
	}
	if got := m.deliver(t); len(got) != 0 {
		t.Fatalf("told before the last verdict: %v", recipients(got))
	}
	if _, err := m.app.SetVerdicts(ctx, m.sup, m.a.ID, verdicts[half:], "body"); err != nil {
		t.Fatal(err)
	}
	got := m.deliver(t)
	if !slices.Equal(recipients(got), []string{"sup2@regulator.test"}) ||
		!strings.Contains(got[0].Body, "https://assure.test/assessments/"+m.a.ID+"/review") {
		t.Fatalf("second approval told %v", recipients(got))
	}
	if _, err := m.app.RequestChanges(ctx, m.sup, m.a.ID, "Evidence is missing.", 0); err != nil {
		t.Fatal(err)
	}
	got = m.deliver(t)
	if !slices.Equal(recipients(got), []string{"admin@alpha.test"}) || !strings.HasPrefix(got[0].Subject, "Changes requested") ||
		strings.Contains(got[0].Body, "Evidence is missing") {
		t.Fatalf("changes requested: %v %+v", recipients(got), got)
	}
	list, _, err := m.app.Notifications(ctx, m.editorA, store.NotificationFilter{Unread: true}, store.Page{})
	if err != nil || len(list) != 2 || list[0].Kind != domain.NoticeChangesRequested {
		t.Errorf("editor A's centre: %+v, %v", list, err)
	}
}

// TestASupervisorIsInvitedOnceApproved files the invitation of a supervisor:
// nothing is sent until a second administrator approves, who learns no
// password; the approval e-mails the invitation. An invitation whose week
// has passed no longer works.
func TestASupervisorIsInvitedOnceApproved(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	m.deliver(t)
	admin := func(email string) domain.Actor {
		u, err := m.db.CreateUser(ctx, domain.System("test"), store.NewUser{Email: email, Name: email,
			Role: domain.RoleAdmin, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return domain.ActorFor(u)
	}
	first, second := admin("first@regulator.test"), admin("second@regulator.test")
	_, req, err := m.mail.CreateUser(ctx, first, store.NewUser{Email: "nana@regulator.test", Name: "Nana Asante",
		Role: domain.RoleSupervisor})
	if err != nil || req == nil {
		t.Fatalf("a supervisor's creation = %v, %v: want a request", req, err)
	}
	if got := m.deliver(t); len(got) != 0 {
		t.Fatalf("%v invited before approval", recipients(got))
	}
	_, u, password, err := m.mail.ApproveIdentityRequest(ctx, second, req.ID)
	if err != nil || password != "" || !u.AwaitingPassword {
		t.Fatalf("approval = %+v, password %q, %v", u, password, err)
	}
	got := m.deliver(t)
	if !slices.Equal(recipients(got), []string{"nana@regulator.test"}) {
		t.Fatalf("after approval, invited %v", recipients(got))
	}
	if _, err := m.db.Pool().Exec(ctx, `update link_tokens set created_at = now() - interval '8 days',
		expires_at = now() - interval '1 day' where user_id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = m.mail.AcceptInvitation(ctx, domain.Actor{Address: "192.0.2.20"}, linkOf(t, got[0]), "kente cloth at dawn")
	if !errors.Is(err, store.ErrBadLink) {
		t.Errorf("an expired invitation = %v, want ErrBadLink", err)
	}
	if _, err := m.mail.Reinvite(ctx, first, u.ID); err != nil {
		t.Fatal(err)
	}
	again := m.deliver(t)
	if len(again) != 1 {
		t.Fatalf("the invitation sent again: %d messages", len(again))
	}
	if _, err := m.mail.AcceptInvitation(ctx, domain.Actor{Address: "192.0.2.20"}, linkOf(t, again[0]), "kente cloth at dawn"); err != nil {
		t.Errorf("the new invitation: %v", err)
	}
}

// TestTheInvitedHearOfTheWorkOnceTheyJoin: an invited user who has not
// joined hears nothing of their provider's work; once they sign in by
// single sign-on, without ever choosing a password, they do.
func TestTheInvitedHearOfTheWorkOnceTheyJoin(t *testing.T) {
	t.Parallel()
	m := newMailing(t)
	ctx := context.Background()
	m.deliver(t)
	if _, _, err := m.mail.Invite(ctx, m.adminA, store.NewUser{Email: "kofi@alpha.test", Name: "Kofi Boateng",
		Role: domain.RoleProviderEditor, ProviderID: m.a.ProviderID}); err != nil {
		t.Fatal(err)
	}
	if invited := m.deliver(t); !slices.Equal(recipients(invited), []string{"kofi@alpha.test"}) {
		t.Fatalf("the invitation went to %v", recipients(invited))
	}
	raise := func(title string) []string {
		t.Helper()
		if _, err := m.app.CreateFinding(ctx, m.sup, store.NewFinding{AssessmentID: m.a.ID, Title: title,
			Severity: domain.SeverityHigh, Description: "Found on site.", DueAt: domain.Today().AddDays(30)}); err != nil {
			t.Fatal(err)
		}
		return recipients(m.deliver(t))
	}
	if got := raise("Weak passwords"); !slices.Equal(got, []string{"admin@alpha.test", "editor@alpha.test"}) {
		t.Errorf("before joining, the finding went to %v", got)
	}
	if _, err := m.db.SignInSSO(ctx, domain.Actor{Address: "192.0.2.9"}, store.SSOIdentity{Issuer: "https://idp.test",
		Subject: "kofi", Email: "kofi@alpha.test"}); err != nil {
		t.Fatal(err)
	}
	if got := raise("No log review"); !slices.Equal(got, []string{"admin@alpha.test", "editor@alpha.test", "kofi@alpha.test"}) {
		t.Errorf("after joining by single sign-on, the finding went to %v", got)
	}
}
