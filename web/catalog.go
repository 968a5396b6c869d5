package web

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"assure/app"
	"assure/domain"
	"assure/store"
)

// Pages of the catalog lists.
const (
	frameworksPage = 50
	threatsPage    = 100
	controlsPage   = 50
)

// catalogsData is the list of published framework versions.
type catalogsData struct {
	Versions     []frameworkView
	Next         string
	CanPublish   bool
	Mappings     []mappingView
	MoreMappings bool
}

// mappingView is a published mapping version with its address.
type mappingView struct {
	store.MappingVersion
	Href string
}

func mappingViewOf(m store.MappingVersion) mappingView {
	return mappingView{MappingVersion: m, Href: "/mappings/" + url.PathEscape(m.ID) + "/" + url.PathEscape(m.Version)}
}

// frameworkView is a published framework version with its address.
type frameworkView struct {
	store.FrameworkVersion
	Href, Published, ShortDigest string
}

func frameworkViewOf(v store.FrameworkVersion, p printer) frameworkView {
	short := v.Digest
	if len(short) > 12 {
		short = short[:12]
	}
	return frameworkView{FrameworkVersion: v, Published: p.Time(v.PublishedAt), ShortDigest: short,
		Href: "/catalogs/" + url.PathEscape(v.ID) + "/" + url.PathEscape(v.Version)}
}

// catalogs lists the published frameworks and their versions.
func (ui *UI) catalogs(w http.ResponseWriter, r *http.Request, v *visit) {
	list, next, err := ui.app.Frameworks(r.Context(), v.actor, store.Page{Limit: frameworksPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := catalogsData{CanPublish: ui.app.Offers(v.actor, "catalog", "publish")}
	for _, f := range list {
		d.Versions = append(d.Versions, frameworkViewOf(f, v.printer))
	}
	mappings, more, err := ui.app.Mappings(r.Context(), v.actor, store.Page{Limit: frameworksPage})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	for _, m := range mappings {
		d.Mappings = append(d.Mappings, mappingViewOf(m))
	}
	d.MoreMappings = more != ""
	if next != "" {
		d.Next = "/catalogs?cursor=" + url.QueryEscape(next)
	}
	p := ui.newPage(r, v, "Catalogs", d)
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "catalogs.html", p)
}

// refOf reads the framework version of the address.
func refOf(r *http.Request) store.FrameworkRef {
	return store.FrameworkRef{ID: r.PathValue("framework"), Version: r.PathValue("version")}
}

// frameworkData is one version's page: its facts and its threats.
type frameworkData struct {
	V       frameworkView
	Threats []domain.Threat
	Next    string
	Changes app.FrameworkChanges // from the version published before
}

// framework shows a published version and its threats.
func (ui *UI) framework(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	ref := refOf(r)
	fv, err := ui.app.Framework(ctx, v.actor, ref)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := frameworkData{V: frameworkViewOf(fv, v.printer)}
	if d.Changes, err = ui.app.Changes(ctx, v.actor, ref, ""); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	var next string
	if d.Threats, next, err = ui.app.Threats(ctx, v.actor, ref, store.Page{Limit: threatsPage, Cursor: r.URL.Query().Get("cursor")}); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if next != "" {
		d.Next = d.V.Href + "?cursor=" + url.QueryEscape(next)
	}
	p := ui.newPage(r, v, "Framework", d)
	p.Flash = flashes[r.URL.Query().Get("done")]
	ui.render(w, r, http.StatusOK, "framework.html", p)
}

// threatData is one threat with the controls that mitigate it.
type threatData struct {
	V      frameworkView
	Threat store.ThreatDetail
}

// threat shows one threat of a version and its controls.
func (ui *UI) threat(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	ref := refOf(r)
	fv, err := ui.app.Framework(ctx, v.actor, ref)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	t, err := ui.app.Threat(ctx, v.actor, ref, r.PathValue("threat"))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	ui.render(w, r, http.StatusOK, "threat.html", ui.newPage(r, v, "Threat", threatData{V: frameworkViewOf(fv, v.printer), Threat: t}))
}

// controlsData is the search of a version's controls.
type controlsData struct {
	V                                             frameworkView
	Query, Threat, Dimension, Stage, Group, Level string
	Threats                                       []domain.Threat
	Dimensions                                    []domain.Dimension
	Stages                                        []domain.Stage
	Controls                                      []store.ControlDetail
	Next                                          string
	Any                                           bool
}

// controls searches a version's controls by words, threat, dimension, stage,
// audit group and level; a framework offers only the lists it has.
func (ui *UI) controls(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	ref := refOf(r)
	q := r.URL.Query()
	fv, err := ui.app.Framework(ctx, v.actor, ref)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d := controlsData{V: frameworkViewOf(fv, v.printer), Query: strings.TrimSpace(q.Get("q")), Threat: q.Get("threat"),
		Dimension: q.Get("dimension"), Stage: q.Get("stage"), Group: q.Get("group"), Level: q.Get("level")}
	all := store.Page{Limit: store.MaxLimit}
	if d.Threats, _, err = ui.app.Threats(ctx, v.actor, ref, all); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if d.Dimensions, _, err = ui.app.Dimensions(ctx, v.actor, ref, all); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	if d.Stages, _, err = ui.app.Stages(ctx, v.actor, ref, all); err != nil {
		ui.fail(w, r, v, err)
		return
	}
	f := store.ControlFilter{Query: d.Query, Threat: d.Threat, Dimension: d.Dimension, Stage: d.Stage,
		AuditGroup: d.Group, Level: d.Level}
	d.Any = f != (store.ControlFilter{})
	list, next, err := ui.app.Controls(ctx, v.actor, ref, f, store.Page{Limit: controlsPage, Cursor: q.Get("cursor")})
	if domain.ErrorCodeOf(err) == domain.EInvalid {
		// A filter naming something the framework lacks comes only from an
		// edited address: show the search without it.
		p := ui.newPage(r, v, "Controls", d)
		p.Problems = []problem{{Message: v.T("Choose the filters from the lists.")}}
		ui.render(w, r, http.StatusUnprocessableEntity, "controls.html", p)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d.Controls = list
	if next != "" {
		keep := url.Values{}
		for _, k := range []string{"q", "threat", "dimension", "stage", "group", "level"} {
			if q.Get(k) != "" {
				keep.Set(k, q.Get(k))
			}
		}
		keep.Set("cursor", next)
		d.Next = d.V.Href + "/controls?" + keep.Encode()
	}
	ui.render(w, r, http.StatusOK, "controls.html", ui.newPage(r, v, "Controls", d))
}

// uploadData is the page that checks a framework file and publishes it.
type uploadData struct {
	MaxMB    int
	Filename string
	Version  string // given for a file that states none (OWASP MASVS)
	Problems []app.FrameworkProblem
	Checked  *domain.Framework // the valid framework, to publish
	Content  string            // the checked file, base64, sent again with Publish
	Conflict string            // the version is published with other content
}

// uploadFramework shows the form that takes a framework file.
func (ui *UI) uploadFramework(w http.ResponseWriter, r *http.Request, v *visit) {
	if !ui.app.Offers(v.actor, "catalog", "publish") {
		ui.fail(w, r, v, domain.Errorf(domain.EForbidden, "your role may not publish frameworks"))
		return
	}
	ui.render(w, r, http.StatusOK, "catalog_upload.html", ui.newPage(r, v, "Upload a framework", uploadData{MaxMB: app.MaxFrameworkBytes >> 20}))
}

// checkFramework checks the file sent and, when asked and the file is valid,
// publishes it. The check runs again on publishing: the page's copy of the
// file is no more trusted than a new one.
func (ui *UI) checkFramework(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	d := uploadData{MaxMB: app.MaxFrameworkBytes >> 20}
	var content []byte
	if b64 := r.PostFormValue("content"); b64 != "" {
		var err error
		if content, err = base64.StdEncoding.DecodeString(b64); err != nil {
			ui.showUpload(w, r, v, d, []problem{{Field: "file", Message: v.T("Choose the framework file again.")}}, http.StatusUnprocessableEntity)
			return
		}
		d.Filename = app.FrameworkFilename(r.PostFormValue("filename"))
	} else {
		file, header, err := r.FormFile("file")
		if err != nil {
			ui.showUpload(w, r, v, d, []problem{{Field: "file", Message: v.T("Choose a framework file (YAML).")}}, http.StatusUnprocessableEntity)
			return
		}
		defer file.Close()
		if content, err = io.ReadAll(io.LimitReader(file, app.MaxFrameworkBytes+1)); err != nil {
			ui.fail(w, r, v, err)
			return
		}
		d.Filename = app.FrameworkFilename(header.Filename)
	}
	d.Version = strings.TrimSpace(r.PostFormValue("version"))
	f, err := ui.app.CheckFramework(ctx, v.actor, d.Filename, content, d.Version)
	switch domain.ErrorCodeOf(err) {
	case domain.EInvalid:
		d.Problems = app.FrameworkProblems(err)
		ui.showUpload(w, r, v, d, []problem{{Field: "file", Message: v.T("The file has %d problems; each is listed below with its line and column.", len(d.Problems))}},
			http.StatusUnprocessableEntity)
		return
	case domain.ETooLarge:
		ui.showUpload(w, r, v, d, []problem{{Field: "file", Message: v.T("The file is larger than %d MB.", d.MaxMB)}}, http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d.Checked = f
	d.Content = base64.StdEncoding.EncodeToString(content)
	if r.PostFormValue("action") != "publish" {
		ui.showUpload(w, r, v, d, nil, http.StatusOK)
		return
	}
	outcome, err := ui.app.PublishFramework(ctx, v.actor, f)
	if domain.ErrorCodeOf(err) == domain.EConflict {
		d.Conflict = v.T("Version %s of %s is already published with different content. A published version never changes: give the file a new version number and publish that.", f.Version, f.ID)
		ui.showUpload(w, r, v, d, []problem{{Field: "file", Message: d.Conflict}}, http.StatusConflict)
		return
	}
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	done := "published"
	if outcome == store.AlreadyUpToDate {
		done = "already_published"
	}
	http.Redirect(w, r, "/catalogs/"+url.PathEscape(f.ID)+"/"+url.PathEscape(f.Version)+"?done="+done, http.StatusSeeOther)
}

func (ui *UI) showUpload(w http.ResponseWriter, r *http.Request, v *visit, d uploadData, problems []problem, status int) {
	p := ui.newPage(r, v, "Upload a framework", d)
	p.Problems = problems
	ui.render(w, r, status, "catalog_upload.html", p)
}

// downloadFramework sends a published version whole, as JSON, for the
// visitor to keep or compare; the session cookie is all it takes.
func (ui *UI) downloadFramework(w http.ResponseWriter, r *http.Request, v *visit) {
	f, err := ui.app.FrameworkOf(r.Context(), v.actor, refOf(r))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	sendJSON(w, b, app.FrameworkDownloadName(f, ".json"))
}

// downloadOSCAL sends a published version as an OSCAL catalog.
func (ui *UI) downloadOSCAL(w http.ResponseWriter, r *http.Request, v *visit) {
	b, name, err := ui.app.FrameworkOSCAL(r.Context(), v.actor, refOf(r))
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	sendJSON(w, b, name)
}

// sendJSON sends a JSON document as a download named name.
func sendJSON(w http.ResponseWriter, b []byte, name string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
