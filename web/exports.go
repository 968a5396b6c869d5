package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// reportLanguage reads the language a report is asked in (?lang= or the
// form's lang), defaulting to the page's; an unknown one is left for the
// app to refuse.
func reportLanguage(r *http.Request, v *visit) domain.Language {
	if l := r.FormValue("lang"); l != "" {
		return domain.Language(l)
	}
	return v.Language()
}

// languageChoice is one language a report can be made in, for a select.
type languageChoice struct {
	Code     domain.Language
	Label    string // the language's name in its own words, e.g. Français
	Selected bool
}

func languageChoices(chosen domain.Language) []languageChoice {
	return []languageChoice{{Code: domain.English, Label: "English", Selected: chosen == domain.English},
		{Code: domain.French, Label: "Français", Selected: chosen == domain.French}}
}

// assessmentExportsData is the exports page of an assessment.
type assessmentExportsData struct {
	Assessment domain.Assessment
	Lang       domain.Language
	Languages  []languageChoice
}

// assessmentExports lists the reports of one assessment, each a plain link
// in the chosen language.
func (ui *UI) assessmentExports(w http.ResponseWriter, r *http.Request, v *visit) {
	as, err := ui.app.ExportableAssessment(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	lang := reportLanguage(r, v)
	if !lang.Valid() {
		lang = v.Language()
	}
	ui.render(w, r, http.StatusOK, "exports_assessment.html", ui.newPage(r, v, "Exports",
		assessmentExportsData{Assessment: as, Lang: lang, Languages: languageChoices(lang)}))
}

func (ui *UI) assessmentPDF(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.assessmentReport(w, r, v, "pdf")
}

func (ui *UI) assessmentXLSX(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.assessmentReport(w, r, v, "xlsx")
}

func (ui *UI) assessmentResultsOSCAL(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.assessmentReport(w, r, v, app.FormatOSCALResults)
}

func (ui *UI) assessmentPOAM(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.assessmentReport(w, r, v, app.FormatOSCALPOAM)
}

// assessmentReport sends an assessment's report, made in the asked language.
func (ui *UI) assessmentReport(w http.ResponseWriter, r *http.Request, v *visit, format string) {
	f, err := ui.app.AssessmentReport(r.Context(), v.actor, r.PathValue("id"), format, reportLanguage(r, v))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	sendFile(w, f)
}

// campaignExportsData is the exports page of a campaign: the sector reports
// to ask for and the visitor's recent ones.
type campaignExportsData struct {
	Campaign  domain.Campaign
	Draft     bool
	Jobs      []jobView
	Basis     string
	Lang      domain.Language
	Languages []languageChoice
}

// campaignExports shows the sector reports of a campaign.
func (ui *UI) campaignExports(w http.ResponseWriter, r *http.Request, v *visit) {
	ui.showCampaignExports(w, r, v, nil, http.StatusOK)
}

func (ui *UI) showCampaignExports(w http.ResponseWriter, r *http.Request, v *visit, problems []problem, status int) {
	e, err := ui.app.CampaignExports(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	lang := reportLanguage(r, v)
	if !lang.Valid() {
		lang = v.Language()
	}
	d := campaignExportsData{Campaign: e.Campaign, Draft: e.Campaign.Status == domain.CampaignDraft, Lang: lang,
		Languages: languageChoices(lang), Basis: r.FormValue("basis")}
	if d.Basis != store.BasisCurrent {
		d.Basis = store.BasisFiled
	}
	for _, j := range e.Jobs {
		d.Jobs = append(d.Jobs, jobViewOf(j, v.printer))
	}
	p := ui.newPage(r, v, "Exports", d)
	p.Problems = problems
	ui.render(w, r, status, "exports_campaign.html", p)
}

// requestSectorReport queues a sector report and goes to its progress page.
// Sector reports from the pages always run in the background, so that
// whoever asks sees how far it has got.
func (ui *UI) requestSectorReport(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("id")
	format := r.PostFormValue("format")
	var problems []problem
	if format != "pdf" && format != "xlsx" {
		problems = append(problems, problem{Field: "format-pdf", Message: v.T("Choose PDF or Excel.")})
	}
	basis := r.PostFormValue("basis")
	if basis != store.BasisFiled && basis != store.BasisCurrent {
		problems = append(problems, problem{Field: "basis-filed", Message: v.T("Choose what the report is based on.")})
	}
	if len(problems) == 0 {
		job, err := ui.app.CreateReportJob(r.Context(), v.actor, format, store.ReportParams{CampaignID: id, Basis: basis,
			Language: reportLanguage(r, v)})
		if err == nil {
			http.Redirect(w, r, "/reports/"+url.PathEscape(job.ID), http.StatusSeeOther)
			return
		}
		if domain.ErrorCodeOf(err) != domain.EInvalid {
			ui.fail(w, r, v, err)
			return
		}
		problems = labelled(problemsOf(err, v.printer), map[string]string{"lang": "Language"}, v.printer)
	}
	ui.showCampaignExports(w, r, v, problems, http.StatusUnprocessableEntity)
}

// jobView is a report job as a page shows it.
type jobView struct {
	store.ReportJob
	Title     string // e.g. "Sector report (PDF, French)"
	Progress  string // "3 of 12 register rows written"
	Status    string // the state in words
	Requested string
	Finished  bool
}

// jobState names a job's state.
func jobState(status string, p printer) string {
	switch status {
	case "queued":
		return p.T("Waiting to start")
	case "running":
		return p.T("Being made")
	case "done":
		return p.T("Ready")
	case "failed":
		return p.T("Failed")
	case "expired":
		return p.T("Expired: ask for it again")
	}
	return status
}

func jobViewOf(j store.ReportJob, p printer) jobView {
	format := map[string]string{"pdf": "PDF", "xlsx": "Excel"}[j.Format]
	lang := p.T("English")
	if j.Params.Language == domain.French {
		lang = p.T("French")
	}
	basis := p.T("as filed")
	if j.Params.Basis == store.BasisCurrent {
		basis = p.T("as it stands")
	}
	v := jobView{ReportJob: j, Title: p.T("Sector report (%s, %s, %s)", format, lang, basis), Status: jobState(j.Status, p),
		Requested: p.Time(j.CreatedAt), Finished: j.Status == "done" || j.Status == "failed" || j.Status == "expired"}
	done, total := p.Number(j.Done), p.Number(j.Total)
	switch {
	case j.Total == 0:
		v.Progress = p.T("Not started yet")
	case j.Format == "xlsx":
		v.Progress = p.T("%s of %s register rows written", done, total)
	default:
		v.Progress = p.T("%s of %s providers written", done, total)
	}
	return v
}

// reportJobData is the progress page of a report job.
type reportJobData struct {
	Job      jobView
	Campaign domain.Campaign
}

// reportJob shows a report job's progress; htmx asks for the status block
// every second until the job is done or failed.
func (ui *UI) reportJob(w http.ResponseWriter, r *http.Request, v *visit) {
	job, err := ui.app.ReportJob(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := reportJobData{Job: jobViewOf(job, v.printer)}
	if d.Campaign, err = ui.app.Campaign(r.Context(), v.actor, job.Params.CampaignID); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	p := ui.newPage(r, v, "Report", d)
	if r.Header.Get("HX-Request") == "true" {
		p.Fragment = "job-status"
	}
	ui.render(w, r, http.StatusOK, "report_job.html", p)
}

// downloadReportJob sends a finished job's file.
func (ui *UI) downloadReportJob(w http.ResponseWriter, r *http.Request, v *visit) {
	job, write, err := ui.app.DownloadReportJob(r.Context(), v.actor, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", job.MediaType)
	if job.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(job.Size, 10))
	}
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": job.Filename}))
	if err := write(w); err != nil {
		ui.log.ErrorContext(r.Context(), "stream report", "job", job.ID, "err", err)
	}
}
