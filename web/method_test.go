package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"assure/demo"
)

// TestMethodPage: the risk method page shows the calibration in force, in
// both languages, to every role; a checklist framework says it rates no risk.
func TestMethodPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	sup := s.browser(t)
	sup.signIn("supervisor"+demoDomain, demo.Password)
	sup.get("/catalogs/x1150/1.1").want(t, http.StatusOK, "", `href="/catalogs/x1150/1.1/method"`)
	sup.get("/catalogs/x1150/1.1/method").want(t, http.StatusOK, "", "Risk method 2", "x1150-risk@1.0", "Credit by assurance grade", "Self-attested",
		"Profile table", "Customers", "100,000 to under 2,000,000: 0", "2,000,000 or more: &#43;1", "Key controls",
		"T6 · Denial of service attacks", "C22, C24", "40%", "Impact reduction", "C22, C44, C48", "Maturity levels",
		"Optimised")
	sup.get("/catalogs/dfs-app-baseline/1.0/method").want(t, http.StatusOK, "", "This framework names no threats")
	sup.post("/language", url.Values{"language": {"fr"}})
	sup.get("/catalogs/x1150/1.1/method").want(t, http.StatusOK, "", "Méthode de risque 2", "Crédit selon le degré d&#39;assurance",
		"Mesures clés", "Réduction de l&#39;impact")
	sup.get("/catalogs/x1150/9.9/method").want(t, http.StatusNotFound, "")

	ed := s.browser(t)
	ed.signIn("p03-admin"+demoDomain, demo.Password)
	ed.get("/catalogs/x1150/1.1/method").want(t, http.StatusOK, "", "Risk method 2", "Key controls")
}
