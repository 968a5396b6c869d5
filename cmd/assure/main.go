// Command assure is the one binary of Assure: it serves the API and web UI,
// migrates the database and manages catalogs from the command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `assure — supervision of DFS providers' cyber security against ITU-T X.1150

Usage:
  assure serve [--addr HOST:PORT] [--database-url URL]   migrate, load catalogs and serve the API
  assure migrate [--database-url URL]                    apply pending database migrations
  assure catalog list [--database-url URL]               list the published frameworks
  assure catalog validate FILE                           check a framework file and print every problem
  assure catalog publish FILE [--database-url URL]       publish a framework file
  assure user create --email E --name N --role R [--provider P] --password-stdin
  assure user list                                       list users
  assure user disable EMAIL                              disable a user and revoke its sessions
  assure user bootstrap [--email E]                      create a first admin when there are no users
  assure audit verify [--checkpoint FILE]... [--public-key FILE]
                                                         check the audit trail's hash chain, and that it
                                                         still extends every signed checkpoint
  assure audit checkpoint [--dir DIR | -o FILE]          sign the verified chain head (key: --audit-key)
  assure audit prove --seq N --checkpoint FILE [--public-key FILE]
                                                         prove one event against a checkpoint's Merkle root
  assure audit keygen -o FILE                            make a checkpoint signing key
  assure totp keygen -o FILE                             make a key that seals second-factor secrets
  assure totp rotate-key --new-key-file F [--old-key-file F]
                                                         re-seal every second-factor secret with a new key
  assure seed demo                                       load a small demo sector (idempotent)
  assure scores check | rebuild [--campaign ID]         verify or rebuild the stored risk scores
  assure report assessment --id ID --format pdf|xlsx -o FILE
  assure report sector --campaign ID --format pdf|xlsx -o FILE

Environment: DATABASE_URL (database), ASSURE_ADDR (listen address, default :8080),
ASSURE_LOG_FORMAT (text or json), ASSURE_SESSION_IDLE and ASSURE_SESSION_MAX (session lifetimes),
ASSURE_SECURE_COOKIES=true (behind HTTPS), ASSURE_AUDIT_KEY (checkpoint signing key, PEM or base64 seed),
ASSURE_CHECKPOINT_DIR and ASSURE_CHECKPOINT_EVERY (where and how often serve signs checkpoints),
ASSURE_TOTP_KEY_FILE or ASSURE_TOTP_KEY (the key sealing second-factor secrets, or the key itself).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, stdout, stderr)
	case "migrate":
		err = migrateCmd(ctx, rest, stdout, stderr)
	case "catalog":
		err = catalogCmd(ctx, rest, stdout, stderr)
	case "user":
		err = userCmd(ctx, rest, stdin, stdout, stderr)
	case "audit":
		err = auditCmd(ctx, rest, stdout, stderr)
	case "totp":
		err = totpCmd(ctx, rest, stdout, stderr)
	case "seed":
		err = seedCmd(ctx, rest, stdout, stderr)
	case "scores":
		err = scoresCmd(ctx, rest, stdout, stderr)
	case "report":
		err = reportCmd(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "assure: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "assure %s: %s\n", cmd, ue)
			return 2
		}
		fmt.Fprintf(stderr, "assure %s: %s\n", cmd, describe(err))
		return 1
	}
	return 0
}

// usageError is a mistake on the command line.
type usageError string

func (e usageError) Error() string { return string(e) }
