package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "keygen":
			return auditKeygenCmd(args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "verify" {
		return usageError("audit needs a subcommand: verify, checkpoint or keygen")
	}
	fs := flagSet("audit verify", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !v.OK {
		fmt.Fprintf(stdout, "audit chain BROKEN: %d events checked, first bad event is %d\n", v.Checked, *v.FirstBad)
		return errors.New("the audit trail does not verify")
	}
	fmt.Fprintf(stdout, "audit chain ok: %d events checked\n", v.Checked)
	return nil
}
