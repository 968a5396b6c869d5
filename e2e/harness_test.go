package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which make test installs through
// scripts/test-deps.sh.
const chromiumPath = "/usr/bin/chromium"

// suite is what the browser tests share: one Chromium process and one
// database holding the demo sector, which each test clones.
type suite struct {
	browser  context.Context // the browser's root chromedp context
	template string          // the demo database every site starts from
}

// TestBrowser runs the browser tests in parallel over one browser and one
// demo database made once. Each test has its own server on its own copy of
// that database and its own browser contexts, so no test sees another's
// changes or cookies.
func TestBrowser(t *testing.T) {
	s := &suite{browser: startBrowser(t), template: demoTemplate(t)}
	tests := []struct {
		name string
		run  func(*testing.T, *suite)
	}{
		{"AnswerAControl", testAnswerAControl},
		{"ConflictKeepMine", testConflictKeepMine},
		{"EvidenceUpload", testEvidenceUpload},
		{"OtherProvidersAssessmentNotFound", testOtherProvidersAssessmentNotFound},
		{"SaveWithoutCSRFRefused", testSaveWithoutCSRFRefused},
		{"French", testFrench},
		{"SignInWithTOTP", testSignInWithTOTP},
		{"SignInWithSSO", testSignInWithSSO},
		{"Passkey", testPasskey},
		{"QuestionnaireRoundTrip", testQuestionnaireRoundTrip},
		{"ValidateAndSubmit", testValidateAndSubmit},
		{"EditorCannotSubmit", testEditorCannotSubmit},
		{"ChangesRequested", testChangesRequested},
		{"FindingsUsersAccount", testFindingsUsersAccount},
		{"RegisterProviders", testRegisterProviders},
		{"Dashboard", testDashboard},
		{"CampaignWizard", testCampaignWizard},
		{"ReviewWithKeys", testReviewWithKeys},
		{"SecondSupervisorApproves", testSecondSupervisorApproves},
		{"RaiseFindingFromControl", testRaiseFindingFromControl},
		{"ReviewOfChanges", testReviewOfChanges},
		{"ProviderOpensSupervisorURLs", testProviderOpensSupervisorURLs},
		{"VerifyFinding", testVerifyFinding},
		{"SupervisorInFrench", testSupervisorInFrench},
		{"CalendarAndSeries", testCalendarAndSeries},
		{"ReportAnIncident", testReportAnIncident},
		// The administrator's screens.
		{"AdministratorJourney", testAdministratorJourney},
		{"SecondAdminApprovesASupervisor", testSecondAdminApprovesASupervisor},
		{"ProviderSearch", testProviderSearch},
		{"Frameworks", testFrameworks},
		// The auditor's screens.
		{"AuditorJourney", testAuditorJourney},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, s)
		})
	}
}

// startBrowser starts Chromium headless with a fresh profile and nothing
// that reaches the network on its own: no background networking, component
// updates or sync. It runs until every test of t is done. The test fails
// when Chromium is not installed: the tests are part of make test, which
// installs it.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is not installed (%v): run make test, whose scripts/test-deps.sh installs "+
			"the Debian package chromium, or apt-get install chromium", err)
	}
	profile := t.TempDir()
	// Only these flags, not chromedp's defaults: each one is chosen here.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close the browser and wait for it, before its profile is removed.
		stop, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		chromedp.Cancel(stop)
		cancel()
		cancelAlloc()
	})
	// The first run starts the process; it must have no deadline, which
	// would end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(fmt.Errorf("start %s: %w", chromiumPath, err))
	}
	return ctx
}
