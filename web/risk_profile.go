package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"assure/domain"
	"assure/store"
)

// profileView is an assessment's inherent-risk profile on the provider
// page: the figures as stated and as confirmed, and the form the visitor
// may send (the provider's statement or the supervisor's confirmation).
type profileView struct {
	AssessmentID string
	ProviderID   string
	Campaign     string
	Stated       *store.RiskProfileEntry
	Confirmed    *store.RiskProfileEntry
	Source       string // the form's side: store.ProfileStated or store.ProfileConfirmed; "" for no form
	Version      int    // of that side
	Fields       []profileField
	Note         string
}

// profileField is one figure of the profile form.
type profileField struct {
	Measure   domain.Measure
	Stated    string // the provider's figure, formatted for reading
	Confirmed string
	Value     string // what the form's field holds
	Step      string
	Problem   string
}

// profileMeasures are the figures the form asks, in order: the channels
// come from the register entry.
var profileMeasures = []domain.Measure{domain.MeasureCustomers, domain.MeasureActiveAccounts, domain.MeasureTransactions,
	domain.MeasureTransactionValue, domain.MeasureAgents, domain.MeasureThirdParties, domain.MeasureInterconnections,
	domain.MeasureMarketShare}

func figureText(e *store.RiskProfileEntry, m domain.Measure) string {
	if e == nil {
		return ""
	}
	v, ok := e.Profile.Figures[m]
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// figureShown is a figure as a person reads it: 3,500,000; 12.5.
func figureShown(p printer, e *store.RiskProfileEntry, m domain.Measure) string {
	if e == nil {
		return ""
	}
	v, ok := e.Profile.Figures[m]
	if !ok {
		return ""
	}
	return p.Decimal(v, decimalsOf(v))
}

// profileViewOf builds the profile section; sent, when not nil, is a
// refused form with its problems.
func (ui *UI) profileViewOf(r *http.Request, v *visit, reg store.RiskRegister, sent *profileSent) (*profileView, error) {
	a := reg.Assessment
	stated, confirmed, err := ui.app.RiskProfiles(r.Context(), v.actor, a.ID)
	if err != nil {
		return nil, err
	}
	pv := &profileView{AssessmentID: a.ID, ProviderID: a.ProviderID, Campaign: a.CampaignID, Stated: stated, Confirmed: confirmed}
	side := stated
	switch {
	case ui.app.MayConfirmProfile(v.actor, a.ProviderID):
		pv.Source, side = store.ProfileConfirmed, confirmed
	case ui.app.MayStateProfile(v.actor, a.ProviderID):
		pv.Source = store.ProfileStated
	}
	if side != nil {
		pv.Version, pv.Note = side.Version, side.Note
	}
	for _, m := range profileMeasures {
		f := profileField{Measure: m, Stated: figureShown(v.printer, stated, m), Confirmed: figureShown(v.printer, confirmed, m), Step: "1"}
		if m == domain.MeasureMarketShare {
			f.Step = "0.01"
		}
		f.Value = figureText(side, m)
		if side == nil && pv.Source == store.ProfileConfirmed {
			f.Value = figureText(stated, m) // a supervisor starts from the provider's figures
		}
		if sent != nil {
			f.Value, f.Problem = sent.values[m], sent.problems[string(m)]
		}
		pv.Fields = append(pv.Fields, f)
	}
	if sent != nil {
		pv.Note = sent.note
	}
	return pv, nil
}

// profileSent is a refused profile form.
type profileSent struct {
	values   map[domain.Measure]string
	note     string
	problems map[string]string
}

// saveRiskProfile records the profile form: the provider's statement, or
// the supervisor's confirmation when the path says so.
func (ui *UI) saveRiskProfile(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	source := store.ProfileStated
	if strings.HasSuffix(r.URL.Path, "/confirmation") {
		source = store.ProfileConfirmed
	}
	sent := &profileSent{values: map[domain.Measure]string{}, note: r.PostFormValue("note"), problems: map[string]string{}}
	p := domain.RiskProfile{Figures: map[domain.Measure]float64{}}
	var problems []problem
	for _, m := range profileMeasures {
		text := strings.TrimSpace(r.PostFormValue(string(m)))
		sent.values[m] = text
		if text == "" {
			continue
		}
		number := text
		if m == domain.MeasureMarketShare {
			number = strings.Replace(number, ",", ".", 1) // a decimal comma, as French writes it
		}
		x, err := strconv.ParseFloat(number, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			problems = append(problems, problem{Field: "profile-" + string(m), Message: v.T("Give a number, or leave it empty.")})
			sent.problems[string(m)] = v.T("Give a number, or leave it empty.")
			continue
		}
		p.Figures[m] = x
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	var err error
	if len(problems) == 0 {
		_, err = ui.app.SetRiskProfile(r.Context(), v.actor, id, source, p, sent.note, version)
		if err == nil {
			q := url.Values{"done": {"profile"}}
			if c := r.PostFormValue("campaign"); c != "" {
				q.Set("campaign", c)
			}
			http.Redirect(w, r, "/providers/"+url.PathEscape(r.PostFormValue("provider"))+"?"+q.Encode()+"#risk-profile", http.StatusSeeOther)
			return
		}
		if domain.ErrorCodeOf(err) != domain.EInvalid {
			ui.fail(w, r, v, err)
			return
		}
		for _, pr := range problemsOf(err, v.printer) {
			sent.problems[pr.Field] = pr.Message
			if pr.Field != "" {
				pr.Field = "profile-" + pr.Field
			}
			problems = append(problems, pr)
		}
	}
	ui.showProvider(w, r, v, r.PostFormValue("provider"), &providerState{Problems: problems, Profile: sent}, http.StatusUnprocessableEntity)
}
