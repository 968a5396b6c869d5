// Package api is Assure's JSON API: huma operations on the standard ServeMux,
// described by OpenAPI 3.1 at /openapi.json and documented at /docs. Handlers
// translate between HTTP and the store; the rules live below.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"assure/store"
)

// Version is the API version shown in the OpenAPI document.
const Version = "1.0.0"

// API serves Assure's JSON API.
type API struct {
	db   *store.DB
	log  *slog.Logger
	mux  *http.ServeMux
	huma huma.API
}

// New builds the API over db and registers every operation.
func New(db *store.DB, log *slog.Logger) *API {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Assure API", Version)
	cfg.Info.Description = "Supervision of the cyber security of digital financial services providers " +
		"against Recommendation ITU-T X.1150. Lists answer {\"items\": [...], \"next\": \"<cursor>\"}; " +
		"pass next as ?cursor= to read the following page. Errors are RFC 9457 problem+json."
	cfg.DocsPath = ""     // served by docs.go, without anything from the internet
	cfg.SchemasPath = ""  // schemas live in the OpenAPI document
	cfg.CreateHooks = nil // no $schema links in bodies
	cfg.RejectUnknownQueryParameters = true
	a := &API{db: db, log: log, mux: mux}
	a.huma = humago.New(mux, cfg)

	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, &Problem{Status: http.StatusNotFound, Title: http.StatusText(http.StatusNotFound),
			Detail:    "no operation at " + r.Method + " " + r.URL.Path + "; see /openapi.json",
			RequestID: RequestIDFrom(r.Context())})
	}))
	a.registerHealth()
	a.registerCatalog()
	a.registerDocs()
	return a
}

// Handler returns the API, and anything mounted beside it, wrapped in the
// common middleware.
func (a *API) Handler() http.Handler { return middleware(a.log, a.mux) }

// Mount serves h at pattern beside the API (the web UI at "/").
func (a *API) Mount(pattern string, h http.Handler) { a.mux.Handle(pattern, h) }

// OpenAPI returns the API's description.
func (a *API) OpenAPI() *huma.OpenAPI { return a.huma.OpenAPI() }

// Access says who may call an operation: Public operations need no
// credentials; the others name the policy object and action checked for them.
type Access struct {
	Public bool
	Object string
	Action string
}

// accessKey is the operation metadata key holding its Access.
const accessKey = "access"

// OperationAccess returns the Access declared for op, if any.
func OperationAccess(op *huma.Operation) (Access, bool) {
	a, ok := op.Metadata[accessKey].(Access)
	return a, ok
}

// register adds one operation. Every operation goes through here, so every
// operation declares its access and every error becomes a problem the same way.
func register[I, O any](a *API, op huma.Operation, access Access, h func(context.Context, *I) (*O, error)) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[accessKey] = access
	huma.Register(a.huma, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, problemFor(ctx, a.log, err)
		}
		return out, nil
	})
}
