package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/store"
)

// writeJSON encodes v to w.
func writeJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

type auditExportInput struct {
	Actor      string    `query:"actor" maxLength:"254" doc:"A user id or email."`
	ObjectType string    `query:"object_type" maxLength:"100"`
	ObjectID   string    `query:"object_id" maxLength:"200"`
	Provider   string    `query:"provider" maxLength:"36"`
	Action     string    `query:"action" maxLength:"100"`
	From       time.Time `query:"from" doc:"Events at or after this time (RFC 3339)."`
	To         time.Time `query:"to" doc:"Events before this time (RFC 3339)."`
}

func (in auditExportInput) filter() store.AuditFilter {
	return store.AuditFilter{Actor: in.Actor, ObjectType: in.ObjectType, ObjectID: in.ObjectID,
		ProviderID: in.Provider, Action: in.Action, From: in.From, To: in.To}
}

// scope describes the export's period and filters in words.
func (in auditExportInput) scope() string {
	s := "all events"
	if !in.From.IsZero() || !in.To.IsZero() {
		s = fmt.Sprintf("events from %s to %s", when(in.From, "the start"), when(in.To, "now"))
	}
	for _, f := range []struct{ name, v string }{{"actor", in.Actor}, {"object type", in.ObjectType},
		{"object", in.ObjectID}, {"provider", in.Provider}, {"action", in.Action}} {
		if f.v != "" {
			s += fmt.Sprintf("; %s %s", f.name, f.v)
		}
	}
	return s
}

func when(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

// AuditChainHeader carries the chain's verification on an audit export.
const AuditChainHeader = app.AuditChainHeader

func (a *API) registerExports() {
	tags := []string{"Audit"}
	describe := "The audit trail for a period and scope, oldest first, up to the chain's head as verified at the " +
		"time of the export. The result of verifying the whole hash chain is in the Assure-Audit-Chain header " +
		"(\"ok; checked=…; head-seq=…; head-hash=…; checked-at=…\" or \"broken; first-bad=…; …\"), and in the " +
		"workbook's Verification sheet; line 1 of the CSV is its column header. The export itself is audited."
	export := func(format string) func(ctx context.Context, in *auditExportInput) (*huma.StreamResponse, error) {
		return func(ctx context.Context, in *auditExportInput) (*huma.StreamResponse, error) {
			f, err := a.app.AuditExport(ctx, actorFrom(ctx), in.filter(), format, in.scope())
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				hctx.SetHeader(AuditChainHeader, f.Chain.Header())
				fileResponse(f.File).Body(hctx)
			}}, nil
		}
	}
	register(a, huma.Operation{
		OperationID: "export-audit-csv", Method: http.MethodGet, Path: "/api/v1/audit/export.csv", Tags: tags,
		Summary: "Export the audit trail (csv)", Description: describe,
		Responses: binaryResponse(app.MediaType("csv")),
	}, export("csv"))
	register(a, huma.Operation{
		OperationID: "export-audit-xlsx", Method: http.MethodGet, Path: "/api/v1/audit/export.xlsx", Tags: tags,
		Summary: "Export the audit trail (xlsx)", Description: describe,
		Responses: binaryResponse(app.MediaType("xlsx")),
	}, export("xlsx"))
	register(a, huma.Operation{
		OperationID: "export-audit-zip", Method: http.MethodGet, Path: "/api/v1/audit/export.zip", Tags: tags,
		Summary: "Export the audit trail with its verification (zip)",
		Description: describe + " The archive holds audit-trail.csv and verification.json: the chain's verification, " +
			"the filter, how each event's hash is computed, and the SHA-256 of audit-trail.csv.",
		Responses: binaryResponse(app.MediaType("zip")),
	}, export("zip"))
}
