package web

import (
	"net/http"
	"net/url"

	"assure/domain"
	"assure/store"
)

// verificationView is a background verification of the chain as the verify
// panel shows it: the bar while it runs, the result once done.
type verificationView struct {
	ID         string
	Running    bool // queued or running: the panel polls it
	Failed     bool
	Error      string
	Checked    int64
	Total      int64 // the head at the start: the events to check
	Percent    int
	Progress   string // "n of m events checked"
	CheckedN   string // Checked, written for the reader
	OK         bool
	FirstBad   int64 // 0 when the chain holds
	HeadSeq    int64
	HeadHash   string
	FinishedAt string
	// Checkpoint is the signed checkpoint the chain was checked against (the
	// first that did not hold, when there were several), or, when there was
	// none, the state of the server's checkpoints; nil while it runs.
	Checkpoint *checkpointView
}

// checkpointView is a signed checkpoint beside a verification's result:
// one the chain was checked against, or the state of the server's
// checkpoints when none was.
type checkpointView struct {
	Checked    bool   // the verification checked the chain against it
	Configured bool   // the server has a checkpoint directory and key
	Unreadable string // why the newest file there is not a checkpoint, or ""
	Seq        int64  // 0 when there is no checkpoint
	Hash       string
	At         string
	KeyID      string
	TreeRoot   string // the signed Merkle tree root, "" for a checkpoint without one
	OK         bool   // the chain extended it
	Problem    string // why not
}

func (v *visit) verificationViewOf(a *store.AuditVerification) *verificationView {
	if a == nil {
		return nil
	}
	view := &verificationView{ID: a.ID, Running: a.Status == "queued" || a.Status == "running", Failed: a.Status == "failed",
		Error: a.Error, Checked: a.Checked, Total: a.HeadSeq, HeadSeq: a.HeadSeq, HeadHash: a.HeadHash}
	if view.Total > 0 {
		view.Percent = int(min(100, 100*a.Checked/view.Total))
	}
	view.CheckedN = v.Number(int(a.Checked))
	view.Progress = v.T("%s of %s events checked", v.Number(int(a.Checked)), v.Number(int(a.HeadSeq)))
	if a.OK != nil {
		view.OK = *a.OK
	}
	if a.FirstBad != nil {
		view.FirstBad = *a.FirstBad
	}
	if a.FinishedAt != nil {
		view.FinishedAt = v.Time(*a.FinishedAt)
	}
	for _, c := range a.Checkpoints {
		if view.Checkpoint != nil && (c.OK || !view.Checkpoint.OK) {
			continue
		}
		cp := c.Checkpoint
		view.Checkpoint = &checkpointView{Checked: true, Configured: true, Seq: cp.Seq, Hash: cp.Hash, At: v.Time(cp.At),
			KeyID: cp.KeyID, TreeRoot: cp.TreeRoot, OK: c.OK, Problem: c.Problem}
	}
	return view
}

// verificationPanel is the panel of one verification: once it is done
// against no checkpoint, with what the server's checkpoints are now, so the
// reader knows whether there was one to check.
func (ui *UI) verificationPanel(r *http.Request, v *visit, a *store.AuditVerification) (*verificationView, error) {
	view := v.verificationViewOf(a)
	if view == nil || view.Running || view.Failed || view.Checkpoint != nil {
		return view, nil
	}
	configured, latest, err := ui.app.NewestCheckpoint(r.Context(), v.actor)
	none := &checkpointView{Configured: configured}
	switch e, ok := domain.AsError(err); {
	case ok && e.Code == domain.EInvalid:
		none.Unreadable = e.Message
	case err != nil:
		return nil, err
	case latest != nil:
		none.Seq = latest.Seq
	}
	view.Checkpoint = none
	return view, nil
}

// startAuditVerification queues a verification of the whole chain and goes
// back to the log, whose panel follows it.
func (ui *UI) startAuditVerification(w http.ResponseWriter, r *http.Request, v *visit) {
	if _, err := ui.app.StartAuditVerification(r.Context(), v.actor); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/audit", http.StatusSeeOther)
}

// auditVerification is the verify panel's fragment for one verification,
// polled by the panel while it runs; outside htmx it is the log itself.
func (ui *UI) auditVerification(w http.ResponseWriter, r *http.Request, v *visit) {
	a, err := ui.app.AuditVerification(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/audit?"+url.Values{"verification": {a.ID}}.Encode(), http.StatusSeeOther)
		return
	}
	panel, err := ui.verificationPanel(r, v, &a)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	p := ui.newPage(r, v, "Audit log", &auditLogData{CanVerify: true, Verification: panel})
	p.Fragment = "audit-verification"
	ui.render(w, r, http.StatusOK, "audit.html", p)
}

// latestVerification is the verification the panel shows: one under way,
// else the last one done.
func (ui *UI) latestVerification(r *http.Request, v *visit) (*verificationView, error) {
	pending, done, err := ui.app.LatestAuditVerifications(r.Context(), v.actor)
	if err != nil {
		return nil, err
	}
	if pending != nil {
		return v.verificationViewOf(pending), nil
	}
	return ui.verificationPanel(r, v, done)
}
