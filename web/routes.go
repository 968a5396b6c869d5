package web

import "net/http"

// Handler returns the pages' routes: one line each, with its literal path.
func (ui *UI) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/", ui.serveStatic)
	mux.HandleFunc("GET /signin", ui.signInPage)
	mux.HandleFunc("POST /signin", ui.signIn)
	mux.HandleFunc("POST /language", ui.setLanguage)
	mux.HandleFunc("POST /signout", ui.signedIn(ui.signOut))
	mux.HandleFunc("GET /{$}", ui.signedIn(ui.home))
	mux.HandleFunc("GET /assessments/{id}", ui.signedIn(ui.filing))
	mux.HandleFunc("POST /assessments/{id}/responses/{control}", ui.signedIn(ui.saveResponse))
	mux.HandleFunc("GET /assessments/{id}/responses/{control}", ui.signedIn(ui.showCard))
	mux.HandleFunc("POST /assessments/{id}/evidence", ui.signedIn(ui.uploadEvidence))
	mux.HandleFunc("GET /assessments/{id}/questionnaire.xlsx", ui.signedIn(ui.downloadQuestionnaire))
	mux.HandleFunc("POST /assessments/{id}/questionnaire", ui.signedIn(ui.uploadQuestionnaire))
	mux.HandleFunc("GET /assessments/{id}/submit", ui.signedIn(ui.submitPage))
	mux.HandleFunc("POST /assessments/{id}/submit", ui.signedIn(ui.submit))
	mux.HandleFunc("GET /evidence/{id}", ui.signedIn(ui.downloadEvidence))
	mux.HandleFunc("GET /account", ui.signedIn(ui.account))
	mux.HandleFunc("GET /account/password", ui.signedIn(ui.passwordPage))
	mux.HandleFunc("POST /account/password", ui.signedIn(ui.changePassword))
	mux.HandleFunc("GET /account/totp", ui.signedIn(ui.totpPage))
	mux.HandleFunc("POST /account/totp/start", ui.signedIn(ui.startTOTP))
	mux.HandleFunc("POST /account/totp", ui.signedIn(ui.confirmTOTP))
	mux.HandleFunc("POST /account/totp/remove", ui.signedIn(ui.removeTOTP))
	mux.HandleFunc("GET /findings", ui.signedIn(ui.findings))
	mux.HandleFunc("GET /findings/{id}", ui.signedIn(ui.finding))
	mux.HandleFunc("POST /findings/{id}/respond", ui.signedIn(ui.respondToFinding))
	mux.HandleFunc("POST /findings/{id}/verify", ui.signedIn(ui.verifyFinding))
	mux.HandleFunc("POST /findings/{id}/reopen", ui.signedIn(ui.reopenFinding))
	mux.HandleFunc("GET /users", ui.signedIn(ui.users))
	mux.HandleFunc("POST /users", ui.signedIn(ui.createUser))
	mux.HandleFunc("POST /users/{id}/disable", ui.signedIn(ui.disableUser))
	// The supervisor's dashboard ("/" for sector users, see home) and its lists.
	mux.HandleFunc("GET /campaigns/{id}/risk-cell", ui.signedIn(ui.riskCell))
	mux.HandleFunc("GET /review-queue", ui.signedIn(ui.reviewQueue))
	mux.HandleFunc("GET /overdue-findings", ui.signedIn(ui.overdueFindings))
	return mux
}
