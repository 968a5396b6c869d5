// Package api is Assure's JSON API: huma operations on the standard ServeMux,
// described by OpenAPI 3.1 at /openapi.json and documented at /docs. Handlers
// translate between HTTP and the store; the rules live below.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"assure/domain"
	"assure/policies"
	"assure/store"
)

// Version is the API version shown in the OpenAPI document.
const Version = "1.0.0"

// API serves Assure's JSON API.
type API struct {
	db     *store.DB
	authz  *policies.Authorizer
	log    *slog.Logger
	mux    *http.ServeMux
	huma   huma.API
	secure bool // session cookies only over HTTPS

	maxEvidence int64 // bytes per evidence file

	proxies            []*net.IPNet // trusted reverse proxies
	reporter           *Reporter
	sectorJobThreshold int // campaigns with more assessments get sector reports in the background
}

// Options configure the API.
type Options struct {
	// SecureCookies marks the session cookie Secure; set it whenever Assure
	// is reached over HTTPS (directly or through a proxy).
	SecureCookies bool
	// MaxEvidenceBytes limits one evidence file; 0 means the default (25 MB).
	MaxEvidenceBytes int64
	// SectorJobThreshold is the number of assessments above which a sector
	// report is made in the background; 0 means 200.
	SectorJobThreshold int
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For names the real caller.
	TrustedProxies []*net.IPNet
}

// New builds the API over db and registers every operation.
func New(db *store.DB, authz *policies.Authorizer, log *slog.Logger, opts Options) *API {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Assure API", Version)
	cfg.Info.Description = "Supervision of the cyber security of digital financial services providers " +
		"against Recommendation ITU-T X.1150. Lists answer {\"items\": [...], \"next\": \"<cursor>\"}; " +
		"pass next as ?cursor= to read the following page. Errors are RFC 9457 problem+json."
	cfg.DocsPath = ""     // served by docs.go, without anything from the internet
	cfg.SchemasPath = ""  // schemas live in the OpenAPI document
	cfg.CreateHooks = nil // no $schema links in bodies
	cfg.RejectUnknownQueryParameters = true
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "A session token from POST /api/v1/session or a personal API token."},
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "The session cookie set at sign-in."},
	}
	a := &API{db: db, authz: authz, log: log, mux: mux, secure: opts.SecureCookies, maxEvidence: opts.MaxEvidenceBytes}
	if a.maxEvidence <= 0 {
		a.maxEvidence = domain.DefaultMaxEvidenceBytes
	}
	a.reporter = NewReporter(db)
	a.proxies = opts.TrustedProxies
	a.sectorJobThreshold = opts.SectorJobThreshold
	if a.sectorJobThreshold <= 0 {
		a.sectorJobThreshold = 200
	}
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
	a.registerSettings()
	a.registerAudit()
	a.registerCatalog()
	a.registerProviders()
	a.registerCampaigns()
	a.registerAssessments()
	a.registerResponses()
	a.registerEvidence()
	a.registerFindings()
	a.registerRisk()
	a.registerReports()
	a.registerExports()
	a.registerQuestionnaire()
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
	return middleware(a.log, cop.Handler(svgByAccept(a.mux)))
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
	if !access.Public {
		op.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	}
	huma.Register(a.huma, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, problemFor(ctx, a.log, err)
		}
		return out, nil
	})
}
