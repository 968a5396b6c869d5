package api_test

import (
	"net/http"
	"strings"
	"testing"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/store/storetest"
)

// apiPolicy is what every API answer must carry: nothing may load, nothing
// may frame it, and a document opened from it runs in a sandbox without
// scripts.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

const hsts = "max-age=31536000; includeSubDomains"

// TestSecurityHeaders checks the content security policy on JSON, SVG and
// file answers, and that HSTS is sent exactly when cookies are Secure.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	db, dbURL := storetest.New(t)
	plain := serve(t, db, dbURL)
	secure := serveWith(t, db, dbURL, app.Options{}, api.Options{SecureCookies: true})

	sup := plain.user(domain.RoleSupervisor, "")
	p := plain.provider("Headed Bank")
	c, assessments := plain.openCampaign(actorOf(sup), p)
	auditor := plain.user(domain.RoleAuditor, "")
	editor := plain.user(domain.RoleProviderEditor, p)
	ev := plain.uploadEvidence(actorOf(editor), assessments[p].ID, textFile("notes.txt", "A plain note.\n"))

	for _, x := range []struct {
		s    *server
		hsts bool
	}{{plain, false}, {secure, true}} {
		supC, audC, edC := x.s.as(x.s.tokenFor(sup)), x.s.as(x.s.tokenFor(auditor)), x.s.as(x.s.tokenFor(editor))
		answers := map[string]response{
			"json":         supC.get("/api/v1/providers"),
			"problem":      supC.get("/api/v1/providers/00000000-0000-0000-0000-000000000000"),
			"svg":          supC.get("/api/v1/heatmaps/risk.svg?campaign=" + c.ID),
			"svg (Accept)": supC.do(http.MethodGet, "/api/v1/heatmaps/risk?campaign="+c.ID, nil, "Accept", "image/svg+xml"),
			"file":         audC.get("/api/v1/audit/export.csv"),
			"evidence":     edC.get("/api/v1/evidence/" + ev[0].ID + "/content"),
			"unrouted":     supC.get("/api/v1/nothing-here"),
			"openapi":      x.s.get("/openapi.json"),
		}
		for name, r := range answers {
			if r.status >= 500 {
				t.Fatalf("%s: status %d", name, r.status)
			}
			if got := r.header.Get("Content-Security-Policy"); got != apiPolicy {
				t.Errorf("secure=%v %s (%d %s): CSP = %q, want %q", x.hsts, name, r.status,
					r.header.Get("Content-Type"), got, apiPolicy)
			}
			got := r.header.Get("Strict-Transport-Security")
			if x.hsts && got != hsts {
				t.Errorf("secure cookies, %s: HSTS = %q, want %q", name, got, hsts)
			}
			if !x.hsts && got != "" {
				t.Errorf("cookies not Secure, %s: HSTS = %q, want none", name, got)
			}
		}
		if ct := answers["svg"].header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
			t.Errorf("svg answered %s", ct)
		}
		// The API's documentation page keeps its own, looser policy (it
		// loads its stylesheet) and still gets HSTS.
		docs := x.s.get("/docs")
		if csp := docs.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") {
			t.Errorf("docs CSP = %q", csp)
		}
		if got := docs.header.Get("Strict-Transport-Security"); (got == hsts) != x.hsts {
			t.Errorf("secure=%v docs: HSTS = %q", x.hsts, got)
		}
	}
}
