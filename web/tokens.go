package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"assure/domain"
	"assure/store"
)

// tokensPage is how many tokens one page of the list shows.
const tokensPage = 50

// tokensData is the personal API tokens page: the tokens, the form that
// makes one, and once, right after, the secret of the new one.
type tokensData struct {
	Tokens    []tokenView
	Next      string
	Name      string // what the form sent, kept beside its problems
	ExpiresAt string
	MaxDate   string // the latest expiry the store accepts, for the date input
	MinDate   string
	Secret    string // the new token, shown on this answer only
	NewName   string
	Origin    string // this site's address
	Example   string // a request with a token, to copy
}

// tokenView is a token with its state in words.
type tokenView struct {
	store.APIToken
	State    string // message key
	Live     bool
	Created  string
	Expires  string
	LastUsed string
}

// tokens lists the visitor's own API tokens.
func (ui *UI) tokens(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showTokens(w, r, v, tokensData{ExpiresAt: time.Now().UTC().AddDate(0, 0, 90).Format(time.DateOnly)}, nil, http.StatusOK)
}

func (ui *UI) showTokens(w http.ResponseWriter, r *http.Request, v *visit, d tokensData, problems []problem, status int) {
	list, next, err := ui.app.APITokens(r.Context(), v.actor, store.Page{Limit: tokensPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	now := time.Now()
	for _, t := range list {
		tv := tokenView{APIToken: t, Created: v.Time(t.CreatedAt), Expires: v.Time(t.ExpiresAt)}
		switch {
		case t.RevokedAt != nil:
			tv.State = "Revoked"
		case !t.ExpiresAt.After(now):
			tv.State = "Expired"
		default:
			tv.State, tv.Live = "Active", true
		}
		// A token never used carries its creation time as its last use.
		if t.LastUsedAt.After(t.CreatedAt.Add(time.Second)) {
			tv.LastUsed = v.Time(t.LastUsedAt)
		}
		d.Tokens = append(d.Tokens, tv)
	}
	if next != "" {
		d.Next = "/account/tokens?cursor=" + url.QueryEscape(next)
	}
	today := time.Now().UTC()
	d.MinDate = today.AddDate(0, 0, 1).Format(time.DateOnly)
	d.MaxDate = today.Add(store.MaxAPITokenLife).Add(-24 * time.Hour).Format(time.DateOnly)
	d.Origin = origin(r)
	d.Example = `curl -H "Authorization: Bearer ` + domain.APITokenPrefix + `…" ` + d.Origin + "/api/v1/assessments"
	p := ui.newPage(r, v, "API tokens", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "tokens.html", p)
}

// origin is the address this request reached, for examples to copy.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// createToken makes a personal API token valid to the end of the chosen day
// (UTC) and shows its secret on this answer only.
func (ui *UI) createToken(w http.ResponseWriter, r *http.Request, v *visit) {
	d := tokensData{Name: strings.TrimSpace(r.PostFormValue("name")), ExpiresAt: r.PostFormValue("expires_at")}
	day, err := time.Parse(time.DateOnly, d.ExpiresAt)
	if err != nil {
		ui.showTokens(w, r, v, d, []problem{{Field: "expires_at", Message: v.T("Expires on: choose a date.")}},
			http.StatusUnprocessableEntity)
		return
	}
	secret, tok, err := ui.app.CreateAPIToken(r.Context(), v.actor, d.Name, day.Add(24*time.Hour-time.Second))
	switch {
	case err == nil:
		ui.showTokens(w, r, v, tokensData{Secret: secret, NewName: tok.Name,
			ExpiresAt: time.Now().UTC().AddDate(0, 0, 90).Format(time.DateOnly)}, nil, http.StatusCreated)
	case domain.ErrorCodeOf(err) == domain.EInvalid:
		problems := problemsOf(err, v.printer)
		for i := range problems {
			switch problems[i].Field {
			case "name":
				problems[i].Message = v.T("Name: give the token a name of 1 to 100 characters, such as the machine that uses it.")
			case "expires_at":
				problems[i].Message = v.T("Expires on: choose a day after today and at most a year away.")
			}
		}
		ui.showTokens(w, r, v, d, problems, http.StatusUnprocessableEntity)
	default:
		ui.fail(w, r, v, err)
	}
}

// findToken returns one of the visitor's own tokens by id, from their list.
func (ui *UI) findToken(r *http.Request, v *visit, id string) (store.APIToken, error) {
	page := store.Page{Limit: store.MaxLimit}
	for {
		list, next, err := ui.app.APITokens(r.Context(), v.actor, page)
		if err != nil {
			return store.APIToken{}, err
		}
		for _, t := range list {
			if t.ID == id {
				return t, nil
			}
		}
		if next == "" {
			return store.APIToken{}, domain.Errorf(domain.ENotFound, "no such token")
		}
		page.Cursor = next
	}
}

// confirmRevokeToken asks before revoking a token.
func (ui *UI) confirmRevokeToken(w http.ResponseWriter, r *http.Request, v *visit) {
	t, err := ui.findToken(r, v, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := confirmData{Question: v.T("Revoke the token %s?", t.Name),
		Explanation: v.T("Any machine using it is refused from now on. This cannot be undone; make a new token if one is needed again."),
		Button:      v.T("Revoke the token"), Action: r.URL.Path, Back: "/account/tokens"}
	ui.render(w, r, http.StatusOK, "confirm.html", ui.newPage(r, v, "Confirm", d))
}

// revokeToken revokes one of the visitor's own tokens.
func (ui *UI) revokeToken(w http.ResponseWriter, r *http.Request, v *visit) {
	if err := ui.app.RevokeAPIToken(r.Context(), v.actor, r.PathValue("id")); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/account/tokens?done=token_revoked", http.StatusSeeOther)
}
