package web

import (
	"net/http"
	"net/url"

	"assure/store"
)

// The dashboard's lists in full: a review queue, and the overdue findings,
// a page at a time.

// worklistPage is how many rows one page of a work list shows.
const worklistPage = 50

// worklistData is one page of a review queue or of the overdue findings.
type worklistData struct {
	Queue    *queueView
	QueueID  string // review-queue or approval-queue
	Findings findingList
	Next     string // the address of the next page, or ""
}

// reviewQueue pages through the visitor's review queue, or with
// ?wait=second through the filings waiting for a second approver.
func (ui *UI) reviewQueue(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	wait, heading, id, base := store.WaitReview, "Your review queue", "review-queue", "/review-queue"
	if q.Get("wait") == string(store.WaitSecondApprover) {
		wait, heading, id, base = store.WaitSecondApprover, "Waiting for a second approver", "approval-queue",
			"/review-queue?wait=second"
	}
	list, err := ui.app.ReviewQueue(r.Context(), v.actor, wait, store.Page{Limit: worklistPage, Cursor: q.Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	view := queueOf(v.printer, list, "")
	d := worklistData{Queue: &view, QueueID: id}
	if list.Next != "" {
		d.Next = withCursor(base, list.Next)
	}
	ui.render(w, r, http.StatusOK, "worklist.html", ui.newPage(r, v, heading, d))
}

// overdueFindings pages through the findings whose remediation is late,
// the longest overdue first.
func (ui *UI) overdueFindings(w http.ResponseWriter, r *http.Request, v *visit) {
	list, next, err := ui.app.Findings(r.Context(), v.actor, store.FindingFilter{Overdue: true},
		store.Page{Limit: worklistPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := worklistData{Findings: findingList{}}
	for _, f := range list {
		d.Findings = append(d.Findings, viewOf(f, v.printer))
	}
	if next != "" {
		d.Next = withCursor("/overdue-findings", next)
	}
	ui.render(w, r, http.StatusOK, "worklist.html", ui.newPage(r, v, "Overdue findings", d))
}

func withCursor(base, cursor string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("cursor", cursor)
	u.RawQuery = q.Encode()
	return u.String()
}
