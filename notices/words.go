// Package notices holds what Assure tells people: the words of every kind
// of notification, in English and French, and the e-mail that carries one
// to an SMTP server. The notification centre and the e-mails read the same
// words, so the two never disagree.
package notices

import (
	"embed"
	"fmt"
	"sync"
	"time"

	"assure/domain"
	"assure/texts"
)

// The words of the notices: English is the key, French is in
// i18n/fr/notices.json, on top of the common words of package texts.
//
//go:embed i18n
var catalogFiles embed.FS

var (
	catalogOnce sync.Once
	catalog     *texts.Catalog
	catalogErr  error
)

// Catalog returns the notices' message catalog, read once.
func Catalog() (*texts.Catalog, error) {
	catalogOnce.Do(func() { catalog, catalogErr = texts.Load(catalogFiles, "i18n") })
	return catalog, catalogErr
}

// message is the words of one kind of notice. subject and text are English
// keys of the catalog whose %[n]s verbs take args in order; page is where
// the notice's object is shown (a format of its id), action what the link
// to it says.
type message struct {
	subject, text string
	args          []arg
	page, action  string
}

// arg renders one of a notice's params for a language.
type arg func(p texts.Printer, params map[string]string) string

// param is a name as it was written: a campaign's, a provider's, a person's.
func param(key string) arg {
	return func(_ texts.Printer, m map[string]string) string { return m[key] }
}

// date is a day, written as the language writes days.
func date(key string) arg {
	return func(p texts.Printer, m map[string]string) string {
		d, err := domain.ParseDate(m[key])
		if err != nil {
			return m[key]
		}
		return p.Date(d)
	}
}

// instant is a moment, written as the language writes them (in UTC).
func instant(key string) arg {
	return func(p texts.Printer, m map[string]string) string {
		t, err := time.Parse(time.RFC3339, m[key])
		if err != nil {
			return m[key]
		}
		return p.Time(t)
	}
}

// code is a state or level, named in the language.
func code(key string) arg {
	return func(p texts.Printer, m map[string]string) string { return p.Name(m[key]) }
}

func args(a ...arg) []arg { return a }

var (
	campaign = param("campaign")
	provider = param("provider")
	title    = param("title")
	by       = param("by")
	due      = date("due")
	expires  = instant("expires")
	deadline = instant("deadline")
	phase    = code("phase")
	severity = code("severity")
)

// Pages the notices lead to.
const (
	assessmentPage = "/assessments/%s"
	reviewPage     = "/assessments/%s/review"
	findingPage    = "/findings/%s"
	incidentPage   = "/incidents/%s"
)

// The notices about a self-assessment, about a finding and about an
// incident each share their arguments and the page they lead to.
func filing(subject, text string) message {
	return message{subject: subject, text: text, args: args(campaign, provider, due),
		page: assessmentPage, action: "Open the self-assessment"}
}

func verdict(subject, text string) message {
	return message{subject: subject, text: text, args: args(campaign, provider),
		page: assessmentPage, action: "Open the self-assessment"}
}

func finding(subject, text string) message {
	return message{subject: subject, text: text, args: args(title, provider, due),
		page: findingPage, action: "Open the finding"}
}

func incident(subject, text string) message {
	return message{subject: subject, text: text, args: args(title, provider, phase, deadline),
		page: incidentPage, action: "Open the incident"}
}

// messages has the words of every kind of notice (a test holds it to
// domain.NoticeRules). A new kind is one entry here, its French in
// i18n/fr/notices.json, and its rule in the domain.
var messages = map[domain.NoticeKind]message{
	domain.NoticeCampaignOpened: filing("Campaign %[1]s is open for %[2]s",
		"The supervisor opened the campaign %[1]s. The self-assessment of %[2]s is due on %[3]s."),
	domain.NoticeDueIn14Days: filing("Reminder: %[1]s is due on %[3]s",
		"The self-assessment of %[2]s for the campaign %[1]s is due on %[3]s and has not been submitted yet."),
	domain.NoticeDueIn3Days: filing("Last reminder: %[1]s is due on %[3]s",
		"The self-assessment of %[2]s for the campaign %[1]s is due in a few days, on %[3]s, and has not been submitted yet."),
	domain.NoticeDueToday: filing("%[1]s is due today",
		"The self-assessment of %[2]s for the campaign %[1]s is due today, %[3]s, and has not been submitted yet."),
	domain.NoticeOverdue: filing("%[1]s is overdue",
		"The self-assessment of %[2]s for the campaign %[1]s was due on %[3]s and has not been submitted. "+
			"Submit it as soon as you can, or ask the supervisor for more time."),
	domain.NoticeOverdueEscalated: filing("Escalation: %[1]s is a week overdue",
		"You are told as an administrator of %[2]s: its self-assessment for the campaign %[1]s was due on %[3]s "+
			"and has still not been submitted."),
	domain.NoticeChangesRequested: verdict("Changes requested: %[1]s",
		"The supervisor returned the self-assessment of %[2]s for the campaign %[1]s for changes. "+
			"Sign in to read what to change, then submit it again."),
	domain.NoticeApproved: verdict("Approved: %[1]s",
		"The supervisor approved the self-assessment of %[2]s for the campaign %[1]s."),
	domain.NoticeRejected: verdict("Rejected: %[1]s",
		"The supervisor rejected the self-assessment of %[2]s for the campaign %[1]s. Sign in to read why."),
	domain.NoticeSecondApproval: {
		subject: "%[1]s: %[2]s waits for your approval",
		text: "Every answer of %[2]s for the campaign %[1]s has its verdict. Under the four-eyes rule it is " +
			"approved by a supervisor who recorded none of them: you may.",
		args: args(campaign, provider), page: reviewPage, action: "Open the review",
	},
	domain.NoticeFindingRaised: {
		subject: "New finding: %[1]s",
		text:    "A supervisor raised a finding of %[2]s severity for %[3]s: %[1]s. Its remediation is due on %[4]s.",
		args:    args(title, severity, provider, due), page: findingPage, action: "Open the finding",
	},
	domain.NoticeFindingDue: finding("Finding due today: %[1]s",
		"The remediation of the finding %[1]s of %[2]s is due today, %[3]s."),
	domain.NoticeFindingOverdue: finding("Finding overdue: %[1]s",
		"The remediation of the finding %[1]s of %[2]s was due on %[3]s, and the finding is not resolved yet."),
	domain.NoticeIncidentClock: incident("Incident report due soon: %[1]s",
		"The %[3]s report of the incident %[1]s of %[2]s is due by %[4]s."),
	domain.NoticeIncidentOverdue: incident("Incident report overdue: %[1]s",
		"The %[3]s report of the incident %[1]s of %[2]s was due by %[4]s and has not been filed."),
	domain.NoticeInvitation: {
		subject: "Your Assure account",
		text: "%[1]s invited you to Assure, where the regulator and digital financial services providers keep " +
			"their security assessments. Choose your password with the link below, then set up a second factor. " +
			"The link works once, until %[2]s.",
		args: args(by, expires), action: "Choose your password",
	},
	domain.NoticePasswordReset: {
		subject: "Reset your Assure password",
		text: "Someone, probably you, asked to reset the password of your Assure account. Choose a new one with " +
			"the link below; it works once, until %[1]s. If you did not ask, ignore this message: your password " +
			"stays as it is.",
		args: args(expires), action: "Choose a new password",
	},
	domain.NoticeAdminReset: {
		subject: "Your Assure password was reset",
		text: "%[1]s reset the password of your Assure account, so the old one no longer works. Choose a new one " +
			"with the link below; it works once, until %[2]s.",
		args: args(by, expires), action: "Choose a new password",
	},
}

// The words around every message.
const (
	greeting     = "Hello %s,"
	signature    = "Assure sent this message automatically; replies are not read."
	choose       = "Choose which notices you receive: %s"
	unknownTitle = "A notice from Assure"
)

// Words is a notice in one language: a subject line, a paragraph, and the
// page it is about (from the site's root; "" for none) with what a link to
// it says.
type Words struct {
	Subject, Text string
	Page, Action  string
}

// Say returns the words of a notice of kind, with params, about the object
// with id objectID, in l. A kind without words (from a newer server) says
// so in general terms rather than failing.
func Say(l domain.Language, kind domain.NoticeKind, params map[string]string, objectID string) Words {
	c, err := Catalog()
	if err != nil {
		panic("notices: " + err.Error()) // the embedded catalog is checked by the tests
	}
	p := c.Printer(l)
	m, ok := messages[kind]
	if !ok {
		return Words{Subject: p.T(unknownTitle)}
	}
	vals := make([]any, len(m.args))
	for i, a := range m.args {
		vals[i] = a(p, params)
	}
	w := Words{Subject: p.T(m.subject, vals...), Text: p.T(m.text, vals...), Action: p.T(m.action)}
	if m.page != "" && objectID != "" {
		w.Page = fmt.Sprintf(m.page, objectID)
	}
	return w
}
