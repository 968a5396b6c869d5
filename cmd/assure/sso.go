package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"assure/app"
)

// ssoFlags are serve's settings of single sign-on through the regulator's
// OpenID Connect identity provider.
type ssoFlags struct {
	issuer, clientID, secretFile, publicURL, name *string
}

func ssoFlagsOf(fs *flag.FlagSet) ssoFlags {
	return ssoFlags{
		issuer: fs.String("oidc-issuer", os.Getenv("ASSURE_OIDC_ISSUER"),
			"issuer URL of the identity provider for single sign-on; empty turns it off (env ASSURE_OIDC_ISSUER)"),
		clientID: fs.String("oidc-client-id", os.Getenv("ASSURE_OIDC_CLIENT_ID"),
			"client id of Assure at the identity provider (env ASSURE_OIDC_CLIENT_ID)"),
		secretFile: fs.String("oidc-client-secret-file", os.Getenv("ASSURE_OIDC_CLIENT_SECRET_FILE"),
			"file holding the client secret; or give the secret itself in env ASSURE_OIDC_CLIENT_SECRET (env ASSURE_OIDC_CLIENT_SECRET_FILE)"),
		publicURL: fs.String("public-url", os.Getenv("ASSURE_PUBLIC_URL"),
			"the URL people reach Assure at, e.g. https://assure.example.org; single sign-on answers at its /signin/sso/callback (env ASSURE_PUBLIC_URL)"),
		name: fs.String("oidc-name", os.Getenv("ASSURE_OIDC_NAME"),
			`what the sign-in button names, e.g. "Central Bank sign-in" (env ASSURE_OIDC_NAME)`),
	}
}

// config checks the settings and returns the application's; the secret is
// read from its file or the environment and never printed.
func (f ssoFlags) config() (app.SSOConfig, error) {
	if *f.issuer == "" {
		return app.SSOConfig{}, nil
	}
	if u, err := url.Parse(*f.issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return app.SSOConfig{}, usageError("--oidc-issuer must be an http(s) URL")
	}
	if *f.clientID == "" {
		return app.SSOConfig{}, usageError("--oidc-issuer needs --oidc-client-id")
	}
	secret := os.Getenv("ASSURE_OIDC_CLIENT_SECRET")
	if *f.secretFile != "" {
		b, err := os.ReadFile(*f.secretFile)
		if err != nil {
			return app.SSOConfig{}, fmt.Errorf("read the client secret: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret == "" {
		return app.SSOConfig{}, usageError("--oidc-issuer needs a client secret: --oidc-client-secret-file or env ASSURE_OIDC_CLIENT_SECRET")
	}
	u, err := url.Parse(strings.TrimSuffix(*f.publicURL, "/"))
	if *f.publicURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return app.SSOConfig{}, usageError("--oidc-issuer needs --public-url, the http(s) URL people reach Assure at")
	}
	name := strings.TrimSpace(*f.name)
	if name == "" {
		name = "single sign-on"
	}
	return app.SSOConfig{Issuer: *f.issuer, ClientID: *f.clientID, ClientSecret: secret,
		RedirectURL: u.String() + "/signin/sso/callback", Name: name}, nil
}
