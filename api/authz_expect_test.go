package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"assure/domain"
)

// outcome is what the authorization walk expects of one request.
type outcome byte

const (
	allowed   outcome = 'A' // any answer but 401, 403, 404 or a 5xx
	forbidden outcome = 'F' // 403
	notFound  outcome = 'N' // 404: another's object, whose existence must not leak
)

func (o outcome) String() string {
	switch o {
	case allowed:
		return "allowed"
	case forbidden:
		return "403"
	case notFound:
		return "404"
	}
	return fmt.Sprintf("outcome %q", byte(o))
}

// met reports whether status is the outcome.
func (o outcome) met(status int) bool {
	switch o {
	case allowed:
		return status != http.StatusUnauthorized && status != http.StatusForbidden &&
			status != http.StatusNotFound && status < 500
	case forbidden:
		return status == http.StatusForbidden
	case notFound:
		return status == http.StatusNotFound
	}
	return false
}

// expectedRoles is the order of the roles in expectedAccess.
var expectedRoles = []domain.Role{domain.RoleAdmin, domain.RoleSupervisor, domain.RoleProviderAdmin,
	domain.RoleProviderEditor, domain.RoleAuditor}

// expectedAccess says, by hand and apart from policies/policy.csv, what
// every role may do with every operation, so that a policy line lost or
// added fails the walk instead of moving its expectations along with it.
//
// Per operation: "public", or five pairs of letters, one pair per role in
// the order of expectedRoles (admin, supervisor, provider_admin,
// provider_editor, auditor). The first letter of a pair is the answer on an
// object of the caller's own provider (for user-owned objects: the caller's
// own), the second on another provider's (another user's). Operations on
// objects of no provider (lists, the catalog, campaigns, one's own account)
// have the same letter twice. A is allowed, F is 403, N is 404.
var expectedAccess = map[string]string{
	"healthz": "public",
	"readyz":  "public",
	"login":   "public",

	// Single-use links: the token is the proof, and they are throttled.
	"accept-invitation":      "public",
	"request-password-reset": "public",
	"confirm-password-reset": "public",

	//                     adm sup pad ped aud
	"logout":             "AA AA AA AA AA",
	"get-me":             "AA AA AA AA AA",
	"change-my-password": "AA AA AA AA AA",
	"start-totp":         "AA AA AA AA AA",
	"confirm-totp":       "AA AA AA AA AA",
	"disable-totp":       "AA AA AA AA AA",
	"list-tokens":        "AA AA AA AA AA",
	"create-token":       "AA AA AA AA AA",
	"revoke-token":       "AN AN AN AN AN",

	// One's own notification centre and preferences.
	//                               adm sup pad ped aud
	"list-notifications":           "AA AA AA AA AA",
	"mark-notifications-read":      "AA AA AA AA AA",
	"get-notification-preferences": "AA AA AA AA AA",
	"put-notification-preferences": "AA AA AA AA AA",

	//                      adm sup pad ped aud
	"list-users":          "AA FF AA FF FF",
	"get-user":            "AA FF AN FF FF",
	"create-user":         "AA FF AN FF FF",
	"update-user":         "AA FF FF FF FF",
	"disable-user":        "AA FF AN FF FF",
	"reset-user-password": "AA FF FF FF FF",
	"reset-user-totp":     "AA FF FF FF FF",
	"unlock-user":         "AA FF FF FF FF",
	"create-invitation":   "AA FF AN FF FF",
	"resend-invitation":   "AA FF AN FF FF",

	// Identity requests: admins only; who of them may decide is a domain rule
	// (neither requester nor target), which the fixtures respect.
	//                           adm sup pad ped aud
	"list-identity-requests":   "AA FF FF FF FF",
	"get-identity-request":     "AA FF FF FF FF",
	"approve-identity-request": "AA FF FF FF FF",
	"reject-identity-request":  "AA FF FF FF FF",
	"cancel-identity-request":  "AA FF FF FF FF",
	"get-settings":             "AA FF FF FF FF",
	"update-settings":          "AA FF FF FF FF",

	//                    adm sup pad ped aud
	"list-audit-events":        "FF AA FF FF AA",
	"verify-audit":             "FF AA FF FF AA",
	"start-audit-verification": "FF AA FF FF AA",
	"get-audit-verification":   "FF AA FF FF AA",
	"get-audit-checkpoint":     "FF AA FF FF AA",
	"verify-audit-checkpoints": "FF AA FF FF AA",
	"get-audit-event-proof":    "FF AA FF FF AA",
	"export-audit-csv":         "FF FF FF FF AA",
	"export-audit-xlsx":        "FF FF FF FF AA",
	"export-audit-zip":         "FF FF FF FF AA",

	//                  adm sup pad ped aud
	"list-frameworks":           "AA AA AA AA AA",
	"get-framework":             "AA AA AA AA AA",
	"get-framework-calibration": "AA AA AA AA AA",
	"list-dimensions":           "AA AA AA AA AA",
	"list-stages":               "AA AA AA AA AA",
	"list-threats":              "AA AA AA AA AA",
	"get-threat":                "AA AA AA AA AA",
	"list-controls":             "AA AA AA AA AA",
	"get-control":               "AA AA AA AA AA",
	"get-framework-oscal":       "AA AA AA AA AA",
	"list-framework-changes":    "AA AA AA AA AA",
	"publish-framework":         "AA FF FF FF FF",
	"list-mappings":             "AA AA AA AA AA",
	"get-mapping":               "AA AA AA AA AA",
	"list-mapping-links":        "AA AA AA AA AA",
	"list-control-links":        "AA AA AA AA AA",

	//                  adm sup pad ped aud
	"list-providers":  "AA AA AA AA AA",
	"get-provider":    "AA AA AN AN AA",
	"create-provider": "FF AA FF FF FF",
	"update-provider": "FF AA FF FF FF",

	//                   adm sup pad ped aud
	"import-providers": "FF AA FF FF FF",

	//                  adm sup pad ped aud
	"list-campaigns":       "FF AA AA AA AA",
	"get-campaign":         "FF AA AA AA AA",
	"create-campaign":      "FF AA FF FF FF",
	"open-campaign":        "FF AA FF FF FF",
	"get-campaign-opening": "FF AA FF FF FF",
	"extend-campaign":      "FF AA FF FF FF",
	"close-campaign":       "FF AA FF FF FF",

	// Campaign series: supervisors keep them; auditors read them.
	//                          adm sup pad ped aud
	"create-campaign-series": "FF AA FF FF FF",
	"list-campaign-series":   "FF AA FF FF AA",
	"get-campaign-series":    "FF AA FF FF AA",
	"list-series-campaigns":  "FF AA FF FF AA",
	"update-campaign-series": "FF AA FF FF FF",
	"pause-campaign-series":  "FF AA FF FF FF",
	"resume-campaign-series": "FF AA FF FF FF",

	// The calendar: the sector's for supervisors and auditors, a provider
	// user's own provider's; each of them may keep a feed of theirs.
	//                        adm sup pad ped aud
	"get-calendar":         "FF AA AA AA AA",
	"get-calendar-feed":    "FF AA AA AA AA",
	"create-calendar-feed": "FF AA AA AA AA",
	"revoke-calendar-feed": "FF AA AA AA AA",

	//                              adm sup pad ped aud
	"list-assessments":            "FF AA AA AA AA",
	"get-assessment":              "FF AA AN AN AA",
	"list-assessment-transitions": "FF AA AN AN AA",
	"list-submissions":            "FF AA AN AN AA",
	"get-submission":              "FF AA AN AN AA",
	"diff-submissions":            "FF AA AN AN AA",
	"get-questionnaire":           "FF AA AN AN AA",
	"upload-questionnaire":        "FF FF AN AN FF",
	"submit-assessment":           "FF FF AN FF FF",
	"start-review":                "FF AA FF FF FF",
	"request-changes":             "FF AA FF FF FF",
	"reject-assessment":           "FF AA FF FF FF",
	"approve-assessment":          "FF AA FF FF FF",

	//                 adm sup pad ped aud
	"list-responses": "FF AA AN AN AA",
	"get-response":   "FF AA AN AN AA",
	"put-response":   "FF FF AN AN FF",
	"put-responses":  "FF FF AN AN FF",
	"apply-mapping":  "FF FF AN AN FF",
	"put-verdict":    "FF AA FF FF FF",
	"put-verdicts":   "FF AA FF FF FF",

	//                         adm sup pad ped aud
	"list-review-candidates": "FF AA FF FF FF",

	//                       adm sup pad ped aud
	"list-evidence":        "FF AA AN AN AA",
	"get-evidence":         "FF AA AN AN AA",
	"get-evidence-content": "FF AA AN AN AA",
	"upload-evidence":      "FF FF AN AN FF",

	//                     adm sup pad ped aud
	"list-findings":      "FF AA AA AA AA",
	"get-finding":        "FF AA AN AN AA",
	"create-finding":     "FF AA FF FF FF",
	"respond-to-finding": "FF FF AN AN FF",
	"verify-finding":     "FF AA FF FF FF",
	"reopen-finding":     "FF AA FF FF FF",

	// Apps and lab results: supervisors test and decide; providers register
	// their own; auditors read.
	//                          adm sup pad ped aud
	"register-app":            "FF AA AN AN FF",
	"list-apps":               "FF AA AA AA AA",
	"get-app":                 "FF AA AN AN AA",
	"add-release":             "FF AA AN AN FF",
	"get-release":             "FF AA AN AN AA",
	"record-lab-result":       "FF AA FF FF FF",
	"get-lab-result":          "FF AA AN AN AA",
	"get-lab-report":          "FF AA AN AN AA",
	"decide-release":          "FF AA FF FF FF",
	"list-lab-contradictions": "FF AA AN AN AA",

	// Inspections: supervisors and admins record them; auditors read them,
	// provider users their own provider's.
	//                    adm sup pad ped aud
	"record-inspection": "AA AA FF FF FF",
	"list-inspections":  "AA AA AN AN AA",

	// Incidents: providers report their own and update them; supervisors
	// request information and close them; auditors read them. Statistics are
	// the sector's: supervisors and auditors.
	//                               adm sup pad ped aud
	"report-incident":              "FF FF AN AN FF",
	"list-incidents":               "FF AA AA AA AA",
	"get-incident":                 "FF AA AN AN AA",
	"file-incident-report":         "FF FF AN AN FF",
	"request-incident-information": "FF AA FF FF FF",
	"close-incident":               "FF AA FF FF FF",
	"get-incident-statistics":      "FF AA FF FF AA",

	//                             adm sup pad ped aud
	"get-provider-risk":             "FF AA AN AN AA",
	"get-risk-profile":              "FF AA AN AN AA",
	"put-risk-profile":              "FF FF AN AN FF",
	"put-risk-profile-confirmation": "FF AA FF FF FF",
	"get-provider-benchmark":        "FF AA AN AN AA",
	"get-provider-trend":            "FF AA AN AN AA",
	"list-risk-overrides":           "FF AA AN AN AA",
	"put-risk-override":             "FF AA FF FF FF",
	"delete-risk-override":          "FF AA FF FF FF",
	"list-priorities":               "FF AA AA AA AA",
	"get-risk-heatmap":              "FF AA AA AA AA",
	"get-risk-heatmap-svg":          "FF AA AA AA AA",
	"get-dimensions-heatmap":        "FF AA AA AA AA",
	"get-dimensions-heatmap-svg":    "FF AA AA AA AA",
	"get-stages-heatmap":            "FF AA AA AA AA",
	"get-stages-heatmap-svg":        "FF AA AA AA AA",

	//                         adm sup pad ped aud
	"get-assessment-report":  "FF AA AN AN AA",
	"get-sector-report-pdf":  "FF AA FF FF AA",
	"get-sector-report-xlsx": "FF AA FF FF AA",
	"create-report-job":      "FF AA FF FF AA",
	"get-report-job":         "FF AN FF FF AN",
	"download-report-job":    "FF AN FF FF AN",

	// The supervisor's dashboard.
	//                        adm sup pad ped aud
	"get-campaign-progress": "FF AA AA AA AA",
	"list-risk-pairs":       "FF AA AA AA AA",
}

// accessRow is one operation's line of expectedAccess, read.
type accessRow struct {
	public bool
	own    map[domain.Role]outcome
	other  map[domain.Role]outcome
}

// expectedAccessRows parses expectedAccess, failing the test on a malformed line.
func expectedAccessRows(t *testing.T) map[string]accessRow {
	t.Helper()
	if !slices.Equal(expectedRoles, domain.Roles) {
		t.Fatalf("the roles are now %v: give expectedAccess a pair of letters for each", domain.Roles)
	}
	rows := map[string]accessRow{}
	for id, line := range expectedAccess {
		if line == "public" {
			rows[id] = accessRow{public: true}
			continue
		}
		pairs := strings.Fields(line)
		if len(pairs) != len(expectedRoles) {
			t.Errorf("expectedAccess[%q] = %q: want %d pairs", id, line, len(expectedRoles))
			continue
		}
		row := accessRow{own: map[domain.Role]outcome{}, other: map[domain.Role]outcome{}}
		for i, p := range pairs {
			if len(p) != 2 || !strings.ContainsRune("AFN", rune(p[0])) || !strings.ContainsRune("AFN", rune(p[1])) {
				t.Errorf("expectedAccess[%q]: %q is not two of A, F, N", id, p)
			}
			row.own[expectedRoles[i]], row.other[expectedRoles[i]] = outcome(p[0]), outcome(p[1])
		}
		rows[id] = row
	}
	return rows
}

// want returns the expected outcome for role on the own or other variant.
func (r accessRow) want(role domain.Role, other bool) outcome {
	if other {
		return r.other[role]
	}
	return r.own[role]
}

// firstAllowed returns a role allowed the operation on its own object.
func (r accessRow) firstAllowed() (domain.Role, bool) {
	for _, role := range expectedRoles {
		if r.own[role] == allowed {
			return role, true
		}
	}
	return "", false
}
