package notices

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP is the server Assure hands its e-mail to.
type SMTP struct {
	Addr     string       // host:port
	From     mail.Address // the sender, e.g. Assure <assure@regulator.example>
	Username string       // empty: no authentication
	Password string
	// Security is how the connection is protected: "starttls" (the
	// default: plain, then STARTTLS, which must succeed), "tls" (TLS from
	// the first byte, usually port 465) or "none" (a relay on this host or
	// in a test; authentication is then refused).
	Security string
	// Timeout bounds each command and each message; 30 s when zero.
	Timeout time.Duration
	// TLS configures the TLS of "starttls" and "tls" (nil: the system's roots).
	TLS *tls.Config
}

// Check reports what is wrong with the settings, for the command line.
func (s SMTP) Check() error {
	host, port, err := net.SplitHostPort(s.Addr)
	switch {
	case err != nil || host == "" || port == "":
		return fmt.Errorf("the SMTP address %q is not host:port", s.Addr)
	case s.From.Address == "":
		return errors.New("an SMTP server needs a sender address")
	case s.Security != "" && s.Security != "starttls" && s.Security != "tls" && s.Security != "none":
		return fmt.Errorf("SMTP security %q is not starttls, tls or none", s.Security)
	case s.Security == "none" && s.Username != "":
		return errors.New("SMTP authentication needs starttls or tls: a password is never sent in the clear")
	}
	return nil
}

// Host is the part of the sender's address after the @, which Message-IDs
// end with.
func (s SMTP) Host() string {
	if i := strings.LastIndexByte(s.From.Address, '@'); i >= 0 {
		return s.From.Address[i+1:]
	}
	return "assure.invalid"
}

// Permanent reports whether err is the server's refusal of a message for
// good (a 5xx reply): trying again would only be refused again.
func Permanent(err error) bool {
	var e *smtp.SMTPError
	return errors.As(err, &e) && e.Code >= 500
}

// Send delivers emails over one connection, in order. done is called for
// each message as soon as the server has accepted it (nil) or refused it,
// so the caller can record it at once. An error that ends the connection
// comes back, and the messages not yet done were not sent.
func (s SMTP) Send(ctx context.Context, emails []Email, done func(i int, err error)) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	tlsConfig := s.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("notices: connect to the SMTP server: %w", err)
	}
	if s.Security == "tls" {
		conn = tls.Client(conn, tlsConfig)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	var c *smtp.Client
	if s.Security == "" || s.Security == "starttls" {
		if c, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			conn.Close()
			return fmt.Errorf("notices: SMTP STARTTLS: %w", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = timeout, timeout
	if err := c.Hello(s.Host()); err != nil {
		return fmt.Errorf("notices: SMTP hello: %w", err)
	}
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return fmt.Errorf("notices: SMTP authentication: %w", err)
		}
	}
	for i, e := range emails {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := send(c, e)
		var refused *smtp.SMTPError
		if err != nil && !errors.As(err, &refused) {
			return fmt.Errorf("notices: SMTP: %w", err) // the connection is gone
		}
		done(i, err)
		if err != nil {
			if rerr := c.Reset(); rerr != nil {
				return fmt.Errorf("notices: SMTP reset: %w", rerr)
			}
		}
	}
	return c.Quit()
}

// send hands one message to the server: it is accepted when DATA's final
// reply is 2xx.
func send(c *smtp.Client, e Email) error {
	if err := c.Mail(e.From, nil); err != nil {
		return err
	}
	if err := c.Rcpt(e.To, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := bytes.NewReader(e.Bytes()).WriteTo(w); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
