package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"assure/demo"
	"assure/domain"
)

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "scale" {
		return seedScale(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "demo" {
		return usageError("seed needs a subcommand: demo or scale")
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

// seedScale fills an empty database with a national-scale sector for
// measuring (make bench): every invariant holds, so scores check and
// audit verify pass on it.
func seedScale(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("seed scale", stderr)
	dbURL := databaseFlag(fs)
	providers := fs.Int("providers", 2000, "number of providers")
	campaigns := fs.Int("campaigns", 8, "number of half-yearly campaigns (the newest open)")
	events := fs.Int("audit-events", 100000, "at least this many audit events")
	seed := fs.Uint64("seed", 1, "seed of the generated data: the same seed makes the same data")
	asOf := fs.String("as-of", "", "the day the history leads up to, YYYY-MM-DD (default today)")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec := demo.ScaleSpec{Providers: *providers, Campaigns: *campaigns, AuditEvents: *events, Seed: *seed}
	if *asOf != "" {
		d, err := domain.ParseDate(*asOf)
		if err != nil {
			return usageError("--as-of: " + err.Error())
		}
		spec.AsOf = d.Time()
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
	start := time.Now()
	sum, err := demo.LoadScale(ctx, db, spec, func(step string) {
		fmt.Fprintf(stderr, "%6.1fs  %s\n", time.Since(start).Seconds(), step)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Seeded %d providers, %d users, %d campaigns, %d assessments, %d responses, %d submissions, "+
		"%d findings and %d audit events in %s.\nEvery user's password is %s (supervisor1%s, auditor%s, p00001-admin%s …).\n",
		sum.Providers, sum.Users, sum.Campaigns, sum.Assessments, sum.Responses, sum.Submissions, sum.Findings,
		sum.AuditEvents, time.Since(start).Round(time.Second), demo.ScalePassword, "@scale.assure.local",
		"@scale.assure.local", "@scale.assure.local")
	return nil
}
