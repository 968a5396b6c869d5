package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"assure/domain"
	"assure/store"
)

// RelyingParty names this site to passkeys: the host name they are bound to
// and the origins the pages are served from. Browsers refuse an IP address
// as the ID; "localhost" works for local use. An empty ID turns passkeys off.
type RelyingParty struct {
	ID      string   // e.g. assure.example.org
	Origins []string // e.g. https://assure.example.org
	Name    string   // what authenticators show; "Assure" when empty
}

// RelyingPartyFor derives the relying party from the public URL the pages
// are reached at, such as https://assure.example.org or
// http://localhost:8080. EInvalid for anything but an http(s) URL with a
// host name.
func RelyingPartyFor(publicURL string) (RelyingParty, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return RelyingParty{}, domain.Errorf(domain.EInvalid, "the public URL %q is not an http(s) URL of a host", publicURL)
	}
	rp := RelyingParty{ID: strings.ToLower(u.Hostname()), Origins: []string{u.Scheme + "://" + strings.ToLower(u.Host)}}
	return rp, rp.Check()
}

// Check reports whether passkeys can work with this relying party. EInvalid
// for an IP address as the ID, an origin that is not the ID or under it,
// or an ID with no origin.
func (rp RelyingParty) Check() error {
	if rp.ID == "" {
		return nil
	}
	_, err := rp.build()
	return err
}

func (rp RelyingParty) build() (*webauthn.WebAuthn, error) {
	if strings.Trim(rp.ID, "0123456789.") == "" || strings.Contains(rp.ID, ":") {
		return nil, domain.Errorf(domain.EInvalid, "passkeys: %q is an IP address, which browsers refuse as a relying party; use a host name such as localhost", rp.ID)
	}
	if len(rp.Origins) == 0 {
		return nil, domain.Errorf(domain.EInvalid, "passkeys: no origin for the relying party %q", rp.ID)
	}
	for _, o := range rp.Origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") ||
			(u.Hostname() != rp.ID && !strings.HasSuffix(u.Hostname(), "."+rp.ID)) {
			return nil, domain.Errorf(domain.EInvalid, "passkeys: the origin %q is not an http(s) origin on %q", o, rp.ID)
		}
	}
	name := rp.Name
	if name == "" {
		name = "Assure"
	}
	w, err := webauthn.New(&webauthn.Config{RPID: rp.ID, RPDisplayName: name, RPOrigins: rp.Origins})
	if err != nil {
		return nil, domain.Errorf(domain.EInvalid, "passkeys: %v", err)
	}
	return w, nil
}

// PasskeysOn reports whether this site offers passkeys (a relying party is
// configured).
func (a *App) PasskeysOn() bool { return a.webauthn != nil }

func (a *App) passkeysOn() error {
	if a.webauthn == nil {
		return domain.Errorf(domain.ENotFound, "passkeys are not set up on this site")
	}
	return nil
}

// passkeyUser is a user as the relying party library sees one: the user
// handle is the user's id, which is random and names no one.
type passkeyUser struct {
	id          []byte
	email, name string
	credentials []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.id }
func (u *passkeyUser) WebAuthnName() string                       { return u.email }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.credentials }

// userHandle is the WebAuthn user handle of a user id: its 16 bytes.
func userHandle(userID string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(userID, "-", ""))
	if err != nil {
		return []byte(userID)
	}
	return b
}

// userOfHandle turns a user handle back into a user id.
func userOfHandle(handle []byte) string {
	if len(handle) != 16 {
		return ""
	}
	h := hex.EncodeToString(handle)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func credentialOf(p domain.Passkey) webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		transports[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{ID: p.CredentialID, PublicKey: p.PublicKey, AttestationType: p.AttestationType,
		AttestationFormat: p.AttestationFormat, Transport: transports,
		Flags: webauthn.CredentialFlags{UserPresent: p.UserPresent, UserVerified: p.UserVerified,
			BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount, CloneWarning: p.CloneWarning,
			Attachment: protocol.AuthenticatorAttachment(p.Attachment)}}
}

func passkeyOf(c *webauthn.Credential, name string) domain.Passkey {
	transports := make([]string, len(c.Transport))
	for i, t := range c.Transport {
		transports[i] = string(t)
	}
	return domain.Passkey{CredentialID: c.ID, PublicKey: c.PublicKey, AttestationType: c.AttestationType,
		AttestationFormat: c.AttestationFormat, AAGUID: c.Authenticator.AAGUID, SignCount: c.Authenticator.SignCount,
		Transports: transports, Attachment: string(c.Authenticator.Attachment), UserPresent: c.Flags.UserPresent,
		UserVerified: c.Flags.UserVerified, BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState,
		Name: name}
}

// userForPasskeys loads a user and their passkeys for the library.
func (a *App) userForPasskeys(ctx context.Context, userID string) (*passkeyUser, error) {
	u, err := a.db.User(ctx, domain.System("passkey"), userID)
	if err != nil {
		return nil, err
	}
	list, err := a.db.PasskeysOfUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	pu := &passkeyUser{id: userHandle(u.ID), email: u.Email, name: u.Name}
	for _, p := range list {
		pu.credentials = append(pu.credentials, credentialOf(p))
	}
	return pu, nil
}

// Passkeys lists the actor's own passkeys.
func (a *App) Passkeys(ctx context.Context, actor domain.Actor) ([]domain.Passkey, error) {
	if err := a.permit(ctx, actor, "me", "read"); err != nil {
		return nil, err
	}
	return a.db.Passkeys(ctx, actor)
}

// BeginPasskeyRegistration starts adding a passkey named name to the
// actor's own account: the options for navigator.credentials.create, as
// JSON, and the token of the ceremony for an HttpOnly cookie. The passkey
// must be discoverable and verify its user; the actor's passkeys are
// excluded, so one authenticator is not registered twice. EInvalid for a
// bad name (at body.name).
func (a *App) BeginPasskeyRegistration(ctx context.Context, actor domain.Actor, name string) (options []byte, token string, err error) {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return nil, "", err
	}
	if err := a.passkeysOn(); err != nil {
		return nil, "", err
	}
	if name, err = domain.PasskeyName(name, "body.name"); err != nil {
		return nil, "", err
	}
	user, err := a.userForPasskeys(ctx, actor.UserID)
	if err != nil {
		return nil, "", err
	}
	creation, session, err := a.webauthn.BeginRegistration(user,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(webauthn.Credentials(user.credentials).CredentialDescriptors()),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return nil, "", fmt.Errorf("app: begin passkey registration: %w", err)
	}
	return a.startCeremony(ctx, store.CeremonyRegister, actor.UserID, name, creation, session)
}

func (a *App) startCeremony(ctx context.Context, kind, userID, name string, options any, session *webauthn.SessionData) ([]byte, string, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, "", fmt.Errorf("app: passkey options: %w", err)
	}
	data, err := json.Marshal(session)
	if err != nil {
		return nil, "", fmt.Errorf("app: passkey session: %w", err)
	}
	token, err := a.db.StartCeremony(ctx, store.Ceremony{Kind: kind, UserID: userID, Name: name, Session: data})
	if err != nil {
		return nil, "", err
	}
	return opts, token, nil
}

// takeCeremony uses up the ceremony of token and decodes its session.
func (a *App) takeCeremony(ctx context.Context, token string, kinds ...string) (store.Ceremony, webauthn.SessionData, error) {
	var session webauthn.SessionData
	c, err := a.db.TakeCeremony(ctx, token, kinds...)
	if err != nil {
		return c, session, err
	}
	if err := json.Unmarshal(c.Session, &session); err != nil {
		return c, session, fmt.Errorf("app: passkey session: %w", err)
	}
	return c, session, nil
}

// notVerified is the answer to a passkey response that fails verification.
var notVerified = domain.Invalid("the passkey could not be verified", []domain.Problem{{Location: "body.credential", Message: "not accepted"}})

// FinishPasskeyRegistration checks the browser's answer to the ceremony of
// token (the JSON of the new PublicKeyCredential) and registers the
// passkey. The ceremony is used up whatever the outcome. EInvalid when the
// ceremony is gone or not the actor's, or the answer does not verify;
// EConflict when the passkey is registered already.
func (a *App) FinishPasskeyRegistration(ctx context.Context, actor domain.Actor, token string, response []byte) (domain.Passkey, error) {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return domain.Passkey{}, err
	}
	if err := a.passkeysOn(); err != nil {
		return domain.Passkey{}, err
	}
	c, session, err := a.takeCeremony(ctx, token, store.CeremonyRegister)
	if err != nil {
		return domain.Passkey{}, err
	}
	if c.UserID != actor.UserID {
		if err := a.db.RecordPasskeyFailure(ctx, actor, "passkey.registration_failed", actor.UserID, "another user's ceremony"); err != nil {
			return domain.Passkey{}, err
		}
		return domain.Passkey{}, store.ErrCeremonyGone
	}
	user, err := a.userForPasskeys(ctx, actor.UserID)
	if err != nil {
		return domain.Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err == nil {
		var cred *webauthn.Credential
		if cred, err = a.webauthn.CreateCredential(user, session, parsed); err == nil {
			return a.db.AddPasskey(ctx, actor, passkeyOf(cred, c.Name))
		}
	}
	a.log.InfoContext(ctx, "passkey registration refused", "request_id", actor.RequestID, "err", protocolDetail(err))
	if rerr := a.db.RecordPasskeyFailure(ctx, actor, "passkey.registration_failed", actor.UserID, protocolDetail(err)); rerr != nil {
		return domain.Passkey{}, rerr
	}
	return domain.Passkey{}, notVerified
}

// protocolDetail is what the library says went wrong, for logs and the
// audit trail only.
func protocolDetail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.DevInfo != "" {
			return pe.Details + ": " + pe.DevInfo
		}
		return pe.Details
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// RemovePasskey removes one of the actor's own passkeys. ENotFound for
// anyone else's.
func (a *App) RemovePasskey(ctx context.Context, actor domain.Actor, id string) error {
	if err := a.permit(ctx, actor, "me", "update"); err != nil {
		return err
	}
	return a.db.RemovePasskey(ctx, actor, id)
}

// BeginPasskeySignIn starts a sign-in with a passkey alone: the options for
// navigator.credentials.get (no account named: the authenticator offers its
// discoverable passkeys for this site, and must verify its user) and the
// ceremony's token.
func (a *App) BeginPasskeySignIn(ctx context.Context) (options []byte, token string, err error) {
	if err := a.passkeysOn(); err != nil {
		return nil, "", err
	}
	assertion, session, err := a.webauthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, "", fmt.Errorf("app: begin passkey sign-in: %w", err)
	}
	return a.startCeremony(ctx, store.CeremonySignIn, "", "", assertion, session)
}

// BeginPasskeySecondFactor starts the second step of a sign-in whose
// password was right, for an account with passkeys: the options list that
// account's passkeys only, and the ceremony is bound to it. need must come
// from Login, which checked the password.
func (a *App) BeginPasskeySecondFactor(ctx context.Context, need *store.SecondFactorNeeded) (options []byte, token string, err error) {
	if err := a.passkeysOn(); err != nil {
		return nil, "", err
	}
	if need == nil || !need.Passkey || need.UserID == "" {
		return nil, "", domain.Errorf(domain.EInvalid, "no account waits for a passkey")
	}
	user, err := a.userForPasskeys(ctx, need.UserID)
	if err != nil {
		return nil, "", err
	}
	assertion, session, err := a.webauthn.BeginLogin(user, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, "", fmt.Errorf("app: begin passkey second factor: %w", err)
	}
	return a.startCeremony(ctx, store.CeremonySecondFactor, need.UserID, "", assertion, session)
}

// FinishPasskeySignIn checks the browser's answer (the JSON of the
// PublicKeyCredential from navigator.credentials.get) to the ceremony of
// token, a sign-in with a passkey alone or the second factor after a
// password, and opens a session. The ceremony is used up whatever the
// outcome; every outcome is audited. store.ErrPasskeyRefused for any
// refusal; ErrCeremonyGone (EInvalid) when the ceremony is gone.
func (a *App) FinishPasskeySignIn(ctx context.Context, actor domain.Actor, token string, response []byte) (store.Session, error) {
	if err := a.passkeysOn(); err != nil {
		return store.Session{}, err
	}
	c, session, err := a.takeCeremony(ctx, token, store.CeremonySignIn, store.CeremonySecondFactor)
	if err != nil {
		return store.Session{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return store.Session{}, a.passkeyRefused(ctx, actor, c.UserID, err)
	}
	var cred *webauthn.Credential
	var owner string
	if c.Kind == store.CeremonySecondFactor {
		owner = c.UserID
		user, err := a.userForPasskeys(ctx, owner)
		if err != nil {
			return store.Session{}, a.passkeyRefused(ctx, actor, owner, err)
		}
		if cred, err = a.webauthn.ValidateLogin(user, session, parsed); err != nil {
			return store.Session{}, a.passkeyRefused(ctx, actor, owner, err)
		}
	} else {
		found := func(rawID, handle []byte) (webauthn.User, error) {
			id, err := a.db.PasskeyOwner(ctx, rawID)
			if err != nil {
				return nil, err
			}
			if userOfHandle(handle) != id {
				return nil, errors.New("the user handle is not the passkey's owner")
			}
			owner = id
			return a.userForPasskeys(ctx, id)
		}
		if _, cred, err = a.webauthn.ValidatePasskeyLogin(found, session, parsed); err != nil {
			return store.Session{}, a.passkeyRefused(ctx, actor, owner, err)
		}
	}
	if !bytes.Equal(cred.ID, parsed.RawID) {
		return store.Session{}, a.passkeyRefused(ctx, actor, owner, errors.New("credential mismatch"))
	}
	// The counter is checked again, and the passkey flagged, under the
	// passkey's row lock by the store, whatever the library concluded here.
	use := store.PasskeyUse{CredentialID: cred.ID, SignCount: parsed.Response.AuthenticatorData.Counter,
		UserVerified: parsed.Response.AuthenticatorData.Flags.HasUserVerified(),
		BackupState:  parsed.Response.AuthenticatorData.Flags.HasBackupState()}
	if c.Kind == store.CeremonySecondFactor {
		use.AfterPasswordOf = c.UserID
	}
	return a.db.SignInWithPasskey(ctx, actor, use)
}

// passkeyRefused audits a passkey answer that did not verify and returns the
// one refusal.
func (a *App) passkeyRefused(ctx context.Context, actor domain.Actor, userID string, err error) error {
	a.log.InfoContext(ctx, "passkey sign-in refused", "request_id", actor.RequestID, "err", protocolDetail(err))
	if rerr := a.db.RecordPasskeyFailure(ctx, actor, "session.passkey_failed", userID, protocolDetail(err)); rerr != nil {
		return rerr
	}
	return store.ErrPasskeyRefused
}
