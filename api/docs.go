package api

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
)

// The API reference at /docs is rendered here from the OpenAPI document, so
// the page loads nothing from the internet and needs no script at all.

//go:embed docs/*
var docsFiles embed.FS

var docsTemplate = template.Must(template.ParseFS(docsFiles, "docs/docs.html"))

type docsView struct {
	Title, Version, Description string
	Groups                      []docsGroup
	Schemas                     []docsSchema
}

type docsGroup struct {
	Tag string
	Ops []docsOp
}

type docsOp struct {
	ID, Method, Path, Summary, Description, Access string
	Params                                         []docsField
	Body                                           template.HTML
	Responses                                      []docsResponse
}

type docsResponse struct {
	Status, Description string
	Schema              template.HTML
}

type docsSchema struct {
	Name, Description string
	Fields            []docsField
}

type docsField struct {
	Name, In, Description string
	Type                  template.HTML
	Required              bool
}

func (a *API) registerDocs() {
	var once sync.Once
	var page []byte
	a.mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			var b strings.Builder
			if err := docsTemplate.Execute(&b, a.docsView()); err != nil {
				a.log.Error("render docs", "err", err)
			}
			page = []byte(b.String())
		})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'")
		w.Write(page)
	})
	a.mux.HandleFunc("GET /docs/docs.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		b, _ := docsFiles.ReadFile("docs/docs.css")
		w.Write(b)
	})
}

func (a *API) docsView() docsView {
	oa := a.huma.OpenAPI()
	v := docsView{Title: oa.Info.Title, Version: oa.Info.Version, Description: oa.Info.Description}
	groups := map[string][]docsOp{}
	var tags []string
	for path, item := range oa.Paths {
		for _, m := range []struct {
			method string
			op     *huma.Operation
		}{{"GET", item.Get}, {"POST", item.Post}, {"PUT", item.Put}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if m.op == nil || m.op.Hidden {
				continue
			}
			tag := "Other"
			if len(m.op.Tags) > 0 {
				tag = m.op.Tags[0]
			}
			if _, ok := groups[tag]; !ok {
				tags = append(tags, tag)
			}
			groups[tag] = append(groups[tag], docsOperation(m.method, path, m.op))
		}
	}
	sort.Strings(tags)
	for _, tag := range tags {
		ops := groups[tag]
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Path != ops[j].Path {
				return ops[i].Path < ops[j].Path
			}
			return ops[i].Method < ops[j].Method
		})
		v.Groups = append(v.Groups, docsGroup{Tag: tag, Ops: ops})
	}
	if oa.Components != nil && oa.Components.Schemas != nil {
		schemas := oa.Components.Schemas.Map()
		names := make([]string, 0, len(schemas))
		for name := range schemas {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			s := schemas[name]
			ds := docsSchema{Name: name, Description: s.Description}
			props := make([]string, 0, len(s.Properties))
			for p := range s.Properties {
				props = append(props, p)
			}
			sort.Strings(props)
			for _, p := range props {
				ps := s.Properties[p]
				ds.Fields = append(ds.Fields, docsField{Name: p, Description: ps.Description,
					Type: schemaType(ps), Required: slices.Contains(s.Required, p)})
			}
			v.Schemas = append(v.Schemas, ds)
		}
	}
	return v
}

func docsOperation(method, path string, op *huma.Operation) docsOp {
	d := docsOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description,
		Access: "signed-in users allowed by the policy"}
	if IsPublic(op) {
		d.Access = "public"
	}
	for _, p := range op.Parameters {
		d.Params = append(d.Params, docsField{Name: p.Name, In: p.In, Description: p.Description,
			Type: schemaType(p.Schema), Required: p.Required})
	}
	if op.RequestBody != nil {
		for ct, mt := range op.RequestBody.Content {
			d.Body = template.HTML(template.HTMLEscapeString(ct)+" ") + schemaType(mt.Schema)
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for code := range op.Responses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		r := op.Responses[code]
		dr := docsResponse{Status: code, Description: r.Description}
		for _, mt := range r.Content {
			dr.Schema = schemaType(mt.Schema)
		}
		d.Responses = append(d.Responses, dr)
	}
	return d
}

// schemaType renders a schema's type, linking named schemas.
func schemaType(s *huma.Schema) template.HTML {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		name := s.Ref[strings.LastIndex(s.Ref, "/")+1:]
		return template.HTML(fmt.Sprintf(`<a href="#schema-%s">%s</a>`,
			template.HTMLEscapeString(name), template.HTMLEscapeString(name)))
	}
	if s.Type == "array" {
		return "array of " + schemaType(s.Items)
	}
	t := s.Type
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, e := range s.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		t += ": " + strings.Join(vals, " | ")
	}
	return template.HTML(template.HTMLEscapeString(t))
}
