package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeChecksSingleSignOnSettings: an issuer without the rest of its
// settings is a usage error naming what is missing, before any database is
// reached, and the secret never shows in what serve prints.
func TestServeChecksSingleSignOnSettings(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("a-very-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"serve", "--addr", "127.0.0.1:0", "--database-url", "postgres://127.0.0.1:1/none"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--oidc-issuer", "not a url"}, "--oidc-issuer must be an http(s) URL"},
		{[]string{"--oidc-issuer", "https://idp.example.org"}, "--oidc-client-id"},
		{[]string{"--oidc-issuer", "https://idp.example.org", "--oidc-client-id", "assure"}, "client secret"},
		{[]string{"--oidc-issuer", "https://idp.example.org", "--oidc-client-id", "assure",
			"--oidc-client-secret-file", secretFile}, "--public-url"},
	} {
		code, out, errOut := assure(t, append(base, tc.args...)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("serve %q = %d %q, want an error naming %q", tc.args, code, errOut, tc.want)
		}
		if strings.Contains(out+errOut, "a-very-secret-value") {
			t.Errorf("serve %q printed the client secret", tc.args)
		}
	}
}
