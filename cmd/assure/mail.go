package main

import (
	"flag"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strings"

	"assure/notices"
)

// smtpFlags are serve's settings of the SMTP server e-mail is sent through.
type smtpFlags struct {
	addr, from, user, passwordFile, security *string
}

func smtpFlagsOf(fs *flag.FlagSet) smtpFlags {
	security := os.Getenv("ASSURE_SMTP_SECURITY")
	if security == "" {
		security = "starttls"
	}
	return smtpFlags{
		addr: fs.String("smtp-addr", os.Getenv("ASSURE_SMTP_ADDR"),
			"HOST:PORT of the SMTP server e-mail is sent through; empty writes e-mails to the log instead (env ASSURE_SMTP_ADDR)"),
		from: fs.String("smtp-from", os.Getenv("ASSURE_SMTP_FROM"),
			`the sender of e-mails, e.g. "Assure <assure@regulator.example>" (env ASSURE_SMTP_FROM)`),
		user: fs.String("smtp-user", os.Getenv("ASSURE_SMTP_USER"),
			"user name for SMTP authentication; empty sends without (env ASSURE_SMTP_USER)"),
		passwordFile: fs.String("smtp-password-file", os.Getenv("ASSURE_SMTP_PASSWORD_FILE"),
			"file holding the SMTP password; or give it in env ASSURE_SMTP_PASSWORD (env ASSURE_SMTP_PASSWORD_FILE)"),
		security: fs.String("smtp-security", security,
			"starttls (plain, then STARTTLS, which must succeed), tls (TLS from the start, often port 465), or none (a relay on this host) (env ASSURE_SMTP_SECURITY)"),
	}
}

// config checks the settings and returns the server, or nil without one.
// The password is read from its file or the environment and never printed.
func (f smtpFlags) config() (*notices.SMTP, error) {
	if *f.addr == "" {
		return nil, nil
	}
	if *f.from == "" {
		return nil, usageError("--smtp-addr needs --smtp-from, the sender address")
	}
	from, err := mail.ParseAddress(*f.from)
	if err != nil {
		return nil, usageError(fmt.Sprintf("--smtp-from: %q is not an address: %v", *f.from, err))
	}
	password := os.Getenv("ASSURE_SMTP_PASSWORD")
	if *f.passwordFile != "" {
		b, err := os.ReadFile(*f.passwordFile)
		if err != nil {
			return nil, fmt.Errorf("read the SMTP password: %w", err)
		}
		password = strings.TrimSpace(string(b))
	}
	if *f.user != "" && password == "" {
		return nil, usageError("--smtp-user needs a password: --smtp-password-file or env ASSURE_SMTP_PASSWORD")
	}
	s := &notices.SMTP{Addr: *f.addr, From: *from, Username: *f.user, Password: password, Security: *f.security}
	if err := s.Check(); err != nil {
		return nil, usageError("SMTP: " + err.Error())
	}
	return s, nil
}

// publicURLOf is where people reach Assure: --public-url, or for local use
// http://localhost on the listen address's port.
func publicURLOf(publicURL, addr string) string {
	if publicURL != "" {
		return strings.TrimSuffix(publicURL, "/")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		port = "8080"
	}
	return "http://" + net.JoinHostPort("localhost", port)
}
