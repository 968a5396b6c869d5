package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// AuditEvents lists audit events matching the filter, newest first.
func (a *App) AuditEvents(ctx context.Context, actor domain.Actor, f store.AuditFilter, page store.Page) ([]domain.Event, string, error) {
	if err := a.permit(ctx, actor, "audit", "read"); err != nil {
		return nil, "", err
	}
	return a.db.AuditEvents(ctx, actor, f, page)
}

// VerifyAudit recomputes the whole hash chain.
func (a *App) VerifyAudit(ctx context.Context, actor domain.Actor) (store.Verification, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return store.Verification{}, err
	}
	return a.db.VerifyAudit(ctx)
}

// AuditExport writes the audit trail matching the filter as csv or xlsx,
// stating the verification of the whole chain at the time, and records the
// export. scope describes the filter in words for the file.
func (a *App) AuditExport(ctx context.Context, actor domain.Actor, f store.AuditFilter, format, scope string) (*File, error) {
	if err := a.permit(ctx, actor, "audit", "export"); err != nil {
		return nil, err
	}
	if format != "csv" && format != "xlsx" {
		return nil, domain.Errorf(domain.ENotFound, "no such export: ask for csv or xlsx")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, domain.Invalid("bad time range", []domain.Problem{{Location: "query.to", Message: "must be after from"}})
	}
	v, err := a.db.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	verification := reports.AuditVerification{OK: v.OK, Checked: v.Checked, FirstBad: v.FirstBad, CheckedAt: time.Now().UTC()}
	events := func(emit func(domain.Event) error) error { return a.db.EachAuditEvent(ctx, actor, f, emit) }
	name := fmt.Sprintf("audit-trail-%s.%s", time.Now().UTC().Format("20060102-150405"), format)
	return spool(name, format, func(w io.Writer) error {
		if format == "csv" {
			return reports.WriteAuditCSV(w, verification, events)
		}
		return reports.WriteAuditXLSX(w, verification, scope, events)
	}, func() error {
		return a.db.RecordEvent(ctx, actor, "audit.export", "audit", "", "",
			map[string]any{"format": format, "scope": scope, "chain_ok": v.OK})
	})
}
