package app

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// checkAuditRange refuses a time range that ends before it starts.
func checkAuditRange(f store.AuditFilter) error {
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return domain.Invalid("bad time range", []domain.Problem{{Location: "query.to", Message: "must be after from"}})
	}
	return nil
}

// AuditEvents lists audit events matching the filter, newest first. A range
// whose end is not after its start is EInvalid.
func (a *App) AuditEvents(ctx context.Context, actor domain.Actor, f store.AuditFilter, page store.Page) ([]domain.Event, string, error) {
	if err := a.permit(ctx, actor, "audit", "read"); err != nil {
		return nil, "", err
	}
	if err := checkAuditRange(f); err != nil {
		return nil, "", err
	}
	return a.db.AuditEvents(ctx, actor, f, page)
}

// AuditWindow returns a page of the audit events matching the filter,
// newest first, with cursors to the older and newer pages. A bad cursor or
// range is EInvalid.
func (a *App) AuditWindow(ctx context.Context, actor domain.Actor, f store.AuditFilter, cursor string, limit int) (store.AuditWindow, error) {
	if err := a.permit(ctx, actor, "audit", "read"); err != nil {
		return store.AuditWindow{}, err
	}
	if err := checkAuditRange(f); err != nil {
		return store.AuditWindow{}, err
	}
	return a.db.AuditWindow(ctx, actor, f, cursor, limit)
}

// AuditEvent returns one audit event by its sequence number; one the actor
// may not see is ENotFound.
func (a *App) AuditEvent(ctx context.Context, actor domain.Actor, seq int64) (domain.Event, error) {
	if err := a.permit(ctx, actor, "audit", "read"); err != nil {
		return domain.Event{}, err
	}
	return a.db.AuditEvent(ctx, actor, seq)
}

// AuditChoices are the values an audit filter offers: the actions, object
// types and actors' emails found in the trail the actor may read.
type AuditChoices struct {
	Actions, ObjectTypes, Actors []string
}

// AuditChoices lists what an audit filter may pick from, each list bounded
// by store.MaxAuditChoices.
func (a *App) AuditChoices(ctx context.Context, actor domain.Actor) (AuditChoices, error) {
	var c AuditChoices
	if err := a.permit(ctx, actor, "audit", "read"); err != nil {
		return c, err
	}
	var err error
	if c.Actions, err = a.db.AuditChoices(ctx, actor, "action"); err != nil {
		return c, err
	}
	if c.ObjectTypes, err = a.db.AuditChoices(ctx, actor, "object_type"); err != nil {
		return c, err
	}
	c.Actors, err = a.db.AuditChoices(ctx, actor, "actor_email")
	return c, err
}

// VerifyAudit recomputes the whole hash chain.
func (a *App) VerifyAudit(ctx context.Context, actor domain.Actor) (store.Verification, error) {
	if err := a.permit(ctx, actor, "audit", "verify"); err != nil {
		return store.Verification{}, err
	}
	return a.db.VerifyAudit(ctx)
}

// AuditChainHeader is the HTTP header in which both faces send an audit
// export's chain verification (reports.AuditVerification.Header).
const AuditChainHeader = "Assure-Audit-Chain"

// AuditFile is an audit export and the verification of the chain it was
// made under, for the face to state beside the file.
type AuditFile struct {
	*File
	Chain reports.AuditVerification
}

// AuditExport verifies the whole chain, then writes the audit trail matching
// the filter up to the verified head, so that the file holds no event the
// verification did not check: as csv, as xlsx (whose first sheet states the
// verification) or as zip, a bundle of the csv and verification.json naming
// the csv's SHA-256. It records the export. scope describes the filter in
// words for the file. An unknown format is ENotFound; a bad range EInvalid.
func (a *App) AuditExport(ctx context.Context, actor domain.Actor, f store.AuditFilter, format, scope string) (*AuditFile, error) {
	if err := a.permit(ctx, actor, "audit", "export"); err != nil {
		return nil, err
	}
	if format != "csv" && format != "xlsx" && format != "zip" {
		return nil, domain.Errorf(domain.ENotFound, "no such export: ask for csv, xlsx or zip")
	}
	if err := checkAuditRange(f); err != nil {
		return nil, err
	}
	v, err := a.db.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	chain := reports.AuditVerification{OK: v.OK, Checked: v.Checked, FirstBad: v.FirstBad, HeadSeq: v.HeadSeq,
		HeadHash: v.HeadHash, CheckedAt: v.CheckedAt}
	f.Through = v.HeadSeq
	events := func(emit func(domain.Event) error) error { return a.db.EachAuditEvent(ctx, actor, f, emit) }
	name := fmt.Sprintf("audit-trail-%s.%s", v.CheckedAt.Format("20060102-150405"), format)
	file, err := spool(name, format, func(w io.Writer) error {
		switch format {
		case "csv":
			_, err := reports.WriteAuditCSV(w, events)
			return err
		case "xlsx":
			return reports.WriteAuditXLSX(w, chain, scope, events)
		}
		return reports.WriteAuditBundle(w, chain, auditFilterFields(f), scope, v.HeadSeq, events)
	}, func() error {
		return a.db.RecordEvent(ctx, actor, "audit.export", "audit", "", "",
			map[string]any{"format": format, "scope": scope, "chain_ok": v.OK, "head_seq": v.HeadSeq})
	})
	if err != nil {
		return nil, err
	}
	return &AuditFile{File: file, Chain: chain}, nil
}

// auditFilterFields names the filter's fields in use, as verification.json
// states them.
func auditFilterFields(f store.AuditFilter) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"actor": f.Actor, "object_type": f.ObjectType, "object_id": f.ObjectID,
		"provider_id": f.ProviderID, "action": f.Action} {
		if v != "" {
			out[k] = v
		}
	}
	if !f.From.IsZero() {
		out["from"] = f.From.UTC().Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		out["to"] = f.To.UTC().Format(time.RFC3339)
	}
	if f.Through > 0 {
		out["through_seq"] = strconv.FormatInt(f.Through, 10)
	}
	return out
}
