package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/reports"
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

func (a *API) registerExports() {
	tags := []string{"Audit"}
	for _, format := range []string{"csv", "xlsx"} {
		register(a, huma.Operation{
			OperationID: "export-audit-" + format, Method: http.MethodGet, Path: "/api/v1/audit/export." + format, Tags: tags,
			Summary: "Export the audit trail (" + format + ")",
			Description: "The audit trail for a period and scope, oldest first, streamed. The file states the result " +
				"of verifying the whole hash chain at the time of the export. The export itself is audited.",
			Responses: map[string]*huma.Response{"200": {Description: "The export.", Content: map[string]*huma.MediaType{
				mediaTypes[format]: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
		}, Access{Object: "audit", Action: "export"}, func(ctx context.Context, in *auditExportInput) (*huma.StreamResponse, error) {
			actor := actorFrom(ctx)
			if !in.From.IsZero() && !in.To.IsZero() && !in.From.Before(in.To) {
				return nil, domain.Invalid("bad time range", []domain.Problem{{Location: "query.to", Message: "must be after from"}})
			}
			v, err := a.db.VerifyAudit(ctx)
			if err != nil {
				return nil, err
			}
			verification := reports.AuditVerification{OK: v.OK, Checked: v.Checked, FirstBad: v.FirstBad, CheckedAt: time.Now().UTC()}
			events := func(emit func(domain.Event) error) error {
				return a.db.EachAuditEvent(ctx, actor, in.filter(), emit)
			}
			name := fmt.Sprintf("audit-trail-%s.%s", time.Now().UTC().Format("20060102-150405"), format)
			return a.spooled(ctx, name, format, func(w io.Writer) error {
				if format == "csv" {
					return reports.WriteAuditCSV(w, verification, events)
				}
				return reports.WriteAuditXLSX(w, verification, in.scope(), events)
			}, func() error {
				return a.db.RecordEvent(ctx, actor, "audit.export", "audit", "", "",
					map[string]any{"format": format, "scope": in.scope(), "chain_ok": v.OK})
			})
		})
	}
}
