package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"

	"assure/domain"
	"assure/store"
)

// totpKeyEnv holds the TOTP key itself (32 bytes in base64) when no
// --totp-key-file is given. The key never goes into the database.
const totpKeyEnv = "ASSURE_TOTP_KEY"

// totpKeyFlag adds --totp-key-file FILE, by default from the environment.
func totpKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("totp-key-file", os.Getenv("ASSURE_TOTP_KEY_FILE"),
		"key that seals second-factor secrets at rest, 32 bytes in base64 (env ASSURE_TOTP_KEY_FILE, or the key itself in "+totpKeyEnv+")")
}

// loadTOTPKey reads the key from path, or from the environment when path is
// "". It returns nil and no error when neither is set.
func loadTOTPKey(path string) (*domain.TOTPKey, error) {
	var b []byte
	switch {
	case path != "":
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("read totp key: %w", err)
		}
	case os.Getenv(totpKeyEnv) != "":
		b = []byte(os.Getenv(totpKeyEnv))
	default:
		return nil, nil
	}
	return domain.ParseTOTPKey(b)
}

// checkTOTPKey is serve's start-up check of its key against the stored
// secrets: a secret sealed with a key the server does not hold would fail
// every sign-in of its user, so the server refuses to start instead.
// Plaintext secrets (enrolled before sealing) and a missing key are logged
// as warnings.
func checkTOTPKey(ctx context.Context, db *store.DB, key *domain.TOTPKey, log *slog.Logger) error {
	counts, err := db.TOTPSecretKeys(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		switch {
		case id == "":
			log.Warn("second-factor secrets are stored in plaintext; seal them with assure totp rotate-key --new-key-file FILE",
				"secrets", counts[id])
		case key == nil:
			return fmt.Errorf("%d second-factor secrets are sealed with TOTP key %s, and no TOTP key is given: "+
				"pass --totp-key-file or set %s", counts[id], id, totpKeyEnv)
		case id != key.ID():
			return fmt.Errorf("%d second-factor secrets are sealed with TOTP key %s, not with this server's key %s: "+
				"serve with the key that sealed them, or rotate to this one with assure totp rotate-key", counts[id], id, key.ID())
		}
	}
	if key == nil {
		log.Warn("no TOTP key (--totp-key-file or " + totpKeyEnv + "): users cannot enrol a second factor; make one with assure totp keygen")
	}
	return nil
}

func totpCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("totp needs a subcommand: keygen or rotate-key")
	}
	switch args[0] {
	case "keygen":
		return totpKeygenCmd(args[1:], stdout, stderr)
	case "rotate-key":
		return totpRotateCmd(ctx, args[1:], stdout, stderr)
	}
	return usageError("totp needs a subcommand: keygen or rotate-key")
}

// totpKeygenCmd writes a new TOTP key to a file only its owner can read.
func totpKeygenCmd(args []string, stdout, stderr io.Writer) error {
	fset := flagSet("totp keygen", stderr)
	out := fset.String("o", "", "file to write the key to (required; must not exist)")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("totp keygen needs -o FILE")
	}
	text, err := domain.NewTOTPKeyText()
	if err != nil {
		return err
	}
	key, err := domain.ParseTOTPKey(text)
	if err != nil {
		return err
	}
	if err := writeNewKeyFile(*out, text); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote a TOTP key to %s (key id %s)\n", *out, key.ID())
	return nil
}

// totpRotateCmd re-seals every second-factor secret with the new key, in one
// audited transaction. Stop the servers first and start them again with the
// new key: the old one opens nothing afterwards.
func totpRotateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flagSet("totp rotate-key", stderr)
	dbURL := databaseFlag(fset)
	oldFile := fset.String("old-key-file", "", "the key the secrets are sealed with now (else env "+totpKeyEnv+"; none when all are plaintext)")
	newFile := fset.String("new-key-file", "", "the key to seal them with (required)")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *newFile == "" {
		return usageError("totp rotate-key needs --new-key-file FILE")
	}
	to, err := loadTOTPKey(*newFile)
	if err != nil {
		return err
	}
	from, err := loadTOTPKey(*oldFile)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.RotateTOTPKey(ctx, domain.System("totp rotate-key"), from, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "second-factor secrets now sealed with key %s: %d re-sealed from the old key, %d sealed from plaintext, %d already sealed with it\n",
		to.ID(), r.Resealed, r.Sealed, r.Already)
	return nil
}
