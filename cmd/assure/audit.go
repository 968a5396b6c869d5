package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"assure/app"
	"assure/domain"
	"assure/store"
)

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("audit needs a subcommand: verify, checkpoint, prove or keygen")
	}
	switch args[0] {
	case "prove":
		return auditProveCmd(ctx, args[1:], stdout, stderr)
	case "verify":
		return auditVerifyCmd(ctx, args[1:], stdout, stderr)
	case "checkpoint":
		return auditCheckpointCmd(ctx, args[1:], stdout, stderr)
	case "keygen":
		return auditKeygenCmd(args[1:], stdout, stderr)
	}
	return usageError("audit needs a subcommand: verify, checkpoint, prove or keygen")
}

// auditProveCmd proves one event in the history a checkpoint signs, with
// the checkpoint's signed Merkle root and an inclusion proof alone: the
// chain is not read, and the database is trusted for nothing, as a proof it
// made up would not lead to the signed root.
func auditProveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("audit prove", stderr)
	dbURL := databaseFlag(fs)
	seq := fs.Int64("seq", 0, "the event to prove (required)")
	file := fs.String("checkpoint", "", "the checkpoint file to prove it against (required)")
	pubFile := fs.String("public-key", "", "public key file that verifies the checkpoint's signature")
	keyFile := auditKeyFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *seq < 1 || *file == "" {
		return usageError("audit prove needs --seq N and --checkpoint FILE")
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("read checkpoint: %w", err)
	}
	c, err := domain.ParseCheckpoint(b)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	pub, err := checkpointPublicKey(*pubFile, *keyFile)
	if err != nil {
		return err
	}
	if err := c.Verify(pub); err != nil {
		return err
	}
	if c.TreeRoot == "" {
		return fmt.Errorf("%s signs no Merkle tree head (an older checkpoint): check it with assure audit verify --checkpoint", *file)
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.AuditInclusionProof(ctx, *seq, c.TreeSize)
	if err != nil {
		return err
	}
	if err := c.VerifyEventInclusion(*seq, p.EventHash, p.Proof); err != nil {
		fmt.Fprintf(stdout, "event %d (hash %s) FAILS against %s\n", *seq, p.EventHash, *file)
		return err
	}
	fmt.Fprintf(stdout, "event %d (hash %s) is in the history signed by %s: %d proof hashes lead to its tree root %s\n",
		*seq, p.EventHash, *file, len(p.Proof), c.TreeRoot)
	return nil
}

// auditVerifyCmd recomputes the chain and, given checkpoint files (after
// --checkpoint or as arguments, so a shell glob works), proves that the
// chain still extends each of them.
func auditVerifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("audit verify", stderr)
	dbURL := databaseFlag(fs)
	var files []string
	fs.Func("checkpoint", "a checkpoint file the chain must extend (repeatable)", func(s string) error {
		files = append(files, s)
		return nil
	})
	pubFile := fs.String("public-key", "", "public key file that verifies the checkpoints' signatures")
	keyFile := auditKeyFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	files = append(files, fs.Args()...)
	var cps []domain.Checkpoint
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read checkpoint: %w", err)
		}
		c, err := domain.ParseCheckpoint(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		cps = append(cps, c)
	}
	var pub ed25519.PublicKey
	if len(cps) > 0 {
		var err error
		if pub, err = checkpointPublicKey(*pubFile, *keyFile); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	progress := func(int64, int64) {}
	terminal := isTerminal(stderr)
	if terminal {
		progress = func(checked, head int64) { fmt.Fprintf(stderr, "\rchecked %d of %d events", checked, head) }
	}
	v, checks, err := db.VerifyAuditCheckpointsProgress(ctx, pub, cps, 100000, progress)
	if terminal {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	if v.FirstBad != nil {
		fmt.Fprintf(stdout, "audit chain BROKEN: %d events checked, first bad event is %d\n", v.Checked, *v.FirstBad)
	} else {
		fmt.Fprintf(stdout, "audit chain ok: %d events checked\n", v.Checked)
	}
	failed := 0
	for i, c := range checks {
		if c.OK {
			fmt.Fprintf(stdout, "checkpoint %s ok: the chain extends event %d of %s\n", files[i], c.Checkpoint.Seq,
				c.Checkpoint.At.Format("2006-01-02 15:04:05Z"))
			continue
		}
		failed++
		fmt.Fprintf(stdout, "checkpoint %s FAILS: %s\n", files[i], c.Problem)
	}
	switch {
	case v.FirstBad != nil:
		return errors.New("the audit trail does not verify")
	case failed > 0:
		return fmt.Errorf("the audit trail does not extend %d of %d checkpoints: history was rewritten since", failed, len(checks))
	}
	return nil
}

// checkpointPublicKey reads the key that verifies checkpoints: the public
// key file, or else the public half of the signing key.
func checkpointPublicKey(pubFile, keyFile string) (ed25519.PublicKey, error) {
	if pubFile != "" {
		b, err := os.ReadFile(pubFile)
		if err != nil {
			return nil, fmt.Errorf("read public key: %w", err)
		}
		return domain.ParsePublicKey(b)
	}
	key, err := loadAuditKey(keyFile)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, usageError("checking checkpoints needs --public-key FILE, --audit-key FILE or " + auditKeyEnv)
	}
	return key.Public().(ed25519.PublicKey), nil
}

// auditCheckpointCmd signs the verified head and writes the checkpoint to a
// file, into a directory, or to stdout.
func auditCheckpointCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("audit checkpoint", stderr)
	dbURL := databaseFlag(fs)
	keyFile := auditKeyFlag(fs)
	dir := fs.String("dir", "", "directory to write the checkpoint into, named by its seq and time")
	out := fs.String("o", "", "file to write the checkpoint to")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir != "" && *out != "" {
		return usageError("give --dir or -o, not both")
	}
	key, err := loadAuditKey(*keyFile)
	if err != nil {
		return err
	}
	if key == nil {
		return usageError("signing a checkpoint needs --audit-key FILE or " + auditKeyEnv)
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	path, c, err := writeCheckpoint(ctx, db, key, *dir, *out)
	if err != nil {
		return err
	}
	if path == "" {
		return json.NewEncoder(stdout).Encode(c)
	}
	fmt.Fprintf(stdout, "checkpoint of event %d written to %s\n", c.Seq, path)
	return nil
}

// writeCheckpoint signs the head and writes it to file, or into dir, or
// nowhere when both are "" (then path is ""). The file appears whole or not
// at all (app.WriteCheckpointFile).
func writeCheckpoint(ctx context.Context, db *store.DB, key ed25519.PrivateKey, dir, file string) (string, domain.Checkpoint, error) {
	c, err := db.SignAuditHead(ctx, key)
	if err != nil {
		return "", c, err
	}
	if dir == "" && file == "" {
		return "", c, nil
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", c, err
		}
		file = filepath.Join(dir, app.CheckpointFileName(c))
	}
	return file, c, app.WriteCheckpointFile(file, c)
}

// isTerminal reports whether w is a terminal, where progress may be drawn
// over itself; a file or pipe gets none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
