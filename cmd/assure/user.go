package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"

	"assure/domain"
	"assure/store"
)

// cliActor is the audit identity of commands run at the terminal.
func cliActor() domain.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return domain.System("cli:" + name)
}

func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("user needs a subcommand: create, list, disable or bootstrap")
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, args[1:], stdin, stdout, stderr)
	case "list":
		return userList(ctx, args[1:], stdout, stderr)
	case "disable":
		return userDisable(ctx, args[1:], stdout, stderr)
	case "bootstrap":
		return userBootstrap(ctx, args[1:], stdout, stderr)
	}
	return usageError(fmt.Sprintf("unknown user subcommand %q", args[0]))
}

func userCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flagSet("user create", stderr)
	dbURL := databaseFlag(fs)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "full name (required)")
	role := fs.String("role", "", "admin, supervisor, provider_admin, provider_editor or auditor (required)")
	provider := fs.String("provider", "", "provider id, for provider roles")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input (required, except for a request)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *name == "" || *role == "" {
		return usageError("--email, --name and --role are required")
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	// A supervisor, admin or auditor needs a second person: once an admin
	// may sign in, the command line only files the request, which an admin
	// approves (and receives the temporary password). While none may, it
	// creates the user directly, audited as a bootstrap.
	nu := store.NewUser{Email: *email, Name: *name, Role: domain.Role(*role), ProviderID: *provider}
	privileged := domain.NeedsSecondAdmin(domain.RequestUserCreate, domain.User{}, domain.User{Role: nu.Role})
	admins, err := db.CountActiveAdmins(ctx)
	if err != nil {
		return err
	}
	if privileged && admins > 0 {
		if *fromStdin {
			return usageError("an active admin exists, so a " + *role + " is requested and its password made when an admin approves: drop --password-stdin")
		}
		r, err := db.FileIdentityRequest(ctx, cliActor(), store.NewIdentityRequest{Kind: domain.RequestUserCreate,
			Change: domain.IdentityChange{Email: nu.Email, Name: &nu.Name, Role: &nu.Role, ProviderID: &nu.ProviderID}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "requested %s %s (request %s); an admin approves it under Users, Requests waiting, and receives its temporary password\n",
			nu.Role, r.TargetEmail, r.ID)
		return nil
	}
	if !*fromStdin {
		return usageError("--password-stdin is required")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	nu.Password = strings.TrimRight(line, "\r\n")
	nu.Bootstrap = privileged
	u, err := db.CreateUser(ctx, cliActor(), nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	return nil
}

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("user list", stderr)
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
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tPROVIDER\tSTATUS\tTOTP\tID")
	list, err := store.All(func(p store.Page) ([]domain.User, string, error) {
		return db.Users(ctx, cliActor(), store.UserFilter{}, p)
	})
	if err != nil {
		return err
	}
	for _, u := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%s\n", u.Email, u.Name, u.Role, dash(u.ProviderID), u.Status, u.TOTPEnabled, u.ID)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func userDisable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("user disable", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("user disable needs exactly one EMAIL")
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if _, err := db.DisableUser(ctx, cliActor(), u.ID); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "disabled %s; its sessions and tokens are revoked\n", u.Email)
	return nil
}

// userBootstrap creates a first admin with a random password when the
// database has no users at all, and prints the login; otherwise it does
// nothing. make run uses it so a new installation can be signed in to at
// once; assure serve never creates accounts by itself.
func userBootstrap(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("user bootstrap", stderr)
	dbURL := databaseFlag(fs)
	email := fs.String("email", "admin@assure.local", "email of the first admin")
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
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	b := make([]byte, 15)
	rand.Read(b)
	password := base64.RawURLEncoding.EncodeToString(b)
	u, err := db.CreateUser(ctx, cliActor(), store.NewUser{Email: *email, Name: "Local administrator",
		Role: domain.RoleAdmin, Password: password, Bootstrap: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin login: %s / %s\n", u.Email, password)
	return nil
}
