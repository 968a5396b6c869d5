package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"assure/demo"
)

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "demo" {
		return usageError("seed needs a subcommand: demo")
	}
	fs := flagSet("seed demo", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := publishEmbedded(ctx, db, newLogger(io.Discard)); err != nil {
		return err
	}
	logins, err := demo.Load(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo logins (password %s):\n", demo.Password)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Email, l.Role, l.Provider)
	}
	return tw.Flush()
}
