package web

import (
	"net/http"
	"net/url"

	"assure/domain"
	"assure/store"
)

// The provider page's inspections: the latest recorded, and for those who
// may record one, the form that does (a mistake is put right by a new record
// that names the one it replaces; a record never changes).

// providerPageInspections bounds the inspections the provider page lists.
const providerPageInspections = 10

// inspectionSection is the provider page's part on inspections.
type inspectionSection struct {
	List      []inspectionView
	More      bool
	CanRecord bool
	Form      inspectionForm
	Today     string // the latest date the form takes
}

// inspectionView is one recorded inspection as the page lists it.
type inspectionView struct {
	domain.Inspection
	Held, Recorded string
}

// inspectionForm is the record form as sent.
type inspectionForm struct {
	HeldOn, Kind, LeadInspector, Summary, Replaces string
}

// providerInspections adds the provider's latest inspections, and the form
// when the visitor may record one, to the page.
func (ui *UI) providerInspections(r *http.Request, v *visit, d *providerPageData) error {
	list, next, err := ui.app.Inspections(r.Context(), v.actor, d.Provider.ID, store.Page{Limit: providerPageInspections})
	if err != nil {
		return err
	}
	s := &inspectionSection{More: next != "", CanRecord: ui.app.Offers(v.actor, "inspection", "record"),
		Form: inspectionForm{Kind: string(domain.InspectionOnSite)}, Today: domain.Today().String()}
	if sent := d.State.Inspection; sent != nil {
		s.Form = *sent
	}
	for _, i := range list {
		s.List = append(s.List, inspectionView{Inspection: i, Held: v.Date(i.HeldOn), Recorded: v.Time(i.RecordedAt)})
	}
	d.Inspections = s
	return nil
}

// recordInspection records an inspection from the provider page's form and
// goes back to the page; a refused one is shown again beside its problems.
func (ui *UI) recordInspection(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	f := inspectionForm{HeldOn: r.PostFormValue("held_on"), Kind: r.PostFormValue("kind"),
		LeadInspector: r.PostFormValue("lead_inspector"), Summary: r.PostFormValue("summary"), Replaces: r.PostFormValue("replaces")}
	n := domain.NewInspection{ProviderID: id, Kind: domain.InspectionKind(f.Kind), LeadInspector: f.LeadInspector,
		Summary: f.Summary, Replaces: f.Replaces}
	var problems []problem
	held, err := domain.ParseDate(f.HeldOn)
	if err != nil && f.HeldOn != "" {
		problems = append(problems, problem{Field: "held_on", Message: v.T("Give the date of the inspection as a day of the calendar.")})
	}
	n.HeldOn = held
	if len(problems) == 0 {
		_, err = ui.app.RecordInspection(r.Context(), v.actor, n)
		if err == nil {
			http.Redirect(w, r, "/providers/"+url.PathEscape(id)+"?done=recorded#inspections", http.StatusSeeOther)
			return
		}
		if domain.ErrorCodeOf(err) != domain.EInvalid {
			ui.fail(w, r, v, err)
			return
		}
		problems = problemsOf(err, v.printer)
	}
	// The form's field ids carry the section, so the summary's links land on them.
	for k := range problems {
		if problems[k].Field != "" {
			problems[k].Field = "inspection-" + problems[k].Field
		}
	}
	ui.showProvider(w, r, v, id, &providerState{Problems: problems, Inspection: &f}, http.StatusUnprocessableEntity)
}
