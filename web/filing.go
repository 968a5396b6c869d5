package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// filingData is the filing screen of one assessment.
type filingData struct {
	app.Filing
	Editable   bool
	CanSubmit  bool
	Groups     []cardGroup
	Shown      int
	Answered   int
	Progress   int
	Problems   []filingProblem
	Filter     filingFilter
	Dimensions []domain.Dimension
	Stages     []domain.Stage
	Changes    string // the supervisor's reason, when changes were requested
	Flagged    int    // controls the supervisor asked about
	Subs       []store.Submission
	Due        string
	Upload     *uploadResult // the outcome of an upload
	Statuses   []domain.ResponseStatus
	Maturities []domain.MaturityLevel
	CanReview  bool     // the visitor reviews assessments: link to the review screen
	CanExport  bool     // the visitor may export the assessment's reports: link to its exports
	Responds   bool     // the visitor's role files assessments (whether or not this one can change now)
	Carry      []choice // approved assessments and mappings the unanswered controls can be carried over from
}

// cardGroup is the controls whose primary threat is one threat, or, in a
// framework without threats, the controls of one audit group.
type cardGroup struct {
	ID, Label string
	Cards     []*card
}

// card is one control with its response, and, after a save that met a
// conflict or a problem, what the user sent.
type card struct {
	AssessmentID string
	Control      domain.Control
	Response     domain.Response
	Editable     bool
	Flagged      bool // the supervisor asked about it
	Evidence     []domain.Evidence
	Mine         *domain.ResponseInput // the user's answer, when it is not the stored one
	Conflict     bool                  // someone else saved the control since the user's form was made
	Problems     []problem
	Saved        bool
	p            printer
}

// Value returns what the card's form shows for a field: the user's answer
// when one is being kept, else the stored response.
func (c *card) Value(field string) string {
	if c.Mine != nil {
		switch field {
		case "status":
			return string(c.Mine.Status)
		case "narrative":
			return c.Mine.Narrative
		case "justification":
			return c.Mine.Justification
		case "remediation_date":
			return c.Mine.RemediationDate
		case "maturity":
			if c.Mine.Maturity != nil {
				return strconv.Itoa(*c.Mine.Maturity)
			}
			return ""
		}
	}
	r := c.Response
	switch field {
	case "status":
		return string(r.Status)
	case "narrative":
		return r.Narrative
	case "justification":
		return r.Justification
	case "remediation_date":
		if r.RemediationDate != nil {
			return r.RemediationDate.String()
		}
	case "maturity":
		if r.Maturity != nil {
			return strconv.Itoa(*r.Maturity)
		}
	}
	return ""
}

// Linked reports whether the card's answer cites evidence id.
func (c *card) Linked(id string) bool {
	ids := c.Response.EvidenceIDs
	if c.Mine != nil {
		ids = c.Mine.EvidenceIDs
	}
	return contains(ids, id)
}

// StoredEvidence names the files the stored answer cites.
func (c *card) StoredEvidence() []string {
	var out []string
	for _, e := range c.Evidence {
		if contains(c.Response.EvidenceIDs, e.ID) {
			out = append(out, e.Filename)
		}
	}
	return out
}

// Problem returns the message of the card's problem at field, or "".
func (c *card) Problem(field string) string {
	for _, p := range c.Problems {
		if p.Field == field {
			return p.Message
		}
	}
	return ""
}

// filingProblem is one line of the validation panel, linking to its control.
type filingProblem struct {
	ControlID string
	Message   string
}

// problemControl is the control a submission problem is about, from its
// location: responses.C52.justification → C52.
func problemControl(location string) string {
	control := strings.TrimPrefix(location, "responses.")
	if i := strings.IndexByte(control, '.'); i >= 0 {
		control = control[:i]
	}
	return control
}

// filingFilter narrows the controls shown.
type filingFilter struct {
	Dimension, Stage, Status string
	Unanswered, Flagged      bool
}

func (f filingFilter) Any() bool {
	return f.Dimension != "" || f.Stage != "" || f.Status != "" || f.Unanswered || f.Flagged
}

func filterOf(q url.Values) filingFilter {
	return filingFilter{Dimension: q.Get("dimension"), Stage: q.Get("stage"), Status: q.Get("status"),
		Unanswered: q.Get("unanswered") == "1", Flagged: q.Get("flagged") == "1"}
}

// Statuses lists the answers a provider can give, for the forms.
var statuses = []domain.ResponseStatus{domain.Implemented, domain.Partial, domain.NotImplemented, domain.NotApplicable}

// filing shows an assessment: to its provider the controls to answer, to
// others the same read-only.
func (ui *UI) filing(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showFiling(w, r, v, r.PathValue("id"), nil, http.StatusOK, nil)
}

// showFiling renders the filing screen, with override in place of the stored
// state of one control's card.
func (ui *UI) showFiling(w http.ResponseWriter, r *http.Request, v *visit, id string, override *card, status int, upload *uploadResult) {
	d, err := ui.filingData(r, v, id, filterOf(r.URL.Query()), override)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d.Upload = upload
	p := ui.newPage(r, v, "Assessment", d)
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "filing.html", p)
}

func (ui *UI) filingData(r *http.Request, v *visit, id string, f filingFilter, override *card) (*filingData, error) {
	return ui.filingView(r, v, id, f, override, true)
}

// filingView gathers the filing screen; withHistory adds the sealed
// submissions, which a card's update does not show.
func (ui *UI) filingView(r *http.Request, v *visit, id string, f filingFilter, override *card, withHistory bool) (*filingData, error) {
	ctx := r.Context()
	fl, err := ui.app.Filing(ctx, v.actor, id)
	if err != nil {
		return nil, err
	}
	d := &filingData{Filing: fl, Filter: f, Editable: contains(fl.Allowed, domain.ActionEdit),
		CanSubmit: contains(fl.Allowed, domain.ActionSubmit), Dimensions: fl.Framework.Dimensions,
		Stages: fl.Framework.Stages, Due: v.Date(fl.Assessment.DueAt), Statuses: statuses, Maturities: domain.MaturityLevels,
		CanReview: ui.app.Offers(v.actor, "assessment", "review"), CanExport: ui.app.Offers(v.actor, "report", "export"),
		Responds: ui.app.Offers(v.actor, "assessment", "respond")}
	controls := map[string]domain.Control{}
	for _, c := range fl.Framework.Controls {
		controls[c.ID] = c
	}
	stagesOf := map[string][]string{}
	for _, t := range fl.Framework.Threats {
		stagesOf[t.ID] = t.Stages
	}
	byKey := map[string]*cardGroup{}
	var order []*cardGroup
	for _, t := range fl.Framework.Threats {
		g := &cardGroup{ID: "threat-" + t.ID, Label: t.ID + " · " + t.Name}
		byKey[t.ID] = g
		order = append(order, g)
	}
	if !fl.Framework.HasThreats() {
		for _, a := range fl.Framework.AuditGroups {
			g := &cardGroup{ID: "group-" + a.ID, Label: a.Name}
			byKey[a.ID] = g
			order = append(order, g)
		}
	}
	for _, resp := range fl.Responses {
		c := controls[resp.ControlID]
		if resp.Status != "" {
			d.Answered++
		}
		flagged := resp.Verdict == domain.NeedsInfo || resp.Verdict == domain.Rejected
		if flagged {
			d.Flagged++
		}
		if !f.shows(c, resp, flagged, stagesOf) {
			continue
		}
		k := &card{AssessmentID: id, Control: c, Response: resp, Editable: d.Editable, Flagged: flagged,
			Evidence: fl.Evidence, p: v.printer}
		if override != nil && override.Control.ID == c.ID {
			override.Control, override.Editable, override.Flagged, override.Evidence = c, d.Editable, flagged, fl.Evidence
			override.AssessmentID = id
			k = override
		}
		key := c.PrimaryThreat
		if !fl.Framework.HasThreats() {
			key = c.AuditGroup
		}
		if g := byKey[key]; g != nil {
			g.Cards = append(g.Cards, k)
			d.Shown++
		}
	}
	for _, g := range order {
		if len(g.Cards) > 0 {
			d.Groups = append(d.Groups, *g)
		}
	}
	d.Progress = percent(d.Answered, len(fl.Responses))
	d.Problems = filingProblems(fl.Problems, v.printer)
	d.Changes = fl.Assessment.ChangesReason
	if withHistory && d.Editable && d.Answered < len(fl.Responses) {
		choices, err := ui.app.MappingChoices(ctx, v.actor, id)
		if err != nil {
			return nil, err
		}
		for _, c := range choices {
			d.Carry = append(d.Carry, choice{Value: c.From.ID + "|" + c.Mapping.ID + "|" + c.Mapping.Version,
				Label: v.T("%s (%s), through %s", c.From.CampaignName, c.From.FrameworkTitle+" "+c.From.Framework.Version, c.Mapping.Title)})
		}
	}
	if withHistory && fl.Assessment.Submissions > 0 {
		if d.Subs, err = ui.app.Submissions(ctx, v.actor, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// shows reports whether the filter lets a control's card through.
func (f filingFilter) shows(c domain.Control, r domain.Response, flagged bool, stagesOf map[string][]string) bool {
	switch {
	case f.Unanswered && r.Status != "":
		return false
	case f.Flagged && !flagged:
		return false
	case f.Status != "" && string(r.Status) != f.Status:
		return false
	case f.Dimension != "" && !contains(c.Dimensions, f.Dimension):
		return false
	case f.Stage != "":
		for _, t := range c.Threats() {
			if contains(stagesOf[t], f.Stage) {
				return true
			}
		}
		return false
	}
	return true
}

// answerOf reads a control's answer from its form.
func answerOf(r *http.Request) (domain.ResponseInput, []problem) {
	in := domain.ResponseInput{Status: domain.ResponseStatus(r.PostFormValue("status")),
		Narrative: strings.TrimSpace(r.PostFormValue("narrative")), Justification: strings.TrimSpace(r.PostFormValue("justification")),
		RemediationDate: strings.TrimSpace(r.PostFormValue("remediation_date")), EvidenceIDs: r.PostForm["evidence"]}
	var problems []problem
	if m := r.PostFormValue("maturity"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > 5 {
			problems = append(problems, problem{Field: "maturity", Message: "must be a whole number from 0 to 5"})
		} else {
			in.Maturity = &n
		}
	}
	return in, problems
}

// saveResponse saves one control's answer with the version the form was
// made from. Someone else's save in between is shown beside the user's
// answer, never overwritten; problems are shown next to their fields.
func (ui *UI) saveResponse(w http.ResponseWriter, r *http.Request, v *visit) {
	id, control := r.PathValue("id"), r.PathValue("control")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in, problems := answerOf(r)
	k := &card{Control: domain.Control{ID: control}, p: v.printer}
	if len(problems) == 0 {
		saved, err := ui.app.SaveResponse(r.Context(), v.actor, id, control, in, version)
		if err == nil {
			if r.Header.Get("HX-Request") != "true" {
				http.Redirect(w, r, "/assessments/"+id+"?done=saved#control-"+control, http.StatusSeeOther)
				return
			}
			k.Response, k.Saved = saved, true
			ui.renderCard(w, r, v, id, k, http.StatusOK)
			return
		}
		switch domain.ErrorCodeOf(err) {
		case domain.EPrecondition, domain.EPreconditionRequired:
		case domain.EInvalid:
			problems = problemsOf(err, v.printer)
		default:
			ui.fail(w, r, v, err)
			return
		}
	} else {
		for i := range problems {
			problems[i].Message = v.T(problems[i].Message)
		}
	}
	current, err := ui.app.Response(r.Context(), v.actor, id, control)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	k.Response, k.Mine, k.Problems = current, &in, problems
	status := http.StatusUnprocessableEntity
	if current.Version != version {
		// Someone else saved since this form was made: both answers are
		// shown, and only the user's explicit choice saves theirs over.
		k.Conflict, status = true, http.StatusConflict
	}
	ui.renderCard(w, r, v, id, k, status)
}

// renderCard answers htmx with the card (and, out of band, the progress and
// the validation panel), and a plain form with the whole page.
func (ui *UI) renderCard(w http.ResponseWriter, r *http.Request, v *visit, id string, k *card, status int) {
	if r.Header.Get("HX-Request") != "true" {
		ui.showFiling(w, r, v, id, k, status, nil)
		return
	}
	d, err := ui.filingView(r, v, id, filingFilter{}, k, false)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	p := ui.newPage(r, v, "Assessment", struct {
		*filingData
		Card     *card
		Resolved bool // the save settled a conflict shown on the card
	}{d, k, r.PostFormValue("resolving") == "1"})
	p.Fragment = "card-update"
	if k.Saved {
		// A saved answer stays as the user has it on screen (they may be
		// typing on): only its version, the saved note, the progress and the
		// panel change.
		p.Fragment = "card-saved"
		w.Header().Set("HX-Reswap", "none")
	}
	// htmx swaps 2xx answers only; a conflict or a problem is still the card to show.
	ui.render(w, r, http.StatusOK, "filing.html", p)
}

// showCard answers one control's card as stored: "take theirs" after a conflict.
func (ui *UI) showCard(w http.ResponseWriter, r *http.Request, v *visit) {
	id, control := r.PathValue("id"), r.PathValue("control")
	resp, err := ui.app.Response(r.Context(), v.actor, id, control)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.renderCard(w, r, v, id, &card{Control: domain.Control{ID: control}, Response: resp, p: v.printer}, http.StatusOK)
}

// flashes are the messages a redirect may ask a page to show, by their code
// in the address; nothing else from the address is shown.
var flashes = map[string]string{
	"saved":     "Saved.",
	"carried":   "The answers the mapping carries over are filled in and marked as carried over: confirm or change each before you submit.",
	"stored":    "The files are stored.",
	"submitted": "The assessment is submitted and sealed.",
	"password":  "Your password is changed. Other devices are signed out.",
	"totp_on":   "The second factor is on. Each sign-in now asks for a code from your app.",
	"totp_off":  "The second factor is removed.",
	"answered":  "Your answer is recorded.",
	"started":   "Work on the finding has started.",
	"resolved":  "The finding is marked resolved; a supervisor will verify it.",
	"verified":  "The finding is verified.",
	"reopened":  "The finding is reopened.",
	"added":     "The editor is added. They must choose their own password at their first sign-in.",
	"disabled":  "The user is disabled and signed out everywhere.",
	// Campaigns and the review screen.
	"created":            "The campaign is drafted. Check who it covers, then open it.",
	"opened":             "The campaign is open: every provider in scope has its assessment.",
	"extended":           "The due date is extended.",
	"closed":             "The campaign is closed.",
	"verdict":            "Verdict recorded.",
	"accepted_unchanged": "The unchanged controls are accepted.",
	"review_started":     "The review has started.",
	"changes_requested":  "Changes are requested; the assessment is back with the provider.",
	"approved":           "The assessment is approved.",
	"rejected":           "The assessment is rejected.",
	"finding_raised":     "The finding is raised.",
	// Campaign series and the calendar feed.
	"series_created": "The campaign series is saved. Each campaign is made as a draft before it opens, then opened on its day.",
	"series_paused":  "The series is paused: it makes and opens no campaign until it is resumed.",
	"series_resumed": "The series is resumed.",
	"series_changed": "The series is saved. The campaigns it made already stay as they were; the next ones follow the change.",
	"feed_revoked":   "The calendar feed is revoked: its address answers nothing from now on.",
	// The administrator's screens.
	"user_added":        "The user is added. They must choose their own password at their first sign-in.",
	"user_changed":      "The role and provider are saved.",
	"enabled":           "The user is enabled and may sign in again.",
	"totp_reset":        "The second factor is removed. The user's sessions have ended.",
	"unlocked":          "Sign-in is unlocked: the user may sign in again from any address.",
	"settings_saved":    "The settings are saved.",
	"token_revoked":     "The token is revoked. Machines using it are refused from now on.",
	"published":         "The framework version is published.",
	"already_published": "This framework version was already published with exactly this content; nothing changed.",
	// Identity requests.
	"sent_for_approval": "Sent for approval by another administrator. Nothing changes until they approve it.",
	"request_approved":  "The change is approved and in effect.",
	"request_rejected":  "The request is rejected; nothing changed.",
	// Invitations, resets and notifications.
	"invited":             "The invitation is e-mailed. The user chooses their password with its link, which works for a week.",
	"invited_again":       "A new invitation is e-mailed; the earlier link no longer works.",
	"reset_link_sent":     "The password no longer works, the user's sessions have ended, and a link to choose a new one is e-mailed to them.",
	"password_set":        "Your password is set.",
	"password_set_signin": "Your password is set. Sign in with it.",
	"joined":              "Welcome: your password is set. Now set up a second factor, so that a stolen password is not enough to get in.",
	"preferences_saved":   "Your notification preferences are saved.",
	"request_cancelled":   "Your request is withdrawn; nothing changed.",
}

// filingProblems lists the problems that block a submission, each with the
// control it is about (a location such as responses.C52.justification).
func filingProblems(problems []domain.Problem, p printer) []filingProblem {
	out := make([]filingProblem, 0, len(problems))
	for _, pr := range problems {
		out = append(out, filingProblem{ControlID: problemControl(pr.Location), Message: p.Say(pr.Message)})
	}
	return out
}

// applyMapping carries answers over from an approved assessment through a
// mapping, as chosen on the filing page.
func (ui *UI) applyMapping(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	parts := strings.SplitN(r.PostFormValue("choice"), "|", 3)
	if len(parts) != 3 {
		ui.fail(w, r, v, domain.Errorf(domain.EInvalid, "choose where to carry the answers over from"))
		return
	}
	if _, err := ui.app.ApplyMapping(r.Context(), v.actor, id, parts[0], store.MappingRef{ID: parts[1], Version: parts[2]}); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/assessments/"+url.PathEscape(id)+"?done=carried", http.StatusSeeOther)
}
