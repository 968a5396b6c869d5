package web

import (
	"net/http"
	"net/url"
	"strconv"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// riskCellPage is how many pairs one page of a matrix cell lists.
const riskCellPage = 50

// riskCellData is the list of provider–threat pairs behind one cell of a
// campaign's risk matrix.
type riskCellData struct {
	Campaign   domain.Campaign
	Likelihood int
	Impact     int
	Level      domain.RiskLevel
	Class      string
	Pairs      []store.RiskPair
	Next       string // the address of the next page, or ""
}

// riskCell lists the pairs behind the cell (?l=, ?i=) of the dashboard's
// matrix: residual values of each provider's latest filing.
func (ui *UI) riskCell(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	l, errL := strconv.Atoi(q.Get("l"))
	i, errI := strconv.Atoi(q.Get("i"))
	if errL != nil || errI != nil {
		ui.fail(w, r, v, domain.Errorf(domain.ENotFound, "no such cell"))
		return
	}
	id := r.PathValue("id")
	c, err := ui.app.Campaign(r.Context(), v.actor, id)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	pairs, next, err := ui.app.RiskCell(r.Context(), v.actor, id, store.SectorFilter{}, false, l, i,
		store.Page{Limit: riskCellPage, Cursor: q.Get("cursor")})
	if domain.ErrorCodeOf(err) == domain.EInvalid {
		err = domain.Errorf(domain.ENotFound, "no such cell")
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	level := domain.LevelOf(l * i)
	d := riskCellData{Campaign: c, Likelihood: l, Impact: i, Level: level, Class: fillClass(reports.LevelFill(level)), Pairs: pairs}
	if next != "" {
		d.Next = riskCellPath(id, l, i) + "&cursor=" + url.QueryEscape(next)
	}
	ui.render(w, r, http.StatusOK, "riskcell.html", ui.newPage(r, v, "Risks in one cell of the matrix", d))
}
