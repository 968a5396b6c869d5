package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Mapping is a published mapping between two framework versions.
type Mapping struct {
	ID          string                 `json:"id" example:"dfs-app-baseline-x1150"`
	Version     string                 `json:"version" example:"1.0"`
	Title       string                 `json:"title"`
	Notes       string                 `json:"notes,omitempty"`
	Source      domain.MappedFramework `json:"source" doc:"The framework version whose controls the links start from."`
	Target      domain.MappedFramework `json:"target" doc:"The framework version they point to."`
	SHA256      string                 `json:"content_sha256" doc:"SHA-256 of the version's canonical content; it never changes."`
	PublishedAt time.Time              `json:"published_at"`
	Links       int                    `json:"links"`
}

func mappingOf(v store.MappingVersion) Mapping {
	return Mapping{ID: v.ID, Version: v.Version, Title: v.Title, Notes: v.Notes, Source: v.Source, Target: v.Target,
		SHA256: v.Digest, PublishedAt: v.PublishedAt.UTC(), Links: v.Links}
}

// MappingLink is one stated relationship between two controls.
type MappingLink struct {
	Mapping        string `json:"mapping" doc:"The mapping's id."`
	MappingVersion string `json:"mapping_version"`
	Source         string `json:"source" example:"APP-1" doc:"The source framework's control."`
	SourceTitle    string `json:"source_title"`
	Target         string `json:"target" example:"C55" doc:"The target framework's control."`
	TargetTitle    string `json:"target_title"`
	Relationship   string `json:"relationship" enum:"equal,subset_of,superset_of,intersects_with,not_related" doc:"Read: the source control is <relationship> the target control (NIST OLIR)."`
	Strength       int    `json:"strength" minimum:"0" maximum:"10" doc:"How sure the mapping is, 0 to 10."`
	Rationale      string `json:"rationale"`
}

func linkOf(l store.MappingLink) MappingLink {
	return MappingLink{Mapping: l.Mapping.ID, MappingVersion: l.Mapping.Version, Source: l.Source, SourceTitle: l.SourceTitle,
		Target: l.Target, TargetTitle: l.TargetTitle, Relationship: string(l.Relationship), Strength: l.Strength, Rationale: l.Rationale}
}

// MappingParams name a mapping version.
type MappingParams struct {
	Mapping string `path:"mapping" maxLength:"100" doc:"Mapping id."`
	Version string `query:"version" maxLength:"100" doc:"Mapping version; the latest published one when absent."`
}

func (p MappingParams) ref() store.MappingRef {
	return store.MappingRef{ID: p.Mapping, Version: p.Version}
}

type listMappingsInput struct {
	ListParams
}

type getMappingInput struct {
	MappingParams
}

type mappingOutput struct {
	Body Mapping
}

type listLinksInput struct {
	MappingParams
	ListParams
	Source string `query:"source" maxLength:"100" doc:"Only the links from this control of the source framework."`
	Target string `query:"target" maxLength:"100" doc:"Only the links to this control of the target framework."`
}

type controlLinksInput struct {
	FrameworkParams
	ID string `path:"id" maxLength:"100" example:"C1" doc:"Control id."`
}

type controlLinksOutput struct {
	Body struct {
		Items []MappingLink `json:"items"`
	}
}

func (a *API) registerMappings() {
	tags := []string{"Catalog"}
	register(a, huma.Operation{
		OperationID: "list-mappings", Method: http.MethodGet, Path: "/api/v1/mappings", Tags: tags,
		Summary: "List mappings between frameworks", Description: "Every published mapping version, oldest first.",
	}, func(ctx context.Context, in *listMappingsInput) (*ListOutput[Mapping], error) {
		list, next, err := a.app.Mappings(ctx, actorFrom(ctx), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, mappingOf), nil
	})
	register(a, huma.Operation{
		OperationID: "get-mapping", Method: http.MethodGet, Path: "/api/v1/mappings/{mapping}", Tags: tags,
		Summary: "Get a mapping", Description: "One mapping version with the framework versions it relates.",
	}, func(ctx context.Context, in *getMappingInput) (*mappingOutput, error) {
		v, err := a.app.Mapping(ctx, actorFrom(ctx), in.ref())
		if err != nil {
			return nil, err
		}
		return &mappingOutput{Body: mappingOf(v)}, nil
	})
	register(a, huma.Operation{
		OperationID: "list-mapping-links", Method: http.MethodGet, Path: "/api/v1/mappings/{mapping}/links", Tags: tags,
		Summary: "List a mapping's links",
		Description: "The mapping's links in its order, each typed as NIST's OLIR method types relationships, with a " +
			"strength from 0 to 10 and a rationale; optionally only those of one source or target control.",
	}, func(ctx context.Context, in *listLinksInput) (*ListOutput[MappingLink], error) {
		list, next, err := a.app.MappingLinks(ctx, actorFrom(ctx), in.ref(), store.LinkFilter{Source: in.Source, Target: in.Target}, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, linkOf), nil
	})
	register(a, huma.Operation{
		OperationID: "list-control-links", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/controls/{id}/links", Tags: tags,
		Summary: "What mappings say of a control",
		Description: "The links of every published mapping that name this control, as source or as target (at most " +
			"500).",
	}, func(ctx context.Context, in *controlLinksInput) (*controlLinksOutput, error) {
		list, err := a.app.ControlLinks(ctx, actorFrom(ctx), in.ref(), in.ID)
		if err != nil {
			return nil, err
		}
		out := &controlLinksOutput{}
		out.Body.Items = make([]MappingLink, len(list))
		for i, l := range list {
			out.Body.Items[i] = linkOf(l)
		}
		return out, nil
	})
}
