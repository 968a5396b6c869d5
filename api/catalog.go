package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Catalog responses.

type frameworkCounts struct {
	Dimensions int `json:"dimensions"`
	Stages     int `json:"stages"`
	Threats    int `json:"threats"`
	Controls   int `json:"controls"`
}

// Framework is a published framework version.
type Framework struct {
	ID           string               `json:"id" example:"x1150"`
	Version      string               `json:"version" example:"1.0"`
	Title        string               `json:"title"`
	Source       string               `json:"source,omitempty"`
	Notes        string               `json:"notes,omitempty"`
	SHA256       string               `json:"content_sha256" doc:"SHA-256 of the version's canonical content; it never changes."`
	PublishedAt  time.Time            `json:"published_at"`
	Counts       frameworkCounts      `json:"counts"`
	Implementers []domain.Implementer `json:"implementers,omitempty" doc:"Parties that carry out controls (single framework only)."`
	AuditGroups  []domain.AuditGroup  `json:"audit_groups,omitempty" doc:"Groups under which auditors examine controls (single framework only)."`
	Levels       []domain.Level       `json:"levels,omitempty" doc:"Levels of assessment the framework offers, such as testing profiles (single framework only)."`
	Licence      string               `json:"licence,omitempty" doc:"The licence and attribution of an imported standard."`
}

func frameworkOf(v store.FrameworkVersion) Framework {
	return Framework{
		ID: v.ID, Version: v.Version, Title: v.Title, Source: v.Source, Notes: v.Notes, SHA256: v.Digest,
		PublishedAt:  v.PublishedAt.UTC(),
		Counts:       frameworkCounts{Dimensions: v.Dimensions, Stages: v.Stages, Threats: v.Threats, Controls: v.Controls},
		Implementers: v.Implementers, AuditGroups: v.AuditGroups, Levels: v.Levels, Licence: v.Licence,
	}
}

// ThreatControlRef is a control seen from a threat it mitigates.
type ThreatControlRef struct {
	ID      string `json:"id" example:"C45"`
	Section string `json:"section" example:"9.1a"`
	Title   string `json:"title"`
	Primary bool   `json:"primary" doc:"Whether the threat is the control's primary threat."`
}

// Threat is a threat with its default risk.
type Threat struct {
	ID                  string             `json:"id" example:"T10"`
	Number              int                `json:"number" example:"10"`
	Name                string             `json:"name"`
	Description         string             `json:"description"`
	Stages              []string           `json:"stages" doc:"Value-chain stages the threat targets."`
	Dimensions          []string           `json:"dimensions" doc:"X.805 security dimensions it concerns."`
	Likelihood          int                `json:"likelihood" minimum:"1" maximum:"5" doc:"Default inherent likelihood (1–5)."`
	LikelihoodRationale string             `json:"likelihood_rationale"`
	Impact              int                `json:"impact" minimum:"1" maximum:"5" doc:"Default inherent impact (1–5)."`
	ImpactRationale     string             `json:"impact_rationale"`
	Controls            []ThreatControlRef `json:"controls,omitempty" doc:"Mitigating controls, primary links first (single threat only)."`
}

func threatOf(t domain.Threat) Threat {
	return Threat{ID: t.ID, Number: t.Number, Name: t.Name, Description: t.Description,
		Stages: nonNil(t.Stages), Dimensions: nonNil(t.Dimensions),
		Likelihood: t.Likelihood, LikelihoodRationale: t.LikelihoodRationale,
		Impact: t.Impact, ImpactRationale: t.ImpactRationale}
}

// ControlThreatRef is a threat seen from a control that mitigates it.
type ControlThreatRef struct {
	ID      string `json:"id" example:"T1"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// Control is a control of a framework.
type Control struct {
	ID           string             `json:"id" example:"C1"`
	Section      string             `json:"section" example:"1.1"`
	Title        string             `json:"title"`
	Description  string             `json:"description"`
	Dimensions   []string           `json:"dimensions"`
	Implementers []string           `json:"implementers"`
	Channels     []string           `json:"channels" doc:"When not empty, the control concerns only providers offering one of these channels."`
	AuditGroup   string             `json:"audit_group"`
	Question     string             `json:"question" doc:"The audit question a supervisor asks."`
	Evidence     string             `json:"evidence" doc:"The evidence a supervisor should expect."`
	Threats      []ControlThreatRef `json:"threats" doc:"Threats the control mitigates, the primary one first; none in a framework without threats."`
	Levels       []string           `json:"levels" doc:"Levels of assessment the control belongs to, when the framework has levels."`
	PolicyArea   string             `json:"policy_area,omitempty" doc:"The policy area under which an auditor looks for the control."`
}

func controlOf(c store.ControlDetail) Control {
	out := Control{ID: c.ID, Section: c.Section, Title: c.Title, Description: c.Description,
		Dimensions: nonNil(c.Dimensions), Implementers: nonNil(c.Implementers), Channels: nonNil(c.Channels),
		AuditGroup: c.AuditGroup, Question: c.Question, Evidence: c.Evidence, Levels: nonNil(c.Levels), PolicyArea: c.PolicyArea,
		Threats: make([]ControlThreatRef, len(c.Threats))}
	for i, t := range c.Threats {
		out.Threats[i] = ControlThreatRef(t)
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Catalog requests.

type FrameworkParams struct {
	Framework string `path:"fw" maxLength:"100" example:"x1150" doc:"Framework id."`
	Version   string `query:"version" maxLength:"100" doc:"Framework version; the latest published one when absent."`
}

func (p FrameworkParams) ref() store.FrameworkRef {
	return store.FrameworkRef{ID: p.Framework, Version: p.Version}
}

type listFrameworksInput struct {
	ListParams
}

type changesInput struct {
	FrameworkParams
	From string `query:"from" maxLength:"100" doc:"The earlier version; the one published before when absent."`
}

type changesOutput struct {
	Body struct {
		From  string                 `json:"from,omitempty" doc:"The version compared from; absent for the first version."`
		To    string                 `json:"to"`
		Items []domain.CatalogChange `json:"items"`
	}
}

type getFrameworkInput struct {
	FrameworkParams
}

type frameworkOutput struct {
	Body Framework
}

type listInFrameworkInput struct {
	FrameworkParams
	ListParams
}

type getThreatInput struct {
	FrameworkParams
	ID string `path:"id" maxLength:"100" example:"T10" doc:"Threat id."`
}

type threatOutput struct {
	Body Threat
}

type listControlsInput struct {
	FrameworkParams
	ListParams
	Dimension   string `query:"dimension" maxLength:"100" doc:"Only controls tagged with this dimension id."`
	Stage       string `query:"stage" maxLength:"100" doc:"Only controls whose primary threat targets this stage id."`
	Threat      string `query:"threat" maxLength:"100" doc:"Only controls mitigating this threat id, primarily or not."`
	Implementer string `query:"implementer" maxLength:"100" doc:"Only controls this implementer id carries out."`
	Group       string `query:"group" maxLength:"100" doc:"Only controls of this audit group id."`
	Level       string `query:"level" maxLength:"100" doc:"Only controls of this level id (such as a testing profile)."`
	Q           string `query:"q" maxLength:"200" doc:"Words to search in the control's id, section, title, description, question and evidence."`
}

type getControlInput struct {
	FrameworkParams
	ID string `path:"id" maxLength:"100" example:"C1" doc:"Control id."`
}

type controlOutput struct {
	Body Control
}

// catalogRead is the access every catalog read needs.

func (a *API) registerCatalog() {
	tags := []string{"Catalog"}
	a.registerCatalogPublish(tags)
	register(a, huma.Operation{
		OperationID: "list-frameworks", Method: http.MethodGet, Path: "/api/v1/frameworks", Tags: tags,
		Summary: "List published frameworks", Description: "Every published framework version, oldest first.",
	}, func(ctx context.Context, in *listFrameworksInput) (*ListOutput[Framework], error) {
		list, next, err := a.app.Frameworks(ctx, actorFrom(ctx), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, frameworkOf), nil
	})

	register(a, huma.Operation{
		OperationID: "list-framework-changes", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/changes", Tags: tags,
		Summary: "What changed between two versions",
		Description: "The controls and threats added, removed or changed from an earlier version of the framework " +
			"(from; the version published before when absent) to this one, with the fields that changed.",
	}, func(ctx context.Context, in *changesInput) (*changesOutput, error) {
		c, err := a.app.Changes(ctx, actorFrom(ctx), in.ref(), in.From)
		if err != nil {
			return nil, err
		}
		out := &changesOutput{}
		out.Body.From, out.Body.To, out.Body.Items = c.From, c.To, nonNil(c.Changes)
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "get-framework-oscal", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/oscal", Tags: tags,
		Summary: "A framework as an OSCAL catalog",
		Description: "One framework version as an OSCAL " + domain.OSCALVersion + " catalog in JSON: audit groups as " +
			"groups, controls with their question and evidence as parts, Assure's fields as props in its namespace, and " +
			"threats, dimensions, stages, implementers and levels as back-matter resources. The same version always " +
			"gives the same document; uploading it as a catalog gives the same framework back.",
		Responses: binaryResponse("application/json"),
	}, func(ctx context.Context, in *getFrameworkInput) (*huma.StreamResponse, error) {
		b, name, err := a.app.FrameworkOSCAL(ctx, actorFrom(ctx), in.ref())
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			attachment(hctx, name, "application/json", int64(len(b)))
			hctx.BodyWriter().Write(b)
		}}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-framework", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}", Tags: tags,
		Summary: "Get a framework", Description: "One framework version with its counts, implementers and audit groups.",
	}, func(ctx context.Context, in *getFrameworkInput) (*frameworkOutput, error) {
		v, err := a.app.Framework(ctx, actorFrom(ctx), in.ref())
		if err != nil {
			return nil, err
		}
		return &frameworkOutput{Body: frameworkOf(v)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-dimensions", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/dimensions", Tags: tags,
		Summary: "List security dimensions", Description: "The framework's X.805 security dimensions in catalog order.",
	}, func(ctx context.Context, in *listInFrameworkInput) (*ListOutput[domain.Dimension], error) {
		list, next, err := a.app.Dimensions(ctx, actorFrom(ctx), in.ref(), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, func(d domain.Dimension) domain.Dimension { return d }), nil
	})

	register(a, huma.Operation{
		OperationID: "list-stages", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/stages", Tags: tags,
		Summary: "List value-chain stages", Description: "The framework's value-chain stages in catalog order.",
	}, func(ctx context.Context, in *listInFrameworkInput) (*ListOutput[domain.Stage], error) {
		list, next, err := a.app.Stages(ctx, actorFrom(ctx), in.ref(), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, func(s domain.Stage) domain.Stage { return s }), nil
	})

	register(a, huma.Operation{
		OperationID: "list-threats", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/threats", Tags: tags,
		Summary: "List threats", Description: "The framework's threats with their default likelihood and impact.",
	}, func(ctx context.Context, in *listInFrameworkInput) (*ListOutput[Threat], error) {
		list, next, err := a.app.Threats(ctx, actorFrom(ctx), in.ref(), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, threatOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-threat", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/threats/{id}", Tags: tags,
		Summary: "Get a threat", Description: "One threat with the controls that mitigate it.",
	}, func(ctx context.Context, in *getThreatInput) (*threatOutput, error) {
		t, err := a.app.Threat(ctx, actorFrom(ctx), in.ref(), in.ID)
		if err != nil {
			return nil, err
		}
		out := threatOf(t.Threat)
		out.Controls = make([]ThreatControlRef, len(t.Controls))
		for i, c := range t.Controls {
			out.Controls[i] = ThreatControlRef(c)
		}
		return &threatOutput{Body: out}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-controls", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/controls", Tags: tags,
		Summary: "List controls",
		Description: "The framework's controls in catalog order, optionally narrowed by dimension, stage, threat, " +
			"implementer, audit group, level and text. A filter naming something the framework does not define is a 422.",
	}, func(ctx context.Context, in *listControlsInput) (*ListOutput[Control], error) {
		filter := store.ControlFilter{Dimension: in.Dimension, Stage: in.Stage, Threat: in.Threat,
			Implementer: in.Implementer, AuditGroup: in.Group, Level: in.Level, Query: in.Q}
		list, next, err := a.app.Controls(ctx, actorFrom(ctx), in.ref(), filter, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, controlOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-control", Method: http.MethodGet, Path: "/api/v1/frameworks/{fw}/controls/{id}", Tags: tags,
		Summary: "Get a control", Description: "One control with the threats it mitigates.",
	}, func(ctx context.Context, in *getControlInput) (*controlOutput, error) {
		c, err := a.app.Control(ctx, actorFrom(ctx), in.ref(), in.ID)
		if err != nil {
			return nil, err
		}
		return &controlOutput{Body: controlOf(c)}, nil
	})
}
