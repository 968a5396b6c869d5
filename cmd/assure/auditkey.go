package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"assure/domain"
)

// auditKeyEnv holds the checkpoint signing key itself (PEM or base64 seed)
// when no --audit-key file is given. The key never goes into the database.
const auditKeyEnv = "ASSURE_AUDIT_KEY"

// auditKeyFlag adds --audit-key FILE.
func auditKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("audit-key", "", "checkpoint signing key file, PKCS#8 PEM or base64 seed (else env "+auditKeyEnv+")")
}

// loadAuditKey reads the signing key from path, or from the environment when
// path is "". It returns nil and no error when neither is set.
func loadAuditKey(path string) (ed25519.PrivateKey, error) {
	var b []byte
	switch {
	case path != "":
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("read audit key: %w", err)
		}
	case os.Getenv(auditKeyEnv) != "":
		b = []byte(os.Getenv(auditKeyEnv))
	default:
		return nil, nil
	}
	return domain.ParseAuditKey(b)
}

// auditKeygenCmd writes a new signing key to a file only its owner can read
// and prints the public key that verifies its checkpoints.
func auditKeygenCmd(args []string, stdout, stderr io.Writer) error {
	fset := flagSet("audit keygen", stderr)
	out := fset.String("o", "", "file to write the private key to (required; must not exist)")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("audit keygen needs -o FILE")
	}
	key, pemKey, err := domain.NewAuditKey()
	if err != nil {
		return err
	}
	if err := writeNewKeyFile(*out, pemKey); err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	fmt.Fprintf(stdout, "wrote the signing key to %s (key id %s); its public key:\n%s", *out, domain.KeyID(pub), domain.PublicKeyPEM(pub))
	return nil
}

// writeNewKeyFile writes a key to a new file only its owner can read; an
// existing file is never overwritten.
func writeNewKeyFile(name string, key []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; a key is never overwritten", name)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
