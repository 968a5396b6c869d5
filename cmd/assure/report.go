package main

import (
	"assure/app"
	"assure/domain"
	"assure/policies"
	"assure/store"
	"context"
	"fmt"
	"io"
	"math"
	"os"
)

// reportCmd writes an assessment or sector report to a file, for auditors
// and scripts. The operator at the terminal sees everything; the export is
// audited like any other.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "assessment" && args[0] != "sector") {
		return usageError("report needs a subcommand: assessment or sector")
	}
	kind := args[0]
	fs := flagSet("report "+kind, stderr)
	dbURL := databaseFlag(fs)
	id := fs.String("id", "", "assessment id (report assessment)")
	campaign := fs.String("campaign", "", "campaign id (report sector)")
	basis := fs.String("basis", "", "filed (default) or current (report sector)")
	format := fs.String("format", "pdf", "pdf or xlsx")
	lang := fs.String("lang", "en", "language of the report: en or fr")
	out := fs.String("o", "", "output file (required)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case *format != "pdf" && *format != "xlsx":
		return usageError("--format must be pdf or xlsx")
	case !domain.Language(*lang).Valid():
		return usageError("--lang must be en or fr")
	case *out == "":
		return usageError("-o FILE is required")
	case kind == "assessment" && *id == "":
		return usageError("--id is required")
	case kind == "sector" && *campaign == "":
		return usageError("--campaign is required")
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	authz, err := policies.New()
	if err != nil {
		return err
	}
	application := app.New(db, authz, newLogger(stderr), app.Options{SectorJobThreshold: math.MaxInt})
	var file *app.File
	if kind == "assessment" {
		file, err = application.AssessmentReport(ctx, cliActor(), *id, *format, domain.Language(*lang))
	} else {
		var r app.SectorReport
		r, err = application.SectorReport(ctx, cliActor(), *format,
			store.ReportParams{CampaignID: *campaign, Basis: *basis, Language: domain.Language(*lang)})
		file = r.File
	}
	if err != nil {
		return err
	}
	defer file.Close()
	f, err := os.CreateTemp(".", ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = file.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), *out); err != nil {
		return err
	}
	info, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, info.Size())
	return nil
}
