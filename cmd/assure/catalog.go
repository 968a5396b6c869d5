package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"assure/domain"
	"assure/frameworks"
	"assure/store"
)

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("migrate", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
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
	current, _, err := db.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema is at version %d\n", current)
	return nil
}

func catalogCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("catalog needs a subcommand: list, validate FILE, publish FILE or calibrate FILE")
	}
	switch args[0] {
	case "list":
		return catalogList(ctx, args[1:], stdout, stderr)
	case "validate":
		return catalogValidate(args[1:], stdout, stderr)
	case "publish":
		return catalogPublish(ctx, args[1:], stdout, stderr)
	case "calibrate":
		return catalogCalibrate(ctx, args[1:], stdout, stderr)
	}
	return usageError(fmt.Sprintf("unknown catalog subcommand %q", args[0]))
}

func catalogList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("catalog list", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tDIMENSIONS\tSTAGES\tTHREATS\tCONTROLS\tPUBLISHED\tSHA-256\tTITLE")
	list, err := store.All(func(p store.Page) ([]store.FrameworkVersion, string, error) { return db.Frameworks(ctx, p) })
	if err != nil {
		return err
	}
	for _, f := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", f.ID, f.Version, f.Dimensions, f.Stages,
			f.Threats, f.Controls, f.PublishedAt.UTC().Format("2006-01-02 15:04"), f.Digest[:12], f.Title)
	}
	return tw.Flush()
}

// readFramework reads a framework file given on the command line, in any
// format frameworks.Read knows; version names one whose file states none.
func readFramework(args []string, what, version string) (*domain.Framework, error) {
	if len(args) != 1 {
		return nil, usageError(what + " needs exactly one FILE")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return nil, err
	}
	return frameworks.Read(filepath.Base(args[0]), data, version)
}

func catalogValidate(args []string, stdout, stderr io.Writer) error {
	fs := flagSet("catalog validate", stderr)
	version := fs.String("version", "", "the version of a file that states none (OWASP MASVS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, err := readFramework(fs.Args(), "catalog validate", *version)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: framework %s version %s is valid: %d dimensions, %d stages, %d threats, %d controls\n",
		fs.Arg(0), f.ID, f.Version, len(f.Dimensions), len(f.Stages), len(f.Threats), len(f.Controls))
	return nil
}

func catalogPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("catalog publish", stderr)
	dbURL := databaseFlag(fs)
	version := fs.String("version", "", "the version of a file that states none (OWASP MASVS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, err := readFramework(fs.Args(), "catalog publish", *version)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	outcome, err := db.PublishFramework(ctx, cliActor(), f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "framework %s version %s: %s\n", f.ID, f.Version, outcome)
	return nil
}

// catalogCalibrate publishes a risk calibration file for the framework
// version it names, and rescores the open campaigns under that version: the
// new calibration is what their scores are computed with from now on.
func catalogCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("catalog calibrate", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("catalog calibrate needs exactly one FILE")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := frameworks.ParseCalibration(filepath.Base(fs.Arg(0)), data)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	outcome, err := db.PublishCalibration(ctx, cliActor(), c)
	if err != nil {
		return err
	}
	if outcome == store.Waiting {
		return fmt.Errorf("calibration %s: framework %s version %s is not published", c.Ref(), c.Framework.ID, c.Framework.Version)
	}
	n, err := db.RescoreOutdated(ctx, cliActor())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "calibration %s for %s %s: %s; %d assessment(s) of open campaigns rescored\n", c.Ref(),
		c.Framework.ID, c.Framework.Version, outcome, n)
	return nil
}
