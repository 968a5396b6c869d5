package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"assure/api"
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
	out := fs.String("o", "", "output file (required)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case *format != "pdf" && *format != "xlsx":
		return usageError("--format must be pdf or xlsx")
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
	actor := cliActor()
	rep := api.NewReporter(db)
	f, err := os.CreateTemp(".", ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if kind == "assessment" {
		err = rep.WriteAssessment(ctx, actor, *id, *format, f)
		if err == nil {
			err = db.RecordEvent(ctx, actor, "report.export", "assessment", *id, "",
				map[string]any{"report": "assessment", "format": *format, "file": *out})
		}
	} else {
		err = rep.WriteSector(ctx, actor, *campaign, *basis, *format, f, nil)
		if err == nil {
			err = db.RecordEvent(ctx, actor, "report.export", "campaign", *campaign, "",
				map[string]any{"report": "sector", "format": *format, "file": *out})
		}
	}
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
