// Package app holds every action Assure offers, each written once: it takes
// the acting user, asks the access policy, checks the object's provider
// against the actor's, applies the domain's rules and calls the store method
// that owns the transaction and its audit event. The JSON API and the web
// pages both call it, so neither can do what the other forbids.
package app

import (
	"crypto/ed25519"
	"log/slog"
	"net/mail"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"assure/domain"
	"assure/notices"
	"assure/policies"
	"assure/store"
)

// App is the application layer over one database.
type App struct {
	db    *store.DB
	authz *policies.Authorizer
	log   *slog.Logger

	maxEvidence        int64 // bytes per evidence file
	sectorJobThreshold int   // campaigns with more assessments get sector reports in the background
	checkpointDir      string
	checkpointKey      ed25519.PublicKey
	sso                *sso               // nil when single sign-on is off
	webauthn           *webauthn.WebAuthn // nil when passkeys are off
	now                func() time.Time   // the clock the calendar and the campaign series read
	smtp               *notices.SMTP      // nil: e-mails are written to the log instead of sent
	publicURL          string             // where people reach Assure; e-mails link there
}

// Options configure the application layer.
type Options struct {
	// MaxEvidenceBytes limits one evidence file; 0 means the default (25 MB).
	MaxEvidenceBytes int64
	// SectorJobThreshold is the number of assessments above which a sector
	// report is made in the background; 0 means 200.
	SectorJobThreshold int
	// CheckpointDir is where signed audit checkpoints are written, and
	// CheckpointKey the public key that verifies them; without both the
	// latest checkpoint is not shown and posted ones cannot be checked.
	CheckpointDir string
	CheckpointKey ed25519.PublicKey
	// SSO configures sign-in through the regulator's identity provider;
	// without an issuer it is off.
	SSO SSOConfig
	// Passkeys is the relying party passkeys are bound to; without an ID
	// passkeys are off. One that fails RelyingParty.Check turns them off too,
	// with an error in the log: check it first.
	Passkeys RelyingParty
	// Now is the clock the calendar (what is overdue) and the campaign
	// series (which campaign to make and open today) read; nil is the
	// system's. Tests pass days without waiting for them.
	Now func() time.Time
	// SMTP is the server e-mail is sent through. Without one, e-mails are
	// written to the log (recipient and subject, never the text), users are
	// created with temporary passwords, and nobody is invited by e-mail.
	SMTP *notices.SMTP
	// PublicURL is where people reach Assure: the links of e-mails lead
	// there. http://localhost:8080 when empty.
	PublicURL string
}

// New builds the application layer.
func New(db *store.DB, authz *policies.Authorizer, log *slog.Logger, opts Options) *App {
	a := &App{db: db, authz: authz, log: log, maxEvidence: opts.MaxEvidenceBytes,
		sectorJobThreshold: opts.SectorJobThreshold,
		checkpointDir:      opts.CheckpointDir, checkpointKey: opts.CheckpointKey, now: opts.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.sso = newSSO(opts.SSO)
	a.smtp, a.publicURL = opts.SMTP, opts.PublicURL
	if a.publicURL == "" {
		a.publicURL = "http://localhost:8080"
	}
	if a.maxEvidence <= 0 {
		a.maxEvidence = domain.DefaultMaxEvidenceBytes
	}
	if a.sectorJobThreshold <= 0 {
		a.sectorJobThreshold = 200
	}
	if opts.Passkeys.ID != "" {
		w, err := opts.Passkeys.build()
		if err != nil {
			log.Error("passkeys are off", "err", err)
		}
		a.webauthn = w
	}
	return a
}

// MaxEvidenceBytes is the largest evidence file accepted.
func (a *App) MaxEvidenceBytes() int64 { return a.maxEvidence }

// SectorJobThreshold is the number of assessments above which sector reports
// are made in the background.
func (a *App) SectorJobThreshold() int { return a.sectorJobThreshold }

// today is the current day by the application's clock.
func (a *App) today() domain.Date { return domain.DateOf(a.now()) }

// Today is the current day by the application's clock, for the faces to
// show what the application decides by.
func (a *App) Today() domain.Date { return a.today() }

// MailOn reports whether e-mail is sent, to an SMTP server: then users are
// invited and reset their passwords by e-mail, and nobody chooses another's
// password.
func (a *App) MailOn() bool { return a.smtp != nil }

// mailFrom is the sender of e-mails; without a server, a name for the log.
func (a *App) mailFrom() mail.Address {
	if a.smtp != nil {
		return a.smtp.From
	}
	return mail.Address{Name: "Assure", Address: "assure@localhost"}
}
