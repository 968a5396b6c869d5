package web

import (
	"net/http"
	"net/url"
	"strings"

	"assure/store"
)

// mappingPage is how many links one page of a mapping shows.
const mappingPage = 100

// mappingData is one mapping version's page: its links, narrowed to a
// control of either side when asked.
type mappingData struct {
	M              mappingView
	Source, Target string
	Links          []store.MappingLink
	SourceHref     string // the source framework version's page
	TargetHref     string
	Next           string
}

// mapping shows a published mapping version and its links.
func (ui *UI) mapping(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	ref := store.MappingRef{ID: r.PathValue("mapping"), Version: r.PathValue("version")}
	m, err := ui.app.Mapping(ctx, v.actor, ref)
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	q := r.URL.Query()
	d := mappingData{M: mappingViewOf(m), Source: strings.TrimSpace(q.Get("source")), Target: strings.TrimSpace(q.Get("target")),
		SourceHref: "/catalogs/" + url.PathEscape(m.Source.ID) + "/" + url.PathEscape(m.Source.Version),
		TargetHref: "/catalogs/" + url.PathEscape(m.Target.ID) + "/" + url.PathEscape(m.Target.Version)}
	links, next, err := ui.app.MappingLinks(ctx, v.actor, ref, store.LinkFilter{Source: d.Source, Target: d.Target},
		store.Page{Limit: mappingPage, Cursor: q.Get("cursor")})
	if err != nil {
		ui.fail(w, r, v, err)
		return
	}
	d.Links = links
	if next != "" {
		keep := url.Values{"cursor": {next}}
		for _, k := range []string{"source", "target"} {
			if q.Get(k) != "" {
				keep.Set(k, q.Get(k))
			}
		}
		d.Next = d.M.Href + "?" + keep.Encode()
	}
	ui.render(w, r, http.StatusOK, "mapping.html", ui.newPage(r, v, "Mapping", d))
}
