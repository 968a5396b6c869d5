package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"assure/domain"
	"assure/store"
)

// SSOConfig configures sign-in through the regulator's OpenID Connect
// identity provider. Without an Issuer single sign-on is off.
type SSOConfig struct {
	Issuer       string // the identity provider's issuer URL, as its discovery document states it
	ClientID     string
	ClientSecret string
	RedirectURL  string // the absolute URL of /signin/sso/callback, registered at the provider
	Name         string // what the sign-in button names, e.g. "Central Bank sign-in"
	// HTTPClient talks to the identity provider; nil means one with a
	// ten-second timeout.
	HTTPClient *http.Client
}

// SSOCookie is the name of the short-lived HttpOnly cookie that keeps a
// browser's single sign-on attempt while it is away at the identity provider.
const SSOCookie = "assure_sso"

// SSOAttemptLife bounds how long a browser may stay at the identity provider
// before the attempt it started is no longer taken back.
const SSOAttemptLife = 10 * time.Minute

// Why a single sign-on was refused; the pages say each in their own words.
const (
	SSOBadState        = "bad state"         // the answer does not belong to this browser's attempt, or came twice
	SSOProviderError   = "provider error"    // the identity provider answered with an error
	SSOUnavailable     = "unavailable"       // the identity provider cannot be reached
	SSOBadToken        = "bad id token"      // the ID token does not verify: issuer, audience, expiry, signature or nonce
	SSOUnverifiedEmail = "unverified e-mail" // the provider does not vouch for the e-mail
	SSOUnknownAccount  = "unknown account"   // no Assure account has the e-mail
	SSODisabled        = "account disabled"  // the Assure account is disabled
)

// SSOError is a refused single sign-on: why (one of the SSO reasons) and,
// for the log, the detail.
type SSOError struct {
	Reason string
	Email  string // the e-mail the identity provider gave, when it got that far
	Detail string
}

func (e *SSOError) Error() string {
	if e.Detail == "" {
		return "single sign-on refused: " + e.Reason
	}
	return "single sign-on refused: " + e.Reason + ": " + e.Detail
}

// sso is the client of the identity provider. Its discovery document is
// fetched on first use, not at start-up, so Assure starts while the provider
// is down; a failed discovery is retried on a later sign-in, at most every
// few seconds.
type sso struct {
	cfg SSOConfig

	mu       sync.Mutex
	provider *oidc.Provider
	failedAt time.Time
	failure  error
}

// ssoRetryAfter is how long a failed discovery is answered from memory
// before the provider is asked again.
const ssoRetryAfter = 5 * time.Second

func newSSO(cfg SSOConfig) *sso {
	if cfg.Issuer == "" {
		return nil
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &sso{cfg: cfg}
}

func (c *sso) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.cfg.HTTPClient)
}

// discover returns the provider, fetching its discovery document if it has
// not been fetched yet.
func (c *sso) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	if c.failure != nil && time.Since(c.failedAt) < ssoRetryAfter {
		return nil, c.failure
	}
	p, err := oidc.NewProvider(c.context(ctx), c.cfg.Issuer)
	if err != nil {
		c.failure, c.failedAt = err, time.Now()
		return nil, err
	}
	c.provider, c.failure = p, nil
	return p, nil
}

func (c *sso) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email"}}
}

// ssoValues are the state, nonce and PKCE verifier of one attempt. All three
// derive from the attempt's secret, which only the browser's HttpOnly cookie
// holds, so nothing is stored and any instance can finish the attempt; the
// identity provider sees only hashes of the secret.
type ssoValues struct{ state, nonce, verifier string }

func ssoDerive(secret string) ssoValues {
	derive := func(label string) string {
		sum := sha256.Sum256([]byte("assure sso " + label + "\x00" + secret))
		return base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return ssoValues{state: derive("state"), nonce: derive("nonce"), verifier: derive("verifier")}
}

// NewSSOSecret returns the secret of a new single sign-on attempt, for the
// browser's cookie.
func NewSSOSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SSOName is the name the sign-in button shows; empty when single sign-on
// is off.
func (a *App) SSOName() string {
	if a.sso == nil {
		return ""
	}
	if a.sso.cfg.Name == "" {
		return "single sign-on"
	}
	return a.sso.cfg.Name
}

// BeginSSO returns the identity provider's URL where the browser holding
// secret (from NewSSOSecret) signs in: the authorization-code flow with
// state, nonce and a PKCE S256 challenge. ENotFound when single sign-on is
// off; an *SSOError with SSOUnavailable when the provider cannot be reached.
func (a *App) BeginSSO(ctx context.Context, secret string) (string, error) {
	if a.sso == nil {
		return "", domain.Errorf(domain.ENotFound, "single sign-on is not configured")
	}
	if len(secret) < 32 {
		return "", domain.Errorf(domain.EInvalid, "the sign-on attempt has no secret")
	}
	p, err := a.sso.discover(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "single sign-on: identity provider unreachable", "issuer", a.sso.cfg.Issuer, "err", err)
		return "", &SSOError{Reason: SSOUnavailable, Detail: err.Error()}
	}
	v := ssoDerive(secret)
	return a.sso.oauth(p).AuthCodeURL(v.state, oauth2.S256ChallengeOption(v.verifier), oidc.Nonce(v.nonce)), nil
}

// ssoClaims are the claims of the ID token Assure reads. email_verified is
// read as JSON of any type because some providers send the string "true".
type ssoClaims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
}

func (c ssoClaims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// FinishSSO takes the identity provider's answer (the callback's query) back
// to the browser's attempt secret and, when everything holds, opens a session
// as a password sign-in does. It checks that the state is this attempt's,
// exchanges the code with the PKCE verifier, verifies the ID token's
// signature, issuer, audience and expiry and its nonce, requires
// email_verified, and signs in the active user with that e-mail. Single
// sign-on counts as a full sign-in: the identity provider is trusted for its
// own second factor, so no one-time code is asked. Every refusal is an
// *SSOError, audited as session.login_failed and logged.
func (a *App) FinishSSO(ctx context.Context, actor domain.Actor, secret string, answer url.Values) (store.Session, error) {
	if a.sso == nil {
		return store.Session{}, domain.Errorf(domain.ENotFound, "single sign-on is not configured")
	}
	id := store.SSOIdentity{Issuer: a.sso.cfg.Issuer}
	s, err := a.finishSSO(ctx, actor, secret, answer, &id)
	var refused *SSOError
	if errors.As(err, &refused) {
		refused.Email = id.Email
		a.log.WarnContext(ctx, "single sign-on refused", "reason", refused.Reason, "email", id.Email,
			"subject", id.Subject, "detail", refused.Detail)
		if refused.Reason != SSOUnknownAccount && refused.Reason != SSODisabled { // the store audits those itself
			if err := a.db.RecordSSOFailure(ctx, actor, id, refused.Reason); err != nil {
				return store.Session{}, err
			}
		}
	}
	return s, err
}

func (a *App) finishSSO(ctx context.Context, actor domain.Actor, secret string, answer url.Values, id *store.SSOIdentity) (store.Session, error) {
	v := ssoDerive(secret)
	if secret == "" || subtle.ConstantTimeCompare([]byte(answer.Get("state")), []byte(v.state)) != 1 {
		return store.Session{}, &SSOError{Reason: SSOBadState, Detail: "the state is not the one of the browser's attempt"}
	}
	if e := answer.Get("error"); e != "" {
		return store.Session{}, &SSOError{Reason: SSOProviderError, Detail: e + ": " + answer.Get("error_description")}
	}
	code := answer.Get("code")
	if code == "" {
		return store.Session{}, &SSOError{Reason: SSOProviderError, Detail: "the answer has no code"}
	}
	p, err := a.sso.discover(ctx)
	if err != nil {
		return store.Session{}, &SSOError{Reason: SSOUnavailable, Detail: err.Error()}
	}
	ctx = a.sso.context(ctx)
	token, err := a.sso.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(v.verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return store.Session{}, &SSOError{Reason: SSOProviderError, Detail: "code exchange: " + err.Error()}
		}
		return store.Session{}, &SSOError{Reason: SSOUnavailable, Detail: "code exchange: " + err.Error()}
	}
	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return store.Session{}, &SSOError{Reason: SSOBadToken, Detail: "the token answer has no ID token"}
	}
	idToken, err := p.Verifier(&oidc.Config{ClientID: a.sso.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return store.Session{}, &SSOError{Reason: SSOBadToken, Detail: err.Error()}
	}
	id.Subject = idToken.Subject
	if subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(v.nonce)) != 1 {
		return store.Session{}, &SSOError{Reason: SSOBadToken, Detail: "the ID token's nonce is not the attempt's"}
	}
	var claims ssoClaims
	if err := idToken.Claims(&claims); err != nil {
		return store.Session{}, &SSOError{Reason: SSOBadToken, Detail: fmt.Sprintf("claims: %v", err)}
	}
	id.Email = strings.TrimSpace(claims.Email)
	if id.Email == "" || !claims.verified() {
		return store.Session{}, &SSOError{Reason: SSOUnverifiedEmail, Detail: "email_verified is not true"}
	}
	s, err := a.db.SignInSSO(ctx, actor, *id)
	switch {
	case errors.Is(err, store.ErrSSOUnknownAccount):
		return store.Session{}, &SSOError{Reason: SSOUnknownAccount}
	case errors.Is(err, store.ErrSSODisabled):
		return store.Session{}, &SSOError{Reason: SSODisabled}
	}
	return s, err
}
