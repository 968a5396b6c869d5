package domain

import (
	"slices"
	"time"
)

// NoticeKind names something Assure tells people about, in their
// notification centre and by e-mail.
type NoticeKind string

// The kinds of notice. Each has one rule in noticeRules and its words in
// package notices.
const (
	NoticeCampaignOpened   NoticeKind = "campaign.opened"
	NoticeDueIn14Days      NoticeKind = "assessment.due_in_14_days"
	NoticeDueIn3Days       NoticeKind = "assessment.due_in_3_days"
	NoticeDueToday         NoticeKind = "assessment.due_today"
	NoticeOverdue          NoticeKind = "assessment.overdue"
	NoticeOverdueEscalated NoticeKind = "assessment.overdue_escalated"
	NoticeChangesRequested NoticeKind = "assessment.changes_requested"
	NoticeApproved         NoticeKind = "assessment.approved"
	NoticeRejected         NoticeKind = "assessment.rejected"
	NoticeSecondApproval   NoticeKind = "assessment.awaiting_second_approval"
	NoticeFindingRaised    NoticeKind = "finding.raised"
	NoticeFindingDue       NoticeKind = "finding.due_today"
	NoticeFindingOverdue   NoticeKind = "finding.overdue"
	NoticeIncidentClock    NoticeKind = "incident.report_due_soon"
	NoticeIncidentOverdue  NoticeKind = "incident.report_overdue"
	NoticeInvitation       NoticeKind = "account.invitation"
	NoticePasswordReset    NoticeKind = "account.password_reset"
	NoticeAdminReset       NoticeKind = "account.password_reset_by_admin"
)

// Audience says who receives a kind of notice. Only active users who have
// set their password receive anything, apart from AudienceUser, which names
// its one recipient.
type Audience string

// The audiences.
const (
	AudienceProvider       Audience = "provider"        // every user of the notice's provider
	AudienceProviderAdmins Audience = "provider_admins" // the provider_admins of the notice's provider
	AudienceSupervisors    Audience = "supervisors"     // every supervisor
	// AudienceSecondApprovers is the supervisors who recorded no verdict on
	// the notice's assessment: those the four-eyes rule lets approve it.
	AudienceSecondApprovers Audience = "second_approvers"
	AudienceUser            Audience = "user" // the one user the notice names
)

// Reaches reports whether the audience may include users of role r: which
// kinds a user's preferences page offers.
func (a Audience) Reaches(r Role) bool {
	switch a {
	case AudienceProvider:
		return r.ForProvider()
	case AudienceProviderAdmins:
		return r == RoleProviderAdmin
	case AudienceSupervisors, AudienceSecondApprovers:
		return r == RoleSupervisor
	}
	return false
}

// NoticeRule is how a kind of notice travels.
type NoticeRule struct {
	Kind     NoticeKind
	Audience Audience
	// Mandatory notices ignore the recipient's preferences: links to set a
	// password, and escalations.
	Mandatory bool
	// EmailOnly notices never show in the notification centre.
	EmailOnly bool
	// Link is the single-use link the e-mail carries, if any.
	Link LinkPurpose
}

// noticeRules lists every kind, in the order the preferences page shows
// them. A new kind is one line here and its words in package notices.
var noticeRules = []NoticeRule{
	{Kind: NoticeCampaignOpened, Audience: AudienceProvider},
	{Kind: NoticeDueIn14Days, Audience: AudienceProvider},
	{Kind: NoticeDueIn3Days, Audience: AudienceProvider},
	{Kind: NoticeDueToday, Audience: AudienceProvider},
	{Kind: NoticeOverdue, Audience: AudienceProvider},
	{Kind: NoticeOverdueEscalated, Audience: AudienceProviderAdmins, Mandatory: true},
	{Kind: NoticeChangesRequested, Audience: AudienceProvider},
	{Kind: NoticeApproved, Audience: AudienceProvider},
	{Kind: NoticeRejected, Audience: AudienceProvider},
	{Kind: NoticeFindingRaised, Audience: AudienceProvider},
	{Kind: NoticeFindingDue, Audience: AudienceProvider},
	{Kind: NoticeFindingOverdue, Audience: AudienceProvider},
	{Kind: NoticeIncidentClock, Audience: AudienceProvider},
	{Kind: NoticeIncidentOverdue, Audience: AudienceProvider},
	{Kind: NoticeSecondApproval, Audience: AudienceSecondApprovers},
	{Kind: NoticeInvitation, Audience: AudienceUser, Mandatory: true, EmailOnly: true, Link: LinkInvitation},
	{Kind: NoticePasswordReset, Audience: AudienceUser, Mandatory: true, EmailOnly: true, Link: LinkPasswordReset},
	{Kind: NoticeAdminReset, Audience: AudienceUser, Mandatory: true, EmailOnly: true, Link: LinkPasswordReset},
}

// NoticeRules returns the rule of every kind, in order.
func NoticeRules() []NoticeRule { return slices.Clone(noticeRules) }

// NoticeRuleOf returns the rule of kind k.
func NoticeRuleOf(k NoticeKind) (NoticeRule, bool) {
	i := slices.IndexFunc(noticeRules, func(r NoticeRule) bool { return r.Kind == k })
	if i < 0 {
		return NoticeRule{}, false
	}
	return noticeRules[i], true
}

// Notice is one event to tell people about. The change that causes it
// writes it in its own transaction; the store turns it into a notification
// and an e-mail for each recipient its rule's audience names.
type Notice struct {
	Kind       NoticeKind
	ProviderID string // whose users hear of it (the provider audiences)
	UserID     string // the one recipient of AudienceUser
	ObjectType string // what it is about (assessment, finding …), for the link to its page
	ObjectID   string
	// Key, when set, makes the notice once-only: another notice with the
	// same key, in any transaction, is dropped.
	Key string
	// Params are the words the message shows: names, dates. Never a secret.
	Params map[string]string
	// LinkID is the single-use link the e-mail carries (invitations, resets).
	LinkID string
}

// NoticePreference says whether a user hears of a kind in the notification
// centre and by e-mail.
type NoticePreference struct {
	Kind      NoticeKind
	InApp     bool
	Email     bool
	Mandatory bool // the kind cannot be turned off
}

// DefaultNoticePreference is what a user who chose nothing gets: everything.
func DefaultNoticePreference(r NoticeRule) NoticePreference {
	return NoticePreference{Kind: r.Kind, InApp: !r.EmailOnly, Email: true, Mandatory: r.Mandatory}
}

// Notification is a notice in one user's notification centre.
type Notification struct {
	ID         string
	Kind       NoticeKind
	ProviderID string
	ObjectType string
	ObjectID   string
	Params     map[string]string
	CreatedAt  time.Time
	ReadAt     *time.Time
}

// Reminder stages: how many days before its due date an unfiled assessment
// is reminded of, and how long after it its provider's administrators hear
// of it as escalated.
const (
	FirstReminderDays  = 14
	SecondReminderDays = 3
	EscalateAfterDays  = 7
	// reminderCatchUp is how many days late a countdown reminder is still
	// sent when the daily job did not run on its day.
	reminderCatchUp = 2
)

// AssessmentReminders returns the reminders an assessment that is not filed
// is owed on day, given the day its campaign opened and its due date: 14
// and 3 days before (only when the campaign was open by then, and at most
// two days late), on the day, once overdue, and escalated a week after. The
// caller sends each once.
func AssessmentReminders(opened, due, day Date) []NoticeKind {
	left := day.DaysUntil(due)
	var out []NoticeKind
	countdown := func(days int, kind NoticeKind) {
		if left <= days && left >= days-reminderCatchUp && !opened.After(due.AddDays(-days)) {
			out = append(out, kind)
		}
	}
	switch {
	case left > 0:
		countdown(FirstReminderDays, NoticeDueIn14Days)
		countdown(SecondReminderDays, NoticeDueIn3Days)
	case left == 0:
		out = append(out, NoticeDueToday)
	default:
		out = append(out, NoticeOverdue)
		if -left >= EscalateAfterDays {
			out = append(out, NoticeOverdueEscalated)
		}
	}
	return out
}

// FindingReminders returns the reminders a finding not yet resolved is owed
// on day: on its due date, and once overdue.
func FindingReminders(due, day Date) []NoticeKind {
	switch left := day.DaysUntil(due); {
	case left == 0:
		return []NoticeKind{NoticeFindingDue}
	case left < 0:
		return []NoticeKind{NoticeFindingOverdue}
	}
	return nil
}

// MailAttempts is how many times an e-mail is tried before it is failed.
const MailAttempts = 8

// MailRetryDelay is how long an e-mail waits after its attempt-th failed
// attempt: 1 minute, then 5, 15, 1 hour, 3, 6, 12: a day and a half in all,
// enough to ride out an SMTP server's maintenance.
func MailRetryDelay(attempt int) time.Duration {
	delays := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour,
		6 * time.Hour, 12 * time.Hour}
	return delays[min(max(attempt, 1), len(delays))-1]
}

// LinkPurpose is what a single-use link lets its holder do.
type LinkPurpose string

// The purposes of links.
const (
	LinkInvitation    LinkPurpose = "invitation"     // set the first password of an invited account
	LinkPasswordReset LinkPurpose = "password_reset" // set a new password after forgetting it
)

// LinkTokenPrefix starts every link token, so that one is recognised when
// it shows up in a log or a secret scanner.
const LinkTokenPrefix = "assure_l_"

// Lifetime is how long a link works once made: a week for an invitation,
// an hour for a password reset.
func (p LinkPurpose) Lifetime() time.Duration {
	if p == LinkInvitation {
		return 7 * 24 * time.Hour
	}
	return time.Hour
}

// LooksLikeLinkToken reports whether s has the shape of a link token.
func LooksLikeLinkToken(s string) bool {
	return len(s) <= 100 && len(s) > len(LinkTokenPrefix) && s[:len(LinkTokenPrefix)] == LinkTokenPrefix
}

// IncidentWarning is how long before a phase's deadline its provider is
// warned that the report is due.
const IncidentWarning = 24 * time.Hour

// IncidentNoticeOf returns the notice a phase's clock calls for: a warning
// while it runs within IncidentWarning of its deadline, the overdue notice
// once past it; false for a clock that calls for none.
func IncidentNoticeOf(c IncidentClock) (NoticeKind, bool) {
	switch {
	case c.State == ClockOverdue:
		return NoticeIncidentOverdue, true
	case c.State == ClockRunning && c.Left <= IncidentWarning:
		return NoticeIncidentClock, true
	}
	return "", false
}
