package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// The review screen: a supervisor goes through a filed assessment control
// by control. Every control is listed at the side with its verdict and
// whether it changed since the previous submission; one control at a time
// is in focus, shown in full beside the provider's answer, with the verdict
// form. Next and previous (links, and the j/k keys) move the focus, and a
// verdict moves it on by itself, so a review is a walk down the list that
// works the same with or without scripts.

// reviewFilters are the views of the list, by their value in the address.
var reviewFilters = []choice{
	{Value: "", Label: "Every control"},
	{Value: "changed", Label: "Changed since the previous submission"},
	{Value: "open", Label: "Without a verdict"},
	{Value: "needs_info", Label: "Needing information"},
}

// diffFields name the fields of an answer in what changed.
var diffFields = []choice{
	{Value: "status", Label: "Answer"},
	{Value: "maturity", Label: "Maturity"},
	{Value: "narrative", Label: "How the control is met"},
	{Value: "remediation_date", Label: "Planned remediation date"},
	{Value: "justification", Label: "Why the control does not apply"},
}

// previewable are the evidence types shown as a picture: raster images
// only, which a browser draws without running anything of the file's.
var previewable = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// reviewData is the review screen of one assessment.
type reviewData struct {
	app.Review
	Items      []*reviewItem // the controls the filter shows, in catalog order
	Unchanged  []*reviewItem // the candidates for accepting all at once
	Focus      *reviewItem
	Prev, Next *reviewItem
	Position   int // of the focus in Items, from 1
	Filter     string
	Filters    []choice
	Counts     verdictCounts
	CanRaise   bool
	Severities []domain.Severity
	Grades     []domain.Grade
	Sent       reviewSent
	Due        string
	CanExport  bool // the visitor may export the assessment's reports: link to its exports
}

// reviewSent is what the visitor sent, kept in the forms beside the problems.
type reviewSent struct {
	Comment, Reason, ApproveComment                   string
	FindingTitle, FindingSeverity, FindingDescription string
	FindingDue                                        string
}

// verdictCounts counts the verdicts that stand.
type verdictCounts struct {
	Accepted, NeedsInfo, Rejected, None int
}

// reviewItem is one control with the provider's answer and what the review
// knows of it.
type reviewItem struct {
	Control     domain.Control
	Threat      domain.Threat
	Response    domain.Response
	Change      *domain.ResponseChange
	CarriedOver bool // the verdict is the previous round's
	Candidate   bool // may be accepted with every unchanged one
	Evidence    []domain.Evidence
	Findings    []domain.Finding
	// Contradictions are the lab's failed app-baseline items mapped to
	// this control while the provider attests it as implemented.
	Contradictions []domain.LabContradiction
}

// Symbol marks the item's verdict beside its name, so that the list does not
// tell verdicts apart by colour alone.
func (it *reviewItem) Symbol() string {
	switch it.Response.Verdict {
	case domain.Accepted:
		return "✓"
	case domain.NeedsInfo:
		return "?"
	case domain.Rejected:
		return "✗"
	}
	return "○"
}

// Previewable reports whether an evidence file can be shown as a picture.
func (*reviewItem) Previewable(e domain.Evidence) bool {
	return slices.Contains(previewable, e.MediaType)
}

// fieldChange is one field of an answer before and after, as the page shows it.
type fieldChange struct {
	Label, Before, After string
}

// Changes lists the focus's changed fields with their values before and
// after, in the printer's language.
func (d *reviewData) Changes(p *page) []fieldChange {
	c := d.Focus.Change
	if c == nil || c.Before == nil || c.After == nil {
		return nil
	}
	var out []fieldChange
	for _, f := range diffFields {
		if slices.Contains(c.Fields, f.Value) {
			out = append(out, fieldChange{Label: p.T(f.Label), Before: snapshotField(p, c.Before, f.Value),
				After: snapshotField(p, c.After, f.Value)})
		}
	}
	return out
}

// snapshotField shows one field of a sealed answer.
func snapshotField(p *page, r *domain.SnapshotResponse, field string) string {
	switch field {
	case "status":
		if r.Status == "" {
			return p.T("Not answered")
		}
		return p.Name(r.Status)
	case "maturity":
		if r.Maturity == nil {
			return p.T("Not given")
		}
		return strconv.Itoa(*r.Maturity)
	case "narrative":
		return r.Narrative
	case "remediation_date":
		if d, err := domain.ParseDate(r.RemediationDate); err == nil {
			return p.Date(d)
		}
		return r.RemediationDate
	case "justification":
		return r.Justification
	}
	return ""
}

// Previous is the number of the submission before the latest one.
func (d *reviewData) Previous() int { return d.Round.Submission - 1 }

// Picks are the values of the accept-unchanged form: each candidate's
// control with the version the page shows.
func (d *reviewData) Picks() []string {
	out := make([]string, len(d.Candidates))
	for i, c := range d.Candidates {
		out[i] = c.ControlID + ":" + strconv.Itoa(c.Version)
	}
	return out
}

// Link is the address of the review with control in focus, in the same view.
func (d *reviewData) Link(control string) string {
	q := url.Values{"control": {control}}
	if d.Filter != "" {
		q.Set("filter", d.Filter)
	}
	return "/assessments/" + url.PathEscape(d.Assessment.ID) + "/review?" + q.Encode() + "#focus"
}

// Can reports whether the visitor may take an action on the assessment now.
func (d *reviewData) Can(action string) bool { return slices.Contains(d.Allowed, action) }

// review shows the review screen.
func (ui *UI) review(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showReview(w, r, v, r.PathValue("id"), r.URL.Query().Get("control"), r.URL.Query().Get("filter"), reviewSent{}, nil,
		http.StatusOK)
}

// showReview renders the review of an assessment with control in focus
// ("" for the first one that needs a verdict).
func (ui *UI) showReview(w http.ResponseWriter, r *http.Request, v *visit, id, control, filter string, sent reviewSent,
	problems []problem, status int) {
	d, err := ui.reviewData(r, v, id, control, filter)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d.Sent = sent
	if d.Sent.FindingDue == "" {
		d.Sent.FindingDue = domain.Today().AddDays(30).String()
	}
	if d.Sent.FindingSeverity == "" {
		d.Sent.FindingSeverity = string(domain.SeverityMedium)
	}
	p := ui.newPage(r, v, "Review", d)
	p.Problems = problems
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, status, "review.html", p)
}

func (ui *UI) reviewData(r *http.Request, v *visit, id, control, filter string) (*reviewData, error) {
	rv, err := ui.app.Review(r.Context(), v.actor, id)
	if err != nil {
		return nil, err
	}
	d := &reviewData{Review: rv, Filters: reviewFilters, CanRaise: ui.app.Offers(v.actor, "finding", "create"), Grades: domain.Grades,
		Severities: domain.Severities, Due: v.Date(rv.Assessment.DueAt)}
	d.CanExport = ui.app.Offers(v.actor, "report", "export")
	if !slices.ContainsFunc(reviewFilters, func(c choice) bool { return c.Value == filter }) {
		filter = ""
	}
	d.Filter = filter
	controls := map[string]domain.Control{}
	for _, c := range rv.Framework.Controls {
		controls[c.ID] = c
	}
	threats := map[string]domain.Threat{}
	for _, t := range rv.Framework.Threats {
		threats[t.ID] = t
	}
	evidence := map[string]domain.Evidence{}
	for _, e := range rv.Evidence {
		evidence[e.ID] = e
	}
	candidates := map[string]bool{}
	for _, c := range rv.Candidates {
		candidates[c.ControlID] = true
	}
	findings := map[string][]domain.Finding{}
	for _, f := range rv.Findings {
		findings[f.ControlID] = append(findings[f.ControlID], f)
	}
	var all []*reviewItem
	for _, resp := range rv.Responses {
		c := controls[resp.ControlID]
		it := &reviewItem{Control: c, Threat: threats[c.PrimaryThreat], Response: resp,
			Change: rv.Round.Changed(resp.ControlID), CarriedOver: rv.Round.CarriedOver(resp),
			Candidate: candidates[resp.ControlID], Findings: findings[resp.ControlID],
			Contradictions: rv.Contradictions[resp.ControlID]}
		for _, e := range resp.EvidenceIDs {
			if ev, ok := evidence[e]; ok {
				it.Evidence = append(it.Evidence, ev)
			}
		}
		switch resp.Verdict {
		case domain.Accepted:
			d.Counts.Accepted++
		case domain.NeedsInfo:
			d.Counts.NeedsInfo++
		case domain.Rejected:
			d.Counts.Rejected++
		default:
			d.Counts.None++
		}
		all = append(all, it)
		if it.Candidate {
			d.Unchanged = append(d.Unchanged, it)
		}
		if d.shows(it) {
			d.Items = append(d.Items, it)
		}
	}
	i := slices.IndexFunc(d.Items, func(it *reviewItem) bool { return it.Control.ID == control })
	if i < 0 && control != "" {
		// A control the view leaves out is still shown, on its own.
		if j := slices.IndexFunc(all, func(it *reviewItem) bool { return it.Control.ID == control }); j >= 0 {
			d.Focus = all[j]
		}
	}
	if d.Focus == nil {
		if i < 0 {
			i = slices.IndexFunc(d.Items, func(it *reviewItem) bool { return it.Response.Verdict == "" })
		}
		if i < 0 {
			i = slices.IndexFunc(d.Items, func(it *reviewItem) bool { return it.Response.Verdict == domain.NeedsInfo })
		}
		if i < 0 && len(d.Items) > 0 {
			i = 0
		}
		if i >= 0 {
			d.Focus, d.Position = d.Items[i], i+1
			if i > 0 {
				d.Prev = d.Items[i-1]
			}
			if i+1 < len(d.Items) {
				d.Next = d.Items[i+1]
			}
		}
	}
	return d, nil
}

// shows reports whether the list's view takes in a control.
func (d *reviewData) shows(it *reviewItem) bool {
	switch d.Filter {
	case "changed":
		return it.Change != nil
	case "open":
		return it.Response.Verdict == ""
	case "needs_info":
		return it.Response.Verdict == domain.NeedsInfo
	}
	return true
}

// reviewTarget is where a review form returns to: the review in the view it
// was sent from, with a control in focus and a message.
func reviewTarget(r *http.Request, id, control, done string) string {
	q := url.Values{"done": {done}}
	if control != "" {
		q.Set("control", control)
	}
	if f := r.PostFormValue("filter"); f != "" {
		q.Set("filter", f)
	}
	s := "/assessments/" + url.PathEscape(id) + "/review?" + q.Encode()
	if control != "" {
		s += "#focus"
	}
	return s
}

// reviewVerdict records the verdict on the control in focus, with the
// version of the answer the form was made from, and moves on to the next
// control.
func (ui *UI) reviewVerdict(w http.ResponseWriter, r *http.Request, v *visit) {
	id, control := r.PathValue("id"), r.PostFormValue("control")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	sent := reviewSent{Comment: r.PostFormValue("comment")}
	in := store.VerdictInput{ControlID: control, Verdict: domain.Verdict(r.PostFormValue("verdict")), Comment: sent.Comment,
		Version: version}
	if in.Verdict == domain.Accepted {
		in.Grade = domain.Grade(r.PostFormValue("grade")) // the form offers a grade for an accepted answer only
	}
	if version == 0 {
		ui.reviewFailed(w, r, v, id, control, sent, domain.Errorf(domain.EPreconditionRequired, "the form has no version; reload the page"))
		return
	}
	if _, err := ui.app.SetVerdicts(r.Context(), v.actor, id, []store.VerdictInput{in}, "body"); err != nil {
		ui.reviewFailed(w, r, v, id, control, sent, err)
		return
	}
	ui.redirectReview(w, r, v, id, r.PostFormValue("next_control"), "verdict")
}

// redirectReview sends the browser back to the review with next in focus,
// or, when there is no next control, the control the verdict was on.
func (ui *UI) redirectReview(w http.ResponseWriter, r *http.Request, v *visit, id, next, done string) {
	if next == "" {
		next = r.PostFormValue("control")
	}
	http.Redirect(w, r, reviewTarget(r, id, next, done), http.StatusSeeOther)
}

// acceptUnchanged accepts, as one set of verdicts, the controls the page
// listed as unchanged since the previous submission and accepted in it.
func (ui *UI) acceptUnchanged(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	chosen := map[string]int{}
	for _, s := range r.PostForm["pick"] {
		c, ver, ok := strings.Cut(s, ":")
		n, err := strconv.Atoi(ver)
		if !ok || err != nil || c == "" {
			continue
		}
		chosen[c] = n
	}
	if _, err := ui.app.AcceptUnchanged(r.Context(), v.actor, id, chosen); err != nil {
		ui.reviewFailed(w, r, v, id, "", reviewSent{}, err)
		return
	}
	http.Redirect(w, r, reviewTarget(r, id, "", "accepted_unchanged"), http.StatusSeeOther)
}

// assessmentVersion reads the version of the assessment a form was made from.
func assessmentVersion(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("version"))
	return n
}

// startReview takes a submitted assessment into review.
func (ui *UI) startReview(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	if _, err := ui.app.StartReview(r.Context(), v.actor, id, assessmentVersion(r)); err != nil {
		ui.reviewFailed(w, r, v, id, "", reviewSent{}, err)
		return
	}
	http.Redirect(w, r, reviewTarget(r, id, "", "review_started"), http.StatusSeeOther)
}

// requestChanges sends the assessment back to its provider with the reason.
func (ui *UI) requestChanges(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := reviewSent{Reason: r.PostFormValue("reason")}
	if _, err := ui.app.RequestChanges(r.Context(), v.actor, id, sent.Reason, assessmentVersion(r)); err != nil {
		ui.reviewFailed(w, r, v, id, "", sent, err)
		return
	}
	http.Redirect(w, r, reviewTarget(r, id, "", "changes_requested"), http.StatusSeeOther)
}

// approveAssessment ends the review as approved.
func (ui *UI) approveAssessment(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := reviewSent{ApproveComment: r.PostFormValue("comment")}
	if _, err := ui.app.Approve(r.Context(), v.actor, id, sent.ApproveComment, assessmentVersion(r)); err != nil {
		ui.reviewFailed(w, r, v, id, "", sent, err)
		return
	}
	http.Redirect(w, r, reviewTarget(r, id, "", "approved"), http.StatusSeeOther)
}

// rejectAssessment ends the review as rejected, with the reason.
func (ui *UI) rejectAssessment(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	sent := reviewSent{Reason: r.PostFormValue("reject_reason")}
	if _, err := ui.app.Reject(r.Context(), v.actor, id, sent.Reason, assessmentVersion(r)); err != nil {
		if domain.ErrorCodeOf(err) == domain.EInvalid {
			err = relocate(err, "reject_reason")
		}
		ui.reviewFailed(w, r, v, id, "", sent, err)
		return
	}
	http.Redirect(w, r, reviewTarget(r, id, "", "rejected"), http.StatusSeeOther)
}

// relocate points every problem of an invalid input at one field of the page.
func relocate(err error, field string) error {
	e, ok := domain.AsError(err)
	if !ok {
		return err
	}
	out := *e
	out.Problems = nil
	for _, p := range e.Problems {
		p.Location = "body." + field
		out.Problems = append(out.Problems, p)
	}
	return &out
}

// raiseFinding raises a finding on the control in focus.
func (ui *UI) raiseFinding(w http.ResponseWriter, r *http.Request, v *visit) {
	id, control := r.PathValue("id"), r.PostFormValue("control")
	sent := reviewSent{FindingTitle: r.PostFormValue("title"), FindingSeverity: r.PostFormValue("severity"),
		FindingDescription: r.PostFormValue("description"), FindingDue: strings.TrimSpace(r.PostFormValue("due_at"))}
	nf := store.NewFinding{AssessmentID: id, ControlID: control, Title: sent.FindingTitle,
		Severity: domain.Severity(sent.FindingSeverity), Description: sent.FindingDescription}
	due, err := domain.ParseDate(sent.FindingDue)
	if err != nil {
		ui.showReview(w, r, v, id, control, r.PostFormValue("filter"), sent, []problem{{Field: "finding-due_at",
			Message: v.T("%s: %s", v.T("Due on"), v.T("give a date, as YYYY-MM-DD"))}}, http.StatusUnprocessableEntity)
		return
	}
	nf.DueAt = due
	if _, err := ui.app.CreateFinding(r.Context(), v.actor, nf); err != nil {
		if domain.ErrorCodeOf(err) == domain.EInvalid {
			problems := problemsOf(err, v.printer)
			for i := range problems {
				problems[i].Field = map[string]string{"title": "finding-title", "severity": "finding-severity",
					"description": "finding-description", "due_at": "finding-due_at"}[problems[i].Field]
			}
			ui.showReview(w, r, v, id, control, r.PostFormValue("filter"), sent, labelled(problems, map[string]string{
				"finding-title": "Title", "finding-severity": "Severity", "finding-description": "Description",
				"finding-due_at": "Due on"}, v.printer), http.StatusUnprocessableEntity)
			return
		}
		ui.reviewFailed(w, r, v, id, control, sent, err)
		return
	}
	http.Redirect(w, r, reviewTarget(r, id, control, "finding_raised"), http.StatusSeeOther)
}

// maxShownProblems bounds the problems a refused approval lists (one per
// control without a verdict, which may be every control).
const maxShownProblems = 10

// reviewFailed shows the review as it now stands with why an action was
// refused: the problems of what was sent next to their fields, a version
// that moved on, a state that no longer allows it, or the four-eyes rule.
// Whoever may not review at all gets the error page.
func (ui *UI) reviewFailed(w http.ResponseWriter, r *http.Request, v *visit, id, control string, sent reviewSent, err error) {
	filter := r.PostFormValue("filter")
	var problems []problem
	status := http.StatusConflict
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		status = http.StatusUnprocessableEntity
		problems = problemsOf(err, v.printer)
		for i := range problems {
			switch problems[i].Field {
			case "comment":
				problems[i].Field = "verdict-comment"
				problems[i].Message = v.T("%s: %s", v.T("Comment"), problems[i].Message)
			case "reason", "reject_reason":
				field := map[string]string{"reason": "changes-reason", "reject_reason": "reject-reason"}[problems[i].Field]
				problems[i].Field = field
				problems[i].Message = v.T("%s: %s", v.T("Reason"), problems[i].Message)
			default:
				problems[i].Field = ""
			}
		}
	case domain.EPrecondition, domain.EPreconditionRequired:
		problems = []problem{{Message: v.T("Someone changed this since the page was shown, so nothing was recorded. Here it is as it stands now.")}}
	case domain.EConflict:
		problems = []problem{{Message: v.Say(messageOf(err))}}
		if e, ok := domain.AsError(err); ok {
			for i, pr := range e.Problems {
				if i == maxShownProblems {
					problems = append(problems, problem{Message: v.T("And %d more.", len(e.Problems)-maxShownProblems)})
					break
				}
				problems = append(problems, problem{Message: strings.TrimPrefix(pr.Location, "responses.") + ": " + v.Say(pr.Message)})
			}
		}
	case domain.EForbidden:
		status = http.StatusForbidden
		problems = []problem{{Message: v.Say(messageOf(err))}}
	default:
		ui.fail(w, r, v, err)
		return
	}
	ui.showReview(w, r, v, id, control, filter, sent, problems, status)
}

// previewEvidence shows an evidence image inline, for the review screen's
// picture of it. Only raster images are answered; everything else is only
// downloaded. The answer may not run anything or load anything, and is never
// read as another type.
func (ui *UI) previewEvidence(w http.ResponseWriter, r *http.Request, v *visit) {
	e, write, err := ui.app.EvidenceContent(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if !slices.Contains(previewable, e.MediaType) {
		ui.fail(w, r, v, domain.Errorf(domain.ENotFound, "no preview of this file"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", e.MediaType)
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": e.Filename}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	if err := write(w); err != nil {
		ui.log.ErrorContext(r.Context(), "stream evidence preview", "evidence", e.ID, "err", fmt.Sprint(err))
	}
}
