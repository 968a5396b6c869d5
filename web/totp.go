package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"

	"assure/domain"
)

// totpData is the second-factor page. A secret is shown only in the answer
// to the request that made it (Started): the store keeps one pending secret
// and replaces it at every start, so the secret the visitor scans is always
// the one a code is checked against, and no form ever carries it.
type totpData struct {
	Enrolled bool // a confirmed second factor is on
	Required bool // the role requires one and none is on yet
	Started  bool // a new secret was made for this answer
	Pending  bool // a code was tried against an enrolment in progress
	QR       template.URL
	Secret   string // grouped by four for reading
	Account  string
}

func (ui *UI) totpPage(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showTOTP(w, r, v, totpData{}, nil, http.StatusOK)
}

func (ui *UI) showTOTP(w http.ResponseWriter, r *http.Request, v *visit, d totpData, problems []problem, status int) {
	d.Enrolled, d.Required, d.Account = v.user.TOTPEnabled, v.actor.MustEnrolTOTP, v.user.Email
	p := ui.newPage(r, v, "Second factor", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "totp.html", p)
}

// startTOTP begins an enrolment and shows its secret, as a QR code drawn on
// the server and as text to type. Starting again replaces the secret.
func (ui *UI) startTOTP(w http.ResponseWriter, r *http.Request, v *visit) {
	secret, url, err := ui.app.StartTOTP(r.Context(), v.actor)
	if err != nil {
		if domain.ErrorCodeOf(err) == domain.EConflict {
			ui.showTOTP(w, r, v, totpData{}, []problem{{Message: v.Say(messageOf(err))}}, http.StatusConflict)
			return
		}
		ui.fail(w, r, v, err)
		return
	}
	qr, err := qrCode(url)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.showTOTP(w, r, v, totpData{Started: true, QR: qr, Secret: groupsOf(secret, 4)}, nil, http.StatusOK)
}

// confirmTOTP turns the enrolment in progress on with a current code.
func (ui *UI) confirmTOTP(w http.ResponseWriter, r *http.Request, v *visit) {
	err := ui.app.ConfirmTOTP(r.Context(), v.actor, strings.TrimSpace(r.PostFormValue("code")))
	ui.afterCode(w, r, v, err, "/account?done=totp_on", totpData{Pending: true})
}

// removeTOTP turns the second factor off after checking a current code;
// the application refuses when the visitor's role requires one.
func (ui *UI) removeTOTP(w http.ResponseWriter, r *http.Request, v *visit) {
	err := ui.app.RemoveTOTP(r.Context(), v.actor, strings.TrimSpace(r.PostFormValue("code")))
	ui.afterCode(w, r, v, err, "/account?done=totp_off", totpData{})
}

// afterCode answers a check of a one-time code: on to done when it held,
// else the second-factor page again (as again) with what was wrong.
func (ui *UI) afterCode(w http.ResponseWriter, r *http.Request, v *visit, err error, done string, again totpData) {
	if err == nil {
		http.Redirect(w, r, done, http.StatusSeeOther)
		return
	}
	problems := credentialProblems(err, v.printer)
	if problems == nil && domain.ErrorCodeOf(err) == domain.EConflict {
		problems = []problem{{Message: v.Say(messageOf(err))}}
	}
	if problems == nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.showTOTP(w, r, v, again, problems, http.StatusUnprocessableEntity)
}

// qrCode draws an otpauth:// URL as a PNG QR code and returns it as a data:
// URI for an img element.
func qrCode(url string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(url)
	if err != nil {
		return "", fmt.Errorf("web: totp url: %w", err)
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return "", fmt.Errorf("web: qr code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", fmt.Errorf("web: qr code: %w", err)
	}
	// Safe as a URL: we made every byte of it.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())), nil
}

// groupsOf splits s into groups of n characters separated by spaces.
func groupsOf(s string, n int) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), " ")
}
