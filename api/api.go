// Package api is Assure's JSON API: huma operations on the standard ServeMux,
// described by OpenAPI 3.1 at /openapi.json and documented at /docs. Handlers
// translate between HTTP and the application layer (package app), which
// holds every rule: who may act, on whose objects, and how.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"assure/app"
)

// Version is the API version shown in the OpenAPI document.
const Version = "1.0.0"

// API serves Assure's JSON API.
type API struct {
	app     *app.App
	log     *slog.Logger
	mux     *http.ServeMux
	huma    huma.API
	secure  bool         // session cookies only over HTTPS
	proxies []*net.IPNet // trusted reverse proxies
}

// Options configure the API.
type Options struct {
	// SecureCookies marks the session cookie Secure; set it whenever Assure
	// is reached over HTTPS (directly or through a proxy).
	SecureCookies bool
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For names the real caller.
	TrustedProxies []*net.IPNet
}

// New builds the API over the application layer and registers every operation.
func New(application *app.App, log *slog.Logger, opts Options) *API {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Assure API", Version)
	cfg.Info.Description = "Supervision of the cyber security of digital financial services providers " +
		"against Recommendation ITU-T X.1150. Lists answer {\"items\": [...], \"next\": \"<cursor>\"}; " +
		"pass next as ?cursor= to read the following page. Errors are RFC 9457 problem+json."
	cfg.DocsPath = ""     // served by docs.go, without anything from the internet
	cfg.SchemasPath = ""  // schemas live in the OpenAPI document
	cfg.CreateHooks = nil // no $schema links in bodies
	cfg.RejectUnknownQueryParameters = true
	cfg.Transformers = append(cfg.Transformers, fromHuma)
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "A session token from POST /api/v1/session or a personal API token."},
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "The session cookie set at sign-in."},
	}
	a := &API{app: application, log: log, mux: mux, secure: opts.SecureCookies, proxies: opts.TrustedProxies}
	a.huma = humago.New(mux, cfg)
	a.huma.UseMiddleware(a.authenticate)

	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, &Problem{Status: http.StatusNotFound, Title: http.StatusText(http.StatusNotFound),
			Detail:    "no operation at " + r.Method + " " + r.URL.Path + "; see /openapi.json",
			RequestID: RequestIDFrom(r.Context())})
	}))
	a.registerHealth()
	a.registerSession()
	a.registerUsers()
	a.registerInvitations()
	a.registerNotifications()
	a.registerIdentityRequests()
	a.registerSettings()
	a.registerAudit()
	a.registerCatalog()
	a.registerMappings()
	a.registerProviders()
	a.registerCampaigns()
	a.registerCampaignSeries()
	a.registerCalendar()
	a.registerAssessments()
	a.registerResponses()
	a.registerReview()
	a.registerEvidence()
	a.registerFindings()
	a.registerApps()
	a.registerInspections()
	a.registerIncidents()
	a.registerRisk()
	a.registerRiskProfiles()
	a.registerCalibration()
	a.registerBenchmark()
	a.registerReports()
	a.registerExports()
	a.registerQuestionnaire()
	a.registerProgress()
	a.registerRiskCell()
	a.registerDocs()
	return a
}

// Handler returns the API, and anything mounted beside it, wrapped in the
// common middleware. Cross-origin state-changing browser requests are refused,
// so the session cookie cannot be ridden by another site.
func (a *API) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, &Problem{Status: http.StatusForbidden, Title: http.StatusText(http.StatusForbidden),
			Detail: "cross-origin request refused", RequestID: RequestIDFrom(r.Context())})
	}))
	return a.middleware(cop.Handler(svgByAccept(a.mux)))
}

// svgByAccept serves a heatmap's SVG form when the client asks for
// image/svg+xml on its JSON address.
func svgByAccept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/heatmaps/") &&
			!strings.HasSuffix(r.URL.Path, ".svg") && prefersSVG(r.Header.Get("Accept")) {
			r = r.Clone(r.Context())
			r.URL.Path += ".svg"
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

// prefersSVG reports whether an Accept header ranks image/svg+xml above JSON.
func prefersSVG(accept string) bool {
	svg, js := -1, -1
	for i, part := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.Split(part, ";")[0])
		switch mt {
		case "image/svg+xml":
			if svg < 0 {
				svg = i
			}
		case "application/json", "application/*":
			if js < 0 {
				js = i
			}
		}
	}
	return svg >= 0 && (js < 0 || svg < js)
}

// Mount serves h at pattern beside the API (the web UI at "/").
func (a *API) Mount(pattern string, h http.Handler) { a.mux.Handle(pattern, h) }

// OpenAPI returns the API's description.
func (a *API) OpenAPI() *huma.OpenAPI { return a.huma.OpenAPI() }

// publicKey is the operation metadata key marking an operation that needs
// no credentials.
const publicKey = "public"

// IsPublic reports whether op needs no credentials.
func IsPublic(op *huma.Operation) bool {
	public, _ := op.Metadata[publicKey].(bool)
	return public
}

// register adds an operation for signed-in callers. What each caller may do
// is decided by the application layer the handler calls; every error becomes
// a problem the same way.
func register[I, O any](a *API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	op.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	add(a, op, false, h)
}

// registerPublic adds an operation that needs no credentials.
func registerPublic[I, O any](a *API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	add(a, op, true, h)
}

func add[I, O any](a *API, op huma.Operation, public bool, h func(context.Context, *I) (*O, error)) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[publicKey] = public
	huma.Register(a.huma, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, problemFor(ctx, a.log, err)
		}
		return out, nil
	})
	if requiresIfMatch(reflect.TypeFor[I]()) {
		documentIfMatchRequired(a.huma.OpenAPI(), op.Method, op.Path)
	}
}

// requiresIfMatch reports whether an input struct has an If-Match header
// tagged ifMatch:"required". Such an operation answers 428 when the header is
// missing (RFC 6585) rather than huma's 422, so huma is not told the header is
// required; the OpenAPI document says so instead.
func requiresIfMatch(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for f := range t.Fields() {
		if f.Tag.Get("header") == "If-Match" && f.Tag.Get("ifMatch") == "required" {
			return true
		}
	}
	return false
}

// documentIfMatchRequired marks the If-Match parameter of an operation as
// required in the OpenAPI document.
func documentIfMatchRequired(oa *huma.OpenAPI, method, path string) {
	item := oa.Paths[path]
	if item == nil {
		return
	}
	op := map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
		http.MethodPatch: item.Patch, http.MethodDelete: item.Delete}[method]
	if op == nil {
		return
	}
	for _, p := range op.Parameters {
		if p.In == "header" && p.Name == "If-Match" {
			p.Required = true
		}
	}
}
