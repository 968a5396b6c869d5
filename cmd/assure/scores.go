package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// scoresCmd checks or rebuilds the stored risk scores. They are kept current
// on every write; these are tools for after a restore or a manual repair.
func scoresCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "rebuild") {
		return usageError("scores needs a subcommand: check or rebuild")
	}
	fs := flagSet("scores "+args[0], stderr)
	dbURL := databaseFlag(fs)
	campaign := fs.String("campaign", "", "only this campaign (rebuild)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "rebuild" {
		n, err := db.RebuildScores(ctx, cliActor(), *campaign)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt the scores of %d assessments\n", n)
		return nil
	}
	n, problems, err := db.CheckAllScores(ctx)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return errors.New("stored scores differ from their data; run assure scores rebuild")
	}
	fmt.Fprintf(stdout, "scores ok: %d assessments checked\n", n)
	return nil
}
